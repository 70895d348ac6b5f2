"""Lien waivers into the contract's lien_waiver block.

Understands the statutory conditional/unconditional x progress/final forms (California Civil
Code 8132-8138 titles and fields; Texas, Arizona and Georgia style running text such as "a
check from X (maker of check) in the sum of $Y payable to Z") and generic "Partial/Final Lien
Waiver" forms. A signature is a mark on the claimant's signature line: words there in the text
layer or OCR (an e-signature, a typed or OCR-read name). Pure: pages in, a `LienWaiver` out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from extractors.billing.fields import (
    Segment,
    amount_of,
    date_value,
    find_label,
    page_segments,
    page_text,
    right_of,
    text_value,
)
from extractors.dates import find_dates
from extractors.page import Page
from extractors.values import find_amounts
from models import LienWaiver, Project, WaiverType

_I = re.IGNORECASE
_TITLE = re.compile(
    r"\b(un)?conditional\s+waiver\s+and\s+release\s+(?:on|upon)\s+(progress|final)\s+payment", _I
)
_KIND = re.compile(r"\b(partial|progress|interim|final)\b", _I)
_CONDITIONAL_BODY = re.compile(
    r"upon receipt|on receipt|effective only|conditioned (?:up)?on|subject to (?:receipt|payment)"
    r"|when the check has been",
    _I,
)
_UNCONDITIONAL_BODY = re.compile(
    r"has been paid|having received|has received|have been paid|hereby acknowledges? receipt", _I
)
_CLAIMANT = re.compile(r"name of claimant\s*:?|^claimant(?: name)?\s*:|^subcontractor\s*:", _I)
_CUSTOMER = re.compile(r"name of customer\s*:?|^customer\s*:|^contracted with\s*:", _I)
_OWNER = re.compile(r"^owner(?: name)?\s*:|name of owner\s*:?", _I)
_LOCATION = re.compile(r"job location\s*:?|^project(?: name)?\s*:|^job name\s*:", _I)
_PROJECT_NO = re.compile(r"(?:project|job)\s*(?:no\.?|number|#)\s*:?", _I)
_THROUGH = re.compile(r"through date\s*:?|^through\s*:|work through\s*:?", _I)
_AMOUNT_LABEL = re.compile(
    r"amount of check\s*:?|payment amount\s*:?|^amount\s*:|amount of payment\s*:?", _I
)
_EXCEPTIONS = re.compile(r"^exceptions\s*:", _I)
_SIGNATURE = re.compile(r"signature\s*:|\(signature\)\s*:?|^by\s*:", _I)
_SIGNATURE_DATE = re.compile(r"date of signature\s*:?|^date\s*:|^dated\s*:", _I)
_NONE = re.compile(r"^(?:none|n/?a|no exceptions|-+|_+)\.?$", _I)
_JOB_NO_INSIDE = re.compile(r"\s*[-,(]?\s*(?:job|project)\s*(?:no\.?|number|#)\s*:?\s*", _I)
# Running-text grammars (Texas / Arizona / Georgia style statutory wording).
_MAKER = re.compile(r"check from (.+?) \(maker of check\)", _I)
_PAYEE = re.compile(r"payable to (.+?) \(payee", _I)
_CONTRACTED = re.compile(r"or to (.+?) \(person with whom", _I)
_PROPERTY_OF = re.compile(r"property of (.+?) \(owner\)", _I)
_SUM = re.compile(r"in the sum of\s*\$?\s*|progress payment\s*:\s*\$?\s*|the amount of\s*\$\s*", _I)
_THROUGH_TEXT = re.compile(r"\bthrough\s+(?!the\b)", _I)


@dataclass
class WaiverExtraction:
    """What the waiver extractor found: the block, confidences and warnings."""

    waiver: LienWaiver
    field_confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def waiver_type_of(text: str) -> WaiverType | None:
    """A waiver's text in, its statutory type out (None when neither title nor wording says)."""
    match = _TITLE.search(text)
    if match:
        conditional = match.group(1) is None
        progress = match.group(2).lower() == "progress"
    else:
        head = text[:300]
        kind = _KIND.search(head)
        if kind is None:
            return None
        progress = kind.group(1).lower() != "final"
        if re.search(r"\bunconditional\b", head, _I):
            conditional = False
        elif re.search(r"\bconditional\b", head, _I):
            conditional = True
        else:
            conditional = _CONDITIONAL_BODY.search(text) is not None or (
                _UNCONDITIONAL_BODY.search(text) is None
            )
    if conditional:
        return WaiverType.CONDITIONAL_PROGRESS if progress else WaiverType.CONDITIONAL_FINAL
    return WaiverType.UNCONDITIONAL_PROGRESS if progress else WaiverType.UNCONDITIONAL_FINAL


