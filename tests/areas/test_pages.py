"""The import and export pages: for those who manage the whole tree only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.areas import io as areas_io
from fengqiao.areas.models import Area
from tests import factories as f

from .conftest import AREAS_CSV, GRIDS_CSV, import_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    import_text()
    return f.user("admin", Role.ADMIN, Area.objects.get(code="150600000000"))


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_page_is_404_for_a_town_leader(client, admin):
    leader = f.user("leader", Role.LEADER, Area.objects.get(code="150621100000"))
    client.force_login(leader)
    assert client.get(reverse("areas:import")).status_code == 404
    assert client.get(reverse("areas:export")).status_code == 404


def test_import_page_shows_every_bad_row_and_changes_nothing(client, admin):
    before = Area.objects.count()
    bad = "区划代码,名称\n150621100209,好村\n12345,坏代码\n150699000000,虚构旗\n"
    client.force_login(admin)
    response = client.post(reverse("areas:import"), {"areas_file": upload("bad.csv", bad)})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert [p.line for p in problems] == [3, 4]
    html = response.content.decode()
    assert "12位数字" in html
    assert "GB/T 2260" in html
    assert Area.objects.count() == before


def test_import_page_shows_a_summary_after_success(client, admin):
    extra = AREAS_CSV + "150621100203,新民村,150621100000,村级\n"
    client.force_login(admin)
    response = client.post(
        reverse("areas:import"),
        {"areas_file": upload("a.csv", extra), "grids_file": upload("g.csv", GRIDS_CSV)},
    )
    summary = response.context["summary"]
    assert summary.created["community"] == 1
    assert summary.unchanged == 11
    assert 'data-testid="import-summary"' in response.content.decode()
    assert Area.objects.filter(code="150621100203").exists()


def test_import_page_reports_an_unreadable_file(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("areas:import"), {"areas_file": upload("x.csv", "foo,bar\n1,2\n")}
    )
    assert "区划代码" in response.context["file_error"]


def test_superuser_may_import_into_an_empty_tree(client, db):
    root = f.user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(reverse("areas:import"), {"areas_file": upload("a.csv", AREAS_CSV)})
    assert response.context["summary"].created["city"] == 1


def test_export_downloads_xlsx_and_csv_that_read_back(client, admin):
    client.force_login(admin)
    xlsx = client.get(reverse("areas:export"), {"format": "xlsx"})
    assert xlsx["Content-Disposition"].startswith("attachment")
    area_table, grid_table = areas_io.read_tables(xlsx.content, "t.xlsx")
    assert len(area_table) == 8
    assert len(grid_table) == 3
    csv = client.get(reverse("areas:export"), {"format": "csv"})
    area_table, _ = areas_io.read_tables(csv.content, "t.csv")
    assert area_table[0][1]["code"] == "150600000000"
    grids = client.get(reverse("areas:export"), {"format": "grids-csv"})
    assert len(areas_io.read_grid_table(grids.content, "g.csv")) == 3
    assert io.BytesIO(xlsx.content).read(2) == b"PK"


def test_import_needs_manage_on_every_city(client, admin):
    # given a second city the admin holds no role on
    f.area("呼和浩特市", "city", code="150100000000")
    client.force_login(admin)
    assert client.get(reverse("areas:import")).status_code == 404


def test_empty_tree_is_404_for_everyone_but_a_superuser(client, db):
    client.force_login(f.user("someone"))
    assert client.get(reverse("areas:import")).status_code == 404
