"""The result envelope: one per input document, from the CLI, the API, webhooks and benchmarks."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from models.drawing import DrawingSet
from models.invoice import Invoice
from models.lien_waiver import LienWaiver
from models.values import Confidence, Frozen

SCHEMA_VERSION: Literal["1"] = "1"


class DocumentType(StrEnum):
    """What a document is."""

    INVOICE = "invoice"
    PAY_APPLICATION = "pay_application"
    LIEN_WAIVER = "lien_waiver"
    DRAWING_SET = "drawing_set"
    UNKNOWN = "unknown"


class ErrorCode(StrEnum):
    """Why a document could not be processed; stable, stored and shown."""

    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    EMPTY_FILE = "empty_file"
    CORRUPT_FILE = "corrupt_file"
    ENCRYPTED_PDF = "encrypted_pdf"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    IMAGE_TOO_LARGE = "image_too_large"
    UNREADABLE_FILE = "unreadable_file"
    INTERNAL_ERROR = "internal_error"


class ExtractionError(Frozen):
    """A document that could not be processed: a stable code and words for a person."""

    code: ErrorCode
    message: str


class Envelope(Frozen):
    """The contract's result envelope. On error every field but `source` and `error` is null."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    source: str
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    media_type: str | None = None
    page_count: int | None = Field(default=None, ge=0)
    document_type: DocumentType | None = None
    invoice: Invoice | None = None
    drawing_set: DrawingSet | None = None
    lien_waiver: LienWaiver | None = None
    field_confidence: dict[str, Confidence] | None = None
    needs_review: bool | None = None
    warnings: list[str] | None = None
    error: ExtractionError | None = None

    @classmethod
    def failed(cls, source: str, code: ErrorCode, message: str) -> Envelope:
        """The envelope of an input that could not be processed."""
        return cls(source=source, error=ExtractionError(code=code, message=message))

    def to_json_line(self) -> str:
        """One JSON Lines record: compact, null fields kept."""
        return self.model_dump_json()
