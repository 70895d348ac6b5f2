"""The sixth wild family (totals blocks and line arithmetic printed many ways): generator
properties only. Every design is deterministic, prints every truth value it claims, keeps its
text on the paper, and varies from seed to seed."""

from __future__ import annotations

from functools import cache

import pytest

from fixtures.generator import LAYOUTS, WILD6_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import format_number
from fixtures.generator.wild6 import in_words
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


def test_the_family_has_five_designs_registered_for_development_only() -> None:
    assert len(WILD6_LAYOUTS) == 5
    assert all(name.startswith("wild6_") and name in LAYOUTS for name in WILD6_LAYOUTS)


@pytest.mark.parametrize("layout", WILD6_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD6_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD6_LAYOUTS)
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


@pytest.mark.parametrize("layout", WILD6_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in page_texts(document.pdf))
    assert text_off_the_sheet(document.pdf) == []


def test_the_amount_in_words_spells_the_whole_number() -> None:
    assert in_words(0) == "zero"
    assert in_words(12_345) == "twelve thousand three hundred forty-five"
    assert in_words(1_000_010) == "one million ten"
