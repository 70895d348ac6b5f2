"""Intake: received files become stored blobs, document rows and queued extraction jobs.

Owns validating the upload's hints, storing each blob by hash, creating (or finding) the
tenant's document for those bytes, marking new ones queued in the same transaction and
enqueueing them only after it commits. Must not read the request: it gets files on disk.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from models import DocumentType
from service.api.errors import ApiError
from service.api.queue import TaskQueue
from service.api.uploads import ReceivedUpload
from service.bootstrap import Container
from service.db.documents import NewDocument, admit_documents, get_document, mark_queued
from service.db.session import atomic_connection, unit_of_work
from service.db.tables import DocumentRecord
from service.db.tenants import Caller
from service.observability.metrics import record_received
from service.security.ssrf import UnsafeUrlError, check_url

log = logging.getLogger("docproc.api")

# DiskBlobStore stages under a per-process name: two threads of one process storing the
# same bytes at once must not share it, so blob writes are serialised per hash (striped locks).
_BLOB_LOCKS = tuple(threading.Lock() for _ in range(64))

_FIELD_LIMITS = {"source": 50, "external_id": 255, "project": 255, "callback_url": 2000}


@dataclass(frozen=True, slots=True)
class Hints:
    """What the uploader told us about the documents."""

    document_type: str | None = None
    project: str | None = None
    source: str = "api"
    external_id: str | None = None
    callback_url: str | None = None


def validate_callback_url(url: str) -> str:
    """An http(s) URL with a host, or a 422."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ApiError(422, "invalid_callback_url", "callback_url must be an http(s) URL")
    try:
        return check_url(url)  # SSRF: checked again after DNS resolution when sent
    except UnsafeUrlError as error:
        raise ApiError(422, "invalid_callback_url", f"callback_url refused: {error}") from error


def hints_from(fields: dict[str, str]) -> Hints:
    """Form fields in, validated hints out (422 for a bad value)."""
    for name, limit in _FIELD_LIMITS.items():
        if len(fields.get(name, "")) > limit:
            raise ApiError(422, "invalid_field", f"{name} is longer than {limit} characters")
    document_type = fields.get("document_type") or None
    if document_type is not None and document_type not in {t.value for t in DocumentType}:
        allowed = ", ".join(t.value for t in DocumentType)
        raise ApiError(422, "invalid_document_type", f"document_type must be one of {allowed}")
    callback = fields.get("callback_url") or None
    return Hints(
        document_type=document_type,
        project=fields.get("project") or None,
        source=fields.get("source") or "api",
        external_id=fields.get("external_id") or None,
        callback_url=validate_callback_url(callback) if callback else None,
    )


def _put_blob(container: Container, path: Path, sha256: str) -> None:
    with _BLOB_LOCKS[int(sha256[:4], 16) % len(_BLOB_LOCKS)]:
        container.blobs.put_file(path, sha256)


def store_upload(
    container: Container, caller: Caller, upload: ReceivedUpload, hints: Hints
) -> list[tuple[DocumentRecord, bool]]:
    """Blobs stored, rows created (already QUEUED) or found, committed; in upload order."""
    for item in upload.files:
        _put_blob(container, item.path, item.sha256)
    uploads = [
        NewDocument(
            tenant_id=caller.tenant_id,
            sha256=item.sha256,
            size=item.size,
            media_type=item.kind.value,
            filename=item.filename,
            source=hints.source,
            external_id=hints.external_id,
            callback_url=hints.callback_url,
            document_type_hint=hints.document_type,
            project_hint=hints.project,
        )
        for item in upload.files
    ]
    single = len(uploads) == 1
    with atomic_connection(container.engine, single_statement=single) as connection:
        return admit_documents(connection, uploads)


def accept_upload(
    container: Container, queue: TaskQueue, caller: Caller, upload: ReceivedUpload, hints: Hints
) -> list[tuple[DocumentRecord, bool]]:
    """`store_upload`, then the new documents enqueued: the whole blocking part of an upload,
    for one trip to a worker thread."""
    documents = store_upload(container, caller, upload, hints)
    enqueue_new(queue, documents)
    return documents


def enqueue_new(queue: TaskQueue, documents: list[tuple[DocumentRecord, bool]]) -> None:
    """Send an extraction job for each newly created document (after the commit)."""
    seen: set[uuid.UUID] = set()
    for document, created in documents:
        if created and document.id not in seen:
            seen.add(document.id)
            record_received(document.media_type, document.source)
            send_job(queue, document)


def send_job(queue: TaskQueue, document: DocumentRecord) -> None:
    """Enqueue one extraction; a broker failure is logged, not raised: the row is committed
    as QUEUED and the reconciler sends it again."""
    try:
        queue.enqueue_extraction(
            document.id, document.generation, document.media_type or "application/pdf"
        )
    except Exception:
        log.exception("enqueue of document %s failed; the reconciler will retry", document.id)


def reprocess(
    container: Container, queue: TaskQueue, caller: Caller, document_id: uuid.UUID
) -> DocumentRecord:
    """Start a new generation of the tenant's document and enqueue it; 404 if not theirs."""
    with unit_of_work(container.sessions) as session:
        document = get_document(session, caller.tenant_id, document_id)
        if document is None:
            raise ApiError(404, "not_found", "document not found")
        mark_queued(session, document, reprocess=True)
    send_job(queue, document)
    return document
