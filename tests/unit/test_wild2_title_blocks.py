"""The second wild family of title-block designs as a generator: deterministic, truth printed.

Generator properties only (no extractor), at unit-test seeds 1000-1004: the same arguments
give the same pages, seeds give different sets, every truth value is printed in the block or
its revision table, each design prints its revision marks, REV box and project name the way
its truth says, and nothing is printed off the sheet or across a cell's rules.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import pymupdf
import pytest

from fixtures.drawings import (
    ALL_DESIGNS,
    DESIGNS,
    DEV_DESIGNS,
    WILD2_DESIGNS,
    WILD_DESIGNS,
    GeneratedDrawingSet,
    generate_drawing_set,
)
from fixtures.drawings.titleblock import MARGIN, fmt_date
from fixtures.drawings.wild import Box
from fixtures.drawings.wild2 import WILD2_BY_NAME, Wild2Design
from fixtures.drawings.wild_render import wild_block_rect
from tests.unit.generated_text import text_off_the_sheet

SEEDS = range(1000, 1005)
SHEETS = 4


@cache
def generated(design: str, seed: int) -> GeneratedDrawingSet:
    """Generated once per test session."""
    return generate_drawing_set(design, seed, sheets=SHEETS)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _inside(block: pymupdf.Rect, box: Box) -> pymupdf.Rect:
    """A box given in fractions of the block, in page points."""
    x0, y0, x1, y1 = box
    return pymupdf.Rect(
        block.x0 + block.width * x0,
        block.y0 + block.height * y0,
        block.x0 + block.width * x1,
        block.y0 + block.height * y1,
    )


def _areas(page: pymupdf.Page, design: Wild2Design) -> tuple[pymupdf.Rect, list[pymupdf.Rect]]:
    """The block with its revision table, and every cell of it (the table is one cell)."""
    block = wild_block_rect(design, page.rect.width, page.rect.height)
    table = _inside(block, design.revisions.box)
    return block | table, [_inside(block, slot.box) for slot in design.slots] + [table]


def _block_text(page: pymupdf.Page, design: str) -> str:
    whole, _cells = _areas(page, WILD2_BY_NAME[design])
    return _fold(page.get_text("text", clip=whole))


def _cell_text(page: pymupdf.Page, design: str, field: str) -> list[str]:
    """The lines printed in the design's cell for `field`."""
    wild = WILD2_BY_NAME[design]
    block = wild_block_rect(wild, page.rect.width, page.rect.height)
    (slot,) = [slot for slot in wild.slots if slot.field == field]
    text = page.get_text("text", clip=_inside(block, slot.box))
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(pdf: bytes) -> list[list[tuple[object, ...]]]:
    """Every page's words with their boxes (the PDF's /ID differs from run to run)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return [[tuple(word) for word in page.get_text("words")] for page in doc]


def test_there_are_six_wild2_designs_apart_from_every_other_list() -> None:
    assert len(WILD2_DESIGNS) == 6
    assert all(name.startswith("wild2_") for name in WILD2_DESIGNS)
    assert not set(WILD2_DESIGNS) & (set(ALL_DESIGNS) | set(DEV_DESIGNS) | set(WILD_DESIGNS))
    assert set(WILD2_DESIGNS) <= set(DESIGNS)
    assert set(WILD2_DESIGNS) == set(WILD2_BY_NAME)


@pytest.mark.parametrize("design", WILD2_DESIGNS)
def test_same_design_and_seed_give_the_same_pages_and_truth(design: str) -> None:
    first = generate_drawing_set(design, 1000, sheets=3)
    second = generate_drawing_set(design, 1000, sheets=3)
    assert first.truth == second.truth
    assert _words(first.pdf) == _words(second.pdf)


@pytest.mark.parametrize("design", WILD2_DESIGNS)
def test_different_seeds_give_different_sets(design: str) -> None:
    sets = [generated(design, seed) for seed in SEEDS]
    assert len({made.truth.model_dump_json() for made in sets}) == len(SEEDS)
    assert len({str(_words(made.pdf)) for made in sets}) == len(SEEDS)


@pytest.mark.parametrize("design", WILD2_DESIGNS)
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
            # The truth keeps the contract's form; a compact design prints it without spaces.
            "scale": (sheet.scale or "").replace(" = ", "=")
            if WILD2_BY_NAME[design].compact_scale
            else sheet.scale,
            "project_name": sheet.project_name,
            "project_number": sheet.project_number,
            "issue_date": fmt_date(date_style, sheet.issue_date) if sheet.issue_date else None,
            "revision": sheet.revision,
            "revision_date": (
                fmt_date(date_style, sheet.revision_date) if sheet.revision_date else None
            ),
        }
        for index, row in enumerate(sheet.revisions):
            wanted[f"row {index} revision"] = row.revision
            wanted[f"row {index} date"] = fmt_date(date_style, row.date) if row.date else None
            wanted[f"row {index} description"] = row.description
        for name, value in wanted.items():
            if value is not None:
                assert _fold(value) in text, f"{design} seed {seed} p{sheet.page}: {name}"


@pytest.mark.parametrize("design", WILD2_DESIGNS)
def test_latest_revision_is_the_last_row_and_the_rev_box_repeats_it(design: str) -> None:
    has_rev_box = any(slot.field == "rev_box" for slot in WILD2_BY_NAME[design].slots)
    for seed in SEEDS:
        made = generated(design, seed)
        assert made.truth.drawing_set is not None
        doc = pymupdf.open(stream=made.pdf, filetype="pdf")
        for sheet in made.truth.drawing_set.sheets:
            latest = sheet.revisions[-1] if sheet.revisions else None
            assert sheet.revision == (latest.revision if latest else None)
            assert sheet.revision_date == (latest.date if latest else None)
            if has_rev_box:
                box = _cell_text(doc[sheet.page - 1], design, "rev_box")
                assert box[-1] == (sheet.revision or "-"), f"{design} seed {seed} p{sheet.page}"


def _all_rows(design: str) -> list[list[tuple[str | None, str | None]]]:
    """Every sheet's (mark, description) rows over the unit-test seeds."""
    tables = []
    for seed in SEEDS:
        drawing_set = generated(design, seed).truth.drawing_set
        assert drawing_set is not None
        tables += [
            [(row.revision, row.description) for row in s.revisions] for s in drawing_set.sheets
        ]
    return tables


