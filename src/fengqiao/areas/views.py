"""The area browser and the import/export pages."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access, actions, queries
from . import io as areas_io
from .access import Perm
from .forms import TreeImportForm
from .models import LEVEL_ORDER, Area, Household, Level

# A grid holds a few hundred households; the page lists at most this many.
HOUSEHOLDS_SHOWN = 500


@login_required
def browse(request):
    """The highest areas the user may see, with what lies below each."""
    areas = list(access.top_areas(request.user))
    context = {"table": _table(areas), "crumbs": [(_("区域"), "")]}
    return render(request, "areas/browse.html", context)


@login_required
def detail(request, pk: int):
    area = access.get_for_user_or_404(
        Area.objects.all(), request.user, Perm.AREA_VIEW, field="path", pk=pk
    )
    ancestors = list(
        Area.objects.ancestors_of(area)
        .exclude(pk=area.pk)
        .filter(access.scope_q(request.user, Perm.AREA_VIEW, field="path"))
    )
    children = list(area.children.order_by("path"))
    crumbs = [(_("区域"), reverse("areas:browse"))]
    crumbs += [(a.name, reverse("areas:detail", args=[a.pk])) for a in ancestors]
    crumbs.append((area.name, ""))
    held = access.permissions_of(request.user, area)
    context = {
        "area": area,
        "table": _table(children),
        "crumbs": crumbs,
        "centers": list(area.centers.all()),
        "may_see_people": Perm.PERSON_VIEW in held,
        "may_export_people": Perm.PERSON_EXPORT in held,
    }
    if area.level in (Level.GRID, Level.MICROGRID):
        context.update(_grid_contents(area))
    return render(request, "areas/detail.html", context)


def _table(areas: list[Area]) -> dict:
    """Areas with the counts of their subtrees; one column per level found below them."""
    counts = queries.subtree_counts(areas)
    present = {lv for c in counts.values() for lv in c.by_level}
    levels = [lv for lv in LEVEL_ORDER if lv in present]
    rows = [
        {
            "area": a,
            "cells": [counts[a.pk].by_level.get(lv, 0) for lv in levels],
            "households": counts[a.pk].households,
            "people": counts[a.pk].people,
        }
        for a in areas
    ]
    return {"levels": [Level(lv).label for lv in levels], "rows": rows}


def _grid_contents(area: Area) -> dict:
    households = Household.objects.filter(area=area).select_related("building")
    return {
        "is_grid": True,
        "compounds": list(area.compounds.all()),
        "buildings": list(area.buildings.select_related("compound")),
        "households": list(households.order_by("address")[:HOUSEHOLDS_SHOWN]),
        "households_shown": HOUSEHOLDS_SHOWN,
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_tree(request):
    access.require_whole_tree(request.user, Perm.AREA_MANAGE)
    context: dict = {"crumbs": [(_("区域"), reverse("areas:browse")), (_("区划导入"), "")]}
    form = TreeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        context.update(_run_import(request.user, form.cleaned_data))
        if "summary" in context:
            form = TreeImportForm()
    context["form"] = form
    return render(request, "areas/import.html", context)


def _run_import(user, data) -> dict:
    upload, grid_upload = data["areas_file"], data.get("grids_file")
    try:
        area_table, grid_table = areas_io.read_tables(upload.read(), upload.name)
        if grid_upload:
            grid_table = areas_io.read_grid_table(grid_upload.read(), grid_upload.name)
        summary = actions.import_tree(
            actor=user, area_table=area_table, grid_table=grid_table, source=upload.name
        )
    except areas_io.FileFormatError as exc:
        return {"file_error": str(exc)}
    except actions.TreeImportRejected as exc:
        return {"problems": exc.problems, "rejected": str(exc)}
    created = [(Level(lv).label, n) for lv, n in summary.created.items()]
    return {"summary": summary, "created": created}


@login_required
def export_tree(request):
    """The export page; with ``?format=`` the file itself."""
    access.require_whole_tree(request.user, Perm.AREA_MANAGE)
    file_format = request.GET.get("format")
    stamp = timezone.localdate().strftime("%Y%m%d")
    if file_format == "xlsx":
        buffer = io.BytesIO()
        areas_io.write_xlsx(buffer)
        actions.record_tree_export(actor=request.user, file_format="xlsx")
        return _download(
            buffer.getvalue(),
            f"areas-{stamp}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if file_format in ("csv", "grids-csv"):
        rows = areas_io.area_rows() if file_format == "csv" else areas_io.grid_rows()
        text = io.StringIO()
        areas_io.write_csv(rows, text)
        actions.record_tree_export(actor=request.user, file_format=file_format)
        name = "areas" if file_format == "csv" else "grids"
        return _download(text.getvalue().encode(), f"{name}-{stamp}.csv", "text/csv; charset=utf-8")
    crumbs = [(_("区域"), reverse("areas:browse")), (_("区划导出"), "")]
    return render(request, "areas/export.html", {"crumbs": crumbs})


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
