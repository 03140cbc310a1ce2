"""The foundation journey: a district leader signs in, sees the workbench and browses
the area tree down to a grid — on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from fengqiao.accounts.models import Role
from tests import factories as f
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leader():
    tree = f.small_tree()
    return f.user("li", Role.LEADER, tree["district"], full_name="李建国")


def browse_down_to_a_grid(page, prefix: str) -> None:
    page.goto("/areas/")
    screenshot(page, f"{prefix}-areas-browse")
    for name in ("测试旗", "甲镇", "甲镇一村", "甲镇一村第1网格"):
        page.get_by_role("link", name=name, exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    screenshot(page, f"{prefix}-areas-grid")


def test_leader_signs_in_sees_workbench_and_browses_to_a_grid(page, leader):
    page.goto("/")
    screenshot(page, "desktop-login")

    log_in(page, "li")

    expect(page.get_by_role("heading", level=1)).to_contain_text("李建国")
    expect(page.get_by_test_id("my-roles")).to_contain_text("测试旗")
    screenshot(page, "desktop-workbench")
    page.get_by_role("link", name="区域", exact=True).first.click()
    browse_down_to_a_grid(page, "desktop")


def test_leader_signs_out_from_the_user_menu(page, leader):
    log_in(page, "li")

    page.locator("header").get_by_role("link", name="用户菜单").click()
    menu = page.locator("header .dropdown-menu.show")
    expect(menu.get_by_test_id("user-roles")).to_contain_text("中心主任/领导")
    expect(menu.get_by_role("link", name="修改密码")).to_be_visible()
    screenshot(page, "desktop-user-menu", full_page=False)
    menu.get_by_role("button", name="退出").click()

    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_leader_on_a_phone_uses_the_collapsed_navigation(phone, leader):
    phone.goto("/accounts/login/")
    screenshot(phone, "phone-login")
    log_in(phone, "li")
    screenshot(phone, "phone-workbench")
    phone.locator("aside").get_by_role("link", name="用户菜单").click()
    expect(phone.locator("aside .dropdown-menu.show")).to_contain_text("退出")
    screenshot(phone, "phone-user-menu", full_page=False)
    phone.locator("aside").get_by_role("link", name="用户菜单").click()

    nav = phone.locator("#sidebar-menu")
    expect(nav).to_be_hidden()
    phone.get_by_role("button", name="打开导航").click()
    expect(nav).to_have_class(re.compile(r"\bshow\b"))  # the collapse animation is over
    screenshot(phone, "phone-nav-open", full_page=False)
    nav.get_by_role("link", name="区域", exact=True).click()

    browse_down_to_a_grid(phone, "phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"


def test_visitor_switches_the_login_page_to_english(page, db):
    page.goto("/accounts/login/")

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "desktop-login-english")


def test_htmx_is_loaded_and_sends_the_csrf_token(page, leader):
    log_in(page, "li")

    assert page.evaluate("typeof htmx.ajax") == "function"
    headers = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))")
    assert len(headers["X-CSRFToken"]) == 64


def test_user_menu_leads_to_the_password_change_page(page, leader):
    log_in(page, "li")

    page.locator("header").get_by_role("link", name="用户菜单").click()
    page.locator("header .dropdown-menu.show").get_by_role("link", name="修改密码").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("修改密码")
    screenshot(page, "desktop-password-change")


def test_an_area_outside_the_users_reach_looks_like_a_missing_page(phone, db):
    tree = f.small_tree()
    f.user("wang", Role.GRID_WORKER, tree["town_a_grid1"], full_name="王网格")
    log_in(phone, "wang")

    phone.goto(f"/areas/{tree['town_b_grid1'].pk}/")
    forbidden = phone.locator("main").inner_text()
    screenshot(phone, "phone-404")
    phone.goto("/areas/999999/")
    missing = phone.locator("main").inner_text()

    assert "页面不存在或无权访问" in forbidden
    assert forbidden == missing
