"""What the worker's tasks do, as plain functions of a `Container`: testable without Celery.

Owns the order of one extraction (claim, read, pipeline, store) and of one reconciliation
pass (requeue expired leases and stale QUEUED rows, commit, then enqueue). The database is
the truth: a row is changed and committed before any message is sent, so a lost message is
found again by the next pass. Must not retry, sleep for backoff or know about Celery; the
task wrappers in `tasks.py` do that.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from extractors.pipeline import run_pipeline
from service.bootstrap import Container
from service.db.documents import (
    ClaimOutcome,
    claim_document,
    expired_leases,
    fail_document,
    get_document_by_id,
    release_claim,
    requeue_if_stuck,
    stale_queued,
    store_extraction,
)
from service.db.session import unit_of_work
from service.db.tables import utcnow
from service.observability import metrics
from service.observability.logging import bind_document
from service.ocr_engine import make_ocr_engine
from service.outbox.approval import after_extraction
from service.storage import BlobMissingError

log = logging.getLogger("docproc.worker")

# (document id, generation, media type) -> None
Enqueue = Callable[[uuid.UUID, int, str | None], None]


@dataclass(frozen=True, slots=True)
class ExtractOutcome:
    """How one delivery of `document.extract` ended."""

    status: str
    callback: bool = False


def extract(container: Container, document_id: uuid.UUID, generation: int,
            owner: str) -> ExtractOutcome:  # fmt: skip
    """Claim the document, run the pipeline on its bytes and store the envelope once.

    Raises the transient faults (database, blob store) for the caller to retry; a missing blob
    or a claim that is not ours ends the delivery without a retry.
    """
    settings = container.settings
    with unit_of_work(container.sessions) as session:
        claim = claim_document(
            session, document_id, generation,
            lease=timedelta(seconds=settings.worker.lease_s),
            max_attempts=settings.worker.max_attempts, owner=owner,
        )  # fmt: skip
        if claim.outcome is not ClaimOutcome.CLAIMED or claim.document is None:
            log.info("document.extract %s: %s", document_id, claim.outcome)
            return ExtractOutcome(str(claim.outcome))
        sha256, source = claim.document.sha256, claim.document.filename or str(document_id)
        tenant_id = claim.document.tenant_id
        scan = (claim.document.media_type or "").startswith("image/")
    bind_document(document_id=document_id, tenant=tenant_id)
    if settings.test_extract_delay_s:
        time.sleep(settings.test_extract_delay_s)
    try:
        data = container.blobs.read_bytes(sha256)
    except BlobMissingError:
        return fail(container, document_id, "blob_missing", "the uploaded file is not stored")
    with metrics.timed("ocr" if scan else "extraction"):
        envelope = run_pipeline(data, source, settings.extraction, make_ocr_engine(),
                                settings.review_threshold)  # fmt: skip
    provenance = None
    if settings.llm.mode != "off":  # the LLM tier (service/llm), imported only when it is on
        from service.llm.tier import refine_stored

        with metrics.timed("llm"):
            envelope, provenance = refine_stored(settings, container.sessions, envelope, data,
                                                 tenant_id)  # fmt: skip
        metrics.record_llm_provenance(provenance)
    with unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, document_id)
        if document is None or document.generation != generation:
            return ExtractOutcome(str(ClaimOutcome.STALE))
        result = store_extraction(session, document, envelope)
        after_extraction(session, document, envelope, settings)  # duplicates, auto-approve
        result.provenance = result.provenance or provenance
        metrics.record_processed(document.document_type, str(document.status), document.source,
                                 document.error_code)  # fmt: skip
        return ExtractOutcome(str(document.status), callback=bool(document.callback_url))


def fail(container: Container, document_id: uuid.UUID, code: str, message: str) -> ExtractOutcome:
    """Mark the document FAILED for good with a stable code (bad input, time limit)."""
    with unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, document_id)
        if document is None:
            return ExtractOutcome(str(ClaimOutcome.MISSING))
        if document.status == "processing":
            fail_document(session, document, code, message)
            metrics.record_processed(document.document_type, "failed", document.source, code)
        return ExtractOutcome(str(document.status))


def release(container: Container, document_id: uuid.UUID, owner: str, reason: str) -> bool:
    """Give a claim back after a transient fault, so the retry is not counted; best effort."""
    try:
        with unit_of_work(container.sessions) as session:
            return release_claim(session, document_id, owner, reason) is not None
    except Exception:  # the database may be the fault; the lease then expires on its own
        log.warning("could not release %s", document_id, exc_info=True)
        return False


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What one reconciliation pass re-enqueued."""

    expired_leases: list[uuid.UUID]
    stale_queued: list[uuid.UUID]


def reconcile(container: Container, enqueue: Enqueue,
              now: datetime | None = None) -> ReconcileReport:  # fmt: skip
    """Re-enqueue documents whose lease expired in PROCESSING and QUEUED ones with no progress."""
    now = now or utcnow()
    stale_after = timedelta(seconds=container.settings.worker.queued_stale_s)
    with unit_of_work(container.sessions) as session:
        candidates = [
            *((d.id, "expired") for d in expired_leases(session, now)),
            *((d.id, "stale") for d in stale_queued(session, stale_after, now)),
        ]
        # Re-checked under a row lock: a worker that claimed it meanwhile keeps it.
        requeued = [
            (document, kind)
            for document_id, kind in candidates
            if (document := requeue_if_stuck(session, document_id, stale_after=stale_after,
                                             now=now)) is not None
        ]  # fmt: skip
        todo = [(d.id, d.generation, d.media_type) for d, _ in requeued]
    # Sent after the commit: a message lost here leaves a QUEUED row the next pass finds.
    for document_id, generation, media_type in todo:
        enqueue(document_id, generation, media_type)
    if todo:
        log.info("document.reconcile: re-enqueued %d documents", len(todo))
    return ReconcileReport(
        [document.id for document, kind in requeued if kind == "expired"],
        [document.id for document, kind in requeued if kind == "stale"],
    )
