"""Production mode (FENGQIAO_PRODUCTION=1) refuses a configuration that would be unsafe."""

import os
import subprocess
import sys

import pytest


def fengqiao(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("FENGQIAO_") or k == "FENGQIAO_HOME"
    }
    environment.update(FENGQIAO_HOME=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "fengqiao", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = fengqiao(tmp_path, "up", FENGQIAO_PRODUCTION="1")

    assert result.returncode == 2
    assert "FENGQIAO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = fengqiao(
        tmp_path, "up", FENGQIAO_PRODUCTION="1", FENGQIAO_SECRET_KEY="s" * 50, FENGQIAO_DEBUG="1"
    )

    assert result.returncode == 2
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize("debug", ["0", ""])
def test_production_with_a_secret_key_and_debug_off_passes_the_checks(tmp_path, debug):
    result = fengqiao(
        tmp_path,
        "check",
        FENGQIAO_PRODUCTION="1",
        FENGQIAO_SECRET_KEY="s" * 50,
        FENGQIAO_DEBUG=debug,
    )

    assert result.returncode == 0, result.stderr


def test_development_mode_runs_with_the_built_in_key(tmp_path):
    result = fengqiao(tmp_path, "check")

    assert result.returncode == 0, result.stderr
