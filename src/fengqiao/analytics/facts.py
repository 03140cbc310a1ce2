"""What one case contributes to the figures, and keeping the roll-up current.

``refresh_case`` is called by ``cases.actions`` inside the transaction of every
registration and move: it recomputes the case's fact, and moves the case's old
contribution out of ``DailyFigure`` and the new one in. Every figure is then a sum over
DailyFigure rows, and equals the same formula applied to the case rows (the property
tests check that).
"""

from django.apps import apps
from django.db import connection
from django.utils import timezone

from fengqiao.cases.models import Case, CaseKind, CaseLink, Category, LinkKind, TimelineEvent
from fengqiao.cases.states import Action, State

from .models import KEY_FIELDS, MEASURES, CaseFact, DailyFigure

NOT_ACCEPTED = {State.REGISTERED, State.DECLINED}
# Supplied by the mediation app once it lands (``fengqiao.mediation.figures``); until
# then these figures are zero and say so.
MEDIATION_MEASURES = (
    "mediated",
    "mediation_success",
    "revisit_valid",
    "satisfied",
    "agreements_due",
    "fulfilled",
)


def mediation_measures(case: Case) -> dict[str, int]:
    """Mediation, agreement and revisit outcomes of ``case`` from the mediation app."""
    if apps.is_installed("fengqiao.mediation"):
        try:
            from fengqiao.mediation.figures import case_measures  # type: ignore[import-not-found]
        except ImportError:
            pass
        else:
            found = case_measures(case)
            return {name: int(bool(found.get(name))) for name in MEDIATION_MEASURES}
    return dict.fromkeys(MEDIATION_MEASURES, 0)


def top_category_id(case: Case) -> int:
    category = case.category if Case.category.is_cached(case) else None
    if category is None:
        category = Category.objects.only("parent_id").get(pk=case.category_id)
    return category.parent_id or category.pk


def fact_for(
    case: Case,
    *,
    revisited: bool | None = None,
    repeat: bool | None = None,
    mediation: dict | None = None,
    top_category: int | None = None,
) -> dict:
    """The case's key and measures. The keyword arguments let a rebuild pass facts it
    read in bulk; otherwise they are read here."""
    closed = case.state == State.CLOSED
    if revisited is None:
        revisited = (
            closed and TimelineEvent.objects.filter(case=case, action=Action.REVISIT).exists()
        )
    if repeat is None:
        repeat = (
            case.kind == CaseKind.DISPUTE
            and CaseLink.objects.filter(case=case, kind=LinkKind.DUPLICATE).exists()
        )
    completed = case.completed_at is not None
    timed = completed and case.due_at is not None
    fact = {
        "day": timezone.localtime(case.created_at).date(),
        "area_path": case.area_path,
        "category_id": top_category or top_category_id(case),
        "kind": case.kind,
        "channel": case.channel,
        "grade": case.grade,
        "risk": case.risk,
        "state": case.state,
        "handling_level": case.handling_area.level,
        "unit_key": case.current_unit_id or 0,
        "escalated": case.was_escalated,
        "accepted": int(case.state not in NOT_ACCEPTED),
        "completed": int(completed),
        "timed": int(timed),
        "on_time": int(timed and case.completed_at <= case.due_at),
        "dispatched": int(case.dispatched_at is not None or completed or case.return_count > 0),
        "returned": int(case.return_count > 0),
        "reworked": int(case.rework_count > 0),
        "revisited": int(bool(closed and revisited)),
        "repeat": int(bool(repeat and case.kind == CaseKind.DISPUTE)),
        **(mediation if mediation is not None else mediation_measures(case)),
        "handler_id": case.current_handler_id,
        "handling_seconds": (
            int((case.completed_at - case.created_at).total_seconds()) if completed else None
        ),
    }
    return fact


_FACT_FIELDS = (*KEY_FIELDS, *MEASURES, "handler_id", "handling_seconds")


def _upsert_sql() -> str:
    table = connection.ops.quote_name(DailyFigure._meta.db_table)
    keys = ", ".join(KEY_FIELDS)
    sums = ("n", *MEASURES, "handling_n", "handling_seconds")
    columns = ", ".join((*KEY_FIELDS, *sums))
    marks = ", ".join(["%s"] * (len(KEY_FIELDS) + len(sums)))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 — names are ours
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def _add(fact: dict, sign: int) -> None:
    """Add (+1) or take away (-1) one fact in the roll-up: one statement, race-free."""
    handled = fact["handling_seconds"]
    values = [fact[k] for k in KEY_FIELDS]
    values += [sign] + [sign * fact[m] for m in MEASURES]
    values += [sign * int(handled is not None), sign * (handled or 0)]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), values)


def refresh_case(case: Case) -> None:
    """Bring the case's fact and the roll-up up to date; call inside the case's
    transaction, after the case row is saved."""
    new = fact_for(case)
    old = CaseFact.objects.filter(case_id=case.pk).values(*_FACT_FIELDS).first()
    if old == new:
        return
    if old is not None:
        _add(old, -1)
    _add(new, +1)
    CaseFact(case_id=case.pk, **new).save(force_insert=old is None)


def rebuild(batch: int = 2000) -> int:
    """Recompute every fact and the whole roll-up from the cases; returns the count."""
    CaseFact.objects.all().delete()
    DailyFigure.objects.all().delete()
    revisited = set(
        TimelineEvent.objects.filter(action=Action.REVISIT).values_list("case_id", flat=True)
    )
    repeats = set(
        CaseLink.objects.filter(kind=LinkKind.DUPLICATE).values_list("case_id", flat=True)
    )
    tops = {pk: parent or pk for pk, parent in Category.objects.values_list("pk", "parent_id")}
    count, last = 0, 0
    while True:
        cases = list(
            Case.objects.filter(pk__gt=last).select_related("handling_area").order_by("pk")[:batch]
        )
        if not cases:
            break
        rows = [
            CaseFact(
                case_id=c.pk,
                **fact_for(
                    c,
                    revisited=c.pk in revisited,
                    repeat=c.pk in repeats,
                    top_category=tops[c.category_id],
                ),
            )
            for c in cases
        ]
        CaseFact.objects.bulk_create(rows)
        count += len(rows)
        last = cases[-1].pk
    _roll_up()
    return count


def _roll_up() -> None:
    """DailyFigure from CaseFact in one INSERT … SELECT … GROUP BY."""
    facts = connection.ops.quote_name(CaseFact._meta.db_table)
    daily = connection.ops.quote_name(DailyFigure._meta.db_table)
    keys = ", ".join(KEY_FIELDS)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    columns = ", ".join((*KEY_FIELDS, "n", *MEASURES, "handling_n", "handling_seconds"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {daily} ({columns}) SELECT {keys}, COUNT(*), {sums}, "  # noqa: S608
            f"COUNT(handling_seconds), COALESCE(SUM(handling_seconds), 0) "
            f"FROM {facts} GROUP BY {keys}"
        )
