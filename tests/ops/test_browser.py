"""A person's first minute: open `fengqiao up` in Debian's chromium, sign in with a demo
account. Screenshots go to test-artifacts/ops/ for a human to look at."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fengqiao.demo.city import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ops"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(base: str, username: str, password: str, walk: tuple[str, ...] = ()) -> str:
    """Screenshot the login page, sign in, screenshot the workbench; return its path, or
    with ``walk``, follow those area links from the area browser and return the heading."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(base + "/accounts/login/")
        page.screenshot(path=ARTIFACTS / "login.png", full_page=True)
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=ARTIFACTS / "home.png", full_page=True)
        final_path = page.evaluate("location.pathname")
        if walk:
            # Down the tree from the nav: city → banner → town → village → grid.
            page.get_by_role("link", name="区域", exact=True).first.click()
            for name in walk:
                page.locator("main").get_by_role("link", name=name, exact=True).first.click()
                page.wait_for_load_state("networkidle")
            page.screenshot(path=ARTIFACTS / "grid.png", full_page=True)
            final_path = page.locator("h1").first.inner_text()
        browser.close()
    return final_path


def test_a_demo_leader_signs_in_through_chromium(start_up):
    server = start_up()
    server.wait_for_login_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # Its own thread: the browser tests' session-wide Playwright keeps an event loop
    # running in the main thread, and a second sync Playwright refuses to start there.
    with ThreadPoolExecutor(max_workers=1) as pool:
        final_path = pool.submit(sign_in, server.base, "bnj_leader", DEMO_PASSWORD).result()

    assert final_path == "/"
    assert (ARTIFACTS / "login.png").stat().st_size > 0


def test_the_city_leader_browses_down_to_a_grid_of_bainijing(start_up):
    server = start_up()
    server.wait_for_login_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    walk = ("鄂尔多斯市", "达拉特旗", "白泥井镇", "白泥井村", "白泥井村第1网格")
    with ThreadPoolExecutor(max_workers=1) as pool:
        heading = pool.submit(sign_in, server.base, "city_leader", DEMO_PASSWORD, walk).result()
    assert heading == "白泥井村第1网格"
