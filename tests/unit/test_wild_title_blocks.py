"""The wild development title-block designs as a generator: deterministic, truth on the page.

Generator properties only, at unit-test seeds 1000-1004: the same arguments give the same
pages, every sheet carries every truth field in its text layer inside the block (or its
revision table), and the wild designs stay out of the development and held-out lists.
"""

from __future__ import annotations

from functools import cache

import pymupdf
import pytest

from fixtures.drawings import (
    ALL_DESIGNS,
    DESIGNS,
    DEV_DESIGNS,
    WILD_DESIGNS,
    GeneratedDrawingSet,
    generate_drawing_set,
)
from fixtures.drawings.titleblock import fmt_date
from fixtures.drawings.wild import WILD_BY_NAME
from fixtures.drawings.wild_render import wild_block_rect

SEEDS = range(1000, 1005)
SHEETS = 4


@cache
def generated(design: str, seed: int) -> GeneratedDrawingSet:
    """Generated once per test session."""
    return generate_drawing_set(design, seed, sheets=SHEETS)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _block_text(page: pymupdf.Page, design: str) -> str:
    """The text of the block and its revision table (everything right of / below the field)."""
    block = wild_block_rect(WILD_BY_NAME[design], page.rect.width, page.rect.height)
    if DESIGNS[design].placement == "bottom_strip":
        clip = pymupdf.Rect(0, block.y0 - 2, page.rect.width, page.rect.height)
    else:  # revision tables sit above or left of the block, never in the drawing field
        clip = pymupdf.Rect(block.x0 - block.width, 0, page.rect.width, page.rect.height)
    return _fold(page.get_text("text", clip=clip))


def test_there_are_six_wild_designs_apart_from_the_dev_and_held_out_lists() -> None:
    assert len(WILD_DESIGNS) == 6
    assert all(name.startswith("wild_") for name in WILD_DESIGNS)
    assert not set(WILD_DESIGNS) & set(ALL_DESIGNS)
    assert not set(WILD_DESIGNS) & set(DEV_DESIGNS)
    assert set(WILD_DESIGNS) <= set(DESIGNS)


@pytest.mark.parametrize("design", WILD_DESIGNS)
def test_same_design_and_seed_give_the_same_pages_and_truth(design: str) -> None:
    first = generate_drawing_set(design, 1000, sheets=3)
    second = generate_drawing_set(design, 1000, sheets=3)
    assert first.truth == second.truth
    assert _words(first.pdf) == _words(second.pdf)


def _words(pdf: bytes) -> list[list[tuple[object, ...]]]:
    """Every page's words with their boxes (the PDF's /ID differs from run to run)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return [[tuple(word) for word in page.get_text("words")] for page in doc]


@pytest.mark.parametrize("design", WILD_DESIGNS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_field_is_printed_in_the_title_block(design: str, seed: int) -> None:
    made = generated(design, seed)
    assert made.truth.drawing_set is not None
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    date_style = DESIGNS[design]
    for sheet in made.truth.drawing_set.sheets:
        text = _block_text(doc[sheet.page - 1], design)
        wanted: dict[str, str | None] = {
            "sheet_number": sheet.sheet_number,
            "sheet_title": sheet.sheet_title,
            "scale": sheet.scale,
            "project_name": sheet.project_name,
            "project_number": sheet.project_number,
            "issue_date": fmt_date(date_style, sheet.issue_date) if sheet.issue_date else None,
            "revision": sheet.revision,
            "revision_date": (
                fmt_date(date_style, sheet.revision_date) if sheet.revision_date else None
            ),
        }
        for row in sheet.revisions:
            wanted[f"revision {row.revision}"] = row.revision
            wanted[f"revision {row.revision} date"] = (
                fmt_date(date_style, row.date) if row.date else None
            )
            wanted[f"revision {row.revision} description"] = row.description
        for name, value in wanted.items():
            if value is not None:
                assert _fold(value) in text, f"{design} seed {seed} p{sheet.page}: {name}"


@pytest.mark.parametrize("design", WILD_DESIGNS)
def test_latest_revision_is_the_last_row_of_the_truth_table(design: str) -> None:
    for seed in SEEDS:
        drawing_set = generated(design, seed).truth.drawing_set
        assert drawing_set is not None
        for sheet in drawing_set.sheets:
            latest = sheet.revisions[-1].revision if sheet.revisions else None
            assert sheet.revision == latest, f"{design} seed {seed} p{sheet.page}"


def test_scanned_wild_sets_are_image_only() -> None:
    made = generate_drawing_set(WILD_DESIGNS[0], 1000, sheets=2, scanned=True)
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    assert all(not page.get_text().strip() for page in doc)
    assert made.name.endswith("-scan")
