"""Open311 GeoReport v2 at /open311/v2/: the city's services (our categories) and
service requests, which become cases registered through the online channel.

- ``services.json`` lists the active categories.
- ``POST requests.json`` (form-encoded, as the standard says) registers a case with the
  caller's API key; the answer's ``service_request_id`` is the resident's tracking code.
- ``requests/{id}.json`` and ``requests.json?service_request_id=…`` read a request's
  status by tracking code, without a key: the code is the resident's secret, and the
  answer carries no narrative, place or personal data.

``jurisdiction_id`` names the area (its division code) the request belongs to; without
it, the caller's only registering area is used. JSON only (no XML).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from ninja import Form, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security.apikey import APIKeyQuery
from pydantic import ConfigDict, Field

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.areas.models import Area
from fengqiao.cases import actions, intake
from fengqiao.cases.errors import CaseError
from fengqiao.cases.intake import PartyInput
from fengqiao.cases.models import Case, CaseKind, Category, CategoryGroup, Channel, PartyRole
from fengqiao.cases.states import FINAL_STATES, State

from . import lookups
from .actions import token_for_key
from .errors import ApiError, chinese
from .schemas import text

TITLE_LENGTH = 40
# Open311 has two statuses; a case is "closed" once it has left the loop.
CLOSED_STATES = FINAL_STATES


class Open311Key(APIKeyQuery):
    """``api_key`` in the form or the query string, or ``Authorization: Bearer``."""

    param_name = "api_key"

    def _get_key(self, request):
        key = request.POST.get("api_key") or request.GET.get("api_key")
        if not key:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            key = value if scheme.lower() == "bearer" else ""
        return key

    def authenticate(self, request, key):
        token = token_for_key((key or "").strip())
        if token is None:
            return None
        request.user = token.user
        return token.user


open311 = NinjaAPI(
    title="枫桥 Open311 GeoReport v2",
    version="v2",
    description="Open311 GeoReport v2：服务（事项类别）与服务请求（网上受理的事项）。",
    urls_namespace="open311",
    docs_url=None,
    openapi_url="/openapi.json",
)


def _errors(request, status: int, description: str):
    return open311.create_response(
        request, [{"code": status, "description": description}], status=status
    )


@open311.exception_handler(ValidationError)
def _on_validation(request, exc: ValidationError):
    parts = []
    for error in exc.errors:
        name = ".".join(str(p) for p in error.get("loc", ())[1:] if p not in {"payload"})
        parts.append(f"{name}：{chinese(error)}")
    return _errors(request, 400, "；".join(parts) or "输入无效。")


@open311.exception_handler(ApiError)
def _on_api_error(request, exc: ApiError):
    messages = [m for ms in exc.fields.values() for m in ms] or [exc.message]
    return _errors(request, exc.status, "；".join(messages))


@open311.exception_handler(CaseError)
def _on_case_error(request, exc: CaseError):
    return _errors(request, 403 if exc.code == "forbidden" else 400, exc.message)


@open311.exception_handler(Http404)
def _on_not_found(request, exc):
    return _errors(request, 404, "未找到该服务或服务请求。")


@open311.exception_handler(AuthenticationError)
def _on_unauthenticated(request, exc):
    return _errors(request, 403, "需要有效的 api_key。")


@open311.exception_handler(HttpError)
def _on_http_error(request, exc: HttpError):
    return _errors(request, exc.status_code if exc.status_code < 500 else 400, "请求无法解析。")


# --- Services ---------------------------------------------------------------------


class ServiceOut(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


def _service(category: Category) -> dict:
    group = category.parent.name if category.parent_id else category.get_group_display()
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": str(category),
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": group,
    }


@open311.get("/services.json", response=list[ServiceOut], summary="服务列表（事项类别）")
def services(request, jurisdiction_id: text(20) | None = None):
    categories = Category.objects.filter(is_active=True).select_related("parent")
    return [_service(c) for c in categories]


@open311.get("/services/{service_code}.json", summary="服务定义（无附加属性）")
def service_definition(request, service_code: Path[text(20)]):
    if not Category.objects.filter(code=service_code, is_active=True).exists():
        raise Http404
    return {"service_code": service_code, "attributes": []}


# --- Requests ---------------------------------------------------------------------


class RequestIn(Schema):
    # Open311 clients send fields we do not use (address_id, device_id, attribute[…]).
    model_config = ConfigDict(extra="ignore")

    service_code: text(20)
    description: text(actions.MAX_NARRATIVE)
    jurisdiction_id: text(20) | None = None
    lat: Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)] | None = None
    long: Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)] | None = None
    address_string: text(200) = ""
    first_name: text(25) = ""
    last_name: text(25) = ""
    phone: text(30) = ""
    email: text(200) = ""
    account_id: text(100) | None = None


class ReceiptOut(Schema):
    service_request_id: str
    service_notice: str
    account_id: str | None


class RequestOut(Schema):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    agency_responsible: str
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    expected_datetime: dt.datetime | None


def _area_for(user, code: str | None) -> Area:
    if code:
        return lookups.area_in_reach(user, code, Perm.CASE_REGISTER, "jurisdiction_id")
    roots = list(access.top_areas(user, Perm.CASE_REGISTER)[:2])
    if len(roots) != 1:
        raise lookups.unknown("jurisdiction_id", "请用 jurisdiction_id 指明区域代码。")
    return roots[0]


@open311.post(
    "/requests.json",
    auth=Open311Key(),
    response={201: list[ReceiptOut]},
    summary="提交服务请求（登记为网上受理的事项）",
)
def create_request(request, payload: Form[RequestIn]):
    user = request.auth
    category = lookups.category_by_code(payload.service_code, "service_code")
    area = _area_for(user, payload.jurisdiction_id)
    if not payload.description.strip():
        raise lookups.unknown("description", "事项描述不能为空。")
    if (payload.lat is None) != (payload.long is None):
        raise lookups.unknown("lat", "lat 与 long 须同时提供。")
    name = (payload.last_name + payload.first_name).strip()
    parties = []
    if name or payload.phone:
        try:
            intake.normalize_phone(payload.phone)
        except CaseError as exc:
            raise lookups.unknown("phone", exc.message) from exc
        parties.append(
            PartyInput(role=PartyRole.APPLICANT, name=name or "匿名", phone=payload.phone)
        )
    description = payload.description.strip()
    if payload.address_string.strip():
        description += f"\n地址：{payload.address_string.strip()}"
    title = " ".join(payload.description.split())[:TITLE_LENGTH] or category.name
    kind = CaseKind.DISPUTE if category.group == CategoryGroup.DISPUTE else CaseKind.REQUEST
    case = actions.register_case(
        actor=user,
        kind=kind,
        channel=Channel.ONLINE,
        category=category,
        title=title,
        narrative=description,
        area=area,
        latitude=payload.lat,
        longitude=payload.long,
        parties=parties,
    )
    notice = f"已受理登记，编号 {case.number}。请凭查询码 {case.tracking_code} 查询办理进度。"
    receipt = {
        "service_request_id": case.tracking_code,
        "service_notice": notice,
        "account_id": payload.account_id,
    }
    return Status(201, [receipt])


def _request_of(case: Case) -> dict:
    return {
        "service_request_id": case.tracking_code,
        "status": "closed" if case.state in CLOSED_STATES else "open",
        "status_notes": str(State(case.state).label),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "agency_responsible": case.handling_area.name,
        "requested_datetime": case.created_at,
        "updated_datetime": case.updated_at,
        "expected_datetime": case.due_at,
    }


def _by_codes(codes: list[str]) -> list[dict]:
    cases = Case.objects.filter(tracking_code__in=codes).select_related("category", "handling_area")
    return [_request_of(c) for c in cases]


@open311.get(
    "/requests/{service_request_id}.json", response=list[RequestOut], summary="按查询码查询"
)
def get_request(request, service_request_id: Path[text(16)]):
    found = _by_codes([service_request_id.strip().upper()])
    if not found:
        raise Http404
    return found


@open311.get("/requests.json", response=list[RequestOut], summary="按查询码批量查询")
def get_requests(request, service_request_id: Query[text(400)]):
    codes = [c.strip().upper() for c in service_request_id.split(",") if c.strip()][:20]
    return _by_codes(codes)
