"""Page layout for header reading: cells (runs of words split at wide gaps) in rows, and the
key–value pairs they form (value right of its key on the same line, or below it).

Owns geometry only: which text stands next to which. It knows no field vocabulary and parses
no values; callers decide what a key means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice

from extractors.lines import TextLine, group_lines, split_on_gaps, union_of
from extractors.page import Box, Page, Word

_GAP_EM = 0.9  # a space wider than this x font size separates two cells
_BELOW_LINES = 2.6  # a value below its key starts within this many line heights
_CELL_SPREAD = 2.5  # a cell below a key up to this many times its width is its value


@dataclass(frozen=True, slots=True)
class Cell:
    """A run of words on one line, set apart from its neighbours by wide gaps."""

    text: str
    box: Box
    size: float
    bold: bool
    row: int
    page: int
    words: tuple[Word, ...] = ()

    def span_box(self, start: int, end: int) -> Box:
        """The box of the words covering characters `start`..`end` of the cell's text."""
        box: Box | None = None
        offset = 0
        for word in self.words:
            word_end = offset + len(word.text)
            if offset < end and start < word_end:
                box = word.box if box is None else box.union(word.box)
            offset = word_end + 1
        return box or self.box


class Relation(StrEnum):
    """Where a value stands relative to its key."""

    SAME_CELL = "same_cell"
    RIGHT = "right"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class KeyValue:
    """A key and its value with both boxes and how they are placed."""

    key: str
    value: str
    key_box: Box
    value_box: Box
    relation: Relation
    page: int


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(word: Word) -> Word | None:
    if word.text.isascii():
        return word
    # Unpaired surrogates (unmapped glyphs such as icon fonts) are not text.
    text = _SURROGATES.sub("", word.text)
    if text == word.text:
        return word
    return Word(text, word.box, word.size, word.bold, word.confidence) if text else None


_SPACED_LETTERS = 3  # single capitals set apart, this many or more, spell one word


def _cell(line: TextLine, row: int, page: int) -> Cell:
    words = line.words
    text = " ".join([word.text for word in words])
    if not text.isascii():
        words = tuple(w for w in map(_clean, words) if w is not None)
        text = " ".join([word.text for word in words])
    if len(words) >= _SPACED_LETTERS and all(len(w.text) == 1 and w.text.isupper() for w in words):
        text = "".join([word.text for word in words])  # "P A Y M E N T": a letter-spaced label
    return Cell(text, line.box, line.size, line.bold, row, page, words)


def page_rows(page: Page) -> list[list[Cell]]:
    """A page's lines top to bottom, each cut into cells left to right."""
    lines = [part for line in group_lines(page.words) for part in _baselines(line)]
    rows: list[list[Cell]] = []
    for index, line in enumerate(lines):
        gap = _GAP_EM * line.size
        parts = [run for part in split_on_gaps(line, gap) for run in _overlaps_split(part)]
        rows.append([_cell(part, index, page.number) for part in parts])
    return rows


def _overlaps_split(line: TextLine) -> list[TextLine]:
    """Words that overlap their left neighbour start a new run: two texts set into one
    another (an overflowing value and the next column's) are two cells."""
    words = line.words
    runs: list[list[Word]] = [[words[0]]]
    previous_x1 = words[0].box.x1
    for word in islice(words, 1, None):
        box = word.box
        if box.x0 < previous_x1 - 1.0:
            runs.append([word])
        else:
            runs[-1].append(word)
        previous_x1 = box.x1
    if len(runs) == 1:
        return [line]
    return [TextLine(tuple(run), _union(run)) for run in runs]


def _baselines(line: TextLine) -> list[TextLine]:
    """A line whose words sit on different baselines (a tall title bridging two small lines)
    split back into one line per baseline, top to bottom."""
    if len(line.words) == 1 or _one_baseline(line.words):
        return [line]
    groups: list[list[Word]] = []
    first_cy = first_height = 0.0  # of the last group's first word
    for word in sorted(line.words, key=_centre_y):
        box = word.box
        cy, height = (box.y0 + box.y1) / 2, box.y1 - box.y0
        if groups and abs(cy - first_cy) < 0.5 * min(height, first_height):
            groups[-1].append(word)
        else:
            groups.append([word])
            first_cy, first_height = cy, height
    if len(groups) == 1:
        return [line]
    parts = [sorted(group, key=lambda w: w.box.x0) for group in groups]
    return [TextLine(tuple(words), _union(words)) for words in parts]


def _one_baseline(words: Sequence[Word]) -> bool:
    """Words all of one top and bottom (one font on one line: the common case) form one
    baseline group without sorting them."""
    first = words[0].box
    top, bottom = first.y0, first.y1
    return bottom > top and all(w.box.y0 == top and w.box.y1 == bottom for w in words)


def _centre_y(word: Word) -> float:
    box = word.box
    return (box.y0 + box.y1) / 2


