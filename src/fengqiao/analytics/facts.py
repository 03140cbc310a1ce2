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

from .models import (
    KEY_FIELDS,
    MEASURES,
    MONTHLY_KEY,
    MONTHLY_WIDTHS,
    CaseFact,
    DailyFigure,
    GridYear,
    MonthlyFigure,
)

NOT_ACCEPTED = {State.REGISTERED, State.DECLINED}
GRID_PATH_LENGTH = 5 * 5  # city, district, town, community, grid
# Outcomes read from the mediation app's rows (mediations, revisits); zero while the
# app is not installed, and the figures say so.
MEDIATION_MEASURES = (
    "mediated",
    "mediation_success",
    "revisit_valid",
    "satisfied",
    "agreements_due",
    "fulfilled",
)
_ZERO = dict.fromkeys(MEDIATION_MEASURES, 0)
SATISFIED = ("satisfied", "basic")  # 满意 + 基本满意
CHECKED = ("performed", "not_performed")  # a clause's performance checked at a revisit


def _mediation_models():
    if not apps.is_installed("fengqiao.mediation"):
        return None
    return apps.get_model("mediation", "Mediation"), apps.get_model("mediation", "Revisit")


def _measures(status: str | None, revisits: list[dict]) -> dict[str, int]:
    """From the mediation's status and the case's done revisits, newest first."""
    rated = next((r for r in revisits if r["satisfaction"]), None)
    checked = next(
        (r for r in revisits if any(v in CHECKED for v in (r["performance"] or {}).values())),
        None,
    )
    performance = [v for v in (checked or {}).get("performance", {}).values() if v in CHECKED]
    return {
        "mediated": int(status in ("succeeded", "failed")),
        "mediation_success": int(status == "succeeded"),
        "revisit_valid": int(rated is not None),
        "satisfied": int(rated is not None and rated["satisfaction"] in SATISFIED),
        "agreements_due": int(checked is not None),
        "fulfilled": int(checked is not None and all(v == "performed" for v in performance)),
    }


def _done_revisits(Revisit, **where):
    return (
        Revisit.objects.filter(status="done", **where)
        .order_by("-done_at", "-pk")
        .values("case_id", "satisfaction", "performance")
    )


def mediation_measures(case: Case) -> dict[str, int]:
    """Mediation, satisfaction and fulfilment outcomes of ``case`` (two queries)."""
    models = _mediation_models()
    if models is None:
        return dict(_ZERO)
    Mediation, Revisit = models
    status = Mediation.objects.filter(case_id=case.pk).values_list("status", flat=True).first()
    return _measures(status, list(_done_revisits(Revisit, case_id=case.pk)))


def mediation_bulk(case_ids: list[int]) -> dict[int, dict[str, int]]:
    """The same for many cases in two queries (for rebuilds)."""
    models = _mediation_models()
    if models is None:
        return {pk: dict(_ZERO) for pk in case_ids}
    Mediation, Revisit = models
    statuses = dict(Mediation.objects.filter(case_id__in=case_ids).values_list("case_id", "status"))
    revisits: dict[int, list[dict]] = {}
    for row in _done_revisits(Revisit, case_id__in=case_ids):
        revisits.setdefault(row["case_id"], []).append(row)
    return {pk: _measures(statuses.get(pk), revisits.get(pk, [])) for pk in case_ids}


def has_done_revisit(case: Case) -> bool:
    models = _mediation_models()
    return models is not None and models[1].objects.filter(case_id=case.pk, status="done").exists()


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
        revisited = closed and (
            TimelineEvent.objects.filter(case=case, action=Action.REVISIT).exists()
            or has_done_revisit(case)
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
        "due_at": case.due_at,
    }
    return fact


_FACT_FIELDS = (*KEY_FIELDS, *MEASURES, "handler_id", "handling_seconds", "due_at")
SUMS = ("n", *MEASURES, "handling_n", "handling_seconds")


