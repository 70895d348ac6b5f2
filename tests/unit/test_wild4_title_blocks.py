"""The fourth wild family of title-block designs as a generator: deterministic, truth printed.

Generator properties only (no extractor), at unit-test seeds 1000-1002: the same arguments
give the same pages, seeds give different sets, every truth value is printed in the block or
its revision table, each design prints its revision table the way its truth reads it (columns
in its own order, growing upward from the block's top edge with the latest row on top or at
the foot, marks in delta triangles, empty pre-printed rows, "ISSUED FOR" purposes), its issue
date apart from the revision dates, its project number and dates in their forms, its project
name in big type or in a vertical strip, clouded deltas only away from the block, and nothing
off the sheet or across a cell's rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.drawings import (
    ALL_DESIGNS,
    DESIGNS,
    DEV_DESIGNS,
    WILD2_DESIGNS,
    WILD3_DESIGNS,
    WILD4_DESIGNS,
    WILD_DESIGNS,
    GeneratedDrawingSet,
    generate_drawing_set,
)
from fixtures.drawings.titleblock import MARGIN
from fixtures.drawings.wild import Box
from fixtures.drawings.wild4 import WILD4_BY_NAME, GrowingRevTable, Wild4Design
from fixtures.drawings.wild4_render import PURPOSE_RUNS, date_text, table_rect
from fixtures.drawings.wild_render import wild_block_rect
from models import Sheet
from tests.unit.generated_text import text_off_the_sheet

SEEDS = range(1000, 1003)
SHEETS = 3


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


def _wild(design: str) -> Wild4Design:
    return WILD4_BY_NAME[design]


def _revisions(design: str) -> GrowingRevTable:
    table = _wild(design).revisions
    assert isinstance(table, GrowingRevTable)
    return table


def _block(page: pymupdf.Page, design: str) -> pymupdf.Rect:
    return wild_block_rect(_wild(design), page.rect.width, page.rect.height)


def _table(page: pymupdf.Page, design: str, sheet: Sheet) -> pymupdf.Rect:
    return table_rect(_wild(design), _block(page, design), len(sheet.revisions))


def _block_text(page: pymupdf.Page, design: str, sheet: Sheet) -> str:
    clips = (_block(page, design), _table(page, design, sheet))
    return " ".join(_fold(page.get_text("text", clip=clip)) for clip in clips)


def _cell_text(page: pymupdf.Page, design: str, field: str) -> list[str]:
    """The lines printed in the design's cell for `field`."""
    (slot,) = [slot for slot in _wild(design).slots if slot.field == field]
    text = page.get_text("text", clip=_inside(_block(page, design), slot.box))
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


def _date(design: str, day: dt.date | None) -> str:
    assert day is not None
    return date_text(_wild(design), day)


def _row_tops(page: pymupdf.Page, design: str, sheet: Sheet) -> list[float]:
    """The top of each revision row's date in the table, oldest row first."""
    table = _table(page, design, sheet)
    tops = []
    for row in sheet.revisions:
        (hit,) = page.search_for(_date(design, row.date), clip=table)
        tops.append(hit.y0)
    return tops


def _grown(rect: pymupdf.Rect) -> pymupdf.Rect:
    """A rectangle one point larger all round (a rule's ends lie on its box's edge)."""
    return pymupdf.Rect(rect.x0 - 1, rect.y0 - 1, rect.x1 + 1, rect.y1 + 1)


def _triangles(page: pymupdf.Page, clip: pymupdf.Rect) -> list[pymupdf.Rect]:
    """Closed three-sided outlines (delta triangles) drawn inside `clip`."""
    out, clip = [], _grown(clip)
    for path in page.get_drawings():
        items: list[Any] = path["items"]
        rect = pymupdf.Rect(path["rect"])
        if len(items) == 3 and all(item[0] == "l" for item in items) and clip.contains(rect):
            out.append(rect)
    return out


def _designs_with(predicate: str) -> list[str]:
    return [name for name in WILD4_DESIGNS if getattr(_wild(name), predicate)]


