"""The eighth wild family (line-item tables and header blocks printed in less common ways):
generator properties only. Every design prints every truth value it claims (line quantities,
units and unit prices too), keeps its text on the paper, and keeps the shape it is named for.
Determinism and seed variety are checked with the other families in test_wild_families.py.
Seeds 1000-1009 are in the unit-test range (fixtures/README.md)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    LAYOUTS,
    WILD8_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
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


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD8_LAYOUTS) == len(set(WILD8_LAYOUTS)) == 6
    assert all(name.startswith("wild8_") and name in LAYOUTS for name in WILD8_LAYOUTS)
    assert not set(WILD8_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD8_LAYOUTS)
def test_every_truth_header_value_is_printed(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    number = LAYOUTS[layout].number
    assert missing_header_values(document, _text(layout, seed), number) == []


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD8_LAYOUTS)
def test_every_line_value_the_truth_carries_is_printed(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.line_items
    text, number = _text(layout, seed), LAYOUTS[layout].number
    missing: list[str] = []
    for item in truth.line_items:
        assert item.description is not None and item.amount is not None
        if not printed_wrapped(text, item.description):
            missing.append(item.description)
        values = [format_number(item.amount, number)]
        if item.quantity is not None:
            values.append(format_quantity(item.quantity, number))
        if item.unit_price is not None:
            values.append(format_price(item.unit_price, number))
        values += [value for value in (item.unit, item.cost_code) if value is not None]
        missing += [value for value in values if not printed(text, value)]
    assert missing == []


@pytest.mark.parametrize("layout", WILD8_LAYOUTS)
def test_the_truth_carries_only_the_line_fields_the_profile_prints(layout: str) -> None:
    profile = LAYOUTS[layout].profile
    truth = _document(layout, 1003).truth.invoice
    assert truth is not None
    units = {line.unit for line in truth.line_items}
    prices = {line.unit_price for line in truth.line_items}
    assert (units == {None}) is (not profile.unit_column or not profile.unit)
    assert (prices == {None}) is (not profile.quantity)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD8_LAYOUTS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    pages = _pages(layout, seed)
    assert len(pages) == document.truth.page_count
    assert all(len(page) > 40 for page in pages)
    assert text_off_the_sheet(document.pdf) == []


def _overlapping_words(pdf: bytes) -> list[str]:
    """Pairs of printed text runs whose ink boxes (trimmed of line spacing) cross each other."""
    found: list[str] = []
    document: Any = pymupdf.open(stream=pdf)
    for page in document:
        runs: list[tuple[Any, str]] = []
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    if span["text"].strip():
                        box = pymupdf.Rect(span["bbox"])
                        box.y0, box.y1 = box.y0 + span["size"] / 4, box.y1 - span["size"] / 4
                        runs.append((box, span["text"]))
        for index, (box, text) in enumerate(runs):
            for other, other_text in runs[index + 1 :]:
                common = box & other
                if not common.is_empty and common.width > 1 and common.height > 1:
                    found.append(f"page {page.number + 1}: {text!r} / {other_text!r}")
    document.close()
    return found


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", WILD8_LAYOUTS)
def test_no_printed_text_runs_over_other_text(layout: str, seed: int) -> None:
    assert _overlapping_words(_document(layout, seed).pdf) == []


@pytest.mark.parametrize("layout", WILD8_LAYOUTS)
def test_every_page_says_which_page_of_how_many_it_is(layout: str) -> None:
    for seed in SEEDS:
        pages = _pages(layout, seed)
        for index, page in enumerate(pages):
            assert f"page {index + 1} of {len(pages)}" in page


def test_some_seeds_run_onto_a_second_page() -> None:
    counts = {len(_pages(layout, seed)) for layout in WILD8_LAYOUTS for seed in SEEDS}
    assert max(counts) >= 2


@pytest.mark.parametrize("seed", SEEDS)
def test_the_service_invoice_prints_no_column_titles_and_the_vendor_only_in_the_footer(
    seed: int,
) -> None:
    document = _document("wild8_service_no_header", seed)
    assert document.truth.invoice is not None
    vendor = document.truth.invoice.vendor.name
    assert vendor is not None
    pdf: Any = pymupdf.open(stream=document.pdf)
    for page, text in zip(pdf, _pages("wild8_service_no_header", seed), strict=True):
        assert not any(title in text for title in ("qty", "unit price", "description"))
        places = page.search_for(vendor)
        assert len(places) == 1 and places[0].y0 > page.rect.height * 0.8
    pdf.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_short_label_band_is_repeated_on_every_page(seed: int) -> None:
    for page in _pages("wild8_suite_short_labels", seed):
        assert " q u/m item description rate ext " in f" {page} "


@pytest.mark.parametrize("seed", SEEDS)
def test_the_dealer_prints_parts_before_labour_with_a_subtotal_for_each(seed: int) -> None:
    document = _document("wild8_dealer_sections", seed)
    truth = document.truth.invoice
    assert truth is not None
    text = _text("wild8_dealer_sections", seed)
    number = LAYOUTS["wild8_dealer_sections"].number
    sections = {
        "parts": [item for item in truth.line_items if item.unit != "HR"],
        "labor": [item for item in truth.line_items if item.unit == "HR"],
    }
    for name, items in sections.items():
        if not items:
            assert f"total {name}" not in text
            continue
        subtotal = sum((item.amount or Decimal(0) for item in items), Decimal(0))
        assert f"total {name} {format_number(subtotal, number)}" in text
    if sections["parts"] and sections["labor"]:
        assert text.index("total parts") < text.index("labor description")