def body_size(rows: Sequence[Sequence[Cell]]) -> float:
    """The type size most of a page's cells are set in (0 for an empty page)."""
    sizes = sorted(cell.size for row in rows for cell in row)
    return sizes[len(sizes) // 2] if sizes else 0.0


def cell_right(rows: Sequence[Sequence[Cell]], cell: Cell) -> Cell | None:
    """The next cell to the right of `cell` on its line, if any."""
    row = rows[cell.row]
    position = next(i for i, other in enumerate(row) if other is cell)
    return row[position + 1] if position + 1 < len(row) else None


def _overlaps(a: Box, b: Box, slack: float) -> bool:
    return a.x0 - slack < b.x1 and b.x0 - slack < a.x1


def cells_below(
    rows: Sequence[Sequence[Cell]], cell: Cell, depth: int = 1, spacing: float = _BELOW_LINES
) -> list[Cell]:
    """Cells under `cell` (overlapping it horizontally) on the next `depth` lines that hold one,
    nearest first; the first within a few line heights, each next within `spacing`."""
    found: list[Cell] = []
    step = spacing * max(cell.box.height, 1.0)
    limit = cell.box.y1 + _BELOW_LINES * max(cell.box.height, 1.0)
    for row in rows[cell.row + 1 :]:
        hits = [other for other in row if _overlaps(cell.box, other.box, 2.0)]
        if not hits:
            continue
        if hits[0].box.y0 > limit:
            break
        limit = hits[0].box.y1 + step
        found.append(min(hits, key=lambda other: abs(other.box.x0 - cell.box.x0)))
        if len(found) >= depth:
            break
    return found


def text_below(rows: Sequence[Sequence[Cell]], cell: Cell, box: Box, depth: int = 1) -> list[Cell]:
    """What is printed under `box` (a key inside `cell`) on the next `depth` lines holding
    something there: the words overlapping it horizontally, as cells, nearest first."""
    found: list[Cell] = []
    limit = box.y1 + _BELOW_LINES * max(box.height, 1.0)
    # A value under one key of a header row stops where the next key's column starts.
    keys = [c.box for c in rows[cell.row] if c.box.x0 > box.x1]
    next_key = min(keys, key=lambda key: key.x0) if keys else None
    for row in rows[cell.row + 1 :]:
        starting = [c for c in row if _starts_under(c, box)]
        under = [w for c in (starting or row) for w in _under(c, box, cell.box)]
        if not under:
            continue
        if not found and under[0].box.y0 > limit:
            break
        alone = len(rows[cell.row]) == 1
        if alone and len(row) == 1 and len(under) < len(row[0].words) and not found:
            # A paragraph running under a column key is not its value.
            break
        words = _before_next_column(row, under, next_key)
        if not words:
            break
        found.append(_cell(TextLine(tuple(words), _union(words)), row[0].row, cell.page))
        if len(found) >= depth:
            break
    return found


def _before_next_column(row: Sequence[Cell], words: list[Word], key: Box | None) -> list[Word]:
    """Words under a key up to the next key's column, unless that column's value stands in a
    cell of its own (then an overflowing value is kept whole)."""
    if key is None:
        return words
    own = {id(w) for w in words}
    for other in row:
        if key.x0 - 5 <= other.box.x0 <= key.x1 and not any(id(w) in own for w in other.words):
            return words
    return [w for w in words if w.box.cx < key.x0]


def _under(cell: Cell, box: Box, key_cell: Box) -> tuple[Word, ...]:
    """The words of `cell` standing under `box` (a key inside the cell `key_cell`): the whole
    cell when it is a value of about the key's width or centred under it, else only the words
    overlapping the key."""
    if _centred_on(cell.box, key_cell) and _overlaps(key_cell, cell.box, 2.0):
        return cell.words  # a value centred under its key's cell, in a strip of cells
    if not _overlaps(box, cell.box, 2.0):
        return ()
    starts_under = _starts_under(cell, box)
    near = cell.box.x0 >= box.x0 - max(box.width, 30.0)
    if starts_under or (near and cell.box.width <= _CELL_SPREAD * box.width + 40):
        return cell.words
    if _centred_on(cell.box, box):
        return cell.words  # a value centred under its column's key, wider than the key
    if abs(cell.box.x1 - box.x1) <= 3.0 and cell.box.width <= 200.0:
        return cell.words  # right-aligned under a right-aligned key ("TOTAL" / "1,296.00 USD")
    return tuple(w for w in cell.words if box.x0 - 2.0 <= w.box.x0 <= box.x1 or _centred(w, box))


def _starts_under(cell: Cell, box: Box) -> bool:
    return box.x0 - 6 <= cell.box.x0 <= box.x1


def _centred_on(value: Box, key: Box) -> bool:
    """A value centred under a key (a strip of cells with centred text)."""
    return abs(value.cx - key.cx) <= max(6.0, 0.08 * value.width) and value.width < 360


def _centred(word: Word, box: Box) -> bool:
    return box.x0 - 2.0 <= word.box.cx <= box.x1 + 2.0


def _union(words: Sequence[Word]) -> Box:
    return words[0].box if len(words) == 1 else union_of(words)


def _split_key(text: str) -> tuple[str, str] | None:
    key, colon, value = text.partition(":")
    if not colon or not key.strip() or len(key) > 40 or "//" in value[:2]:
        return None
    return key.strip(), value.strip()


def _pair(rows: Sequence[Sequence[Cell]], cell: Cell) -> KeyValue | None:
    split = _split_key(cell.text)
    if split is None:
        return None
    key, value = split
    if value:
        return KeyValue(key, value, cell.box, cell.box, Relation.SAME_CELL, cell.page)
    right = cell_right(rows, cell)
    if right is not None:
        return KeyValue(key, right.text, cell.box, right.box, Relation.RIGHT, cell.page)
    below = cells_below(rows, cell)
    if below:
        return KeyValue(key, below[0].text, cell.box, below[0].box, Relation.BELOW, cell.page)
    return None


def find_key_values(page: Page) -> list[KeyValue]:
    """The "Key: value" pairs of a page: value in the same cell, right of the key, or below."""
    rows = page_rows(page)
    pairs = (_pair(rows, cell) for row in rows for cell in row)
    return [pair for pair in pairs if pair is not None]
