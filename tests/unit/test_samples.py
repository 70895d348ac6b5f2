"""The committed sample invoices read exactly and, being consistent, need no review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.score import HEADER_FIELDS, field_value, match_lines, values_equal
from extractors.limits import Limits
from extractors.pipeline import run_pipeline

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "samples").glob("*.pdf"))


@pytest.mark.parametrize("pdf", SAMPLES, ids=lambda path: path.stem)
def test_a_sample_invoice_is_read_exactly_and_goes_straight_through(pdf: Path) -> None:
    truth = json.loads(pdf.with_suffix(".truth.json").read_text())["invoice"]
    envelope = run_pipeline(pdf.read_bytes(), pdf.name, Limits())
    result = json.loads(envelope.model_dump_json())["invoice"]
    wrong = [
        f for f in HEADER_FIELDS if not values_equal(field_value(truth, f), field_value(result, f))
    ]
    assert wrong == []
    assert match_lines(truth["line_items"], result["line_items"]) == len(truth["line_items"])
    assert (envelope.needs_review, envelope.warnings) == (False, [])
