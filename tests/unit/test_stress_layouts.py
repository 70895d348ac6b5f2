"""Randomised stress layouts: the template-free extractor reads designs it was not written for.

Each seed of a stress layout draws a new design (letterhead, field arrangement, label
synonyms, totals block, stubs), so a few seeds per layout cover many designs. Seeds 1500-1502
are in the unit-test range (fixtures/README.md).
"""

from __future__ import annotations

from functools import cache

import pymupdf
import pytest

from bench.score import HEADER_FIELDS, field_value, values_equal
from extractors.invoice import extract_invoice
from extractors.text_layer import read_text_layer
from fixtures.generator import STRESS_LAYOUTS, GeneratedDocument, generate_invoice

SEEDS = (1500, 1501, 1502)


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


def test_stress_layouts_are_deterministic_and_distinct_from_dev() -> None:
    first, again = _document(STRESS_LAYOUTS[0], 1500), generate_invoice(STRESS_LAYOUTS[0], 1500)
    assert first.pdf == again.pdf
    assert first.truth == again.truth
    assert len(set(STRESS_LAYOUTS)) == len(STRESS_LAYOUTS) >= 5


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", STRESS_LAYOUTS)
def test_header_fields_exact_on_stress_designs(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    doc = pymupdf.open(stream=document.pdf)
    pages = [read_text_layer(doc[index], index + 1) for index in range(doc.page_count)]
    doc.close()
    result = extract_invoice(pages).invoice.model_dump(mode="json")
    truth = document.truth.invoice
    assert truth is not None
    expected = truth.model_dump(mode="json")
    wrong = {
        name: (field_value(expected, name), field_value(result, name))
        for name in HEADER_FIELDS
        if not values_equal(field_value(expected, name), field_value(result, name))
    }
    assert wrong == {}
    assert len(result["line_items"]) == len(expected["line_items"])
