"""A person's first minute: open `fengqiao up` in Debian's chromium, sign in with a demo
account. Screenshots go to test-artifacts/ops/ for a human to look at."""

from pathlib import Path

import pytest

from fengqiao.demo.city import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ops"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_demo_leader_signs_in_through_chromium(start_up):
    from playwright.sync_api import sync_playwright

    server = start_up()
    server.wait_for_login_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(server.base + "/accounts/login/")
        page.screenshot(path=ARTIFACTS / "login.png", full_page=True)
        page.fill("input[name=username]", "bnj_leader")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=ARTIFACTS / "home.png", full_page=True)
        final_path = page.evaluate("location.pathname")
        browser.close()

    assert final_path == "/"
    assert (ARTIFACTS / "login.png").stat().st_size > 0
