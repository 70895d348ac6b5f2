"""The eighteenth wild family (invoices sent with their backup in the same PDF: signed delivery
tickets, a daily T&M report, a copy of the customer's PO, a conditional lien waiver, a packing
list first, a statement of account first): generator properties only. Every design is
deterministic, prints every truth value on its invoice pages, keeps its text on the paper, and
varies from seed to seed; and each draws its backup with the backup's own numbers, none of them
one of the invoice's sums."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD18_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.content import InvoiceContent, generate_content
from fixtures.generator.formats import (
    all_date_forms,
    format_number,
    format_price,
    format_quantity,
)
from fixtures.generator.wild18 import (
    aging,
    delivery_tickets,
    po_lines,
    po_total,
    statement_items,
    tm_crew,
    waiver_amount,
    waiver_through,
)
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
LETTER = (612.0, 792.0)
# Where the invoice starts: after the leading packing list or statement in two designs.
LEADING = {"wild18_packing_list_first", "wild18_statement_first"}
# What marks a page as backup rather than invoice.
BACKUP = ("backup to invoice", "enclosed with invoice", "statement of account")
_MONEY = re.compile(r"\d[\d,]*\.\d\d(?!\d)")
INK = (0.1, 0.16, 0.52)


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _invoice_pages(layout: str, seed: int) -> list[int]:
    return [
        index
        for index, page in enumerate(_pages(layout, seed))
        if not any(mark in page for mark in BACKUP)
    ]


def _backup_pages(layout: str, seed: int) -> list[str]:
    invoice = _invoice_pages(layout, seed)
    return [page for index, page in enumerate(_pages(layout, seed)) if index not in invoice]


def _invoice_text(layout: str, seed: int) -> str:
    pages = _pages(layout, seed)
    return " ".join(pages[index] for index in _invoice_pages(layout, seed))


def _content(layout: str, seed: int) -> InvoiceContent:
    """The content `generate_invoice` draws for a layout and seed."""
    return generate_content(LAYOUTS[layout].profile, random.Random(f"{layout}:{seed}"))


def _sums(document: GeneratedDocument) -> set[str]:
    """The invoice's own sums as printed."""
    truth = document.truth.invoice
    assert truth is not None
    values = [truth.subtotal, truth.tax_total, truth.total, truth.amount_due, truth.retainage]
    return {format_number(value, LAYOUTS[document.layout].number) for value in values if value}


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _after(text: str, label: str) -> Decimal:
    """The amount printed right after a label."""
    found = re.search(re.escape(label) + r":? \$?([\d,]+\.\d\d)", text)
    assert found is not None, label
    return _amount(found.group(1))


