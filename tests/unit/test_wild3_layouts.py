"""The third wild family of development layouts: deterministic, legible, registered apart.

These tests cover the generator only (no extractor): the same (layout, seed) gives the same
bytes, every truth header value and every line item's description and amount is printed where
a reader can find it, every page renders with its text on the paper, long tables repeat their
header under a "Continued" note, and seeds vary the documents. Seeds 1000-1009 are in the
unit-test range (fixtures/README.md).
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
    WILD3_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator.formats import format_number
from tests.unit.generated_text import (
    missing_header_values,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
# About one invoice in five runs over pages; thirty seeds hold several for every layout.
LONG_SEEDS = range(1000, 1030)
_SPACE = re.compile(r"\s+")


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    """Each page's text layer, white space collapsed and case folded."""
    pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    pages = tuple(_SPACE.sub(" ", page.get_text()).casefold() for page in pdf)
    pdf.close()
    return pages


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _missing_header_values(layout: str, seed: int) -> list[str]:
    return missing_header_values(
        _document(layout, seed), _text(layout, seed), LAYOUTS[layout].number
    )


def test_wild3_layouts_are_development_designs_outside_the_scored_sets() -> None:
    assert len(WILD3_LAYOUTS) == len(set(WILD3_LAYOUTS)) >= 6
    assert all(name.startswith("wild3_") for name in WILD3_LAYOUTS)
    assert set(WILD3_LAYOUTS) <= set(LAYOUTS)
    assert not set(WILD3_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD3_LAYOUTS)
def test_every_truth_header_value_is_printed(layout: str, seed: int) -> None:
    assert _missing_header_values(layout, seed) == []


@pytest.mark.parametrize("seed", SEEDS[:5])
@pytest.mark.parametrize("layout", WILD3_LAYOUTS)
def test_every_line_description_and_amount_is_printed(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.line_items
    text, number = _text(layout, seed), LAYOUTS[layout].number
    missing = [
        line.description
        for line in truth.line_items
        if line.description and not printed_wrapped(text, line.description)
    ]
    missing += [
        str(line.amount)
        for line in truth.line_items
        if line.amount is not None and not printed(text, format_number(line.amount, number))
    ]
    assert missing == []


@pytest.mark.parametrize("layout", WILD3_LAYOUTS)
def test_a_layout_without_a_unit_column_leaves_every_unit_null(layout: str) -> None:
    profile = LAYOUTS[layout].profile
    truth = _document(layout, 1003).truth.invoice
    assert truth is not None
    units = {line.unit for line in truth.line_items}
    assert (units == {None}) is (not profile.unit_column or not profile.unit)


@pytest.mark.parametrize("layout", WILD3_LAYOUTS)
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


@pytest.mark.parametrize("layout", WILD3_LAYOUTS)
def test_a_long_table_repeats_its_header_after_a_continued_note(layout: str) -> None:
    long = [seed for seed in LONG_SEEDS if (_document(layout, seed).truth.page_count or 1) > 1]
    assert long, "no seed in the range runs over a page"
    for seed in long:
        pages = _pages(layout, seed)
        assert all("continued on next page" in page for page in pages[:-1])
        # Every page the table reaches starts with its header, the amount column titled on
        # each; only a last page holding nothing but the totals goes without.
        header = re.compile(r"\b(amount|extension|net value)\b")
        assert all(header.search(page) for page in pages[:-1])
