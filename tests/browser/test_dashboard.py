"""The leader's dashboard in the browser: the demo city with three months of cases,
charts drawn by the vendored ECharts, nothing fetched from anywhere else."""

import datetime as dt
import random

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from fengqiao.accounts.models import User
from fengqiao.areas.models import Area, Level
from fengqiao.cases import actions
from fengqiao.cases.errors import CaseError
from fengqiao.cases.models import CaseKind, Category, Channel
from fengqiao.demo import city
from tests.browser.conftest import log_in, screenshot

# The seeded categories and time limits come back after each flush (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = ["土地边界纠纷", "邻里漏水纠纷", "劳务费拖欠", "物业收费纠纷", "牛羊越界", "婚姻家庭矛盾"]
CATEGORIES = ["D05", "D17", "D07", "D04", "D05", "D17"]


def _walk(case, leader, steps: int, rng, traveller) -> None:
    """Move a case a number of steps along the closed loop, as the town's leader."""
    forward = [
        lambda: actions.accept_case(actor=leader, case=case),
        lambda: actions.assess_case(
            actor=leader,
            case=case,
            grade=rng.choice(["minor", "major"]),
            risk=rng.choice(["blue", "yellow", "orange", "red"]),
            lead_leader=leader,
        ),
        lambda: actions.dispatch_case(actor=leader, case=case, handler=leader),
        lambda: actions.sign_for_case(actor=leader, case=case),
        lambda: actions.start_handling(actor=leader, case=case),
        lambda: actions.complete_case(actor=leader, case=case, feedback="已调解达成协议"),
        lambda: actions.verify_case(actor=leader, case=case),
        lambda: actions.start_revisit(actor=leader, case=case),
        lambda: actions.close_case(actor=leader, case=case),
    ]
    for step in forward[:steps]:
        traveller.shift(dt.timedelta(hours=rng.randint(1, 30)))
        try:
            step()
        except CaseError:
            return


@pytest.fixture
def demo_with_cases():
    """The demo city, and 60 cases in 达拉特旗's three towns over the last 80 days."""
    city.load_demo()
    rng = random.Random(5)
    towns = {
        code: (Area.objects.get(code=code), User.objects.get(username=f"{prefix}_leader"))
        for code, prefix in (
            (city.BAINIJING_CODE, "bnj"),
            (city.GONGYE_CODE, "gy"),
            (city.ZHAOJUN_CODE, "zj"),
        )
    }
    grids = {
        code: list(Area.objects.filter(level=Level.GRID, path__startswith=town.path)[:12])
        for code, (town, _leader) in towns.items()
    }
    categories = {c: Category.objects.get(code=c) for c in set(CATEGORIES)}
    now = timezone.now()
    for i in range(60):
        code = rng.choice([city.BAINIJING_CODE] * 3 + [city.GONGYE_CODE, city.ZHAOJUN_CODE])
        town, leader = towns[code]
        start = now - dt.timedelta(days=rng.randint(12, 80), hours=i)
        with time_machine.travel(start, tick=False) as traveller:
            case = actions.register_case(
                actor=leader,
                kind=CaseKind.DISPUTE,
                channel=rng.choice([Channel.WALK_IN, Channel.PHONE, Channel.GRID_PATROL]),
                category=categories[CATEGORIES[i % 6]],
                title=TITLES[i % 6],
                narrative="演示用事项。",
                area=rng.choice(grids[code][:4] if i % 3 else grids[code]),
            )
            _walk(case, leader, rng.choice([0, 2, 3, 9, 9, 9, 9]), rng, traveller)
    return towns


def test_district_leader_sees_the_dashboard_with_charts(page, demo_with_cases):
    log_in(page, "dlt_leader", city.DEMO_PASSWORD)
    page.get_by_role("link", name="领导驾驶舱").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("达拉特旗")
    page.get_by_label("期间").select_option("quarter")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("body[data-charts-ready='3']")).to_be_attached()
    expect(page.get_by_test_id("ranking")).to_contain_text("白泥井镇")
    expect(page.get_by_test_id("chart-trend").locator("svg")).to_be_attached()
    total = page.get_by_test_id("total").inner_text()
    assert int(total) > 0
    screenshot(page, "dashboard-dalate-quarter")
    # Drill down one level: the town's own dashboard
    page.get_by_test_id("ranking").get_by_role("link", name="白泥井镇").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("白泥井镇")
    expect(page.get_by_test_id("hot-grids")).to_contain_text("网格")
    screenshot(page, "dashboard-bainijing-quarter")


def test_leader_reads_figures_review_and_holds_a_meeting(page, demo_with_cases):
    log_in(page, "bnj_leader", city.DEMO_PASSWORD)
    page.goto("/analytics/figures/?period=quarter")
    expect(page.get_by_test_id("rates")).to_contain_text("化解率")
    expect(page.get_by_test_id("drilldown")).to_contain_text("白泥井村")
    screenshot(page, "figures-bainijing-quarter")
    page.goto("/analytics/performance/?period=quarter")
    expect(page.get_by_test_id("review-people")).to_contain_text("1")
    screenshot(page, "performance-bainijing-quarter")
    # A monthly assessment meeting with one decision under 三定
    page.goto("/meetings/")
    expect(page.get_by_test_id("cadence")).to_contain_text("逾期未开")
    today = timezone.localdate()
    page.get_by_label("研判期间自").fill(str(today.replace(day=1)))
    page.get_by_label("研判期间至").fill(str(today))
    page.get_by_role("button", name="生成议程").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("一、本期新登记事项")
    page.get_by_label("任务").fill("走访白泥井村第4网格土地边界纠纷当事人")
    owner = User.objects.get(username="bnj_grid001")
    page.get_by_label("定人（责任人）").select_option(value=str(owner.pk))
    page.get_by_label("定责（责任内容）").fill("核实边界，组织双方协商")
    page.get_by_label("定时限").fill(str(today + dt.timedelta(days=7)))
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_test_id("items")).to_contain_text("走访白泥井村第4网格")
    screenshot(page, "meeting-bainijing")
