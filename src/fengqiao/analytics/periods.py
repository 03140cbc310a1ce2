"""Periods for figures: a day, an ISO week, a month, a quarter, a year, or any range of
days; each knows its label, the period before it, and its trend buckets."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KINDS = {
    "day": gettext_lazy("日"),
    "week": gettext_lazy("周"),
    "month": gettext_lazy("月"),
    "quarter": gettext_lazy("季度"),
    "year": gettext_lazy("年"),
    "custom": gettext_lazy("自定义"),
}
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "day":
            return f"{s:%Y年%m月%d日}"
        if self.kind == "week":
            year, week, _ = s.isocalendar()
            return f"{year}年第{week}周"
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "quarter":
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{s.year}年"
        return f"{s:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def title(self) -> str:
        """The label in the interface's language, for pages (``label`` stays Chinese for
        the exports, the API and the audit log)."""
        s = self.start
        if self.kind == "day":
            return _("%(year)s年%(month)s月%(day)s日") % {
                "year": s.year,
                "month": f"{s.month:02d}",
                "day": f"{s.day:02d}",
            }
        if self.kind == "week":
            year, week, _weekday = s.isocalendar()
            return _("%(year)s年第%(week)s周") % {"year": year, "week": week}
        if self.kind == "month":
            return _("%(year)s年%(month)s月") % {"year": s.year, "month": s.month}
        if self.kind == "quarter":
            return _("%(year)s年第%(quarter)s季度") % {
                "year": s.year,
                "quarter": (s.month - 1) // 3 + 1,
            }
        if self.kind == "year":
            return _("%(year)s年") % {"year": s.year}
        return _("%(start)s 至 %(end)s") % {"start": f"{s:%Y-%m-%d}", "end": f"{self.end:%Y-%m-%d}"}

    @property
    def param(self) -> str:
        """The ``on`` value that names this period in URLs."""
        return self.start.isoformat()

    def previous(self) -> "Period":
        """The period of the same kind just before this one (same length if custom)."""
        if self.kind in {"month", "quarter", "year"}:
            return period_of(self.kind, self.start - dt.timedelta(days=1))
        return Period(
            self.kind, self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)
        )

    def trend_unit(self) -> str:
        """Trend by day up to a month, by week up to a quarter, else by month."""
        if self.days <= 31:
            return "day"
        if self.days <= 92:
            return "week"
        return "month"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, on: dt.date, end: dt.date | None = None) -> Period:
    """The period of ``kind`` containing ``on`` (for custom: ``on`` to ``end``)."""
    if kind == "day":
        return Period(kind, on, on)
    if kind == "week":
        start = on - dt.timedelta(days=on.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        start = _month_start(on)
        return Period(kind, start, _add_months(start, 1) - dt.timedelta(days=1))
    if kind == "quarter":
        start = dt.date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, _add_months(start, 3) - dt.timedelta(days=1))
    if kind == "year":
        return Period(kind, dt.date(on.year, 1, 1), dt.date(on.year, 12, 31))
    if kind == "custom":
        end = end or on
        if end < on:
            on, end = end, on
        end = min(end, on + dt.timedelta(days=MAX_CUSTOM_DAYS))
        return Period(kind, on, end)
    raise ValueError(kind)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse(params, default_kind: str = "month") -> Period:
    """The period named by request parameters ``period``, ``on`` and ``end``; the current
    period of ``default_kind`` when they are missing or malformed."""
    kind = params.get("period") or default_kind
    if kind not in KINDS:
        kind = default_kind
    today = timezone.localdate()
    on = _date(params.get("on")) or today
    return period_of(kind, on, _date(params.get("end")) if kind == "custom" else None)


def buckets(period: Period) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each trend bucket of ``period``."""
    unit = period.trend_unit()
    out = []
    day = period.start
    while day <= period.end:
        if unit == "day":
            last, label = day, f"{day:%m-%d}"
        elif unit == "week":
            last = day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=6)
            label = f"{day:%m-%d}"
        else:
            last = _add_months(_month_start(day), 1) - dt.timedelta(days=1)
            label = f"{day.year}-{day.month:02d}"
        last = min(last, period.end)
        out.append((label, day, last))
        day = last + dt.timedelta(days=1)
    return out
