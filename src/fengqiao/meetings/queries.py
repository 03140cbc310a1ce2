"""Reads for meetings: the meetings a user may see, and which areas are overdue for one."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area

from .models import ActionItem, AssessmentMeeting, Cadence, MeetingStatus


def meetings_for(user):
    return access.scope(AssessmentMeeting.objects.all(), user, Perm.MEETING_MANAGE, "area_path")


def items_for(user):
    """Items the user owns, or may see as an organiser of their area's meetings."""
    organised = access.scope_q(user, Perm.MEETING_MANAGE, "area_path")
    return ActionItem.objects.filter(organised | Q(owner=user))


@dataclass
class Due:
    area: Area
    every_days: int
    last_held: dt.date | None
    due_on: dt.date

    @property
    def is_overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def cadence_status(user, limit: int = 200) -> list[Due]:
    """For the user's areas and the areas below them at a level with a cadence: when the
    last meeting was held and when the next is due. A missing meeting is overdue."""
    cadences = dict(Cadence.objects.values_list("level", "every_days"))
    if not cadences:
        return []
    areas = list(
        access.visible_areas(user, Perm.MEETING_MANAGE)
        .filter(level__in=list(cadences))
        .order_by("path")[:limit]
    )
    held = dict(
        AssessmentMeeting.objects.filter(area__in=areas, status=MeetingStatus.HELD)
        .values("area_id")
        .annotate(last=Max("period_end"))
        .values_list("area_id", "last")
    )
    today = timezone.localdate()
    out = []
    for area in areas:
        every = cadences[area.level]
        last = held.get(area.pk)
        due = (last + dt.timedelta(days=every)) if last else today - dt.timedelta(days=1)
        out.append(Due(area, every, last, due))
    return sorted(out, key=lambda d: (not d.is_overdue, d.due_on, d.area.path))
