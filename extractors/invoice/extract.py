"""Invoice extraction: header fields + line items, reconciled by the arithmetic cross-checks.

Owns the order of the work: read cells, decide document-level conventions (decimal
separator, day-first dates, currency), collect labelled candidates, pick parties, choose
totals by the arithmetic, and report a confidence per field. Pure: pages in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import partial

from extractors.classify import invoice_start
from extractors.dates import find_dates, infer_day_first
from extractors.invoice.header import (
    Candidate,
    Hints,
    best,
    email_in,
    page_candidates,
    terms_fit,
)
from extractors.invoice.labels import Field, find_labels
from extractors.invoice.line_items import LineItemsResult, extract_line_items
from extractors.invoice.parties import Party, labelled_party, payable_name, vendor_from_print
from extractors.invoice.reconcile import Totals, choose_totals
from extractors.layout import Cell, body_size, page_rows
from extractors.page import Page
from extractors.values import detect_currency, infer_decimal_separator, is_identifier
from models import BillTo, Invoice, Project, Vendor

Rows = list[list[Cell]]
_ENGLISH = re.compile(r"\b(?:invoice|total|date|due|amount|bill|terms|balance|tax)\b", re.I)
_FOREIGN = re.compile(
    r"\b(?:rechnung|datum|summe|betrag|facture|montant|factura|fecha|factuur|bedrag|totaal"
    r"|netto|brutto|échéance|verkäufer|käufer|fällig)\b",
    re.I,
)
_NET_DAYS = re.compile(
    r"\b(?:net|netto|n)\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:days|tage|jours|días|dias|dagen)\b", re.I
)
_BELOW_TABLE_BONUS = 1.05
_DATELINE_SHARE = 0.35  # a letter's date line stands in the top part of its first page
_DATELINE_CONFIDENCE = 0.6  # no label says what the date is: worth a look
_PREPRINTED_SHARE = 0.3  # a form's serial number is printed in the top part of its page
_PREPRINTED_SIZE = 1.2  # ... and in larger type than the body text
_ISO_AFTER = re.compile(r"^[\s:]*([A-Z]{3})\b")
_PROJECT_NUMBER = re.compile(r"^\s*#?\s*([A-Z]{0,4}[-#]?\d[\w./-]*)\s*[-–:]?\s*(.*)$")
_PROJECT_NUMBER_LAST = re.compile(r"^(.*?)[\s(#–-]+([A-Z]{0,4}-?\d[\w./-]{3,})\)?$")


@dataclass(frozen=True, slots=True)
class InvoiceExtraction:
    """What invoice extraction found: the invoice, a confidence per dotted field path, warnings."""

    invoice: Invoice
    field_confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Found:
    """Values and confidences as they are picked, before the invoice is built."""

    values: dict[str, object] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    def put(self, path: str, value: object, confidence: float) -> None:
        if value is None or value == "":
            return
        self.values[path] = value
        self.confidence[path] = round(max(0.0, min(1.0, confidence)), 3)


def _hints(texts: list[str], candidates_currency: str | None) -> tuple[Hints, str | None]:
    full = "\n".join(texts)
    currency = candidates_currency or detect_currency(full)
    day_first = infer_day_first(texts, currency, partial(_english, full))
    return Hints(infer_decimal_separator(texts), day_first), currency


def _english(text: str) -> bool:
    """Whether a text has at least as many English invoice words as foreign ones."""
    return len(_ENGLISH.findall(text)) >= len(_FOREIGN.findall(text))


def _currency_label(pages_rows: Sequence[Rows]) -> str | None:
    """A currency printed after its label ("Währung: EUR") wins over counting symbols."""
    for rows in pages_rows:
        for row in rows:
            for cell in row:
                for hit in find_labels(cell.text):
                    if hit.label.field is Field.CURRENCY:
                        match = _ISO_AFTER.match(cell.text[hit.end :])
                        if match is not None:
                            return match.group(1)
    return None


def _unconfirmed(score: float) -> float:
    """A label-and-grammar score as a confidence: high, but below what a cross-check gives."""
    return 0.45 + 0.5 * min(1.0, score)


def _put_best(found: _Found, candidates: Sequence[Candidate], wanted: Field, path: str) -> None:
    choice = best(candidates, wanted)
    if choice is not None:
        found.put(path, choice.value, _unconfirmed(choice.score))


def _put_dates(found: _Found, candidates: Sequence[Candidate]) -> None:
    issued = best(candidates, Field.INVOICE_DATE)
    if issued is not None:
        found.put("invoice_date", issued.value, _unconfirmed(issued.score))
    start = issued.value if issued is not None and isinstance(issued.value, date) else None
    due_pool = [
        c
        for c in candidates
        if c.field is Field.DUE_DATE
        and (start is None or not isinstance(c.value, date) or c.value >= start)
    ]
    due = best(due_pool, Field.DUE_DATE)
    if due is None and start is not None:
        turned = _read_the_other_way(candidates, start)
        if turned is not None:
            issued_date, due = turned
            found.put("invoice_date", issued_date, found.confidence["invoice_date"] * 0.9)
    if due is not None:
        found.put("due_date", due.value, _unconfirmed(due.score))


def _swapped(day: date) -> date | None:
    """A numeric date read with day and month the other way round (None when it cannot be)."""
    if day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


def _read_the_other_way(
    candidates: Sequence[Candidate], issued: date
) -> tuple[date, Candidate] | None:
    """A due date before the invoice date is a reading the wrong way round when both dates,
    read day-for-month, stand in order ("Issued 06/01/2026 · Due 05/02/2026"): both read
    that way (the invoice date, and the due date's candidate), or None."""
    turned = _swapped(issued)
    if turned is None:
        return None
    for candidate in sorted(candidates, key=lambda c: -c.score):
        if candidate.field is not Field.DUE_DATE or not isinstance(candidate.value, date):
            continue
        other = _swapped(candidate.value)
        if other is not None and other >= turned:
            return turned, replace(candidate, value=other)
    return None


def dateline(rows: Rows, hints: Hints, height: float) -> date | None:
    """The date a letter-style invoice prints on a line of its own at the top, with no label
    beside or above it ("November 16, 2025" over the addressee): its date of issue."""
    for row in rows:
        for index, cell in enumerate(row):
            if cell.box.y0 > _DATELINE_SHARE * height:
                return None
            text = cell.text.strip(" .,")
            dates = find_dates(text, hints.day_first)
            if len(dates) != 1 or dates[0].end - dates[0].start != len(text):
                continue
            keyed = any(_names_a_field(left.text) for left in row[:index])
            if not keyed and not _label_above(rows, cell):
                return dates[0].value
    return None


def _names_a_field(text: str) -> bool:
    return text.rstrip().endswith(":") or bool(find_labels(text))


def _label_above(rows: Rows, cell: Cell) -> bool:
    """Whether the nearest text over a cell (overlapping it across) names a field."""
    for row in reversed(rows[: cell.row]):
        over = [c for c in row if c.box.x0 < cell.box.x1 and cell.box.x0 < c.box.x1]
        if over:
            near = cell.box.y0 - max(c.box.y1 for c in over) < 1.5 * cell.size
            return near and any(_names_a_field(c.text) for c in over)
    return False


def _confirm_dates(found: _Found) -> None:
    """Due date = invoice date + the days of "Net N" terms confirms all three readings."""
    issued, due = found.values.get("invoice_date"), found.values.get("due_date")
    match = _NET_DAYS.search(str(found.values.get("payment_terms", "")))
    if not isinstance(issued, date) or not isinstance(due, date) or match is None:
        return
    days = int(match.group(1) or match.group(2))
    if (due - issued).days == days:
        for path in ("invoice_date", "due_date", "payment_terms"):
            found.confidence[path] = max(found.confidence[path], 0.97)


def _put_numbers(
    found: _Found, candidates: Sequence[Candidate], first_page: Rows, height: float
) -> None:
    _put_best(found, candidates, Field.INVOICE_NUMBER, "invoice_number")
    if "invoice_number" not in found.values:
        taken = {str(c.value) for c in candidates}
        found.put("invoice_number", preprinted_number(first_page, height, taken), 0.5)
    number = found.values.get("invoice_number")
    pool = [c for c in candidates if c.field is not Field.PO_NUMBER or c.value != number]
    _put_best(found, pool, Field.PO_NUMBER, "po_number")
    terms = [c for c in candidates if c.field is Field.TERMS and terms_fit(str(c.value))]
    _put_best(found, terms, Field.TERMS, "payment_terms")


def preprinted_number(rows: Rows, height: float, taken: set[str]) -> str | None:
    """A form's pre-printed serial number standing alone near the top of its first page
    ("004512" in red on a carbon-copy invoice book), when no label names the number: the
    largest lone identifier there, set larger than the body text, that is no date, amount
    or other field's value."""
    body = body_size(rows)
    lone = [
        cell
        for row in rows
        for cell in row
        if cell.box.y0 < _PREPRINTED_SHARE * height
        and cell.size >= _PREPRINTED_SIZE * body  # set large, not a value beside a lost label
        and _lone_serial(cell.text, taken)
    ]
    if not lone:
        return None
    return max(lone, key=lambda cell: (cell.size, -cell.box.y0)).text.strip()


def _lone_serial(text: str, taken: set[str]) -> bool:
    token = text.strip()
    if " " in token or token in taken or sum(ch.isdigit() for ch in token) < 4:
        return False
    return not find_dates(token) and is_identifier(token)


def _put_project(found: _Found, candidates: Sequence[Candidate]) -> None:
    _put_best(found, candidates, Field.PROJECT_NAME, "project.name")
    _put_best(found, candidates, Field.PROJECT_NUMBER, "project.number")
    general = best(candidates, Field.PROJECT)
    if general is None:
        return
    number, name = _split_project(str(general.value))
    if number is not None and "project.number" not in found.values:
        found.put("project.number", number, _unconfirmed(general.score))
        found.put("project.name", name, _unconfirmed(general.score))
    elif number is None and "project.name" not in found.values:
        found.put("project.name", name, _unconfirmed(general.score))


def _split_project(text: str) -> tuple[str | None, str | None]:
    """'24-017 Riverside MOB' or 'Riverside MOB (24-017)' into number and name."""
    first = _PROJECT_NUMBER.match(text)
    if first is not None:
        return first.group(1), first.group(2) or None
    last = _PROJECT_NUMBER_LAST.match(text)
    if last is not None and sum(ch.isdigit() for ch in last.group(2)) >= 3:
        return last.group(2), last.group(1).strip(" -–,") or None
    return None, text


def _put_parties(found: _Found, pages_rows: Sequence[Rows], pages: Sequence[Page]) -> None:
    bill_to = labelled_party(pages_rows, Field.BILL_TO)
    found.put("bill_to.name", bill_to.name, 0.8)
    found.put("bill_to.address", bill_to.address, 0.7)
    vendor = labelled_party(pages_rows, Field.VENDOR)
    remit = labelled_party(pages_rows, Field.REMIT_TO).name or payable_name(pages_rows)
    if vendor.name is None and pages:
        ship_to = labelled_party(pages_rows, Field.SHIP_TO).name
        excluded = {name.casefold() for name in (bill_to.name, ship_to) if name}
        vendor = vendor_from_print(pages_rows[0], pages[0].height, excluded, remit)
    if vendor.name is None:
        vendor = Party(remit, None, 0.3)
    _put_vendor(found, vendor)


def _put_vendor(found: _Found, vendor: Party) -> None:
    found.put("vendor.name", vendor.name, 0.6 + 0.3 * vendor.score)
    found.put("vendor.address", vendor.address, 0.6)


def _put_contacts(found: _Found, candidates: Sequence[Candidate], texts: list[str]) -> None:
    _put_best(found, candidates, Field.PHONE, "vendor.phone")
    _put_best(found, candidates, Field.TAX_ID, "vendor.tax_id")
    _put_best(found, candidates, Field.EMAIL, "vendor.email")
    if "vendor.email" not in found.values:
        email = next((e for e in map(email_in, texts) if e), None)
        found.put("vendor.email", email, 0.5)


def _line_sum(lines: LineItemsResult) -> Decimal | None:
    amounts = [item.amount for item in lines.items if item.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def _below_table(candidates: Sequence[Candidate], table_end: dict[int, float]) -> list[Candidate]:
    """Totals are printed under the item table: amounts found there weigh a little more."""
    if not table_end:
        return list(candidates)
    last_page = max(table_end)
    return [
        replace(c, score=c.score * _BELOW_TABLE_BONUS)
        if c.page > last_page or (c.page == last_page and c.y >= table_end[last_page] - 2)
        else c
        for c in candidates
    ]


def _put_totals(found: _Found, totals: Totals) -> None:
    for wanted, value in totals.values.items():
        found.put(wanted.value, value, totals.confidence.get(wanted, 0.5))


def _text(found: _Found, path: str) -> str | None:
    value = found.values.get(path)
    return None if value is None else str(value)


def _date(found: _Found, path: str) -> date | None:
    value = found.values.get(path)
    return value if isinstance(value, date) else None


def _money(found: _Found, wanted: Field) -> Decimal | None:
    value = found.values.get(wanted.value)
    return value if isinstance(value, Decimal) else None


def _build(found: _Found, lines: LineItemsResult) -> Invoice:
    return Invoice(
        vendor=Vendor(
            name=_text(found, "vendor.name"),
            address=_text(found, "vendor.address"),
            tax_id=_text(found, "vendor.tax_id"),
            email=_text(found, "vendor.email"),
            phone=_text(found, "vendor.phone"),
        ),
        bill_to=BillTo(name=_text(found, "bill_to.name"), address=_text(found, "bill_to.address")),
        invoice_number=_text(found, "invoice_number"),
        invoice_date=_date(found, "invoice_date"),
        due_date=_date(found, "due_date"),
        po_number=_text(found, "po_number"),
        payment_terms=_text(found, "payment_terms"),
        currency=_text(found, "currency"),
        project=Project(name=_text(found, "project.name"), number=_text(found, "project.number")),
        line_items=list(lines.items),
        subtotal=_money(found, Field.SUBTOTAL),
        tax_total=_money(found, Field.TAX),
        retainage=_money(found, Field.RETAINAGE),
        total=_money(found, Field.TOTAL),
        amount_due=_money(found, Field.AMOUNT_DUE),
    )


def _height(pages: Sequence[Page]) -> float:
    return pages[0].height if pages else 0.0


def extract_invoice(pages: Sequence[Page]) -> InvoiceExtraction:
    """The pages of an invoice in, the extracted invoice with confidences and warnings out
    (pages of another kind sent ahead of it, a packing list or a statement, are left out)."""
    pages = pages[invoice_start(pages) :]
    lines = extract_line_items(pages)
    pages_rows = [page_rows(page) for page in pages]
    texts = [cell.text for rows in pages_rows for row in rows for cell in row]
    hints, currency = _hints(texts, _currency_label(pages_rows))
    candidates = [c for i, rows in enumerate(pages_rows) for c in page_candidates(rows, hints, i)]
    found = _Found()
    found.put("currency", currency, 0.9)
    _put_numbers(found, candidates, pages_rows[0] if pages_rows else [], _height(pages))
    _put_dates(found, candidates)
    if "invoice_date" not in found.values and pages_rows:
        issued = dateline(pages_rows[0], hints, _height(pages))
        if issued is not None:
            found.put("invoice_date", issued, _DATELINE_CONFIDENCE)
    _confirm_dates(found)
    _put_project(found, candidates)
    _put_parties(found, pages_rows, pages)
    _put_contacts(found, candidates, texts)
    totals = choose_totals(_below_table(candidates, lines.table_end), _line_sum(lines))
    _put_totals(found, totals)
    invoice = _build(found, lines)
    warnings = [*lines.warnings, *totals.warnings]
    return InvoiceExtraction(invoice, found.confidence, warnings)
