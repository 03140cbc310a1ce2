"""`fengqiao up` really serves: a gunicorn process on loopback, started on an empty
database, answering the login page and static files, stopped cleanly by a signal."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# Generous: a cold start (migrations, demo city, static files) takes a few seconds here.
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Running:
    def __init__(self, process: subprocess.Popen, base: str, output: Path, started: float):
        self.process, self.base, self.output, self.started = process, base, output, started

    def wait_for_login_page(self) -> tuple[float, bytes]:
        deadline = self.started + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"fengqiao up exited early:\n{self.output.read_text()}")
            try:
                status, body = get(self.base + "/accounts/login/")
            except OSError:
                time.sleep(0.1)
                continue
            if status == 200:
                return time.monotonic() - self.started, body
            time.sleep(0.1)
        pytest.fail(f"no 200 within {START_TIMEOUT} s:\n{self.output.read_text()}")

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)


@pytest.fixture
def start_up(tmp_path):
    """Start `fengqiao up` on a free loopback port with an empty FENGQIAO_HOME."""
    processes: list[subprocess.Popen] = []

    def start(*, extra_env: dict[str, str] | None = None) -> Running:
        port = free_port()
        env = dict(os.environ, FENGQIAO_HOME=str(tmp_path / "home"), **(extra_env or {}))
        # Always the embedded database: never the one a PostgreSQL test run points at.
        env.pop("FENGQIAO_DATABASE_URL", None)
        output = tmp_path / "up.log"
        cmd = [sys.executable, "-m", "fengqiao", "up", "--port", str(port), "--workers", "1"]
        with output.open("wb") as log:
            process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        processes.append(process)
        return Running(process, f"http://127.0.0.1:{port}", output, time.monotonic())

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


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
    assert seconds < 60
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
