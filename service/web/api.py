"""The web app's own JSON endpoints (same origin, session cookie, CSRF header): upload, live
status as server-sent events, a document's status in words, save a correction, approve.

Thin: each reuses the HTTP API's service functions with the session's tenant as the caller.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, StreamingResponse

from service.api import events
from service.api.submissions import submit
from service.web import review, wording
from service.web.pages import load_document
from service.web.security import CsrfDep, SessionDep, caller_of, container_of

router = APIRouter(prefix="/app/api", include_in_schema=False)


@router.post("/upload")
async def upload(request: Request, web: CsrfDep) -> JSONResponse:
    """Receive files from the upload page (multipart); the API's answer."""
    container = container_of(request)
    answer = await submit(request, container, request.app.state.queue, caller_of(web), None, None)
    return JSONResponse(answer.body, status_code=answer.status_code)


@router.get("/documents/{document_id}/events")
async def document_events(request: Request, document_id: str, web: SessionDep) -> StreamingResponse:
    """The document's status changes as server-sent events, until it is done."""
    document = load_document(request, web.tenant_id, document_id)
    stream = events.stream_events(
        container_of(request),
        caller_of(web),
        document.id,
        after=0,
        follow=False,
        disconnected=request.is_disconnected,
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


@router.get("/documents/{document_id}")
def document_summary(request: Request, document_id: str, web: SessionDep) -> dict[str, Any]:
    """A document's status, in words for the upload page."""
    document = load_document(request, web.tenant_id, document_id)
    return {
        "id": str(document.id),
        "status": document.status,
        "label": wording.status_label(document.status),
        "error": wording.error_sentence(document.error_code, document.error_message),
        "review_url": f"/app/documents/{document.id}/review",
        "detail_url": f"/app/documents/{document.id}",
    }


def _author(web: Any) -> str:
    return f"web:{web.label}"[:200]


@router.post("/documents/{document_id}/save")
def save(
    request: Request, document_id: str, web: CsrfDep, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Store the person's correction as a new version; the re-checked warnings back."""
    document = load_document(request, web.tenant_id, document_id)
    result = review.save(container_of(request), caller_of(web), document.id, body, _author(web))
    return {"version": result.version, "warnings": result.envelope.get("warnings") or []}


@router.post("/documents/{document_id}/approve")
def approve(
    request: Request, document_id: str, web: CsrfDep, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Save the correction (if any) and approve the document."""
    document = load_document(request, web.tenant_id, document_id)
    done = review.approve(container_of(request), caller_of(web), document.id, body, _author(web))
    return {
        "version": done.version,
        "approved": True,
        "connectors": done.connectors,
        "next_url": "/app/review",
    }