def _styled(style: str) -> list[str]:
    return [name for name in WILD4_DESIGNS if any(s.style == style for s in _wild(name).slots)]


def test_there_are_six_wild4_designs_apart_from_every_other_list() -> None:
    assert len(WILD4_DESIGNS) == 6
    assert all(name.startswith("wild4_") for name in WILD4_DESIGNS)
    others = set(ALL_DESIGNS) | set(DEV_DESIGNS) | set(WILD_DESIGNS) | set(WILD2_DESIGNS)
    assert not set(WILD4_DESIGNS) & (others | set(WILD3_DESIGNS))
    assert set(WILD4_DESIGNS) <= set(DESIGNS)
    assert set(WILD4_DESIGNS) == set(WILD4_BY_NAME)


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_same_design_and_seed_give_the_same_pages_and_truth(design: str) -> None:
    first = generate_drawing_set(design, 1000, sheets=2)
    second = generate_drawing_set(design, 1000, sheets=2)
    assert first.truth == second.truth
    assert _words(first.pdf) == _words(second.pdf)


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_different_seeds_give_different_sets(design: str) -> None:
    sets = [generated(design, seed) for seed in SEEDS]
    assert len({made.truth.model_dump_json() for made in sets}) == len(SEEDS)
    assert len({str(_words(made.pdf)) for made in sets}) == len(SEEDS)


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_every_truth_field_is_printed_in_the_title_block(design: str) -> None:
    for page, sheet in _sheets(design):
        text = _block_text(page, design, sheet)
        wanted: dict[str, str | None] = {
            "sheet_number": sheet.sheet_number,
            "sheet_title": sheet.sheet_title,
            "scale": sheet.scale,
            "project_name": sheet.project_name,
            "project_number": sheet.project_number,
            "issue_date": _date(design, sheet.issue_date),
            "revision": sheet.revision,
            "revision_date": _date(design, sheet.revision_date) if sheet.revision_date else None,
        }
        for index, row in enumerate(sheet.revisions):
            wanted[f"row {index} revision"] = row.revision
            wanted[f"row {index} date"] = _date(design, row.date)
            wanted[f"row {index} description"] = row.description
        for name, value in wanted.items():
            if value is not None:
                assert _fold(value) in text, f"{design} p{sheet.page}: {name} {value!r}"


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_the_issue_date_has_its_own_cell_and_is_no_revision_date(design: str) -> None:
    for page, sheet in _sheets(design):
        cell = " ".join(_cell_text(page, design, "issue_date"))
        issued = sheet.issue_date
        assert issued is not None and _date(design, issued) in cell
        assert all(row.date is not None and issued < row.date for row in sheet.revisions)


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_the_sheets_revision_is_the_latest_row(design: str) -> None:
    for _page, sheet in _sheets(design):
        latest = sheet.revisions[-1] if sheet.revisions else None
        assert sheet.revision == (latest.revision if latest else None)
        assert sheet.revision_date == (latest.date if latest else None)
        dates = [row.date for row in sheet.revisions if row.date is not None]
        assert len(dates) == len(sheet.revisions) and dates == sorted(dates)


@pytest.mark.parametrize(
    "design",
    [name for name in WILD4_DESIGNS if any(s.field == "rev_box" for s in _wild(name).slots)],
)
def test_the_rev_cell_repeats_the_latest_mark(design: str) -> None:
    for page, sheet in _sheets(design):
        box = _cell_text(page, design, "rev_box")
        assert box[-1] == (sheet.revision or "-"), f"{design} p{sheet.page}: {box}"


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_the_column_headers_read_in_the_designs_order(design: str) -> None:
    columns = _revisions(design).columns
    wanted = [header for _key, header, _share in columns if header]
    for page, sheet in _sheets(design):
        table = _table(page, design, sheet)
        words = page.get_text("words", clip=table)
        found = []
        for header in wanted:
            first = header.split()[0]
            found.append(min(w[0] for w in words if w[4] == first))
        assert found == sorted(found), f"{design}: {wanted}"


