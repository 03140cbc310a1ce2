"""Downloads: the dispute ledger (台账) with its revisit register, the figures and the
performance review as XLSX, and the monthly analysis report as DOCX.

Every XLSX cell goes through ``safe``: text starting with = + - @ tab or CR gets a
leading quote, so no cell a resident typed can run as a spreadsheet formula.
"""

import datetime as dt
import io

from django.apps import apps
from django.utils import timezone
from docx import Document
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from fengqiao.areas import paths
from fengqiao.cases.models import Case

from . import charts, figures, review
from . import dashboard as board
from .periods import Period

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A cell value that a spreadsheet shows as text, never evaluates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _sheet(wb: Workbook, title: str, header: list[str], rows, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([safe(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe(v) for v in row])
    return ws


def _streamed_sheet(wb: Workbook, title: str, header: list[str], rows) -> None:
    """A sheet of a write-only workbook: each row goes straight to the file (a ledger can
    hold a city's year of cases; the in-memory sheet costs several times as much)."""
    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    cells = []
    for h in header:
        cell = WriteOnlyCell(ws, value=safe(h))
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for row in rows:
        ws.append([safe(v) for v in row])


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def ledger_cases(area, period: Period):
    start, end = _bounds(period)
    return (
        Case.objects.filter(
            paths.subtree_q("area_path", area.path), created_at__gte=start, created_at__lt=end
        )
        # The category's parent: a subtype prints as "class / subtype" (one query per
        # such case otherwise); only the columns the ledger prints.
        .select_related("area", "category__parent", "current_unit", "current_handler")
        .only(*LEDGER_FIELDS)
        .order_by("created_at", "pk")
    )


LEDGER_FIELDS = (
    "number", "created_at", "kind", "channel", "title", "state", "grade", "risk", "due_at",
    "completed_at", "closed_at", "return_count", "rework_count", "was_escalated",
    "area__name", "category__name", "category__parent__name", "current_unit__name",
    "current_handler__full_name", "current_handler__username",
)  # fmt: skip


LEDGER_HEADER = [
    "案件编号", "登记时间", "事项类型", "来源渠道", "类别", "标题", "事发地", "状态", "等级",
    "风险等级", "承办单位", "承办人", "办理期限", "办结时间", "结案时间", "退单次数", "返工次数",
    "曾上报",
]  # fmt: skip


def _displays(model, *names: str):
    """For each field, what its ``get_<name>_display()`` shows, per value: looked up once
    per download, not once per cell (each call hashes every translated choice)."""
    return [
        {value: str(label) for value, label in model._meta.get_field(name).flatchoices}
        for name in names
    ]


def _shown(labels: dict, value):
    return labels.get(value, value)


def ledger_rows(area, period: Period):
    kind, channel, state, grade, risk = _displays(Case, "kind", "channel", "state", "grade", "risk")
    for c in ledger_cases(area, period).iterator(chunk_size=2000):
        yield [
            c.number, c.created_at, _shown(kind, c.kind), _shown(channel, c.channel),
            str(c.category), c.title, c.area.name, _shown(state, c.state),
            _shown(grade, c.grade), _shown(risk, c.risk),
            c.current_unit.name if c.current_unit_id else "",
            str(c.current_handler) if c.current_handler_id else "", c.due_at, c.completed_at,
            c.closed_at, c.return_count, c.rework_count, c.was_escalated,
        ]  # fmt: skip


REVISIT_HEADER = [
    "案件编号", "标题", "回访类型", "应回访日期", "回访时间", "回访人", "回访方式", "回访对象",
    "满意度", "履行情况", "说明",
]  # fmt: skip
PERFORMANCE = {"performed": "已履行", "not_performed": "未履行", "not_due": "未到期"}


def revisit_rows(area, period: Period):
    """回访登记: the mediation app's revisits done in the period (none before it lands)."""
    if not apps.is_installed("fengqiao.mediation"):
        return
    Revisit = apps.get_model("mediation", "Revisit")
    start, end = _bounds(period)
    rows = (
        Revisit.objects.filter(
            paths.subtree_q("case__area_path", area.path),
            status="done",
            done_at__gte=start,
            done_at__lt=end,
        )
        .select_related("case", "done_by")
        .order_by("done_at", "pk")
    )
    kind, method, satisfaction = _displays(Revisit, "kind", "method", "satisfaction")
    for r in rows.iterator(chunk_size=2000):
        performance = "；".join(PERFORMANCE.get(v, v) for v in (r.performance or {}).values())
        yield [
            r.case.number, r.case.title, _shown(kind, r.kind), r.due_on, r.done_at,
            str(r.done_by or ""), _shown(method, r.method), r.contacted,
            _shown(satisfaction, r.satisfaction), performance, r.note,
        ]  # fmt: skip


def ledger_workbook(area, period: Period) -> bytes:
    wb = Workbook(write_only=True)
    _streamed_sheet(wb, "矛盾纠纷台账", LEDGER_HEADER, ledger_rows(area, period))
    _streamed_sheet(wb, "回访登记", REVISIT_HEADER, revisit_rows(area, period))
    return _bytes(wb)


def _rate_rows(summary):
    for f in summary.rates:
        excluded = "；".join(f"{label} {n}" for label, n in f.excluded)
        value = "—" if f.value is None else float(f.value)
        yield [str(f.label), value, f.numerator, f.denominator, str(f.formula), excluded]
    for d in summary.durations:
        yield [
            str(d.label),
            "—" if d.hours is None else float(d.hours),
            "",
            d.count,
            str(d.formula),
            "",
        ]


def figures_workbook(area, period: Period) -> bytes:
    summary = figures.summary(area, period)
    wb = Workbook()
    ws = _sheet(
        wb,
        "总体情况",
        ["指标", "数值（%/小时）", "分子", "分母", "计算公式", "未计入分母"],
        _rate_rows(summary),
        first=True,
    )
    ws.insert_rows(1)
    ws["A1"] = safe(f"{area.name} {period.label}：登记事项 {summary.total} 件")
    for key, label in figures.DIMENSIONS.items():
        _sheet(
            wb,
            f"按{label}",
            [str(label), "事项数", "其中重复纠纷"],
            ([c.label, c.n, c.repeat] for c in figures.breakdown(area, period, key)),
        )
    _sheet(
        wb,
        "下级区域",
        ["区域", "登记", "结案", "化解率（%）", "按期办结率（%）", "重复纠纷"],
        (
            [r.label, r.n, r.closed, _num(r.resolution_rate), _num(r.on_time_rate), r.repeat]
            for r in figures.by_child(area, period)
        ),
    )
    return _bytes(wb)


def _num(value):
    return "—" if value is None else float(value)


def performance_workbook(area, period: Period) -> bytes:
    data = review.review(area, period)
    labels = [str(v) for v in data["indicators"].values()]
    header = ["层级", "排名", "名称", "得分", "办理", "化解", *labels]
    wb = Workbook()
    for i, (title, entries) in enumerate((("单位", data["units"]), ("个人", data["people"]))):
        _sheet(
            wb,
            title,
            header,
            (
                [e.level, e.rank, e.name, float(e.score), e.counts["handled"], e.counts["resolved"]]
                + [float(v) for v in e.indicators.values()]
                for e in entries
            ),
            first=i == 0,
        )
    _sheet(
        wb,
        "权重",
        ["指标", "权重"],
        ([str(data["indicators"][k]), float(v)] for k, v in data["weights"].items()),
    )
    return _bytes(wb)


# --- The monthly analysis report --------------------------------------------------------


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _table(doc, header: list[str], rows) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


def report_document(area, period: Period) -> bytes:
    """总体情况 / 分类情况 / 问题分析 / 下一步工作意见, with the dashboard's numbers."""
    data = board.build(area, period)
    s = data["summary"]
    doc = Document()
    doc.add_heading(f"{area.name}{period.label}矛盾纠纷分析报告", level=0)

    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph(
        f"{period.label}，{area.name}共登记各类事项 {s.total} 件，较上期"
        f"{'增加' if data['total_change'] >= 0 else '减少'} {abs(data['total_change'])} 件；"
        f"已结案 {s.totals.n('closed')} 件。"
    )
    _table(
        doc,
        ["指标", "数值", "分子", "分母", "较上期（百分点）", "计算公式"],
        (
            [h["figure"].label, _pct(h["figure"].value), h["figure"].numerator,
             h["figure"].denominator, "—" if h["change"] is None else h["change"],
             h["figure"].formula]
            for h in data["headline"]
        ),
    )  # fmt: skip
    doc.add_paragraph("")
    doc.add_paragraph("趋势（新登记 / 结案）：")
    doc.add_picture(io.BytesIO(charts.trend(data["trend"])), width=Cm(15))
    _table(
        doc, ["时段", "新登记", "结案"], ([b["label"], b["n"], b["closed"]] for b in data["trend"])
    )

    doc.add_heading("二、分类情况", level=1)
    if data["categories"]:
        doc.add_picture(io.BytesIO(charts.categories(data["categories"])), width=Cm(15))
    _table(
        doc,
        ["类别", "事项数", "占比", "重复纠纷"],
        (
            [c.label, c.n, f"{(100 * c.n / s.total):.1f}%" if s.total else "—", c.repeat]
            for c in data["categories"]
        ),
    )
    doc.add_paragraph("")
    doc.add_paragraph("下级区域情况：")
    _table(
        doc,
        ["区域", "登记", "结案", "化解率", "按期办结率"],
        (
            [r.label, r.n, r.closed, _pct(r.resolution_rate), _pct(r.on_time_rate)]
            for r in data["children"]
        ),
    )

    doc.add_heading("三、问题分析", level=1)
    for line in problems(data):
        doc.add_paragraph(line, style="List Bullet")

    doc.add_heading("四、下一步工作意见", level=1)
    for line in next_steps(data):
        doc.add_paragraph(line, style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def problems(data: dict) -> list[str]:
    """Findings stated from the figures, never invented."""
    out = []
    if data["hot_grids"]:
        top = data["hot_grids"][0]
        out.append(
            f"纠纷最集中的网格为{top['area'].name}，新登记矛盾纠纷 {top['n']} 件，"
            f"其中重复纠纷 {top['repeat']} 件。"
        )
    if data["hot_categories"]:
        c = data["hot_categories"][0]
        out.append(f"矛盾纠纷以“{c.label}”为主，共 {c.n} 件。")
    on_time = data["summary"].rate("on_time_rate")
    if on_time.denominator and on_time.numerator < on_time.denominator:
        late = on_time.denominator - on_time.numerator
        out.append(f"超期办结 {late} 件，按期办结率 {_pct(on_time.value)}。")
    if data["overdue"]:
        out.append(f"目前仍有超期未办结事项 {len(data['overdue'])} 件以上，需督办。")
    if data["red_risk"]:
        out.append(f"红色风险事项 {len(data['red_risk'])} 件在办，须落实包案领导。")
    return out or ["本期未发现突出问题。"]


def next_steps(data: dict) -> list[str]:
    out = []
    if data["overdue"]:
        out.append("对超期事项逐件督办，明确责任人和办结时限。")
    if data["red_risk"]:
        out.append("红色风险事项由包案领导牵头，一案一策，防止矛盾激化。")
    if data["hot_grids"]:
        out.append(f"加强{data['hot_grids'][0]['area'].name}等热点网格的排查和走访。")
    out.append("对已结案事项开展回访，核实协议履行情况，做到案结事了。")
    return out
