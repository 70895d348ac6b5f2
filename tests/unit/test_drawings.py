"""Drawing sets: title blocks found and read on every development design, distractors
ignored, revision = latest row, discipline, the sheet-index cross-check, scanned sheets OCR'd
on the title-block clip only, and the pipeline's contract envelope through `docproc extract`.

Development designs and seeds 0-999 only: the held-out designs are the benchmark's.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pymupdf
import pytest

from extractors.classify import classify_document
from extractors.drawings import DrawingSetExtraction, extract_drawing_set, join_split_numbers
from extractors.drawings.labels import find_scale, is_sheet_number, repair_ocr_token
from extractors.drawings.region_ocr import (
    PdfSheetImages,
    RegionOcr,
    SheetImages,
    TesseractRegionOcr,
)
from extractors.drawings.revisions import read_revision_table
from extractors.drawings.ruled_cells import find_ruled_cells
from extractors.drawings.sheet import read_sheet
from extractors.drawings.title_block import find_anchor
from extractors.limits import Limits
from extractors.ocr import PageImageSource
from extractors.page import Box, Page, TextSource, Word
from extractors.pipeline import run_pipeline
from extractors.text_layer import read_text_layer
from fixtures.drawings import (
    ARCH_D,
    DEV_DESIGNS,
    GeneratedDrawingSet,
    block_of,
    generate_drawing_set,
)
from models import SHEET_FIELDS, Discipline, DocumentType, Sheet, discipline_for_sheet_number
from tests.unit import bad_inputs
from tests.unit.test_cli import docproc, envelopes

if TYPE_CHECKING:
    from extractors.drawings.title_block import GrayImage

FIELDS = SHEET_FIELDS


@functools.cache
def generated(design: str, seed: int, sheets: int = 3, **options: Any) -> GeneratedDrawingSet:
    """A generated set, made once per test session."""
    return generate_drawing_set(design, seed, sheets=sheets, **options)


def text_pages(pdf: bytes) -> list[Page]:
    """The pages of a PDF as the pipeline reads drawing sheets (no ruling lines)."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [read_text_layer(page, i + 1, with_rules=False) for i, page in enumerate(doc)]


def truth_sheets(generated_set: GeneratedDrawingSet) -> list[Sheet]:
    assert generated_set.truth.drawing_set is not None
    return generated_set.truth.drawing_set.sheets


def assert_same(truth: Sheet, read: Sheet) -> None:
    for name in FIELDS:
        assert getattr(read, name) == getattr(truth, name), (name, truth.page)


@pytest.mark.parametrize("design", DEV_DESIGNS)
def test_every_dev_design_is_read_field_for_field(design: str) -> None:
    generated_set = generated(design, 7)
    result = extract_drawing_set(text_pages(generated_set.pdf))
    assert len(result.drawing_set.sheets) == len(truth_sheets(generated_set))
    for truth, read in zip(truth_sheets(generated_set), result.drawing_set.sheets, strict=True):
        assert_same(truth, read)
    assert result.warnings == []
    assert result.needs_review is False
    assert result.field_confidence["sheets.0.sheet_number"] >= 0.95


@pytest.mark.parametrize("design", DEV_DESIGNS)
def test_the_title_block_is_found_where_the_design_puts_it(design: str) -> None:
    pages = text_pages(generated(design, 7).pdf)
    for page in pages[1:]:
        read = read_sheet(page)
        assert read.region is not None
        x0, y0, x1, y1 = block_of(design, page.width, page.height)
        region = read.region
        assert x0 - 4 <= region.x0 and y0 - 4 <= region.y0
        assert region.x1 <= x1 + 4 and region.y1 <= y1 + 4


def test_distractors_in_notes_callouts_grids_and_rooms_are_ignored() -> None:
    generated_set = generated("strip_classic", 11, sheets=4)
    pages = text_pages(generated_set.pdf)
    page = pages[2]
    numbers = [w for w in page.words if is_sheet_number(w.text)]
    # Notes ("SEE A-501") and callouts ("3/A-401" as two lines) print other sheets' numbers.
    assert len({w.text for w in numbers}) > 1
    assert any(w.text.isdigit() and len(w.text) == 3 for w in page.words)  # room numbers
    assert any(w.text == "A" for w in page.words)  # grid bubbles
    anchor = find_anchor(page)
    assert anchor is not None
    assert anchor.text == truth_sheets(generated_set)[2].sheet_number
    assert_same(truth_sheets(generated_set)[2], read_sheet(page).sheet)