def _upsert_sql(model, key: tuple[str, ...]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    keys = ", ".join(key)
    sums = SUMS
    columns = ", ".join((*key, *sums))
    marks = ", ".join(["%s"] * (len(key) + len(sums)))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 — names are ours
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def _grid_year_sql() -> str:
    table = connection.ops.quote_name(GridYear._meta.db_table)
    return (
        f"INSERT INTO {table} (year, grid_path, n, repeat) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (year, grid_path) DO UPDATE SET n = {table}.n + excluded.n, "
        f"repeat = {table}.repeat + excluded.repeat"
    )


def monthly_keys(fact: dict) -> list[list]:
    """The MonthlyFigure keys a fact counts under: its district and its town."""
    month = fact["day"].replace(day=1)
    return [
        [width, fact["area_path"][:width], month]
        + [fact[k] for k in ("category_id", "kind", "state", "escalated")]
        for width in MONTHLY_WIDTHS
    ]


def _add(fact: dict, sign: int) -> None:
    """Add (+1) or take away (-1) one fact in the roll-ups: one statement per row,
    an upsert that adds, so concurrent changes never lose a count."""
    handled = fact["handling_seconds"]
    sums = [sign] + [sign * fact[m] for m in MEASURES]
    sums += [sign * int(handled is not None), sign * (handled or 0)]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(DailyFigure, KEY_FIELDS), [fact[k] for k in KEY_FIELDS] + sums)
        monthly = _upsert_sql(MonthlyFigure, MONTHLY_KEY)
        for key in monthly_keys(fact):
            cursor.execute(monthly, key + sums)
        if fact["kind"] == CaseKind.DISPUTE and len(fact["area_path"]) >= GRID_PATH_LENGTH:
            cursor.execute(
                _grid_year_sql(),
                [fact["day"].replace(month=1, day=1), fact["area_path"][:GRID_PATH_LENGTH]]
                + [sign, sign * fact["repeat"]],
            )


def refresh_case(case: Case) -> None:
    """Bring the case's fact and the roll-up up to date; call inside the case's
    transaction, after the case row is saved."""
    old = CaseFact.objects.filter(case_id=case.pk).values(*_FACT_FIELDS).first()
    # A case without a fact is being registered: no mediation can exist for it yet.
    new = fact_for(case, mediation=dict(_ZERO) if old is None else None)
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
    MonthlyFigure.objects.all().delete()
    GridYear.objects.all().delete()
    revisited = set(
        TimelineEvent.objects.filter(action=Action.REVISIT).values_list("case_id", flat=True)
    )
    models = _mediation_models()
    if models is not None:
        revisited |= set(models[1].objects.filter(status="done").values_list("case_id", flat=True))
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
        mediation = mediation_bulk([c.pk for c in cases])
        rows = [
            CaseFact(
                case_id=c.pk,
                **fact_for(
                    c,
                    revisited=c.pk in revisited,
                    repeat=c.pk in repeats,
                    mediation=mediation[c.pk],
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
    roll_up_monthly(DailyFigure, MonthlyFigure)
    roll_up_grid_years(DailyFigure, GridYear)


def roll_up_grid_years(daily_model, grid_year_model) -> None:
    """GridYear from DailyFigure's disputes placed in a grid or below."""
    from django.db.models import Sum
    from django.db.models.functions import Length, Substr, TruncYear

    grouped = (
        daily_model.objects.annotate(length=Length("area_path"))
        .filter(kind=CaseKind.DISPUTE, length__gte=GRID_PATH_LENGTH)
        .annotate(grid=Substr("area_path", 1, GRID_PATH_LENGTH), first=TruncYear("day"))
        .values("grid", "first")
        .annotate(s_n=Sum("n"), s_repeat=Sum("repeat"))
        .order_by()
    )
    grid_year_model.objects.bulk_create(
        (
            grid_year_model(year=r["first"], grid_path=r["grid"], n=r["s_n"], repeat=r["s_repeat"])
            for r in grouped.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


def roll_up_monthly(daily_model, monthly_model) -> None:
    """MonthlyFigure from DailyFigure (also called by the migration that adds it)."""
    from django.db.models import Sum
    from django.db.models.functions import Substr, TruncMonth

    rows = []
    for width in MONTHLY_WIDTHS:
        grouped = (
            daily_model.objects.annotate(
                prefix=Substr("area_path", 1, width), month=TruncMonth("day")
            )
            .values("prefix", "month", "category_id", "kind", "state", "escalated")
            .annotate(**{f"s_{name}": Sum(name) for name in SUMS})
            .order_by()
        )
        for r in grouped.iterator(chunk_size=5000):
            rows.append(
                monthly_model(
                    width=width,
                    prefix=r["prefix"],
                    month=r["month"],
                    category_id=r["category_id"],
                    kind=r["kind"],
                    state=r["state"],
                    escalated=r["escalated"],
                    **{name: r[f"s_{name}"] for name in SUMS},
                )
            )
            if len(rows) >= 5000:
                monthly_model.objects.bulk_create(rows)
                rows = []
    monthly_model.objects.bulk_create(rows)
