"""The LLM tier's pure parts: which fields to ask for, the page as layout text, grounding of the
answers in the document's own text, and the field-by-field merge with provenance.

Owns the rules that keep an LLM honest: it is asked only for fields the heuristics could not
settle, every value it returns must be printed in the document (numbers and dates compared as
values, names fuzzily, identifiers exactly), and the arithmetic checks run on the merged result.
Must not touch the network, the environment or a database: the model is reached through the
`LlmExtractor` protocol the caller hands in (service/llm wires the real one).
"""

from __future__ import annotations

import difflib
import logging
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Protocol

from extractors.dates import find_dates
from extractors.lines import TextLine, page_lines
from extractors.page import Page
from extractors.pipeline import missing_required_fields
from extractors.values import detect_currency, find_amounts
from models import Envelope, Invoice, check_invoice_arithmetic

logger = logging.getLogger("docproc.llm_tier")

Kind = Literal["text", "identifier", "email", "phone", "money", "date", "currency"]
Mode = Literal["fallback", "always"]

# The header fields the tier may ask for, in prompt order, with how their values are grounded.
# Line items are not asked for: a table the heuristics cannot read goes to a person.
ASKABLE: dict[str, Kind] = {
    "vendor.name": "text",
    "vendor.address": "text",
    "vendor.tax_id": "identifier",
    "vendor.email": "email",
    "vendor.phone": "phone",
    "bill_to.name": "text",
    "bill_to.address": "text",
    "invoice_number": "identifier",
    "invoice_date": "date",
    "due_date": "date",
    "po_number": "identifier",
    "payment_terms": "text",
    "currency": "currency",
    "project.name": "text",
    "project.number": "identifier",
    "subtotal": "money",
    "tax_total": "money",
    "retainage": "money",
    "total": "money",
    "amount_due": "money",
}
REQUIRED = ("invoice_number", "invoice_date", "vendor.name", "total")
# A failed arithmetic check casts doubt on these fields.
_ARITHMETIC_SUSPECTS: dict[str, tuple[str, ...]] = {
    "subtotal": ("subtotal",),
    "total": ("subtotal", "tax_total", "total"),
    "amount_due": ("total", "amount_due"),
    "due_date": ("invoice_date", "due_date", "payment_terms"),
}
FUZZY_RATIO = 0.85
LLM_CONFIDENCE = 0.85
_RECOMPUTED = ("required field not found: ", "low confidence (below ", "arithmetic check failed: ")
_UNREAD_PAGE = "no text layer"
_SPACE = re.compile(r"\s+")


class Provenance(StrEnum):
    """Who supplied a field's value; stored beside the envelope, never inside it."""

    HEURISTIC = "heuristic"
    LLM = "llm"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class LlmRequest:
    """What the model is asked: the fields, the layout text, the heuristics' candidates."""

    fields: tuple[str, ...]
    layout_text: str
    candidates: Mapping[str, str]
    document_sha256: str
    images: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class LlmUsage:
    """What a request cost: model requests sent, tokens, money, and whether the cache answered."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = Decimal(0)
    cached: bool = False


@dataclass(frozen=True, slots=True)
class LlmAnswer:
    """The model's values per dotted path (None: not printed), already typed by the schema."""

    values: Mapping[str, object]
    model: str
    prompt_version: str
    usage: LlmUsage = LlmUsage()


@dataclass(frozen=True, slots=True)
class LlmFailure:
    """Why there is no answer (budget spent, endpoint down, output invalid), for a person."""

    reason: str
    usage: LlmUsage = LlmUsage()


class LlmExtractor(Protocol):
    """Anything that answers an `LlmRequest` with typed values or a failure, never raising."""

    def extract_fields(self, request: LlmRequest) -> LlmAnswer | LlmFailure:
        """One request in, the values (or why there are none) out."""
        ...


@dataclass(frozen=True, slots=True)
class TierOutcome:
    """The refined envelope, each found field's provenance, what was asked and what it cost."""

    envelope: Envelope
    provenance: dict[str, str]
    asked: tuple[str, ...] = ()
    answer: LlmAnswer | LlmFailure | None = None
    dropped: tuple[str, ...] = ()

    @property
    def usage(self) -> LlmUsage:
        """The usage of the request made (an empty one when none was made)."""
        return self.answer.usage if self.answer is not None else LlmUsage()


