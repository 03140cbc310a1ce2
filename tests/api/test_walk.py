"""A case walked through every transition of the state table through the API alone,
each step answered with the state the table says and the caller's next actions."""

import pytest

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Case, TimelineEvent
from fengqiao.cases.states import TRANSITIONS, Action, State

from .conftest import register_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def walk(world, api_as):
    return {
        "intake": api_as(world.intake),
        "director": api_as(world.director),
        "grid": api_as(world.grid_worker),
    }


def step(api, case_id, action, data=None, expect=None):
    """Take one action; it must succeed and land where the table says. The answer is
    the small reference (state and detail URL); the detail is read from that URL."""
    before = api.get(f"/cases/{case_id}").json()["state"]
    events = TimelineEvent.objects.filter(case_id=case_id).count()
    audits = AuditRecord.objects.filter(action=f"case.{action}").count()
    response = api.act(case_id, action, data)
    assert response.status_code == 200, (action, response.json())
    moved = response.json()
    assert moved["state"] == TRANSITIONS[State(before)][Action(action)], action
    assert moved["url"] == f"/api/v1/cases/{case_id}"
    body = api.follow(response)
    assert body["state"] == moved["state"]
    if expect:
        assert body["state"] == expect
    # one timeline event and one audit record per transition
    assert TimelineEvent.objects.filter(case_id=case_id).count() == events + 1
    assert AuditRecord.objects.filter(action=f"case.{action}").count() == audits + 1
    assert body["timeline"][-1]["action"] == action
    return body


def test_a_case_walks_through_every_transition_via_the_api(world, walk):
    intake, director, grid = walk["intake"], walk["director"], walk["grid"]
    # given a walk-in dispute registered with a photo, sent as multipart
    upload = ("现场.png", PNG, "image/png")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = intake.post_multipart(
        "/cases", register_body(), [SimpleUploadedFile(upload[0], upload[1], upload[2])]
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert set(created) == {"id", "number", "tracking_code", "state", "state_label", "url"}
    assert created["state"] == State.REGISTERED
    assert response["Location"] == created["url"] == f"/api/v1/cases/{created['id']}"
    case = intake.follow(response)
    assert case["number"] == created["number"]
    assert case["tracking_code"] == created["tracking_code"]
    assert case["attachments"][0]["content_type"] == "image/png"
    assert case["allowed_actions"] == ["accept", "decline"]
    cid = case["id"]

    step(intake, cid, "accept", {"note": "材料齐全"})
    step(intake, cid, "assess", {"grade": "minor", "risk": "yellow"})
    step(director, cid, "mark_urgent", {"note": "涉及老人"})
    body = step(intake, cid, "escalate", {"note": "先交社区研判", "to_area": "150602001001"})
    assert body["handling_area"]["code"] == "150602001001"
    body = step(intake, cid, "delegate", {"to_area": "150602001001001"})
    assert body["handling_area"]["code"] == "150602001001001"
    body = step(intake, cid, "dispatch", {"handler": "gw_zheng"})
    assert body["current_handler"]["username"] == "gw_zheng"
    assert body["deadlines"]["due_at"] is not None
    assert body["deadlines"]["light"] == "normal"
    step(grid, cid, "return", {"reason": "非本网格职责", "basis": "网格职责清单第3条"})
    step(intake, cid, "overrule_return", {"note": "属于网格化解范围"})
    step(intake, cid, "add_co_handler", {"unit": world.judicial.pk})
    body = step(grid, cid, "sign_for", expect=State.SIGNED_FOR)
    assert "start_handling" in body["allowed_actions"]
    step(grid, cid, "request_extension", {"days": 3, "reason": "需等待鉴定"})
    step(director, cid, "refuse_extension", {"note": "时限充足"})
    step(grid, cid, "request_extension", {"days": 2, "reason": "当事人外出"})
    body = step(director, cid, "approve_extension", {})
    assert body["deadlines"]["extension_days"] == 2
    step(director, cid, "supervise", {"level": "yellow", "note": "尽快化解"})
    step(grid, cid, "start_handling")
    step(grid, cid, "complete", {"feedback": "双方达成口头协议"})
    step(intake, cid, "send_back", {"reason": "缺少协议内容"})
    step(grid, cid, "start_handling")
    step(grid, cid, "complete", {"feedback": "已补充书面协议"})
    step(intake, cid, "verify")
    step(intake, cid, "revisit")
    step(intake, cid, "close", {"note": "回访满意"})
    step(intake, cid, "reopen", {"note": "回访发现未履行"})
    step(intake, cid, "shelve", {"note": "等待法院判决"})
    step(intake, cid, "reopen", {"note": "判决已出"})
    body = step(intake, cid, "refer_out", {"note": "转人民法院诉讼"}, expect=State.REFERRED_OUT)
    assert body["allowed_actions"] == []

    # and a second case is declined at the window
    other = intake.post("/cases", register_body(title="咨询低保政策")).json()["id"]
    step(intake, other, "decline", {"reason": "不属于受理范围，已告知向民政部门咨询"})

    taken = set(TimelineEvent.objects.values_list("action", flat=True)) - {"register"}
    assert taken == set(Action.values)
    assert Case.objects.get(pk=cid).state == State.REFERRED_OUT


def test_the_detail_masks_party_identifiers(world, walk):
    case = walk["intake"].follow(walk["intake"].post("/cases", register_body()))
    parties = {p["name"]: p for p in case["parties"]}
    assert parties["张三"]["phone"] == "138****5678"
    assert parties["李四"]["id_number"] == "1101**********002X"
    detail = walk["intake"].get(f"/cases/{case['id']}").content.decode()
    assert "13812345678" not in detail
    assert "11010519491231002X" not in detail


def test_register_accepts_base64_attachments(world, walk):
    import base64

    body = register_body(
        attachments=[{"name": "照片.png", "content_base64": base64.b64encode(PNG).decode()}]
    )
    response = walk["intake"].post("/cases", body)
    assert response.status_code == 201, response.json()
    case = walk["intake"].follow(response)
    assert case["attachments"][0]["name"] == "照片.png"
    assert case["attachments"][0]["size"] == len(PNG)


def test_an_action_the_table_forbids_answers_409_and_changes_nothing(world, walk):
    cid = walk["intake"].post("/cases", register_body()).json()["id"]
    response = walk["intake"].act(cid, "complete", {"feedback": "已化解"})
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "不能“办结反馈”" in response.json()["message"]
    assert Case.objects.get(pk=cid).state == State.REGISTERED


def test_an_action_the_caller_may_not_take_answers_403(world, walk, api_as):
    # given a case the grid worker can see (it lies in their grid) but not accept
    cid = walk["intake"].post("/cases", register_body()).json()["id"]
    response = walk["grid"].act(cid, "accept")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Case.objects.get(pk=cid).state == State.REGISTERED
