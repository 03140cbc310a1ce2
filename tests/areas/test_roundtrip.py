import io

import pytest
from django.core.management import call_command

from fengqiao.areas import io as areas_io
from fengqiao.areas.models import Area
from fengqiao.audit.models import AuditRecord
from tests import factories as f

from .conftest import AREAS_CSV, GRIDS_CSV, import_text, tables

pytestmark = pytest.mark.django_db


def as_rows(table):
    return [tuple(cells.values()) for _line, cells in table]


@pytest.fixture
def tree(db):
    f.user("gw_bainijing")
    f.user("gw_gongye")
    import_text()


def test_csv_export_gives_back_the_imported_files(tree):
    # when the tree is exported as CSV
    areas_out, grids_out = io.StringIO(), io.StringIO()
    areas_io.write_csv(areas_io.area_rows(), areas_out)
    areas_io.write_csv(areas_io.grid_rows(), grids_out)
    # then the files hold the same rows as the ones imported
    area_table, _ = areas_io.read_tables(areas_out.getvalue().encode(), "a.csv")
    grid_table = areas_io.read_grid_table(grids_out.getvalue().encode(), "g.csv")
    original_areas, original_grids = tables()
    assert sorted(as_rows(area_table)) == sorted(as_rows(original_areas))
    assert sorted(as_rows(grid_table)) == sorted(as_rows(original_grids))
    # and importing them again changes nothing
    before = list(Area.objects.values_list("code", "name", "path", "households_planned"))
    from fengqiao.areas.actions import import_tree

    summary = import_tree(actor=None, area_table=area_table, grid_table=grid_table)
    assert not summary.changed
    assert list(Area.objects.values_list("code", "name", "path", "households_planned")) == before


def test_xlsx_export_gives_back_the_imported_files(tree):
    buffer = io.BytesIO()
    areas_io.write_xlsx(buffer)
    area_table, grid_table = areas_io.read_tables(buffer.getvalue(), "tree.xlsx")
    original_areas, original_grids = tables()
    assert sorted(as_rows(area_table)) == sorted(as_rows(original_areas))
    assert sorted(as_rows(grid_table)) == sorted(as_rows(original_grids))


def test_xlsx_with_numeric_code_cells_is_read_as_codes(db):
    # given a workbook typed by hand, where the codes became numbers
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "区划"
    sheet.append(["区划代码", "名称"])
    sheet.append([150600000000, "鄂尔多斯市"])
    sheet.append([150621000000.0, "达拉特旗"])
    buffer = io.BytesIO()
    book.save(buffer)
    # when it is imported
    area_table, grid_table = areas_io.read_tables(buffer.getvalue(), "hand.xlsx")
    from fengqiao.areas.actions import import_tree

    import_tree(actor=None, area_table=area_table, grid_table=grid_table)
    # then the codes are the 12-digit strings
    assert Area.objects.get(code="150621000000").parent.code == "150600000000"


def test_gb18030_csv_is_read(db):
    area_table, _ = areas_io.read_tables(AREAS_CSV.encode("gb18030"), "areas.csv")
    assert area_table[0][1]["name"] == "鄂尔多斯市"


def test_areas_command_imports_and_exports(tmp_path, db):
    # given the sample files on disk
    f.user("gw_bainijing")
    (tmp_path / "areas.csv").write_text(AREAS_CSV, encoding="utf-8")
    (tmp_path / "grids.csv").write_text(GRIDS_CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    # when they are imported and the tree exported by the command
    call_command(
        "areas",
        "import",
        str(tmp_path / "areas.csv"),
        "--grids",
        str(tmp_path / "grids.csv"),
        stdout=out,
        stderr=err,
    )
    call_command("areas", "export", "--format", "csv", str(tmp_path / "out.csv"), stdout=out)
    call_command("areas", "export", "--format", "xlsx", str(tmp_path / "out.xlsx"), stdout=out)
    # then the tree is there, the unknown grid worker reported, the exports written
    assert Area.objects.count() == 11
    assert "gw_gongye" in err.getvalue()
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").startswith("区划代码,名称")
    assert "工业社区第1网格" in (tmp_path / "out-grids.csv").read_text(encoding="utf-8-sig")
    assert (tmp_path / "out.xlsx").read_bytes()[:2] == b"PK"
    assert AuditRecord.objects.filter(action="area.export").count() == 2


def test_areas_command_reports_bad_rows_and_fails(tmp_path, db):
    from django.core.management.base import CommandError

    (tmp_path / "bad.csv").write_text("区划代码,名称\n150699000000,虚构旗\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("areas", "import", str(tmp_path / "bad.csv"), stderr=err)
    assert "第 2 行" in err.getvalue()
    assert "GB/T 2260" in err.getvalue()


def test_title_lines_above_the_header_are_skipped_and_line_numbers_kept(db):
    # given a list that opens with a title line, as published lists do
    text = "2024年统计用区划代码,,\n区划代码,名称,层级\n150600000000,鄂尔多斯市,市级\n1506,坏,\n"
    area_table, _ = areas_io.read_tables(text.encode(), "list.csv")
    plan = areas_io.check(area_table)
    # then the rows are read below the header and a bad row keeps its file line
    assert [line for line, _cells in area_table] == [3, 4]
    assert [p.line for p in plan.errors] == [4]
