"""The leader's one-page view, assembled from ``figures`` with a fixed number of
queries whatever the area or period (the query-count test holds it to that)."""

from django.utils import timezone

from fengqiao.areas import paths
from fengqiao.areas.models import Area
from fengqiao.cases.models import Case, Risk

from . import figures
from .models import CLOCK_STATE_VALUES, OPEN_STATE_VALUES, CaseFact
from .periods import Period

LIST_SIZE = 10
HEADLINE = ("resolution_rate", "local_resolution_rate", "on_time_rate", "revisit_rate")


def change(now, before):
    """The change from the previous period (a number, a percentage-point difference)."""
    if now is None or before is None:
        return None
    return now - before


def _first_cases(facts, limit: int, *fields: str) -> list[Case]:
    """The cases of the first ``limit`` of the ordered ``facts``, in that order, with only
    the fields the lists show: one statement, the facts' index choosing the ids in a
    subquery, then only those cases read (and their facts, for the order)."""
    related = {f.split("__")[0] for f in fields if "__" in f}
    order = [
        f"-fact__{key[1:]}" if key.startswith("-") else f"fact__{key}"
        for key in facts.query.order_by
    ]
    return list(
        Case.objects.filter(pk__in=facts.values("case_id")[:limit])
        .select_related(*related)
        .only(*fields)
        .order_by(*order)
    )


def overdue_cases(area: Area, limit: int = LIST_SIZE) -> list[Case]:
    """Open cases past their deadline, the longest overdue first. Read through the
    facts' index of running clocks (state, place, deadline), which stays small whatever
    the history."""
    facts = CaseFact.objects.filter(
        paths.subtree_q("area_path", area.path),
        state__in=CLOCK_STATE_VALUES,
        due_at__isnull=False,
        due_at__lt=timezone.now(),
    ).order_by("due_at", "case_id")
    return _first_cases(facts, limit, "number", "title", "due_at", "area__name")


def red_risk_cases(area: Area, limit: int = LIST_SIZE) -> list[Case]:
    """Open red-risk cases, newest first (the facts' index of red cases by state)."""
    facts = CaseFact.objects.filter(
        paths.subtree_q("area_path", area.path), risk=Risk.RED, state__in=OPEN_STATE_VALUES
    ).order_by("-day", "-case_id")
    fields = ("number", "title", "area__name", "lead_leader__full_name", "lead_leader__username")
    return _first_cases(facts, limit, *fields)


def build(area: Area, period: Period, children: list[Area] | None = None) -> dict:
    """Everything the dashboard shows; ``children``: ``area``'s child areas by path, when
    the caller has them already."""
    if children is None:
        children = list(Area.objects.filter(parent=area).order_by("path"))
    board = figures.small_area_board(area, period, children)
    if board is None:
        now, before = figures.summary_with_previous(area, period)
        children = figures.by_child(area, period, children)
        categories, disputes, trend = figures.categories_and_trend(area, period)
        hot_grids = figures.hotspot_grids(area, period)
    else:
        totals, previous, children, categories, disputes, trend, hot_grids = board
        now, before = figures.summaries(area, period, totals, previous)
    headline = [
        {
            "figure": now.rate(key),
            "change": change(now.rate(key).value, before.rate(key).value),
        }
        for key in HEADLINE
    ]
    ranking = sorted(
        (r for r in children if r.area is not None and r.n),
        key=lambda r: (-(r.resolution_rate or 0), -r.n),
    )
    return {
        "summary": now,
        "previous": before,
        "total_change": now.total - before.total,
        "headline": headline,
        "trend": trend,
        "categories": categories,
        "children": children,
        "ranking": ranking,
        "hot_grids": hot_grids,
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
