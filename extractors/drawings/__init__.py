"""Drawing sets: one sheet per page read from its title block, cross-checked with the index.

`extract_drawing_set(pages, images=..., ocr=...)` takes the pages as read (text layer, or
OCR words) and, for sheets without text, an optional renderer and region OCR: the title block
is then found from ruled lines in a low-resolution render and only that clip is OCR'd (its
sheet number read again and voted on, lost scale and date values re-read by their labels),
a scanned cover's drawing index is OCR'd from its text blocks, and the set-wide fields
(project, issue date) of OCR'd sheets are settled by majority.
`drawing_set_envelope` is the pipeline's one call: it fills the envelope's drawing_set,
confidences, warnings and review flag; given a `ScannedSheetReader`, sheets read by whole-page
OCR (or not at all) have their title block OCR'd again on its own. Pure: no files, no
environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from extractors.dates import settled_day_first
from extractors.drawings.consensus import agree_on_set_fields
from extractors.drawings.labels import is_sheet_number
from extractors.drawings.project_name import fill_unlabelled_project
from extractors.drawings.region_ocr import RegionOcr, SheetImages
from extractors.drawings.scanned_fields import reread_values
from extractors.drawings.scanned_index import ocr_text_blocks
from extractors.drawings.scanned_number import join_split_numbers, read_number, repaired_words
from extractors.drawings.sheet import SheetRead, read_sheet
from extractors.drawings.sheet_index import SheetIndex, cross_check, read_sheet_index
from extractors.drawings.title_block import locate_block_in_image
from extractors.page import Box, Page, TextSource, Word
from models import DrawingSet, Envelope

__all__ = [
    "DrawingSetExtraction",
    "ScannedSheetReader",
    "drawing_set_envelope",
    "extract_drawing_set",
    "join_split_numbers",
]

LOCATE_DPI = 30  # enough to see a title block's ruled border on a 48 x 36 in sheet
OCR_DPI = 300
_MIN_WORDS = 5  # fewer text-layer words than this: treat the sheet as scanned


@dataclass(slots=True)
class DrawingSetExtraction:
    """The set as read, its per-field confidences, warnings and whether a person must look."""

    drawing_set: DrawingSet
    field_confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    needs_review: bool = False
    ocr_regions: list[Box] = field(default_factory=list)


def _ocr_page(page: Page, images: SheetImages, ocr: RegionOcr, dpi: int) -> tuple[Page, Box]:
    """A wordless sheet in, its title-block words (OCR of that clip only) out."""
    gray = images.render_gray(page.number, LOCATE_DPI)
    region = locate_block_in_image(gray, page.width, page.height)
    found = ocr.read_region(images.render_clip(page.number, region, dpi), region, dpi)
    words = read_number(page, repaired_words(found), images, ocr, dpi)
    if not any(is_sheet_number(word.text) for word in words):
        words = _read_corner(page, region, words, images, ocr, dpi)
    read = Page(page.number, page.width, page.height, tuple(words), TextSource.OCR)
    return replace(read, words=reread_values(read, images, ocr, dpi)), region


def _read_corner(
    page: Page, region: Box, words: list[Word], images: SheetImages, ocr: RegionOcr, dpi: int
) -> list[Word]:
    """OCR the block's bottom-right corner on its own, where sheet numbers are printed: on a
    large clip sparse-text OCR sometimes drops a whole row of cells."""
    inch = 72.0
    corner = Box(max(region.x0, region.x1 - 4.5 * inch), max(region.y0, region.y1 - 1.6 * inch),
                 region.x1, region.y1)  # fmt: skip
    found = ocr.read_region(images.render_clip(page.number, corner, dpi), corner, dpi)
    return [*(w for w in words if not _within(w.box, corner)), *repaired_words(found)]


def _within(box: Box, clip: Box) -> bool:
    return clip.x0 <= box.cx <= clip.x1 and clip.y0 <= box.cy <= clip.y1


def _read(
    page: Page,
    images: SheetImages | None,
    ocr: RegionOcr | None,
    dpi: int,
    day_first: bool | None = None,
) -> tuple[SheetRead, Box | None]:
    if not _needs_region_ocr(page) or images is None or ocr is None:
        read = read_sheet(page, day_first)
        if not page.words:
            read.warnings.append(f"page {page.number}: no text and no OCR; the sheet was not read")
        return read, None
    ocr_page, region = _ocr_page(page, images, ocr, dpi)
    return read_sheet(ocr_page, day_first), region


def _needs_region_ocr(page: Page) -> bool:
    """True for a scanned sheet: next to no text layer, or words from a whole-page OCR (read at
    a resolution capped for the whole sheet, with the block's rules in the way)."""
    return len(page.words) < _MIN_WORDS or page.source is TextSource.OCR


def extract_drawing_set(
    pages: Sequence[Page],
    images: SheetImages | None = None,
    ocr: RegionOcr | None = None,
    ocr_dpi: int = OCR_DPI,
) -> DrawingSetExtraction:
    """A drawing set's pages in (plus a renderer and region OCR for scanned sheets), the
    set's sheets with confidences, warnings and the review flag out."""
    reads: list[SheetRead] = []
    regions: dict[int, Box] = {}
    # One firm, one date style: dates that settle the order on any sheet settle it for all.
    day_first = settled_day_first(w.text for page in pages for w in page.words)
    for page in pages:
        read, region = _read(page, images, ocr, ocr_dpi, day_first)
        reads.append(read)
        if region is not None:
            regions[page.number] = region
    fill_unlabelled_project(pages, reads)
    agree_on_set_fields(reads, set(regions))
    warnings = [warning for read in reads for warning in read.warnings]
    flagged: set[int] = set()
    index = None
    if images is not None and ocr is not None:
        # A scanned cover's own text blocks at OCR resolution, before any whole-page OCR.
        index = _scanned_index(pages, regions, images, ocr, ocr_dpi)
    if index is None:
        index = read_sheet_index(pages, {r.sheet.page: r.region for r in reads if r.region})
    if index is not None:
        check = cross_check(reads, index)
        warnings += check.warnings
        flagged |= check.flagged
        review = bool(check.missing)
    else:
        review = False
    for read in reads:
        if read.sheet.sheet_number is None:
            warnings.append(f"page {read.sheet.page}: sheet number not found")
            flagged.add(read.sheet.page)
    confidence = {
        f"sheets.{i}.{name}": value
        for i, read in enumerate(reads)
        for name, value in sorted(read.confidence.items())
    }
    return DrawingSetExtraction(
        DrawingSet(sheets=[read.sheet for read in reads]),
        confidence,
        warnings,
        review or bool(flagged),
        list(regions.values()),
    )


def _scanned_index(
    pages: Sequence[Page], regions: dict[int, Box], images: SheetImages, ocr: RegionOcr, dpi: int
) -> SheetIndex | None:
    """The drawing index of a scanned set, read from the text blocks of its first sheet (the
    cover, where a set lists its drawings) by region OCR; None when it has none."""
    if len(pages) < 2 or pages[0].number not in regions:
        return None
    first = pages[0]
    gray = images.render_gray(first.number, LOCATE_DPI)
    blocks = ocr_text_blocks(first, gray, regions[first.number], images, ocr, dpi)
    words = tuple(repaired_words(blocks.words))
    return read_sheet_index([replace(blocks, words=words)], {})


@dataclass(frozen=True, slots=True)
class ScannedSheetReader:
    """What reading a scanned sheet's title block takes: a renderer of the open document's
    sheets and an OCR of rendered regions."""

    images: SheetImages
    ocr: RegionOcr


def drawing_set_envelope(
    base: Envelope,
    pages: Sequence[Page],
    warnings: list[str],
    threshold: float,
    scanned: ScannedSheetReader | None = None,
) -> Envelope:
    """The pipeline's drawing-set step: the envelope with its drawing_set block filled; with
    `scanned`, the title blocks of scanned sheets are rendered again and read by region OCR."""
    if scanned is None:
        extraction = extract_drawing_set(pages)
    else:
        extraction = extract_drawing_set(pages, scanned.images, scanned.ocr)
    low = sorted(k for k, v in extraction.field_confidence.items() if v < threshold)
    notes = warnings + extraction.warnings
    notes += [f"low confidence (below {threshold}): {path}" for path in low]
    return base.model_copy(
        update={
            "drawing_set": extraction.drawing_set,
            "field_confidence": extraction.field_confidence,
            "needs_review": base.needs_review or extraction.needs_review or bool(low),
            "warnings": notes,
        }
    )
