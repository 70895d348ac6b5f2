"""Scanned drawing sheets: OCR misreads undone where the grammar says what stands there, the
sheet number voted on, blank paper not read as specks, the cover's index read from its text
blocks (never the whole sheet at OCR resolution), and the set-level checks that weigh one
reading against another.

Development designs and seeds 0-999 only: the held-out designs are the benchmark's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pymupdf
import pytest

from extractors.drawings import extract_drawing_set
from extractors.drawings.consensus import agree_on_set_fields
from extractors.drawings.labels import (
    Field,
    find_scale,
    is_label_word,
    label_at_start,
    repair_label_word,
    repair_ocr_token,
    repair_sheet_number,
)
from extractors.drawings.region_ocr import PdfSheetImages, TesseractRegionOcr
from extractors.drawings.revisions import read_revision_table
from extractors.drawings.ruled_cells import find_ruled_cells
from extractors.drawings.scanned_index import find_text_blocks
from extractors.drawings.scanned_number import repaired_words, vote
from extractors.drawings.sheet import SheetRead
from extractors.drawings.sheet_index import IndexEntry, SheetIndex, cross_check
from extractors.drawings.title_block import locate_block_in_image
from extractors.page import Box, Page, TextSource, Word
from fixtures.drawings import ARCH_D, generate_drawing_set
from models import Sheet
from tests.unit.test_drawings import RecordingImages, ScriptedOcr

if TYPE_CHECKING:
    from extractors.drawings.title_block import GrayImage


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ('1/2* = 1-0"', '1/2" = 1\'-0"'),  # inch mark read as an asterisk, foot mark lost
        ("I\" = 20'", "1\" = 20'"),  # a one read as an I
        ('11/2" = 1\'-0"', '1 1/2" = 1\'-0"'),  # the space of 1 1/2 lost
        ("3° = 1°-0°", '3" = 1\'-0"'),  # every mark read as a degree sign
        ('13/16" = 1\'-0"', '13/16" = 1\'-0"'),  # a proper fraction stays as it is
    ],
)
def test_scale_marks_misread_by_ocr_are_put_back(text: str, scale: str) -> None:
    assert find_scale(text) == scale


def test_a_figure_where_a_sheet_number_starts_is_its_designator_letter() -> None:
    assert repair_sheet_number("1101") == "I101"
    assert repair_sheet_number("5-201") == "S-201"
    assert repair_sheet_number("A-1O1") == "A-101"
    # Too short to be a sheet number: a room number or a count stays a number.
    assert repair_sheet_number("101") == "101"
    assert repair_sheet_number("12") == "12"
    # Only where a sheet number stands: anywhere else "1101" is a room number.
    assert repair_ocr_token("1101") == "1101"


def test_label_words_misread_by_ocr_are_undone() -> None:
    assert repair_label_word("ORAWING") == "DRAWING"
    assert repair_label_word("prolect.") == "PROJECT."
    assert repair_label_word("SCALE,") == "SCALE:"
    assert repair_label_word("RIVERSIDE") == "RIVERSIDE"
    assert is_label_word("promect.") and not is_label_word("servo,")
    found = label_at_start("PROJECT. SUMMIT RIDGE")
    assert found is not None and found[0] is Field.PROJECT_NAME
    assert label_at_start("PROJECT, NO. 5") is None  # a project number's label, misread


def test_a_project_name_is_not_taken_for_a_sheet_number_to_repair() -> None:
    def word(text: str, x: float, size: float) -> Word:
        return Word(text, Box(x, 100, x + 0.6 * size * len(text), 100 + size), size)

    small = [word(text, 10 + 60 * i, 9.0) for i, text in enumerate(["FIRE", "STATION", "NO.4"])]
    words = repaired_words([*small, word("GO.01", 400, 22.0)])
    assert [w.text for w in words] == ["FIRE", "STATION", "NO.4", "G0.01"]


def test_the_sheet_number_reads_vote_with_separators_ignored() -> None:
    assert vote(["C1.1", "C11", "C11"]) == ("C1.1", 3)
    assert vote(["G00.1", "G0.1", "G0.1"]) == ("G0.1", 2)
    assert vote(["", "", "A-101"]) == ("A-101", 1)
    assert vote(["GO01", "", "G001"]) == ("GO01", 1)  # a tie goes to the block's read
    assert vote(["", "", ""]) == ("", 0)


def test_blank_paper_is_not_read_as_specks() -> None:
    grain = np.random.default_rng(5).normal(235, 8, (300, 600))
    image: GrayImage = np.clip(grain, 0, 255).astype(np.uint8)
    assert TesseractRegionOcr().read_region(image, Box(0, 0, 144, 72), 300) == []


def test_the_margin_a_skewed_border_leaves_is_not_a_cell() -> None:
    image = np.full((600, 900), 235, dtype=np.uint8)
    image[20:26, :] = image[574:580, :] = image[297:303, :] = 20
    image[20:580, 874:880] = 20
    # The block's left rule runs slightly skewed, a third of an inch in from the clip's edge:
    # the sliver of margin left of it is enclosed by rules too, but it is no cell.
    for y in range(20, 580):
        x = 100 + y // 60
        image[y, x : x + 6] = 20
    cells = find_ruled_cells(image, 300).cells
    assert len(cells) == 2
    assert all(cell.x > 100 for cell in cells)


def _scanned_set(design: str, seed: int, sheets: int) -> tuple[list[Page], pymupdf.Document]:
    generated = generate_drawing_set(design, seed, sheets=sheets, scanned=True, size=ARCH_D)
    doc = pymupdf.open(stream=generated.pdf, filetype="pdf")
    pages = [Page(i + 1, p.rect.width, p.rect.height, ()) for i, p in enumerate(doc)]
    return pages, doc


def test_a_scanned_covers_text_blocks_lie_outside_its_title_block() -> None:
    pages, doc = _scanned_set("strip_classic", 31, 3)
    cover = pages[0]
    gray = PdfSheetImages(doc).render_gray(1, 30)
    block = locate_block_in_image(gray, cover.width, cover.height)
    found = find_text_blocks(gray, cover.width, cover.height, block)
    doc.close()
    assert found
    sheet = cover.width * cover.height
    for box in found:
        assert box.x1 <= block.x0 or box.y1 <= block.y0  # never in the title block
        assert (box.x1 - box.x0) * (box.y1 - box.y0) < 0.05 * sheet


def test_a_scanned_set_is_never_rendered_whole_at_ocr_resolution() -> None:
    pages, doc = _scanned_set("corner_box", 32, 3)
    images = RecordingImages(doc)
    ocr = ScriptedOcr([("SHEET", 120, 60, 6), ("A-101", 120, 40, 22)])
    extract_drawing_set(pages, images, ocr)
    doc.close()
    whole_sheet_at_300 = (36 * 300) * (24 * 300)
    assert all(dpi <= 50 for _page, dpi in images.pages)
    assert any(page == 1 and pixels < 0.02 * whole_sheet_at_300
               for page, _clip, _dpi, pixels in images.clips)  # fmt: skip
    assert all(pixels <= 0.2 * whole_sheet_at_300 for _p, _c, _d, pixels in images.clips)


def _read(page: int, number: str | None, title: str | None, certainty: float) -> SheetRead:
    sheet = Sheet(page=page, sheet_number=number, sheet_title=title)
    return SheetRead(sheet, {"sheet_number": 0.8}, number_certainty=certainty)


def _index(*entries: tuple[str, str, float]) -> SheetIndex:
    return SheetIndex(1, tuple(IndexEntry(n, t, c) for n, t, c in entries))


def test_a_number_read_alike_twice_outranks_a_misread_index_entry() -> None:
    reads = [_read(1, "G-001", "COVER SHEET", 0.99), _read(2, "C-101", "GRADING PLAN", 0.99)]
    index = _index(("G-001", "COVER SHEET", 0.9), ("C-104", "GRADING PLAN", 0.9))
    check = cross_check(reads, index)
    assert reads[1].sheet.sheet_number == "C-101"
    assert not check.missing
    assert any("lists it as C-104" in w for w in check.warnings)


def test_a_lone_misread_number_is_corrected_from_the_index() -> None:
    reads = [_read(1, "G00.0", None, 0.5), _read(2, "P1", None, 0.5), _read(3, "A1", None, 0.5)]
    index = _index(("G0.01", "COVER SHEET", 0.9), ("P1.01", "PLUMBING PLAN", 0.9),
                   ("A1.01", "FLOOR PLAN", 0.9), ("A1.02", "ROOF PLAN", 0.9))  # fmt: skip
    check = cross_check(reads, index)
    assert [r.sheet.sheet_number for r in reads] == ["G0.01", "P1.01", "A1"]
    assert reads[1].sheet.sheet_title == "PLUMBING PLAN"
    assert 3 in check.flagged  # "A1" could be A1.01 or A1.02: left alone and flagged


def test_set_wide_fields_are_taken_from_the_majority_of_ocr_read_sheets() -> None:
    def read(page: int, name: str | None) -> SheetRead:
        return SheetRead(Sheet(page=page, project_name=name, project_number="24-017"))

    names = ["RIVERSIDE MEDICAL", "RIVERSIOE MEDICAL", None, "RIVERSIDE MEDICAL",
             "RIVERSIDE MEDICAL", "RIVERSIDE CLINIC"]  # fmt: skip
    reads = [read(page, name) for page, name in enumerate(names, start=1)]
    agree_on_set_fields(reads, ocr_pages={1, 2, 3, 4})
    read_names = [r.sheet.project_name for r in reads]
    assert read_names[:5] == ["RIVERSIDE MEDICAL"] * 5
    assert read_names[5] == "RIVERSIDE CLINIC"  # a text-layer read is never changed
    assert reads[2].confidence["project_name"] < 0.95


def test_a_scanned_sets_index_is_read_from_its_cover_by_tesseract() -> None:
    pages, doc = _scanned_set("corner_box", 33, 3)
    result = extract_drawing_set(pages, PdfSheetImages(doc), TesseractRegionOcr())
    doc.close()
    # Every sheet's number confirmed by the index (an unread index confirms none).
    numbers = [v for k, v in result.field_confidence.items() if k.endswith(".sheet_number")]
    assert len(numbers) == 3 and min(numbers) >= 0.99, result.warnings
    assert not any("missing from the set" in w for w in result.warnings), result.warnings


def _table_marks(header: str, marks: list[str | None]) -> list[str | None]:
    """The marks read from an OCR'd revision table with this mark header and these marks
    (None: the mark was lost), rows growing downwards."""

    def word(text: str, x: float, y: float) -> Word:
        return Word(text, Box(x, y, x + 6 * len(text), y + 9), 8.0)

    words = [word(header, 100, 100), word("DATE", 160, 100), word("DESCRIPTION", 260, 100)]
    for row, mark in enumerate(marks):
        y = 112 + 12 * row
        if mark is not None:
            words.append(word(mark, 100, y))
        words += [word(f"0{row + 1}/05/26", 160, y), word("ISSUED", 260, y)]
    page = Page(1, 3000, 2000, tuple(words), TextSource.OCR)
    table = read_revision_table(page, [], (300, 100), False)
    assert table is not None
    return [row.revision for row in table.rows]


def test_revision_marks_ocr_lost_follow_from_their_neighbours() -> None:
    assert _table_marks("REV", ["1", None, "3", "a"]) == ["1", "2", "3", "4"]
    assert _table_marks("MARK", ["A", "B", None]) == ["A", "B", "C"]
    assert _table_marks("REY", ["1", "2"]) == ["1", "2"]  # a misread mark header
    # No sequence to follow: a garbled mark stays as read, a lost one's row is dropped.
    assert _table_marks("REV", ["a"]) == ["a"]
    assert _table_marks("REV", [None]) == []
