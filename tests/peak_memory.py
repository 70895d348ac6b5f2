"""Peak memory of a command, measured by GNU time in a process of its own.

Why not `resource.getrusage(RUSAGE_CHILDREN)` or `os.wait4` from the test process: on Linux a
child's ru_maxrss keeps the high-water mark of the memory it was forked from, so a command
started by a pytest process that has grown to 900 MB would report 900 MB whatever it used.
`/usr/bin/time` is tiny, so what it reports for the command (and the children it waited for)
is the command's own peak.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

TIME = "/usr/bin/time"


def run_with_peak_rss(
    argv: Sequence[str], cwd: Path | None = None, timeout: float = 600
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a command; its completed process and its peak resident memory in MiB."""
    with tempfile.NamedTemporaryFile(suffix=".time") as figures:
        run = subprocess.run(
            [TIME, "-f", "%M", "-o", figures.name, *argv],
            capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False,
        )  # fmt: skip
        peak_kib = int(Path(figures.name).read_text().split()[-1])
    return run, peak_kib / 1024
