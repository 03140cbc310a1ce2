"""Figure pages: the dashboard, the full figures with drill-down, the performance review,
and the ledger, figures and report downloads. Every page asks ``scope.area_for`` for
its area, so a town leader gets the common 404 for anything outside the town."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fengqiao.areas import paths
from fengqiao.areas.models import Area
from fengqiao.audit.log import record

from . import dashboard as board
from . import exports, figures, links, periods, review
from .scope import area_for, picker_areas

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _context(request):
    area = area_for(request.user, request.GET.get("area"))
    period = periods.parse(request.GET)
    # One read for both: the picker and the crumbs show the ancestors; the picker and the
    # children's rows need the children.
    ancestors, children = [], []
    prefixes = [area.path[:i] for i in range(paths.SEGMENT, len(area.path) + 1, paths.SEGMENT)]
    for a in Area.objects.filter(Q(path__in=prefixes) | Q(parent=area)).order_by("path"):
        (ancestors if len(a.path) <= len(area.path) else children).append(a)
    return (
        area,
        period,
        {
            "area": area,
            "period": period,
            "period_kinds": periods.KINDS,
            "areas": picker_areas(request.user, area, ancestors, children),
            "crumbs": [
                (a.name, links.figures_url("analytics:figures", a, period)) for a in ancestors
            ],
            "child_areas": children,
        },
    )


@require_GET
@never_cache
@login_required
def dashboard(request):
    """领导驾驶舱: headline figures, trend, categories, ranking, hotspots, lists."""
    area, period, context = _context(request)
    data = board.build(area, period, context["child_areas"])
    context.update(data)
    context["charts"] = board.chart_data(data)
    context["figures_url"] = links.figures_url("analytics:figures", area, period)
    context["ledger_url"] = links.figures_url("analytics:ledger", area, period)
    context["report_url"] = links.figures_url("analytics:report", area, period)
    for row in data["children"]:
        if row.area is not None:
            row.url = links.figures_url("analytics:dashboard", row.area, period)
    return render(request, "analytics/dashboard.html", context)


@require_GET
@never_cache
@login_required
def figure_detail(request):
    """Every figure with its formula and counts; counts by each dimension link to the
    cases behind them; the children table drills down one level."""
    area, period, context = _context(request)
    summary = figures.summary(area, period)
    for rate in summary.rates:
        rate.url = links.case_list_url(area, period, **rate.filters)
    breakdowns = []
    for dimension, label in figures.DIMENSIONS.items():
        counts = figures.breakdown(area, period, dimension)
        for count in counts:
            param = links.LIST_PARAMS.get(dimension)
            count.url = links.case_list_url(area, period, **{param: count.value}) if param else ""
        breakdowns.append({"key": dimension, "label": label, "counts": counts})
    children = figures.by_child(area, period, context["child_areas"])
    for row in children:
        if row.area is not None:
            row.url = links.figures_url("analytics:figures", row.area, period)
            row.cases_url = links.case_list_url(row.area, period)
    context.update(
        {
            "summary": summary,
            "breakdowns": breakdowns,
            "children": children,
            "cases_url": links.case_list_url(area, period),
            "figures_xlsx_url": links.figures_url("analytics:figures-xlsx", area, period),
        }
    )
    return render(request, "analytics/figures.html", context)


@require_GET
@never_cache
@login_required
def performance(request):
    """绩效考核: units and people ranked by a weighted score within their level."""
    area, period, context = _context(request)
    context["review"] = review.review(area, period)
    context["xlsx_url"] = links.figures_url("analytics:performance-xlsx", area, period)
    return render(request, "analytics/performance.html", context)


def _download(request, content: bytes, name: str, content_type: str, what: str, area, period):
    record(
        f"analytics.export_{what}",
        actor=request.user,
        area=area,
        detail={"period": period.label},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _name(stem: str, area, period, ext: str) -> str:
    from urllib.parse import quote

    return quote(f"{area.name}{period.label}{stem}.{ext}")


@require_GET
@login_required
def ledger_xlsx(request):
    """矛盾纠纷台账 of the area and period."""
    area, period, _ctx = _context(request)
    content = exports.ledger_workbook(area, period)
    name = _name(_("矛盾纠纷台账"), area, period, "xlsx")
    return _download(request, content, name, XLSX, "ledger", area, period)


@require_GET
@login_required
def figures_xlsx(request):
    area, period, _ctx = _context(request)
    content = exports.figures_workbook(area, period)
    name = _name(_("统计数据"), area, period, "xlsx")
    return _download(request, content, name, XLSX, "figures", area, period)


@require_GET
@login_required
def performance_xlsx(request):
    area, period, _ctx = _context(request)
    content = exports.performance_workbook(area, period)
    name = _name(_("绩效考核"), area, period, "xlsx")
    return _download(request, content, name, XLSX, "performance", area, period)


@require_GET
@login_required
def report_docx(request):
    """月度分析报告: 总体情况 / 分类情况 / 问题分析 / 下一步工作意见."""
    area, period, _ctx = _context(request)
    content = exports.report_document(area, period)
    name = _name(_("矛盾纠纷分析报告"), area, period, "docx")
    return _download(request, content, name, DOCX, "report", area, period)
