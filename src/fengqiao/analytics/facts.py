"""What one case contributes to the figures, and keeping the roll-up current.

``case_writes`` is called by ``cases.actions`` inside the transaction of every
registration and move: it recomputes the case's fact and returns the writes that save
it and move the case's old contribution out of ``DailyFigure`` and the other roll-ups
and the new one in. Every figure is then a sum over
DailyFigure rows, and equals the same formula applied to the case rows (the property
tests check that).
"""

import bisect

from django.apps import apps
from django.db import connection
from django.utils import timezone

from fengqiao.cases.models import Case, CaseKind, CaseLink, Category, LinkKind, TimelineEvent
from fengqiao.cases.states import Action, State
from fengqiao.core.rows import Statement

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


_MARK = -7_340_117  # stands for the case id while a read is compiled


class _Read:
    """A read by case id whose SQL the ORM compiles once per process, not on every
    write: the same statement and the same value conversions as the queryset, for a
    fraction of the CPU (compiling a query costs more than running it here)."""

    def __init__(self, build):
        self.build = build  # case id -> queryset (values or values_list)
        self.compiled: dict[str, tuple] = {}

    def _compile(self) -> tuple:
        compiler = self.build(_MARK).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        marks = [i for i, value in enumerate(params) if value == _MARK]
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        names = [alias or column.target.attname for column, _, alias in compiler.select]
        return sql, list(params), marks, compiler, compiler.get_converters(columns), names

    def rows(self, case_id: int) -> list[dict]:
        found = self.compiled.get(connection.vendor)
        if found is None:
            found = self.compiled[connection.vendor] = self._compile()
        sql, params, marks, compiler, converters, names = found
        params = list(params)
        for i in marks:
            params[i] = case_id
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]


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


def _status_read(case_id: int):
    Mediation = _mediation_models()[0]
    return Mediation.objects.filter(case_id=case_id).order_by("pk").values("status")[:1]


_STATUS = _Read(_status_read)
_REVISITS = _Read(lambda case_id: _done_revisits(_mediation_models()[1], case_id=case_id))


def mediation_measures(case: Case) -> dict[str, int]:
    """Mediation, satisfaction and fulfilment outcomes of ``case`` (two queries)."""
    if _mediation_models() is None:
        return dict(_ZERO)
    status = next((row["status"] for row in _STATUS.rows(case.pk)), None)
    return _measures(status, _REVISITS.rows(case.pk))


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
        repeat = case.kind == CaseKind.DISPUTE and bool(_DUPLICATE_LINK.rows(case.pk))
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
_OLD_FACT = _Read(lambda case_id: CaseFact.objects.filter(case_id=case_id).values(*_FACT_FIELDS))
_DUPLICATE_LINK = _Read(
    lambda case_id: CaseLink.objects.filter(case_id=case_id, kind=LinkKind.DUPLICATE).values("pk")[
        :1
    ]
)
SUMS = ("n", *MEASURES, "handling_n", "handling_seconds")


def _upsert_sql(table: str, key: tuple[str, ...], sums: tuple[str, ...], rows: int = 1) -> str:
    """One INSERT of ``rows`` roll-up rows that adds to the rows already there."""
    table = connection.ops.quote_name(table)
    columns = ", ".join((*key, *sums))
    marks = ", ".join(["(" + ", ".join(["%s"] * (len(key) + len(sums))) + ")"] * rows)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return (
        f"INSERT INTO {table} ({columns}) VALUES {marks} "  # noqa: S608 — names are ours
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


def _roll_up_writes(changes: dict) -> list[Statement]:
    """The upserts that add ``changes`` ({(roll-up, key): sums}) to the roll-ups: one per
    table, adding to every row whose sums change (rows a move leaves as they were — the
    grid-year of most moves, the histogram before completion — cost nothing); adding, so
    concurrent changes never lose a count. Keys are distinct within a table
    (``_contributions`` merges them), as one statement requires, and the tables differ,
    so that they may go in one round trip (``core.rows.together``)."""
    by_table: dict[tuple, list] = {}
    for (roll_up, key), values in changes.items():
        if any(values):
            by_table.setdefault(roll_up, []).append([*key, *values])
    return [
        (_upsert_sql(*roll_up, rows=len(rows)), [v for row in rows for v in row])
        for roll_up, rows in by_table.items()
    ]


def case_writes(case: Case, *, new: bool = False, repeat: bool | None = None) -> list[Statement]:
    """The writes that bring the case's fact and the roll-ups up to date (none when the
    fact is unchanged): the fact's own insert or update, then the roll-up upserts. Call
    inside the case's transaction, after the case row is saved, and run them in it
    (``cases.actions.base.write_event`` runs them with the audit record, in one round
    trip on PostgreSQL: ``core.rows.together``). ``new``: the case was
    registered in this transaction, so it has no fact yet; ``repeat``: whether it is
    linked as a duplicate, when the caller knows (registration does)."""
    old = None if new else next(iter(_OLD_FACT.rows(case.pk)), None)
    # A case without a fact is being registered: no mediation can exist for it yet.
    fact = fact_for(case, repeat=repeat, mediation=dict(_ZERO) if old is None else None)
    if old == fact:
        return []
    changes: dict = {}
    if old is not None:
        _contributions(old, -1, changes)
    _contributions(fact, +1, changes)
    return [_fact_write(case.pk, old, fact), *_roll_up_writes(changes)]


def _fact_write(case_id: int, old: dict | None, fact: dict) -> Statement:
    """The fact's insert, or the update of the columns that changed. Raw statements:
    the ORM's save of some thirty columns cost more CPU than the statement itself; the
    values go through the fields' own conversions."""
    names = _FACT_FIELDS if old is None else [n for n in _FACT_FIELDS if old[n] != fact[n]]
    fields = [CaseFact._meta.get_field(name) for name in names]
    values = [f.get_db_prep_save(fact[f.attname], connection) for f in fields]
    table, quote = CaseFact._meta.db_table, connection.ops.quote_name
    if old is None:
        columns = ", ".join(quote(f.column) for f in fields)
        sql = f"INSERT INTO {quote(table)} (case_id, {columns}) "  # noqa: S608 — our names
        sql += f"VALUES (%s, {', '.join(['%s'] * len(fields))})"
        params = [case_id, *values]
    else:
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(table)} SET {sets} WHERE case_id = %s"  # noqa: S608
        params = [*values, case_id]
    return sql, params
