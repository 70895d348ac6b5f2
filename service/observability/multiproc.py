"""Where prometheus-client keeps per-process metric files: DATA_DIR/metrics.

Owns setting `PROMETHEUS_MULTIPROC_DIR` before `prometheus_client` is first imported (it
reads the variable at import time), so every worker child and the API on one host write to
one folder the API's /metrics sums up. Must not import prometheus_client.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from service.config import Settings

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiproc_dir(settings: Settings) -> Path | None:
    """Create DATA_DIR/metrics and point the environment at it; None when too late (already
    imported without it) or when an operator chose another folder."""
    if os.environ.get(ENV):
        folder = Path(os.environ[ENV])
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    if "prometheus_client" in sys.modules:
        return None
    folder = (settings.data_dir / "metrics").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(folder)
    return folder
