import pytest

from fengqiao.accounts.models import Assignment, Role
from fengqiao.areas.actions import TreeImportRejected
from fengqiao.areas.models import Area, Level
from fengqiao.audit.models import AuditRecord, Outcome
from tests import factories as f

from .conftest import AREAS_CSV, GRIDS_CSV, import_text

pytestmark = pytest.mark.django_db


def snapshot():
    return list(
        Area.objects.order_by("path").values_list(
            "code", "name", "level", "parent__code", "path", "households_planned"
        )
    )


def test_import_builds_the_tree_with_levels_from_the_codes():
    # given an empty tree
    # when the sample list is imported
    summary = import_text()
    # then every code sits under its parent with the level its structure says
    town = Area.objects.get(code="150621100000")
    village = Area.objects.get(code="150621100201")
    grid = Area.objects.get(code="150621100201001")
    assert town.level == Level.TOWN
    assert town.parent.code == "150621000000"
    assert village.level == Level.COMMUNITY
    assert village.parent == town
    assert grid.level == Level.GRID
    assert grid.parent == village
    assert grid.households_planned == 300
    assert village.path.startswith(town.path)
    assert len(village.path) == len(town.path) + 5
    assert summary.created == {
        "city": 1,
        "district": 2,
        "town": 2,
        "community": 3,
        "grid": 3,
    }


def test_one_audit_record_per_import_with_the_counts():
    import_text()
    (rec,) = AuditRecord.objects.filter(action="area.import")
    assert rec.outcome == Outcome.OK
    assert rec.detail["created"]["community"] == 3
    assert rec.detail["created"]["grid"] == 3


def test_reimporting_the_same_file_changes_nothing(imported):
    # given the sample tree already imported
    before = snapshot()
    # when the same files are imported again
    summary = import_text()
    # then nothing changed and the summary says so
    assert snapshot() == before
    assert not summary.changed
    assert summary.unchanged == 11


def test_import_renames_existing_codes_in_place(imported):
    before = {code: path for code, *_, path, _h in snapshot()}
    renamed = AREAS_CSV.replace("三份子村", "三份子嘎查")
    summary = import_text(renamed, GRIDS_CSV.replace(",300,", ",320,"))
    village = Area.objects.get(code="150621100202")
    assert village.name == "三份子嘎查"
    assert Area.objects.get(code="150621100201001").households_planned == 320
    assert summary.renamed == 1
    assert summary.resized == 1
    assert {code: path for code, *_, path, _h in snapshot()} == before


def test_import_adds_new_codes_under_existing_parents(imported):
    # given a second file holding only a new village under an existing town
    extra = "区划代码,名称\n150621100203,新民村\n"
    import_text(extra, None)
    village = Area.objects.get(code="150621100203")
    town = Area.objects.get(code="150621100000")
    assert village.parent == town
    # the new child number follows the town's last child
    assert village.path > Area.objects.get(code="150621100202").path


def test_bad_rows_are_all_reported_with_lines_and_nothing_is_written(imported):
    # given a file with good rows and several kinds of bad row
    before = snapshot()
    bad = (
        "区划代码,名称,上级代码,层级\n"
        "150621100204,好村,,\n"  # line 2: fine on its own
        "15062110020,短代码村,,\n"  # line 3: not 12 digits
        "150621200201,孤村,,\n"  # line 4: town 150621200000 exists nowhere
        "150621100204,重复村,,\n"  # line 5: duplicate of line 2
        "150621100205,错层村,150621000000,\n"  # line 6: a village directly under a district
        "150699000000,虚构旗,,\n"  # line 7: not in GB/T 2260
        "150621100206,,,\n"  # line 8: no name
        "150621100207,层级错村,,乡级\n"  # line 9: level column contradicts the code
    )
    grids = "网格编码,网格名称,所属社区代码,户数\nG1,无主网格,150621100999,abc\n"
    # when it is imported
    with pytest.raises(TreeImportRejected) as caught:
        import_text(bad, grids)
    # then every bad row is reported with its line and a Chinese reason
    reported = {(p.sheet, p.line): p.reason for p in caught.value.problems}
    assert "12位数字" in reported[("区划", 3)]
    assert "不存在" in reported[("区划", 4)]
    assert "重复" in reported[("区划", 5)]
    assert "第 2 行" in reported[("区划", 5)]
    assert "层级不符" in reported[("区划", 6)]
    assert "GB/T 2260" in reported[("区划", 7)]
    assert "缺少名称" in reported[("区划", 8)]
    assert "层级" in reported[("区划", 9)]
    assert "不存在" in reported[("网格", 2)]
    assert "户数" in " ".join(p.reason for p in caught.value.problems if p.sheet == "网格")
    assert ("区划", 2) not in reported
    # and the database is as it was, the failure on record
    assert snapshot() == before
    assert AuditRecord.objects.filter(action="area.import", outcome=Outcome.FAILED).count() == 1


def test_city_code_outside_gbt2260_is_rejected():
    with pytest.raises(TreeImportRejected) as caught:
        import_text("区划代码,名称\n159900000000,虚构市\n", None)
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert "GB/T 2260" in problem.reason
    assert not Area.objects.exists()


def test_province_codes_are_refused_because_the_tree_starts_at_the_city():
    with pytest.raises(TreeImportRejected) as caught:
        import_text("区划代码,名称\n150000000000,内蒙古自治区\n", None)
    assert "省级" in caught.value.problems[0].reason


def test_grid_worker_assignment_is_created_once_for_existing_users():
    # given one of the two grid workers named in the file has an account
    worker = f.user("gw_bainijing")
    # when the files are imported twice
    first = import_text()
    second = import_text()
    # then the existing user is assigned to the grid once, and the unknown one reported
    grid = Area.objects.get(code="150621100201001")
    assert list(Assignment.objects.filter(user=worker).values_list("area", "role")) == [
        (grid.pk, Role.GRID_WORKER)
    ]
    assert first.assignments_created == 1
    assert second.assignments_created == 0
    (warning,) = first.warnings
    assert warning.line == 4
    assert "gw_gongye" in warning.reason
    # the grid itself was still imported
    assert Area.objects.filter(code="150602001001001").exists()


def test_grids_under_a_bad_area_row_are_not_reported_twice():
    # given a village row with a bad level and a grid under that village
    areas = "区划代码,名称,层级\n150600000000,鄂尔多斯市,\n150621000000,达拉特旗,\n"
    areas += "150621100000,白泥井镇,\n150621100201,白泥井村,乡级\n"
    grids = "网格编码,网格名称,所属社区代码\nG1,第1网格,150621100201\n"
    with pytest.raises(TreeImportRejected) as caught:
        import_text(areas, grids)
    assert [(p.sheet, p.line) for p in caught.value.problems] == [("区划", 5)]
