"""The drawing extractor on the wild title-block designs (all five families), born-digital: every
field of every sheet read exactly. The designs were written by sessions that never read the
extractor; what they taught is general (an issue list with no mark column, a project name
set large with no label, dates whose order the set's own dates settle). Seeds 1500-1501 are
in the unit-test range.
"""

from __future__ import annotations

from typing import Any

import pymupdf
import pytest

from bench.score import values_equal
from extractors.drawings import extract_drawing_set
from extractors.text_layer import read_text_layer
from fixtures.drawings import (
    WILD2_DESIGNS,
    WILD3_DESIGNS,
    WILD4_DESIGNS,
    WILD5_DESIGNS,
    WILD_DESIGNS,
    generate_drawing_set,
)
from models import Sheet

_FIELDS = ("sheet_number", "sheet_title", "revision", "revision_date", "issue_date", "scale",
           "project_name", "project_number", "revisions")  # fmt: skip


def _values(sheet: Sheet) -> dict[str, Any]:
    dumped: dict[str, Any] = sheet.model_dump(mode="json")
    return {name: dumped[name] for name in _FIELDS}


# Known misses, kept visible: this band prints its revision history as a row of boxes (mark
# over date, one box per issue), which no revision-table reader of ours reads, and its project
# name split over a building cell and a phase cell.
# Two designs of the fourth family print the project name only in a vertical strip, reading
# bottom to top, and the text layer's rotated words are not read; in one left strip a view's
# number stands level with the sheet title's second line and is read into it.
_KNOWN_MISSES = {
    ("wild3_boxes_band", 1500): "revisions as a row of boxes",
    ("wild3_boxes_band", 1501): "revisions as a row of boxes",
    ("wild4_delta_strip", 1500): "project name printed vertically",
    ("wild4_delta_strip", 1501): "project name printed vertically",
    ("wild4_commission_box", 1500): "project name printed vertically",
    ("wild4_commission_box", 1501): "project name printed vertically",
    ("wild5_left_strip", 1501): "a view's number level with the title's second line joins it",
}
_CASES = [
    pytest.param(
        design,
        seed,
        marks=[pytest.mark.xfail(strict=True, reason=_KNOWN_MISSES[design, seed])]
        if (design, seed) in _KNOWN_MISSES
        else [],
    )
    for design in WILD_DESIGNS + WILD2_DESIGNS + WILD3_DESIGNS + WILD4_DESIGNS + WILD5_DESIGNS
    for seed in (1500, 1501)
]


@pytest.mark.parametrize(("design", "seed"), _CASES)
def test_every_title_block_field_is_read_exactly(design: str, seed: int) -> None:
    made = generate_drawing_set(design, seed, sheets=4)
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    pages = [read_text_layer(page, index + 1, with_rules=False) for index, page in enumerate(doc)]
    doc.close()
    read = extract_drawing_set(pages).drawing_set.sheets
    assert made.truth.drawing_set is not None
    truth = made.truth.drawing_set.sheets
    wrong = {
        (want.page, name): (_values(want)[name], _values(got)[name])
        for want, got in zip(truth, read, strict=True)
        for name in _FIELDS
        if not values_equal(_values(want)[name], _values(got)[name])
    }
    assert wrong == {}
