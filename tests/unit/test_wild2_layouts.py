"""The second wild family of development layouts: deterministic, legible, registered apart.

These tests cover the generator only (no extractor): the same (layout, seed) gives the same
bytes, every truth header value is printed in a form a reader can find, every page renders
with its text on the page, and seeds vary the documents. Seeds 1000-1009 are in the unit-test
range (fixtures/README.md).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    LAYOUTS,
    WILD2_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator.formats import format_number
from fixtures.generator.wild2 import WILD2_DATE_STYLES, wild2_date, wild2_date_forms
from tests.unit.generated_text import missing_header_values, printed, text_off_the_sheet

SEEDS = range(1000, 1010)
_SPACE = re.compile(r"\s+")
_CURRENCY_MARKS = {"GBP": "£", "EUR": "€"}


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _text(layout: str, seed: int) -> str:
    """All pages' text layer, white space collapsed and case folded."""
    pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    text = " ".join(page.get_text() for page in pdf)
    pdf.close()
    return _SPACE.sub(" ", text).casefold()


def _missing_header_values(layout: str, seed: int) -> list[str]:
    """Truth header values not found on the page in any form this family prints them (its
    currency by code or by sign)."""
    document = _document(layout, seed)
    text, number = _text(layout, seed), LAYOUTS[layout].number
    missing = missing_header_values(
        document, text, number, wild2_date_forms, contacts=False, currency_code=False
    )
    currency = (document.truth.invoice.currency if document.truth.invoice else None) or ""
    marks = (currency, _CURRENCY_MARKS.get(currency, currency))
    if not any(printed(text, mark) for mark in marks):
        missing.append(currency)
    return missing


def test_wild2_layouts_are_development_designs_outside_the_scored_sets() -> None:
    assert len(WILD2_LAYOUTS) == len(set(WILD2_LAYOUTS)) == 10
    assert all(name.startswith("wild2_") for name in WILD2_LAYOUTS)
    assert set(WILD2_LAYOUTS) <= set(LAYOUTS)
    assert not set(WILD2_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))


@pytest.mark.parametrize("seed", SEEDS[:4])
@pytest.mark.parametrize("layout", WILD2_LAYOUTS)
def test_addresses_contacts_and_line_amounts_are_printed(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    text, number = _text(layout, seed), LAYOUTS[layout].number
    values = [*(truth.vendor.address or "").split("\n"), *(truth.bill_to.address or "").split("\n")]
    values += [truth.vendor.email or ""]
    values += [format_number(line.amount, number) for line in truth.line_items if line.amount]
    assert [value for value in values if not printed(text, value)] == []


@pytest.mark.parametrize("layout", WILD2_LAYOUTS)
def test_same_layout_and_seed_give_the_same_bytes(layout: str) -> None:
    first, again = _document(layout, 1000), generate_invoice(layout, 1000)
    assert first.pdf == again.pdf
    assert first.truth == again.truth


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD2_LAYOUTS)
def test_every_truth_header_value_is_printed(layout: str, seed: int) -> None:
    assert _missing_header_values(layout, seed) == []


@pytest.mark.parametrize("layout", WILD2_LAYOUTS)
def test_pages_render_with_all_text_on_the_paper(layout: str) -> None:
    for seed in SEEDS[:5]:
        document = _document(layout, seed)
        pdf: Any = pymupdf.open(stream=document.pdf)
        assert pdf.page_count == document.truth.page_count
        for page in pdf:
            pixmap = page.get_pixmap(dpi=30, colorspace=pymupdf.csGRAY)
            assert min(pixmap.samples) < 128  # something dark is drawn
        pdf.close()
        assert text_off_the_sheet(document.pdf) == []


@pytest.mark.parametrize("layout", WILD2_LAYOUTS)
def test_different_seeds_give_different_documents(layout: str) -> None:
    documents = [_document(layout, seed) for seed in SEEDS]
    assert len({document.pdf for document in documents}) == len(SEEDS)
    assert len({document.truth.model_dump_json() for document in documents}) == len(SEEDS)


def _date_styles(layout: str, seed: int) -> frozenset[str]:
    """Which of the family's date styles print this document's invoice date."""
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_date is not None
    text = _text(layout, seed)
    return frozenset(
        style for style in WILD2_DATE_STYLES if printed(text, wild2_date(truth.invoice_date, style))
    )


@pytest.mark.parametrize("layout", WILD2_LAYOUTS)
def test_seeds_vary_how_a_layout_prints_dates(layout: str) -> None:
    assert len({_date_styles(layout, seed) for seed in SEEDS}) > 1
