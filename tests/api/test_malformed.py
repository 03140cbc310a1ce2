"""Malformed input — missing fields, wrong types, unknown codes, oversized text and
files, bodies that are not JSON — answers 4xx with Chinese field messages, never 5xx,
and stores nothing."""

import base64
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Attachment, Case, CaseLink, Party, TimelineEvent
from fengqiao.cases.states import State
from fengqiao.people.models import Person

from .conftest import register_body

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEN_MB = 10 * 1024 * 1024


def snapshot() -> dict:
    stored = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    return {
        "cases": Case.objects.count(),
        "parties": Party.objects.count(),
        "people": Person.objects.count(),
        "attachments": Attachment.objects.count(),
        "links": CaseLink.objects.count(),
        "events": TimelineEvent.objects.count(),
        "audit": AuditRecord.objects.count(),
        "files": stored,
    }


def assert_refused(response, status: int, field: str | None = None, says: str = ""):
    assert response.status_code == status, response.content.decode()[:500]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert CHINESE.search(body["message"])
    for messages in body["fields"].values():
        assert all(CHINESE.search(m) for m in messages), body
    if field is not None:
        assert field in body["fields"], body
        if says:
            assert any(says in m for m in body["fields"][field]), body
    return body


@pytest.fixture
def intake(world, api_as):
    return api_as(world.intake)


