"""`docproc api [--host H] [--port P]`: serve the HTTP API with uvicorn on DOCPROC_* settings.

Owns only starting the server; the app itself is `service.api.create_app`.
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
    args = parser.parse_args(list(argv))

    from service.config import get_settings
    from service.observability.multiproc import prepare_multiproc_dir

    settings = get_settings()
    prepare_multiproc_dir(settings)  # before prometheus_client loads: workers' metrics too

    import uvicorn

    from service.api import create_app
    from service.api.logs import install_access_log_redaction

    if not settings.database.url:
        # Embedded SQLite: nobody else migrates it. A server database is migrated by
        # `docproc db upgrade` before deploys.
        from service.db.migrations import upgrade_database

        upgrade_database(settings.database_url)
    install_access_log_redaction()
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        proxy_headers=True,
        timeout_keep_alive=5,
    )
    return 0
