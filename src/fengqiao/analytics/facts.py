"""What one case contributes to the figures, and keeping the roll-up current.

``refresh_case`` is called by ``cases.actions`` inside the transaction of every
registration and move: it recomputes the case's fact, and moves the case's old
contribution out of ``DailyFigure`` and the new one in. Every figure is then a sum over
DailyFigure rows, and equals the same formula applied to the case rows (the property
tests check that).
"""

import bisect
import contextlib
import datetime as dt

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from fengqiao.cases.models import Case, CaseKind, CaseLink, Category, LinkKind, TimelineEvent
from fengqiao.cases.states import Action, State

from .models import (
    HANDLING_BOUNDS,
    KEY_FIELDS,
    MEASURES,
    MONTHLY_KEY,
    MONTHLY_WIDTHS,
    CaseFact,
    DailyFigure,
    GridYear,
    MonthlyFigure,
    MonthlyHandling,
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


def _upsert_sql(table: str, key: tuple[str, ...], sums: tuple[str, ...]) -> str:
    table = connection.ops.quote_name(table)
    columns = ", ".join((*key, *sums))
    marks = ", ".join(["%s"] * (len(key) + len(sums)))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 — names are ours
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )


# The roll-ups a fact adds to: (table, key columns, summed columns).
_DAILY = (DailyFigure._meta.db_table, KEY_FIELDS, SUMS)
_MONTHLY = (MonthlyFigure._meta.db_table, MONTHLY_KEY, SUMS)
_HANDLING = (MonthlyHandling._meta.db_table, ("width", "prefix", "month", "bucket"), ("n",))
_GRID_YEAR = (GridYear._meta.db_table, ("year", "grid_path"), ("n", "repeat"))


def bucket_of(seconds: int) -> int:
    """The handling-time histogram's bucket of ``seconds`` (see HANDLING_BOUNDS)."""
    return bisect.bisect_right(HANDLING_BOUNDS, seconds)


def monthly_keys(fact: dict) -> list[list]:
    """The MonthlyFigure keys a fact counts under: its district and its town."""
    month = fact["day"].replace(day=1)
    return [
        [width, fact["area_path"][:width], month]
        + [fact[k] for k in ("category_id", "kind", "state", "escalated")]
        for width in MONTHLY_WIDTHS
    ]


def _contributions(fact: dict, sign: int, out: dict) -> None:
    """Add what one fact adds (+1) to or takes away (-1) from each roll-up row to
    ``out`` ({(roll-up, key): sums})."""
    handled = fact["handling_seconds"]
    sums = [sign] + [sign * fact[m] for m in MEASURES]
    sums += [sign * int(handled is not None), sign * (handled or 0)]
    rows = [(_DAILY, tuple(fact[k] for k in KEY_FIELDS), sums)]
    rows += [(_MONTHLY, tuple(key), sums) for key in monthly_keys(fact)]
    if handled is not None:
        month, bucket = fact["day"].replace(day=1), bucket_of(handled)
        rows += [
            (_HANDLING, (width, fact["area_path"][:width], month, bucket), [sign])
            for width in MONTHLY_WIDTHS
        ]
    if fact["kind"] == CaseKind.DISPUTE and len(fact["area_path"]) >= GRID_PATH_LENGTH:
        year = fact["day"].replace(month=1, day=1)
        key = (year, fact["area_path"][:GRID_PATH_LENGTH])
        rows.append((_GRID_YEAR, key, [sign, sign * fact["repeat"]]))
    for roll_up, key, values in rows:
        found = out.get((roll_up, key))
        out[(roll_up, key)] = (
            values if found is None else [a + b for a, b in zip(found, values, strict=True)]
        )


def _apply(changes: dict) -> None:
    """One upsert that adds per roll-up row whose sums change (rows a move leaves as
    they were — the grid-year of most moves, the histogram before completion — cost
    nothing); adding, so concurrent changes never lose a count."""
    with connection.cursor() as cursor:
        for (roll_up, key), values in changes.items():
            if any(values):
                cursor.execute(_upsert_sql(*roll_up), [*key, *values])


