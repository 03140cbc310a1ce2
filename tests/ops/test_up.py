"""`fengqiao up` really serves: a gunicorn process on loopback, started on an empty
database, answering the login page and static files, stopped cleanly by a signal."""

import re
import signal

import pytest

from tests.ops.server import get

# A cold start takes 2–6 s alone, up to 20 s on a busy 2-core machine; its target lives in
# `fengqiao bench startup` (bench/README.md), not here.
pytestmark = pytest.mark.slow


def test_up_serves_the_chinese_login_page_and_static_files_then_stops_on_ctrl_c(start_up):
    server = start_up()

    seconds, body = server.wait_for_login_page()
    page = body.decode()
    print(f"fengqiao up: first 200 after {seconds:.1f} s on an empty database")

    assert "登录" in page
    assert 'lang="zh-CN"' in page
    assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
    assets.add("/static/admin/css/base.css")
    for asset in sorted(assets):
        status, content = get(server.base + asset)
        assert (status, bool(content)) == (200, True), asset
    assert server.stop(signal.SIGINT) == 0
    log = server.output.read_text()
    assert "演示账号" in log
    assert server.base + "/" in log


def test_up_stops_cleanly_on_sigterm(start_up):
    server = start_up()
    server.wait_for_login_page()

    assert server.stop(signal.SIGTERM) == 0


def test_up_in_production_mode_does_not_load_the_demo_city(start_up):
    server = start_up(
        extra_env={"FENGQIAO_PRODUCTION": "1", "FENGQIAO_SECRET_KEY": "k" * 50 + "-ops-test"}
    )
    server.wait_for_login_page()

    assert server.stop(signal.SIGINT) == 0
    log = server.output.read_text()
    assert "演示账号" not in log
    assert "已载入演示城市" not in log
