"""The port through which the API hands documents to workers, and its Celery adapter.

The API only ever enqueues after its transaction commits; a lost message leaves a QUEUED
row that the reconciler re-sends. Must not import Celery at module import time: the app
factory and the API tests without a worker stay free of the broker.
"""

from __future__ import annotations

import uuid
from typing import Protocol

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
    """Sends tasks through the process's Celery app (`service.worker.app.app`)."""

    def enqueue_extraction(self, document_id: uuid.UUID, generation: int, media_type: str) -> None:
        """Send `document.extract` with `[id, generation]` to the queue for its media type."""
        from service.worker.app import app

        app.send_task(
            EXTRACT_TASK, args=[str(document_id), generation], queue=queue_for(media_type)
        )