@pytest.mark.parametrize("design", ["corner_box", "strip_classic", "metric_a1"])
def test_revision_is_the_latest_row_whichever_way_the_table_grows(design: str) -> None:
    checked = 0
    for seed in (1, 2):
        for truth in truth_sheets(generated(design, seed)):
            if len(truth.revisions) < 2:
                continue
            pages = text_pages(generated(design, seed).pdf)
            read = read_sheet(pages[truth.page - 1]).sheet
            assert read.revision == truth.revisions[-1].revision
            assert read.revision_date == max(r.date for r in truth.revisions if r.date)
            assert [r.revision for r in read.revisions] == [r.revision for r in truth.revisions]
            checked += 1
    assert checked > 0


def _relabel(page: Page, old: str, new: Sequence[str]) -> Page:
    """The page with one label word printed as a phrase of several words instead."""
    words: list[Word] = []
    for word in page.words:
        if word.text != old or word.bold:  # bold: the revision table's own header
            words.append(word)
            continue
        x = word.box.x0
        for part in new:
            width = 0.6 * word.size * len(part)
            words.append(replace(word, text=part, box=Box(x, word.box.y0, x + width, word.box.y1)))
            x += width + 0.3 * word.size
    return replace(page, words=tuple(words))


def test_label_phrases_like_issue_date_are_not_a_revision_table_header() -> None:
    generated_set = generated("strip_classic", 19, sheets=3)
    truth = truth_sheets(generated_set)[1]
    page = text_pages(generated_set.pdf)[1]
    # "PROJECT NO." / "DATE" printed as "PROJ. NO." / "ISSUE DATE": NO. + ISSUE + DATE on one
    # line must not pass for a "NO. | ISSUE | DATE" revision header.
    page = _relabel(_relabel(page, "PROJECT", ["PROJ."]), "DATE", ["ISSUE", "DATE"])
    read = read_sheet(page).sheet
    assert read.issue_date == truth.issue_date
    assert read.revision == truth.revision
    assert len(read.revisions) == len(truth.revisions)


@pytest.mark.parametrize(
    ("number", "discipline"),
    [
        ("A-101", Discipline.ARCHITECTURAL),
        ("A101", Discipline.ARCHITECTURAL),
        ("S2.01", Discipline.STRUCTURAL),
        ("FP-101", Discipline.FIRE_PROTECTION),
        ("M-001", Discipline.MECHANICAL),
        ("E3.1", Discipline.ELECTRICAL),
        ("G0.01", Discipline.GENERAL),
        ("T-101", Discipline.TELECOMMUNICATIONS),
    ],
)
def test_sheet_number_shapes_and_their_discipline(number: str, discipline: Discipline) -> None:
    assert is_sheet_number(number)
    assert discipline_for_sheet_number(number) is discipline


@pytest.mark.parametrize("token", ["3/A-401", "SEE", "101", "12'-6\"", "24-017", "A"])
def test_distractor_tokens_are_not_sheet_numbers(token: str) -> None:
    assert not is_sheet_number(token)


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ('SCALE: 1/4" = 1\'-0"', '1/4" = 1\'-0"'),
        ('1 1/2"=1\'-0"', '1 1/2" = 1\'-0"'),
        ("1\" = 20'", "1\" = 20'"),
        ("1:100", "1:100"),
        ("AS NOTED", "AS NOTED"),
        ("NTS", "NTS"),
        ('3" = 1°-0"', '3" = 1\'-0"'),  # OCR's degree sign for a foot mark
    ],
)
def test_scales_are_read_in_every_notation(text: str, scale: str) -> None:
    assert find_scale(text) == scale


def test_ocr_confusions_in_sheet_numbers_are_undone() -> None:
    assert repair_ocr_token("$101") == "S101"
    assert repair_ocr_token("..GO.01") == "G0.01"
    assert repair_ocr_token("A-1O1") == "A-101"
    assert repair_ocr_token("FLOOR") == "FLOOR"


def test_an_index_entry_missing_from_the_set_is_flagged() -> None:
    generated_set = generated("corner_box", 12, sheets=4, omit_page=3)
    result = extract_drawing_set(text_pages(generated_set.pdf))
    assert len(result.drawing_set.sheets) == 3
    missing = [w for w in result.warnings if "missing from the set" in w]
    assert len(missing) == 1
    assert result.needs_review is True


