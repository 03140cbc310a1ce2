"""``fengqiao bench startup`` times a real first start on an empty home and reports the
demo city's load and the first page against their targets (the targets live there, not in
timed tests)."""

import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.slow


def test_bench_startup_times_a_first_start_and_reads_the_demo_load_from_the_server():
    out = io.StringIO()

    call_command("bench", "startup", "--repeat", "1", stdout=out)

    text = out.getvalue()
    one = re.search(r"第 1 次：首页 ([\d.]+) 秒，演示城市 ([\d.]+) 秒", text)
    assert one, text
    first_page, demo = float(one.group(1)), float(one.group(2))
    # The page comes after the demo city is loaded (and migrations before it).
    assert 0 < demo < first_page
    summary = re.search(
        r"冷启动（中位数，1 次）：首页 ([\d.]+) 秒（目标 < 60）[✓✗]，"
        r"演示城市 ([\d.]+) 秒（目标 < 30）[✓✗]",
        text,
    )
    assert summary, text
    assert (float(summary.group(1)), float(summary.group(2))) == (first_page, demo)
