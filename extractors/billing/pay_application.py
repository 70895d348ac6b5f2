"""AIA G702/G703 pay applications (and look-alike spreadsheets) into the contract's invoice block.

Reads the G702 summary lines 1-9 by their labels (the AIA wording and the common spreadsheet
synonyms), the header (application number, period to, project, owner, contractor), and the
G703 schedule of values as line items; then runs the G702/G703 arithmetic checks. Pure: pages
in, an `Invoice` with confidences and warnings out. Must not do I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from extractors.billing.fields import (
    Segment,
    amount_right,
    below,
    date_value,
    find_label,
    page_segments,
    text_value,
)
from extractors.billing.sov import read_schedule_of_values
from extractors.page import Page
from models import BillTo, Invoice, PayApplication, Project, Vendor, check_pay_application

_I = re.IGNORECASE
_LESS_RET = r"(?:retainage|retention)"
# Order matters: a segment is taken by the first field whose pattern it matches.
_SUMMARY: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("total_earned_less_retainage", re.compile(rf"earned less {_LESS_RET}", _I)),
    (
        "contract_sum_to_date",
        re.compile(
            r"contract sum to date|(?:revised|adjusted|current) contract (?:sum|amount)", _I
        ),
    ),
    ("original_contract_sum", re.compile(r"original contract|^contract (?:sum|amount)\b", _I)),
    (
        "net_change_orders",
        re.compile(
            r"net change by change orders|change orders to date|approved change orders|"
            r"net change orders|^(?:\d\.\s*)?change orders\b",
            _I,
        ),
    ),
    (
        "total_completed_and_stored",
        re.compile(
            r"completed (?:&|and) stored|total billed to date|work completed to date|"
            r"total completed to date",
            _I,
        ),
    ),
    (
        "retainage",
        re.compile(
            rf"total {_LESS_RET}|less {_LESS_RET}|{_LESS_RET} (?:held|withheld)|"
            rf"^{_LESS_RET}\b(?!:)",
            _I,
        ),
    ),
    (
        "less_previous_certificates",
        re.compile(
            r"less previous (?:certificates|billings|payments|applications)|"
            r"previous (?:certificates|payments|billings)",
            _I,
        ),
    ),
    (
        "current_payment_due",
        re.compile(
            r"current payment due|amount due this (?:request|period|application)|"
            r"payment due this (?:period|request)|this payment request",
            _I,
        ),
    ),
    ("balance_to_finish", re.compile(r"balance to finish|remaining balance|balance remaining", _I)),
)
_APPLICATION_NO = re.compile(
    r"(?:application|pay app(?:lication)?|request|requisition)\s*(?:no\.?|number|#)\s*:?", _I
)
_PERIOD_TO = re.compile(r"period (?:to|ending|end|through)\s*:?|billing period to\s*:?", _I)
_APPLICATION_DATE = re.compile(
    r"application date\s*:?|date submitted\s*:?|invoice date\s*:?|date of application\s*:?", _I
)
_PROJECT_NAME = re.compile(r"^project(?: name)?\s*:|^job name\s*:", _I)
_PROJECT_NO = re.compile(
    r"(?:project|job)\s*(?:no\.?|number|#)\s*:?|architect's project no\.?\s*:?", _I
)
_CONTRACTOR = re.compile(r"from contractor\s*:|^contractor\s*:|^from\s*:", _I)
_OWNER = re.compile(
    r"to owner(?:/contractor)?\s*:|^bill to(?: \(gc\))?\s*:|submitted to\s*:|^to\s*:", _I
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]*")
_BASE_CONFIDENCE = 0.95
_DERIVED_CONFIDENCE = 0.7  # below the review threshold: a person checks a computed line


@dataclass
class PayAppExtraction:
    """What the pay-application extractor found: the invoice block, confidences, warnings."""

    invoice: Invoice
    field_confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


def _summary(segments: Sequence[Segment]) -> dict[str, Decimal]:
    """The G702 lines 1-9: each label's amount, the first labelled segment with one winning."""
    found: dict[str, Decimal] = {}
    for segment in segments:
        for name, pattern in _SUMMARY:
            match = pattern.search(segment.value)
            if match is None:
                continue
            if name not in found:
                rest = segment.value[match.end() :]
                value = amount_right(segments, segment, rest)
                if value is not None:
                    found[name] = value
            break
    if "retainage" in found:
        found["retainage"] = abs(found["retainage"])
    if "less_previous_certificates" in found:
        found["less_previous_certificates"] = abs(found["less_previous_certificates"])
    return found


# (result, left, sign, right): result = left + sign * right, the G702's own arithmetic.
_IDENTITIES: tuple[tuple[str, str, int, str], ...] = (
    ("contract_sum_to_date", "original_contract_sum", 1, "net_change_orders"),
    ("total_earned_less_retainage", "total_completed_and_stored", -1, "retainage"),
    ("current_payment_due", "total_earned_less_retainage", -1, "less_previous_certificates"),
    ("balance_to_finish", "contract_sum_to_date", -1, "total_earned_less_retainage"),
)


