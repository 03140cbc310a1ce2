"""Deadlines on China's working-day calendar.

The clock starts at dispatch (not at sign-for, so that sitting on a case does not buy
time) and runs only on working days: the official calendar with its make-up days
(``chinese_calendar``) plus the administrator's ``WorkCalendarOverride`` rows. A limit
in working days counts whole working days (midnight to midnight, local time); a limit
in working hours counts office hours. Approved extension days are added to the limit.
When a case goes back to its handler (核查退回, 重新办理) the handling clock starts
again from that moment, without the earlier extensions. The verification clock runs
from completion to verification.

The light (normal / warning / yellow / red) is computed from these data when read,
never stored; the due instants are stored when a clock starts or an extension is
approved only so that lists can filter "overdue" with an indexed comparison
(docs/adr/0006-case-states-and-deadlines.md).
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from .models import Case, TimeLimit, TimeStage, TimeUnit, WorkCalendarOverride
from .states import CLOCK_STATES, State

DAY = 86400
# Office hours for limits in working hours; a deployment may set CASE_OFFICE_HOURS.
OFFICE_HOURS = getattr(
    settings,
    "CASE_OFFICE_HOURS",
    [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0))],
)
# Safety bound on how far the calendar is walked (a limit never spans years).
MAX_DAYS = 3 * 366


class Light(StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    YELLOW = "yellow"
    RED = "red"


def _office_seconds() -> int:
    return sum(
        (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).seconds
        for a, b in OFFICE_HOURS
    )


def unit_seconds(unit: str) -> int:
    """Working seconds in one unit of a limit."""
    return DAY if unit == TimeUnit.DAYS else 3600


class WorkCalendar:
    """Working days over a date range, with the overrides read once."""

    def __init__(self, start: dt.date, days: int = MAX_DAYS):
        self.first, self.last = start - dt.timedelta(days=1), start + dt.timedelta(days=days)
        self.overrides = dict(
            WorkCalendarOverride.objects.filter(
                date__gte=self.first, date__lte=self.last
            ).values_list("date", "is_workday")
        )

    def covers(self, start: dt.date, days: int = MAX_DAYS) -> bool:
        """Were the overrides from ``start`` for ``days`` days read?"""
        return self.first < start and start + dt.timedelta(days=days) <= self.last

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the library does not know yet
            return day.weekday() < 5

    def windows(self, day: dt.date, unit: str) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals of ``day`` (aware, local time)."""
        if not self.is_workday(day):
            return []
        tz = timezone.get_current_timezone()
        if unit == TimeUnit.DAYS:
            start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            nxt = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            return [(start, nxt)]
        return [
            (dt.datetime.combine(day, a, tzinfo=tz), dt.datetime.combine(day, b, tzinfo=tz))
            for a, b in OFFICE_HOURS
        ]


def is_workday(day: dt.date) -> bool:
    return WorkCalendar(day, days=1).is_workday(day)


def add_working_time(
    start: dt.datetime, seconds: int, unit: str, calendar: WorkCalendar | None = None
) -> dt.datetime:
    """The instant when ``seconds`` of working time have passed since ``start``; a
    ``calendar`` already read for that span saves reading the overrides again."""
    local = timezone.localtime(start)
    if calendar is not None and calendar.covers(local.date()):
        cal = calendar
    else:
        cal = WorkCalendar(local.date())
    remaining = seconds
    for offset in range(MAX_DAYS):
        for a, b in cal.windows(local.date() + dt.timedelta(days=offset), unit):
            a = max(a, local)
            if b <= a:
                continue
            span = int((b - a).total_seconds())
            if remaining <= span:
                return a + dt.timedelta(seconds=remaining)
            remaining -= span
    raise ValueError("时限超出工作日历范围")


def working_seconds_between(start: dt.datetime, end: dt.datetime, unit: str) -> int:
    """Working time between two instants, in seconds."""
    if end <= start:
        return 0
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    days = (local_end.date() - local_start.date()).days
    cal = WorkCalendar(local_start.date(), days=days + 1)
    total = 0
    for offset in range(days + 1):
        for a, b in cal.windows(local_start.date() + dt.timedelta(days=offset), unit):
            a, b = max(a, local_start), min(b, local_end)
            if b > a:
                total += int((b - a).total_seconds())
    return total


@dataclass(frozen=True)
class Clock:
    """One stage's clock for one case."""

    started_at: dt.datetime
    yellow: int  # limit in working seconds, extensions included
    red: int
    warning: int
    unit: str
    # The calendar shared by the clocks of one case (not part of the clock's value).
    calendar: WorkCalendar | None = field(default=None, compare=False, repr=False)

    def at(self, seconds: int) -> dt.datetime:
        return add_working_time(self.started_at, seconds, self.unit, self.calendar)

    def light(self, now: dt.datetime) -> Light:
        elapsed = working_seconds_between(self.started_at, now, self.unit)
        if elapsed >= self.red:
            return Light.RED
        if elapsed >= self.yellow:
            return Light.YELLOW
        if elapsed >= self.warning:
            return Light.WARNING
        return Light.NORMAL


def _unit_scope(case: Case) -> str:
    return case.current_unit.scope if case.current_unit_id else "territorial"