def _label_text(segments: Sequence[Segment], pattern: re.Pattern[str]) -> str | None:
    hit = find_label(segments, pattern)
    if hit is None:
        return None
    value = text_value(segments, *hit)
    if value is None or _NONE.match(value) or re.search(r":\s*$", value):
        return None
    return value.strip()


def _search(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group(1).split()) if match else None


def _project(segments: Sequence[Segment]) -> Project:
    name = _label_text(segments, _LOCATION)
    number = _label_text(segments, _PROJECT_NO)
    if name:
        parts = _JOB_NO_INSIDE.split(name, maxsplit=1)
        if len(parts) == 2:
            name, number = parts[0].strip(" -,"), number or parts[1].strip()
    if number:
        number = number.split()[0].rstrip(".,;")
    return Project(name=name, number=number)


def _amount(segments: Sequence[Segment], text: str) -> Decimal | None:
    hit = find_label(segments, _AMOUNT_LABEL)
    if hit is not None:
        segment, rest = hit
        value = amount_of(rest.lstrip("$ ")) if rest.strip("$ ") else None
        if value is None:
            cells = [s for s in right_of(segments, segment) if s.value.strip("$ ")]
            value = amount_of(cells[0].value) if cells else None
        if value is not None:
            return value
    for match in _SUM.finditer(text):
        found = find_amounts(text[match.end() : match.end() + 40])
        if found and found[0].has_decimals:
            return found[0].value
    return None


def _through(segments: Sequence[Segment], text: str) -> date | None:
    hit = find_label(segments, _THROUGH)
    if hit is not None:
        value = date_value(segments, *hit)
        if value is not None:
            return value
    for match in _THROUGH_TEXT.finditer(text):
        dates = find_dates(text[match.end() : match.end() + 30])
        if dates and dates[0].start == 0:
            return dates[0].value
    return None


def _signed(segments: Sequence[Segment]) -> bool:
    """True when words stand on the claimant's signature line after its label."""
    hit = find_label(segments, _SIGNATURE)
    if hit is None:
        return False
    segment, rest = hit
    marks = [rest] + [s.value for s in right_of(segments, segment)]
    return any(sum(char.isalpha() for char in mark) >= 2 for mark in marks if mark)


def _signature_date(segments: Sequence[Segment]) -> date | None:
    hit = find_label(segments, _SIGNATURE)
    after = [s for s in segments if hit is None or s.line >= hit[0].line] if hit else segments
    found = find_label(after, _SIGNATURE_DATE)
    return date_value(after, *found) if found else None


def extract_lien_waiver(pages: Sequence[Page]) -> WaiverExtraction:
    """A waiver's pages in, its lien_waiver block with confidences out."""
    segments = [seg for page in pages for seg in page_segments(page)]
    text = " ".join(page_text(page) for page in pages)
    exceptions = _label_text(segments, _EXCEPTIONS)
    signed = _signed(segments)
    waiver = LienWaiver(
        waiver_type=waiver_type_of(text),
        claimant=_label_text(segments, _CLAIMANT) or _search(_PAYEE, text),
        customer=_label_text(segments, _CUSTOMER)
        or _search(_CONTRACTED, text)
        or _search(_MAKER, text),
        owner=_label_text(segments, _OWNER) or _search(_PROPERTY_OF, text),
        project=_project(segments),
        through_date=_through(segments, text),
        amount=_amount(segments, text),
        exceptions=exceptions,
        signed=signed,
        signature_date=_signature_date(segments) if signed else None,
    )
    extraction = WaiverExtraction(waiver)
    for name in ("waiver_type", "claimant", "customer", "owner", "through_date", "amount"):
        if getattr(waiver, name) is not None:
            extraction.field_confidence[name] = 0.9
        elif name in ("waiver_type", "claimant"):
            extraction.warnings.append(f"lien waiver field not found: {name}")
    extraction.field_confidence["signed"] = 0.8
    return extraction
