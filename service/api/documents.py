"""The `/v1/documents` routes. Thin: parse the request, call a service function, shape the answer.

Every route takes the caller from the bearer key and touches only that tenant's rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from models import Envelope
from service.api import corrections, events, intake, reading
from service.api.deps import CallerDep, ContainerDep, QueueDep
from service.api.errors import ERROR_RESPONSES, ApiError, not_found
from service.api.schemas import (
    DocumentPage,
    DocumentView,
    Pending,
    ResultVersion,
    ResultVersionList,
    UploadResponse,
    version_of,
    view_of,
)
from service.api.submissions import base_url_of, submit
from service.db.documents import DocumentFilter
from service.db.tables import DocumentStatus
from service.storage import BlobMissingError

router = APIRouter(prefix="/v1/documents", tags=["documents"], responses=ERROR_RESPONSES)

SAFE_MEDIA_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/tiff"})
WaitQuery = Annotated[
    float | None,
    Query(ge=0, description="seconds to wait for the document to be done (capped by the server)"),
]

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "multipart/form-data with one or more files in ANY field (file, files, "
        "data, attachment_0 …), or the raw bytes of one file (name from ?filename= or an "
        "X-Filename header). Hints as form fields or query parameters.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "document_type": {"type": "string", "example": "invoice"},
                        "project": {"type": "string", "example": "24-017"},
                        "source": {"type": "string", "example": "n8n"},
                        "external_id": {"type": "string", "example": "mail-4711"},
                        "callback_url": {
                            "type": "string",
                            "example": "https://hooks.example.com/dp",
                        },
                    },
                }
            },
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "image/*": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_UPLOAD_DESCRIPTION = """Upload one or many files. Each is streamed to disk, hashed and sniffed
(by its bytes, never its name). The same bytes for the same tenant give the existing document
(200) instead of a second job. `Idempotency-Key` replays the first answer.

When a `callback_url` is given, the finished envelope is POSTed there as JSON
`{"event": "document.done", "document_id", "status", "external_id", "version", "envelope"}`,
signed with the tenant's secret: `X-Docproc-Timestamp: <unix seconds>` and
`X-Docproc-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`; retried with
exponential backoff on failure. With `?wait=`, set your client's timeout above `wait`."""


def _document_id(raw: str) -> uuid.UUID:
    """A path id; anything that is not a UUID is simply not found."""
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise not_found() from error


@router.post(
    "",
    response_model=UploadResponse,
    status_code=202,
    summary="Upload documents",
    description=_UPLOAD_DESCRIPTION,
    responses={
        200: {"model": UploadResponse, "description": "already uploaded"},
        413: ERROR_RESPONSES[422] | {"description": "too large / too many files"},
        415: ERROR_RESPONSES[422] | {"description": "not a PDF, PNG, JPEG or TIFF"},
    },
    openapi_extra=_UPLOAD_BODY,
)
async def upload_documents(
    request: Request,
    caller: CallerDep,
    wait: WaitQuery = None,
    idempotency_key: Annotated[str | None, Header()] = None,
    filename: Annotated[str | None, Query(description="name of a raw-body upload")] = None,
) -> JSONResponse:
    """Receive files; 202 with the documents in upload order."""
    # Container and queue straight from the app: every declared dependency costs the
    # busiest route a round of FastAPI's parameter solving.
    state = request.app.state
    answer = await submit(request, state.container, state.queue, caller, wait, idempotency_key)
    return JSONResponse(answer.body, status_code=answer.status_code)


