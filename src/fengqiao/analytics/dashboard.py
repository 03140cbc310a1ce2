"""The leader's one-page view, assembled from ``figures`` with a fixed number of
queries whatever the area or period (the query-count test holds it to that)."""

from django.utils import timezone

from fengqiao.areas.models import Area
from fengqiao.cases.models import Case, Risk
from fengqiao.cases.states import OPEN_STATES

from . import figures
from .periods import Period

LIST_SIZE = 10
HEADLINE = ("resolution_rate", "local_resolution_rate", "on_time_rate", "revisit_rate")


def change(now, before):
    """The change from the previous period (a number, a percentage-point difference)."""
    if now is None or before is None:
        return None
    return now - before


def overdue_cases(area: Area, limit: int = LIST_SIZE):
    return list(
        Case.objects.within(area)
        .overdue(timezone.now())
        .select_related("area", "current_unit", "current_handler")
        .order_by("due_at")[:limit]
    )


def red_risk_cases(area: Area, limit: int = LIST_SIZE):
    return list(
        Case.objects.within(area)
        .filter(risk=Risk.RED, state__in=OPEN_STATES)
        .select_related("area", "lead_leader")
        .order_by("-created_at")[:limit]
    )


def build(area: Area, period: Period) -> dict:
    now = figures.summary(area, period)
    before = figures.summary(area, period.previous())
    headline = [
        {
            "figure": now.rate(key),
            "change": change(now.rate(key).value, before.rate(key).value),
        }
        for key in HEADLINE
    ]
    children = figures.by_child(area, period)
    ranking = sorted(
        (r for r in children if r.area is not None and r.n),
        key=lambda r: (-(r.resolution_rate or 0), -r.n),
    )
    categories = figures.breakdown(area, period, "category")
    disputes = figures.breakdown(area, period, "category", disputes_only=True)
    return {
        "summary": now,
        "previous": before,
        "total_change": now.total - before.total,
        "headline": headline,
        "trend": figures.trend(area, period),
        "categories": categories,
        "children": children,
        "ranking": ranking,
        "hot_grids": figures.hotspot_grids(area, period),
        "hot_categories": sorted(disputes, key=lambda c: (-c.n, -c.repeat))[:LIST_SIZE],
        "overdue": overdue_cases(area),
        "red_risk": red_risk_cases(area),
    }


def chart_data(data: dict) -> dict:
    """The chart series, for json_script."""
    return {
        "trend": {
            "labels": [b["label"] for b in data["trend"]],
            "new": [b["n"] for b in data["trend"]],
            "closed": [b["closed"] for b in data["trend"]],
        },
        "categories": [{"name": c.label, "value": c.n} for c in data["categories"][:12]],
        "ranking": {
            "labels": [r.label for r in data["ranking"]][:15],
            "values": [float(r.resolution_rate or 0) for r in data["ranking"]][:15],
        },
    }