# --- routing --------------------------------------------------------------------------------


def fields_needing_llm(
    invoice: Invoice, confidence: Mapping[str, float], threshold: float
) -> list[str]:
    """An invoice and its confidences in, out the fields worth a request (prompt order; empty:
    no call): required fields missing or below `threshold`, and the fields a failed arithmetic
    check casts doubt on. A doubtful optional field alone never pays for a call: it goes to
    review as before."""
    wanted = set(missing_required_fields(invoice))
    wanted.update(path for path in REQUIRED if confidence.get(path, 1.0) < threshold)
    for issue in check_invoice_arithmetic(invoice):
        wanted.update(_ARITHMETIC_SUSPECTS.get(issue.field, ()))
    return [path for path in ASKABLE if path in wanted]


# --- layout text ----------------------------------------------------------------------------


def _char_width(page: Page) -> float:
    """The page's mean character width in points (what one grid column stands for)."""
    chars = sum(len(word.text) for word in page.words)
    width = sum(word.box.width for word in page.words)
    return max(1.0, width / chars) if chars else 5.0


def _grid_row(line: TextLine, scale: float) -> str:
    row = ""
    for word in line.words:
        column = round(word.box.x0 * scale)
        if row:
            column = max(column, len(row) + 1)
        row = row.ljust(column) + word.text
    return row


def render_page_text(page: Page, max_width: int = 160) -> str:
    """A page in, its words placed on a character grid by position out (columns kept)."""
    lines = page_lines(page)
    if not lines:
        return ""
    scale = min(1.0 / _char_width(page), max_width / max(page.width, 1.0))
    height = statistics.median(line.box.height for line in lines)
    out: list[str] = []
    previous: TextLine | None = None
    for line in lines:
        if previous is not None and line.box.y0 - previous.box.y1 > 1.2 * height:
            out.append("")
        out.append(_grid_row(line, scale).rstrip())
        previous = line
    return "\n".join(out)


def render_layout_text(pages: Sequence[Page], max_width: int = 160) -> str:
    """Pages in, layout-preserving text out: reading order, line breaks and columns kept."""
    parts = [f"--- page {page.number} ---\n{render_page_text(page, max_width)}" for page in pages]
    return "\n".join(parts)


def document_text(pages: Sequence[Page]) -> str:
    """Pages in, their plain text (one printed line per line) out: what answers are checked on."""
    return "\n".join(line.text for page in pages for line in page_lines(page))


# --- grounding ------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip()


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _fuzzy_in(needle: str, haystack: str) -> bool:
    """True when the needle is printed in the text, exactly or nearly (ratio >= FUZZY_RATIO)."""
    wanted = _norm(needle)
    text = _norm(haystack)
    if not wanted or wanted in text:
        return True
    tokens, size = text.split(" "), len(wanted.split(" "))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    for span in {max(1, size - 1), size, size + 1}:
        for start in range(max(1, len(tokens) - span + 1)):
            matcher.set_seq1(" ".join(tokens[start : start + span]))
            if matcher.real_quick_ratio() >= FUZZY_RATIO and matcher.ratio() >= FUZZY_RATIO:
                return True
    return False


def _money_in(value: Decimal, text: str) -> bool:
    printed = {abs(m.value) for sep in (".", ",") for m in find_amounts(text, sep)}
    return abs(value) in printed


def _date_in(value: date, text: str) -> bool:
    return any(found.value == value for first in (False, True) for found in find_dates(text, first))


def _identifier_in(value: str, text: str) -> bool:
    wanted = _compact(value)
    if not wanted:
        return False
    return any(wanted == _compact(token) for token in _tokens_around(text, len(value.split())))


def _tokens_around(text: str, size: int) -> list[str]:
    """Every run of `size` to `size + 2` consecutive tokens, so '12-345 6789' is one candidate."""
    tokens = text.split()
    return [
        " ".join(tokens[start : start + span])
        for span in range(max(1, size), size + 3)
        for start in range(len(tokens))
    ]


