"""The case's documents as DOCX (python-docx), in the usual Chinese layout: the
mediation agreement (调解协议书) and session record (调解笔录) with one copy per party
plus the archive copy, the other papers of the case file, and the file as a ZIP.

ID numbers and phone numbers are printed masked: the agreement names each party by
name, sex, ethnicity and address (Art. 29's "basic details"); the full numbers stay in
the people register, behind its audited unmasking.
"""

import io
import zipfile
from functools import wraps

from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from fengqiao.cases.models import Case, PartyRole
from fengqiao.people.masking import mask_id, mask_phone

from . import queries
from .models import Agreement, MediationSession, Revisit, RevisitStatus, SessionStatus

SONG, HEI = "宋体", "黑体"
ROLE_LABELS = dict(PartyRole.choices)


def _in_chinese(func):
    """Documents are Chinese forms whatever the reader's interface language: choice
    labels inside them (party roles, signing methods, places) stay Chinese too."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override("zh-hans"):
            return func(*args, **kwargs)

    return wrapper


def _font(run, name: str = SONG, size: float = 14, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = SONG, Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    return doc


def title(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), HEI, 22, bold=True)


def line(doc, text: str = "", *, bold_label: str = "", align=None, indent: bool = True):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    elif indent:
        p.paragraph_format.first_line_indent = Pt(28)
    p.paragraph_format.line_spacing = Pt(24)
    p.paragraph_format.space_after = Pt(2)
    if bold_label:
        _font(p.add_run(bold_label), HEI, 14)
    _font(p.add_run(text))
    return p


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _number(case: Case, kind: str, n: int) -> str:
    return f"（{timezone.localdate(case.created_at):%Y}）{kind}字第 {case.number}-{n} 号"


def _date(value) -> str:
    if value is None:
        return "　　年　　月　　日"
    day = timezone.localdate(value) if hasattr(value, "tzinfo") else value
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


@_in_chinese
def party_line(p) -> str:
    """申请人：张三，男，汉族，身份证号 1506**********1234，住……，电话 138****5678。"""
    bits = [p.name]
    bits += [x for x in (p.sex, p.ethnicity) if x]
    if p.id_number:
        bits.append(f"身份证号 {mask_id(p.id_number)}")
    if p.address:
        bits.append(f"住{p.address}")
    if p.phone:
        bits.append(f"电话 {mask_phone(p.phone)}")
    return "，".join(bits) + "。"


@_in_chinese
def copies_of(parties) -> list[str]:
    """One copy per party plus the archive copy."""
    return [f"{ROLE_LABELS.get(p.role, '')}{p.name}执" for p in parties] + ["调解委员会存档"]


# --- The agreement ------------------------------------------------------------------------


def _agreement_copy(doc, agreement: Agreement, copy: str) -> None:
    mediation = agreement.mediation
    case = mediation.case
    parties = list(agreement.parties.all())
    line(doc, f"（{copy}）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    title(doc, "口头调解协议记录" if agreement.is_oral else "人民调解协议书")
    line(doc, _number(case, "调", agreement.number), align=WD_ALIGN_PARAGRAPH.RIGHT)
    for p in parties:
        line(doc, party_line(p), bold_label=f"{ROLE_LABELS.get(p.role, '当事人')}：", indent=False)
    if agreement.is_oral:
        line(doc, agreement.oral_content, bold_label="口头协议内容：")
    else:
        line(doc, agreement.facts, bold_label="纠纷主要事实：")
        line(doc, agreement.disputed_matters, bold_label="争议事项：")
        line(doc, agreement.responsibilities, bold_label="各方责任：")
        line(doc, "经人民调解委员会调解，双方当事人自愿达成如下协议：")
        for c in agreement.clauses.all():
            line(
                doc,
                f"{c.number}. {c.content}（履行方式：{c.performance_way}；"
                f"履行期限：{c.deadline:%Y 年 %m 月 %d 日}前）",
            )
        n = len(parties) + 1
        line(
            doc,
            f"本协议自各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章"
            f"之日起生效。本协议一式 {n} 份，当事人各执一份，人民调解委员会留存一份。",
        )
    for p in parties:
        mark = (
            f"{p.name}（已{p.get_sign_method_display()}，{_date(p.signed_at)}）"
            if p.signed_at
            else "　" * 8
        )
        label = f"{ROLE_LABELS.get(p.role, '当事人')}（签名、盖章或按指印）："
        line(doc, mark, bold_label=label, indent=False)
    signed = f"{mediation.mediator}（已签名）" if agreement.mediator_signed_at else "　" * 8
    line(doc, signed, bold_label="人民调解员（签名）：", indent=False)
    committee = mediation.committee.name if mediation.committee else "人民调解委员会"
    seal = "（印）" if agreement.sealed_at else "（盖章）"
    line(doc, f"{committee}{seal}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    line(doc, _date(agreement.effective_at), align=WD_ALIGN_PARAGRAPH.RIGHT)


@_in_chinese
def agreement_document(agreement: Agreement, copies: list[str] | None = None) -> Document:
    doc = new_document()
    copies = copies or copies_of(list(agreement.parties.all()))
    for index, copy in enumerate(copies):
        if index:
            _page_break(doc)
        _agreement_copy(doc, agreement, copy)
    return doc


# --- The session record ---------------------------------------------------------------------


def _record_copy(doc, session: MediationSession, copy: str) -> None:
    mediation = session.mediation
    case = mediation.case
    record = session.record
    parties = list(case.parties.select_related("person").order_by("role", "pk"))
    present = {str(k) for k, v in session.attendance.items() if v}
    line(doc, f"（{copy}）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    title(doc, "人民调解笔录" + ("（简易程序）" if record.is_simple else ""))
    when = timezone.localtime(session.scheduled_at).strftime("%Y 年 %m 月 %d 日 %H:%M")
    line(doc, when, bold_label="时间：", indent=False)
    line(
        doc,
        f"{session.get_place_kind_display()}·{session.place}",
        bold_label="地点：",
        indent=False,
    )
    mediators = [str(mediation.mediator), *[str(m.user) for m in mediation.panel.all()]]
    line(doc, "、".join(mediators), bold_label="调解员：", indent=False)
    line(doc, str(record.recorder), bold_label="记录人：", indent=False)
    for p in parties:
        came = "到场" if str(p.pk) in present else "未到场"
        line(
            doc, f"{p.person.name}（{came}）", bold_label=f"{p.get_role_display()}：", indent=False
        )
    if session.participants:
        line(doc, session.participants, bold_label="其他参加人员：", indent=False)
    line(doc, record.matter, bold_label="调解事项：")
    if not record.is_simple:
        notice = "已告知" if record.rights_notice_given else "未告知"
        line(
            doc,
            f"调解员向当事人告知了人民调解的性质、原则和效力，以及当事人在调解活动中享有的权利和承担的义务（{notice}）。",
            bold_label="权利义务告知：",
        )
        line(doc, record.applicant_statement, bold_label="申请人陈述：")
        line(doc, record.respondent_statement, bold_label="被申请人陈述：")
        line(doc, record.verification, bold_label="调查核实情况：")
        line(doc, record.risk_notice, bold_label="风险告知：")
    line(doc, record.outcome, bold_label="调解结果：")
    doc.add_paragraph()
    for p in parties:
        line(doc, "　" * 8, bold_label=f"{p.get_role_display()}（签名）：", indent=False)
    line(doc, "　" * 8, bold_label="调解员（签名）：", indent=False)
    line(doc, "　" * 8, bold_label="记录人（签名）：", indent=False)


@_in_chinese
def record_document(session: MediationSession, copies: list[str] | None = None) -> Document:
    doc = new_document()
    parties = list(session.mediation.case.parties.select_related("person"))
    copies = copies or copies_of([_PartyView(p) for p in parties])
    for index, copy in enumerate(copies):
        if index:
            _page_break(doc)
        _record_copy(doc, session, copy)
    return doc


class _PartyView:
    def __init__(self, party):
        self.role, self.name = party.role, party.person.name


# --- The other papers of the case file ------------------------------------------------------


def intake_document(case: Case) -> Document:
    doc = new_document()
    title(doc, "人民调解申请（受理）登记表")
    line(doc, case.number, bold_label="案件编号：", indent=False)
    line(
        doc,
        timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
        bold_label="登记时间：",
        indent=False,
    )
    line(doc, case.get_channel_display(), bold_label="来源渠道：", indent=False)
    line(doc, str(case.category), bold_label="纠纷类别：", indent=False)
    line(doc, case.area.name, bold_label="发生地：", indent=False)
    for p in case.parties.select_related("person").order_by("role", "pk"):
        line(doc, party_line(_Snapshot(p)), bold_label=f"{p.get_role_display()}：", indent=False)
    line(doc, case.title, bold_label="事由：", indent=False)
    line(doc, case.narrative, bold_label="纠纷简要情况：")
    line(doc, str(case.registered_by or ""), bold_label="登记人：", indent=False)
    return doc


class _Snapshot:
    def __init__(self, party):
        person = party.person
        self.name, self.role = person.name, party.role
        self.sex = person.get_sex_display() if person.sex != "unknown" else ""
        self.ethnicity, self.id_number = person.ethnicity, person.id_number
        self.address, self.phone = person.address, person.phone


def rights_notice_document(case: Case) -> Document:
    doc = new_document()
    title(doc, "人民调解权利义务告知书")
    line(doc, "根据《中华人民共和国人民调解法》，当事人在人民调解活动中享有下列权利：")
    for text in (
        "（一）选择或者接受人民调解员；",
        "（二）接受调解、拒绝调解或者要求终止调解；",
        "（三）要求调解公开进行或者不公开进行；",
        "（四）自主表达意愿、自愿达成调解协议。",
    ):
        line(doc, text)
    line(doc, "当事人在人民调解活动中履行下列义务：")
    for text in (
        "（一）如实陈述纠纷事实；",
        "（二）遵守调解现场秩序，尊重人民调解员；",
        "（三）尊重对方当事人行使权利。",
    ):
        line(doc, text)
    for p in case.parties.select_related("person").order_by("role", "pk"):
        line(
            doc,
            "　" * 8,
            bold_label=f"{p.get_role_display()}{p.person.name}（签名）：",
            indent=False,
        )
    return doc


def revisit_document(revisit: Revisit) -> Document:
    doc = new_document()
    title(doc, "人民调解回访记录")
    case = revisit.case
    line(doc, case.number, bold_label="案件编号：", indent=False)
    line(doc, revisit.get_kind_display(), bold_label="回访类型：", indent=False)
    when = timezone.localtime(revisit.done_at).strftime("%Y-%m-%d %H:%M") if revisit.done_at else ""
    line(doc, when, bold_label="回访时间：", indent=False)
    line(doc, str(revisit.done_by or ""), bold_label="回访人：", indent=False)
    line(doc, revisit.contacted, bold_label="回访对象：", indent=False)
    line(doc, revisit.get_method_display(), bold_label="回访方式：", indent=False)
    line(doc, queries.revisit_summary(revisit), bold_label="回访情况：")
    line(doc, "是" if revisit.has_sued else "否", bold_label="当事人是否已起诉：", indent=False)
    line(doc, revisit.get_flare_up_risk_display(), bold_label="反弹风险：", indent=False)
    line(doc, revisit.measures or "—", bold_label="采取的措施：", indent=False)
    return doc


def confirmation_document(agreement: Agreement) -> Document:
    doc = new_document()
    title(doc, "司法确认情况记录")
    row = agreement.confirmation
    line(doc, f"第 {agreement.number} 份调解协议", bold_label="协议：", indent=False)
    line(doc, row.court, bold_label="受理法院：", indent=False)
    line(doc, f"{row.applied_on:%Y-%m-%d}", bold_label="申请日期：", indent=False)
    line(doc, row.get_result_display(), bold_label="结果：", indent=False)
    line(
        doc,
        f"{row.decided_on:%Y-%m-%d}" if row.decided_on else "—",
        bold_label="裁定日期：",
        indent=False,
    )
    return doc


def back_cover_document(case: Case, entries) -> Document:
    doc = new_document()
    title(doc, "卷宗封底（备考表）")
    pieces = sum(e.count for e in entries)
    line(doc, f"本卷共有文件材料 {pieces} 件。", indent=True)
    line(doc, _date(case.closed_at), bold_label="结案日期：", indent=False)
    line(doc, "　" * 8, bold_label="立卷人：", indent=False)
    line(doc, "　" * 8, bold_label="检查人：", indent=False)
    return doc


def index_document(case: Case, entries, files: list[str]) -> Document:
    doc = new_document()
    title(doc, "人民调解卷宗目录")
    line(doc, f"{case.number}　{case.title}", indent=False)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("序号", "材料名称", "应备/按需", "情况"), strict=True
    ):
        cell.text = text
    for n, entry in enumerate(entries, start=1):
        cells = table.add_row().cells
        cells[0].text = str(n)
        cells[1].text = entry.title
        cells[2].text = "应备" if entry.required else "按需"
        cells[3].text = f"有（{entry.count}）" if entry.present else "缺"
    line(doc, "卷内文件：", indent=False)
    for name in files:
        line(doc, name, indent=False)
    return doc


def to_bytes(doc: Document) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@_in_chinese
def case_file_zip(case: Case) -> bytes:
    """The whole case file: a DOCX per document, the attachments, and an index."""
    entries = queries.case_file(case)
    mediation = queries.mediation_of(case)
    files: list[tuple[str, bytes]] = [
        ("01_受理登记表.docx", to_bytes(intake_document(case))),
        ("02_权利义务告知书.docx", to_bytes(rights_notice_document(case))),
    ]
    if mediation is not None:
        held = mediation.sessions.filter(status=SessionStatus.HELD, record__isnull=False)
        for s in held:
            files.append((f"03_调解笔录_第{s.number}次.docx", to_bytes(record_document(s))))
        for a in mediation.agreements.exclude(status="draft"):
            files.append((f"04_调解协议书_第{a.number}份.docx", to_bytes(agreement_document(a))))
            if _confirmation(a):
                files.append(
                    (f"06_司法确认_第{a.number}份.docx", to_bytes(confirmation_document(a)))
                )
    for r in case.revisits.filter(status=RevisitStatus.DONE).order_by("done_at", "pk"):
        files.append((f"05_回访记录_{r.pk}.docx", to_bytes(revisit_document(r))))
    for a in case.attachments.order_by("pk"):
        with a.file.open("rb") as fh:
            files.append((f"07_附件/{a.pk}_{a.name}", fh.read()))
    files.append(("99_卷宗封底.docx", to_bytes(back_cover_document(case, entries))))
    names = [name for name, _ in files]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00_卷宗目录.docx", to_bytes(index_document(case, entries, names)))
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def _confirmation(agreement: Agreement) -> bool:
    from .models import JudicialConfirmation

    return JudicialConfirmation.objects.filter(agreement=agreement).exists()
