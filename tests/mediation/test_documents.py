"""The generated documents: the agreement DOCX opens (python-docx reads it back) and
holds every Art. 29 element and each party's name, one copy per party plus the archive
copy; the print page likewise; the case file lists what the law requires and exports a
ZIP of DOCX documents with an index."""

import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.test import Client

from fengqiao.mediation import documents, queries
from tests.factories import PASSWORD

from .test_revisits import MONDAY, effective_agreement

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def agreement(desk, case):
    import time_machine

    with time_machine.travel(MONDAY, tick=False):
        return effective_agreement(desk, case)


def test_the_agreement_docx_opens_and_holds_every_art_29_element(desk, agreement):
    data = documents.to_bytes(documents.agreement_document(agreement))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "mediation-agreement.docx").write_bytes(data)  # rendered and looked at
    text = text_of(data)
    # the parties' basic details, each party by name (ID numbers masked)
    assert "申请人：张三" in text
    assert "被申请人：李四" in text
    assert "1101**********1232" in text
    assert "110105199001011232" not in text
    assert "住阳光小区3号楼402室" in text
    # facts, matters in dispute, responsibilities; clauses with way and deadline
    for label in ("纠纷主要事实：漏水", "争议事项：赔偿", "各方责任：李四负责"):
        assert label in text
    assert "1. 修复防水（履行方式：自行维修；履行期限：2026 年 03 月 12 日前）" in text
    # signatures, mediator, committee seal; one copy per party and the archive copy
    assert "已签名" in text
    assert "工业社区人民调解委员会（印）" in text
    assert text.count("人民调解协议书") == 3
    for copy in ("（申请人张三执）", "（被申请人李四执）", "（调解委员会存档）"):
        assert copy in text


def test_the_session_record_docx_has_the_reference_elements(desk, agreement):
    session = agreement.mediation.sessions.get()
    text = text_of(documents.to_bytes(documents.record_document(session)))
    assert "人民调解笔录（简易程序）" in text
    assert "调解事项：漏水" in text
    assert "调解结果：和解" in text


def test_the_print_page_has_one_copy_per_party_and_the_archive(desk, agreement):
    client = Client()
    client.login(username=desk.world.mediator.username, password=PASSWORD)
    page = client.get(f"/mediation/agreements/{agreement.pk}/print/").content.decode()
    assert page.count('data-testid="copy"') == 3
    assert "争议事项" in page
    assert "张三" in page
    assert "李四" in page
    response = client.get(f"/mediation/agreements/{agreement.pk}/agreement.docx")
    assert "人民调解协议书" in text_of(response.content)


def test_the_case_file_shows_what_is_present_and_exports_a_zip(desk, agreement):
    case = agreement.mediation.case
    entries = {e.key: e for e in queries.case_file(case)}
    assert entries["intake"].present
    assert entries["records"].present
    assert entries["agreements"].present
    assert not entries["rights"].present  # the simple record gave no notice of rights
    assert not entries["cover"].present  # made when the case closes
    client = Client()
    client.login(username=desk.world.mediator.username, password=PASSWORD)
    page = client.get(f"/mediation/cases/{case.pk}/file/").content.decode()
    assert "应备而缺" in page
    assert "权利义务告知书" in page
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/mediation/cases/{case.pk}/file.zip").content)
    )
    names = archive.namelist()
    assert names[0] == "00_卷宗目录.docx"
    assert "04_调解协议书_第1份.docx" in names
    assert "03_调解笔录_第1次.docx" in names
    index = text_of(archive.read("00_卷宗目录.docx"))
    assert "调解协议书" in index
    assert "04_调解协议书_第1份.docx" in index
    for name in names:
        if name.endswith(".docx"):
            docx.Document(io.BytesIO(archive.read(name)))  # every document opens