def _phone_in(value: str, text: str) -> bool:
    digits = re.sub(r"\D", "", value)
    printed = {re.sub(r"\D", "", found) for found in re.findall(r"[+(]?\d[\d ().-]{5,}\d", text)}
    return len(digits) >= 6 and any(digits and digits in number for number in printed)


def ground_value(path: str, value: object, text: str) -> bool:
    """A field, the model's value and the document text in: True when the value is printed."""
    kind = ASKABLE.get(path, "text")
    if kind == "money":
        return isinstance(value, Decimal) and _money_in(value, text)
    if kind == "date":
        return isinstance(value, date) and _date_in(value, text)
    if not isinstance(value, str):
        return False
    if kind == "currency":
        return value.upper() in text.upper().split() or detect_currency(text) == value.upper()
    if kind == "email":
        return value.casefold() in text.casefold()
    if kind == "phone":
        return _phone_in(value, text)
    if kind == "identifier":
        return _identifier_in(value, text)
    return all(_fuzzy_in(part, text) for part in value.splitlines() if part.strip())


def ground_values(
    values: Mapping[str, object], text: str
) -> tuple[dict[str, object], dict[str, object]]:
    """The model's values and the document text in, (grounded, dropped) out; None is skipped."""
    grounded: dict[str, object] = {}
    dropped: dict[str, object] = {}
    for path, value in values.items():
        if value is None:
            continue
        if ground_value(path, value, text):
            grounded[path] = value
        else:
            dropped[path] = value
    return grounded, dropped


# --- merge ----------------------------------------------------------------------------------


def field_value(invoice: Invoice, path: str) -> object:
    """The value at a dotted path of an invoice (None when absent)."""
    head, _, tail = path.partition(".")
    value: object = getattr(invoice, head)
    return getattr(value, tail) if tail else value


def with_values(invoice: Invoice, values: Mapping[str, object]) -> Invoice:
    """An invoice with the values at these dotted paths replaced (validated again)."""
    data = invoice.model_dump()
    for path, value in values.items():
        head, _, tail = path.partition(".")
        if tail:
            data[head][tail] = value
        else:
            data[head] = value
    return Invoice.model_validate(data)


def _shown(value: object) -> str:
    return str(value).replace("\n", ", ")


@dataclass(slots=True)
class _Merge:
    """The merge as it goes: values taken, confidences, provenance and warnings."""

    taken: dict[str, object] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    flagged: bool = False


def _merge_one(merge: _Merge, invoice: Invoice, path: str, value: object, routed: bool) -> None:
    current = field_value(invoice, path)
    if current == value:
        merge.confidence[path] = max(merge.confidence.get(path, 0.0), LLM_CONFIDENCE)
        return
    if current is None or routed:
        merge.taken[path] = value
        merge.confidence[path] = LLM_CONFIDENCE
        merge.provenance[path] = Provenance.LLM
        return
    merge.flagged = True
    merge.warnings.append(
        f"invoice.{path}: LLM read {_shown(value)}, the heuristics {_shown(current)}; kept the "
        "heuristic value"
    )


def _review_warnings(invoice: Invoice, confidence: Mapping[str, float], threshold: float) -> tuple[
    list[str], bool
]:  # fmt: skip
    """The pipeline's review warnings, recomputed on a merged invoice, and whether any fired."""
    missing = missing_required_fields(invoice)
    low = sorted(path for path, value in confidence.items() if value < threshold)
    issues = check_invoice_arithmetic(invoice)
    warnings = [f"required field not found: {path}" for path in missing]
    warnings += [f"low confidence (below {threshold}): {path}" for path in low]
    warnings += [f"arithmetic check failed: {issue}" for issue in issues]
    return warnings, bool(missing or low or issues)


