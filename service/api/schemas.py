"""The API's response shapes (pydantic), with examples for the OpenAPI page.

Owns turning `DocumentRecord` and `ResultRecord` rows into JSON with absolute links. The
envelope itself is the contract's `models.Envelope`; nothing here redefines it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.db.tables import DocumentRecord, ResultRecord

_ID = "6f1c1f3e-7c55-4a8e-9a4e-2d0c7a1f9b21"
_BASE = f"https://docproc.example.com/v1/documents/{_ID}"


class Links(BaseModel):
    """Absolute URLs of a document's resources (n8n needs absolute ones)."""

    self: str
    result: str
    results: str
    file: str
    events: str


class ErrorInfo(BaseModel):
    """Why a document failed."""

    code: str
    message: str | None


class DocumentSummary(BaseModel):
    """One uploaded document, as the upload answers it."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": _ID,
                "status": "queued",
                "created": True,
                "filename": "INV-10293.pdf",
                "media_type": "application/pdf",
                "sha256": "18f0…c01",
                "size": 3565,
                "links": {
                    "self": _BASE,
                    "result": f"{_BASE}/result",
                    "results": f"{_BASE}/results",
                    "file": f"{_BASE}/file",
                    "events": f"{_BASE}/events",
                },
            }
        }
    )

    id: uuid.UUID
    status: str
    created: bool = Field(description="false when these bytes were already uploaded")
    filename: str | None
    media_type: str | None
    sha256: str
    size: int
    links: Links


class UploadResponse(BaseModel):
    """The documents of one upload, in upload order."""

    documents: list[DocumentSummary]


class DocumentView(BaseModel):
    """A document's status and history."""

    id: uuid.UUID
    status: str = Field(
        description="received, queued, processing, extracted, needs_review, failed, exported"
    )
    filename: str | None
    media_type: str | None
    sha256: str
    size: int
    source: str
    external_id: str | None
    document_type: str | None
    document_type_hint: str | None
    vendor: str | None
    project: str | None
    project_hint: str | None
    generation: int
    attempts: int
    error: ErrorInfo | None
    created_at: datetime
    updated_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duplicate_of: uuid.UUID | None = Field(
        default=None, description="the earlier document this one duplicates (never exported)"
    )
    links: Links


class DocumentPage(BaseModel):
    """One page of a listing; pass `next_cursor` as `?cursor=` for the next."""

    documents: list[DocumentView]
    next_cursor: str | None


class Pending(BaseModel):
    """A result not ready yet (HTTP 202)."""

    model_config = ConfigDict(json_schema_extra={"example": {"id": _ID, "status": "processing"}})

    id: uuid.UUID
    status: str


class ResultVersion(BaseModel):
    """One version of a document's result: the extraction or a person's correction."""

    version: int
    kind: str = Field(description="extracted or corrected")
    generation: int
    author: str | None
    created_at: datetime
    envelope: dict[str, Any]


class ResultVersionList(BaseModel):
    """Every result version of a document, oldest first."""

    versions: list[ResultVersion]


def links_for(base_url: str, document_id: uuid.UUID) -> Links:
    """Absolute links of one document."""
    root = f"{base_url.rstrip('/')}/v1/documents/{document_id}"
    return Links(
        self=root,
        result=f"{root}/result",
        results=f"{root}/results",
        file=f"{root}/file",
        events=f"{root}/events",
    )


def summary_of(document: DocumentRecord, created: bool, base_url: str) -> DocumentSummary:
    """An upload's answer for one document."""
    return DocumentSummary(
        id=document.id,
        status=document.status,
        created=created,
        filename=document.filename,
        media_type=document.media_type,
        sha256=document.sha256,
        size=document.size,
        links=links_for(base_url, document.id),
    )


def summary_json(document: DocumentRecord, created: bool, base_url: str) -> dict[str, Any]:
    """`summary_of(...).model_dump(mode="json")` built directly: the upload answers with it
    on every request, and the row's values need no validation."""
    root = f"{base_url.rstrip('/')}/v1/documents/{document.id}"
    return {
        "id": str(document.id),
        "status": str(document.status),
        "created": created,
        "filename": document.filename,
        "media_type": document.media_type,
        "sha256": document.sha256,
        "size": document.size,
        "links": {
            "self": root,
            "result": f"{root}/result",
            "results": f"{root}/results",
            "file": f"{root}/file",
            "events": f"{root}/events",
        },
    }


def view_of(document: DocumentRecord, base_url: str) -> DocumentView:
    """A document row as the API shows it."""
    error = (
        ErrorInfo(code=document.error_code, message=document.error_message)
        if document.error_code
        else None
    )
    return DocumentView(
        id=document.id,
        status=document.status,
        filename=document.filename,
        media_type=document.media_type,
        sha256=document.sha256,
        size=document.size,
        source=document.source,
        external_id=document.external_id,
        document_type=document.document_type,
        document_type_hint=document.document_type_hint,
        vendor=document.vendor_name,
        project=document.project_name,
        project_hint=document.project_hint,
        generation=document.generation,
        attempts=document.attempts,
        error=error,
        created_at=document.created_at,
        updated_at=document.updated_at,
        queued_at=document.queued_at,
        started_at=document.started_at,
        finished_at=document.finished_at,
        duplicate_of=document.duplicate_of,
        links=links_for(base_url, document.id),
    )


def version_of(result: ResultRecord) -> ResultVersion:
    """A result row as the API shows it."""
    return ResultVersion(
        version=result.version,
        kind=result.kind,
        generation=result.generation,
        author=result.author,
        created_at=result.created_at,
        envelope=result.envelope,
    )
