"""The port through which the API hands documents to workers, and its Celery adapter.

The API only ever enqueues after its transaction commits; a lost message leaves a QUEUED
row that the reconciler re-sends. Must not import Celery at module import time: the app
factory and the API tests without a worker stay free of the broker.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from celery import Celery

EXTRACT_TASK = "document.extract"


class TaskQueue(Protocol):
    """Somewhere to send `document.extract` jobs."""

    def enqueue_extraction(self, document_id: uuid.UUID, generation: int, media_type: str) -> None:
        """Ask a worker to extract this generation of the document."""
        ...


def queue_for(media_type: str) -> str:
    """Images go to the OCR queue; everything else to intake."""
    return "ocr" if media_type.startswith("image/") else "intake"


class CeleryTaskQueue:
    """Sends tasks through a Celery app (by default the process's `service.worker.app.app`).

    Each upload publishes one message, so the per-message work is kept to Celery's own
    message building and publishing (`create_task_message`, `send_task_message` on a pooled
    producer): `send_task`'s routing of the same task to the same queue is done once and
    kept, and its result object is never built. What reaches the broker is byte for byte
    what `send_task` sends (a test compares them); inside a task it is `send_task` itself.
    """

    def __init__(self, app: Celery | None = None) -> None:
        self._app = app
        self._routes: dict[tuple[str, str], dict[str, Any]] = {}

    @property
    def app(self) -> Celery:
        """The Celery app, imported on first use."""
        if self._app is None:
            from service.worker.app import app

            self._app = app
        return self._app

    def enqueue_extraction(self, document_id: uuid.UUID, generation: int, media_type: str) -> None:
        """Send `document.extract` with `[id, generation]` to the queue for its media type."""
        self.send(EXTRACT_TASK, [str(document_id), generation], queue_for(media_type))

    def send(self, name: str, args: list[Any], queue: str, task_id: str | None = None) -> str:
        """Publish task `name` with positional `args` to `queue`; the task id."""
        app = self.app
        task_id = task_id or str(uuid.uuid4())
        # argsrepr given: Celery would otherwise `saferepr` the arguments for every message.
        reprs: dict[str, Any] = {"argsrepr": repr(args), "kwargsrepr": "{}"}
        if app.current_worker_task is not None:
            # Sent from inside a task (the mail poller): send_task links it to its parent.
            app.send_task(name, args=args, queue=queue, task_id=task_id, **reprs)
            return task_id
        options = dict(self._routed(name, args, queue), **reprs)
        amqp = app.amqp
        message = amqp.create_task_message(
            task_id, name, args, None, reply_to=app.thread_oid,
            create_sent_event=app.conf.task_send_sent_event, ignore_result=None, **options,
        )  # fmt: skip
        with app.producer_or_acquire() as producer:
            amqp.send_task_message(producer, name, message, **options)
        return task_id

    def _routed(self, name: str, args: list[Any], queue: str) -> dict[str, Any]:
        """`send_task`'s routing of `name` to `queue` (static: task routes are by name)."""
        key = (name, queue)
        routed = self._routes.get(key)
        if routed is None:
            routed = self._routes[key] = self.app.amqp.router.route(
                {"queue": queue}, name, tuple(args)
            )
        return routed

    def warm(self) -> None:
        """Import Celery and its app now, in a server process's start-up, rather than in the
        first upload it serves."""
        self.app.amqp.producer_pool  # noqa: B018 - building the pool is the point
