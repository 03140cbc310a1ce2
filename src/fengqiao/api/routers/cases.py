"""/cases: register, list and search, read, and one route per action of the state table.
Every route goes through ``cases.access`` for what the caller may see and
``cases.actions`` for every write."""

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from fengqiao.areas import paths
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Building, Household
from fengqiao.audit.log import record
from fengqiao.cases import actions, intake, queries
from fengqiao.cases.access import get_case_for_user_or_404
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.intake import MAX_ATTACHMENT_BYTES, PartyInput
from fengqiao.cases.models import (
    Attachment,
    Case,
    CaseKind,
    Category,
    Channel,
    Grade,
    Risk,
)
from fengqiao.cases.states import CLOCK_STATES, Action, State
from fengqiao.people.models import Person
from fengqiao.search.index import matching_q, normalize

from .. import lookups, present
from ..errors import ApiError, ErrorOut
from ..lookups import FieldErrors
from ..parser import MULTIPART_DATA_FIELD
from ..schemas import (
    MAX_ATTACHMENTS,
    AssessIn,
    AttachmentAddIn,
    AttachmentIn,
    AttachmentOut,
    CaseDetail,
    CaseIn,
    CasePage,
    CoHandlerIn,
    CompleteIn,
    DelegateIn,
    DispatchIn,
    EscalateIn,
    ExtensionRequestIn,
    Id,
    NoteIn,
    ReasonIn,
    RequiredNoteIn,
    ReturnIn,
    SignForIn,
    SimilarIn,
    SimilarOut,
    SuperviseIn,
    text,
)

router = Router(tags=["事项"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 100
COUNT_CAP = 10_000
# Base64 carries 3 bytes in 4 characters; anything longer cannot fit the size limit.
MAX_BASE64_CHARS = (MAX_ATTACHMENT_BYTES + 2) // 3 * 4
EARLIEST_OCCURRENCE = 1900

MULTIPART_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [MULTIPART_DATA_FIELD],
                    "properties": {
                        MULTIPART_DATA_FIELD: {
                            "type": "string",
                            "description": "CaseIn 的 JSON 文本",
                        },
                        "attachments": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "附件：JPG、PNG、PDF、DOCX，每个不超过 10 MB",
                        },
                    },
                }
            }
        }
    }
}


# --- Register ----------------------------------------------------------------------


def _uploads(request, payload: CaseIn, errors: FieldErrors) -> list:
    """The attachments, from multipart files and base64 parts alike, checked for type
    and size by the same function the intake form uses."""
    files = list(request.FILES.getlist("attachments"))
    if len(files) + len(payload.attachments) > MAX_ATTACHMENTS:
        errors.add("attachments", f"附件最多 {MAX_ATTACHMENTS} 个。")
        return []
    for index, part in enumerate(payload.attachments):
        files += _decoded(part, f"attachments.{index}", errors)
    for index, upload in enumerate(files):
        try:
            intake.sniff_attachment(upload)
        except CaseError as exc:
            errors.add(f"attachments.{index}", exc.message)
    return files


def _decoded(part: AttachmentIn, name: str, errors: FieldErrors) -> list[ContentFile]:
    """A base64 attachment as a file (a list of one), or a field message and nothing."""
    if len(part.content_base64) > MAX_BASE64_CHARS:
        errors.add(name, f"附件“{part.name}”超过 10 MB。")
        return []
    try:
        data = base64.b64decode(part.content_base64, validate=True)
    except (binascii.Error, ValueError):
        errors.add(name, "附件内容不是有效的 Base64。")
        return []
    return [ContentFile(data, name=part.name or "附件")]


def _parties(user, payload: CaseIn, errors: FieldErrors) -> list[PartyInput]:
    people = Person.objects.all()
    result = []
    for index, party in enumerate(payload.parties):
        at = f"parties.{index}"
        person = None
        if party.person is not None:
            from fengqiao.areas import access

            person = (
                access.scope(people, user, Perm.PERSON_VIEW, field="area_path")
                .filter(pk=party.person)
                .first()
            )
            if person is None:
                errors.add(f"{at}.person", f"人员不存在：{party.person}")
                continue
        else:
            if not party.name.strip():
                errors.add(f"{at}.name", "当事人姓名不能为空。")
            for field, check in (
                ("id_number", intake.normalize_id_number),
                ("phone", intake.normalize_phone),
            ):
                try:
                    check(getattr(party, field))
                except CaseError as exc:
                    errors.add(f"{at}.{field}", exc.message)
        result.append(
            PartyInput(
                role=party.role,
                name=party.name,
                id_number=party.id_number,
                phone=party.phone,
                sex=party.sex or "",
                address=party.address,
                representative_name=party.representative_name,
                person=person,
            )
        )
    return result


