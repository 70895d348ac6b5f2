"""Wild development layouts: designs modelled on real-world invoices print their truth legibly.

Generator properties only (the extractor is not run here): each design is registered for
development but kept out of the evaluation sets, is deterministic per (layout, seed), varies from
seed to seed, renders every page, and puts every header truth value in the PDF's text layer in
the form the page prints it. Seeds 1000-1009 are in the unit-test range.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import pymupdf
import pytest

import models
from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    LAYOUTS,
    WILD_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator.formats import all_date_forms, format_number

SEEDS = tuple(range(1000, 1010))
_SPACE = re.compile(r"\s+")


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _text(layout: str, seed: int) -> str:
    """The whole text layer, white space collapsed and case folded."""
    with pymupdf.open(stream=_document(layout, seed).pdf) as doc:
        text = " ".join(page.get_text() for page in doc)
    return _SPACE.sub(" ", text).casefold()


def _invoice(layout: str, seed: int) -> models.Invoice:
    invoice = _document(layout, seed).truth.invoice
    assert invoice is not None
    return invoice


def _printed(value: str) -> str:
    return _SPACE.sub(" ", value).strip().casefold()


def test_ten_wild_layouts_are_registered_for_development_only() -> None:
    assert len(WILD_LAYOUTS) == len(set(WILD_LAYOUTS)) == 10
    assert all(name.startswith("wild_") for name in WILD_LAYOUTS)
    assert all(name in LAYOUTS for name in WILD_LAYOUTS)
    assert not set(WILD_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))


@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_same_layout_and_seed_give_the_same_bytes(layout: str) -> None:
    first, again = _document(layout, 1000), generate_invoice(layout, 1000)
    assert first.pdf == again.pdf
    assert first.truth == again.truth


@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_different_seeds_give_different_documents(layout: str) -> None:
    pdfs = {_document(layout, seed).pdf for seed in SEEDS}
    assert len(pdfs) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_every_page_renders_with_ink_and_text(layout: str) -> None:
    for seed in SEEDS:
        document = _document(layout, seed)
        with pymupdf.open(stream=document.pdf) as doc:
            assert doc.page_count >= 1
            assert doc.page_count == document.truth.page_count
            for page in doc:
                pixmap = page.get_pixmap(dpi=24, colorspace=pymupdf.csGRAY)
                assert min(pixmap.samples) < 128, f"page {page.number + 1} is blank"
                assert page.get_text().strip()


def _header_values(invoice: models.Invoice) -> dict[str, str]:
    """Header truth values as plain strings (vendor, parties, numbers, terms, project)."""
    values = {
        "vendor.name": invoice.vendor.name,
        "vendor.phone": invoice.vendor.phone,
        "vendor.email": invoice.vendor.email,
        "vendor.tax_id": invoice.vendor.tax_id,
        "bill_to.name": invoice.bill_to.name,
        "invoice_number": invoice.invoice_number,
        "po_number": invoice.po_number,
        "payment_terms": invoice.payment_terms,
        "project.name": invoice.project.name,
        "project.number": invoice.project.number,
    }
    return {name: value for name, value in values.items() if value is not None}


def _amounts(invoice: models.Invoice) -> dict[str, Decimal]:
    amounts = {
        "subtotal": invoice.subtotal,
        "tax_total": invoice.tax_total,
        "retainage": invoice.retainage,
        "total": invoice.total,
        "amount_due": invoice.amount_due,
    }
    for index, line in enumerate(invoice.line_items):
        amounts[f"line {index + 1} amount"] = line.amount
    return {name: Decimal(value) for name, value in amounts.items() if value is not None}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_header_truth_is_in_the_text_layer(layout: str, seed: int) -> None:
    text = _text(layout, seed)
    missing = [
        f"{name}={value!r}"
        for name, value in _header_values(_invoice(layout, seed)).items()
        if _printed(value) not in text
    ]
    assert not missing, missing


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_dates_are_printed_in_a_date_form(layout: str, seed: int) -> None:
    invoice, text = _invoice(layout, seed), _text(layout, seed)
    for name, value in (("invoice_date", invoice.invoice_date), ("due_date", invoice.due_date)):
        if value is not None:
            forms = {form.casefold() for form in all_date_forms(value)}
            assert any(form in text for form in forms), f"{name} {value} not printed"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_totals_and_line_amounts_are_printed_in_the_layouts_number_style(
    layout: str, seed: int
) -> None:
    text, style = _text(layout, seed), LAYOUTS[layout].number
    missing = [
        f"{name}={format_number(value, style)}"
        for name, value in _amounts(_invoice(layout, seed)).items()
        if format_number(value, style) not in text
    ]
    assert not missing, missing


@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_currency_is_named_on_the_page(layout: str) -> None:
    for seed in SEEDS:
        invoice = _invoice(layout, seed)
        assert invoice.currency is not None
        assert invoice.currency.casefold() in _text(layout, seed) or (
            invoice.currency == "GBP" and "£" in _text(layout, seed)
        )
