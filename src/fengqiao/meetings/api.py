"""/meetings and /action-items on the JSON API; writes go through ``meetings.actions``."""

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from fengqiao.accounts.models import User
from fengqiao.api.errors import ApiError, ErrorOut
from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area

from . import actions, queries

router = Router(tags=["研判会"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ItemOut(Schema):
    id: int
    meeting_id: int
    title: str
    owner: str
    responsibility: str
    deadline: dt.date
    status: str
    result: str


class MeetingOut(Schema):
    id: int
    area_id: int
    title: str
    period_start: dt.date
    period_end: dt.date
    status: str
    minutes: str
    agenda: dict
    items: list[ItemOut]


class PlanIn(Schema):
    area: int = Field(ge=1)
    period_start: dt.date
    period_end: dt.date
    title: str = Field("", max_length=200)


class HoldIn(Schema):
    attendees: str = Field("", max_length=2000)
    minutes: str = Field(max_length=20000)


class ItemIn(Schema):
    title: str = Field(max_length=200)
    owner: int = Field(ge=1)
    responsibility: str = Field(max_length=500)
    deadline: dt.date


class CompleteIn(Schema):
    result: str = Field(max_length=5000)


def _item(i) -> dict:
    return {
        "id": i.pk,
        "meeting_id": i.meeting_id,
        "title": i.title,
        "owner": str(i.owner),
        "responsibility": i.responsibility,
        "deadline": i.deadline,
        "status": i.status,
        "result": i.result,
    }


def _meeting(m) -> dict:
    return {
        "id": m.pk,
        "area_id": m.area_id,
        "title": m.title,
        "period_start": m.period_start,
        "period_end": m.period_end,
        "status": m.status,
        "minutes": m.minutes,
        "agenda": m.agenda,
        "items": [_item(i) for i in m.action_items.select_related("owner")],
    }


def _get(request, pk: int):
    return access.get_for_user_or_404(
        queries.meetings_for(request.auth),
        request.auth,
        Perm.MEETING_MANAGE,
        field="area_path",
        pk=pk,
    )


def _refused(e: actions.MeetingError):
    return ApiError("refused", e.message, status=409)


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="研判会")
def list_meetings(request):
    return [_meeting(m) for m in queries.meetings_for(request.auth).order_by("-period_end")[:50]]


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="召集研判会（生成议程）")
def plan(request, payload: PlanIn):
    area = access.get_for_user_or_404(
        Area.objects.all(), request.auth, Perm.MEETING_MANAGE, field="path", pk=payload.area
    )
    try:
        meeting = actions.plan_meeting(
            actor=request.auth,
            area=area,
            period_start=payload.period_start,
            period_end=payload.period_end,
            title=payload.title,
        )
    except actions.MeetingError as e:
        raise _refused(e) from e
    return Status(201, _meeting(meeting))


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="研判会详情")
def get_meeting(request, meeting_id: int):
    return _meeting(_get(request, meeting_id))


@router.post(
    "/meetings/{meeting_id}/hold", response={200: MeetingOut, **ERRORS}, summary="记录纪要"
)
def hold(request, meeting_id: int, payload: HoldIn):
    try:
        meeting = actions.hold_meeting(
            actor=request.auth, meeting=_get(request, meeting_id), **payload.dict()
        )
    except actions.MeetingError as e:
        raise _refused(e) from e
    return _meeting(meeting)


@router.post(
    "/meetings/{meeting_id}/items",
    response={201: ItemOut, **ERRORS},
    summary="添加决定事项（三定）",
)
def add_item(request, meeting_id: int, payload: ItemIn):
    meeting = _get(request, meeting_id)
    owner = User.objects.filter(pk=payload.owner, is_active=True).first()
    if owner is None:
        raise ApiError("invalid", "责任人不存在。", field="owner", status=422)
    try:
        item = actions.add_action_item(
            actor=request.auth,
            meeting=meeting,
            title=payload.title,
            owner=owner,
            responsibility=payload.responsibility,
            deadline=payload.deadline,
        )
    except actions.MeetingError as e:
        raise _refused(e) from e
    return Status(201, _item(item))


@router.get("/action-items", response={200: list[ItemOut], **ERRORS}, summary="我的决定事项")
def my_items(request):
    items = queries.items_for(request.auth).filter(owner=request.auth).select_related("owner")
    return [_item(i) for i in items.order_by("status", "deadline")[:200]]


@router.post(
    "/action-items/{item_id}/complete", response={200: ItemOut, **ERRORS}, summary="办结决定事项"
)
def complete(request, item_id: int, payload: CompleteIn):
    # Owners see their own items; organisers see their areas' (items_for): else 404.
    item = queries.items_for(request.auth).select_related("owner").filter(pk=item_id).first()
    if item is None:
        access.require(request.auth, Perm.MEETING_MANAGE, None)
    try:
        item = actions.complete_action_item(actor=request.auth, item=item, result=payload.result)
    except actions.MeetingError as e:
        raise _refused(e) from e
    return _item(item)
