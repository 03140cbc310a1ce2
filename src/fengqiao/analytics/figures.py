"""Reading figures for an area subtree and a period, from the daily roll-up.

Every rate is a ``Figure``: its formula in words, numerator, denominator and what the
denominator leaves out, so a leader sees what a percentage rests on (REFERENCE §5).
Cases count in the period in which they were registered, with their outcome as of now.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import BooleanField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import paths
from fengqiao.areas.models import Area, Level
from fengqiao.cases.models import CaseKind, Category, Channel, Grade, Risk
from fengqiao.cases.states import State
from fengqiao.units.models import Unit

from .models import (
    HANDLING_BOUNDS,
    MEASURES,
    MONTHLY_WIDTHS,
    CaseFact,
    DailyFigure,
    GridYear,
    MonthlyFigure,
    MonthlyHandling,
)
from .periods import Period, buckets

SUMS = ("n", *MEASURES, "handling_n", "handling_seconds")
GRID_PATH_LENGTH = paths.SEGMENT * (list(Level).index(Level.GRID) + 1)


def _sums() -> dict:
    return {f"s_{name}": Sum(name) for name in SUMS}


def monthly_width(area: Area, period: Period) -> int | None:
    """The monthly roll-up's width that answers for ``area`` over ``period``: its
    children's level, when that is kept and the period is whole months; else None."""
    width = len(area.path) + paths.SEGMENT
    whole_months = period.start.day == 1 and (period.end + dt.timedelta(days=1)).day == 1
    return width if width in MONTHLY_WIDTHS and whole_months else None


def rows_for(area: Area, period: Period, *, daily: bool = False, since: dt.date | None = None):
    """The roll-up rows of ``area``'s subtree in ``period``: monthly rows for a city or
    district over whole months (unless ``daily``), daily rows otherwise. Both have the
    columns state, escalated, category_id, kind and every sum. ``since`` (a first day
    of a month when the rows are monthly) moves the start earlier: the rows are chosen
    for ``period`` and the previous period's are read with them."""
    width = None if daily else monthly_width(area, period)
    if width is not None:
        return MonthlyFigure.objects.filter(
            paths.subtree_q("prefix", area.path),
            width=width,
            month__gte=since or period.start,
            month__lte=period.end,
        )
    return _days_of(DailyFigure, area, period, since=since)


# Paths this short (a city, a district) cover so much of the table that a few days of
# their rows are best found by day.
WIDE_PATH = 2 * paths.SEGMENT


def _days_of(model, area: Area, period: Period, *, since: dt.date | None = None):
    """The day-keyed rows (daily roll-up, facts) of ``area``'s subtree in ``period``. A
    city's (its area range is the whole table), or a district's over a month or less, are
    found by day: the subtree is then filtered with startswith, the same rows in a form
    SQLite's planner does not take to an index (at 1M cases the city's current-month
    hotspot query went through the area index over every row: 207 ms)."""
    wide = len(area.path) <= paths.SEGMENT or (
        len(area.path) <= WIDE_PATH and (period.end - period.start).days < 32
    )
    subtree = (
        Q(area_path__startswith=area.path) if wide else paths.subtree_q("area_path", area.path)
    )
    return model.objects.filter(subtree, day__gte=since or period.start, day__lte=period.end)


@dataclass
class Figure:
    key: str
    label: str
    formula: str
    numerator: int
    denominator: int
    excluded: list[tuple[str, int]] = field(default_factory=list)
    # Drill-through filters for the case list (state=…); empty when no one filter fits.
    filters: dict = field(default_factory=dict)

    @property
    def value(self) -> Decimal | None:
        """The rate in percent, to one decimal; None when the denominator is zero."""
        if not self.denominator:
            return None
        return (Decimal(100 * self.numerator) / self.denominator).quantize(Decimal("0.1"))


@dataclass
class Totals:
    """Sums of every measure, per state and overall."""

    by_state: dict[str, int]
    sums: dict[str, int]
    local_closed: int  # closed and never escalated above the registering level

    def n(self, state: str) -> int:
        return self.by_state.get(state, 0)

    def __getitem__(self, name: str) -> int:
        return self.sums.get(name, 0)


