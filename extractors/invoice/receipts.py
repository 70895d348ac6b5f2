"""Receipt-aware rules for the header fields a till receipt carries: vendor, date, total.

A receipt is not an invoice: a narrow strip, a shop name in big type on top, "TOTAL",
"ROUNDED TOTAL" or "TOTAL (RM)" beside the amount paid, "CASH" and "CHANGE" beside amounts that
are not the total, and day-first dates (DD/MM/YYYY). Owns telling a receipt from an invoice and
picking those three fields on it; the caller decides what to do with them. Pure: pages in,
values out, nothing read from files or the environment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from extractors.dates import find_dates
from extractors.lines import TextLine, group_lines
from extractors.page import Page
from extractors.values import find_amounts

_NARROW = 0.6  # width over height: a till roll is much taller than it is wide
_VOCABULARY = re.compile(
    r"\b(?:cash(?:ier)?|change|rounding|receipt|thank\s*you|gst\s*summary|member|qty|"
    r"tender|visa|master|debit|counter|table|tax\s*invoice)\b",
    re.I,
)
_MIN_VOCABULARY = 3
# A total label, and how sure it makes us: what was paid after rounding beats a plain total.
_TOTALS = (
    (re.compile(r"\brounded\s*total\b|\btotal\s*(?:after\s*round\w*|rounded)\b", re.I), 3),
    (re.compile(r"\b(?:grand|nett?)\s*total\b|\btotal\s*(?:amount|payable|due|sales)\b", re.I), 2),
    (re.compile(r"\btotal\s*(?:\(?\s*rm\s*\)?|incl\w*|inclusive)", re.I), 2),
    (re.compile(r"\btotal\b", re.I), 1),
)  # fmt: skip
_NOT_TOTAL = re.compile(
    r"\b(?:sub\s*-?\s*total|total\s*(?:qty|quantity|items?|excl\w*|gst|tax|disc\w*|savings?|"
    r"points?|tendered)|qty|gst\s*\d|tax\s*\d|rounding|round\s*adj\w*|change|cash)\b",
    re.I,
)
_NOT_NAME = re.compile(
    r"(?:\btax\s*invoice\b|\breceipt\b|\binvoice\b|\bgst\b|\breg\b|\bco\.?\s*no\b|\bno\.?\s*\d|"
    r"\btel\b|\bfax\b|\bphone\b|\bwelcome\b|\bcopy\b|@|www\.|\d{5,})",
    re.I,
)
_COMPANY = re.compile(
    r"\b(?:sdn\.?\s*bhd|bhd|enterprise|trading|restaurant|restoran|store|mart|shop|"
    r"hardware|company|co\b|s/b|plt|berhad|industries|sdn|gift|bakery|cafe|kedai)\b",
    re.I,
)
_ADDRESS = re.compile(
    r"\b(?:jalan|jln|lot|no\.?|flr|floor|taman|tmn|kawasan|selangor|johor|kuala|lumpur|darul|"
    r"ehsan|perindustrian|bandar|batu|lorong|persiaran|off)\b|\b\d{5}\b",
    re.I,
)
_TOP_LINES = 8


@dataclass(frozen=True, slots=True)
class ReceiptFields:
    """What the receipt rules found, each with a confidence in [0, 1]."""

    vendor_name: str | None = None
    vendor_confidence: float = 0.0
    date: date | None = None
    date_confidence: float = 0.0
    total: Decimal | None = None
    total_confidence: float = 0.0


def is_receipt(pages: Sequence[Page]) -> bool:
    """True when the pages read like a till receipt (narrow, or full of till vocabulary)."""
    if not pages or not pages[0].words:
        return False
    first = pages[0]
    text = " ".join(word.text for page in pages for word in page.words)
    narrow = first.height > 0 and first.width / first.height < _NARROW
    hits = {match.group(0).lower() for match in _VOCABULARY.finditer(text)}
    return len(hits) >= _MIN_VOCABULARY or (narrow and len(hits) >= 1)


def _amounts(line: TextLine) -> list[Decimal]:
    return [m.value for m in find_amounts(line.text) if m.has_decimals and m.value >= 0]


def _label_rank(text: str) -> int:
    """How strongly a line's label says 'the total paid' (0: not a total line)."""
    if _NOT_TOTAL.search(text):
        return 0
    for pattern, rank in _TOTALS:
        if pattern.search(text):
            return rank
    return 0


def find_total(lines: Sequence[TextLine]) -> tuple[Decimal | None, float]:
    """The amount beside the strongest total label (the next line's, when the label stands
    alone); the largest amount on the receipt when no label is read."""
    best: tuple[int, int, Decimal] | None = None
    for index, line in enumerate(lines):
        rank = _label_rank(line.text)
        if not rank:
            continue
        amounts = _amounts(line)
        if not amounts and index + 1 < len(lines):
            amounts = _amounts(lines[index + 1])
        if not amounts:
            continue
        # Among equally strong labels the largest amount is the one paid (tax included).
        if best is None or (rank, amounts[-1]) > (best[0], best[2]):
            best = (rank, index, amounts[-1])
    if best is not None:
        return best[2], 0.75 + 0.05 * best[0]
    amounts = [a for line in lines if not re.search(r"cash|change", line.text, re.I)
               for a in _amounts(line)]  # fmt: skip
    return (max(amounts), 0.5) if amounts else (None, 0.0)


def find_date(lines: Sequence[TextLine]) -> tuple[date | None, float]:
    """The first plausible date on the receipt, read day first (DD/MM/YYYY)."""
    for line in lines:
        for match in find_dates(line.text, day_first=True):
            if 2000 <= match.value.year <= 2035:
                return match.value, 0.85
    return None, 0.0


def _name_score(line: TextLine, index: int, usual: float) -> float:
    letters = sum(c.isalpha() for c in line.text)
    if letters < 3 or _NOT_NAME.search(line.text) or letters < 0.5 * len(line.text.strip()):
        return -1.0
    score = line.size / max(usual, 0.1) + (0.8 if line.bold else 0.0)
    score += 2.0 if _COMPANY.search(line.text) else 0.0
    score -= 2.0 if _ADDRESS.search(line.text) else 0.0
    return score - 0.15 * index


def find_vendor(lines: Sequence[TextLine]) -> tuple[str | None, float]:
    """The shop's name: the most prominent (large, bold, company-like) of the top lines."""
    top = lines[:_TOP_LINES]
    if not top:
        return None, 0.0
    sizes = sorted(line.size for line in lines)
    usual = sizes[len(sizes) // 2]
    scored = [(_name_score(line, i, usual), line) for i, line in enumerate(top)]
    score, chosen = max(scored, key=lambda pair: pair[0])
    if score < 0:
        return None, 0.0
    name = re.sub(r"\s+", " ", chosen.text).strip(" .,:;-*")
    return name or None, 0.7


def read_receipt(pages: Sequence[Page]) -> ReceiptFields:
    """The pages of a receipt in: its shop name, date and total (with confidences) out."""
    lines = [line for page in pages for line in group_lines(page.words)]
    vendor, vendor_conf = find_vendor(lines)
    when, date_conf = find_date(lines)
    total, total_conf = find_total(lines)
    return ReceiptFields(vendor, vendor_conf, when, date_conf, total, total_conf)
