"""The fifth wild family of title-block designs as a generator: deterministic, truth printed.

Generator properties only (no extractor), at unit-test seeds 1000-1002: the same arguments
give the same pages, seeds give different sets, every truth value is printed in the block or
its revision table, sheet numbers carry the design's suffix or extra level and print large
with the discipline spelled out beside them, plan titles run over two lines with the area
smaller on the second, scales print with their note after them or beside a graphic scale bar
(the truth the scale alone), the issue date stands apart from a later plot date, blocks sit
at the sheet's left edge or along its top with the drawing area clear of them, a turned
drawing area is turned while the block reads upright, key plans and sheet references are
distractors that never name the sheet itself, and nothing is off the sheet or across a
cell's rules.
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
    WILD3_DESIGNS,
    WILD4_DESIGNS,
    WILD5_DESIGNS,
    WILD_DESIGNS,
    GeneratedDrawingSet,
    block_of,
    generate_drawing_set,
)
from fixtures.drawings.titleblock import MARGIN, fmt_date
from fixtures.drawings.wild import Box
from fixtures.drawings.wild5 import WILD5_BY_NAME, Wild5Design
from fixtures.drawings.wild5_render import (
    bar_marks,
    discipline_word,
    revisions_rect5,
    sheet_number_form,
    wild5_block_rect,
)
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


def _wild(design: str) -> Wild5Design:
    return WILD5_BY_NAME[design]


def _block(page: pymupdf.Page, design: str) -> pymupdf.Rect:
    return wild5_block_rect(_wild(design), page.rect.width, page.rect.height)


def _table(page: pymupdf.Page, design: str) -> pymupdf.Rect:
    return revisions_rect5(_wild(design), _block(page, design))


def _block_text(page: pymupdf.Page, design: str) -> str:
    clips = (_block(page, design), _table(page, design))
    return " ".join(_fold(page.get_text("text", clip=clip)) for clip in clips)


def _cell(page: pymupdf.Page, design: str, field: str) -> pymupdf.Rect:
    (slot,) = [slot for slot in _wild(design).slots if slot.field == field]
    return _inside(_block(page, design), slot.box)


def _cell_text(page: pymupdf.Page, design: str, field: str) -> list[str]:
    """The lines printed in the design's cell for `field`."""
    text = page.get_text("text", clip=_cell(page, design, field))
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


def _designs_with(attribute: str) -> list[str]:
    return [name for name in WILD5_DESIGNS if getattr(_wild(name), attribute)]


def _designs_with_slot(field: str) -> list[str]:
    return [n for n in WILD5_DESIGNS if any(s.field == field for s in _wild(n).slots)]


def test_there_are_six_wild5_designs_apart_from_every_other_list() -> None:
    assert len(WILD5_DESIGNS) == 6
    assert all(name.startswith("wild5_") for name in WILD5_DESIGNS)
    others = set(ALL_DESIGNS) | set(DEV_DESIGNS) | set(WILD_DESIGNS) | set(WILD2_DESIGNS)
    assert not set(WILD5_DESIGNS) & (others | set(WILD3_DESIGNS) | set(WILD4_DESIGNS))
    assert set(WILD5_DESIGNS) <= set(DESIGNS)
    assert set(WILD5_DESIGNS) == set(WILD5_BY_NAME)


@pytest.mark.parametrize("design", WILD5_DESIGNS)
def test_same_design_and_seed_give_the_same_pages_and_truth(design: str) -> None:
    first = generated(design, SEEDS[0])
    second = generate_drawing_set(design, SEEDS[0], sheets=SHEETS)
    assert first.truth == second.truth
    assert _words(first.pdf) == _words(second.pdf)


@pytest.mark.parametrize("design", WILD5_DESIGNS)
def test_different_seeds_give_different_sets(design: str) -> None:
    sets = [generated(design, seed) for seed in SEEDS]
    assert len({made.truth.model_dump_json() for made in sets}) == len(SEEDS)
    assert len({str(_words(made.pdf)) for made in sets}) == len(SEEDS)


