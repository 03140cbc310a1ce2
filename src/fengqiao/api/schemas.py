"""Typed request and response bodies. Field limits mirror the actions' own (so that a
too-long text is refused here with a field message, before anything is written)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from fengqiao.cases.actions import MAX_NARRATIVE
from fengqiao.cases.models import (
    CaseKind,
    Channel,
    Grade,
    LinkKind,
    PartyRole,
    Risk,
    SupervisionLevel,
    Urgency,
)
from fengqiao.cases.states import State
from fengqiao.people.models import Sex

MAX_ID = 2**63 - 1
MAX_PARTIES = 50
MAX_ATTACHMENTS = 10
REASON_LIMIT = 2000  # the actions' default limit for a reason or a note
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text, and no control character belongs in a case file.
    if any(ord(ch) < 32 and ch not in _ALLOWED_CONTROLS for ch in value):
        raise ValueError("含有不允许的控制字符。")
    # JSON may carry lone surrogates ("\ud800"), which no database can store.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("含有无效的字符。") from None
    return value


def text(limit: int):
    return Annotated[
        str, StringConstraints(max_length=limit), AfterValidator(_no_control_characters)
    ]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Username = text(150)
AreaCode = Annotated[text(20), StringConstraints(min_length=1)]
Note = text(REASON_LIMIT)


class Input(BaseModel):
    """A request body: plain pydantic, not ninja's ``Schema``, whose validator wraps
    every input in an attribute reader for model instances (for output), which a JSON
    body never is (≈ 0.2 ms of an intake's CPU)."""

    model_config = ConfigDict(extra="forbid")


# --- Register ----------------------------------------------------------------------


class PartyIn(Input):
    role: PartyRole
    person: Id | None = Field(None, description="已有人员的 ID；填写时忽略姓名等字段")
    name: text(50) = ""
    id_number: text(30) = ""
    phone: text(30) = ""
    sex: Sex | None = None
    address: text(200) = ""
    representative_name: text(50) = ""


class AttachmentIn(Input):
    name: text(200)
    content_base64: str = Field(description="文件内容（Base64）；更推荐用 multipart 上传")


class AttachmentAddIn(Input):
    """A later attachment: as multipart ``file``, or this JSON."""

    name: text(200) = ""
    content_base64: str = ""


class LinkIn(Input):
    case: Id
    kind: LinkKind


class CaseIn(Input):
    kind: CaseKind
    channel: Channel
    category: text(20) = Field(description="类别编码，如 D17")
    title: text(200)
    narrative: text(MAX_NARRATIVE)
    area: AreaCode = Field(description="事发地区划代码（可到网格）")
    building: Id | None = None
    household: Id | None = None
    latitude: Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)] | None = None
    longitude: Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)] | None = (
        None
    )
    occurred_at: dt.datetime | None = None
    people_count: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    parties: Annotated[list[PartyIn], Field(max_length=MAX_PARTIES)] = []
    attachments: Annotated[list[AttachmentIn], Field(max_length=MAX_ATTACHMENTS)] = []
    links: Annotated[list[LinkIn], Field(max_length=20)] = []


class SimilarPartyIn(Input):
    id_number: text(30) = ""
    phone: text(30) = ""


class SimilarIn(Input):
    """A draft at intake: who and where, to find prior cases before registering."""

    parties: Annotated[list[SimilarPartyIn], Field(max_length=MAX_PARTIES)] = []
    area: AreaCode | None = None
    category: text(20) | None = None


# --- Actions -------------------------------------------------------------------------


class NoteIn(Input):
    note: Note = ""


class ReasonIn(Input):
    reason: Note


class RequiredNoteIn(Input):
    note: Note


class AssessIn(Input):
    grade: Grade
    risk: Risk
    urgency: Urgency = Urgency.LOW
    lead_leader: Username | None = Field(None, description="包案领导（用户名），红色风险必填")
    owner: Username | None = Field(None, description="三定：定人（用户名），难事必填")
    responsibility: text(500) = Field("", description="三定：定责，难事必填")
    deadline: dt.date | None = Field(None, description="三定：定时限，难事必填")
    note: Note = ""


