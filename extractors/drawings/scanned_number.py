"""The sheet number of a scanned sheet: the block's OCR words repaired, and the number read
again on its own clip and voted on.

Block OCR of big bold print splits it ("A1" ".01"), doubles or drops a glyph ("GO0.01",
"101" for I101) and confuses letters with figures. The number is the block's largest print,
so its clip is read twice more as one line (at OCR resolution and at two thirds of it, which
fails differently) and the three reads vote, separators ignored. The winner carries how
sure the vote was as its confidence: agreed by two reads or more, or a lone read. Where the
block has no large print the clips beside and under the sheet-number labels are read
instead. Owns these repairs and reads; not the choice among labels (`sheet.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from extractors.drawings.labels import (
    Field,
    fold,
    is_sheet_number,
    repair_label_word,
    repair_ocr_token,
    repair_sheet_number,
)
from extractors.drawings.region_ocr import RegionOcr, SheetImages
from extractors.drawings.title_block import find_labels, page_lines
from extractors.page import Box, Page, Word

AGREED = 0.99  # confidence of a number two independent reads agree on
LONE = 0.5  # ... and of one no other read confirms
_LARGE = 1.5  # print this many times the block's median size is large print
_LEFT_PAD = 0.4  # font sizes left of the number in its clip: room for a dropped first letter
_RIGHT_PAD = 2.0  # ... and right of it: room for a cut-off end ("C-10" for C-101)
_SECOND_DPI = 2 / 3  # the second line read, at this share of the OCR resolution
_INCH = 72.0


def repaired_words(words: Sequence[Word]) -> list[Word]:
    """OCR words with split sheet numbers joined (before repair, which strips the separator a
    split is joined at: ".O1"), then sheet-number and label misreads undone. A word already
    shaped like a sheet number is repaired only in large print: "GO.01" there is G0.01, but
    in a project name "NO.4" is no sheet number."""
    joined = join_split_numbers(list(words))
    sizes = sorted(word.size for word in joined)
    large = _LARGE * sizes[len(sizes) // 2] if sizes else 0.0
    out = []
    for word in joined:
        text = word.text
        if word.size >= large or not is_sheet_number(text):
            text = repair_ocr_token(text)
        out.append(replace(word, text=repair_label_word(text)))
    return out


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


def read_number(
    page: Page, words: list[Word], images: SheetImages, ocr: RegionOcr, dpi: int
) -> list[Word]:
    """The block's words with its sheet number read again and voted on: around its largest
    print when it has one, else beside and under its sheet-number labels."""
    target = _target(words)
    if target is not None:
        voted = _vote_on(page, words, target, images, ocr, dpi)
        if voted is not None:
            return voted
    for clip in _label_clips(page, words):
        text = _number_in(ocr.read_line(images.render_clip(page.number, clip, dpi)))
        if text:
            return _put(words, clip, Word(text, clip, 0.3 * _INCH, confidence=LONE))
    return words


def _target(words: Sequence[Word]) -> Word | None:
    """The block's largest print that may be its sheet number: the largest sheet-number-shaped
    word, else the largest word read with some confidence (a misread number); None when the
    block has no large print."""
    if not words:
        return None
    sizes = sorted(word.size for word in words)
    large = [w for w in words if w.size >= _LARGE * sizes[len(sizes) // 2]]
    shaped = [w for w in large if is_sheet_number(w.text)]
    if shaped:
        return max(shaped, key=lambda w: w.size)
    # Specks and the seal's circle are read as big letters too, unsurely.
    sure = [w for w in large if w.confidence >= LONE and any(c.isalnum() for c in w.text)]
    return max(sure, key=lambda w: w.size, default=None)


def _vote_on(
    page: Page, words: list[Word], target: Word, images: SheetImages, ocr: RegionOcr, dpi: int
) -> list[Word] | None:
    """The target's clip read twice as one line; the three reads' winner put in its place."""
    box, size = target.box, target.size
    clip = _clamp(Box(box.x0 - _LEFT_PAD * size, box.y0 - size / 3,
                      box.x1 + _RIGHT_PAD * size, box.y1 + size / 3), page)  # fmt: skip
    block = repair_sheet_number(target.text)
    reads = [fold(block).strip(".,;:") if is_sheet_number(block) else ""]
    for resolution in (dpi, round(dpi * _SECOND_DPI)):
        image = images.render_clip(page.number, clip, resolution)
        reads.append(_number_in(ocr.read_line(image)))
    chosen, votes = vote(reads)
    if not chosen:
        return None
    inside = [w for w in words if _within(w.box, clip)]
    for word in inside:
        box = box.union(word.box)
    number = Word(chosen, box, size, confidence=AGREED if votes >= 2 else LONE)
    return _put(words, clip, number)


def vote(reads: Sequence[str]) -> tuple[str, int]:
    """The sheet number most reads agree on, separators ignored ("C11" backs "C1.1"), with its
    votes; ties go to the earliest read. Printed as the first agreeing read with separators."""
    keys = [_key(read) for read in reads]
    counts = Counter(key for key in keys if key)
    if not counts:
        return "", 0
    best = max(counts.values())
    key = next(k for k in keys if k and counts[k] == best)
    forms = [read for read, k in zip(reads, keys, strict=True) if k == key]
    separated = [form for form in forms if re.search(r"[-.]", form)]
    return (separated or forms)[0], best


def _key(number: str) -> str:
    return re.sub(r"[-.]", "", number)


def _number_in(line: str) -> str:
    """The sheet number a one-line read ends with ("NO.A5.O1" -> A5.01: the clip may take in
    the end of a label), or "" when it holds none."""
    text = fold(line).replace(" ", "")
    for start in range(len(text)):
        candidate = repair_sheet_number(text[start:])
        if is_sheet_number(candidate):
            return fold(candidate).strip(".,;:")
    return ""


def _put(words: list[Word], clip: Box, number: Word) -> list[Word]:
    """The words with those inside `clip` replaced by `number`."""
    return [*(w for w in words if not _within(w.box, clip)), number]


def _label_clips(page: Page, words: list[Word]) -> list[Box]:
    """Beside and under each sheet-number label: where a number the block OCR lost is."""
    clips: list[Box] = []
    for label in find_labels(page_lines(Page(page.number, page.width, page.height, tuple(words)))):
        if label.field is not Field.SHEET_NUMBER:
            continue
        box = label.box
        clips.append(Box(box.x1 + 2, box.y0 - 0.3 * _INCH, box.x1 + 2.5 * _INCH,
                         box.y1 + 0.2 * _INCH))  # fmt: skip
        clips.append(Box(box.x0 - 6, box.y1, box.x0 + 2.5 * _INCH, box.y1 + 0.6 * _INCH))
    return [_clamp(clip, page) for clip in clips]


def _within(box: Box, clip: Box) -> bool:
    return clip.x0 <= box.cx <= clip.x1 and clip.y0 <= box.cy <= clip.y1


def _clamp(box: Box, page: Page) -> Box:
    return Box(max(box.x0, 0), max(box.y0, 0), min(box.x1, page.width), min(box.y1, page.height))
