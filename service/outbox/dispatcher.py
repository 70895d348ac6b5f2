"""Draining the outbox: claim due rows, push each through its connector, record the outcome.

Plain functions of a `Container` (Celery's tasks in `tasks.py` are thin wrappers; the soak
runs them in a loop). A push reads its row under the claim, calls the adapter outside any
transaction, and records the outcome only if the claim still holds: delivered (an
`exports` row, the document exported once every row is), retry (exponential backoff with
jitter in `next_attempt_at`, never earlier than a 429's Retry-After), failed (the system
refused the data: the document goes back to review with its message) or dead (out of
attempts: an alert is raised, the row waits for a replay). Never sleeps.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Envelope
from service.alerts import Alert, AlertSink
from service.bootstrap import Container
from service.connectors import DeliveryDocument, ExternalRef, PermanentError, RetryableError
from service.db.session import unit_of_work
from service.db.tables import DocumentRecord, OutboxRecord, ResultRecord, utcnow
from service.db.tenants import signing_secret
from service.observability.metrics import record_export, timed
from service.outbox import repository
from service.outbox.configs import alias_book, get_config, secret_box
from service.outbox.registry import ConnectorFactory, ConnectorSpec
from service.outbox.repository import ClaimedRow
from service.storage import BlobMissingError

log = logging.getLogger("docproc.outbox")


def dispatch(
    container: Container,
    send: Callable[[ClaimedRow], None],
    now: datetime | None = None,
    tenant_id: uuid.UUID | None = None,
    limit: int | None = None,
) -> list[ClaimedRow]:
    """Claim the due rows (committed first), then hand each to `send`; the claims."""
    settings = container.settings.connectors
    with unit_of_work(container.sessions) as session:
        claimed = repository.claim_due(
            session,
            now=now or utcnow(),
            lease=timedelta(seconds=settings.lease_s),
            limit=settings.dispatch_batch if limit is None else limit,
            tenant_id=tenant_id,
        )
    # After the commit: a lost message leaves a claimed row that is due again after its lease.
    for claim in claimed:
        send(claim)
    return claimed


@dataclass(frozen=True)
class _Job:
    spec: ConnectorSpec
    document: DeliveryDocument
    envelope: Envelope
    sha256: str


def _result(session: Session, row: OutboxRecord) -> ResultRecord | None:
    query = select(ResultRecord).where(
        ResultRecord.document_id == row.document_id, ResultRecord.version == row.result_version
    )
    return session.scalars(query).first()


def _prepare(container: Container, claim: ClaimedRow) -> _Job | str:
    """The job of a claimed row, or the outcome when there is nothing to push."""
    with unit_of_work(container.sessions) as session:
        row = repository.get_claimed(session, claim)
        if row is None:
            return "stale"
        document = session.get(DocumentRecord, row.document_id)
        result = _result(session, row)
        config = get_config(session, row.tenant_id, row.connector)
        problem = _refusal(document, result, config is not None and config.enabled)
        if problem is not None or document is None or result is None or config is None:
            repository.mark_failed(session, row, problem or "nothing to push")
            return "failed"
        opened = secret_box(container.settings).open_settings(config.settings, str(row.tenant_id))
        spec = ConnectorSpec(
            row.tenant_id,
            row.connector,
            config.id,
            opened,
            alias_book(session, row.tenant_id, row.connector),
            signing_secret(session, row.tenant_id),
        )
        delivery = DeliveryDocument(
            id=document.id,
            tenant_id=document.tenant_id,
            delivery_id=row.id,
            filename=document.filename or f"{document.id}.pdf",
            media_type=document.media_type or "application/pdf",
            content=b"",
            result_version=row.result_version,
            project_hint=document.project_hint,
        )
        return _Job(spec, delivery, Envelope.model_validate(result.envelope), document.sha256)


def _refusal(
    document: DocumentRecord | None, result: ResultRecord | None, configured: bool
) -> str | None:
    if document is None or result is None:
        return "the document or its approved result is gone"
    if document.duplicate_of is not None:
        return f"duplicate of document {document.duplicate_of}; never exported twice"
    if not configured:
        return "the connector is not configured or disabled for this tenant"
    return None


def push_one(
    container: Container, claim: ClaimedRow, connectors: ConnectorFactory, alerts: AlertSink
) -> str:
    """Push one claimed row; delivered, retry, failed, dead or stale."""
    job = _prepare(container, claim)
    if isinstance(job, str):
        return job
    try:
        content = container.blobs.read_bytes(job.sha256)
        document = dataclasses.replace(job.document, content=content)
        with timed("export"):
            ref = connectors(job.spec).push(document, job.envelope)
    except BlobMissingError:
        return _finish(container, claim, alerts, failure="the original file is not stored")
    except PermanentError as error:
        return _finish(container, claim, alerts, failure=str(error))
    except RetryableError as error:
        return _finish(container, claim, alerts, retry=error)
    except Exception as error:  # an adapter bug or an odd answer: retried, then dead-lettered
        log.warning("outbox.push %s: unexpected %r", claim.id, error, exc_info=True)
        return _finish(container, claim, alerts, retry=RetryableError(repr(error)))
    return _finish(container, claim, alerts, ref=ref)


def _finish(
    container: Container,
    claim: ClaimedRow,
    alerts: AlertSink,
    *,
    ref: ExternalRef | None = None,
    failure: str | None = None,
    retry: RetryableError | None = None,
) -> str:
    settings = container.settings.connectors
    dead: Alert | None = None
    with unit_of_work(container.sessions) as session:
        row = repository.get_claimed(session, claim)
        if row is None:
            return "stale"  # the lease ran out and another push took over; it will adopt
        if ref is not None:
            repository.mark_delivered(session, row, ref)
            outcome = "delivered"
        elif failure is not None:
            repository.mark_failed(session, row, failure)
            outcome = "failed"
        elif row.attempts >= settings.max_attempts:
            repository.mark_dead(session, row, str(retry))
            dead = _dead_alert(row, str(retry))
            outcome = "dead"
        else:
            delay = repository.backoff(
                row.attempts,
                settings.backoff_base_s,
                settings.backoff_max_s,
                retry.retry_after if retry else None,
            )
            repository.schedule_retry(session, row, str(retry), delay)
            outcome = "retry"
        record_export(row.connector, outcome)
    if dead is not None:
        alerts.raise_alert(dead)
    return outcome


def _dead_alert(row: OutboxRecord, message: str) -> Alert:
    return Alert(
        kind="outbox.dead",
        message=f"export of document {row.document_id} to {row.connector} gave up after "
        f"{row.attempts} attempts: {message}",
        tenant_id=row.tenant_id,
        dedupe_key=f"outbox.dead:{row.id}:{uuid.uuid4().hex[:8]}",
        detail={
            "outbox_id": str(row.id),
            "document_id": str(row.document_id),
            "connector": row.connector,
            "attempts": row.attempts,
        },
    )