def _add(fact: dict, sign: int) -> None:
    """Add (+1) or take away (-1) one fact in the roll-ups."""
    changes: dict = {}
    _contributions(fact, sign, changes)
    _apply(changes)


def refresh_case(case: Case) -> None:
    """Bring the case's fact and the roll-up up to date; call inside the case's
    transaction, after the case row is saved."""
    old = CaseFact.objects.filter(case_id=case.pk).values(*_FACT_FIELDS).first()
    # A case without a fact is being registered: no mediation can exist for it yet.
    new = fact_for(case, mediation=dict(_ZERO) if old is None else None)
    if old == new:
        return
    changes: dict = {}
    if old is not None:
        _contributions(old, -1, changes)
    _contributions(new, +1, changes)
    _apply(changes)
    CaseFact(case_id=case.pk, **new).save(force_insert=old is None)


def _fact_select(Case):
    """The facts of the cases as one SELECT (a queryset whose columns are ``_FACT_FIELDS``
    in order): ``fact_for`` written in SQL, except the mediation app's outcomes (zero
    here; ``_mediation_update`` sets them). Valid on SQLite and PostgreSQL."""
    from django.db.models import BigIntegerField, Exists, F, IntegerField, OuterRef, Q, Value, When
    from django.db.models import Case as When_
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Coalesce

    def flag(condition):
        return When_(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

    completed = Q(completed_at__isnull=False)
    timed = completed & Q(due_at__isnull=False)
    table = connection.ops.quote_name(Case._meta.db_table)
    done, created = f"{table}.completed_at", f"{table}.created_at"
    if connection.vendor == "postgresql":
        seconds = f"TRUNC(EXTRACT(EPOCH FROM ({done} - {created})))::bigint"
    else:  # Django's own SQLite function: the difference in microseconds
        seconds = f"django_timestamp_diff({done}, {created}) / 1000000"
    revisit = Exists(TimelineEvent.objects.filter(case_id=OuterRef("pk"), action=Action.REVISIT))
    models = _mediation_models()
    if models is not None:
        revisit = revisit | Exists(models[1].objects.filter(case_id=OuterRef("pk"), status="done"))
    duplicate = Exists(CaseLink.objects.filter(case_id=OuterRef("pk"), kind=LinkKind.DUPLICATE))
    columns = {
        "day": _local_day(Case),
        "area_path": F("area_path"),
        "category_id": Coalesce(F("category__parent_id"), F("category_id")),
        "kind": F("kind"),
        "channel": F("channel"),
        "grade": F("grade"),
        "risk": F("risk"),
        "state": F("state"),
        "handling_level": F("handling_area__level"),
        "unit_key": Coalesce(F("current_unit_id"), Value(0)),
        "escalated": F("was_escalated"),
        "accepted": flag(~Q(state__in=[s.value for s in NOT_ACCEPTED])),
        "completed": flag(completed),
        "timed": flag(timed),
        "on_time": flag(timed & Q(completed_at__lte=F("due_at"))),
        "dispatched": flag(Q(dispatched_at__isnull=False) | completed | Q(return_count__gt=0)),
        "returned": flag(Q(return_count__gt=0)),
        "reworked": flag(Q(rework_count__gt=0)),
        "revisited": flag(Q(state=State.CLOSED) & Q(revisit)),
        "revisit_valid": Value(0),
        "satisfied": Value(0),
        "agreements_due": Value(0),
        "fulfilled": Value(0),
        "mediated": Value(0),
        "mediation_success": Value(0),
        "repeat": flag(Q(kind=CaseKind.DISPUTE) & Q(duplicate)),
        "handler_id": F("current_handler_id"),
        "handling_seconds": When_(
            When(completed, then=RawSQL(seconds, [], output_field=BigIntegerField())),  # noqa: S611
            default=None,
            output_field=BigIntegerField(),
        ),
        "due_at": F("due_at"),
    }
    assert tuple(columns) == _FACT_FIELDS
    aliases = {"f_case": F("pk")}
    aliases |= {f"f_{i}": expression for i, expression in enumerate(columns.values())}
    return Case.objects.annotate(**aliases).values(*aliases).order_by()


@contextlib.contextmanager
def _indexes_dropped(model):
    """Drop ``model``'s secondary indexes for a bulk load and build them again after it
    (one sorted build instead of a B-tree insert per row); inside the caller's
    transaction, so a failed load keeps them."""
    editor = connection.schema_editor()
    with connection.cursor() as cursor:
        for index in model._meta.indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")
        yield
        if connection.vendor == "postgresql":
            # PostgreSQL will not index a table with deferred foreign-key checks pending
            # (the facts' case ids): run them now, then defer again as Django does.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for index in model._meta.indexes:
            cursor.execute(str(index.create_sql(model, editor)))


def _local_day(Case):
    """The local registration day: Django's TruncDate, or on SQLite, when the time zone's
    offset from UTC was the same over every case's time, plain date arithmetic (Django's
    SQLite function converts each row in Python: ten times slower)."""
    from django.db.models import DateField
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import TruncDate

    if connection.vendor == "sqlite":
        span = Case.objects.aggregate(low=Min("created_at"), high=Max("created_at"))
        zone = timezone.get_current_timezone()
        if span["low"] is not None:
            offsets = {
                dt.datetime(year, month, day, tzinfo=zone).utcoffset()
                for year in range(span["low"].year - 1, span["high"].year + 2)
                for month in range(1, 13)
                for day in (1, 15)
            }
            if len(offsets) == 1:
                seconds = int(offsets.pop().total_seconds())
                column = f"{connection.ops.quote_name(Case._meta.db_table)}.created_at"
                return RawSQL(f"DATE({column}, '{seconds:+d} seconds')", [], DateField())  # noqa: S611
    return TruncDate("created_at")


def _insert_select(model, columns, queryset) -> None:
    """INSERT INTO ``model`` (``columns``) the rows of ``queryset`` (one statement)."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)  # noqa: S608


def _mediation_update(case_ids: list[int]) -> None:
    """Set the mediation app's outcomes on the facts of ``case_ids``: one UPDATE per
    distinct combination of outcomes (there are few)."""
    groups: dict[tuple, list[int]] = {}
    for pk, measures in mediation_bulk(case_ids).items():
        key = tuple(measures[m] for m in MEDIATION_MEASURES)
        if any(key):
            groups.setdefault(key, []).append(pk)
    for key, pks in groups.items():
        outcomes = dict(zip(MEDIATION_MEASURES, key, strict=True))
        CaseFact.objects.filter(case_id__in=pks).update(**outcomes)


def rebuild(batch: int = 50000) -> int:
    """Recompute every fact and the whole roll-up from the cases with set-based SQL
    (INSERT … SELECT per batch of case ids); returns the count. One transaction (or a
    savepoint in the caller's): the dropped indexes come back whatever happens."""
    with transaction.atomic():
        return _rebuild(batch)


def _rebuild(batch: int) -> int:
    for model in (CaseFact, DailyFigure, MonthlyFigure, MonthlyHandling, GridYear):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    select = _fact_select(Case)
    bounds = Case.objects.aggregate(low=Min("pk"), high=Max("pk"))
    with _indexes_dropped(CaseFact):
        for first in range(bounds["low"] or 0, (bounds["high"] or -1) + 1, batch):
            rows = select.filter(pk__gte=first, pk__lt=first + batch)
            _insert_select(CaseFact, ("case_id", *_FACT_FIELDS), rows)
    models = _mediation_models()
    if models is not None:
        Mediation, Revisit = models
        touched = set(Mediation.objects.values_list("case_id", flat=True))
        touched |= set(Revisit.objects.filter(status="done").values_list("case_id", flat=True))
        touched_ids = sorted(touched)
        for i in range(0, len(touched_ids), 5000):
            _mediation_update(touched_ids[i : i + 5000])
    _roll_up()
    return CaseFact.objects.count()


def _roll_up() -> None:
    """DailyFigure from CaseFact in one INSERT … SELECT … GROUP BY, then the monthly and
    grid-year roll-ups from DailyFigure the same way."""
    facts = connection.ops.quote_name(CaseFact._meta.db_table)
    daily = connection.ops.quote_name(DailyFigure._meta.db_table)
    keys = ", ".join(KEY_FIELDS)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    columns = ", ".join((*KEY_FIELDS, "n", *MEASURES, "handling_n", "handling_seconds"))
    with _indexes_dropped(DailyFigure), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {daily} ({columns}) SELECT {keys}, COUNT(*), {sums}, "  # noqa: S608
            f"COUNT(handling_seconds), COALESCE(SUM(handling_seconds), 0) "
            f"FROM {facts} GROUP BY {keys}"
        )
    roll_up_monthly(DailyFigure, MonthlyFigure)
    roll_up_handling(CaseFact, MonthlyHandling)
    roll_up_grid_years(DailyFigure, GridYear)


def _first_of(column: str, unit: str) -> str:
    """SQL for the first day of the month or year of a date column, as a date."""
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('{unit}', {column}) AS date)"
    return f"DATE({column}, 'start of {unit}')"