def test_the_family_has_six_letter_designs_registered_for_development_only() -> None:
    assert len(WILD18_LAYOUTS) == 6
    assert all(name.startswith("wild18_") and name in LAYOUTS for name in WILD18_LAYOUTS)
    assert set(WILD18_LAYOUTS) > LEADING


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed_on_the_invoice_pages(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _invoice_text(layout, seed)
    number = LAYOUTS[layout].number
    assert missing_header_values(document, text, number) == []
    truth = document.truth.invoice
    assert truth is not None
    for item in truth.line_items:
        assert item.description is not None and item.amount is not None
        assert printed_wrapped(text, item.description), item.description
        assert printed(text, format_number(item.amount, number)), item.amount
        if item.quantity is not None:
            assert printed(text, format_quantity(item.quantity, number)), item.quantity
        if item.unit_price is not None:
            assert printed(text, format_price(item.unit_price, number)), item.unit_price
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit
        if item.cost_code is not None:
            assert printed(text, f" {item.cost_code} "), item.cost_code


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_letter_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))
    pdf: Any = pymupdf.open(stream=document.pdf)
    sizes = {(page.rect.width, page.rect.height) for page in pdf}
    pdf.close()
    assert sizes == {LETTER}


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_invoice_comes_first_or_after_one_leading_backup_page(layout: str, seed: int) -> None:
    invoice = _invoice_pages(layout, seed)
    pages = len(_pages(layout, seed))
    assert invoice and invoice == list(range(invoice[0], invoice[-1] + 1))  # all together
    assert len(invoice) < pages  # with backup
    if layout in LEADING:
        assert invoice[-1] == pages - 1 and invoice[0] >= 1
    else:
        assert invoice[0] == 0


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_page_names_the_invoice(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("layout", WILD18_LAYOUTS)
def test_long_invoices_run_over_pages_before_or_after_their_backup(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1030) if len(_invoice_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs the {layout} invoice over more than one page"
    for seed in seeds:
        pages = _pages(layout, seed)
        assert all("(continued)" in pages[i] for i in _invoice_pages(layout, seed)[1:])


@pytest.mark.parametrize("layout", sorted(set(WILD18_LAYOUTS) - {"wild18_statement_first"}))
@pytest.mark.parametrize("seed", SEEDS)
def test_no_backup_amount_is_one_of_the_invoice_sums(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    sums = _sums(document)
    for page in _backup_pages(layout, seed):
        assert not set(_MONEY.findall(page)) & sums


def _ink_strokes(pdf: bytes) -> list[int]:
    """Per page, the strokes drawn in signature ink."""
    document: Any = pymupdf.open(stream=pdf)
    counts = [
        sum(
            1
            for path in page.get_drawings()
            if path["color"] is not None
            and all(abs(a - b) < 0.005 for a, b in zip(path["color"], INK, strict=True))
        )
        for page in document
    ]
    document.close()
    return counts


@pytest.mark.parametrize("seed", SEEDS)
def test_the_delivery_tickets_are_signed_and_priceless_and_add_up(seed: int) -> None:
    layout = "wild18_delivery_tickets"
    document = _document(layout, seed)
    truth = document.truth.invoice
    assert truth is not None and truth.invoice_date is not None
    tickets = delivery_tickets(_content(layout, seed))
    backup = " ".join(_backup_pages(layout, seed))
    assert len(tickets) >= min(2, len(truth.line_items))
    assert len({ticket.number for ticket in tickets}) == len(tickets)
    for ticket in tickets:
        assert printed(backup, f"ticket no. {ticket.number}")
        assert ticket.delivered < truth.invoice_date  # delivered before it was invoiced
        assert printed(
            backup, f"total yards {format_quantity(ticket.yards, LAYOUTS[layout].number)}"
        )
    assert backup.count("delivery ticket ticket no.") == len(tickets)
    yards = sum(
        (item.quantity or Decimal(0) for item in truth.line_items if item.unit == "CY"),
        Decimal(0),
    )
    assert sum((ticket.yards for ticket in tickets), Decimal(0)) == yards
    assert _MONEY.findall(backup) == []  # quantities only, no prices
    invoice, ink = _invoice_pages(layout, seed), _ink_strokes(document.pdf)
    assert sum(count for index, count in enumerate(ink) if index not in invoice) >= 3 * len(tickets)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_tm_report_has_its_own_labor_total(seed: int) -> None:
    layout = "wild18_tm_report"
    document = _document(layout, seed)
    truth = document.truth.invoice
    assert truth is not None
    crew = tm_crew(_content(layout, seed))
    backup = " ".join(_backup_pages(layout, seed))
    assert "daily time & material report" in backup and "work date" in backup
    for worker in crew:
        assert printed(backup, f"{worker.name} {worker.trade}")
        assert printed(backup, format_number(worker.amount, LAYOUTS[layout].number))
    labor = _after(backup, "total labor")
    assert labor == sum((worker.amount for worker in crew), Decimal(0))
    assert labor not in {truth.subtotal, truth.tax_total, truth.total, truth.amount_due}
    hours = sum((worker.straight + worker.overtime for worker in crew), Decimal(0))
    assert printed(backup, f"total hours {format_quantity(hours, LAYOUTS[layout].number)}")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_po_copy_carries_the_po_number_but_its_own_lines_and_total(seed: int) -> None:
    layout = "wild18_po_copy"
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.po_number is not None and truth.total is not None
    backup = " ".join(_backup_pages(layout, seed))
    assert "purchase order" in backup and "copy - not an invoice" in backup
    assert printed(backup, f"po number {truth.po_number} po date")
    content = _content(layout, seed)
    assert _after(backup, "po total") == po_total(content)
    assert po_total(content) not in {truth.subtotal, truth.tax_total, truth.total}
    for line, ordered, _, amount in po_lines(content):
        assert line.quantity is not None and ordered >= line.quantity
        assert amount != line.amount  # no PO row repeats an invoice row's amount
    assert printed(_invoice_text(layout, seed), f"your po {truth.po_number}")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lien_waiver_releases_a_previous_payment_through_month_end(seed: int) -> None:
    layout = "wild18_lien_waiver"
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.retainage is not None and truth.amount_due is not None
    assert truth.invoice_date is not None and truth.total is not None
    content = _content(layout, seed)
    backup = " ".join(_backup_pages(layout, seed))
    assert "conditional waiver and release" in backup
    through = waiver_through(content)
    assert through < truth.invoice_date and (through + timedelta(days=1)).day == 1  # month-end
    assert (truth.invoice_date - through).days <= 31
    assert any(printed(backup, f"through date: {form}") for form in all_date_forms(through))
    assert _after(backup, "amount of check") == waiver_amount(content)
    assert waiver_amount(content) not in {
        truth.subtotal,
        truth.tax_total,
        truth.total,
        truth.retainage,
        truth.amount_due,
    }
    assert re.search(r"for work through \S+", backup) is not None
    invoice = _invoice_text(layout, seed)
    assert _after(invoice, "amount due") == truth.amount_due == truth.total - truth.retainage


@pytest.mark.parametrize("seed", SEEDS)
def test_the_packing_list_comes_first_without_prices(seed: int) -> None:
    layout = "wild18_packing_list_first"
    document = _document(layout, seed)
    truth = document.truth.invoice
    assert truth is not None
    pages = _pages(layout, seed)
    assert "packing list" in pages[0] and "enclosed with invoice" in pages[0]
    backup = " ".join(_backup_pages(layout, seed))
    assert _MONEY.findall(backup) == []
    shipped = sum((item.quantity or Decimal(0) for item in truth.line_items), Decimal(0))
    number = LAYOUTS[layout].number
    assert printed(backup, f"total pieces shipped {format_quantity(shipped, number)}")
    assert re.search(r"ship weight [\d,]+ lbs", backup) is not None
    pdf: Any = pymupdf.open(stream=document.pdf)
    first, last = ({font[3] for font in pdf[index].get_fonts()} for index in (0, -1))
    pdf.close()
    assert {"Courier", "Courier-Bold"} <= first  # the warehouse's print
    assert not any(name.startswith("Courier") for name in last)  # the office's invoice


@pytest.mark.parametrize("seed", SEEDS)
def test_the_statement_comes_first_and_ages_this_invoice_among_older_ones(seed: int) -> None:
    layout = "wild18_statement_first"
    document = _document(layout, seed)
    truth = document.truth.invoice
    assert truth is not None and truth.total is not None
    number = LAYOUTS[layout].number
    statement = _pages(layout, seed)[0]
    assert "statement of account" in statement
    content = _content(layout, seed)
    items = statement_items(content)
    assert items[-1].number == truth.invoice_number and len(items) >= 3
    assert all(item.number != truth.invoice_number for item in items[:-1])
    this = format_number(truth.total, number)
    assert printed(statement, f"inv {truth.invoice_number} ")
    assert statement.count(this) == 2  # its charge and its open balance, in its row only
    sums = aging(content, items)
    assert sums[-1] == sum((item.balance for item in items), Decimal(0))
    assert _after(statement, "account balance") == sums[-1]
    others = [found for found in _MONEY.findall(statement) if found != this]
    assert not set(others) & _sums(document)