def rule_for(case: Case, stage: str, rules: list[TimeLimit] | None = None) -> TimeLimit:
    """The most specific time-limit row matching the case; blank fields match anything.
    ``rules`` are rows already read (of any stage), in primary-key order."""
    facts = {
        "case_kind": case.kind,
        "category_id": case.category_id,
        "handling_level": case.handling_area.level,
        "unit_scope": _unit_scope(case),
    }
    if rules is None:
        rules = list(TimeLimit.objects.filter(stage=stage).order_by("pk"))
    best, best_score = None, -1
    for rule in rules:
        if rule.stage != stage:
            continue
        score = 0
        for name, value in facts.items():
            wanted = getattr(rule, name)
            if wanted in ("", None):
                continue
            if wanted != value:
                break
            score += 1
        else:
            if score > best_score:
                best, best_score = rule, score
    if best is None:
        raise ValueError(f"没有适用的时限标准（{stage}）")
    return best


def started_at(case: Case, stage: str) -> dt.datetime | None:
    """When the case's clock at ``stage`` started: sign-for at dispatch, handling at
    dispatch or at the latest send-back or reopening, verification at completion."""
    if stage == TimeStage.VERIFY:
        return case.completed_at
    if case.dispatched_at is None:
        return None
    if stage == TimeStage.HANDLE:
        return case.clock_started_at or case.dispatched_at
    return case.dispatched_at


def clock_for(
    case: Case,
    stage: str = TimeStage.HANDLE,
    *,
    rules: list[TimeLimit] | None = None,
    calendar: WorkCalendar | None = None,
) -> Clock | None:
    """The clock of the case at ``stage``, or None before it started."""
    start = started_at(case, stage)
    if start is None:
        return None
    rule = rule_for(case, stage, rules)
    per = unit_seconds(rule.time_unit)
    per_day = DAY if rule.time_unit == TimeUnit.DAYS else _office_seconds()
    extra = case.extension_days * per_day if stage == TimeStage.HANDLE else 0
    yellow = rule.yellow_limit * per + extra
    return Clock(
        started_at=start,
        yellow=yellow,
        red=rule.red_limit * per + extra,
        warning=yellow * rule.warning_percent // 100,
        unit=rule.time_unit,
        calendar=calendar,
    )


def _shared(case: Case, stages: list[str]) -> dict:
    """The time-limit rows of ``stages`` and one working-day calendar spanning every
    clock of the case: two queries for all its due instants, not two per instant."""
    starts = [s for s in (started_at(case, stage) for stage in stages) if s is not None]
    if not starts:
        return {}
    first = min(timezone.localtime(s).date() for s in starts)
    last = max(timezone.localtime(s).date() for s in starts)
    return {
        "rules": list(TimeLimit.objects.filter(stage__in=stages).order_by("pk")),
        "calendar": WorkCalendar(first, days=(last - first).days + MAX_DAYS),
    }


def due_instants(case: Case) -> dict[str, dt.datetime | None]:
    """The due instants to store when the handling clock starts or an extension is approved."""
    shared = _shared(case, [TimeStage.HANDLE, TimeStage.ACCEPT])
    handle = clock_for(case, TimeStage.HANDLE, **shared)
    accept = clock_for(case, TimeStage.ACCEPT, **shared)
    if handle is None or accept is None:
        return {"sign_due_at": None, "warning_at": None, "due_at": None, "red_at": None}
    return {
        "sign_due_at": accept.at(accept.yellow),
        "warning_at": handle.at(handle.warning),
        "due_at": handle.at(handle.yellow),
        "red_at": handle.at(handle.red),
    }


def verify_instants(case: Case) -> dict[str, dt.datetime | None]:
    """The verification due instants to store on the case at completion."""
    verify = clock_for(case, TimeStage.VERIFY, **_shared(case, [TimeStage.VERIFY]))
    if verify is None:
        return {"verify_warning_at": None, "verify_due_at": None, "verify_red_at": None}
    return {
        "verify_warning_at": verify.at(verify.warning),
        "verify_due_at": verify.at(verify.yellow),
        "verify_red_at": verify.at(verify.red),
    }


_SEVERITY = [Light.NORMAL, Light.WARNING, Light.YELLOW, Light.RED]


def stages_running(case: Case) -> list[str]:
    """The clocks that run in the case's state: handling (and sign-for while it waits
    to be signed for), or verification once completed."""
    if case.state == State.COMPLETED:
        return [TimeStage.VERIFY]
    if case.state not in CLOCK_STATES:
        return []
    if case.state == State.DISPATCHED:
        return [TimeStage.HANDLE, TimeStage.ACCEPT]
    return [TimeStage.HANDLE]


def light(case: Case, now: dt.datetime | None = None) -> Light | None:
    """The case's light now; while it waits for sign-for, the worse of both clocks."""
    stages = stages_running(case)
    if not stages:
        return None
    now = now or timezone.now()
    rules = list(TimeLimit.objects.filter(stage__in=stages).order_by("pk"))
    clocks = (clock_for(case, s, rules=rules) for s in stages)
    lights = [c.light(now) for c in clocks if c is not None]
    return max(lights, key=_SEVERITY.index) if lights else None