def roll_up_grid_years(daily_model, grid_year_model) -> None:
    """GridYear from DailyFigure's disputes placed in a grid or below (one statement;
    also called by the migration that adds it)."""
    daily = connection.ops.quote_name(daily_model._meta.db_table)
    table = connection.ops.quote_name(grid_year_model._meta.db_table)
    year = _first_of("day", "year")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, grid_path, n, repeat) "  # noqa: S608
            f"SELECT {year}, SUBSTR(area_path, 1, %s), SUM(n), SUM(repeat) FROM {daily} "
            f"WHERE kind = %s AND LENGTH(area_path) >= %s "
            f"GROUP BY {year}, SUBSTR(area_path, 1, %s)",
            [GRID_PATH_LENGTH, CaseKind.DISPUTE.value, GRID_PATH_LENGTH, GRID_PATH_LENGTH],
        )


def roll_up_monthly(daily_model, monthly_model) -> None:
    """MonthlyFigure from DailyFigure, one INSERT … SELECT per width (also called by the
    migration that adds it)."""
    daily = connection.ops.quote_name(daily_model._meta.db_table)
    table = connection.ops.quote_name(monthly_model._meta.db_table)
    month = _first_of("day", "month")
    rest = ("category_id", "kind", "state", "escalated")
    columns = ", ".join(("width", "prefix", "month", *rest, *SUMS))
    sums = ", ".join(f"SUM({name})" for name in SUMS)
    group = ", ".join(rest)
    with connection.cursor() as cursor:
        for width in MONTHLY_WIDTHS:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT %s, SUBSTR(area_path, 1, %s), {month}, {group}, {sums} FROM {daily} "
                f"GROUP BY SUBSTR(area_path, 1, %s), {month}, {group}",
                [width, width, width],
            )


def roll_up_handling(fact_model, handling_model) -> None:
    """MonthlyHandling from the facts' handling times, one INSERT … SELECT per width
    (also called by the migration that adds it). The bucket is a CASE over the bounds."""
    facts = connection.ops.quote_name(fact_model._meta.db_table)
    table = connection.ops.quote_name(handling_model._meta.db_table)
    month = _first_of("day", "month")
    whens = " ".join(f"WHEN handling_seconds < {b} THEN {i}" for i, b in enumerate(HANDLING_BOUNDS))
    bucket = f"CASE {whens} ELSE {len(HANDLING_BOUNDS)} END"
    with connection.cursor() as cursor:
        for width in MONTHLY_WIDTHS:
            cursor.execute(
                f"INSERT INTO {table} (width, prefix, month, bucket, n) "  # noqa: S608
                f"SELECT %s, SUBSTR(area_path, 1, %s), {month}, {bucket}, COUNT(*) FROM {facts} "
                f"WHERE handling_seconds IS NOT NULL "
                f"GROUP BY SUBSTR(area_path, 1, %s), {month}, {bucket}",
                [width, width, width],
            )