def _totals_of(rows) -> Totals:
    by_state: dict[str, int] = {}
    sums = dict.fromkeys(SUMS, 0)
    local_closed = 0
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["s_n"]
        for name in SUMS:
            sums[name] += row[f"s_{name}"] or 0
        if row["state"] == State.CLOSED and not row["escalated"]:
            local_closed += row["s_n"]
    return Totals(by_state, sums, local_closed)


def totals(area: Area, period: Period) -> Totals:
    """One query: the measures summed per state and escalation flag."""
    return _totals_of(rows_for(area, period).values("state", "escalated").annotate(**_sums()))


def totals_with_previous(area: Area, period: Period) -> tuple[Totals, Totals]:
    """``totals`` of ``period`` and of ``period.previous()``: one query over both when the
    two read the same roll-up (always, except for some custom ranges), else two."""
    previous = period.previous()
    if monthly_width(area, period) != monthly_width(area, previous):
        return totals(area, period), totals(area, previous)
    rows = rows_for(area, period, since=previous.start)
    column = "month" if rows.model is MonthlyFigure else "day"
    found = list(
        rows.annotate(
            current=Case(
                When(**{f"{column}__gte": period.start}, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("current", "state", "escalated")
        .annotate(**_sums())
        .order_by()
    )
    now = _totals_of(r for r in found if r["current"])
    before = _totals_of(r for r in found if not r["current"])
    return now, before


def rates(t: Totals) -> list[Figure]:
    """The rates of REFERENCE §5 from the totals."""
    declined, referred = t.n(State.DECLINED), t.n(State.REFERRED_OUT)
    waiting = t.n(State.REGISTERED)
    closed = t.n(State.CLOSED)
    completed, timed = t["completed"], t["timed"]
    return [
        Figure(
            "resolution_rate",
            _("化解率"),
            _("已化解结案的事项 ÷（已受理的事项 − 转法定途径的事项）"),
            closed,
            t["accepted"] - referred,
            [(_("不予受理"), declined), (_("转法定途径"), referred), (_("待受理"), waiting)],
            {"state": State.CLOSED},
        ),
        Figure(
            "mediation_success_rate",
            _("调解成功率"),
            _("调解成功的事项 ÷ 调解已结束（成功或不成）的事项"),
            t["mediation_success"],
            t["mediated"],
        ),
        Figure(
            "local_resolution_rate",
            _("本地化解率"),
            _("在首次登记的层级或以下结案、从未上报的事项 ÷ 已受理的事项"),
            t.local_closed,
            t["accepted"],
            [
                (_("不予受理"), declined),
                (_("待受理"), waiting),
                (_("曾上报后结案"), closed - t.local_closed),
            ],
        ),
        Figure(
            "on_time_rate",
            _("按期办结率"),
            _("在办理期限内办结的事项 ÷ 已派单并办结的事项（期限按工作日计，批准的延期不计入）"),
            t["on_time"],
            timed,
            [(_("未经派单办结"), completed - timed), (_("尚未办结"), t["n"] - completed)],
        ),
        Figure(
            "revisit_rate",
            _("回访率"),
            _("经回访（转入回访或已完成回访）后结案的事项 ÷ 已结案的事项"),
            t["revisited"],
            closed,
            [(_("尚未结案"), t["n"] - closed)],
            {"state": State.CLOSED},
        ),
        Figure(
            "satisfaction_rate",
            _("满意率"),
            _("最近一次有效回访为满意或基本满意的事项 ÷ 有有效回访（已评满意度）的事项"),
            t["satisfied"],
            t["revisit_valid"],
        ),
        Figure(
            "fulfilment_rate",
            _("协议履行率"),
            _("最近一次履行核查各条款均已履行的事项 ÷ 经回访核查协议履行的事项"),
            t["fulfilled"],
            t["agreements_due"],
        ),
        Figure(
            "rework_rate",
            _("返工率"),
            _("核查退回过的事项 ÷ 已办结的事项"),
            t["reworked"],
            completed,
            [(_("尚未办结"), t["n"] - completed)],
        ),
        Figure(
            "return_rate",
            _("退单率"),
            _("被退单过的事项 ÷ 已派单的事项"),
            t["returned"],
            t["dispatched"],
            [(_("尚未派单"), t["n"] - t["dispatched"])],
        ),
    ]


@dataclass
class Duration:
    label: str
    formula: str
    hours: Decimal | None
    count: int


def _p90_seconds(area: Area, period: Period, n: int) -> int | None:
    """The nearest-rank 90th percentile of the handling seconds of ``n`` completed cases:
    the smallest time such that 90 % of them took no longer. Exact in both ways: over
    whole months at city or district level the histogram names the bucket that holds the
    rank and how many come before it, and the facts of that one bucket give the value
    (two indexed reads); elsewhere the facts of the period, sorted (they are few)."""
    rank = math.ceil(0.9 * n) - 1
    width = monthly_width(area, period)
    if width is None:
        # A city's partial month: by day (250 → 14 ms at 1M on SQLite), see _days_of.
        facts = _days_of(CaseFact, area, period).filter(handling_seconds__isnull=False)
    else:
        facts = CaseFact.objects.filter(
            paths.subtree_q("area_path", area.path), day__gte=period.start, day__lte=period.end
        )
        counts = (
            MonthlyHandling.objects.filter(
                paths.subtree_q("prefix", area.path),
                width=width,
                month__gte=period.start,
                month__lte=period.end,
            )
            .values("bucket")
            .annotate(s_n=Sum("n"))
            .order_by("bucket")
        )
        before = 0
        for row in counts:
            if before + row["s_n"] > rank:
                bucket = row["bucket"]
                break
            before += row["s_n"]
        else:
            return None
        rank -= before
        if bucket > 0:
            facts = facts.filter(handling_seconds__gte=HANDLING_BOUNDS[bucket - 1])
        if bucket < len(HANDLING_BOUNDS):
            facts = facts.filter(handling_seconds__lt=HANDLING_BOUNDS[bucket])
        else:
            facts = facts.filter(handling_seconds__isnull=False)
    found = facts.order_by("handling_seconds").values_list("handling_seconds", flat=True)
    return next(iter(found[rank : rank + 1]), None)


def handling_times(area: Area, period: Period, t: Totals) -> list[Duration]:
    """Average and 90th-percentile time from registration to completion, in hours."""
    n = t["handling_n"]
    avg = None if not n else (Decimal(t["handling_seconds"]) / n / 3600).quantize(Decimal("0.1"))
    p90 = None
    if n:
        seconds = _p90_seconds(area, period, n)
        p90 = None if seconds is None else (Decimal(seconds) / 3600).quantize(Decimal("0.1"))
    return [
        Duration(_("平均办理时长"), _("登记到办结的小时数之和 ÷ 已办结的事项"), avg, n),
        Duration(_("90% 办理时长"), _("90% 的已办结事项不超过的小时数（最近秩法）"), p90, n),
    ]


# The dimensions a count can be broken down by: (roll-up column, label).
DIMENSIONS = {
    "state": _("状态"),
    "kind": _("事项类型"),
    "category": _("类别"),
    "channel": _("来源渠道"),
    "grade": _("等级"),
    "risk": _("风险等级"),
    "handling_level": _("办理层级"),
    "unit": _("承办单位"),
}
_COLUMN = {"category": "category_id", "unit": "unit_key"}
_MONTHLY_DIMENSIONS = {"state", "kind", "category"}


def _labels(dimension: str, values) -> dict:
    if dimension == "category":
        return dict(Category.objects.filter(pk__in=values).values_list("pk", "name"))
    if dimension == "unit":
        named = dict(Unit.objects.filter(pk__in=values).values_list("pk", "name"))
        return {0: _("未派单位"), **named}
    choices = {
        "state": State,
        "kind": CaseKind,
        "channel": Channel,
        "grade": Grade,
        "risk": Risk,
        "handling_level": Level,
    }[dimension]
    return {**dict(choices.choices), "": _("未定")}


@dataclass
class Count:
    value: object  # the filter value (a code, a category or unit id)
    label: str
    n: int
    repeat: int = 0


def breakdown(area: Area, period: Period, dimension: str, *, disputes_only: bool = False):
    """Counts of cases per value of ``dimension``, largest first (one query)."""
    column = _COLUMN.get(dimension, dimension)
    rows = rows_for(area, period, daily=dimension not in _MONTHLY_DIMENSIONS)
    if disputes_only:
        rows = rows.filter(kind=CaseKind.DISPUTE)
    found = list(
        rows.values(column).annotate(s_n=Sum("n"), s_repeat=Sum("repeat")).order_by("-s_n", column)
    )
    labels = _labels(dimension, [r[column] for r in found])
    return [
        Count(r[column], str(labels.get(r[column], r[column])), r["s_n"], r["s_repeat"])
        for r in found
        if r["s_n"]
    ]


def category_counts(area: Area, period: Period) -> tuple[list[Count], list[Count]]:
    """``breakdown(…, "category")`` and the same for disputes only, in one query and one
    label lookup (the dashboard shows both)."""
    dispute = Q(kind=CaseKind.DISPUTE)
    found = list(
        rows_for(area, period)
        .values("category_id")
        .annotate(
            s_n=Sum("n"),
            s_repeat=Sum("repeat"),
            d_n=Sum("n", filter=dispute),
            d_repeat=Sum("repeat", filter=dispute),
        )
        .order_by("-s_n", "category_id")
    )
    labels = _labels("category", [r["category_id"] for r in found if r["s_n"]])

    def count(r, n, repeat):
        return Count(
            r["category_id"], str(labels.get(r["category_id"], r["category_id"])), n, repeat
        )

    every = [count(r, r["s_n"], r["s_repeat"]) for r in found if r["s_n"]]
    disputes = [count(r, r["d_n"], r["d_repeat"] or 0) for r in found if r["d_n"]]
    disputes.sort(key=lambda c: (-c.n, c.value))
    return every, disputes


@dataclass
class AreaRow:
    area: Area | None  # None: cases placed on the area itself, not in a child
    label: str
    n: int
    closed: int
    accepted: int
    referred: int
    on_time: int
    timed: int
    repeat: int

    @property
    def resolution_rate(self) -> Decimal | None:
        den = self.accepted - self.referred
        return None if den <= 0 else (Decimal(100 * self.closed) / den).quantize(Decimal("0.1"))

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.timed:
            return None
        return (Decimal(100 * self.on_time) / self.timed).quantize(Decimal("0.1"))


_CHILD_SUMS = {
    "n": Sum("n"),
    "closed": Sum("n", filter=Q(state=State.CLOSED)),
    "accepted": Sum("accepted"),
    "referred": Sum("n", filter=Q(state=State.REFERRED_OUT)),
    "on_time": Sum("on_time"),
    "timed": Sum("timed"),
    "repeat": Sum("repeat"),
}


def by_child(area: Area, period: Period, children: list[Area] | None = None) -> list[AreaRow]:
    """One row per child area (and one for cases on the area itself): two queries, or
    one when the caller has read ``area``'s children (all of them, by path) already."""
    if children is None:
        children = list(Area.objects.filter(parent=area).order_by("path"))
    children = {a.path: a for a in children}
    width = len(area.path) + paths.SEGMENT
    rows = rows_for(area, period)
    # Monthly rows are kept at the children's width already.
    child = F("prefix") if rows.model is MonthlyFigure else Substr("area_path", 1, width)
    rows = (
        rows.annotate(child=child)
        .values("child")
        .annotate(**{f"s_{k}": v for k, v in _CHILD_SUMS.items()})
    )
    found = {r["child"]: {k: r[f"s_{k}"] for k in _CHILD_SUMS} for r in rows}
    out = []
    for path, child in children.items():
        r = found.pop(path, None) or {}
        out.append(_area_row(child, child.name, r))
    own = found.pop(area.path, None)
    if own:
        out.append(_area_row(None, _("本级"), own))
    return out


def _area_row(area, label, r: dict) -> AreaRow:
    return AreaRow(
        area,
        label,
        *(
            r.get(k) or 0
            for k in ("n", "closed", "accepted", "referred", "on_time", "timed", "repeat")
        ),
    )


def hotspot_grids(area: Area, period: Period, limit: int = 10) -> list[dict]:
    """Grids with the most new disputes, with their repeat disputes (two queries)."""
    if len(area.path) > GRID_PATH_LENGTH:
        return []
    if period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(
        period.start.year, 12, 31
    ):
        # A calendar year: one GridYear row per grid.
        rows = list(
            GridYear.objects.filter(
                paths.subtree_q("grid_path", area.path), year=period.start, n__gt=0
            )
            .annotate(grid=F("grid_path"), s_n=F("n"), s_repeat=F("repeat"))
            .values("grid", "s_n", "s_repeat")
            .order_by("-s_n", "-s_repeat", "grid")[:limit]
        )
    else:
        rows = list(
            rows_for(area, period, daily=True)
            .annotate(length=Length("area_path"))
            .filter(kind=CaseKind.DISPUTE, length__gte=GRID_PATH_LENGTH)
            .annotate(grid=Substr("area_path", 1, GRID_PATH_LENGTH))
            .values("grid")
            .annotate(s_n=Sum("n"), s_repeat=Sum("repeat"))
            .filter(s_n__gt=0)
            .order_by("-s_n", "-s_repeat", "grid")[:limit]
        )
    return _hot_grid_areas(rows)


def _hot_grid_areas(rows: list[dict]) -> list[dict]:
    """The hotspot rows (grid path, s_n, s_repeat) with their grid areas (one query)."""
    grids = {a.path: a for a in Area.objects.filter(path__in=[r["grid"] for r in rows])}
    return [
        {"area": grids[r["grid"]], "n": r["s_n"], "repeat": r["s_repeat"]}
        for r in rows
        if r["grid"] in grids
    ]


def trend(area: Area, period: Period) -> list[dict]:
    """New and closed cases per trend bucket (one query)."""
    rows = rows_for(area, period, daily=period.trend_unit() != "month")
    column = "month" if rows.model is MonthlyFigure else "day"
    per_day = {
        r[column]: (r["s_n"] or 0, r["s_closed"] or 0)
        for r in rows.values(column).annotate(
            s_n=Sum("n"), s_closed=Sum("n", filter=Q(state=State.CLOSED))
        )
    }
    return _trend_buckets(period, per_day)


def _trend_buckets(period: Period, per_day: dict) -> list[dict]:
    """The trend buckets from (new, closed) per day or month of the roll-up."""
    out = []
    today = timezone.localdate()
    for label, first, last in buckets(period):
        if first > today and out:
            break  # the rest of the period is still to come
        days = [v for d, v in per_day.items() if first <= d <= last]
        out.append(
            {
                "label": label,
                "start": first,
                "end": last,
                "n": sum(n for n, _closed in days),
                "closed": sum(closed for _n, closed in days),
            }
        )
    return out


def categories_and_trend(area: Area, period: Period) -> tuple[list[Count], list[Count], list]:
    """``category_counts`` and ``trend`` together: one query when the trend reads the
    same roll-up rows as the categories and has few buckets (a city's or district's
    months, a month's days), else two."""
    unit = period.trend_unit()
    monthly = monthly_width(area, period) is not None
    if monthly != (unit == "month") or (not monthly and unit != "day"):
        every, disputes = category_counts(area, period)
        return every, disputes, trend(area, period)
    rows = rows_for(area, period)
    column = "month" if monthly else "day"
    dispute = Q(kind=CaseKind.DISPUTE)
    found = list(
        rows.values(column, "category_id")
        .annotate(
            s_n=Sum("n"),
            s_repeat=Sum("repeat"),
            d_n=Sum("n", filter=dispute),
            d_repeat=Sum("repeat", filter=dispute),
            s_closed=Sum("n", filter=Q(state=State.CLOSED)),
        )
        .order_by()
    )
    per_day: dict = {}
    per_category: dict = {}
    for r in found:
        n, closed = per_day.get(r[column], (0, 0))
        per_day[r[column]] = (n + (r["s_n"] or 0), closed + (r["s_closed"] or 0))
        sums = per_category.setdefault(r["category_id"], [0, 0, 0, 0])
        sums[0] += r["s_n"] or 0
        sums[1] += r["s_repeat"] or 0
        sums[2] += r["d_n"] or 0
        sums[3] += r["d_repeat"] or 0
    every, disputes = _category_counts(per_category)
    return every, disputes, _trend_buckets(period, per_day)


def _category_counts(per_category: dict) -> tuple[list[Count], list[Count]]:
    """Every case's and the disputes' counts per category, largest first, from
    {category id: [n, repeat, disputes' n, disputes' repeat]}."""
    labels = _labels("category", [k for k, v in per_category.items() if v[0]])

    def count(category_id, n, repeat):
        return Count(category_id, str(labels.get(category_id, category_id)), n, repeat)

    every = [count(k, v[0], v[1]) for k, v in per_category.items() if v[0]]
    every.sort(key=lambda c: (-c.n, c.value))
    disputes = [count(k, v[2], v[3]) for k, v in per_category.items() if v[2]]
    disputes.sort(key=lambda c: (-c.n, c.value))
    return every, disputes


@dataclass
class Summary:
    """Everything the dashboard's headline shows."""

    area: Area
    period: Period
    totals: Totals
    rates: list[Figure]
    durations: list[Duration]

    @property
    def total(self) -> int:
        return self.totals["n"]

    def rate(self, key: str) -> Figure:
        return next(f for f in self.rates if f.key == key)


def summary(area: Area, period: Period, *, durations: bool = True) -> Summary:
    t = totals(area, period)
    times = handling_times(area, period, t) if durations else []
    return Summary(area, period, t, rates(t), times)


def summary_with_previous(area: Area, period: Period) -> tuple[Summary, Summary]:
    """``summary`` of ``period`` and, without durations, of the period before it; the
    totals of both in one query (the dashboard's headline and its changes)."""
    return summaries(area, period, *totals_with_previous(area, period))


def summaries(area: Area, period: Period, now: Totals, before: Totals) -> tuple[Summary, Summary]:
    """The two summaries of ``summary_with_previous`` from the totals already read."""
    previous = period.previous()
    return (
        Summary(area, period, now, rates(now), handling_times(area, period, now)),
        Summary(area, previous, before, rates(before), []),
    )


_STATE_AT = 2  # where the state is in a row of ``small_area_board``'s read
_DAILY_KEY = ("day", "area_path", "state", "escalated", "category_id", "kind")
_AT = {name: len(_DAILY_KEY) + i for i, name in enumerate(SUMS)}


def small_area_board(area: Area, period: Period, children: list[Area], limit: int = 10):
    """The dashboard's figures for a period of a day-by-day trend whose roll-up is the
    daily one, for it and the period before it (a town's or community's month, a week,
    a day): the totals of both, the children's rows, the categories, the trend and the
    hotspot grids from one grouped read of the daily rows, summed here (a town's two
    months are a few hundred rows at 1M cases), plus the two label reads. None when the
    period is read otherwise (monthly rows, a trend by week or month): then the
    dashboard reads each figure on its own. ``children``: ``area``'s child areas, all
    of them, by path. Returns (now, before, children rows, categories, disputes, trend,
    hotspot grids), equal to ``totals_with_previous``, ``by_child``,
    ``categories_and_trend`` and ``hotspot_grids``."""
    previous = period.previous()
    if (
        period.trend_unit() != "day"
        or monthly_width(area, period) is not None
        or monthly_width(area, previous) is not None
        or previous.end + dt.timedelta(days=1) != period.start
    ):
        return None
    rows = (
        rows_for(area, period, daily=True, since=previous.start)
        .values_list(*_DAILY_KEY)
        .annotate(**_sums())
        .order_by()
    )
    # Read through the cursor: Django's per-value converters (the sums' int(), SQLite's
    # dates) were most of the read's CPU at 1M cases (≈ 430 rows × 21 values).
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    days: dict = {}  # SQLite gives the day as ISO text: each converted once
    start, width = period.start, len(area.path) + paths.SEGMENT
    closed_state, referred_state, dispute = State.CLOSED, State.REFERRED_OUT, CaseKind.DISPUTE
    hot = len(area.path) <= GRID_PATH_LENGTH
    n_at, repeat_at = _AT["n"], _AT["repeat"]
    accepted_at, on_time_at, timed_at = _AT["accepted"], _AT["on_time"], _AT["timed"]
    sums_of: dict = {}  # (current, state, escalated) → every sum
    per_child: dict = {}  # child path → n, closed, accepted, referred, on_time, timed, repeat
    per_category: dict = {}  # category → n, repeat, disputes' n, disputes' repeat
    per_day: dict = {}  # day → n, closed
    per_grid: dict = {}  # grid path → disputes' n, repeat
    first = len(_DAILY_KEY)
    for row in found:
        day, path, state, escalated, category, kind = row[:first]
        if (as_date := days.get(day)) is None:
            as_date = days[day] = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        day = as_date
        current = day >= start
        key = (current, state, escalated)
        values = row[first:]
        had = sums_of.get(key)
        if had is not None:
            values = [a + (b or 0) for a, b in zip(had, values, strict=True)]
        sums_of[key] = values
        if not current:
            continue
        n, repeat = row[n_at] or 0, row[repeat_at] or 0
        closed = n if state == closed_state else 0
        c = per_child.setdefault(path[:width], [0, 0, 0, 0, 0, 0, 0])
        c[0] += n
        c[1] += closed
        c[2] += row[accepted_at] or 0
        c[3] += n if state == referred_state else 0
        c[4] += row[on_time_at] or 0
        c[5] += row[timed_at] or 0
        c[6] += repeat
        c = per_category.setdefault(category, [0, 0, 0, 0])
        c[0] += n
        c[1] += repeat
        if kind == dispute:
            c[2] += n
            c[3] += repeat
            if hot and len(path) >= GRID_PATH_LENGTH:
                c = per_grid.setdefault(path[:GRID_PATH_LENGTH], [0, 0])
                c[0] += n
                c[1] += repeat
        had = per_day.get(day)
        per_day[day] = (n, closed) if had is None else (had[0] + n, had[1] + closed)

    def totals_of(current: bool) -> Totals:
        return _totals_of(
            {"state": state, "escalated": escalated}
            | {f"s_{name}": values[i - first] for name, i in _AT.items()}
            for (now, state, escalated), values in sums_of.items()
            if now is current
        )

    # The children's rows, as by_child makes them.
    names = ("n", "closed", "accepted", "referred", "on_time", "timed", "repeat")
    rows = []
    for child in children:
        sums = per_child.pop(child.path, None)
        sums = dict(zip(names, sums, strict=True)) if sums else {}
        rows.append(_area_row(child, child.name, sums))
    own = per_child.pop(area.path, None)
    if own:
        rows.append(_area_row(None, _("本级"), dict(zip(names, own, strict=True))))
    # The categories, as categories_and_trend makes them.
    every, disputes = _category_counts(per_category)
    # The hotspot grids, as hotspot_grids finds them.
    grids = sorted(
        ({"grid": g, "s_n": v[0], "s_repeat": v[1]} for g, v in per_grid.items() if v[0] > 0),
        key=lambda r: (-r["s_n"], -r["s_repeat"], r["grid"]),
    )[:limit]
    return (
        totals_of(True),
        totals_of(False),
        rows,
        every,
        disputes,
        _trend_buckets(period, per_day),
        _hot_grid_areas(grids) if hot else [],
    )
