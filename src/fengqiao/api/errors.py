"""One error body for the whole API: ``{code, message, fields: {name: [messages]}}``,
in Chinese. Schema errors answer 422, refused input 400, a state conflict 409; nothing
here ever lets an input error become a 500."""

import json

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fengqiao.cases.errors import CaseError, ErrorCode


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ApiError(Exception):
    """An input error found by the API itself (an unknown code, a bad attachment)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str = "",
        fields: dict[str, list[str]] | None = None,
        status: int = 400,
    ):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = fields if fields is not None else ({field: [message]} if field else {})


# Refusals that say "not now" rather than "not like this".
CONFLICTS = frozenset(
    {
        ErrorCode.TRANSITION_NOT_ALLOWED,
        ErrorCode.EXTENSION_PENDING,
        ErrorCode.NO_PENDING_EXTENSION,
        ErrorCode.EXTENSION_TOO_LATE,
        # A close refused while revisits are due: the case's state, not the input, is wrong.
        "revisits_open",
    }
)
# Actions name some fields by their Chinese label; the API speaks field names.
FIELD_NAMES = {
    "事项类型": "kind",
    "来源渠道": "channel",
    "等级": "grade",
    "风险等级": "risk",
    "紧急程度": "urgency",
    "督办级别": "level",
    "当事人类型": "parties.role",
    "关联类型": "links.kind",
}

# Pydantic's error types in Chinese; ``{name}`` is filled from the error's context.
MESSAGES = {
    "missing": "此项必填。",
    "extra_forbidden": "不接受此字段。",
    "string_type": "须为文本。",
    "string_too_short": "不能为空。",
    "string_too_long": "不能超过 {max_length} 个字符。",
    "string_pattern_mismatch": "格式不正确。",
    "int_type": "须为整数。",
    "int_parsing": "须为整数。",
    "int_from_float": "须为整数。",
    "int_parsing_size": "数值过大。",
    "float_type": "须为数字。",
    "float_parsing": "须为数字。",
    "finite_number": "须为有限的数字。",
    "decimal_type": "须为数字。",
    "decimal_parsing": "须为数字。",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）。",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）。",
    "decimal_whole_digits": "整数部分位数过多。",
    "greater_than": "须大于 {gt}。",
    "greater_than_equal": "不能小于 {ge}。",
    "less_than": "须小于 {lt}。",
    "less_than_equal": "不能大于 {le}。",
    "bool_type": "须为 true 或 false。",
    "bool_parsing": "须为 true 或 false。",
    "literal_error": "须为以下之一：{expected}。",
    "enum": "须为以下之一：{expected}。",
    "date_type": "须为日期（YYYY-MM-DD）。",
    "date_parsing": "须为日期（YYYY-MM-DD）。",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）。",
    "date_from_datetime_inexact": "须为日期（YYYY-MM-DD），不带时间。",
    "datetime_type": "须为日期时间（ISO 8601）。",
    "datetime_parsing": "须为日期时间（ISO 8601）。",
    "datetime_from_date_parsing": "须为日期时间（ISO 8601）。",
    "datetime_object_invalid": "须为日期时间（ISO 8601）。",
    "list_type": "须为列表。",
    "too_short": "至少 {min_length} 项。",
    "too_long": "最多 {max_length} 项。",
    "dict_type": "须为对象。",
    "model_type": "须为对象。",
    "model_attributes_type": "须为对象。",
    "json_invalid": "不是有效的 JSON。",
    "json_type": "不是有效的 JSON。",
    "union_tag_invalid": "类型无效。",
}
# Where ninja says the value came from; not part of the field name.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        # A single schema argument (``payload``) or a flattened query model adds its name.
        if len(parts) > 1 and parts[0] in {"payload", "filters"}:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def chinese(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "value_error":
        # Our own validators raise ValueError with a Chinese message.
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = MESSAGES.get(kind)
    if template is None:
        return "输入无效。"
    ctx = {k: _plain(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：（") + "。" if "{" in template else template


def _plain(value) -> str:
    text = str(value)
    if isinstance(value, str):
        # pydantic lists choices as "'a', 'b' or 'c'".
        text = text.replace("'", "").replace(" or ", ", ")
    return text


def fields_of(errors) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = field_name(error.get("loc", ()))
        message = chinese(error)
        if message not in fields.setdefault(name, []):
            fields[name].append(message)
    return fields


def case_error_status(exc: CaseError) -> int:
    if exc.code == ErrorCode.FORBIDDEN:
        return 403
    return 409 if exc.code in CONFLICTS else 400


def install(api: NinjaAPI) -> None:
    """Replace ninja's English error bodies with ours."""

    def respond(request, status: int, payload: dict):
        response = api.create_response(request, payload, status=status)
        if status == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        if any(tuple(e.get("loc", ())) == ("body", "payload") for e in exc.errors):
            # No body at all where one is required.
            fields = {"__all__": ["请求体为空：须提交 JSON 对象。"]}
            return respond(request, 422, body("invalid", "请求体为空。", fields))
        fields = fields_of(exc.errors)
        return respond(request, 422, body("invalid", "输入有误，请检查各字段。", fields))

    @api.exception_handler(CaseError)
    def on_case_error(request, exc: CaseError):
        fields = {}
        name = FIELD_NAMES.get(exc.field, exc.field)
        if name:
            fields[name] = [exc.message]
        return respond(request, case_error_status(exc), body(str(exc.code), exc.message, fields))

    @api.exception_handler(ApiError)
    def on_api_error(request, exc: ApiError):
        return respond(request, exc.status, body(exc.code, exc.message, exc.fields))

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(request, 404, body("not_found", "未找到，或您无权访问。"))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return respond(request, 401, body("unauthenticated", "需要有效的 API 令牌（Bearer）。"))

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request, exc: SuspiciousOperation):
        # Django refuses oversized bodies and too many form parts before we see them.
        if isinstance(exc, RequestDataTooBig):
            return respond(request, 413, body("too_large", "请求体过大。"))
        return respond(request, 400, body("malformed", "请求无法解析。"))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        cause = exc.__cause__
        if isinstance(cause, RequestDataTooBig):
            return respond(request, 413, body("too_large", "请求体过大。"))
        if isinstance(cause, (ValueError, json.JSONDecodeError)) or exc.status_code == 400:
            return respond(request, 400, body("malformed", "请求体不是有效的 JSON 对象。"))
        return respond(request, exc.status_code, body("error", str(exc)))
