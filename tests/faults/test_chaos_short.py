"""The short chaos run CI does (`make chaos` runs 300 documents): real API, worker and beat
processes on a private PostgreSQL and Redis, while a pool process is SIGKILLed, Redis and
PostgreSQL restart, the blob store's disk fills and the export receiver hangs. Counted from
the database and the receivers: nothing lost, duplicated or exported twice; alerts raised;
everything recovers without a person."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from bench import chaos

pytestmark = [pytest.mark.faults, pytest.mark.slow]
COUNT = int(os.environ.get("DOCPROC_CHAOS_COUNT", "20"))


def test_short_chaos_run_loses_and_duplicates_nothing() -> None:
    """CHAOS lost=0 duplicated=0 exported_twice=0 recovered=yes, and at least one alert."""
    if shutil.which("redis-server") is None or not list(
        Path("/usr/lib/postgresql").glob("*/bin/initdb")
    ):
        pytest.skip("redis-server or PostgreSQL binaries are missing")
    result = chaos.execute(COUNT, timeout_s=240, pace_s=0.05)
    sys.stderr.write(result.line() + "\n")
    assert (result.lost, result.duplicated, result.exported_twice) == (0, 0, 0), result.detail
    assert result.recovered, result.detail
    assert result.alerts_raised >= 1, result.detail
    if "blob store disk filled for 12 s" in result.detail["faults"]:
        assert "disk_full:resolved" in result.detail["alerts"], result.detail
    assert result.detail["exports"] >= 1, result.detail
    assert result.detail["metrics"]["processed"] >= COUNT / 2, result.detail  # workers' metrics
