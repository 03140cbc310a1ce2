"""The figures recomputed the slow, obvious way: straight from the case rows.

Written apart from ``analytics.facts`` on purpose; the property tests compare both."""

import math
from collections import Counter
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from fengqiao.cases.models import Case, CaseLink, TimelineEvent

NOT_ACCEPTED = {"registered", "declined"}


def cases_in(area, period) -> list[Case]:
    return [
        c
        for c in Case.objects.select_related("category", "handling_area")
        if c.area_path.startswith(area.path)
        and period.start <= timezone.localtime(c.created_at).date() <= period.end
    ]


def _pct(num, den):
    return None if not den else (Decimal(100 * num) / den).quantize(Decimal("0.1"))


def figures(area, period) -> dict:
    cases = cases_in(area, period)
    revisited = set(
        TimelineEvent.objects.filter(action="revisit").values_list("case_id", flat=True)
    )
    med = mediation(cases)
    revisited |= med.pop("done_revisit_cases")
    duplicates = set(CaseLink.objects.filter(kind="duplicate").values_list("case_id", flat=True))
    accepted = [c for c in cases if c.state not in NOT_ACCEPTED]
    referred = [c for c in cases if c.state == "referred_out"]
    closed = [c for c in cases if c.state == "closed"]
    completed = [c for c in cases if c.completed_at is not None]
    timed = [c for c in completed if c.due_at is not None]
    dispatched = [c for c in cases if c.dispatched_at or c.completed_at or c.return_count > 0]
    hours = sorted((c.completed_at - c.created_at).total_seconds() for c in completed)
    out = {
        "n": len(cases),
        "resolution_rate": (len(closed), len(accepted) - len(referred)),
        "local_resolution_rate": (
            len([c for c in closed if not c.was_escalated]),
            len(accepted),
        ),
        "on_time_rate": (len([c for c in timed if c.completed_at <= c.due_at]), len(timed)),
        "revisit_rate": (len([c for c in closed if c.pk in revisited]), len(closed)),
        "rework_rate": (len([c for c in cases if c.rework_count > 0]), len(completed)),
        "return_rate": (len([c for c in cases if c.return_count > 0]), len(dispatched)),
        **med,
        "avg_hours": (
            (Decimal(int(sum(int(h) for h in hours))) / len(hours) / 3600).quantize(Decimal("0.1"))
            if hours
            else None
        ),
        "p90_hours": (
            (Decimal(int(hours[math.ceil(0.9 * len(hours)) - 1])) / 3600).quantize(Decimal("0.1"))
            if hours
            else None
        ),
        "by_state": Counter(c.state for c in cases),
        "by_kind": Counter(c.kind for c in cases),
        "by_category": Counter(c.category.parent_id or c.category_id for c in cases),
        "by_channel": Counter(c.channel for c in cases),
        "by_grade": Counter(c.grade for c in cases),
        "by_risk": Counter(c.risk for c in cases),
        "by_handling_level": Counter(c.handling_area.level for c in cases),
        "by_unit": Counter(c.current_unit_id or 0 for c in cases),
        "repeat": len([c for c in cases if c.kind == "dispute" and c.pk in duplicates]),
    }
    return out


def child_counts(area, period) -> dict[str, int]:
    """New cases per child path (or the area's own path) of ``area``."""
    width = len(area.path) + 5
    return Counter(c.area_path[:width] for c in cases_in(area, period))


def hot_grids(area, period) -> dict[str, tuple[int, int]]:
    """New and repeat disputes per grid (cases placed in a grid or below)."""
    duplicates = set(CaseLink.objects.filter(kind="duplicate").values_list("case_id", flat=True))
    out: dict[str, list[int]] = {}
    for c in cases_in(area, period):
        if c.kind == "dispute" and len(c.area_path) >= 25:
            entry = out.setdefault(c.area_path[:25], [0, 0])
            entry[0] += 1
            entry[1] += c.pk in duplicates
    return {k: tuple(v) for k, v in out.items()}


def percent(pair):
    return _pct(*pair)


def mediation(cases) -> dict:
    """Mediation success, satisfaction and fulfilment, read straight off the mediation
    app's rows: each case by its mediation and its newest done revisits."""
    if not apps.is_installed("fengqiao.mediation"):
        return {
            "mediation_success_rate": (0, 0),
            "satisfaction_rate": (0, 0),
            "fulfilment_rate": (0, 0),
            "done_revisit_cases": set(),
        }
    Mediation = apps.get_model("mediation", "Mediation")
    Revisit = apps.get_model("mediation", "Revisit")
    ids = {c.pk for c in cases}
    status = {m.case_id: m.status for m in Mediation.objects.filter(case_id__in=ids)}
    done = sorted(
        Revisit.objects.filter(case_id__in=ids, status="done"),
        key=lambda r: (r.done_at, r.pk),
        reverse=True,
    )
    ended = [i for i in ids if status.get(i) in ("succeeded", "failed")]
    rated, checked = {}, {}
    for r in done:
        if r.satisfaction and r.case_id not in rated:
            rated[r.case_id] = r.satisfaction
        values = [v for v in (r.performance or {}).values() if v in ("performed", "not_performed")]
        if values and r.case_id not in checked:
            checked[r.case_id] = values
    return {
        "mediation_success_rate": (
            len([i for i in ended if status[i] == "succeeded"]),
            len(ended),
        ),
        "satisfaction_rate": (
            len([v for v in rated.values() if v in ("satisfied", "basic")]),
            len(rated),
        ),
        "fulfilment_rate": (
            len([v for v in checked.values() if all(x == "performed" for x in v)]),
            len(checked),
        ),
        "done_revisit_cases": {r.case_id for r in done},
    }