def test_date_first_then_number_then_description() -> None:
    for design in ("wild4_delta_strip", "wild4_issued_for_box"):
        keys = [key for key, _header, _share in _revisions(design).columns]
        assert keys == ["date", "rev", "description"]


def test_amendments_read_description_by_checked_date_then_rev() -> None:
    headers = [header for _key, header, _share in _revisions("wild4_amendment_a1").columns]
    assert headers == ["AMENDMENT", "BY", "CHK'D", "DATE", "REV"]


@pytest.mark.parametrize("design", ["wild4_issued_for_box", "wild4_commission_box"])
def test_an_upward_table_has_its_header_at_the_foot_and_the_latest_row_on_top(design: str) -> None:
    assert _revisions(design).order == "up"
    seen = 0
    for page, sheet in _sheets(design):
        tops = _row_tops(page, design, sheet)
        assert tops == sorted(tops, reverse=True), f"{design} p{sheet.page}"
        table = _table(page, design, sheet)
        words = page.get_text("words", clip=table)
        header = next(w for w in words if w[4] == "DATE")
        assert all(top < header[1] for top in tops)
        assert table.y1 - header[3] < 8, "the header sits at the table's foot"
        seen += len(tops) > 1
    assert seen


def test_the_issued_for_table_stands_on_the_blocks_top_edge() -> None:
    design = "wild4_issued_for_box"
    for page, sheet in _sheets(design):
        assert _table(page, design, sheet).y1 == _block(page, design).y0


def test_an_anchored_table_grows_upward_with_the_latest_row_at_its_foot() -> None:
    design = "wild4_amendment_a1"
    assert _revisions(design).anchored
    heights: dict[int, float] = {}
    seen = 0
    for page, sheet in _sheets(design):
        table, block = _table(page, design, sheet), _block(page, design)
        assert table.y1 == block.y0
        heights[len(sheet.revisions)] = table.height
        tops = _row_tops(page, design, sheet)
        assert tops == sorted(tops), "oldest on top, the latest at the foot"
        if tops:
            assert table.y1 - tops[-1] < 16, "the latest row sits right on the block"
        seen += len(tops) > 1
    assert seen
    counts = sorted(heights)
    assert [heights[count] for count in counts] == sorted(heights.values())
    assert len(set(heights.values())) > 1


def test_a_newest_first_table_puts_the_latest_row_under_its_header() -> None:
    design = "wild4_issue_band"
    assert _revisions(design).newest_first and _revisions(design).order == "down"
    seen = 0
    for page, sheet in _sheets(design):
        tops = _row_tops(page, design, sheet)
        assert tops == sorted(tops, reverse=True)
        seen += len(tops) > 1
    assert seen


@pytest.mark.parametrize("design", [n for n in WILD4_DESIGNS if _revisions(n).rows])
def test_pre_printed_rows_are_ruled_whether_filled_or_not(design: str) -> None:
    rows = _revisions(design).rows
    for page, sheet in _sheets(design):
        table = _grown(_table(page, design, sheet))
        rules = [
            path
            for path in page.get_drawings()
            if len(path["items"]) == 1
            and path["items"][0][0] == "l"
            and abs(path["rect"].width - table.width) < 3
            and path["rect"].height < 0.5
            and table.contains(path["rect"])
        ]
        assert len(rules) >= rows, f"{design} p{sheet.page}: {len(rules)} rules"
        assert len(sheet.revisions) < rows


@pytest.mark.parametrize("design", [n for n in WILD4_DESIGNS if _revisions(n).delta])
def test_delta_marks_are_numbers_inside_triangles(design: str) -> None:
    seen = 0
    for page, sheet in _sheets(design):
        table = _table(page, design, sheet)
        triangles = _triangles(page, table)
        words = page.get_text("words", clip=table)
        for row in sheet.revisions:
            assert row.revision is not None and row.revision.isdigit()
            marks = [pymupdf.Rect(w[:4]) for w in words if w[4] == row.revision]
            assert any(
                any(tri.contains((mark.tl + mark.br) / 2) for tri in triangles) for mark in marks
            ), f"{design} p{sheet.page}: {row.revision} not in a triangle"
        seen += len(sheet.revisions)
    assert seen


