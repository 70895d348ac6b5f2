"""The Celery app, configured for the delivery guarantees in RELIABILITY.md.

Late acks with reject-on-worker-lost (a killed worker's task is redelivered), prefetch 1,
JSON only, no result backend (results live in the database), one queue per kind of work
(`intake` for light work such as text-layer PDFs and the reconciler, `ocr` for scans, `push`
for callbacks) with soft and hard time limits per queue (see `requests.py`), a memory
ceiling and a task budget per child, and beat running `document.reconcile`. With no broker
URL it uses kombu's filesystem transport under DATA_DIR/broker, so the embedded mode needs
no server; a Redis URL gets kombu's Redis transport with the fix in `redis_transport.py`.

Owns configuration and routing only: no task bodies here, and nothing that touches the
database or the blob store at import time.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import uuid
from typing import Any

from celery import Celery
from celery.signals import worker_init
from kombu import Exchange, Queue

from service.config import Settings, get_settings
from service.observability.worker_hooks import install as install_observability
from service.worker.checks import ConfigurationError, check_broker_settings
from service.worker.redis_transport import TRANSPORT_PATH as REDIS_TRANSPORT
from service.worker.requests import DocprocTask, QueueTimeLimitRequest

log = logging.getLogger("docproc.worker")

QUEUE_INTAKE = "intake"
QUEUE_OCR = "ocr"
QUEUE_CALLBACKS = "push"
QUEUE_MAIL = "mail"
QUEUES = (QUEUE_INTAKE, QUEUE_OCR, QUEUE_CALLBACKS, QUEUE_MAIL)

TASK_EXTRACT = "document.extract"
TASK_CALLBACK = "document.callback"
TASK_RECONCILE = "document.reconcile"
TASK_OUTBOX_DISPATCH = "outbox.dispatch"
TASK_OUTBOX_PUSH = "outbox.push"
TASK_MAIL_POLL = "mail.poll"
TASK_ALERTS_EVALUATE = "alerts.evaluate"

# Stable task name -> queue. Senders name tasks only; routing lives here.
ROUTES: dict[str, str] = {
    TASK_EXTRACT: QUEUE_OCR,
    TASK_CALLBACK: QUEUE_CALLBACKS,
    TASK_RECONCILE: QUEUE_INTAKE,
    TASK_OUTBOX_DISPATCH: QUEUE_CALLBACKS,
    TASK_OUTBOX_PUSH: QUEUE_CALLBACKS,
    TASK_MAIL_POLL: QUEUE_MAIL,
    TASK_ALERTS_EVALUATE: QUEUE_CALLBACKS,  # short tasks: never starved by a document backlog
}

_TASK_MODULES = ("service.worker.tasks", "service.worker.callbacks", "service.outbox.tasks",
                 "service.mail.tasks", "service.observability.tasks")  # fmt: skip


def queue_time_limits(settings: Settings) -> dict[str, tuple[int, int]]:
    """Soft and hard time limits (seconds) of each queue."""
    worker = settings.worker
    return {
        QUEUE_INTAKE: (worker.intake_soft_time_limit_s, worker.intake_time_limit_s),
        QUEUE_OCR: (worker.ocr_soft_time_limit_s, worker.ocr_time_limit_s),
        QUEUE_CALLBACKS: (worker.push_soft_time_limit_s, worker.push_time_limit_s),
    }


def _broker(settings: Settings) -> tuple[str, dict[str, Any]]:
    """Broker URL and transport options for the settings."""
    if settings.broker.url and settings.broker.url.startswith(("amqp", "pyamqp")):
        # The broker confirms each publish, so an enqueue that returned was really stored.
        return settings.broker.url, {"confirm_publish": True}
    if settings.broker.url:
        # Longer than the longest hard time limit, so a slow task is not delivered twice.
        return settings.broker.url, {"visibility_timeout": settings.broker.visibility_timeout_s}
    folder = (settings.data_dir / "broker").resolve()
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    return "filesystem://", options


def _broker_transport(url: str | None) -> str | None:
    """Our Redis transport for a Redis URL (a worker that survives losing Redis: see
    `redis_transport`); None lets kombu choose by the URL's scheme."""
    if url and url.split(":", 1)[0] in {"redis", "rediss"}:
        return REDIS_TRANSPORT
    return None


