"""What every wild family of development layouts promises alike: the same (layout, seed) gives
the same bytes and truth, and different seeds give different documents. Each family's own
module checks what it prints. Seeds 1000-1009 are in the unit-test range."""

from __future__ import annotations

from functools import cache

import pytest

from fixtures.generator import (
    WILD3_LAYOUTS,
    WILD4_LAYOUTS,
    WILD5_LAYOUTS,
    WILD8_LAYOUTS,
    WILD9_LAYOUTS,
    WILD10_LAYOUTS,
    WILD11_LAYOUTS,
    WILD12_LAYOUTS,
    WILD13_LAYOUTS,
    WILD14_LAYOUTS,
    WILD15_LAYOUTS,
    WILD16_LAYOUTS,
    WILD17_LAYOUTS,
    WILD18_LAYOUTS,
    WILD19_LAYOUTS,
    WILD20_LAYOUTS,
    WILD21_LAYOUTS,
    WILD22_LAYOUTS,
    WILD23_LAYOUTS,
    WILD24_LAYOUTS,
    WILD25_LAYOUTS,
    WILD26_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)

SEEDS = range(1000, 1010)
LAYOUTS = (
    WILD3_LAYOUTS
    + WILD4_LAYOUTS
    + WILD5_LAYOUTS
    + WILD8_LAYOUTS
    + WILD9_LAYOUTS
    + WILD10_LAYOUTS
    + WILD11_LAYOUTS
    + WILD12_LAYOUTS
    + WILD13_LAYOUTS
    + WILD14_LAYOUTS
    + WILD15_LAYOUTS
    + WILD16_LAYOUTS
    + WILD17_LAYOUTS
    + WILD18_LAYOUTS
    + WILD19_LAYOUTS
    + WILD20_LAYOUTS
    + WILD21_LAYOUTS
    + WILD22_LAYOUTS
    + WILD23_LAYOUTS
    + WILD24_LAYOUTS
    + WILD25_LAYOUTS
    + WILD26_LAYOUTS
)


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_same_layout_and_seed_give_the_same_bytes(layout: str) -> None:
    first, again = _document(layout, 1000), generate_invoice(layout, 1000)
    assert first.pdf == again.pdf
    assert first.truth == again.truth


@pytest.mark.parametrize("layout", LAYOUTS)
def test_different_seeds_give_different_documents(layout: str) -> None:
    documents = [_document(layout, seed) for seed in SEEDS]
    assert len({document.pdf for document in documents}) == len(SEEDS)
    assert len({document.truth.model_dump_json() for document in documents}) == len(SEEDS)