@pytest.mark.parametrize("design", WILD5_DESIGNS)
def test_every_truth_field_is_printed_in_the_title_block(design: str) -> None:
    base = DESIGNS[design]
    for page, sheet in _sheets(design):
        assert sheet.issue_date is not None
        text = _block_text(page, design)
        wanted: dict[str, str | None] = {
            "sheet_number": sheet.sheet_number,
            "sheet_title": sheet.sheet_title,
            "scale": sheet.scale,
            "project_name": sheet.project_name,
            "project_number": sheet.project_number,
            "issue_date": fmt_date(base, sheet.issue_date),
            "revision": sheet.revision,
            "revision_date": fmt_date(base, sheet.revision_date) if sheet.revision_date else None,
        }
        for field, value in wanted.items():
            if value is not None:
                assert _fold(value) in text, f"{design} p{sheet.page} {field}: {value!r}"
        for row in sheet.revisions:
            assert row.description is not None and _fold(row.description) in text


@pytest.mark.parametrize(
    ("design", "form"),
    [
        ("wild5_left_strip", r"[A-Z]+-\d{3}[AB]"),
        ("wild5_top_band", r"[A-Z]+\d\.\d\d\.[1-3]"),
        ("wild5_rotated_field", r"[A-Z]+-\d\.\d\d"),
        ("wild5_metric_a1", r"[A-Z]+-\d{3}\.[12]"),
        ("wild5_suffix_strip", r"[A-Z]+\d\.\d+[ABC]"),
        ("wild5_fp_band", r"[A-Z]+-\d{3}"),
    ],
)
def test_sheet_numbers_are_in_the_designs_form_and_unique(design: str, form: str) -> None:
    for seed in SEEDS:
        made = generated(design, seed)
        assert made.truth.drawing_set is not None
        sheets = made.truth.drawing_set.sheets
        numbers = [sheet.sheet_number or "" for sheet in sheets]
        assert len(set(numbers)) == len(numbers)
        assert all(re.fullmatch(form, number) for number in numbers[1:]), numbers


def test_number_forms_add_a_suffix_or_a_level_to_the_generators_number() -> None:
    assert sheet_number_form("suffix", "A-101", 1) == "A-101B"
    assert sheet_number_form("level", "A1.01", 0) == "A1.01.1"
    assert sheet_number_form("dash_dot", "S2.01", 3) == "S-2.01"
    assert sheet_number_form("dash_level", "M-001", 1) == "M-001.2"
    assert sheet_number_form("short_suffix", "E3.1", 1) == "E3.1B"
    assert sheet_number_form("", "FP-101", 4) == "FP-101"


@pytest.mark.parametrize("design", _designs_with("discipline_word"))
def test_the_discipline_is_spelled_out_left_of_the_big_sheet_number(design: str) -> None:
    seen = set()
    for page, sheet in _sheets(design):
        assert sheet.sheet_number is not None
        word = discipline_word(sheet.sheet_number)
        assert word == sheet.discipline.value.upper().replace("_", " ")
        cell = _cell(page, design, "sheet_number")
        (number,) = page.search_for(sheet.sheet_number, clip=cell)
        (spelled,) = page.search_for(word, clip=cell)
        assert spelled.x1 < number.x0 and spelled.height < number.height
        assert number.height > 14, "the number is the largest text in the block"
        seen.add(word)
    assert len(seen) > 1


@pytest.mark.parametrize("design", _designs_with("title_area"))
def test_a_plan_title_runs_over_two_lines_the_area_smaller(design: str) -> None:
    seen = 0
    for page, sheet in _sheets(design):
        title = sheet.sheet_title or ""
        lines = _cell_text(page, design, "sheet_title")[1:]  # under the label
        assert _fold(" ".join(lines)) == _fold(title)
        if " - AREA " not in title:
            assert not title.endswith("PLAN") or sheet.page == 1
            continue
        main, _, area = title.partition(" - AREA ")
        assert lines[-1] == f"- AREA {area}" and re.fullmatch(r"[ABC]", area)
        cell = _cell(page, design, "sheet_title")
        (small,) = page.search_for(f"- AREA {area}", clip=cell)
        big = page.search_for(main.split()[0], clip=cell)[0]
        assert small.height < big.height and small.y0 > big.y1 - 1
        seen += 1
    assert seen