def _damage_sheet_number(page: Page, number: str) -> Page:
    """The page with its title-block sheet number misprinted (a damaged read)."""
    words = tuple(
        replace(w, text="X-9Z9") if w.text == number and w.size > 12 else w for w in page.words
    )
    return replace(page, words=words)


def test_a_damaged_sheet_number_is_corrected_from_the_index_and_flagged() -> None:
    generated_set = generated("strip_classic", 13, sheets=4)
    truth = truth_sheets(generated_set)
    pages = text_pages(generated_set.pdf)
    pages[2] = _damage_sheet_number(pages[2], str(truth[2].sheet_number))
    result = extract_drawing_set(pages)
    read = result.drawing_set.sheets[2]
    assert read.sheet_number == truth[2].sheet_number
    assert any(w.startswith("page 3:") and "corrected" in w for w in result.warnings)
    assert result.needs_review is True
    assert result.field_confidence["sheets.2.sheet_number"] < 0.8


def test_a_sheet_the_index_does_not_list_is_flagged() -> None:
    generated_set = generated("compact_corner", 14, sheets=3)
    pages = text_pages(generated_set.pdf)
    title = str(truth_sheets(generated_set)[1].sheet_title).split()
    words = tuple(replace(w, text="UNLISTED") if w.text in title else w for w in pages[1].words)
    pages[1] = _damage_sheet_number(replace(pages[1], words=words), "-")
    number = str(truth_sheets(generated_set)[1].sheet_number)
    pages[1] = replace(
        pages[1],
        words=tuple(
            replace(w, text="Z-900") if w.text == number and w.size > 12 else w
            for w in pages[1].words
        ),
    )
    result = extract_drawing_set(pages)
    assert any("page 2: sheet Z-900 is not in the sheet index" in w for w in result.warnings)
    assert any("missing from the set" in w for w in result.warnings)
    assert result.needs_review is True


class RecordingImages:
    """`SheetImages` that renders with PyMuPDF and remembers every image it handed out."""

    def __init__(self, document: Any) -> None:
        self.inner = PdfSheetImages(document)
        self.pages: list[tuple[int, int]] = []
        self.clips: list[tuple[int, Box, int, int]] = []

    def render_gray(self, page: int, dpi: int) -> GrayImage:
        self.pages.append((page, dpi))
        return self.inner.render_gray(page, dpi)

    def render_clip(self, page: int, clip: Box, dpi: int) -> GrayImage:
        image = self.inner.render_clip(page, clip, dpi)
        self.clips.append((page, clip, dpi, int(image.shape[0] * image.shape[1])))
        return image


class ScriptedOcr:
    """A `RegionOcr` that 'reads' fixed title-block words inside whatever clip it is shown."""

    def __init__(self, words: Sequence[tuple[str, float, float, float]]) -> None:
        self.words = words
        self.regions: list[Box] = []

    def read_region(self, image: GrayImage, clip: Box, dpi: int) -> list[Word]:
        self.regions.append(clip)
        out = []
        for text, dx, dy, size in self.words:
            x, y = clip.x1 - dx, clip.y1 - dy
            width = 0.6 * size * len(text)
            out.append(Word(text, Box(x, y, x + width, y + 1.2 * size), size))
        return out

    def read_block(self, image: GrayImage, clip: Box, dpi: int) -> list[Word]:
        return self.read_region(image, clip, dpi)

    def read_line(self, image: GrayImage) -> str:
        return "A-1O1"

    def read_text(self, image: GrayImage) -> str:
        return ""


def _scanned(design: str, seed: int) -> tuple[GeneratedDrawingSet, Any]:
    generated_set = generated(design, seed, sheets=1, scanned=True, size=ARCH_D)
    return generated_set, pymupdf.open(stream=generated_set.pdf, filetype="pdf")


