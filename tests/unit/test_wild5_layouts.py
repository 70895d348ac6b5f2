"""The fifth wild family of development layouts: deterministic, legible, registered apart.

These tests cover the generator only (no extractor): the same (layout, seed) gives the same
bytes, every truth header value and every line item's description and amount is printed in the
text layer, every page renders with its text on the paper, and seeds vary the documents.
Seeds 1000-1009 are in the unit-test range (fixtures/README.md).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    LAYOUTS,
    WILD5_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator.formats import all_date_forms, format_number

SEEDS = range(1000, 1010)
_SPACE = re.compile(r"\s+")


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _text(layout: str, seed: int) -> str:
    """The whole text layer, white space collapsed and case folded."""
    pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    text = " ".join(_SPACE.sub(" ", page.get_text()).casefold() for page in pdf)
    pdf.close()
    return text


def _printed(text: str, value: str) -> bool:
    return _SPACE.sub(" ", value).casefold() in text


def _printed_wrapped(text: str, value: str) -> bool:
    """A value found with its words in order, allowing other cells' words between wrapped
    lines (a description's second line comes after the row's numbers in reading order)."""
    words, wanted = text.split(" "), _SPACE.sub(" ", value).casefold().split(" ")
    for start, word in enumerate(words):
        if word != wanted[0]:
            continue
        position, window = start, start + len(wanted) + 16
        for part in wanted[1:]:
            found = [i for i in range(position + 1, min(window, len(words))) if words[i] == part]
            if not found:
                break
            position = found[0]
        else:
            return True
    return False


def _missing_header_values(layout: str, seed: int) -> list[str]:
    """Truth header values not found on the page in the form the layout prints them."""
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    text, number = _text(layout, seed), LAYOUTS[layout].number
    strings: list[str | None] = [
        truth.vendor.name,
        truth.vendor.phone,
        truth.vendor.tax_id,
        truth.vendor.email,
        *(truth.vendor.address or "").split("\n"),
        truth.bill_to.name,
        *(truth.bill_to.address or "").split("\n"),
        truth.invoice_number,
        truth.po_number,
        truth.payment_terms,
        truth.currency,
        truth.project.name if truth.project else None,
        truth.project.number if truth.project else None,
    ]
    missing = [value for value in strings if value and not _printed(text, value)]
    amounts: list[Decimal | None] = [
        truth.subtotal,
        truth.tax_total,
        truth.total,
        truth.amount_due,
        truth.retainage,
    ]
    missing += [
        str(value)
        for value in amounts
        if value is not None and not _printed(text, format_number(value, number))
    ]
    dates: list[date | None] = [truth.invoice_date, truth.due_date]
    missing += [
        str(value)
        for value in dates
        if value is not None and not any(_printed(text, form) for form in all_date_forms(value))
    ]
    return missing


def test_wild5_layouts_are_development_designs_outside_the_scored_sets() -> None:
    assert len(WILD5_LAYOUTS) == len(set(WILD5_LAYOUTS)) >= 6
    assert all(name.startswith("wild5_") for name in WILD5_LAYOUTS)
    assert set(WILD5_LAYOUTS) <= set(LAYOUTS)
    assert not set(WILD5_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))


@pytest.mark.parametrize("layout", WILD5_LAYOUTS)
def test_same_layout_and_seed_give_the_same_bytes(layout: str) -> None:
    first, again = _document(layout, 1000), generate_invoice(layout, 1000)
    assert first.pdf == again.pdf
    assert first.truth == again.truth


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD5_LAYOUTS)
def test_every_truth_header_value_is_printed(layout: str, seed: int) -> None:
    assert _missing_header_values(layout, seed) == []


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD5_LAYOUTS)
def test_every_line_description_and_amount_is_printed(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.line_items
    text, number = _text(layout, seed), LAYOUTS[layout].number
    missing = [
        line.description
        for line in truth.line_items
        if line.description and not _printed_wrapped(text, line.description)
    ]
    missing += [
        str(line.amount)
        for line in truth.line_items
        if line.amount is not None and not _printed(text, format_number(line.amount, number))
    ]
    assert missing == []


@pytest.mark.parametrize("layout", WILD5_LAYOUTS)
def test_a_layout_without_a_unit_column_leaves_every_unit_null(layout: str) -> None:
    profile = LAYOUTS[layout].profile
    truth = _document(layout, 1003).truth.invoice
    assert truth is not None
    units = {line.unit for line in truth.line_items}
    assert (units == {None}) is (not profile.unit_column or not profile.unit)


def _text_off_the_sheet(pdf: bytes) -> list[str]:
    """Text blocks reaching past the paper, found by reading the page with a wide margin."""
    margin, outside = 100.0, []
    document: Any = pymupdf.open(stream=pdf)
    for page in document:
        width, height = page.rect.width, page.rect.height
        page.set_mediabox(pymupdf.Rect(-margin, -margin, width + margin, height + margin))
        paper = pymupdf.Rect(margin - 1, margin - 1, width + margin + 1, height + margin + 1)
        for block in page.get_text("dict")["blocks"]:
            if pymupdf.Rect(block["bbox"]) not in paper:
                outside.append(f"page {page.number + 1}: {block['bbox']}")
    document.close()
    return outside


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD5_LAYOUTS)
def test_pages_render_with_all_text_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    pdf: Any = pymupdf.open(stream=document.pdf)
    assert pdf.page_count == document.truth.page_count
    for page in pdf:
        pixmap = page.get_pixmap(dpi=30, colorspace=pymupdf.csGRAY)
        assert min(pixmap.samples) < 128  # something dark is drawn
    pdf.close()
    assert _text_off_the_sheet(document.pdf) == []


@pytest.mark.parametrize("layout", WILD5_LAYOUTS)
def test_different_seeds_give_different_documents(layout: str) -> None:
    documents = [_document(layout, seed) for seed in SEEDS]
    assert len({document.pdf for document in documents}) == len(SEEDS)
    assert len({document.truth.model_dump_json() for document in documents}) == len(SEEDS)
