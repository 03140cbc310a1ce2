"""Registering a case: numbers, tracking codes, parties, attachments, validation."""

import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.audit.models import AuditRecord
from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Attachment, Case, Party, TimelineEvent
from fengqiao.cases.states import State
from fengqiao.people.models import Person

from .builders import party, register

ZHANG_ID = "152602199003071236"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_numbers_count_up_per_district_and_year(world):
    with time_machine.travel("2026-03-01 10:00 +0800"):
        first = register(world.intake, world.grid1)
        second = register(world.intake, world.grid2)
    with time_machine.travel("2027-01-02 10:00 +0800"):
        next_year = register(world.intake, world.grid1)
    assert (first.number, second.number) == ("150602-2026-000001", "150602-2026-000002")
    assert next_year.number == "150602-2027-000001"


def test_tracking_codes_are_random_and_unambiguous(world):
    codes = {register(world.intake, world.grid1).tracking_code for _ in range(5)}
    assert len(codes) == 5
    assert all(len(c) == 12 and not set(c) & set("01OIL") for c in codes)


def test_registration_writes_the_case_its_event_and_audit_record(world):
    case = register(world.intake, world.grid1, building=world.building)
    assert case.state == State.REGISTERED
    assert case.area_path == world.grid1.path
    assert case.registered_area == world.street  # the intake officer's level
    assert case.handling_area == world.street
    event = TimelineEvent.objects.get(case=case)
    assert (event.action, event.from_state, event.to_state) == ("register", "", "registered")
    record = AuditRecord.objects.get(action="case.register", object_id=str(case.pk))
    # the number drawn with the chain's head (PostgreSQL: in the head's round trip)
    assert record.detail["number"] == case.number == Case.objects.get(pk=case.pk).number
    assert not case.number.startswith("~")


def test_new_parties_become_people_and_known_ones_are_reused(world):
    # given 张三 is already known by ID number
    first = register(world.intake, world.grid1, parties=[party(name="张三", id_number=ZHANG_ID)])
    person = first.parties.get().person
    assert (person.id_number, person.id_tail, person.city_path) == (
        ZHANG_ID,
        "1236",
        world.city.path,
    )
    # when he comes again, and brings a neighbour with a phone number
    second = register(
        world.intake,
        world.grid1,
        parties=[
            party(name="张三", id_number=ZHANG_ID),
            party(
                role="respondent", name="李四", phone="139-1234-5678", representative_name="李律师"
            ),
        ],
    )
    # then the same person is linked, and the neighbour is a new person
    assert second.parties.get(role="applicant").person == person
    respondent = second.parties.get(role="respondent")
    assert respondent.person.phone == "13912345678"
    assert respondent.representative_name == "李律师"
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("bad_party", "code"),
    [
        (party(name="张三", id_number="152602199003071235"), ErrorCode.ID_NUMBER),
        (party(name="张三", phone="12345"), ErrorCode.PHONE),
        (party(name="", phone="13800138000"), ErrorCode.INVALID),
        (party(role="witness", name="张三"), ErrorCode.INVALID),
    ],
)
def test_a_bad_party_refuses_the_whole_registration(world, bad_party, code):
    with pytest.raises(CaseError) as refused:
        register(world.intake, world.grid1, parties=[party(name="王五"), bad_party])
    assert refused.value.code == code
    assert not Case.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "标题不能为空。"),
        ({"narrative": ""}, "事项描述不能为空。"),
        ({"narrative": "长" * 10001}, "内容过长（不超过 10000 字）。"),
        ({"kind": "gossip"}, "事项类型无效：gossip"),
        ({"channel": "pigeon"}, "来源渠道无效：pigeon"),
        ({"people_count": 0}, "涉及人数须为正整数。"),
        ({"amount": -1}, "涉及金额无效。"),
        ({"latitude": 39.6}, "经纬度须同时填写。"),
        ({"latitude": 91, "longitude": 109.9}, "经纬度超出范围。"),
    ],
)
def test_invalid_intake_is_refused_with_a_message(world, overrides, message):
    with pytest.raises(CaseError) as refused:
        register(world.intake, world.grid1, **overrides)
    assert refused.value.message == message
    assert not Case.objects.exists()


def test_a_building_outside_the_chosen_area_is_refused(world):
    with pytest.raises(CaseError):
        register(world.intake, world.grid2, building=world.building)


