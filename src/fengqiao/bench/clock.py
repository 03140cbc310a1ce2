"""The due instants of ``cases.deadlines`` at generator speed.

``deadlines.due_instants`` reads the time-limit rules and the calendar overrides for
every case; a million cases cannot afford that. Here the rules are read once per
combination of facts (through ``deadlines.rule_for`` itself) and the working days once
for the whole span, and ``add_working_time`` is ported for limits in working days. The
smoke test checks the results against ``deadlines.due_instants`` on sampled cases.
"""

import bisect
import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from fengqiao.cases import deadlines
from fengqiao.cases.models import TimeStage, TimeUnit

DAY = deadlines.DAY


class FastClock:
    def __init__(self, first: dt.date, last: dt.date):
        cal = deadlines.WorkCalendar(first, days=(last - first).days + 1)
        self.first, self.last = first, last
        self.workdays = [
            first + dt.timedelta(days=n)
            for n in range((last - first).days + 1)
            if cal.is_workday(first + dt.timedelta(days=n))
        ]
        self.workday_set = set(self.workdays)
        self.tz = timezone.get_current_timezone()
        self._rules: dict[tuple, object] = {}

    def rule(self, stage: str, kind: str, category_id: int, level: str, scope: str):
        key = (stage, kind, category_id, level, scope)
        if key not in self._rules:
            fake = SimpleNamespace(
                kind=kind,
                category_id=category_id,
                handling_area=SimpleNamespace(level=level),
                current_unit_id=1 if scope != "territorial" else None,
                current_unit=SimpleNamespace(scope=scope),
            )
            self._rules[key] = deadlines.rule_for(fake, stage)
        return self._rules[key]

    def add(self, start: dt.datetime, seconds: int, unit: str) -> dt.datetime:
        """``deadlines.add_working_time`` for limits in working days."""
        return self.adder(start)(seconds, unit)

    def adder(self, start: dt.datetime):
        """``add`` for several limits from one start: the start's day is looked up once."""
        local = start.astimezone(self.tz)
        day = local.date()
        is_workday = day in self.workday_set
        # Seconds left in the start's day (the day after midnight, as a timedelta).
        span = DAY - (local.hour * 3600 + local.minute * 60 + local.second)
        after = bisect.bisect_right(self.workdays, day) - 1
        workdays, tz = self.workdays, self.tz

        def add(seconds: int, unit: str) -> dt.datetime:
            if unit != TimeUnit.DAYS or local.microsecond:
                return self._add_slowly(start, seconds, unit)
            remaining = seconds
            if is_workday:
                if remaining <= span:
                    return local + dt.timedelta(0, remaining)
                remaining -= span
            k = -(-remaining // DAY)
            index = after + k
            if index >= len(workdays):
                return deadlines.add_working_time(start, seconds, unit)
            base = dt.datetime.combine(workdays[index], dt.time.min, tzinfo=tz)
            return base + dt.timedelta(0, remaining - (k - 1) * DAY)

        return add

    def _add_slowly(self, start: dt.datetime, seconds: int, unit: str) -> dt.datetime:
        if unit != TimeUnit.DAYS:
            return deadlines.add_working_time(start, seconds, unit)
        local = start.astimezone(self.tz)
        day = local.date()
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=self.tz)
        remaining = seconds
        if day in self.workday_set:
            span = int((midnight + dt.timedelta(days=1) - local).total_seconds())
            if remaining <= span:
                return local + dt.timedelta(seconds=remaining)
            remaining -= span
        k = -(-remaining // DAY)
        index = bisect.bisect_right(self.workdays, day) + k - 1
        if index >= len(self.workdays):
            return deadlines.add_working_time(start, seconds, unit)
        target = self.workdays[index]
        base = dt.datetime.combine(target, dt.time.min, tzinfo=self.tz)
        return base + dt.timedelta(seconds=remaining - (k - 1) * DAY)

    def due(
        self, *, dispatched_at, kind, category_id, level, scope, extension_days, started_at=None
    ) -> dict:
        """The four due instants, as ``deadlines.due_instants`` stores them: signing for
        counts from the dispatch, handling from ``started_at`` (a send-back or a reopening
        restarts it) or else from the dispatch."""
        started_at = started_at or dispatched_at
        handle = self.rule(TimeStage.HANDLE, kind, category_id, level, scope)
        accept = self.rule(TimeStage.ACCEPT, kind, category_id, level, scope)
        per_day = DAY if handle.time_unit == TimeUnit.DAYS else deadlines._office_seconds()
        per = deadlines.unit_seconds(handle.time_unit)
        extra = extension_days * per_day
        yellow = handle.yellow_limit * per + extra
        red = handle.red_limit * per + extra
        warning = yellow * handle.warning_percent // 100
        accept_yellow = accept.yellow_limit * deadlines.unit_seconds(accept.time_unit)
        add = self.adder(started_at)
        sign = add if started_at == dispatched_at else self.adder(dispatched_at)
        return {
            "sign_due_at": sign(accept_yellow, accept.time_unit),
            "warning_at": add(warning, handle.time_unit),
            "due_at": add(yellow, handle.time_unit),
            "red_at": add(red, handle.time_unit),
        }

    def verify_due(self, *, completed_at, kind, category_id, level, scope) -> dict:
        """The three verification instants, as ``deadlines.verify_instants`` stores them."""
        rule = self.rule(TimeStage.VERIFY, kind, category_id, level, scope)
        per = deadlines.unit_seconds(rule.time_unit)
        yellow = rule.yellow_limit * per
        warning = yellow * rule.warning_percent // 100
        add = self.adder(completed_at)
        return {
            "verify_warning_at": add(warning, rule.time_unit),
            "verify_due_at": add(yellow, rule.time_unit),
            "verify_red_at": add(rule.red_limit * per, rule.time_unit),
        }
