"""The eleventh wild family (how real invoices use paper and pages: half-letter, legal,
landscape, continuous forms, a remittance cover page, A5 with a PAID stamp): generator
properties only. Every design is deterministic, prints every truth value it claims, keeps its
text on the paper, and varies from seed to seed; and each uses its paper and pages the way its
source does."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from itertools import pairwise
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD11_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    all_date_forms,
    format_number,
    format_price,
    format_quantity,
)
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
PAPER = {
    "wild11_half_letter": (396.0, 612.0),
    "wild11_legal": (612.0, 1008.0),
    "wild11_landscape": (792.0, 612.0),
    "wild11_continuous": (684.0, 792.0),
    "wild11_cover": (612.0, 792.0),
    "wild11_a5_paid": (420.0, 595.0),
}


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _multi_page_seeds(layout: str) -> list[int]:
    seeds = [seed for seed in SEEDS if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed in {SEEDS} runs {layout} over more than one page"
    return seeds


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD11_LAYOUTS) == 6
    assert all(name.startswith("wild11_") and name in LAYOUTS for name in WILD11_LAYOUTS)
    assert set(PAPER) == set(WILD11_LAYOUTS)


@pytest.mark.parametrize("layout", WILD11_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD11_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD11_LAYOUTS)
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
        if item.cost_code is not None:
            assert printed(text, item.cost_code), item.cost_code


@pytest.mark.parametrize("layout", WILD11_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD11_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", ["wild11_half_letter", "wild11_continuous", "wild11_cover"])
def test_number_date_and_page_of_pages_are_on_every_page(layout: str) -> None:
    for seed in _multi_page_seeds(layout):
        truth = _document(layout, seed).truth.invoice
        assert truth is not None and truth.invoice_number and truth.invoice_date
        pages = _pages(layout, seed)
        for index, page in enumerate(pages, 1):
            assert printed(page, truth.invoice_number)
            assert any(printed(page, form) for form in all_date_forms(truth.invoice_date))
            assert f"{index} of {len(pages)}" in page


@pytest.mark.parametrize("seed", SEEDS)
def test_the_legal_page_carries_a_received_stamp_with_another_date(seed: int) -> None:
    truth = _document("wild11_legal", seed).truth.invoice
    assert truth is not None and truth.invoice_date is not None
    match = re.search(r"received (\w{3} \d{2} \d{4})", _text("wild11_legal", seed))
    assert match is not None
    stamped = datetime.strptime(match.group(1), "%b %d %Y").date()
    assert stamped > truth.invoice_date and stamped != truth.due_date


def test_the_landscape_print_carries_its_sum_forward_without_repeating_titles() -> None:
    for seed in _multi_page_seeds("wild11_landscape"):
        pages = _pages("wild11_landscape", seed)
        assert "item number" in pages[0]
        for before, after in pairwise(pages):
            assert "item number" not in after
            carried = re.search(r"carried forward ([\d,.]+)", before)
            brought = re.search(r"brought forward ([\d,.]+)", after)
            assert carried is not None and brought is not None
            assert carried.group(1) == brought.group(1)


def _pin_holes(pdf: bytes) -> list[int]:
    """Per page, the small round marks in the two half-inch margin strips."""
    document: Any = pymupdf.open(stream=pdf)
    counts = []
    for page in document:
        width = page.rect.width
        holes = [
            path
            for path in page.get_drawings()
            if 9 < path["rect"].width < 13
            and (path["rect"].x1 < 36 or path["rect"].x0 > width - 36)
        ]
        counts.append(len(holes))
    document.close()
    return counts


@pytest.mark.parametrize("seed", SEEDS)
def test_the_continuous_form_has_pin_holes_and_totals_only_on_its_last_page(seed: int) -> None:
    assert all(count >= 40 for count in _pin_holes(_document("wild11_continuous", seed).pdf))
    pages = _pages("wild11_continuous", seed)
    assert all("continued" in page and "pay this amount" not in page for page in pages[:-1])
    assert "pay this amount" in pages[-1] and "continued" not in pages[-1]
    _multi_page_seeds("wild11_continuous")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_cover_page_summarises_the_invoice_before_any_item(seed: int) -> None:
    document = _document("wild11_cover", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.amount_due is not None and truth.due_date is not None
    assert truth.invoice_number is not None
    cover = _pages("wild11_cover", seed)[0]
    assert printed(cover, "amount due") and printed(cover, truth.invoice_number)
    assert printed(cover, format_number(truth.amount_due, LAYOUTS["wild11_cover"].number))
    assert any(printed(cover, form) for form in all_date_forms(truth.due_date))
    assert "return it with your payment" in cover
    assert not any(
        item.description and printed(cover, item.description) for item in truth.line_items
    )
    assert (document.truth.page_count or 0) >= 2


@pytest.mark.parametrize("seed", SEEDS)
def test_the_a5_invoice_is_stamped_paid_on_its_last_page(seed: int) -> None:
    last = _pages("wild11_a5_paid", seed)[-1]
    assert re.search(r"p ?a ?i ?d", last) is not None and "with thanks" in last
