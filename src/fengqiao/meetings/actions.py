"""Every write to meetings and action items: atomic, audited, permission-checked."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.audit.log import record, record_refusal
from fengqiao.cases.notify import notify

from . import agenda
from .models import ActionItem, ActionItemStatus, AssessmentMeeting, MeetingStatus


class MeetingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require(actor, area) -> None:
    if not access.has_perm(actor, Perm.MEETING_MANAGE, area):
        record_refusal(actor=actor, perm=Perm.MEETING_MANAGE, area=area)
        raise MeetingError("您无权组织该区域的研判会。")


def plan_meeting(*, actor, area, period_start: dt.date, period_end: dt.date, title: str = ""):
    """Plan a meeting; its agenda is generated now from the area's data."""
    _require(actor, area)
    if period_end < period_start:
        raise MeetingError("研判期间的结束日期不能早于开始日期。")
    title = (title or "").strip()[
        :200
    ] or f"{area.name}研判会（{period_start:%Y-%m-%d}至{period_end:%Y-%m-%d}）"
    with transaction.atomic():
        meeting = AssessmentMeeting.objects.create(
            area=area,
            area_path=area.path,
            period_start=period_start,
            period_end=period_end,
            title=title,
            agenda=agenda.build(area, period_start, period_end),
            created_by=actor,
        )
        record("meeting.plan", actor=actor, area=area, obj=meeting)
    return meeting


def hold_meeting(*, actor, meeting: AssessmentMeeting, attendees: str, minutes: str):
    """Record that the meeting was held, with its attendees and minutes (纪要)."""
    _require(actor, meeting.area)
    minutes = (minutes or "").strip()
    if not minutes:
        raise MeetingError("请填写会议纪要。")
    with transaction.atomic():
        locked = AssessmentMeeting.objects.select_for_update().get(pk=meeting.pk)
        locked.attendees, locked.minutes = (attendees or "").strip()[:2000], minutes[:20000]
        locked.status, locked.held_at = MeetingStatus.HELD, timezone.now()
        locked.save(update_fields=["attendees", "minutes", "status", "held_at"])
        record("meeting.hold", actor=actor, area=meeting.area, obj=locked)
    return locked


def add_action_item(
    *,
    actor,
    meeting: AssessmentMeeting,
    title: str,
    owner,
    responsibility: str,
    deadline,
    case=None,
) -> ActionItem:
    """A decision under 三定: a fixed owner, responsibility and deadline."""
    _require(actor, meeting.area)
    title, responsibility = (title or "").strip(), (responsibility or "").strip()
    missing = [
        n
        for n, v in (
            ("任务", title),
            ("定人", owner),
            ("定责", responsibility),
            ("定时限", deadline),
        )
        if not v
    ]
    if missing:
        raise MeetingError(f"决定事项须落实“三定”，缺少：{'、'.join(missing)}。")
    if (
        not access.permissions_of(owner, meeting.area)
        and not owner.assignments.filter(area__path__startswith=meeting.area.path).exists()
    ):
        raise MeetingError("责任人须在本区域任职。")
    if case is not None and not case.area_path.startswith(meeting.area.path):
        raise MeetingError("关联事项不在本区域。")
    with transaction.atomic():
        item = ActionItem.objects.create(
            meeting=meeting,
            area_path=meeting.area_path,
            case=case,
            title=title[:200],
            owner=owner,
            responsibility=responsibility[:500],
            deadline=deadline,
        )
        record("meeting.action_item_add", actor=actor, area=meeting.area, obj=item)
        notify(
            [owner],
            case=case,
            kind="action_item",
            text=f"研判会决定事项「{item.title}」由您负责，时限 {item.deadline:%Y-%m-%d}。",
        )
    return item


def complete_action_item(*, actor, item: ActionItem, result: str) -> ActionItem:
    """The owner closes the item with its result; nobody else can."""
    if item.owner_id != getattr(actor, "pk", None):
        record_refusal(actor=actor, perm="meeting.action_item_complete", obj=item)
        raise MeetingError("只有责任人可以办结该事项。")
    result = (result or "").strip()
    if not result:
        raise MeetingError("请填写办理结果。")
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        if locked.status == ActionItemStatus.DONE:
            raise MeetingError("该事项已办结。")
        locked.status, locked.result, locked.done_at = (
            ActionItemStatus.DONE,
            result[:5000],
            timezone.now(),
        )
        locked.save(update_fields=["status", "result", "done_at"])
        record("meeting.action_item_complete", actor=actor, obj=locked)
        notify(
            [locked.meeting.created_by],
            case=locked.case,
            kind="action_item_done",
            text=f"决定事项「{locked.title}」已由{actor}办结。",
        )
    return locked