def derive_missing(found: dict[str, Decimal]) -> list[str]:
    """Fill G702 lines that could not be read from the two others of an identity (a scan's
    smudged line 4 is line 6 + line 5); returns the names filled, in place."""
    filled: list[str] = []
    for _ in range(2):
        for result, left, sign, right in _IDENTITIES:
            known = {name: found.get(name) for name in (result, left, right)}
            missing = [name for name, value in known.items() if value is None]
            if len(missing) != 1:
                continue
            a, b, r = known[left], known[right], known[result]
            name = missing[0]
            if name == result and a is not None and b is not None:
                found[name] = a + sign * b
            elif name == left and r is not None and b is not None:
                found[name] = r - sign * b
            elif name == right and r is not None and a is not None:
                found[name] = (r - a) * sign
            filled.append(name)
    return filled


def _text(segments: Sequence[Segment], pattern: re.Pattern[str]) -> str | None:
    hit = find_label(segments, pattern)
    return text_value(segments, *hit) if hit else None


def _token(text: str | None) -> str | None:
    match = _TOKEN.search(text or "")
    return match.group(0).rstrip(".") if match else None


def _date(segments: Sequence[Segment], pattern: re.Pattern[str]) -> date | None:
    hit = find_label(segments, pattern)
    return date_value(segments, *hit) if hit else None


def _party(segments: Sequence[Segment], pattern: re.Pattern[str]) -> tuple[str | None, str | None]:
    """A party's name (after its label, to its right or below it) and the address under it."""
    hit = find_label(segments, pattern)
    if hit is None:
        return None, None
    segment, rest = hit
    if rest:
        lines = [seg.value for seg in below(segments, segment, depth=2)]
        return rest, "\n".join(lines) or None
    right = [
        seg
        for seg in segments
        if seg.line == segment.line
        and seg.page == segment.page
        and seg.text.box.x0 > segment.text.box.x1
    ]
    near = right and right[0].text.box.x0 - segment.text.box.x1 < 120
    if near and ":" not in right[0].value[:25]:
        under = [seg.value for seg in below(segments, right[0], depth=2)]
        return right[0].value, "\n".join(under) or None
    under = [seg.value for seg in below(segments, segment, depth=3)]
    if not under:
        return None, None
    return under[0], "\n".join(under[1:]) or None


def _address(text: str | None) -> str | None:
    """Keep address-looking lines: the first up to a 'City, ST 12345' line."""
    if not text:
        return None
    kept: list[str] = []
    for line in text.split("\n"):
        kept.append(line)
        if re.search(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?$", line):
            return "\n".join(kept)
    return None


def _pay_application(
    segments: Sequence[Segment], all_segments: Sequence[Segment]
) -> tuple[PayApplication, list[str]]:
    summary = _summary(segments)
    derived = derive_missing(summary)
    number = _token(_text(all_segments, _APPLICATION_NO))
    block = PayApplication(
        application_number=number, period_to=_date(all_segments, _PERIOD_TO), **summary
    )
    return block, derived


def extract_pay_application(pages: Sequence[Page]) -> PayAppExtraction:
    """A pay application's pages in, its invoice block (G702 + G703) with checks out."""
    lines, sov_pages = read_schedule_of_values(pages)
    summary_pages = [page for page in pages if page.number not in sov_pages] or list(pages[:1])
    segments = [seg for page in summary_pages for seg in page_segments(page)]
    all_segments = [seg for page in pages for seg in page_segments(page)]
    summary, derived = _pay_application(segments, all_segments)
    vendor, vendor_address = _party(segments, _CONTRACTOR)
    owner, owner_address = _party(segments, _OWNER)
    invoice = Invoice(
        vendor=Vendor(name=vendor, address=_address(vendor_address)),
        bill_to=BillTo(name=owner, address=_address(owner_address)),
        invoice_number=summary.application_number,
        invoice_date=_date(all_segments, _APPLICATION_DATE) or summary.period_to,
        currency="USD",
        project=Project(
            name=_text(segments, _PROJECT_NAME), number=_token(_text(all_segments, _PROJECT_NO))
        ),
        line_items=lines,
        retainage=summary.retainage,
        total=summary.current_payment_due,
        amount_due=summary.current_payment_due,
        pay_application=summary,
    )
    return _finish(invoice, derived)


def _finish(invoice: Invoice, derived: Sequence[str] = ()) -> PayAppExtraction:
    """Confidences for the fields found, warnings for the missing ones and the failed checks."""
    extraction = PayAppExtraction(invoice)
    summary = invoice.pay_application
    assert summary is not None
    for name, value in summary:
        if name in derived:
            extraction.field_confidence[f"pay_application.{name}"] = _DERIVED_CONFIDENCE
            extraction.warnings.append(
                f"pay application field {name} was not readable; computed from the G702 lines"
            )
        elif value is not None:
            extraction.field_confidence[f"pay_application.{name}"] = _BASE_CONFIDENCE
        else:
            extraction.warnings.append(f"pay application field not found: {name}")
    for name in ("vendor.name", "bill_to.name", "project.name", "invoice_date"):
        head, _, tail = name.partition(".")
        value = getattr(getattr(invoice, head), tail) if tail else getattr(invoice, head)
        if value is not None:
            extraction.field_confidence[name] = 0.9
    if not invoice.line_items:
        extraction.warnings.append("no schedule of values (G703) lines were found")
    issues = check_pay_application(invoice)
    extraction.issues = [str(issue) for issue in issues]
    return extraction