def test_scanned_sheets_render_only_the_title_block_at_ocr_resolution() -> None:
    _generated_set, doc = _scanned("corner_box", 15)
    images = RecordingImages(doc)
    ocr: RegionOcr = ScriptedOcr(
        [("SHEET", 120, 60, 6), ("A-101", 120, 40, 22), ("SCALE", 300, 60, 6)]
    )
    pages = [Page(i + 1, p.rect.width, p.rect.height, ()) for i, p in enumerate(doc)]
    seam: SheetImages = images
    result = extract_drawing_set(pages, seam, ocr)
    doc.close()
    whole_sheet_at_300 = (36 * 300) * (24 * 300)
    assert all(dpi <= 50 for _page, dpi in images.pages)  # the locating render is low-res
    # The block at OCR resolution; the sheet number's one-line re-reads at it and below it.
    assert images.clips and images.clips[0][2] == 300
    assert all(200 <= dpi <= 300 for _p, _c, dpi, _n in images.clips)
    for _page, clip, _dpi, pixels in images.clips:
        assert pixels <= 0.2 * whole_sheet_at_300
        x0, y0, _x1, _y1 = block_of("corner_box", *ARCH_D)
        assert clip.x0 >= x0 - 200 and clip.y0 >= y0 - 150  # around the bottom-right block
    assert [s.sheet_number for s in result.drawing_set.sheets] == ["A-101"]
    assert all(k.startswith("sheets.") for k in result.field_confidence)


def test_a_scanned_sheet_number_is_read_by_tesseract_from_the_block_clip() -> None:
    generated_set, doc = _scanned("compact_corner", 16)
    page = doc[0]
    pages = [Page(1, page.rect.width, page.rect.height, ())]
    result: DrawingSetExtraction = extract_drawing_set(
        pages, PdfSheetImages(doc), TesseractRegionOcr()
    )
    doc.close()
    assert result.drawing_set.sheets[0].sheet_number == truth_sheets(generated_set)[0].sheet_number


def test_a_drawing_set_is_classified_as_one() -> None:
    pages = text_pages(generated("bottom_band", 17).pdf)
    assert classify_document(pages) is DocumentType.DRAWING_SET


def test_docproc_extract_gives_a_contract_valid_drawing_set(tmp_path: Path) -> None:
    generated_set = generated("metric_a1", 18)
    path = tmp_path / "set.pdf"
    path.write_bytes(generated_set.pdf)
    run = docproc("extract", str(path))
    assert run.returncode == 0, run.stderr
    (envelope,) = envelopes(run.stdout)
    assert envelope.document_type is DocumentType.DRAWING_SET
    assert envelope.drawing_set is not None
    assert envelope.needs_review is False
    for truth, read in zip(truth_sheets(generated_set), envelope.drawing_set.sheets, strict=True):
        assert_same(truth, read)
    assert envelope.field_confidence


def test_a_minimal_sheet_through_the_pipeline_gets_its_drawing_set_block() -> None:
    lines = ("FIRST FLOOR PLAN", 'SCALE: 1/8" = 1\'-0"', "DRAWN BY: JK", "SHEET A-101")
    data = bad_inputs.text_pdf(lines, width=34 * 72, height=22 * 72)
    envelope = run_pipeline(data, "plans.pdf", Limits())
    assert envelope.document_type is DocumentType.DRAWING_SET
    assert envelope.drawing_set is not None
    (sheet,) = envelope.drawing_set.sheets
    assert (sheet.sheet_number, sheet.discipline) == ("A-101", Discipline.ARCHITECTURAL)
    assert sheet.scale == '1/8" = 1\'-0"'


def _ruled_grid() -> Any:
    """A 3 x 2 in clip at 300 DPI: a border and a cross make four cells, one 'glyph' in each."""
    import numpy as np

    image = np.full((600, 900), 235, dtype=np.uint8)
    image[20:26, 20:880] = image[574:580, 20:880] = image[297:303, 20:880] = 20
    image[20:580, 20:26] = image[20:580, 874:880] = image[20:580, 447:453] = 20
    for x, y in ((100, 120), (600, 120), (100, 420), (600, 420)):
        image[y : y + 30, x : x + 8] = 30  # a short stroke: a letter, not a rule
    return image