@pytest.mark.parametrize(
    "design", [d.name for d in WILD2_BY_NAME.values() if d.mark_scheme == "ifc"]
)
def test_ifc_marks_are_letters_then_numbers_from_issued_for_construction(design: str) -> None:
    numbered = 0
    for rows in _all_rows(design):
        marks = [mark for mark, _ in rows]
        letters = [mark for mark in marks if mark and mark.isalpha()]
        assert letters == [chr(ord("A") + index) for index in range(len(letters))]
        assert marks[len(letters) :] == [str(index) for index in range(len(marks) - len(letters))]
        if len(marks) > len(letters):
            numbered += 1
            assert rows[len(letters)][1] == "ISSUED FOR CONSTRUCTION"
        assert len(rows) < 3 or len(marks) > len(letters)
    assert numbered, "no sheet reached construction"


def test_the_issue_list_prints_no_marks_and_its_truth_has_none() -> None:
    tables = _all_rows("wild2_issue_band")
    assert any(tables)
    assert all(mark is None for rows in tables for mark, _ in rows)


@pytest.mark.parametrize(
    "design", [d.name for d in WILD2_BY_NAME.values() if any(s.style == "bare" for s in d.slots)]
)
def test_a_bare_project_name_stands_alone_on_two_or_three_lines(design: str) -> None:
    for seed in SEEDS:
        made = generated(design, seed)
        assert made.truth.drawing_set is not None
        name = made.truth.drawing_set.sheets[0].project_name
        assert name is not None
        lines = _cell_text(pymupdf.open(stream=made.pdf, filetype="pdf")[0], design, "project")
        count = next(n for n in (2, 3) if _fold(" ".join(lines[:n])) == _fold(name))
        assert not any(line.endswith(":") for line in lines[:count])


def test_a_compact_scale_is_printed_without_spaces_and_kept_in_the_contracts_form() -> None:
    compact = [d.name for d in WILD2_BY_NAME.values() if d.compact_scale]
    assert compact
    for design in compact:
        for seed in SEEDS:
            made = generated(design, seed)
            assert made.truth.drawing_set is not None
            doc = pymupdf.open(stream=made.pdf, filetype="pdf")
            for sheet in made.truth.drawing_set.sheets:
                if sheet.scale is None or "=" not in sheet.scale:
                    continue
                assert " = " in sheet.scale
                text = _block_text(doc[sheet.page - 1], design)
                assert _fold(sheet.scale.replace(" = ", "=")) in text
                assert _fold(sheet.scale) not in text


@pytest.mark.parametrize("design", WILD2_DESIGNS)
def test_nothing_is_printed_off_the_sheet_or_across_a_cells_rules(design: str) -> None:
    wild = WILD2_BY_NAME[design]
    for seed in SEEDS:
        made = generated(design, seed)
        assert text_off_the_sheet(made.pdf) == []
        for page in pymupdf.open(stream=made.pdf, filetype="pdf"):
            whole, cells = _areas(page, wild)
            border = pymupdf.Rect(
                MARGIN, MARGIN, page.rect.width - MARGIN, page.rect.height - MARGIN
            )
            assert border.contains(whole), f"{design} seed {seed}: block off the border"
            words = [pymupdf.Rect(word[:4]) for word in page.get_text("words")]
            mine = [word for word in words if word.intersects(whole)]
            for word in mine:  # glyph boxes reach past the ink by a point or two
                ink = pymupdf.Rect(word.x0 + 0.5, word.y0 + 2, word.x1 - 0.5, word.y1 - 2)
                assert any(cell.contains(ink) for cell in cells), f"{design} seed {seed}: {word}"
            for one, other in itertools.combinations(mine, 2):
                common = one & other
                overlap = not common.is_empty and common.width > 0.5
                assert not (overlap and common.height > 0.3 * min(one.height, other.height))


def test_scanned_wild2_sets_are_image_only() -> None:
    made = generate_drawing_set(WILD2_DESIGNS[0], 1000, sheets=2, scanned=True)
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    assert all(not page.get_text().strip() for page in doc)
    assert re.fullmatch(r"wild2_\w+-001000-scan", made.name)
