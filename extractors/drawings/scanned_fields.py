"""Title-block values a scanned block's first OCR lost, read again as one line by their label.

Block OCR drops or garbles the marks of a scale (`1/4" = 1'-0"` read as `= 10"`, or not at
all) and sometimes a whole date: a cell read as a block weighs a short line of symbols
lightly. When a scale or an issue-date label is found but its value does not parse, the
clip beside the label and the one under it are read once more as a single line, and a line
that parses takes the place of what was read there. Owns those clips and the swap; the
choice among labels stays with `sheet.py`. Pure apart from the ports it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extractors.dates import find_dates
from extractors.drawings.labels import Field, find_scale
from extractors.drawings.region_ocr import RegionOcr, SheetImages
from extractors.drawings.sheet import read_sheet
from extractors.drawings.title_block import Label, find_labels, page_lines
from extractors.page import Box, Page, Word

_INCH = 72.0
_BESIDE = 2.4 * _INCH  # how far right of its label a value may run
_UNDER = 0.4 * _INCH  # how far under its label a value's line may sit
_MAX_LABELS = 2  # labels of one field tried, nearest the block's corner first
_VALUE_SIZE = 9.0  # points: the size a re-read value is given (a value's usual print)


def _parses_scale(text: str) -> str | None:
    return find_scale(text)


def _parses_date(text: str) -> str | None:
    found = find_dates(text) or find_dates(text, day_first=True)
    return text if found else None


_PARSERS: dict[Field, tuple[str, Callable[[str], str | None]]] = {
    Field.SCALE: ("scale", _parses_scale),
    Field.ISSUE_DATE: ("issue_date", _parses_date),
}


def reread_values(page: Page, images: SheetImages, ocr: RegionOcr, dpi: int) -> tuple[Word, ...]:
    """A scanned sheet's block words in; out, the words with each unparsed scale and issue
    date read again beside or under its label (unchanged when nothing better is read)."""
    sheet = read_sheet(page).sheet.model_dump()
    labels = find_labels(page_lines(page))
    words = list(page.words)
    for field_, (name, parse) in _PARSERS.items():
        if sheet[name] is not None:
            continue
        mine = [label for label in labels if label.field is field_]
        mine.sort(key=lambda label: -(label.box.x1 + label.box.y1))
        for label in mine[:_MAX_LABELS]:
            found = _read_value(page, label, labels, (images, ocr, dpi), parse)
            if found is not None:
                clip, text = found
                words = [w for w in words if not _within(w.box, clip)]
                words.append(_value_word(label, clip, text))
                break
    return tuple(words)


def _read_value(
    page: Page,
    label: Label,
    labels: Sequence[Label],
    reader: tuple[SheetImages, RegionOcr, int],
    parse: Callable[[str], str | None],
) -> tuple[Box, str] | None:
    """The first of the clips beside and under a label whose one-line read parses; neither
    runs into the next label to the right (a neighbouring cell's)."""
    images, ocr, dpi = reader

    def limit(x: float) -> float:
        near = 2 * label.box.height
        row = [o.box.x0 - 2 for o in labels if o.box.x0 > x and abs(o.box.cy - label.box.cy) < near]
        return min(row, default=x + _BESIDE)

    box = label.box
    beside = Box(box.x1 + 1, box.y0 - 0.25 * box.height, min(box.x1 + _BESIDE, limit(box.x1)),
                 box.y1 + 0.25 * box.height)  # fmt: skip
    under = Box(box.x0 - 4, box.y1 - 1, min(box.x0 + _BESIDE, limit(box.x0 + 4)),
                box.y1 + _UNDER)  # fmt: skip
    for clip in (beside, under):
        clip = _clamp(clip, page)
        if clip.x1 - clip.x0 < 4 or clip.y1 - clip.y0 < 4:
            continue
        line = ocr.read_text(images.render_clip(page.number, clip, dpi)).strip(" |[]")
        value = parse(line)
        if value is not None:
            return clip, value
    return None


def _value_word(label: Label, clip: Box, text: str) -> Word:
    """The re-read value as one word where a value stands: on the label's line when read
    beside it, else at the top of the clip under it."""
    if clip.x0 > label.box.x1:
        y0, y1 = label.box.y0, label.box.y1
    else:
        y0, y1 = clip.y0 + 1, clip.y0 + 1 + 1.3 * _VALUE_SIZE
    x0 = clip.x0 + 2
    return Word(text, Box(x0, y0, x0 + 0.55 * _VALUE_SIZE * len(text), y1), _VALUE_SIZE,
                confidence=0.6)  # fmt: skip


def _within(box: Box, clip: Box) -> bool:
    return clip.x0 <= box.cx <= clip.x1 and clip.y0 <= box.cy <= clip.y1


def _clamp(box: Box, page: Page) -> Box:
    return Box(max(box.x0, 0), max(box.y0, 0), min(box.x1, page.width), min(box.y1, page.height))