def _finish(
    envelope: Envelope, invoice: Invoice, merge: _Merge, threshold: float
) -> Envelope:  # fmt: skip
    """The envelope with the merged invoice, its warnings recomputed and review decided."""
    kept = [w for w in envelope.warnings or [] if not w.startswith(_RECOMPUTED)]
    review_warnings, review = _review_warnings(invoice, merge.confidence, threshold)
    unread = any(_UNREAD_PAGE in w for w in kept)
    update = {
        "invoice": invoice,
        "field_confidence": merge.confidence,
        "warnings": kept + review_warnings + merge.warnings,
        "needs_review": review or unread or merge.flagged,
    }
    return Envelope.model_validate(dict(envelope.model_copy(update=update)))


def heuristic_provenance(envelope: Envelope) -> dict[str, str]:
    """Every field the envelope reports a confidence for, marked as read by the heuristics."""
    return {path: Provenance.HEURISTIC.value for path in envelope.field_confidence or {}}


def merge_answer(
    envelope: Envelope, answer: LlmAnswer, asked: Sequence[str], routed: Sequence[str],
    text: str, threshold: float,
) -> tuple[Envelope, dict[str, str], list[str]]:  # fmt: skip
    """The heuristic envelope and a model answer in: the merged envelope, the provenance of
    every field and the paths whose values were dropped as ungrounded out."""
    assert envelope.invoice is not None
    values = {path: answer.values.get(path) for path in asked}
    grounded, dropped = ground_values(values, text)
    merge = _Merge(confidence=dict(envelope.field_confidence or {}))
    merge.provenance = heuristic_provenance(envelope)
    for path, value in dropped.items():
        logger.warning("llm value dropped, not in the document: %s = %r", path, value)
        merge.flagged = True
        merge.warnings.append(
            f"invoice.{path}: LLM value {_shown(value)} not found in the document; dropped"
        )
    for path, value in grounded.items():
        _merge_one(merge, envelope.invoice, path, value, path in routed)
    invoice = with_values(envelope.invoice, merge.taken)
    return _finish(envelope, invoice, merge, threshold), merge.provenance, sorted(dropped)


def _candidates(envelope: Envelope) -> dict[str, str]:
    invoice = envelope.invoice
    if invoice is None:
        return {}
    found = {path: field_value(invoice, path) for path in ASKABLE}
    return {path: str(value) for path, value in found.items() if value is not None}


def _failed(envelope: Envelope, failure: LlmFailure, asked: Sequence[str]) -> Envelope:
    warning = f"llm: {failure.reason}; asked for {', '.join(asked)}; left as the heuristics read"
    update = {"warnings": [*(envelope.warnings or []), warning], "needs_review": True}
    return envelope.model_copy(update=update)


def refine_with_llm(
    envelope: Envelope,
    pages: Sequence[Page],
    extractor: LlmExtractor,
    threshold: float,
    mode: Mode = "fallback",
    images: Sequence[bytes] = (),
    routing_threshold: float | None = None,
) -> TierOutcome:
    """A heuristic envelope and its pages in; out the envelope with the fields the heuristics
    missed asked of the model (fallback: only those; always: every askable field), grounded,
    merged and re-checked against `threshold` (review), with each field's provenance. At most
    one request is made; `routing_threshold` (default: `threshold`) decides what is asked."""
    provenance = heuristic_provenance(envelope)
    if envelope.invoice is None or envelope.error is not None:
        return TierOutcome(envelope, provenance)
    confidence = envelope.field_confidence or {}
    routing = threshold if routing_threshold is None else routing_threshold
    routed = fields_needing_llm(envelope.invoice, confidence, routing)
    asked = list(ASKABLE) if mode == "always" else routed
    if not asked:
        return TierOutcome(envelope, provenance)
    request = LlmRequest(
        fields=tuple(asked),
        layout_text=render_layout_text(pages),
        candidates=_candidates(envelope),
        document_sha256=envelope.sha256 or "",
        images=tuple(images),
    )
    answer = extractor.extract_fields(request)
    if isinstance(answer, LlmFailure):
        return TierOutcome(_failed(envelope, answer, asked), provenance, tuple(asked), answer)
    merged, provenance, dropped = merge_answer(
        envelope, answer, asked, routed, document_text(pages), threshold
    )
    return TierOutcome(merged, provenance, tuple(asked), answer, tuple(dropped))
