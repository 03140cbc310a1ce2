"""Recomputing every fact and the whole roll-up from the case rows with set-based SQL
(``rebuild``), and the roll-up statements the migrations that add a roll-up table call.
``facts`` keeps them current case by case; this rebuilds them after a bulk load or a
change of the rules."""

import contextlib
import datetime as dt

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from fengqiao.cases.models import Case, CaseKind, CaseLink, LinkKind, TimelineEvent
from fengqiao.cases.states import Action, State

from .facts import (
    _FACT_FIELDS,
    GRID_PATH_LENGTH,
    MEDIATION_MEASURES,
    NOT_ACCEPTED,
    SUMS,
    _mediation_models,
    mediation_bulk,
)
from .models import (
    HANDLING_BOUNDS,
    KEY_FIELDS,
    MEASURES,
    MONTHLY_WIDTHS,
    CaseFact,
    DailyFigure,
    GridYear,
    MonthlyFigure,
    MonthlyHandling,
)


def _fact_select(Case, first: int, last: int, day=None):
    """The facts of the cases with ids in [``first``, ``last``) as one SELECT (a queryset
    whose columns are ``_FACT_FIELDS`` in order): ``fact_for`` written in SQL, except the
    mediation app's outcomes (zero here; ``_mediation_update`` sets them). Valid on SQLite
    and PostgreSQL. ``day``: ``_local_day(Case)``, when the caller has it already.

    The subqueries carry the same id range: under an OR, PostgreSQL runs an EXISTS as a
    hashed subplan over its whole table, so without the range every batch read the
    entire timeline (at 1M cases 200 scans of 12M rows)."""
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
    ours = {"case_id": OuterRef("pk"), "case_id__gte": first, "case_id__lt": last}
    revisit = Exists(TimelineEvent.objects.filter(**ours, action=Action.REVISIT))
    models = _mediation_models()
    if models is not None:
        revisit = revisit | Exists(models[1].objects.filter(**ours, status="done"))
    duplicate = Exists(CaseLink.objects.filter(**ours, kind=LinkKind.DUPLICATE))
    columns = {
        "day": day if day is not None else _local_day(Case),
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
    rows = Case.objects.filter(pk__gte=first, pk__lt=last)
    return rows.annotate(**aliases).values(*aliases).order_by()


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
    bounds = Case.objects.aggregate(low=Min("pk"), high=Max("pk"))
    day = _local_day(Case)  # one reading of the cases' time span, not one per batch
    with _indexes_dropped(CaseFact):
        for first in range(bounds["low"] or 0, (bounds["high"] or -1) + 1, batch):
            rows = _fact_select(Case, first, first + batch, day)
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
