"""A real `fengqiao up` process on a free loopback port, for the ops tests."""

import os
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

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_server(tmp_path: Path, extra_env: dict[str, str]) -> Running:
    port = free_port()
    env = dict(os.environ, FENGQIAO_HOME=str(tmp_path / "home"), **extra_env)
    # Always the embedded database: never the one a PostgreSQL test run points at.
    env.pop("FENGQIAO_DATABASE_URL", None)
    output = tmp_path / "up.log"
    cmd = [sys.executable, "-m", "fengqiao", "up", "--port", str(port), "--workers", "1"]
    with output.open("wb") as log:
        process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Running(process, f"http://127.0.0.1:{port}", output, time.monotonic())