def _task_modules() -> list[str]:
    """Modules holding tasks; the callback module is included once it exists."""
    return [name for name in _TASK_MODULES if importlib.util.find_spec(name) is not None]


def make_celery(settings: Settings) -> Celery:
    """A Celery app for these settings."""
    url, transport_options = _broker(settings)
    app: Celery = Celery("docproc", broker=url, include=_task_modules(), task_cls=DocprocTask)
    QueueTimeLimitRequest.queue_limits = queue_time_limits(settings)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        result_backend=None,
        broker_transport=_broker_transport(settings.broker.url),
        broker_transport_options=transport_options,
        result_backend_transport_options=dict(transport_options),
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_enable_soft_shutdown_on_idle=True,
        worker_soft_shutdown_timeout=10.0,
        worker_max_memory_per_child=settings.worker.max_memory_per_child_kb,
        worker_max_tasks_per_child=settings.worker.max_tasks_per_child,
        worker_enable_remote_control=not settings.embedded_broker,
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue=QUEUE_INTAKE,
        task_routes={name: {"queue": queue} for name, queue in ROUTES.items()},
        # Fallback for a queue without its own limits: the longest.
        task_soft_time_limit=settings.worker.ocr_soft_time_limit_s,
        task_time_limit=settings.worker.ocr_time_limit_s,
        beat_schedule={
            "reconcile-documents": {
                "task": TASK_RECONCILE,
                "schedule": settings.worker.reconcile_interval_s,
                "options": {"queue": QUEUE_INTAKE, "expires": settings.worker.reconcile_interval_s},
            },
            "dispatch-outbox": {
                "task": TASK_OUTBOX_DISPATCH,
                "schedule": settings.connectors.dispatch_interval_s,
                "options": {
                    "queue": QUEUE_CALLBACKS,
                    "expires": settings.connectors.dispatch_interval_s,
                },
            },
            "poll-mail": {
                "task": TASK_MAIL_POLL,
                "schedule": settings.mail.poll_interval_s,
                "options": {"queue": QUEUE_MAIL, "expires": settings.mail.poll_interval_s},
            },
            "evaluate-alerts": {
                "task": TASK_ALERTS_EVALUATE,
                "schedule": settings.observability.alert_interval_s,
                "options": {
                    "queue": QUEUE_CALLBACKS,
                    "expires": settings.observability.alert_interval_s,
                },
            },
        },
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    return app


def extract_queue(media_type: str | None) -> str:
    """The queue extraction of this media type belongs on: text PDFs `intake`, scans `ocr`."""
    if media_type is None or media_type.startswith("image/"):
        return QUEUE_OCR  # unknown: the queue with the longest limits
    return QUEUE_INTAKE


def enqueue_extract(
    celery: Celery, document_id: uuid.UUID, generation: int, media_type: str | None = None
) -> None:
    """Send `document.extract` for one document generation to the queue for its media type."""
    celery.send_task(
        TASK_EXTRACT, args=[str(document_id), generation], queue=extract_queue(media_type)
    )


def _refuse_bad_config(sender: Any = None, **_kwargs: Any) -> None:
    """At worker start: exit rather than run with settings that break delivery guarantees."""
    try:
        check_broker_settings(get_settings())
    except ConfigurationError as error:
        log.critical("refusing to start: %s", error)
        sys.stderr.write(f"docproc worker: refusing to start: {error}\n")
        sys.stderr.flush()
        raise SystemExit(2) from error


worker_init.connect(_refuse_bad_config, weak=False)
install_observability()  # logging, task context, metrics folder (service/observability)

app = make_celery(get_settings())
