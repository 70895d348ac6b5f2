"""Start-up: wall time of `docproc extract` on one small PDF, beside a bare `python -c pass`.

Median of several runs of the real console script in a subprocess, so import cost is what
is measured. Writes bench/out/startup.json.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "samples" / "classic_left-000001.pdf"
DOCPROC = ROOT / ".venv" / "bin" / "docproc"
OUT = ROOT / "bench" / "out"


def _wall(command: list[str], runs: int) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Measure and print the start-up figures."""
    runs = 7
    bare = _wall([sys.executable, "-c", "pass"], runs)
    extract = _wall([str(DOCPROC), "extract", str(SAMPLE)], runs)
    schema = _wall([str(DOCPROC), "schema"], runs)
    figures = {"python_s": bare, "extract_one_pdf_s": extract, "schema_s": schema}
    OUT.mkdir(exist_ok=True)
    (OUT / "startup.json").write_text(json.dumps(figures, indent=2))
    print("| start-up (median of 7) | wall time |\n|---|---:|")
    print(f"| bare `python -c pass` | {bare:.2f} s |")
    print(f"| `docproc extract` one small PDF | {extract:.2f} s |")
    print(f"| `docproc schema` | {schema:.2f} s |")


if __name__ == "__main__":
    main()
