"""`GET /v1/documents/{id}/provenance`: who supplied each field of the latest result.

The contract envelope has no provenance field and must not get one, so provenance lives beside
it: the worker stores it on the extracted result version (`results.provenance`); a field a
person changed in a later correction (PATCH …/result) is reported as `person`. Thin: reads
rows, shapes the answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from service.api import reading
from service.api.deps import CallerDep, ContainerDep
from service.api.errors import ERROR_RESPONSES, not_found
from service.db.tables import ResultKind, ResultRecord

router = APIRouter(prefix="/v1/documents", tags=["documents"], responses=ERROR_RESPONSES)


class ProvenanceView(BaseModel):
    """Each found field's source (heuristic, llm, person) and what the LLM tier did and cost."""

    document_id: uuid.UUID
    version: int | None = Field(description="the result version described; null before one")
    fields: dict[str, str] = Field(description='dotted path -> "heuristic", "llm" or "person"')
    llm: dict[str, Any] | None = Field(
        description="mode, fields asked, values dropped, model, prompt version, requests, "
        "tokens, cost, cached, failure; null when the tier was off"
    )


def _flatten(invoice: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(invoice, dict):
        return {}
    flat: dict[str, Any] = {}
    for key, value in invoice.items():
        if isinstance(value, dict) and key != "pay_application":
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _person_fields(extracted: ResultRecord, latest: ResultRecord) -> set[str]:
    """The paths a correction changed relative to the extraction it corrects."""
    before = _flatten(extracted.envelope.get("invoice"))
    after = _flatten(latest.envelope.get("invoice"))
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def provenance_of(document_id: uuid.UUID, versions: list[ResultRecord]) -> ProvenanceView:
    """A document's result versions (oldest first) in, the provenance of the latest out."""
    extracted = [v for v in versions if v.kind == ResultKind.EXTRACTED]
    if not versions or not extracted:
        return ProvenanceView(document_id=document_id, version=None, fields={}, llm=None)
    base, latest = extracted[-1], versions[-1]
    record = base.provenance or {}
    fields = dict(record.get("fields") or {})
    if latest.kind == ResultKind.CORRECTED:
        fields.update({path: "person" for path in _person_fields(base, latest)})
    return ProvenanceView(document_id=document_id, version=latest.version,
                          fields=dict(sorted(fields.items())), llm=record.get("llm"))  # fmt: skip


@router.get(
    "/{document_id}/provenance", response_model=ProvenanceView, summary="Who supplied each field"
)
def get_provenance(document_id: str, container: ContainerDep, caller: CallerDep) -> ProvenanceView:
    """Per field: read by the heuristics, the LLM tier, or corrected by a person."""
    try:
        doc_id = uuid.UUID(document_id)
    except ValueError as error:
        raise not_found() from error
    return provenance_of(doc_id, reading.load_versions(container, caller, doc_id))