def test_a_delta_headed_mark_column_has_no_word_for_a_header() -> None:
    design = "wild4_commission_box"
    table_design = _revisions(design)
    assert table_design.delta_header
    (share,) = [share for key, _h, share in table_design.columns if key == "rev"]
    for page, sheet in _sheets(design):
        table = _table(page, design, sheet)
        column = pymupdf.Rect(table.x0, table.y1 - 14, table.x0 + table.width * share, table.y1)
        assert not page.get_text("text", clip=column).strip()
        assert _triangles(page, column)


def test_the_rev_cell_of_the_strip_holds_the_latest_number_in_a_triangle() -> None:
    design = "wild4_delta_strip"
    (slot,) = [slot for slot in _wild(design).slots if slot.field == "rev_box"]
    for page, sheet in _sheets(design):
        cell = _inside(_block(page, design), slot.box)
        assert bool(_triangles(page, cell)) == bool(sheet.revisions)


@pytest.mark.parametrize("design", _designs_with("purposes"))
def test_issued_for_rows_say_only_the_purpose(design: str) -> None:
    purposes = {purpose for run in PURPOSE_RUNS for purpose in run}
    headers = [header for key, header, _share in _revisions(design).columns if key == "description"]
    assert headers == ["ISSUED FOR"]
    seen = 0
    for _page, sheet in _sheets(design):
        described = [row.description for row in sheet.revisions]
        assert set(described) <= purposes
        assert len(set(described)) == len(described)
        seen += len(described)
    assert seen


@pytest.mark.parametrize(
    ("design", "form"),
    [
        ("wild4_delta_strip", r"20\d\d\.\d{3}"),
        ("wild4_issued_for_box", r"\d\d-\d{3}-00"),
        ("wild4_amendment_a1", r"20\d\d\.\d{3}"),
        ("wild4_issue_band", r"\d\d-\d{3}-00"),
        ("wild4_commission_box", r"4\d{3}"),
        ("wild4_gc_band", r"20\d\d\.\d{3}"),
    ],
)
def test_project_numbers_are_in_the_designs_form(design: str, form: str) -> None:
    for page, sheet in _sheets(design):
        assert sheet.project_number is not None and re.fullmatch(form, sheet.project_number)
        assert sheet.project_number in " ".join(_cell_text(page, design, "project_number"))


@pytest.mark.parametrize(
    ("design", "form"),
    [
        ("wild4_delta_strip", r"\d\d\.\d\d\.\d\d"),
        ("wild4_issued_for_box", r"\d{4}-\d\d-\d\d"),
        ("wild4_amendment_a1", r"\d\d-[A-Z][a-z]{2}-\d\d"),
        ("wild4_issue_band", r"\d\d [A-Z][a-z]{2} \d{4}"),
        ("wild4_commission_box", r"\d\d\.\d\d\.\d{4}"),
        ("wild4_gc_band", r"[A-Z]{3} \d\d \d{4}"),
    ],
)
def test_dates_print_in_the_designs_form(design: str, form: str) -> None:
    fmt = DESIGNS[design].date_format
    for page, sheet in _sheets(design):
        issued = " ".join(_cell_text(page, design, "issue_date"))
        found = re.search(form, issued)
        assert found, f"{design}: {issued!r}"
        assert dt.datetime.strptime(found.group(0), fmt).date() == sheet.issue_date
        text = page.get_text("text", clip=_table(page, design, sheet))
        for row in sheet.revisions:
            assert row.date is not None and re.fullmatch(form, _date(design, row.date))
            assert _date(design, row.date) in text


@pytest.mark.parametrize("design", _styled("banner"))
def test_a_banner_is_the_client_the_project_name_alone_then_the_address(design: str) -> None:
    wild = _wild(design)
    own_client = any(slot.field == "client" for slot in wild.slots)
    for page, sheet in _sheets(design):
        lines = _cell_text(page, design, "project")
        if not own_client:
            assert lines[0] == wild.client
            lines = lines[1:]
        assert re.search(r"\d+ .+, [A-Z]{2}$", lines[-1]), lines
        assert " ".join(lines[:-1]) == sheet.project_name


