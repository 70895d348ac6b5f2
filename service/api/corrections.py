"""A person's corrections to a result: re-validated, re-checked and kept as a new version.

The body is either a full envelope (it has `schema_version`) or a JSON merge patch (RFC 7396)
of the editable blocks (`invoice`, `document_type`, `lien_waiver`, `drawing_set`) onto the
latest version. The file's identity (source, sha256, media type, page count) always comes
from the stored extraction. Must never overwrite an earlier version.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from models import Envelope, check_invoice_arithmetic
from service.api.errors import ApiError, not_found
from service.bootstrap import Container
from service.db.documents import add_correction, get_document, latest_result
from service.db.session import unit_of_work
from service.db.tables import ResultRecord
from service.db.tenants import Caller

EDITABLE = frozenset({"invoice", "document_type", "lien_waiver", "drawing_set"})
_IDENTITY = ("source", "sha256", "media_type", "page_count")
_ARITHMETIC_PREFIX = "arithmetic: "


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: `patch` applied to `target` (null deletes, objects merge, the rest replaces)."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def corrected_envelope(current: dict[str, Any], body: dict[str, Any]) -> Envelope:
    """The latest envelope and a correction in; the validated, re-checked new envelope out."""
    if "schema_version" in body:
        candidate = dict(body)
    else:
        unknown = set(body) - EDITABLE
        if unknown:
            raise ApiError(
                422,
                "invalid_correction",
                f"only {', '.join(sorted(EDITABLE))} may be corrected; "
                f"not {', '.join(sorted(unknown))}",
            )
        candidate = merge_patch(current, body)
    for key in _IDENTITY:
        candidate[key] = current.get(key)
    candidate["error"] = None
    try:
        envelope = Envelope.model_validate(candidate)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ApiError(422, "invalid_envelope", f"{where}: {first['msg']}") from error
    return _rechecked(envelope)


def _rechecked(envelope: Envelope) -> Envelope:
    """Arithmetic checked again; failures become warnings and put the result up for review."""
    if envelope.invoice is None:
        return envelope
    issues = [
        f"{_ARITHMETIC_PREFIX}{issue}" for issue in check_invoice_arithmetic(envelope.invoice)
    ]
    kept = [w for w in envelope.warnings or [] if not w.startswith(_ARITHMETIC_PREFIX)]
    return envelope.model_copy(update={"warnings": kept + issues, "needs_review": bool(issues)})


def correct_result(
    container: Container,
    caller: Caller,
    document_id: uuid.UUID,
    body: dict[str, Any],
    author: str,
) -> ResultRecord:
    """Store the caller's correction as a new version; 404 if not theirs, 409 before a result."""
    with unit_of_work(container.sessions) as session:
        document = get_document(session, caller.tenant_id, document_id)
        if document is None:
            raise not_found()
        current = latest_result(session, document.id)
        if current is None:
            raise ApiError(409, "not_ready", "the document has no result to correct yet")
        envelope = corrected_envelope(current.envelope, body)
        return add_correction(session, document, envelope, author)