@pytest.mark.parametrize("design", _designs_with("scale_note"))
def test_a_scale_note_follows_a_scaled_sheets_scale_and_is_not_in_the_truth(design: str) -> None:
    note = _wild(design).scale_note
    seen = 0
    for page, sheet in _sheets(design):
        assert sheet.scale is not None and note not in sheet.scale
        printed = " ".join(_cell_text(page, design, "scale"))
        if any(ch.isdigit() for ch in sheet.scale):
            assert f"{sheet.scale} {note}" in printed
            seen += 1
        else:
            assert note not in printed and sheet.scale in printed
    assert seen


def test_engineering_scales_print_in_feet_and_inches() -> None:
    design = "wild5_top_band"
    assert _wild(design).feet_inches
    for _page, sheet in _sheets(design):
        assert sheet.scale is not None
        assert not re.fullmatch(r"1\" = \d+'", sheet.scale), 'every feet scale has its -0"'
    assert bar_marks('1" = 20\'-0"') == ("0", "20'", "40'", "80'")
    assert bar_marks("1:100") == ("0", "1", "2", "4 m")
    assert bar_marks('1/4" = 1\'-0"') == ("0", "4'", "8'", "16'")
    assert bar_marks("AS NOTED") is None


@pytest.mark.parametrize("design", _designs_with_slot("scale_bar5"))
def test_a_graphic_scale_bar_stands_beside_a_scaled_sheets_written_scale(design: str) -> None:
    seen = 0
    for page, sheet in _sheets(design):
        assert sheet.scale is not None
        bar = _cell(page, design, "scale_bar5")
        filled = [
            path
            for path in page.get_drawings()
            if path.get("fill") is not None and bar.contains(path["rect"])
        ]
        marks = bar_marks(sheet.scale)
        words = [w[4] for w in page.get_text("words", clip=bar)]
        if marks is None:
            assert not filled and not words
            continue
        assert filled and words[: len(marks) - 1] == list(marks[:-1])
        seen += 1
    assert seen


@pytest.mark.parametrize("design", WILD5_DESIGNS)
def test_the_issue_date_stands_apart_from_a_later_plot_date(design: str) -> None:
    wild, base = _wild(design), DESIGNS[design]
    (slot,) = [slot for slot in wild.slots if slot.field == "plot_date"]
    assert slot.label == wild.plot_label and slot.label.upper() in (
        "PLOT DATE",
        "DATE PLOTTED",
        "PRINTED",
    )
    for page, sheet in _sheets(design):
        assert sheet.issue_date is not None
        issued = " ".join(_cell_text(page, design, "issue_date"))
        plotted = " ".join(_cell_text(page, design, "plot_date"))
        assert fmt_date(base, sheet.issue_date) in issued
        assert fmt_date(base, sheet.issue_date) not in plotted
        latest = max([sheet.issue_date, *(row.date for row in sheet.revisions if row.date)])
        assert fmt_date(base, latest) not in plotted


@pytest.mark.parametrize(
    ("design", "edge"),
    [("wild5_left_strip", "left"), ("wild5_top_band", "top")],
)
def test_a_block_at_the_left_edge_or_the_top_leaves_the_field_clear(design: str, edge: str) -> None:
    for page, sheet in _sheets(design):
        block = _block(page, design)
        assert block == pymupdf.Rect(block_of(design, page.rect.width, page.rect.height))
        if edge == "left":
            assert block.x0 == MARGIN and block.height == page.rect.height - 2 * MARGIN
        else:
            assert block.y0 == MARGIN and block.width == page.rect.width - 2 * MARGIN
        outside = [
            w
            for w in page.get_text("words")
            if (w[2] <= block.x0 + 1 if edge == "left" else w[3] <= block.y0 + 1)
        ]
        assert not outside, f"{design} p{sheet.page}: words beyond the block"
        words = [w for w in page.get_text("words") if not block.intersects(pymupdf.Rect(w[:4]))]
        assert words, "the drawing area holds the plan"