@router.get("", response_model=DocumentPage, summary="List documents")
def list_documents(
    request: Request,
    container: ContainerDep,
    caller: CallerDep,
    status: DocumentStatus | None = None,
    document_type: str | None = None,
    vendor: str | None = None,
    project: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> DocumentPage:
    """The caller's documents, newest first; follow `next_cursor` for more."""
    where = DocumentFilter(
        status=status,
        document_type=document_type,
        vendor=vendor,
        project=project,
        created_from=created_from,
        created_to=created_to,
    )
    rows, next_cursor = reading.list_page(container, caller, where, limit, cursor)
    base = base_url_of(container, request)
    return DocumentPage(documents=[view_of(row, base) for row in rows], next_cursor=next_cursor)


@router.get("/{document_id}", response_model=DocumentView, summary="A document's status")
async def get_document(
    request: Request,
    document_id: str,
    container: ContainerDep,
    caller: CallerDep,
    wait: WaitQuery = None,
) -> DocumentView:
    """Status, timestamps, attempts and error; `?wait=` until done."""
    doc_id = _document_id(document_id)
    document = await anyio.to_thread.run_sync(reading.load_document, container, caller, doc_id)
    seconds = reading.wait_budget(container, wait)
    if seconds and not reading.is_done(document):
        await reading.wait_until_done(container, caller, [doc_id], seconds)
        document = await anyio.to_thread.run_sync(reading.load_document, container, caller, doc_id)
    return view_of(document, base_url_of(container, request))


@router.get(
    "/{document_id}/result",
    summary="The latest result envelope",
    responses={200: {"model": Envelope}, 202: {"model": Pending}},
)
async def get_result(
    document_id: str, container: ContainerDep, caller: CallerDep, wait: WaitQuery = None
) -> JSONResponse:
    """200 with the contract envelope (latest version) once done; 202 with the status before."""
    doc_id = _document_id(document_id)
    found = await anyio.to_thread.run_sync(reading.load_result, container, caller, doc_id)
    seconds = reading.wait_budget(container, wait)
    if seconds and not reading.is_done(found.document):
        await reading.wait_until_done(container, caller, [doc_id], seconds)
        found = await anyio.to_thread.run_sync(reading.load_result, container, caller, doc_id)
    if found.result is None and found.document.status == DocumentStatus.FAILED:
        return JSONResponse(reading.failure_envelope(found.document))
    if found.result is None or not reading.is_done(found.document):
        pending = Pending(id=found.document.id, status=found.document.status)
        return JSONResponse(pending.model_dump(mode="json"), status_code=202)
    headers = {"X-Docproc-Result-Version": str(found.result.version)}
    return JSONResponse(found.result.envelope, headers=headers)


@router.patch(
    "/{document_id}/result",
    response_model=ResultVersion,
    summary="Correct the result (kept as a new version)",
)
def correct_result(
    document_id: str,
    container: ContainerDep,
    caller: CallerDep,
    body: Annotated[
        dict[str, Any],
        Body(
            openapi_examples={
                "merge": {
                    "summary": "merge into the invoice",
                    "value": {"invoice": {"invoice_number": "INV-10293", "total": "583.20"}},
                },
            }
        ),
    ],
    x_docproc_author: Annotated[str | None, Header(max_length=200)] = None,
) -> ResultVersion:
    """A full envelope or a merge patch of `invoice`; validated, arithmetic re-checked."""
    author = x_docproc_author or f"api-key:{caller.key_prefix}"
    result = corrections.correct_result(container, caller, _document_id(document_id), body, author)
    return version_of(result)


@router.get(
    "/{document_id}/results", response_model=ResultVersionList, summary="Every result version"
)
def list_results(document_id: str, container: ContainerDep, caller: CallerDep) -> ResultVersionList:
    """The extraction and every correction, oldest first."""
    versions = reading.load_versions(container, caller, _document_id(document_id))
    return ResultVersionList(versions=[version_of(v) for v in versions])


@router.get(
    "/{document_id}/file",
    summary="Download the original file",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}, "image/*": {}}}},
)
def download_file(document_id: str, container: ContainerDep, caller: CallerDep) -> Response:
    """The original bytes, as an attachment, never rendered inline."""
    document = reading.load_document(container, caller, _document_id(document_id))
    if not container.blobs.exists(document.sha256):
        raise ApiError(404, "file_missing", "the stored file is missing")
    media_type = document.media_type if document.media_type in SAFE_MEDIA_TYPES else None
    name = document.filename or f"{document.id}"
    fallback = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    headers = {
        "Content-Disposition": f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Length": str(document.size),
    }
    try:
        chunks = container.blobs.iter_chunks(document.sha256)
    except BlobMissingError as error:
        raise ApiError(404, "file_missing", "the stored file is missing") from error
    return StreamingResponse(
        chunks, media_type=media_type or "application/octet-stream", headers=headers
    )


@router.post(
    "/{document_id}/reprocess",
    response_model=DocumentView,
    status_code=202,
    summary="Extract again (a new generation)",
)
def reprocess(
    request: Request,
    document_id: str,
    container: ContainerDep,
    queue: QueueDep,
    caller: CallerDep,
) -> DocumentView:
    """Queue the document again; its earlier results stay as versions."""
    document = intake.reprocess(container, queue, caller, _document_id(document_id))
    return view_of(document, base_url_of(container, request))


@router.get(
    "/{document_id}/events",
    summary="Status changes as server-sent events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def document_events(
    request: Request,
    document_id: str,
    container: ContainerDep,
    caller: CallerDep,
    follow: bool = False,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """`event: status` messages until the document is done (or forever with `?follow=true`)."""
    doc_id = _document_id(document_id)
    await anyio.to_thread.run_sync(reading.load_document, container, caller, doc_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    stream = events.stream_events(
        container, caller, doc_id, after=after, follow=follow, disconnected=request.is_disconnected
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
