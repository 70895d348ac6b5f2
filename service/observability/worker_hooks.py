"""Celery signal hooks: logging configured in every worker process, task context bound to
every log line, per-process metric files cleaned up, an optional worker /metrics server.

`install()` is called once by `service.worker.app`. Must not import prometheus_client at
import time: the multiprocess folder is set first (`multiproc.prepare_multiproc_dir`).
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from typing import Any

from celery.signals import (
    celeryd_init,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
)

from service.config import get_settings
from service.observability.logging import bind_document, clear_context, configure_logging
from service.observability.multiproc import prepare_multiproc_dir

log = logging.getLogger("docproc.worker")


def _document_of(args: Any) -> str | None:
    """The first argument when it is a UUID (document.extract, document.callback)."""
    if isinstance(args, list | tuple) and args and isinstance(args[0], str):
        try:
            return str(uuid.UUID(args[0]))
        except ValueError:
            return None
    return None


def on_task_prerun(task_id: str | None = None, task: Any = None, args: Any = None,
                   **_kwargs: Any) -> None:  # fmt: skip
    """Bind task_id, the task name as stage and, for document tasks, document_id."""
    clear_context()
    name = str(getattr(task, "name", "") or "")
    document_id = _document_of(args) if name.startswith("document.") else None
    bind_document(task_id=task_id, stage=name or None, document_id=document_id)


def on_task_postrun(**_kwargs: Any) -> None:
    """Forget the task's context."""
    clear_context()


def on_process_init(**_kwargs: Any) -> None:
    """A pool child started: logging as configured."""
    configure_logging(get_settings())


def on_process_shutdown(pid: int | None = None, **_kwargs: Any) -> None:
    """A pool child exits: drop its live gauge files."""
    from service.observability.metrics import mark_process_dead

    mark_process_dead(pid or os.getpid())


def on_worker_init(**_kwargs: Any) -> None:
    """The main worker process: logging, and the /metrics server when a port is set."""
    settings = get_settings()
    configure_logging(settings)
    port = settings.observability.worker_metrics_port
    if port:
        from service.observability.metrics import start_worker_server

        try:
            start_worker_server(port)
        except OSError as error:  # two workers on one host: the first one serves
            log.warning("worker metrics server on port %d not started: %s", port, error)


def on_celeryd_init(**_kwargs: Any) -> None:
    """A worker starts (before its task modules load): metric files under DATA_DIR/metrics."""
    prepare_multiproc_dir(get_settings())


def _is_worker_command() -> bool:
    """True in `celery … worker` and `docproc worker` (not in the API, beat or tests)."""
    return "worker" in sys.argv[1:]


def install() -> None:
    """Connect the hooks (idempotent: Celery ignores a second identical connection)."""
    if _is_worker_command():  # before the task modules import prometheus_client
        prepare_multiproc_dir(get_settings())
    celeryd_init.connect(on_celeryd_init, weak=False, dispatch_uid="docproc-obs-celeryd")
    task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="docproc-obs-prerun")
    task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="docproc-obs-postrun")
    worker_process_init.connect(on_process_init, weak=False, dispatch_uid="docproc-obs-pinit")
    worker_process_shutdown.connect(on_process_shutdown, weak=False,
                                    dispatch_uid="docproc-obs-pshutdown")  # fmt: skip
    worker_init.connect(on_worker_init, weak=False, dispatch_uid="docproc-obs-winit")