def test_a_turned_drawing_area_is_turned_while_the_block_reads_upright() -> None:
    design = "wild5_rotated_field"
    assert _wild(design).rotated_field
    for page, sheet in _sheets(design):
        block = _block(page, design)
        lines = [
            (line["dir"], pymupdf.Rect(line["bbox"]))
            for item in page.get_text("dict")["blocks"]
            for line in item.get("lines", [])
        ]
        inside = [d for d, box in lines if block.contains(box)]
        field = [d for d, box in lines if not block.intersects(box)]
        assert inside and all(d == (1.0, 0.0) for d in inside)
        if sheet.page == 1:  # the cover reads upright
            assert all(d == (1.0, 0.0) for d in field)
        else:
            turned = [d for d in field if d != (1.0, 0.0)]
            assert len(turned) > len(field) / 2, f"p{sheet.page}: most of the plan reads turned"


@pytest.mark.parametrize("design", _designs_with_slot("keyplan5"))
def test_a_key_plan_holds_grid_bubbles_and_room_numbers_not_the_truth(design: str) -> None:
    for page, sheet in _sheets(design):
        words = [w[4] for w in page.get_text("words", clip=_cell(page, design, "keyplan5"))]
        assert {"A", "B", "C", "1", "2"} <= set(words)
        rooms = [w for w in words if re.fullmatch(r"\d{3}", w)]
        assert len(rooms) == 3
        assert sheet.sheet_number not in words and sheet.project_number not in words


@pytest.mark.parametrize("design", _designs_with_slot("refs"))
def test_sheet_references_name_other_sheets_of_the_set(design: str) -> None:
    seen = 0
    for seed in SEEDS:
        made = generated(design, seed)
        assert made.truth.drawing_set is not None
        numbers = [sheet.sheet_number for sheet in made.truth.drawing_set.sheets]
        doc = pymupdf.open(stream=made.pdf, filetype="pdf")
        for sheet in made.truth.drawing_set.sheets:
            text = " ".join(_cell_text(doc[sheet.page - 1], design, "refs"))
            found = re.fullmatch(r"SEE (\S+) FOR CONTINUATION +REF: (\S+)", text)
            assert found, text
            assert sheet.sheet_number not in found.groups()
            assert set(found.groups()) <= set(numbers)
            seen += 1
    assert seen


@pytest.mark.parametrize("design", WILD5_DESIGNS)
def test_nothing_is_printed_off_the_sheet_or_across_a_cells_rules(design: str) -> None:
    wild = _wild(design)
    for seed in SEEDS:
        made = generated(design, seed)
        assert text_off_the_sheet(made.pdf) == []
        assert made.truth.drawing_set is not None
        doc = pymupdf.open(stream=made.pdf, filetype="pdf")
        for sheet in made.truth.drawing_set.sheets:
            page = doc[sheet.page - 1]
            block, table = _block(page, design), _table(page, design)
            cells = [_inside(block, slot.box) for slot in wild.slots] + [table]
            border = pymupdf.Rect(
                MARGIN, MARGIN, page.rect.width - MARGIN, page.rect.height - MARGIN
            )
            assert border.contains(block | table), f"{design} seed {seed}: block off the border"
            words = [pymupdf.Rect(word[:4]) for word in page.get_text("words")]
            mine = [word for word in words if any(word.intersects(cell) for cell in cells)]
            for word in mine:  # glyph boxes reach past the ink by a point or two
                ink = pymupdf.Rect(word.x0 + 0.5, word.y0 + 2, word.x1 - 0.5, word.y1 - 2)
                assert any(cell.contains(ink) for cell in cells), f"{design} seed {seed}: {word}"
            for one, other in itertools.combinations(mine, 2):
                common = one & other
                overlap = not common.is_empty and common.width > 0.5
                assert not (overlap and common.height > 0.3 * min(one.height, other.height))


def test_scanned_wild5_sets_are_image_only() -> None:
    made = generate_drawing_set(WILD5_DESIGNS[0], 1000, sheets=1, scanned=True)
    doc = pymupdf.open(stream=made.pdf, filetype="pdf")
    assert all(not page.get_text().strip() for page in doc)
    assert re.fullmatch(r"wild5_\w+-001000-scan", made.name)
