"""Task bodies: `document.extract` and `document.callback`. Thin: ids in, pipeline, rows out.

Idempotent by construction: a claim under a lease with an attempt counter, and one stored
extraction per generation, so a redelivered or duplicated message leaves one result.
Bad input is never retried (it is a result, not a fault); database and storage faults are.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from celery import Task
from sqlalchemy.exc import OperationalError

from extractors.pipeline import run_pipeline
from service.bootstrap import get_container
from service.db.documents import ClaimOutcome, claim_document, get_document_by_id, store_extraction
from service.db.session import unit_of_work
from service.storage import BlobStoreUnavailableError
from service.worker.app import app

log = logging.getLogger("docproc.worker")

RETRYABLE = (OperationalError, BlobStoreUnavailableError)


@app.task(name="document.extract", bind=True, max_retries=8)
def extract_document(self: Task, document_id: str, generation: int) -> str:  # type: ignore[type-arg]
    """Claim the document, run the pipeline on its bytes, store the envelope; returns the status."""
    container = get_container()
    settings = container.settings
    doc_id = uuid.UUID(document_id)
    try:
        with unit_of_work(container.sessions) as session:
            claim = claim_document(
                session, doc_id, generation,
                lease=timedelta(seconds=settings.worker.lease_s),
                max_attempts=settings.worker.max_attempts,
                owner=str(self.request.id),
            )  # fmt: skip
            if claim.outcome is not ClaimOutcome.CLAIMED or claim.document is None:
                log.info("document.extract skipped", extra={"document_id": document_id,
                                                             "outcome": claim.outcome})  # fmt: skip
                return str(claim.outcome)
            sha256, source = claim.document.sha256, claim.document.filename or document_id
        data = container.blobs.read_bytes(sha256)
        envelope = run_pipeline(data, source, settings.extraction)
        with unit_of_work(container.sessions) as session:
            document = get_document_by_id(session, doc_id)
            if document is None or document.generation != generation:
                return "stale"
            store_extraction(session, document, envelope)
            status = str(document.status)
            callback = document.callback_url
    except RETRYABLE as error:
        log.warning("document.extract retry", extra={"document_id": document_id,
                                                      "error": str(error)})  # fmt: skip
        raise self.retry(exc=error, countdown=min(2**self.request.retries, 60)) from error
    if callback:
        app.send_task("document.callback", args=[document_id], queue="push")
    return status
