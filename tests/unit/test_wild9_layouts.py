"""The ninth wild family (header fields placed and captioned in less common ways): generator
properties only. Every design prints every truth value it claims (line quantities, units and
unit prices included), keeps its text on the paper and clear of other text, and varies from
seed to seed. Same-seed determinism is checked for all wild families in test_wild_families."""

from __future__ import annotations

from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD9_LAYOUTS, GeneratedDocument, generate_invoice
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


def _overlapping_words(pdf: bytes) -> list[str]:
    """Pairs of words whose boxes overlap by more than a sliver (two values printed on top of
    each other), each box shrunk by 1.5 pt first so touching lines do not count."""
    clashes: list[str] = []
    document: Any = pymupdf.open(stream=pdf)
    for page in document:
        boxes = [
            (pymupdf.Rect(x0 + 1.5, y0 + 1.5, x1 - 1.5, y1 - 1.5), text)
            for x0, y0, x1, y1, text, *_ in page.get_text("words")
        ]
        for index, (first, text) in enumerate(boxes):
            for second, other in boxes[index + 1 :]:
                if first.intersects(second):
                    clashes.append(f"page {page.number + 1}: {text!r} / {other!r}")
    document.close()
    return clashes


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD9_LAYOUTS) == 6
    assert all(name.startswith("wild9_") and name in LAYOUTS for name in WILD9_LAYOUTS)


@pytest.mark.parametrize("layout", WILD9_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD9_LAYOUTS)
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
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit


@pytest.mark.parametrize("layout", WILD9_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in page_texts(document.pdf))
    assert text_off_the_sheet(document.pdf) == []


@pytest.mark.parametrize("layout", WILD9_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_no_text_is_printed_over_other_text(layout: str, seed: int) -> None:
    assert _overlapping_words(_document(layout, seed).pdf) == []


def test_the_overlap_check_sees_two_words_printed_on_top_of_each_other() -> None:
    document: Any = pymupdf.open()
    page = document.new_page()
    page.insert_text((100, 100), "Invoice", fontsize=10)
    page.insert_text((104, 101), "Number", fontsize=10)
    pdf: bytes = document.tobytes()
    document.close()
    assert _overlapping_words(pdf) != []