def test_allowed_attachments_are_stored_privately_under_a_random_name(world, settings):
    uploads = [
        SimpleUploadedFile("现场照片.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("photo.png", PNG, content_type="application/octet-stream"),
        SimpleUploadedFile("申请书.pdf", b"%PDF-1.7\n" + b"0" * 50),
        SimpleUploadedFile("协议.docx", docx_bytes()),
    ]
    case = register(world.intake, world.grid1, attachments=uploads)
    stored = list(case.attachments.order_by("pk"))
    assert [a.content_type for a in stored] == [
        "image/jpeg",
        "image/png",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    assert stored[0].name == "现场照片.jpg"
    assert stored[0].size == len(JPEG)
    path = stored[0].file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert "现场照片" not in path


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("virus.jpg", b"MZ\x90\x00" + b"\x00" * 50), ErrorCode.ATTACHMENT_TYPE),
        (SimpleUploadedFile("a.docx", b"PK\x03\x04not really a zip"), ErrorCode.ATTACHMENT_TYPE),
        (
            SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)),
            ErrorCode.ATTACHMENT_SIZE,
        ),
    ],
)
def test_bad_attachments_refuse_the_registration(world, upload, code):
    with pytest.raises(CaseError) as refused:
        register(world.intake, world.grid1, attachments=[upload])
    assert refused.value.code == code
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
    assert not Party.objects.exists()


def stored_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_a_failed_registration_leaves_no_file_behind(world, settings, monkeypatch):
    # given a registration that fails after its photos were written to storage
    def fail(*args, **kwargs):
        raise RuntimeError("审计写入失败")

    monkeypatch.setattr("fengqiao.cases.actions.register.write_event", fail)
    uploads = [SimpleUploadedFile("现场.jpg", JPEG), SimpleUploadedFile("申请书.pdf", b"%PDF-1.7")]

    with pytest.raises(RuntimeError):
        register(world.intake, world.grid1, attachments=uploads)

    # then the rows are rolled back and the files deleted with them
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_failed_attachment_leaves_no_file_behind(world, settings, monkeypatch):
    # given a case with one photo, and adding a second that fails after the file write
    case = register(world.intake, world.grid1, attachments=[SimpleUploadedFile("a.jpg", JPEG)])
    kept = stored_files(settings)
    assert len(kept) == 1

    def fail(*args, **kwargs):
        raise RuntimeError("审计写入失败")

    monkeypatch.setattr("fengqiao.cases.actions.register.write_event", fail)
    with pytest.raises(RuntimeError):
        actions.add_attachment(
            actor=world.intake, case=case, upload=SimpleUploadedFile("b.jpg", JPEG)
        )

    # then only the first photo remains, in the database and on disk
    assert case.attachments.count() == 1
    assert stored_files(settings) == kept


def test_a_new_case_can_be_linked_to_a_duplicate_at_intake(world):
    prior = register(world.intake, world.grid1)
    case = register(world.intake, world.grid1, links=[(prior, "duplicate")])
    assert case.links.get().other == prior


def test_linking_writes_the_timeline_and_refuses_unseen_cases(world):
    prior = register(world.intake, world.grid2)
    case = register(world.grid_worker, world.grid1)
    actions.link_cases(actor=world.intake, case=case, other=prior, kind="related")
    assert case.timeline.filter(action="link").exists()
    # the grid worker may not link, and may not even learn of grid 2's case
    with pytest.raises(CaseError):
        actions.link_cases(actor=world.grid_worker, case=case, other=prior, kind="related")


def test_a_handler_adds_a_photo_and_an_outsider_cannot(world):
    case = register(world.intake, world.grid1)
    actions.accept_case(actor=world.intake, case=case)
    actions.assess_case(actor=world.intake, case=case, grade="minor", risk="blue")
    actions.dispatch_case(actor=world.intake, case=case, handler=world.grid_worker)
    photo = SimpleUploadedFile("整改后.jpg", JPEG)
    row = actions.add_attachment(actor=world.grid_worker, case=case, upload=photo)
    assert row.case == case
    assert case.timeline.filter(action="attach", note="整改后.jpg").exists()
    with pytest.raises(CaseError) as refused:
        actions.add_attachment(
            actor=world.other_grid_worker, case=case, upload=SimpleUploadedFile("x.jpg", JPEG)
        )
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert case.attachments.count() == 1
