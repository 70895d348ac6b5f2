"""Drawing sets: one sheet per page read from its title block, cross-checked with the index.

`extract_drawing_set(pages, images=..., ocr=...)` takes the pages as read (text layer, or
OCR words) and, for sheets without text, an optional renderer and region OCR: the title block
is then found from ruled lines in a low-resolution render and only that clip is OCR'd.
`drawing_set_envelope` is the pipeline's one call: it fills the envelope's drawing_set,
confidences, warnings and review flag; given a `ScannedSheetReader`, sheets read by whole-page
OCR (or not at all) have their title block OCR'd again on its own. Pure: no files, no
environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from extractors.drawings.labels import Field, fold, is_sheet_number, repair_ocr_token
from extractors.drawings.region_ocr import RegionOcr, SheetImages
from extractors.drawings.sheet import SheetRead, read_sheet
from extractors.drawings.sheet_index import cross_check, read_sheet_index
from extractors.drawings.title_block import find_labels, locate_block_in_image, page_lines
from extractors.page import Box, Page, TextSource, Word
from models import DrawingSet, Envelope

__all__ = [
    "DrawingSetExtraction",
    "ScannedSheetReader",
    "drawing_set_envelope",
    "extract_drawing_set",
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
    words = join_split_numbers([replace(w, text=repair_ocr_token(w.text)) for w in found])
    words = _reread_number(page, words, images, ocr, dpi, _large_number(words))
    if not any(is_sheet_number(word.text) for word in words):
        words = _read_corner(page, region, words, images, ocr, dpi)
    return Page(page.number, page.width, page.height, tuple(words), TextSource.OCR), region


def _reread_number(
    page: Page,
    words: list[Word],
    images: SheetImages,
    ocr: RegionOcr,
    dpi: int,
    found: Word | None,
) -> list[Word]:
    """Read the sheet number again as one line on its own clip: block OCR splits and
    confuses big characters ("A3 .01", "$101") or drops them. Clips tried: around the block's
    largest print, then beside and under each sheet-number label. When a large sheet number
    was `found` already, only its own clip is read, and the line replaces it only where it
    extends it ("P1" -> "P1.01"): a one-line read also drops repeated glyphs ("G001" as "G01")."""
    clips = _number_clips(page, words)
    for clip, size in clips[:1] if found is not None else clips:
        line = ocr.read_line(images.render_clip(page.number, clip, dpi)).replace(" ", "")
        text = repair_ocr_token(line)
        if is_sheet_number(text) and _improves(text, found):
            inside = [w for w in words if _within(w.box, clip)]
            kept = [w for w in words if not _within(w.box, clip)]
            box = clip if not inside else inside[0].box
            for word in inside[1:]:
                box = box.union(word.box)
            return [*kept, Word(text, box, max([size, *(w.size for w in inside)]), confidence=0.8)]
    return words


def _read_corner(
    page: Page, region: Box, words: list[Word], images: SheetImages, ocr: RegionOcr, dpi: int
) -> list[Word]:
    """OCR the block's bottom-right corner on its own, where sheet numbers are printed: on a
    large clip sparse-text OCR sometimes drops a whole row of cells."""
    inch = 72.0
    corner = Box(max(region.x0, region.x1 - 4.5 * inch), max(region.y0, region.y1 - 1.6 * inch),
                 region.x1, region.y1)  # fmt: skip
    found = ocr.read_region(images.render_clip(page.number, corner, dpi), corner, dpi)
    repaired = [replace(word, text=repair_ocr_token(word.text)) for word in found]
    return [*(w for w in words if not _within(w.box, corner)), *repaired]


def join_split_numbers(words: list[Word]) -> list[Word]:
    """OCR words with a sheet number split at its separator ("A1" ".01", "A3." "01") joined
    again: two words of one size on one line, close together, whose joined text is a sheet
    number and one of which carries the separator."""
    out = sorted(words, key=lambda w: (w.box.x0, w.box.y0))
    index = 0
    while index < len(out):
        partner = _split_partner(out[index], out)
        if partner is None:
            index += 1
            continue
        first, second = out[index], out[partner]
        joined = Word(
            repair_ocr_token(first.text + second.text),
            first.box.union(second.box),
            max(first.size, second.size),
            confidence=min(first.confidence, second.confidence),
        )
        out[index] = joined
        del out[partner]
    return out


def _split_partner(word: Word, words: list[Word]) -> int | None:
    """The index of the word that continues `word` into one sheet number, if any."""
    for index, other in enumerate(words):
        gap = other.box.x0 - word.box.x1
        overlap = min(word.box.y1, other.box.y1) - max(word.box.y0, other.box.y0)
        if (
            other is word
            or not -1.0 <= gap <= 0.6 * word.size
            or abs(other.size - word.size) > 0.25 * word.size
            or overlap < 0.5 * min(word.box.height, other.box.height)
        ):
            continue
        text = word.text + other.text
        separated = word.text[-1:] in ".-" or other.text[:1] in ".-"
        if separated and is_sheet_number(repair_ocr_token(text)):
            return index
    return None


def _large_number(words: list[Word]) -> Word | None:
    """The largest sheet-number-shaped word of the block's large print, if any."""
    if not words:
        return None
    sizes = sorted(word.size for word in words)
    median = sizes[len(sizes) // 2]
    large = [w for w in words if is_sheet_number(w.text) and w.size >= 1.5 * median]
    return max(large, key=lambda w: w.size, default=None)


def _improves(line: str, found: Word | None) -> bool:
    """Whether a one-line read should stand for the sheet number: always when none was
    found, else only when it extends the one found."""
    if found is None:
        return True
    known = fold(found.text).strip(".,;:")
    return len(line) > len(known) and line.startswith(known)


def _within(box: Box, clip: Box) -> bool:
    return clip.x0 <= box.cx <= clip.x1 and clip.y0 <= box.cy <= clip.y1


def _number_clips(page: Page, words: list[Word]) -> list[tuple[Box, float]]:
    """Where the sheet number may be printed, most likely first (page points, with a size)."""
    clips: list[tuple[Box, float]] = []
    if words:
        sizes = sorted(word.size for word in words)
        big = max(words, key=lambda word: word.size)
        if big.size >= 1.5 * sizes[len(sizes) // 2]:
            pad = big.size
            box = big.box
            clips.append((Box(box.x0 - pad, box.y0 - pad / 3, box.x1 + 2 * pad, box.y1 + pad / 3),
                          big.size))  # fmt: skip
    for label in find_labels(page_lines(Page(page.number, page.width, page.height, tuple(words)))):
        if label.field is not Field.SHEET_NUMBER:
            continue
        box, inch = label.box, 72.0
        right = Box(box.x1 + 2, box.y0 - 0.3 * inch, box.x1 + 2.5 * inch, box.y1 + 0.2 * inch)
        clips.append((right, 0.3 * inch))
        clips.append((Box(box.x0 - 6, box.y1, box.x0 + 2.5 * inch, box.y1 + 0.6 * inch),
                      0.3 * inch))  # fmt: skip
    return [(_clamp(clip, page), size) for clip, size in clips]


def _clamp(box: Box, page: Page) -> Box:
    return Box(max(box.x0, 0), max(box.y0, 0), min(box.x1, page.width), min(box.y1, page.height))


def _read(
    page: Page, images: SheetImages | None, ocr: RegionOcr | None, dpi: int
) -> tuple[SheetRead, Box | None]:
    if not _needs_region_ocr(page) or images is None or ocr is None:
        read = read_sheet(page)
        if not page.words:
            read.warnings.append(f"page {page.number}: no text and no OCR; the sheet was not read")
        return read, None
    ocr_page, region = _ocr_page(page, images, ocr, dpi)
    return read_sheet(ocr_page), region


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
    regions: list[Box] = []
    for page in pages:
        read, region = _read(page, images, ocr, ocr_dpi)
        reads.append(read)
        if region is not None:
            regions.append(region)
    warnings = [warning for read in reads for warning in read.warnings]
    flagged: set[int] = set()
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
        regions,
    )


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
