"""The upload's answer is built without pydantic; it must be exactly the `DocumentSummary`
the OpenAPI page declares."""

from __future__ import annotations

import uuid

import pytest

from service.api.schemas import DocumentSummary, summary_json, summary_of
from service.db.tables import DocumentRecord, DocumentStatus


@pytest.mark.parametrize("created", [True, False])
@pytest.mark.parametrize("filename", ["INV-1.pdf", None, 'Rechnung \u00fc"x".pdf'])
@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000/", "https://dp.example.com/api"])
def test_summary_json_is_the_declared_summary(
    created: bool, filename: str | None, base_url: str
) -> None:
    document = DocumentRecord(
        id=uuid.uuid4(), sha256="ab" * 32, size=3565, media_type="application/pdf",
        filename=filename, status=DocumentStatus.QUEUED if created else "extracted",
    )  # fmt: skip
    built = summary_json(document, created, base_url)
    assert built == summary_of(document, created, base_url).model_dump(mode="json")
    assert DocumentSummary.model_validate(built).id == document.id
