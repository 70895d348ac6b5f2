"""CI's bounded fuzz run: the atheris target on the sniff/guard stage for a few seconds (`make
fuzz` runs it for 600 s). Any crash or invariant breach fails the test with its input."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("DOCPROC_FUZZ_SECONDS", "10"))


def test_sniff_fuzz_target_runs_without_a_crash(tmp_path: Path) -> None:
    """libFuzzer exits 0 after the time budget with no crash artifact."""
    if importlib.util.find_spec("atheris") is None:
        pytest.skip("atheris is not installed")
    argv = [
        sys.executable,
        "-m",
        "tests.fuzz.fuzz_sniff",
        f"-max_total_time={SECONDS}",
        "-rss_limit_mb=1024",
        f"-artifact_prefix={tmp_path}/",
    ]
    done = subprocess.run(
        argv, cwd=PROJECT, capture_output=True, timeout=SECONDS + 120, check=False
    )
    tail = done.stderr.decode(errors="replace")[-3000:]
    assert done.returncode == 0, tail
    assert not list(tmp_path.glob("crash-*")), tail
    assert "Done" in tail
