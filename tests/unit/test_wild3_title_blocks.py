"""The third wild family of title-block designs as a generator: deterministic, truth printed.

Generator properties only (no extractor), at unit-test seeds 1000-1004: the same arguments
give the same pages, seeds give different sets, every truth value is printed in the block or
its revision table, each design prints its revision marks (P1/C1, 0A/01, in circles and
diamonds, in a row of issue boxes, in a table in the sheet's corner), its plot date, date
note and split or stacked project name the way its truth says, and nothing is printed off the
sheet or across a cell's rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from functools import cache

import pymupdf
import pytest

from fixtures.drawings import (
    ALL_DESIGNS,
    DESIGNS,
    DEV_DESIGNS,
    WILD2_DESIGNS,
    WILD3_DESIGNS,
    WILD_DESIGNS,
    GeneratedDrawingSet,
    generate_drawing_set,
)
from fixtures.drawings.titleblock import MARGIN, fmt_date
from fixtures.drawings.wild import Box
from fixtures.drawings.wild3 import WILD3_BY_NAME, IssueBoxes, Wild3Design
from fixtures.drawings.wild_render import revisions_rect, wild_block_rect
from models import Sheet
from tests.unit.generated_text import text_off_the_sheet

SEEDS = range(1000, 1005)
CONSTRUCTION = "ISSUED FOR CONSTRUCTION"
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


def _table(page: pymupdf.Page, design: Wild3Design) -> pymupdf.Rect:
    block = wild_block_rect(design, page.rect.width, page.rect.height)
    return revisions_rect(design, block, page.rect.width, page.rect.height)


def _areas(page: pymupdf.Page, design: Wild3Design) -> tuple[pymupdf.Rect, list[pymupdf.Rect]]:
    """The block and its revision table (each whole), and every cell (the table is one)."""
    block = wild_block_rect(design, page.rect.width, page.rect.height)
    table = _table(page, design)
    return block | table, [_inside(block, slot.box) for slot in design.slots] + [table]


def _block_text(page: pymupdf.Page, design: str) -> str:
    wild = WILD3_BY_NAME[design]
    block = wild_block_rect(wild, page.rect.width, page.rect.height)
    clips = (block, _table(page, wild))
    return " ".join(_fold(page.get_text("text", clip=clip)) for clip in clips)


def _cell_text(page: pymupdf.Page, design: str, field: str) -> list[str]:
    """The lines printed in the design's cell for `field`."""
    wild = WILD3_BY_NAME[design]
    block = wild_block_rect(wild, page.rect.width, page.rect.height)
    (slot,) = [slot for slot in wild.slots if slot.field == field]
    text = page.get_text("text", clip=_inside(block, slot.box))
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(pdf: bytes) -> list[list[tuple[object, ...]]]:
    """Every page's words with their boxes (the PDF's /ID differs from run to run)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return [[tuple(word) for word in page.get_text("words")] for page in doc]


def _sheets(design: str) -> list[tuple[pymupdf.Page, Sheet]]:
    """Every sheet over the unit-test seeds with its page."""
    out = []
    for seed in SEEDS:
        made = generated(design, seed)
        assert made.truth.drawing_set is not None
        doc = pymupdf.open(stream=made.pdf, filetype="pdf")
        out += [(doc[sheet.page - 1], sheet) for sheet in made.truth.drawing_set.sheets]
    return out


def _designs_with(field: str) -> list[str]:
    return [name for name, d in WILD3_BY_NAME.items() if any(s.field == field for s in d.slots)]


def test_there_are_six_wild3_designs_apart_from_every_other_list() -> None:
    assert len(WILD3_DESIGNS) == 6
    assert all(name.startswith("wild3_") for name in WILD3_DESIGNS)
    others = set(ALL_DESIGNS) | set(DEV_DESIGNS) | set(WILD_DESIGNS) | set(WILD2_DESIGNS)
    assert not set(WILD3_DESIGNS) & others
    assert set(WILD3_DESIGNS) <= set(DESIGNS)
    assert set(WILD3_DESIGNS) == set(WILD3_BY_NAME)


@pytest.mark.parametrize("design", WILD3_DESIGNS)
def test_same_design_and_seed_give_the_same_pages_and_truth(design: str) -> None:
    first = generate_drawing_set(design, 1000, sheets=3)
    second = generate_drawing_set(design, 1000, sheets=3)
    assert first.truth == second.truth
    assert _words(first.pdf) == _words(second.pdf)


@pytest.mark.parametrize("design", WILD3_DESIGNS)
def test_different_seeds_give_different_sets(design: str) -> None:
    sets = [generated(design, seed) for seed in SEEDS]
    assert len({made.truth.model_dump_json() for made in sets}) == len(SEEDS)
    assert len({str(_words(made.pdf)) for made in sets}) == len(SEEDS)


@pytest.mark.parametrize("design", WILD3_DESIGNS)
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
        for index, row in enumerate(sheet.revisions):
            wanted[f"row {index} revision"] = row.revision
            wanted[f"row {index} date"] = fmt_date(date_style, row.date) if row.date else None
            wanted[f"row {index} description"] = row.description
        for name, value in wanted.items():
            if value is not None:
                assert _fold(value) in text, f"{design} seed {seed} p{sheet.page}: {name}"


@pytest.mark.parametrize("design", WILD3_DESIGNS)
def test_every_sheet_prints_the_issue_date_in_its_own_cell(design: str) -> None:
    for page, sheet in _sheets(design):
        assert sheet.issue_date is not None
        cell = _cell_text(page, design, "issue_date")
        assert _fold(fmt_date(DESIGNS[design], sheet.issue_date)) in _fold(" ".join(cell))


@pytest.mark.parametrize("design", _designs_with("rev_box"))
def test_latest_revision_is_the_last_row_and_the_rev_box_repeats_it(design: str) -> None:
    for page, sheet in _sheets(design):
        latest = sheet.revisions[-1] if sheet.revisions else None
        assert sheet.revision == (latest.revision if latest else None)
        assert sheet.revision_date == (latest.date if latest else None)
        box = _cell_text(page, design, "rev_box")
        assert box[-1].split()[-1] == (sheet.revision or "-"), f"{design} p{sheet.page}"


@pytest.mark.parametrize(
    ("design", "pre", "construction"),
    [
        ("wild3_riba_a1", lambda n: f"P{n + 1}", lambda n: f"C{n + 1}"),
        ("wild3_stacked_strip", lambda n: f"0{chr(ord('A') + n)}", lambda n: f"{n + 1:02d}"),
    ],
)
def test_staged_marks_change_scheme_at_the_construction_issue(
    design: str, pre: Callable[[int], str], construction: Callable[[int], str]
) -> None:
    """P1, P2 then C1 (RIBA suitability) or 0A, 0B then 01, from the construction row on."""
    numbered = 0
    for _page, sheet in _sheets(design):
        marks = [row.revision for row in sheet.revisions]
        rows = [row.description for row in sheet.revisions]
        start = rows.index(CONSTRUCTION) if CONSTRUCTION in rows else len(rows)
        assert marks[:start] == [pre(index) for index in range(start)]
        assert marks[start:] == [construction(index) for index in range(len(marks) - start)]
        assert len(marks) < 3 or start < len(marks)
        numbered += start < len(marks)
    assert numbered, f"{design}: no sheet reached construction"


def test_the_corner_table_sits_in_the_sheets_top_right_corner_oldest_row_first() -> None:
    design = "wild3_riba_a1"
    wild = WILD3_BY_NAME[design]
    assert wild.table_inches is not None
    seen = 0
    for page, sheet in _sheets(design):
        table = _table(page, wild)
        block = wild_block_rect(wild, page.rect.width, page.rect.height)
        assert table.y0 == MARGIN and table.x1 == page.rect.width - MARGIN
        assert block.y0 - table.y1 > page.rect.height / 3, "the table is far from the block"
        words = page.get_text("words", clip=table)
        ys = [
            next(w[1] for w in words if w[4] == row.revision and w[0] < table.x0 + 40)
            for row in sheet.revisions
        ]
        assert ys == sorted(ys)
        seen += len(ys) > 1
    assert seen


def test_issue_boxes_run_oldest_at_the_left_mark_over_date() -> None:
    design = "wild3_boxes_band"
    wild = WILD3_BY_NAME[design]
    assert isinstance(wild.revisions, IssueBoxes)
    seen = 0
    for page, sheet in _sheets(design):
        table = _table(page, wild)
        pitch = table.width / wild.revisions.rows
        for index, row in enumerate(sheet.revisions):
            box = pymupdf.Rect(
                table.x0 + pitch * index, table.y0, table.x0 + pitch * (index + 1), table.y1
            )
            lines = [line.strip() for line in page.get_text("text", clip=box).splitlines()]
            lines = [line for line in lines if line and line != "ISSUES AND REVISIONS"]
            date = fmt_date(DESIGNS[design], row.date) if row.date else ""
            assert lines[:2] == [row.revision, date], f"p{sheet.page} box {index}: {lines}"
            assert _fold(" ".join(lines[2:])) == _fold(row.description or "")
        seen += len(sheet.revisions) > 1
    assert seen


def test_a_split_project_name_is_the_building_then_its_phase() -> None:
    design = "wild3_boxes_band"
    for page, sheet in _sheets(design):
        building = _cell_text(page, design, "project_building")
        phase = _cell_text(page, design, "project_phase")
        assert building[0] == "BUILDING" and re.fullmatch(r"PHASE [1-3]", " ".join(phase))
        assert sheet.project_name == _fold(" ".join(building[1:] + phase)).upper()


def test_stacked_cells_hold_the_client_the_project_alone_and_the_site_address() -> None:
    design = "wild3_stacked_strip"
    for page, sheet in _sheets(design):
        assert _cell_text(page, design, "client") == ["CLIENT", WILD3_BY_NAME[design].client]
        project = _cell_text(page, design, "project_name")
        assert project[0] == "PROJECT" and " ".join(project[1:]) == sheet.project_name
        site = _cell_text(page, design, "site_address")
        assert site[0] == "SITE ADDRESS" and re.search(r"\d+ .+, [A-Z]{2}$", " ".join(site[1:]))


@pytest.mark.parametrize("design", _designs_with("plot_date"))
def test_a_plot_date_is_printed_and_is_never_the_issue_or_a_revision_date(design: str) -> None:
    fmt = DESIGNS[design].date_format
    for page, sheet in _sheets(design):
        found = re.search(r"(\S+) \d\d:\d\d$", " ".join(_cell_text(page, design, "plot_date")))
        assert found, f"{design} p{sheet.page}: no plot date"
        day = dt.datetime.strptime(found.group(1), fmt).date()
        assert day != sheet.issue_date
        assert day not in {row.date for row in sheet.revisions}
        assert sheet.issue_date is not None and day > sheet.issue_date


def test_a_numeric_day_first_date_is_settled_by_the_date_note() -> None:
    design = "wild3_riba_a1"
    assert DESIGNS[design].date_format == "%d/%m/%y"
    for page, sheet in _sheets(design):
        assert _cell_text(page, design, "date_note")[-1] == "DD/MM/YY"
        assert sheet.issue_date is not None
        assert sheet.issue_date.strftime("%d/%m/%y") in _cell_text(page, design, "issue_date")


def test_the_bottom_left_block_sits_at_the_left_with_its_table_above_it() -> None:
    design = "wild3_agency_left"
    wild = WILD3_BY_NAME[design]
    for page, _sheet in _sheets(design):
        block = wild_block_rect(wild, page.rect.width, page.rect.height)
        table = _table(page, wild)
        assert block.x0 == MARGIN and block.y1 == page.rect.height - MARGIN
        assert block.x1 < page.rect.width / 2
        assert table.y1 <= block.y0 and table.x0 == block.x0


@pytest.mark.parametrize("design", WILD3_DESIGNS)
def test_nothing_is_printed_off_the_sheet_or_across_a_cells_rules(design: str) -> None:
    wild = WILD3_BY_NAME[design]
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
            mine = [word for word in words if any(word.intersects(cell) for cell in cells)]
            for word in mine:  # glyph boxes reach past the ink by a point or two
                ink = pymupdf.Rect(word.x0 + 0.5, word.y0 + 2, word.x1 - 0.5, word.y1 - 2)
                assert any(cell.contains(ink) for cell in cells), f"{design} seed {seed}: {word}"
            for one, other in itertools.combinations(mine, 2):
                common = one & other
                overlap = not common.is_empty and common.width > 0.5
                assert not (overlap and common.height > 0.3 * min(one.height, other.height))


def test_scanned_wild3_sets_are_image_only() -> None:
    made = generate_drawing_set(WILD3_DESIGNS[0], 1000, sheets=2, scanned=True)
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    assert all(not page.get_text().strip() for page in doc)
    assert re.fullmatch(r"wild3_\w+-001000-scan", made.name)
