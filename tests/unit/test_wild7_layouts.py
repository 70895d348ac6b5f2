"""The seventh wild family (document types and totals that are easy to misread): generator
properties only. Every design is deterministic, prints every truth value it claims, keeps its
text on the paper, and varies from seed to seed."""

from __future__ import annotations

from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD7_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import format_number, format_price, format_quantity
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


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD7_LAYOUTS) == 6
    assert all(name.startswith("wild7_") and name in LAYOUTS for name in WILD7_LAYOUTS)


@pytest.mark.parametrize("layout", WILD7_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    again = generate_invoice(layout, 1000)
    assert again.pdf == _document(layout, 1000).pdf
    assert again.truth == _document(layout, 1000).truth


@pytest.mark.parametrize("layout", WILD7_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD7_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    text = " ".join(page_texts(document.pdf))
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
        for code in (item.unit, item.cost_code):
            if code is not None:
                assert printed(text, code), code


@pytest.mark.parametrize("layout", WILD7_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in page_texts(document.pdf))
    assert text_off_the_sheet(document.pdf) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_the_picture_title_design_keeps_its_title_out_of_the_text_layer(seed: int) -> None:
    document = _document("wild7_picture_title", seed)
    first_page = page_texts(document.pdf)[0]
    assert not any(
        printed(first_page, title) for title in ("i n v o i c e", "b i l l", "tax invoice")
    )
    pdf: Any = pymupdf.open(stream=document.pdf)
    assert pdf[0].get_images()
    pdf.close()
