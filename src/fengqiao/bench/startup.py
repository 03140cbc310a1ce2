"""``fengqiao bench startup``: how long a first start takes — the README's first command on
a fresh machine. ``fengqiao up`` on an empty home (embedded SQLite): migrate, load the demo
city, collect nothing (static files are served from the package), serve; timed to the
first 200 of the login page, with the demo's own load time read from the server's log.

These are targets, so they live here and not in timed tests (a wall-clock assertion
fails on a busy machine and proves nothing on a quiet one).
"""

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Targets: a new user waits for the demo city, then for the first page.
DEMO_TARGET_SECONDS = 30.0
FIRST_PAGE_TARGET_SECONDS = 60.0
GIVE_UP_SECONDS = 180.0
DEMO_LINE = re.compile(r"已载入演示城市（([\d.]+) 秒）")


@dataclass
class Start:
    first_page: float  # seconds from the process start to the login page's first 200
    demo: float  # the demo city's load, as the server reports it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def cold_start() -> Start:
    """One ``fengqiao up`` on an empty home; stopped with SIGTERM after the first page."""
    with tempfile.TemporaryDirectory(prefix="fq-startup-") as home:
        port = _free_port()
        env = dict(os.environ, FENGQIAO_HOME=home)
        env.pop("FENGQIAO_DATABASE_URL", None)  # the embedded default, as on a new machine
        env.pop("FENGQIAO_PRODUCTION", None)
        log = Path(home) / "up.log"
        cmd = [sys.executable, "-m", "fengqiao", "up", "--port", str(port), "--workers", "1"]
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            first_page = _wait_for_login(process, port, started, log)
            found = DEMO_LINE.search(log.read_text())
            if found is None:
                raise RuntimeError(f"fengqiao up 未报告演示城市载入时间：\n{log.read_text()}")
            return Start(first_page=first_page, demo=float(found.group(1)))
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_login(process: subprocess.Popen, port: int, started: float, log: Path) -> float:
    url = f"http://127.0.0.1:{port}/accounts/login/"
    while time.monotonic() - started < GIVE_UP_SECONDS:
        if process.poll() is not None:
            raise RuntimeError(f"fengqiao up 提前退出：\n{log.read_text()}")
        try:
            if _status(url) == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"fengqiao up 在 {GIVE_UP_SECONDS:.0f} 秒内未能响应：\n{log.read_text()}")


def run(repeat: int, out) -> list[Start]:
    """``repeat`` cold starts; prints each and the medians against the targets."""
    starts = []
    for i in range(repeat):
        start = cold_start()
        starts.append(start)
        out(f"  第 {i + 1} 次：首页 {start.first_page:.1f} 秒，演示城市 {start.demo:.1f} 秒")
    first = statistics.median(s.first_page for s in starts)
    demo = statistics.median(s.demo for s in starts)
    first_mark = "✓" if first < FIRST_PAGE_TARGET_SECONDS else "✗"
    demo_mark = "✓" if demo < DEMO_TARGET_SECONDS else "✗"
    out(
        f"冷启动（中位数，{repeat} 次）："
        f"首页 {first:.1f} 秒（目标 < {FIRST_PAGE_TARGET_SECONDS:.0f}）{first_mark}，"
        f"演示城市 {demo:.1f} 秒（目标 < {DEMO_TARGET_SECONDS:.0f}）{demo_mark}"
    )
    return starts
