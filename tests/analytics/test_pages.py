"""The dashboard, the figures page, the performance review and the downloads: scoped to
the user's areas, consistent with each other, and a constant number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from fengqiao.accounts.models import Role
from fengqiao.analytics import figures
from fengqiao.analytics.exports import safe
from fengqiao.analytics.periods import parse
from tests import factories as f
from tests.cases.builders import register

from .helpers import closed_case, red_case


@pytest.fixture
def town_data(world, other_street):
    """Cases in 工业街道 and one in 昭君街道, whose title must never leak."""
    street, other_grid, other_leader = other_street
    closed_case(world, world.grid1)
    closed_case(world, world.grid2, title="物业收费纠纷")
    red_case(world, world.grid1)
    register(world.director, world.grid2, title='=HYPERLINK("http://x")噪音扰民')
    register(other_leader, other_grid, title="昭君机密纠纷")
    return world


def _month(area):
    return {"area": area.pk, "period": "month"}


def test_leader_sees_dashboard_of_own_town_only(client, town_data, other_street):
    # Given the street director
    client.force_login(town_data.director)
    # When they open the dashboard of their street
    page = client.get(reverse("analytics:dashboard"), _month(town_data.street))
    # Then it shows the street's four cases and nothing of the other street
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="total">4<' in body
    assert "昭君" not in body
    # And the other street, the district and a made-up area are the same 404
    for area in (other_street[0].pk, town_data.district.pk, 999999):
        assert client.get(reverse("analytics:dashboard"), {"area": area}).status_code == 404


def test_default_area_is_the_users_own(client, town_data):
    client.force_login(town_data.director)
    page = client.get(reverse("analytics:dashboard"))
    assert page.status_code == 200
    assert page.context["area"] == town_data.street


def test_figures_drill_down_one_level_within_the_town(client, town_data):
    client.force_login(town_data.director)
    page = client.get(reverse("analytics:figures"), _month(town_data.street))
    assert page.status_code == 200
    children = [r.label for r in page.context["children"]]
    assert children == ["工业社区"]
    assert "昭君" not in page.content.decode()
    # And the drill-down link of the community reaches the case list with its filters
    row = page.context["children"][0]
    assert f"area={town_data.community.pk}" in row.cases_url


def test_grid_worker_has_no_figures(client, town_data):
    client.force_login(town_data.grid_worker)
    assert client.get(reverse("analytics:dashboard")).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert reverse("analytics:dashboard") not in home


def test_leader_has_the_dashboard_in_the_navigation(client, town_data):
    client.force_login(town_data.director)
    assert reverse("analytics:dashboard") in client.get(reverse("home")).content.decode()


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("analytics:dashboard"), params).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_constant(client, world, other_street):
    # Given a leader of the city, with two cases and then eight more
    leader = f.user("city_boss", Role.LEADER, world.city)
    client.force_login(leader)
    closed_case(world, world.grid1)
    red_case(world, world.grid2)
    few = _count_queries(client, _month(world.city))
    few_town = _count_queries(client, _month(world.street))
    for i in range(4):
        closed_case(world, world.grid2, title=f"纠纷{i}")
        red_case(world, world.grid1, title=f"风险{i}")
    register(other_street[2], other_street[1])
    many = _count_queries(client, _month(world.city))
    many_town = _count_queries(client, _month(world.street))
    # Then the dashboard costs the same number of queries, and few of them
    assert few == many
    assert many <= 17
    # (a town's month: its daily rows are read once for every figure but the lists)
    assert few_town == many_town
    assert many_town <= 12


def test_exports_hold_the_dashboards_numbers_and_only_the_town(client, town_data):
    client.force_login(town_data.director)
    params = _month(town_data.street)
    summary = figures.summary(town_data.street, parse(params))
    # The figures workbook: every rate with the dashboard's numerator and denominator
    wb = load_workbook(io.BytesIO(client.get(reverse("analytics:figures-xlsx"), params).content))
    sheet = wb["总体情况"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    for rate in summary.rates:
        label, value, num, den = rows[str(rate.label)][:4]
        assert (num, den) == (rate.numerator, rate.denominator)
        assert value == ("—" if rate.value is None else float(rate.value))
    # The ledger: one row per case of the street, formulas neutralised
    ledger = load_workbook(io.BytesIO(client.get(reverse("analytics:ledger"), params).content))
    cases = list(ledger["矛盾纠纷台账"].iter_rows(min_row=2, values_only=True))
    assert len(cases) == summary.total == 4
    titles = [row[5] for row in cases]
    assert '\'=HYPERLINK("http://x")噪音扰民' in titles
    assert not any("昭君" in str(cell) for row in cases for cell in row)
    assert ledger["回访登记"]["A1"].value == "案件编号"
    # The report: the outline, the same headline numbers, nothing from outside
    doc = Document(io.BytesIO(client.get(reverse("analytics:report"), params).content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert len(doc.inline_shapes) == 2  # the trend and the categories, drawn on the server
    assert headings == ["一、总体情况", "二、分类情况", "三、问题分析", "四、下一步工作意见"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"共登记各类事项 {summary.total} 件" in text
    headline = doc.tables[0]
    resolution = summary.rate("resolution_rate")
    cells = [c.text for c in headline.rows[1].cells]
    assert cells[:4] == [
        "化解率",
        f"{resolution.value}%",
        str(resolution.numerator),
        str(resolution.denominator),
    ]
    everything = text + "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "昭君" not in everything


def test_exports_are_refused_outside_the_users_areas(client, town_data, other_street):
    client.force_login(town_data.director)
    for name in ("analytics:ledger", "analytics:figures-xlsx", "analytics:report"):
        assert client.get(reverse(name), {"area": other_street[0].pk}).status_code == 404


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("安全", "安全"),
        (3, 3),
    ],
)
def test_every_formula_start_is_neutralised(value, shown):
    assert safe(value) == shown


def test_performance_review_ranks_units_and_people(client, town_data):
    client.force_login(town_data.director)
    page = client.get(reverse("analytics:performance"), _month(town_data.street))
    assert page.status_code == 200
    units = page.context["review"]["units"]
    assert [(u.name, u.rank, u.counts["resolved"]) for u in units] == [("工业街道派出所", 1, 2)]
    wb = load_workbook(
        io.BytesIO(
            client.get(reverse("analytics:performance-xlsx"), _month(town_data.street)).content
        )
    )
    assert [r[2] for r in wb["单位"].iter_rows(min_row=2, values_only=True)] == ["工业街道派出所"]


def _queries(client, name, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name), params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["analytics:figures", "analytics:performance", "meetings:list"])
def test_other_figure_pages_have_constant_query_counts(client, world, name):
    leader = f.user("city_boss2", Role.LEADER, world.city)
    client.force_login(leader)
    closed_case(world, world.grid1)
    few = _queries(client, name, _month(world.city))
    for i in range(3):
        closed_case(world, world.grid2, title=f"纠纷{i}")
        red_case(world, world.grid1, title=f"风险{i}")
    assert _queries(client, name, _month(world.city)) == few


def test_a_figures_numerator_links_to_exactly_its_cases(client, town_data):
    client.force_login(town_data.director)
    page = client.get(reverse("analytics:figures"), _month(town_data.street))
    resolution = next(r for r in page.context["summary"].rates if r.key == "resolution_rate")
    listed = client.get(resolution.url)
    assert listed.context["count"] == resolution.numerator == 2
    for count in next(b for b in page.context["breakdowns"] if b["key"] == "category")["counts"]:
        assert client.get(count.url).context["count"] == count.n
