"""A walk-in dispute walks the closed loop in the browser: the street centre's intake
officer registers it at the window, accepts, assesses and dispatches it, and the grid
worker signs for it on the workbench. And the grid worker's phone report form."""

import re

import pytest
from playwright.sync_api import expect

from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from tests.browser.conftest import log_in, screenshot
from tests.cases.builders import party, register
from tests.cases.conftest import world  # noqa: F401 — the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def take_action(page, name: str, fill=None) -> None:
    """Open an action's dialog from the case page, fill it and confirm."""
    page.get_by_test_id("case-actions").get_by_role("button", name=name, exact=True).click()
    dialog = page.locator(".modal.show")
    expect(dialog).to_be_visible()
    if fill:
        fill(dialog)
    dialog.get_by_role("button", name=f"确定{name}").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已{name}")


def test_walk_in_dispute_from_registration_to_sign_for(page, world):  # noqa: F811
    # Given an earlier case of the same applicant, registered last week
    prior = register(world.intake, world.grid1, parties=[party(name="巴特尔", phone="13812345678")])
    log_in(page, "intake_sun")
    page.get_by_role("link", name="登记事项", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记事项")

    page.get_by_label("类别", exact=True).select_option(label="婚姻家庭邻里等民间纠纷")
    page.get_by_label("标题").fill("草场边界纠纷")
    page.get_by_label("事项描述").fill("两户牧民因草场边界发生争执，来中心请求调解。")
    # The place: drill down from the street to grid 1
    page.get_by_label("所在区域").select_option(str(world.community.pk))
    expect(page.get_by_label("所在区域")).to_contain_text("工业社区第1网格")
    page.get_by_label("所在区域").select_option(str(world.grid1.pk))
    expect(page.get_by_label("楼栋（可选）")).to_be_visible()
    # The applicant is already registered: find and pick him
    page.get_by_label("查找已登记人员").fill("巴特尔")
    page.get_by_role("button", name="选用").click()
    expect(page.locator("[data-picked]")).to_contain_text("巴特尔")
    # Picking him runs the duplicate check: the earlier case shows, linked as related
    similar = page.get_by_test_id("similar-cases")
    expect(similar).to_contain_text(prior.number)
    expect(similar).to_contain_text("当事人电话相同")
    similar.get_by_text("关联", exact=True).click()
    # A second party: the respondent, typed in as a new person
    page.get_by_role("button", name="添加当事人").click()
    respondent = page.locator("[data-party]").nth(1)
    respondent.get_by_label("当事人类型").select_option(label="被申请人")
    respondent.get_by_label("姓名").fill("其其格")
    respondent.get_by_label("联系电话").fill("13900002222")
    screenshot(page, "case-walk-1-intake-form")

    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已登记事项")
    expect(page.get_by_role("heading", level=1)).to_contain_text("草场边界纠纷")
    expect(page.get_by_test_id("parties")).to_contain_text("138****5678")
    expect(page.get_by_test_id("parties")).to_contain_text("其其格")
    expect(page.get_by_text("关联事项")).to_be_visible()
    screenshot(page, "case-walk-2-registered")

    take_action(page, "受理")
    take_action(
        page,
        "研判定级",
        lambda d: (
            d.get_by_label("等级", exact=True).select_option(label="小事"),
            d.get_by_label("风险等级").select_option(label="黄"),
        ),
    )
    page.get_by_test_id("case-actions").get_by_role("button", name="派单", exact=True).click()
    dialog = page.locator(".modal.show")
    dialog.get_by_label("承办人").select_option(label="郑网格")
    screenshot(page, "case-walk-3-dispatch-dialog", full_page=False)
    dialog.get_by_role("button", name="确定派单").click()
    expect(page.locator(".alert-success")).to_contain_text("已派单")
    expect(page.locator("[data-state]").first).to_have_text("已派单")
    screenshot(page, "case-walk-4-dispatched")

    page.goto("/cases/?q=草场")
    expect(page.get_by_test_id("case-table")).to_contain_text("草场边界纠纷")
    screenshot(page, "case-walk-5-list-search")

    # The grid worker finds it on the workbench and signs for it
    page.context.clear_cookies()
    log_in(page, "gw_zheng")
    todo = page.get_by_test_id("case-todo")
    expect(todo).to_contain_text("待签收")
    expect(page.get_by_test_id("nav-badge").first).to_have_text("1")
    screenshot(page, "case-walk-6-grid-worker-workbench")
    todo.get_by_role("link", name=re.compile("草场边界纠纷")).click()
    take_action(page, "签收")
    screenshot(page, "case-walk-7-signed-for")

    case = Case.objects.exclude(pk=prior.pk).get()
    assert case.state == State.SIGNED_FOR
    assert case.links.get().other == prior


def test_grid_worker_reports_from_a_phone(phone, world, tmp_path, live_server):  # noqa: F811
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation({"latitude": 39.608123, "longitude": 109.781456})
    photo = tmp_path / "scene.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    log_in(phone, "gw_zheng")
    phone.goto("/cases/report/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("随手报")
    screenshot(phone, "case-report-phone-empty")

    phone.locator("input[type=file]").set_input_files(str(photo))
    phone.get_by_label("标题").fill("楼道堆放杂物")
    phone.get_by_label("事项描述").fill("3号楼楼道堆放大量杂物，存在消防隐患。")
    phone.get_by_label("类别", exact=True).select_option(label="其他")
    phone.get_by_label("事项类型").select_option(label="安全隐患")
    phone.get_by_role("button", name="使用我的位置").click()
    expect(phone.get_by_label("纬度")).to_have_value("39.608123")
    screenshot(phone, "case-report-phone-filled")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the report form scrolls sideways on a phone"

    phone.get_by_role("button", name="提交上报").click()
    expect(phone.locator(".alert-success")).to_contain_text("已登记事项")
    screenshot(phone, "case-report-phone-done")
    case = Case.objects.get()
    assert case.channel == "grid_patrol"
    assert case.attachments.count() == 1
    assert str(case.longitude) == "109.781456"
