"""/cases: register (JSON or multipart), the duplicate check, list and search, read.
What the caller may see comes from ``cases.access``; every write from ``cases.actions``
(the transitions are in ``transitions``, attachments in ``attachments``)."""

import base64
import binascii
import datetime as dt
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from fengqiao.areas import access, paths
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Building, Household
from fengqiao.cases import actions, intake, queries
from fengqiao.cases.access import get_case_for_user_or_404
from fengqiao.cases.errors import CaseError
from fengqiao.cases.intake import MAX_ATTACHMENT_BYTES, PartyInput
from fengqiao.cases.models import (
    Case,
    CaseKind,
    Category,
    Channel,
    Grade,
    Risk,
)
from fengqiao.cases.states import CLOCK_STATES, State
from fengqiao.core.rows import Read, first_of
from fengqiao.people.models import Person
from fengqiao.search.index import matching_q, normalize

from .. import lookups, present
from ..errors import ApiError, ErrorOut
from ..lookups import FieldErrors
from ..parser import MULTIPART_DATA_FIELD
from ..schemas import (
    MAX_ATTACHMENTS,
    AttachmentIn,
    CaseDetail,
    CaseIn,
    CasePage,
    CaseRef,
    Id,
    SimilarIn,
    SimilarOut,
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
        files += decoded(part, f"attachments.{index}", errors)
    for index, upload in enumerate(files):
        try:
            intake.sniff_attachment(upload)
        except CaseError as exc:
            errors.add(f"attachments.{index}", exc.message)
    return files


def decoded(part: AttachmentIn, name: str, errors: FieldErrors) -> list[ContentFile]:
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


_PERSON = Read(lambda pk: first_of(Person.objects.filter(pk=pk)), int)


def _parties(user, payload: CaseIn, errors: FieldErrors) -> list[PartyInput]:
    result = []
    for index, party in enumerate(payload.parties):
        at = f"parties.{index}"
        person = None
        if party.person is not None:
            # By id, then the same subtree test a scoped query makes, on the grants
            # already read for this user.
            person = _PERSON.first(party.person)
            if person is not None and not access.holds_at(user, Perm.PERSON_VIEW, person.area_path):
                person = None
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
    response={201: CaseRef, **ERRORS},
    summary="登记事项",
    description=(
        "以 JSON 提交，或以 multipart/form-data 提交：`data` 为同样的 JSON，"
        "`attachments` 为附件文件（推荐）。答复 201：编号、查询码、状态和详情地址"
        "（`url`，亦见 `Location` 头）；详情用 `GET /cases/{id}` 读取。"
    ),
    openapi_extra=MULTIPART_DOC,
)
def register_case(request, response: HttpResponse, payload: CaseIn):
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
    body = present.ref_of_case(case)
    response["Location"] = body["url"]
    return Status(201, body)


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
    description="最多 20 件：重复纠纷在前，其余按登记时间由近及远。",
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
    verify_overdue: bool | None = Field(None, description="已办结且超过核查期限")
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
        qs = qs.filter(category_id__in=queries.category_ids(category))
    for name in ("state", "kind", "grade", "risk", "channel"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.overdue is not None:
        overdue = Q(state__in=CLOCK_STATES, due_at__lt=timezone.now())
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    if filters.verify_overdue is not None:
        late = Q(state=State.COMPLETED, verify_due_at__lt=timezone.now())
        qs = qs.filter(late) if filters.verify_overdue else qs.exclude(late)
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


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetail, **ERRORS},
    summary="事项详情",
    url_name="case-detail",
)
def read_case(request, case_id: Path[Id]):
    return present.detail_of(get_case_for_user_or_404(request.auth, case_id), request.auth)
