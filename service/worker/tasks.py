"""Task bodies: `document.extract` and `document.reconcile`. Thin: ids in, a job, rows out.

Idempotent by construction: a claim under a lease with an attempt counter, and one stored
extraction per generation, so a redelivered or duplicated message leaves one result.
Only transient faults (database, blob store) are retried, with exponential backoff capped
at a few minutes; bad input is a result, never retried. Must not hold logic of its own:
the steps live in `jobs.py`.
"""

from __future__ import annotations

import logging
import random
import uuid
from functools import partial

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from service.bootstrap import get_container
from service.storage import BlobStoreUnavailableError
from service.worker import jobs
from service.worker.app import TASK_CALLBACK, TASK_EXTRACT, TASK_RECONCILE, app, enqueue_extract

log = logging.getLogger("docproc.worker")

RETRYABLE = (OperationalError, BlobStoreUnavailableError)


def backoff_s(retries: int, cap_s: int) -> float:
    """Exponential backoff with jitter for the n-th retry, never above `cap_s`."""
    base: float = min(2.0**retries, float(cap_s))
    return base / 2 + random.uniform(0, base / 2)


@app.task(name=TASK_EXTRACT, bind=True, max_retries=None)
def extract_document(self: Task, document_id: str, generation: int) -> str:  # type: ignore[type-arg]
    """Extract one document generation; returns the document's status or why it was skipped."""
    container = get_container()
    worker = container.settings.worker
    doc_id, owner = uuid.UUID(document_id), str(self.request.id)
    try:
        outcome = jobs.extract(container, doc_id, generation, owner)
    except SoftTimeLimitExceeded:
        return jobs.fail(container, doc_id, "timeout", "processing took too long").status
    except RETRYABLE as error:
        jobs.release(container, doc_id, owner, type(error).__name__)
        if self.request.retries >= worker.retry_max:
            raise  # left QUEUED: the reconciler sends it again once it is stale
        log.warning("document.extract %s: retrying after %r", document_id, error)
        countdown = backoff_s(self.request.retries, worker.retry_backoff_max_s)
        raise self.retry(exc=error, countdown=countdown) from error
    if outcome.callback:
        app.send_task(TASK_CALLBACK, args=[document_id])
    return outcome.status


@app.task(name=TASK_RECONCILE)
def reconcile_documents() -> dict[str, int]:
    """Re-enqueue documents the database says are stuck; returns how many of each kind."""
    report = jobs.reconcile(get_container(), partial(enqueue_extract, app))
    return {"expired_leases": len(report.expired_leases), "stale_queued": len(report.stale_queued)}