def test_a_ruled_title_block_clip_is_cut_into_its_cells_with_the_rules_erased() -> None:
    ruled = find_ruled_cells(_ruled_grid(), 300)
    corners = sorted((cell.x // 100, cell.y // 100) for cell in ruled.cells)
    assert corners == [(0, 0), (0, 3), (4, 0), (4, 3)]
    assert all(cell.width > 350 and cell.height > 230 for cell in ruled.cells)
    assert ruled.image[300, 300] > 200 and ruled.image[300, 450] > 200  # rules painted out
    assert ruled.image[130, 104] < 100  # the letters stay


def test_an_unruled_clip_is_not_cut_into_cells() -> None:
    import numpy as np

    image = np.full((600, 900), 235, dtype=np.uint8)
    image[100:130, 100:108] = 30
    assert find_ruled_cells(image, 300).cells == ()


def test_a_sheet_number_that_ocr_split_at_its_separator_is_joined() -> None:
    words = [
        Word("DRAWING", Box(60, 10, 90, 17), 7.0),
        Word("A1", Box(100, 10, 120, 30), 20.0),
        Word(".01", Box(122, 10, 140, 30), 21.0, confidence=0.46),
        Word("2", Box(300, 10, 310, 30), 20.0),
    ]
    assert [w.text for w in join_split_numbers(words)] == ["DRAWING", "A1.01", "2"]
    assert [w.text for w in join_split_numbers([words[1], words[3]])] == ["A1", "2"]


def _revision_marks(marks: Sequence[str]) -> list[str | None]:
    """The marks read from an OCR'd revision table whose rows grow upwards with these marks."""

    def word(text: str, x: float, y: float) -> Word:
        return Word(text, Box(x, y, x + 6 * len(text), y + 9), 8.0)

    words = [word("MARK", 100, 100), word("DATE", 160, 100), word("DESCRIPTION", 260, 100)]
    for row, mark in enumerate(marks):
        y = 88 - 12 * row
        words += [word(mark, 100, y), word(f"0{row + 1}/05/26", 160, y), word("ISSUED", 260, y)]
    page = Page(1, 3000, 2000, tuple(words), TextSource.OCR)
    table = read_revision_table(page, [], (300, 100), False)
    assert table is not None
    return [row.revision for row in table.rows]


def test_revision_marks_misread_by_ocr_are_undone() -> None:
    assert _revision_marks(["A", "Bb", "C"]) == ["A", "B", "C"]
    assert _revision_marks(["|", "2", "|3", "!"]) == ["1", "2", "3", "1"]
    assert _revision_marks(["1", "2", "10"]) == ["1", "2", "10"]


def test_a_sheet_read_by_whole_page_ocr_has_its_title_block_read_again() -> None:
    _generated_set, doc = _scanned("corner_box", 15)
    texts = ("SHEET", "A-1O", "PLAN", "NOTES", "GRID", "3")
    rough = tuple(
        Word(text, Box(100 + 40 * i, 100, 130 + 40 * i, 110), 8.0, confidence=0.5)
        for i, text in enumerate(texts)
    )
    page = doc[0]
    pages = [Page(1, page.rect.width, page.rect.height, rough, TextSource.OCR)]
    ocr = ScriptedOcr([("SHEET", 120, 60, 6), ("A-101", 120, 40, 22)])
    result = extract_drawing_set(pages, RecordingImages(doc), ocr)
    doc.close()
    assert ocr.regions, "the title block was not OCR'd again"
    assert [s.sheet_number for s in result.drawing_set.sheets] == ["A-101"]


class WholePageOcr:
    """An `OcrEngine` that 'reads' a scanned page as the born-digital words of the same sheet,
    with the sheet number garbled the way a whole-sheet OCR at capped resolution garbles it."""

    def __init__(self, pages: Sequence[Page], number: str) -> None:
        self.pages = {page.number: page for page in pages}
        self.number = number

    def ocr_page(self, page: PageImageSource) -> Page:
        words = tuple(
            replace(w, text="A-1O1?") if w.text == self.number else w
            for w in self.pages[page.number].words
        )
        return replace(self.pages[page.number], words=words, source=TextSource.OCR)


def test_the_pipeline_reads_a_scanned_sheets_title_block_by_region_ocr() -> None:
    scan = generated("corner_box", 19, sheets=1, scanned=True, size=ARCH_D)
    digital = generated("corner_box", 19, sheets=1, size=ARCH_D)
    (truth,) = truth_sheets(scan)
    assert truth.sheet_number is not None
    engine = WholePageOcr(text_pages(digital.pdf), truth.sheet_number)
    envelope = run_pipeline(scan.pdf, "scan.pdf", Limits(), engine)
    assert envelope.document_type is DocumentType.DRAWING_SET
    assert envelope.drawing_set is not None
    (sheet,) = envelope.drawing_set.sheets
    assert sheet.sheet_number == truth.sheet_number