@pytest.mark.parametrize(
    ("change", "status", "field", "says"),
    [
        # missing fields
        ({"title": None}, 422, "title", "必填"),
        ({"kind": None}, 422, "kind", "必填"),
        ({"parties": [{"name": "张三"}]}, 422, "parties.0.role", "必填"),
        # wrong types
        ({"title": 123}, 422, "title", "须为文本"),
        ({"people_count": "许多"}, 422, "people_count", "须为整数"),
        ({"people_count": 10**30}, 422, "people_count", ""),
        ({"people_count": 0}, 422, "people_count", "不能小于 1"),
        ({"kind": "fight"}, 422, "kind", "须为以下之一"),
        ({"channel": ["walk_in"]}, 422, "channel", ""),
        ({"parties": "张三"}, 422, "parties", "须为列表"),
        ({"latitude": "北纬"}, 422, "latitude", "须为数字"),
        ({"latitude": 91}, 422, "latitude", "不能大于 90"),
        ({"amount": "1e400"}, 422, "amount", ""),
        ({"amount": -5}, 422, "amount", "不能小于 0"),
        ({"occurred_at": "昨天"}, 422, "occurred_at", "日期时间"),
        ({"building": 10**30}, 422, "building", ""),
        ({"unexpected": 1}, 422, "unexpected", "不接受此字段"),
        ({"title": "漏水\x00"}, 422, "title", "控制字符"),
        # unknown codes
        ({"category": "ZZ99"}, 400, "category", "类别编码不存在"),
        ({"area": "999999999999"}, 400, "area", "区域代码不存在"),
        ({"building": 987654}, 400, "building", "楼栋不存在"),
        ({"links": [{"case": 987654, "kind": "related"}]}, 400, "links.0.case", "事项不存在"),
        ({"parties": [{"role": "applicant", "person": 987654}]}, 400, "parties.0.person", ""),
        # oversized text
        ({"title": "漏" * 201}, 422, "title", "不能超过 200 个字符"),
        ({"narrative": "漏" * 10001}, 422, "narrative", "不能超过 10000 个字符"),
        ({"parties": [{"role": "applicant", "name": "张" * 51}]}, 422, "parties.0.name", ""),
        # values the intake checks refuse
        ({"parties": [{"role": "applicant", "name": ""}]}, 400, "parties.0.name", "姓名"),
        (
            {"parties": [{"role": "applicant", "name": "张三", "id_number": "110105194912310021"}]},
            400,
            "parties.0.id_number",
            "身份证号",
        ),
        (
            {"parties": [{"role": "applicant", "name": "张三", "phone": "12345"}]},
            400,
            "parties.0.phone",
            "电话",
        ),
        ({"title": "   "}, 400, None, "标题不能为空"),
        ({"occurred_at": "2999-01-01T08:00:00+08:00"}, 400, "occurred_at", ""),
        ({"occurred_at": "0001-01-01T00:00:00+14:00"}, 400, "occurred_at", ""),
        ({"latitude": "40.1"}, 400, None, "经纬度须同时填写"),
    ],
)
def test_malformed_registration_is_refused_and_stores_nothing(intake, change, status, field, says):
    before = snapshot()
    body = register_body()
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    refused = assert_refused(intake.post("/cases", body), status, field, says)
    if field is None and says:
        assert says in refused["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("这不是 JSON", "text/plain"),
        ("{", "application/json"),
        ('{"title": NaN}', "application/json"),
        ("[1, 2]", "application/json"),
        ('"text"', "application/json"),
        ("null", "application/json"),
        (b"\xff\xfe\x00bad", "application/json"),
        ("kind=dispute&title=x", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_that_is_not_a_json_object_answers_400(intake, body, content_type):
    before = snapshot()
    refused = assert_refused(intake.post_raw("/cases", body, content_type), 400)
    assert refused["code"] == "malformed"
    assert snapshot() == before


def test_an_empty_body_answers_422(intake):
    before = snapshot()
    refused = assert_refused(intake.post_raw("/cases", "", "application/json"), 422)
    assert refused["message"] == "请求体为空。"
    assert snapshot() == before


def test_an_empty_object_answers_422_naming_the_required_fields(intake):
    refused = assert_refused(intake.post("/cases", {}), 422)
    assert {"kind", "channel", "category", "title", "narrative", "area"} <= set(refused["fields"])


def test_a_body_over_the_request_limit_answers_413(intake, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    before = snapshot()
    body = register_body(narrative="长" * 3000)
    assert_refused(intake.post("/cases", body), 413)
    assert snapshot() == before


def test_an_oversized_file_is_refused_and_stores_nothing(intake):
    before = snapshot()
    big = SimpleUploadedFile("大图.png", PNG + b"\x00" * TEN_MB, content_type="image/png")
    response = intake.post_multipart("/cases", register_body(), [big])
    assert_refused(response, 400, "attachments.0", "超过 10 MB")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("伪装.png", b"<html><script>alert(1)</script></html>"),
        ("压缩包.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("空.pdf", b""),
    ],
)
def test_a_disallowed_file_type_is_refused_and_stores_nothing(intake, name, content):
    before = snapshot()
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    good = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = intake.post_multipart("/cases", register_body(), [good, upload])
    assert_refused(response, 400, "attachments.1", "类型不支持")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("attachment", "says"),
    [
        ({"name": "a.png", "content_base64": "不是base64"}, "Base64"),
        ({"name": "a.png", "content_base64": "A" * (TEN_MB // 3 * 4 + 100)}, "超过 10 MB"),
        ({"name": "a.exe", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}, "类型"),
    ],
)
def test_bad_base64_attachments_are_refused(intake, attachment, says):
    before = snapshot()
    response = intake.post("/cases", register_body(attachments=[attachment]))
    assert_refused(response, 400, "attachments.0", says)
    assert snapshot() == before


def test_too_many_attachments_are_refused(intake):
    before = snapshot()
    files = [SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(11)]
    assert_refused(intake.post_multipart("/cases", register_body(), files), 400, "attachments")
    assert snapshot() == before


def test_multipart_without_its_data_part_names_the_missing_fields(intake):
    before = snapshot()
    response = intake.client.post(
        "/api/v1/cases",
        {"attachments": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]},
        HTTP_AUTHORIZATION=f"Bearer {intake.key}",
    )
    assert_refused(response, 422, "title", "必填")
    response = intake.client.post(
        "/api/v1/cases", {"data": "{oops"}, HTTP_AUTHORIZATION=f"Bearer {intake.key}"
    )
    assert_refused(response, 400)
    assert snapshot() == before


def test_every_error_in_one_answer(intake):
    body = register_body(category="ZZ99", area="999999999999")
    body["parties"][0]["phone"] = "12345"
    refused = assert_refused(intake.post("/cases", body), 400)
    assert {"category", "area", "parties.0.phone"} <= set(refused["fields"])


# --- Actions ---------------------------------------------------------------------------


@pytest.fixture
def assessed(world, intake):
    cid = intake.post("/cases", register_body()).json()["id"]
    intake.act(cid, "accept")
    intake.act(cid, "assess", {"grade": "minor", "risk": "blue"})
    return cid


@pytest.mark.parametrize(
    ("action", "data", "status", "field", "says"),
    [
        ("dispatch", {"unit": 987654}, 400, "unit", "单位不存在"),
        ("dispatch", {"handler": "nobody"}, 400, "handler", "用户不存在"),
        ("dispatch", {"unit": "派出所"}, 422, "unit", "须为整数"),
        ("dispatch", {"handler": "gw_zheng", "note": "注" * 2001}, 422, "note", "不能超过"),
        ("assess", {"grade": "huge", "risk": "blue"}, 422, "grade", "须为以下之一"),
        ("assess", {"grade": "hard", "risk": "blue"}, 400, None, "三定"),
        ("assess", {"grade": "minor", "risk": "red"}, 400, None, "包案领导"),
        (
            "assess",
            {"grade": "minor", "risk": "blue", "lead_leader": "nobody"},
            400,
            "lead_leader",
            "",
        ),
        ("assess", {"grade": "hard", "risk": "blue", "deadline": "明天"}, 422, "deadline", "日期"),
        (
            "escalate",
            {"note": "需协调", "to_area": "999999999999"},
            400,
            "to_area",
            "区域代码不存在",
        ),
        ("escalate", {"note": "   "}, 400, "note", "上报须说明理由"),
        ("escalate", {}, 422, "note", "必填"),
        ("delegate", {"to_area": "150600000000"}, 400, None, "只能下派"),
        ("supervise", {"level": "purple"}, 422, "level", ""),
        ("complete", {"feedback": "好"}, 409, None, "不能"),
        ("nonexistent", {}, 404, None, ""),
    ],
)
def test_malformed_action_input_is_refused_and_changes_nothing(
    intake, assessed, action, data, status, field, says
):
    before = snapshot()
    response = intake.act(assessed, action, data)
    if status == 404:
        assert response.status_code == 404
    else:
        refused = assert_refused(response, status, field, says)
        if field is None and says:
            assert says in refused["message"]
    assert snapshot()["events"] == before["events"]
    assert Case.objects.get(pk=assessed).state == State.ASSESSED


def test_a_blank_reason_names_its_field_with_the_pages_message(world, intake):
    cid = intake.post("/cases", register_body()).json()["id"]
    before = snapshot()
    refused = assert_refused(intake.act(cid, "decline", {"reason": "  "}), 400, "reason")
    assert refused["fields"]["reason"] == ["不予受理须填写理由。"]
    assert refused["code"] == "reason_required"
    assert snapshot() == before


def test_a_return_without_basis_names_the_missing_field(world, api_as, intake, assessed):
    intake.act(assessed, "dispatch", {"handler": "gw_zheng"})
    grid = api_as(world.grid_worker)
    assert_refused(grid.act(assessed, "return", {"reason": "不归我管"}), 422, "basis", "必填")
    refused = assert_refused(grid.act(assessed, "return", {"reason": "x", "basis": " "}), 400)
    assert refused["fields"] == {"basis": ["退单须填写依据。"]}
    assert Case.objects.get(pk=assessed).state == State.DISPATCHED


@pytest.mark.parametrize("days", [0, 31, "两天", 2.5, None])
def test_an_extension_needs_one_to_thirty_working_days(world, api_as, intake, assessed, days):
    intake.act(assessed, "dispatch", {"handler": "gw_zheng"})
    grid = api_as(world.grid_worker)
    grid.act(assessed, "sign_for")
    data = {"reason": "需鉴定"} | ({} if days is None else {"days": days})
    assert_refused(grid.act(assessed, "request_extension", data), 422, "days")
    assert not Case.objects.get(pk=assessed).extensions.exists()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/cases/99999999999999999999999", {}),
        ("/cases/abc", {}),
        ("/cases", {"limit": 0}),
        ("/cases", {"limit": 101}),
        ("/cases", {"offset": -1}),
        ("/cases", {"state": "lost"}),
        ("/cases", {"overdue": "maybe"}),
        ("/cases", {"created_from": "上周"}),
        ("/cases", {"unit": "x"}),
        ("/cases", {"q": "漏\x00水"}),
        ("/cases", {"category": "ZZ99"}),
        ("/cases", {"area": "999999999999"}),
        ("/cases", {"created_from": "2026-05-02", "created_to": "2026-05-01"}),
        ("/areas/99999999999999999999999/children", {}),
        ("/units", {"kind": "bakery"}),
    ],
)
def test_malformed_reads_answer_4xx(intake, path, params):
    response = intake.get(path, params)
    assert 400 <= response.status_code < 500, response.content
    if response.status_code != 404:
        assert_refused(response, response.status_code)


def test_error_bodies_are_json_even_for_unknown_routes_under_the_api(intake):
    response = intake.get("/no-such-route")
    assert response.status_code == 404


def test_json_error_body_is_the_documented_shape(intake):
    response = intake.post("/cases", {})
    assert json.loads(response.content)["code"] == "invalid"
