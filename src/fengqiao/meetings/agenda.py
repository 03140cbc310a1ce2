"""The agenda of an assessment meeting, generated from the data of its area and period:
new cases by category, overdue and red-card cases, red and orange risks, repeat
disputes, hotspots, cases waiting for the centre, and every unfinished action item of
earlier meetings (carried over until its owner closes it)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from fengqiao.analytics import figures
from fengqiao.analytics.periods import Period
from fengqiao.areas import paths
from fengqiao.cases.models import (
    Case,
    CaseKind,
    CaseLink,
    Extension,
    ExtensionStatus,
    LinkKind,
    Risk,
    SupervisionLevel,
)
from fengqiao.cases.states import OPEN_STATES, State

from .models import ActionItem, ActionItemStatus

LIMIT = 20
WAITING_FOR_CENTRE = (
    State.REGISTERED,
    State.ACCEPTED,
    State.ASSESSED,
    State.RETURNED,
    State.COMPLETED,
)


def _case(c: Case) -> dict:
    return {"pk": c.pk, "number": c.number, "title": c.title, "state": c.get_state_display()}


def open_items(area) -> list[ActionItem]:
    """Unfinished action items of the area's meetings (and its sub-areas')."""
    return list(
        ActionItem.objects.filter(
            paths.subtree_q("area_path", area.path), status=ActionItemStatus.OPEN
        )
        .select_related("owner", "meeting")
        .order_by("deadline", "pk")
    )


def build(area, start: dt.date, end: dt.date) -> dict:
    period = Period("custom", start, end)
    within = Case.objects.within(area)
    open_cases = within.filter(state__in=OPEN_STATES)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    duplicate = CaseLink.objects.filter(case=OuterRef("pk"), kind=LinkKind.DUPLICATE)
    # Extension requests wait for a leader's decision (批准/驳回延期).
    pending_extensions = Extension.objects.filter(
        status=ExtensionStatus.REQUESTED, case__handling_area=area
    ).values("case_id")
    return {
        "new_by_category": [
            {"label": c.label, "n": c.n, "repeat": c.repeat}
            for c in figures.breakdown(area, period, "category")
        ],
        "overdue": [_case(c) for c in within.overdue(timezone.now()).order_by("due_at")[:LIMIT]],
        "red_card": [
            _case(c)
            for c in open_cases.filter(supervision_level=SupervisionLevel.RED).order_by("pk")[
                :LIMIT
            ]
        ],
        "risks": [
            {**_case(c), "risk": c.get_risk_display()}
            for c in open_cases.filter(risk__in=[Risk.RED, Risk.ORANGE]).order_by("risk", "pk")[
                :LIMIT
            ]
        ],
        "repeat": [
            _case(c)
            for c in within.filter(
                Exists(duplicate),
                kind=CaseKind.DISPUTE,
                created_at__gte=since,
                created_at__lt=until,
            ).order_by("pk")[:LIMIT]
        ],
        "hotspots": [
            {"area": h["area"].name, "n": h["n"], "repeat": h["repeat"]}
            for h in figures.hotspot_grids(area, period)
        ],
        "awaiting_centre": [
            _case(c)
            for c in Case.objects.filter(
                Q(handling_area=area, state__in=WAITING_FOR_CENTRE)
                | Q(pk__in=pending_extensions, state__in=OPEN_STATES)
            ).order_by("pk")[:LIMIT]
        ],
        "carried_over": [
            {
                "pk": i.pk,
                "title": i.title,
                "owner": str(i.owner),
                "deadline": i.deadline.isoformat(),
                "meeting": i.meeting.title,
            }
            for i in open_items(area)
        ],
    }


SECTIONS = [
    ("new_by_category", "一、本期新登记事项（按类别）"),
    ("overdue", "二、超期事项"),
    ("red_card", "三、红牌督办事项"),
    ("risks", "四、红色、橙色风险事项"),
    ("repeat", "五、重复纠纷"),
    ("hotspots", "六、热点网格"),
    ("awaiting_centre", "七、待中心研判或领导审批的事项"),
    ("carried_over", "八、上次会议未完成的决定事项"),
]
