"""`docproc api [--host H] [--port P] [--workers N]`: serve the HTTP API with uvicorn on
DOCPROC_* settings.

Owns only starting the server; the app itself is `service.api.create_app`. With `--workers N`
uvicorn runs N server processes on one socket, each building its own app (and its own
database pool) from `service.api.app:create_served_app`: one process is one core's worth of
Python.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def run(argv: Sequence[str]) -> int:
    """Serve until stopped; returns the exit status."""
    parser = argparse.ArgumentParser(prog="docproc api", description="run the HTTP API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--workers", type=_positive, default=1, help="server processes (default 1; one per core)"
    )
    args = parser.parse_args(list(argv))

    from service.config import get_settings
    from service.observability.multiproc import prepare_multiproc_dir

    settings = get_settings()
    prepare_multiproc_dir(settings)  # before prometheus_client loads: workers' metrics too

    import uvicorn

    if not settings.database.url:
        # Embedded SQLite: nobody else migrates it. A server database is migrated by
        # `docproc db upgrade` before deploys.
        from service.db.migrations import upgrade_database

        upgrade_database(settings.database_url)
    options = {"host": args.host, "port": args.port, "log_level": args.log_level,
               "proxy_headers": True, "timeout_keep_alive": 5}  # fmt: skip
    if args.workers > 1:
        uvicorn.run(_APP_FACTORY, factory=True, workers=args.workers, **options)
    else:
        from service.api.app import create_served_app

        uvicorn.run(create_served_app(), **options)
    return 0


_APP_FACTORY = "service.api.app:create_served_app"


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value
