"""The Celery app, configured for the delivery guarantees in RELIABILITY.md.

Late acks with reject-on-worker-lost (a killed worker's task is redelivered), prefetch 1,
JSON only, no result backend (results live in the database), separate queues for light and
OCR-heavy work, and a memory ceiling per child. With no broker URL it uses kombu's
filesystem transport under DATA_DIR/broker, so the embedded mode needs no server.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Queue

from service.config import Settings, get_settings

QUEUE_INTAKE = "intake"
QUEUE_OCR = "ocr"
QUEUE_CALLBACKS = "push"
QUEUES = (QUEUE_INTAKE, QUEUE_OCR, QUEUE_CALLBACKS)


def _broker(settings: Settings) -> tuple[str, dict[str, Any]]:
    """Broker URL and transport options for the settings."""
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


def make_celery(settings: Settings) -> Celery:
    """A Celery app for these settings."""
    url, transport_options = _broker(settings)
    app = Celery("docproc", broker=url, include=["service.worker.tasks"])
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
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_max_memory_per_child=settings.worker.max_memory_per_child_kb,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue=QUEUE_INTAKE,
        task_soft_time_limit=600,
        task_time_limit=720,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    return app


app = make_celery(get_settings())