def _place(payload: CaseIn, area, errors: FieldErrors):
    inside = paths.subtree_q("area__path", area.path)
    building = household = None
    if payload.building is not None:
        building = Building.objects.filter(inside, pk=payload.building).first()
        if building is None:
            errors.add("building", "楼栋不存在或不在所选区域内。")
    if payload.household is not None:
        household = Household.objects.filter(inside, pk=payload.household).first()
        if household is None:
            errors.add("household", "住户不存在或不在所选区域内。")
    return building, household


def _occurred_at(value: dt.datetime | None, errors: FieldErrors) -> dt.datetime | None:
    if value is None:
        return None
    if not EARLIEST_OCCURRENCE <= value.year <= timezone.now().year + 1:
        errors.add("occurred_at", "发生时间无效。")
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@router.post(
    "/cases",
    response={201: CaseDetail, **ERRORS},
    summary="登记事项",
    description=(
        "以 JSON 提交，或以 multipart/form-data 提交：`data` 为同样的 JSON，"
        "`attachments` 为附件文件（推荐）。"
    ),
    openapi_extra=MULTIPART_DOC,
)
def register_case(request, payload: CaseIn):
    user = request.auth
    errors = FieldErrors()
    category = _collect(errors, lambda: lookups.category_by_code(payload.category))
    area = _collect(errors, lambda: lookups.area_in_reach(user, payload.area, Perm.CASE_REGISTER))
    building, household = _place(payload, area, errors) if area else (None, None)
    links = []
    for index, link in enumerate(payload.links):
        other = Case.objects.visible_to(user).filter(pk=link.case).first()
        if other is None:
            errors.add(f"links.{index}.case", f"事项不存在：{link.case}")
        links.append((other, link.kind))
    occurred_at = _occurred_at(payload.occurred_at, errors)
    parties = _parties(user, payload, errors)
    uploads = _uploads(request, payload, errors)
    errors.raise_if_any()
    case = actions.register_case(
        actor=user,
        kind=payload.kind,
        channel=payload.channel,
        category=category,
        title=payload.title,
        narrative=payload.narrative,
        area=area,
        building=building,
        household=household,
        latitude=payload.latitude,
        longitude=payload.longitude,
        occurred_at=occurred_at,
        people_count=payload.people_count,
        amount=payload.amount,
        parties=parties,
        attachments=uploads,
        links=links,
    )
    return Status(201, present.detail_of(case, user))


def _collect(errors: FieldErrors, find: Callable):
    try:
        return find()
    except ApiError as exc:
        for name, messages in exc.fields.items():
            for message in messages:
                errors.add(name, message)
        return None


