"""Per-queue time limits: a Celery `Request` that takes its limits from the queue it came by.

Celery's limits belong to a task or a whole worker; RELIABILITY.md wants them per queue (OCR
long, intake and push short), whoever sends the message. Owns only that choice; a limit set
explicitly on the message still wins. Must not touch the database or the broker.
"""

from __future__ import annotations

from typing import Any, ClassVar

from celery import Task
from celery.worker.request import Request


class QueueTimeLimitRequest(Request):
    """A request whose (hard, soft) time limits default to those of its delivery queue."""

    # queue -> (soft, hard) seconds; filled by `make_celery` from the settings.
    queue_limits: ClassVar[dict[str, tuple[int, int]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if any(self.time_limits):
            return
        queue = (self.delivery_info or {}).get("routing_key")
        limits = self.queue_limits.get(str(queue))
        if limits is not None:
            soft, hard = limits
            self.time_limits = (hard, soft)


class DocprocTask(Task):  # type: ignore[type-arg]
    """The base of docproc's tasks: per-queue time limits."""

    Request = "service.worker.requests:QueueTimeLimitRequest"