class DispatchIn(Input):
    unit: Id | None = Field(None, description="承办单位 ID")
    handler: Username | None = Field(None, description="承办人（用户名）")
    note: Note = ""


class SignForIn(Input):
    pass


class ReturnIn(Input):
    reason: Note
    basis: Note = Field(description="退单依据（法律、政策或职责）")


class EscalateIn(Input):
    note: Note
    to_area: AreaCode | None = Field(None, description="上报到的区域代码；默认上一级")


class DelegateIn(Input):
    to_area: AreaCode
    note: Note = ""


class CoHandlerIn(Input):
    unit: Id | None = None
    user: Username | None = None
    note: Note = ""


class ExtensionRequestIn(Input):
    days: Annotated[int, Field(ge=1, le=30)]
    reason: Note


class SuperviseIn(Input):
    level: SupervisionLevel
    note: text(500) = ""


class CompleteIn(Input):
    feedback: text(5000)


# --- Responses -----------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str


class UserRef(Schema):
    id: int
    username: str
    name: str


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    parent: str | None


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    scope: str
    area: AreaOut
    is_active: bool


class PartyOut(Schema):
    role: str
    role_label: str
    name: str
    id_number: str = Field(description="已脱敏")
    phone: str = Field(description="已脱敏")
    representative_name: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime


class EventOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str


class DeadlinesOut(Schema):
    light: str | None = Field(description="normal / warning / yellow / red；未计时为空")
    is_overdue: bool
    dispatched_at: dt.datetime | None
    sign_due_at: dt.datetime | None
    warning_at: dt.datetime | None
    due_at: dt.datetime | None
    red_at: dt.datetime | None
    extension_days: int


class ExtensionOut(Schema):
    days: int
    reason: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


class CaseSummary(Schema):
    id: int
    number: str
    title: str
    kind: str
    channel: str
    category: CategoryOut
    state: State
    state_label: str
    grade: str
    risk: str
    urgency: str
    is_urgent: bool
    supervision_level: str
    area: AreaOut
    handling_area: AreaOut
    current_unit: Ref | None
    current_handler: UserRef | None
    due_at: dt.datetime | None
    is_overdue: bool
    created_at: dt.datetime


class CaseDetail(CaseSummary):
    tracking_code: str
    narrative: str
    registered_area: AreaOut
    was_escalated: bool
    building: Ref | None
    household: Ref | None
    latitude: Decimal | None
    longitude: Decimal | None
    occurred_at: dt.datetime | None
    people_count: int
    amount: Decimal | None
    lead_leader: UserRef | None
    owner: UserRef | None
    responsibility: str
    deadline: dt.date | None
    feedback: str
    return_count: int
    rework_count: int
    completed_at: dt.datetime | None
    closed_at: dt.datetime | None
    parties: list[PartyOut]
    attachments: list[AttachmentOut]
    co_handlers: list[str]
    extensions: list[ExtensionOut]
    timeline: list[EventOut]
    deadlines: DeadlinesOut
    allowed_actions: list[str] = Field(description="调用者此刻可执行的动作")


class CaseRef(Schema):
    """What a write answers: enough to find the case again; the detail is at ``url``."""

    id: int
    number: str
    tracking_code: str
    state: State
    state_label: str
    url: str = Field(description="事项详情（GET）")


class SimilarOut(Schema):
    case: CaseSummary
    reasons: list[str]
    is_repeat: bool = Field(description="同一当事人之间的重复纠纷")


class CasePage(Schema):
    count: int = Field(description="符合条件的事项数（超过 10000 时为 10000）")
    count_capped: bool
    limit: int
    offset: int
    next_after: int | None = Field(description="下一页的游标（after 参数）；没有下一页为空")
    items: list[CaseSummary]