@router.post(
    "/cases/similar",
    response={200: list[SimilarOut], **ERRORS},
    summary="登记前查重：相同当事人或同地同类的事项",
)
def similar_cases(request, payload: SimilarIn):
    user = request.auth
    area = lookups.visible_area_or_none(user, payload.area) if payload.area else None
    category = lookups.category_by_code(payload.category) if payload.category else None
    found = queries.find_similar(
        parties=[p.model_dump() for p in payload.parties],
        area=area,
        category=category,
        user=user,
    )
    now = timezone.now()
    return [
        {"case": present.summary_of(s.case, now), "reasons": s.reasons, "is_repeat": s.is_repeat}
        for s in found
    ]


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="为事项补充附件",
    description="multipart/form-data 的 `file`（推荐），或 JSON `{name, content_base64}`。",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            }
        }
    },
)
def add_attachment(request, case_id: Path[Id], payload: AttachmentAddIn = None):
    user = request.auth
    case = get_case_for_user_or_404(user, case_id)
    upload = request.FILES.get("file")
    if upload is None and payload is not None and payload.content_base64:
        errors = FieldErrors()
        part = AttachmentIn(name=payload.name or "附件", content_base64=payload.content_base64)
        files = _decoded(part, "file", errors)
        errors.raise_if_any()
        upload = files[0]
    if upload is None:
        raise ApiError("invalid", "请上传附件。", field="file")
    try:
        row = actions.add_attachment(actor=user, case=case, upload=upload)
    except CaseError as exc:
        if exc.code in {ErrorCode.ATTACHMENT_SIZE, ErrorCode.ATTACHMENT_TYPE}:
            exc.field = "file"
        raise
    return Status(201, present.attachment_of(row))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="下载附件",
    openapi_extra={
        "responses": {
            "200": {
                "description": "附件内容",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(request, case_id: Path[Id], attachment_id: Path[Id]):
    user = request.auth
    case = get_case_for_user_or_404(user, case_id)
    row = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if row is None:
        raise Http404
    record("case.attachment_view", actor=user, area=case.area, obj=row)
    response = FileResponse(
        row.file.open("rb"), content_type=row.content_type, as_attachment=True, filename=row.name
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- List and read -----------------------------------------------------------------


class CaseFilters(Schema):
    area: text(20) | None = Field(None, description="区域代码，含下级")
    state: State | None = None
    kind: CaseKind | None = None
    category: text(20) | None = Field(None, description="类别编码；大类含其子类")
    grade: Grade | None = None
    risk: Risk | None = None
    channel: Channel | None = None
    overdue: bool | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    unit: Id | None = None
    handler: text(150) | None = Field(None, description="承办人用户名")
    q: text(100) | None = Field(None, description="检索编号、标题、描述和当事人姓名")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)
    after: Id | None = Field(None, description="游标：上一页 next_after 的值（与 offset 二选一）")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_cases(user, filters: CaseFilters):
    """The caller's visible cases narrowed by the staff list's filters."""
    qs = Case.objects.visible_to(user)
    if filters.area:
        area = lookups.visible_area_or_none(user, filters.area)
        qs = qs.within(area)
    if filters.category:
        category = Category.objects.filter(code=filters.category).first()
        if category is None:
            raise lookups.unknown("category", f"类别编码不存在：{filters.category}")
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    for name in ("state", "kind", "grade", "risk", "channel"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.overdue is not None:
        overdue = Q(state__in=CLOCK_STATES, due_at__lt=timezone.now())
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to + dt.timedelta(days=1)))
    if filters.unit:
        qs = qs.filter(current_unit_id=filters.unit)
    if filters.handler:
        name = filters.handler.strip()
        qs = qs.filter(
            Q(current_handler__username=name) | Q(current_handler__full_name__contains=name)
        )
    if filters.q:
        qs = search(qs, filters.q.strip())
    return qs


def search(qs, query: str):
    """Every word in the number, title, narrative or a party's name (the search index
    the case list uses: FTS5 trigram on SQLite, pg_trgm on PostgreSQL)."""
    if not normalize(query):
        return qs
    return qs.filter(matching_q(query))


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="事项列表与检索")
def list_cases(request, filters: Query[CaseFilters]):
    if filters.created_to and filters.created_from and filters.created_to < filters.created_from:
        raise lookups.unknown("created_to", "结束日期不能早于开始日期。")
    qs = filtered_cases(request.auth, filters)
    # Counting a million visible rows exactly buys nothing; the pages stop there too.
    count = qs.values("pk")[: COUNT_CAP + 1].count()
    rows = qs.select_related(
        "category__parent", "area", "handling_area", "current_unit", "current_handler"
    ).order_by("-pk")
    if filters.after is not None:
        rows, start = rows.filter(pk__lt=filters.after), 0
    else:
        start = filters.offset
    page = list(rows[start : start + filters.limit + 1])
    has_next, page = len(page) > filters.limit, page[: filters.limit]
    now = timezone.now()
    return {
        "count": min(count, COUNT_CAP),
        "count_capped": count > COUNT_CAP,
        "limit": filters.limit,
        "offset": start,
        "next_after": page[-1].pk if page and has_next else None,
        "items": [present.summary_of(case, now) for case in page],
    }


@router.get("/cases/{case_id}", response={200: CaseDetail, **ERRORS}, summary="事项详情")
def read_case(request, case_id: Path[Id]):
    return present.detail_of(get_case_for_user_or_404(request.auth, case_id), request.auth)


# --- One route per action ----------------------------------------------------------


@dataclass(frozen=True)
class ActionRoute:
    schema: type
    call: Callable  # (actor, case, payload) -> Case
    # The text fields the action requires; a blank one is named in the error.
    required_text: tuple[str, ...] = ()


def _note(fn):
    return lambda u, c, p: fn(actor=u, case=c, note=p.note)


ROUTES: dict[Action, ActionRoute] = {
    Action.ACCEPT: ActionRoute(NoteIn, _note(actions.accept_case)),
    Action.DECLINE: ActionRoute(
        ReasonIn,
        lambda u, c, p: actions.decline_case(actor=u, case=c, reason=p.reason),
        ("reason",),
    ),
    Action.ASSESS: ActionRoute(
        AssessIn,
        lambda u, c, p: actions.assess_case(
            actor=u,
            case=c,
            grade=p.grade,
            risk=p.risk,
            urgency=p.urgency,
            lead_leader=lookups.user_by_name(p.lead_leader, "lead_leader"),
            owner=lookups.user_by_name(p.owner, "owner"),
            responsibility=p.responsibility,
            deadline=p.deadline,
            note=p.note,
        ),
    ),
    Action.DISPATCH: ActionRoute(
        DispatchIn,
        lambda u, c, p: actions.dispatch_case(
            actor=u,
            case=c,
            unit=lookups.unit_by_id(p.unit),
            handler=lookups.user_by_name(p.handler, "handler"),
            note=p.note,
        ),
    ),
    Action.SIGN_FOR: ActionRoute(SignForIn, lambda u, c, p: actions.sign_for_case(actor=u, case=c)),
    Action.RETURN: ActionRoute(
        ReturnIn,
        lambda u, c, p: actions.return_case(actor=u, case=c, reason=p.reason, basis=p.basis),
        ("reason", "basis"),
    ),
    Action.OVERRULE_RETURN: ActionRoute(RequiredNoteIn, _note(actions.overrule_return), ("note",)),
    Action.ESCALATE: ActionRoute(
        EscalateIn,
        lambda u, c, p: actions.escalate_case(
            actor=u,
            case=c,
            note=p.note,
            to_area=lookups.area_by_code(p.to_area, "to_area") if p.to_area else None,
        ),
        ("note",),
    ),
    Action.DELEGATE: ActionRoute(
        DelegateIn,
        lambda u, c, p: actions.delegate_case(
            actor=u, case=c, to_area=lookups.area_by_code(p.to_area, "to_area"), note=p.note
        ),
    ),
    Action.ADD_CO_HANDLER: ActionRoute(
        CoHandlerIn,
        lambda u, c, p: actions.add_co_handler(
            actor=u,
            case=c,
            unit=lookups.unit_by_id(p.unit),
            user=lookups.user_by_name(p.user, "user"),
            note=p.note,
        ),
    ),
    Action.REQUEST_EXTENSION: ActionRoute(
        ExtensionRequestIn,
        lambda u, c, p: actions.request_extension(actor=u, case=c, days=p.days, reason=p.reason),
        ("reason",),
    ),
    Action.APPROVE_EXTENSION: ActionRoute(NoteIn, _note(actions.approve_extension)),
    Action.REFUSE_EXTENSION: ActionRoute(
        RequiredNoteIn, _note(actions.refuse_extension), ("note",)
    ),
    Action.SUPERVISE: ActionRoute(
        SuperviseIn,
        lambda u, c, p: actions.supervise_case(actor=u, case=c, level=p.level, note=p.note),
    ),
    Action.MARK_URGENT: ActionRoute(NoteIn, _note(actions.mark_urgent)),
    Action.START_HANDLING: ActionRoute(NoteIn, _note(actions.start_handling)),
    Action.COMPLETE: ActionRoute(
        CompleteIn,
        lambda u, c, p: actions.complete_case(actor=u, case=c, feedback=p.feedback),
        ("feedback",),
    ),
    Action.VERIFY: ActionRoute(NoteIn, _note(actions.verify_case)),
    Action.SEND_BACK: ActionRoute(
        ReasonIn, lambda u, c, p: actions.send_back(actor=u, case=c, reason=p.reason), ("reason",)
    ),
    Action.REVISIT: ActionRoute(NoteIn, _note(actions.start_revisit)),
    Action.CLOSE: ActionRoute(NoteIn, _note(actions.close_case)),
    Action.SHELVE: ActionRoute(RequiredNoteIn, _note(actions.shelve_case), ("note",)),
    Action.REFER_OUT: ActionRoute(RequiredNoteIn, _note(actions.refer_out), ("note",)),
    Action.REOPEN: ActionRoute(RequiredNoteIn, _note(actions.reopen_case), ("note",)),
}


def _name_blank_field(exc: CaseError, route: ActionRoute, payload) -> None:
    """The actions say "a reason is required"; the API also says which field."""
    if exc.field or exc.code != ErrorCode.REASON_REQUIRED:
        return
    for name in route.required_text:
        if not str(getattr(payload, name, "") or "").strip():
            exc.field = name
            return


def _add_action_route(action: Action, route: ActionRoute) -> None:
    schema = route.schema

    def run(request, case_id: int, payload):
        user = request.auth
        case = get_case_for_user_or_404(user, case_id)
        payload = payload if payload is not None else schema()
        try:
            route.call(user, case, payload)
        except CaseError as exc:
            _name_blank_field(exc, route, payload)
            raise
        return present.detail_of(case, user)

    # A body is required only when the action has required fields (sign-for has none).
    if any(f.is_required() for f in schema.model_fields.values()):

        def take_action(request, case_id: Path[Id], payload: schema):  # type: ignore[valid-type]
            return run(request, case_id, payload)

    else:

        def take_action(request, case_id: Path[Id], payload: schema = None):  # type: ignore[valid-type]
            return run(request, case_id, payload)

    take_action.__name__ = f"case_{action.value}"
    router.post(
        f"/cases/{{case_id}}/{action.value}",
        response={200: CaseDetail, **ERRORS},
        summary=str(action.label),
        operation_id=f"case_{action.value}",
    )(take_action)


for _action, _route in ROUTES.items():
    _add_action_route(_action, _route)
