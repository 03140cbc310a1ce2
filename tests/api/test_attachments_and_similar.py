"""Attachments added and fetched through the API under the case's access rules; the
duplicate check before registering."""

import base64

from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.audit.models import AuditRecord
from fengqiao.cases.models import Attachment

from .conftest import BASE, register_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_handler_adds_a_photo_and_the_case_shows_it(world, api_as):
    intake = api_as(world.intake)
    cid = intake.post("/cases", register_body()).json()["id"]
    response = intake.client.post(
        f"{BASE}/cases/{cid}/attachments",
        {"file": SimpleUploadedFile("补充照片.png", PNG, content_type="image/png")},
        HTTP_AUTHORIZATION=f"Bearer {intake.key}",
    )
    assert response.status_code == 201, response.content
    added = response.json()
    detail = intake.get(f"/cases/{cid}").json()
    assert [a["id"] for a in detail["attachments"]] == [added["id"]]
    assert detail["timeline"][-1]["action"] == "attach"
    # base64 works as well
    body = {"name": "b.png", "content_base64": base64.b64encode(PNG).decode()}
    assert intake.post(f"/cases/{cid}/attachments", body).status_code == 201


def test_a_disallowed_file_is_refused_with_a_field_message(world, api_as):
    intake = api_as(world.intake)
    cid = intake.post("/cases", register_body()).json()["id"]
    body = {"name": "x.exe", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}
    response = intake.post(f"/cases/{cid}/attachments", body)
    assert response.status_code == 400
    assert "类型不支持" in response.json()["fields"]["file"][0]
    missing = intake.post(f"/cases/{cid}/attachments", {})
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"file": ["请上传附件。"]}
    assert not Attachment.objects.exists()


def test_attachments_are_served_only_to_those_who_see_the_case(world, api_as):
    intake = api_as(world.intake)
    body = register_body(
        attachments=[{"name": "现场.png", "content_base64": base64.b64encode(PNG).decode()}]
    )
    case = intake.follow(intake.post("/cases", body))
    url = f"/cases/{case['id']}/attachments/{case['attachments'][0]['id']}"
    response = intake.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert AuditRecord.objects.filter(action="case.attachment_view").count() == 1
    # another grid's worker gets the common 404, and so does a missing attachment
    assert api_as(world.other_grid_worker).get(url).status_code == 404
    assert intake.get(f"/cases/{case['id']}/attachments/987654").status_code == 404
    other = api_as(world.other_grid_worker)
    assert other.post(f"/cases/{case['id']}/attachments", {}).status_code in {404, 422}


def test_the_duplicate_check_finds_a_prior_case_by_phone_and_id_number(world, api_as):
    intake = api_as(world.intake)
    prior = intake.post("/cases", register_body()).json()["id"]
    by_phone = intake.post("/cases/similar", {"parties": [{"phone": "138 1234 5678"}]}).json()
    assert [s["case"]["id"] for s in by_phone] == [prior]
    assert by_phone[0]["reasons"] == ["当事人电话相同"]
    by_id = intake.post("/cases/similar", {"parties": [{"id_number": "11010519491231002x"}]})
    assert [s["case"]["id"] for s in by_id.json()] == [prior]
    # a repeat dispute between the same two parties is flagged
    both = intake.post(
        "/cases/similar",
        {"parties": [{"phone": "13812345678"}, {"id_number": "11010519491231002X"}]},
    ).json()
    assert both[0]["is_repeat"] is True
    # another street's grid worker finds nothing of it
    assert (
        api_as(world.other_grid_worker)
        .post("/cases/similar", {"parties": [{"phone": "13812345678"}]})
        .json()
        == []
    )
    assert intake.post("/cases/similar", {"category": "ZZ99"}).status_code == 400
