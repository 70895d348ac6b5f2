"""The tenth wild family (small trades' invoices from word processors, spreadsheets, phone apps
and old accounting programs): generator properties only. Every design is deterministic, prints
every truth value it claims, keeps its text on the paper, and varies from seed to seed; and each
prints its items the way its source does."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD10_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.blocks import Look
from fixtures.generator.content import Line
from fixtures.generator.formats import format_number, format_price, format_quantity
from fixtures.generator.wild10 import at_price_text
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


def _text(layout: str, seed: int) -> str:
    return " ".join(page_texts(_document(layout, seed).pdf))


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD10_LAYOUTS) == 6
    assert all(name.startswith("wild10_") and name in LAYOUTS for name in WILD10_LAYOUTS)


@pytest.mark.parametrize("layout", WILD10_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD10_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD10_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
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


@pytest.mark.parametrize("layout", WILD10_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in page_texts(document.pdf))
    assert text_off_the_sheet(document.pdf) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_the_letter_lists_amounts_only_and_addresses_the_reader(seed: int) -> None:
    truth = _document("wild10_letter", seed).truth.invoice
    assert truth is not None
    assert all(item.quantity is None and item.unit_price is None for item in truth.line_items)
    text = _text("wild10_letter", seed)
    assert "dear " in text and "total payable" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_typed_in_items_carry_their_quantity_and_price_but_no_unit_column(seed: int) -> None:
    document, text = _document("wild10_at_price", seed), _text("wild10_at_price", seed)
    truth = document.truth.invoice
    assert truth is not None
    assert all(item.unit is None for item in truth.line_items)
    for item in truth.line_items:
        assert item.quantity is not None and item.unit_price is not None
        assert item.description is not None and item.amount is not None
        typed = [
            at_price_text(
                Line(item.description, item.amount, item.quantity, unit, item.unit_price),
                truth.currency or "USD",
                Look(),
                quantity_first,
            )
            for unit in ("EA", "LF", "SF", "CY", "HR", "LS")
            for quantity_first in (True, False)
        ]
        assert any(printed_wrapped(text, line) for line in typed), item.description


@pytest.mark.parametrize("seed", SEEDS)
def test_the_app_prints_quantity_times_price_under_each_item(seed: int) -> None:
    truth = _document("wild10_app", seed).truth.invoice
    assert truth is not None
    text = _text("wild10_app", seed)
    assert "amount due" in text
    for item in truth.line_items:
        assert item.quantity is not None and item.unit_price is not None
        quantity = format_quantity(item.quantity, LAYOUTS["wild10_app"].number)
        price = format_price(item.unit_price, LAYOUTS["wild10_app"].number)
        assert f"{quantity} × " in text and price in text


def _spans(pdf: bytes) -> list[dict[str, Any]]:
    document: Any = pymupdf.open(stream=pdf)
    spans = [
        span
        for page in document
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
    ]
    document.close()
    return spans


@pytest.mark.parametrize("seed", SEEDS)
def test_the_old_program_prints_everything_in_courier(seed: int) -> None:
    spans = _spans(_document("wild10_dos_print", seed).pdf)
    assert spans and all("Courier" in span["font"] for span in spans)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_spreadsheet_borders_more_cells_than_it_fills(seed: int) -> None:
    pdf = _document("wild10_spreadsheet", seed).pdf
    document: Any = pymupdf.open(stream=pdf)
    cells = sum(len(page.get_drawings()) for page in document)
    document.close()
    assert cells > len(_spans(pdf))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_handyman_prints_the_materials_and_labour_sums_of_its_lines(seed: int) -> None:
    truth = _document("wild10_handyman", seed).truth.invoice
    assert truth is not None and truth.subtotal is not None
    number = LAYOUTS["wild10_handyman"].number
    hours = [item.amount or Decimal(0) for item in truth.line_items if item.unit == "HR"]
    labour = sum(hours, Decimal(0))
    text = _text("wild10_handyman", seed)
    assert printed(text, f"labour: ${format_number(labour, number)}")
    assert printed(text, f"materials: ${format_number(truth.subtotal - labour, number)}")
