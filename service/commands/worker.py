"""`docproc worker`: a Celery worker configured by DOCPROC_* (PostgreSQL + Redis or RabbitMQ).

Owns the start-up order: refuse unsafe settings (F17), migrate an embedded database, then
hand over to Celery's own worker (or beat) main loop. Must not run tasks itself.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from service.config import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docproc worker", description="Run a Celery worker.")
    parser.add_argument("-Q", "--queues", default="intake,ocr,push,mail",
                        help="comma-separated queues to consume (default: all)")  # fmt: skip
    parser.add_argument("-c", "--concurrency", type=int, default=None,
                        help="pool processes (default: DOCPROC_WORKER__CONCURRENCY)")  # fmt: skip
    parser.add_argument("-n", "--hostname", default=None, help="node name, e.g. ocr@%%h")
    parser.add_argument("--beat", action="store_true",
                        help="run beat (the reconciler's clock) instead of a worker")  # fmt: skip
    parser.add_argument("-l", "--loglevel", default="INFO")
    return parser


def celery_argv(args: argparse.Namespace, concurrency: int, schedule: str) -> list[str]:
    """The arguments handed to Celery's command line for these options."""
    if args.beat:
        return ["beat", "--schedule", schedule, "--loglevel", args.loglevel]
    argv = ["worker", "--queues", args.queues, "--concurrency", str(concurrency),
            "--pool", "prefork", "--loglevel", args.loglevel]  # fmt: skip
    if args.hostname:
        argv += ["--hostname", args.hostname]
    return argv


def run(argv: Sequence[str]) -> int:
    """Check the settings, migrate an embedded database, then run the worker; exit status."""
    args = _parser().parse_args(list(argv))
    settings = get_settings()
    from service.worker.checks import ConfigurationError, check_broker_settings

    try:
        check_broker_settings(settings)
    except ConfigurationError as error:
        sys.stderr.write(f"docproc worker: refusing to start: {error}\n")
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not settings.database.url:
        from service.db.migrations import upgrade_database

        upgrade_database(settings.database_url)
    from service.worker.app import app

    schedule = str((settings.data_dir / "beat-schedule").resolve())
    concurrency = args.concurrency or settings.worker.concurrency
    celery_args = celery_argv(args, concurrency, schedule)
    try:
        if args.beat:
            app.start(celery_args)
        else:
            app.worker_main(celery_args)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
