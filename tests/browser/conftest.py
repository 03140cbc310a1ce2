"""Browser tests: Playwright's sync API driving Debian's chromium against live_server.

Screenshots go to <repo>/test-artifacts/ (git-ignored); look at them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM, called from the
# test body, would otherwise refuse to run "in an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _open_page(browser: Browser, live_server, **options) -> tuple[Page, list[str]]:
    """A page on a fresh context whose requests may only go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    server = urlsplit(live_server.url).netloc
    foreign: list[str] = []

    def only_loopback(route):
        if urlsplit(route.request.url).netloc == server:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    return context.new_page(), foreign


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page; the test fails if anything was fetched from another host."""
    page, foreign = _open_page(browser, live_server, viewport=DESKTOP)
    yield page
    page.context.close()
    assert foreign == [], f"requests left the live server: {foreign}"


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized touch page (390×844)."""
    page, foreign = _open_page(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    page.context.close()
    assert foreign == [], f"requests left the live server: {foreign}"


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the workbench."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