@pytest.mark.parametrize("design", _styled("vertical"))
def test_a_vertical_strip_holds_the_project_name_reading_bottom_to_top(design: str) -> None:
    (slot,) = [slot for slot in _wild(design).slots if slot.style == "vertical"]
    for page, sheet in _sheets(design):
        strip = _inside(_block(page, design), slot.box)
        assert strip.x1 == _block(page, design).x1, "the strip is at the right edge"
        lines = [
            line
            for block in page.get_text("dict", clip=strip)["blocks"]
            for line in block.get("lines", [])
        ]
        assert lines and all(line["dir"] == (0.0, -1.0) for line in lines)
        name = " ".join("".join(span["text"] for span in line["spans"]) for line in lines)
        assert name == sheet.project_name
        rest = _block_text(page, design, sheet).replace(_fold(name), "")
        assert _fold(name) not in rest


@pytest.mark.parametrize("design", _designs_with("clouds"))
def test_revision_clouds_repeat_an_earlier_mark_away_from_the_block(design: str) -> None:
    seen = 0
    for page, sheet in _sheets(design):
        words = page.get_text("words")
        notes = [(w, words[i + 1]) for i, w in enumerate(words[:-1]) if w[4] == "REV"]
        notes = [(rev, mark) for rev, mark in notes if mark[1] == rev[1]]
        marks = [row.revision for row in sheet.revisions]
        if not marks or sheet.sheet_title == "COVER SHEET":
            assert not notes, f"{design} p{sheet.page}"
            continue
        assert 1 <= len(notes) <= 2
        taken = _block(page, design) | _table(page, design, sheet)
        for rev, mark in notes:
            assert mark[4] in marks and (len(marks) == 1 or mark[4] != marks[-1])
            assert not pymupdf.Rect(rev[:4]).intersects(taken)
        seen += 1
    assert seen


@pytest.mark.parametrize("design", WILD4_DESIGNS)
def test_nothing_is_printed_off_the_sheet_or_across_a_cells_rules(design: str) -> None:
    wild = _wild(design)
    for seed in SEEDS:
        made = generated(design, seed)
        assert text_off_the_sheet(made.pdf) == []
        assert made.truth.drawing_set is not None
        doc = pymupdf.open(stream=made.pdf, filetype="pdf")
        for sheet in made.truth.drawing_set.sheets:
            page = doc[sheet.page - 1]
            block, table = _block(page, design), _table(page, design, sheet)
            cells = [_inside(block, slot.box) for slot in wild.slots] + [table]
            strips = [_inside(block, s.box) for s in wild.slots if s.style == "vertical"]
            border = pymupdf.Rect(
                MARGIN, MARGIN, page.rect.width - MARGIN, page.rect.height - MARGIN
            )
            assert border.contains(block | table), f"{design} seed {seed}: block off the border"
            words = [pymupdf.Rect(word[:4]) for word in page.get_text("words")]
            mine = [word for word in words if any(word.intersects(cell) for cell in cells)]
            for word in mine:  # glyph boxes reach past the ink by a point or two
                ink = pymupdf.Rect(word.x0 + 0.5, word.y0 + 2, word.x1 - 0.5, word.y1 - 2)
                if any(strip.contains(word) for strip in strips):  # rotated: tall, not wide
                    ink = pymupdf.Rect(word.x0 + 2, word.y0 + 0.5, word.x1 - 2, word.y1 - 0.5)
                assert any(cell.contains(ink) for cell in cells), f"{design} seed {seed}: {word}"
            for one, other in itertools.combinations(mine, 2):
                common = one & other
                overlap = not common.is_empty and common.width > 0.5
                assert not (overlap and common.height > 0.3 * min(one.height, other.height))


def test_scanned_wild4_sets_are_image_only() -> None:
    made = generate_drawing_set(WILD4_DESIGNS[0], 1000, sheets=2, scanned=True)
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    assert all(not page.get_text().strip() for page in doc)
    assert re.fullmatch(r"wild4_\w+-001000-scan", made.name)
