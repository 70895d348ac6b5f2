"""A title block's revision table: header, rows growing down or up, the latest revision.

Owns finding the table header (a mark column, a date column, a description column), reading
the rows next to it with the shared column machinery of `extractors.tables`, and ordering
them oldest to newest. Pure functions over the page model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from extractors.dates import find_dates
from extractors.drawings.labels import (
    REV_HEADER_DATE,
    REV_HEADER_EXTRA,
    REV_HEADER_MARK,
    REV_HEADER_TEXT,
    fold,
)
from extractors.drawings.title_block import Label, distance
from extractors.lines import TextLine, group_lines
from extractors.page import Box, Page, Word
from extractors.tables import Column, ColumnLayout, assign_cells, box_of
from models import Revision

# A header's words sit this close together (points) and this far apart (of the type size):
# the compact reading is tried first, and only when it finds no header the loose one (a
# band's wide table, tight columns) so a loose match never displaces a compact one.
_STRICT = (420.0, 1.2)
_LOOSE = (720.0, 0.8)
_WINDOW = 200.0  # points above and below a header searched for rows
_MARK = re.compile(r"^(?:\d{1,3}|[A-Z]{1,2}|[A-Z]\d{1,2}|\d[A-Z])$")  # 3, 12, C, AA, A1, 0A
_SHORT_HEADER = re.compile(r"^[A-Z][A-Z0-9.]{1,3}$")
_ISSUE_HEADER = re.compile(r"^(?:ISSUE|ISSUED|DESCRIPTION|SUBMISSION|ISSUED FOR)$")
_JUNK_MARK = 3  # a mark cell this short that is no mark is OCR junk, not a neighbour's label


@dataclass(frozen=True, slots=True)
class RevisionTable:
    """A revision table as read: its header box, its rows oldest first, and its box."""

    header: Box
    rows: tuple[Revision, ...]
    box: Box


def _beside(word: Word, other: Word, span: float = _STRICT[0]) -> bool:
    overlap = min(word.box.y1, other.box.y1) - max(word.box.y0, other.box.y0)
    close = abs(other.box.cx - word.box.cx) < span
    return other is not word and close and overlap >= 0.6 * min(word.box.height, other.box.height)


def _header_at(
    date: Word, words: Sequence[Word], reach: tuple[float, float]
) -> tuple[Word, Word, Word] | None:
    """(mark, date, description) header words around a DATE word, on its line, in its type
    size ("DATE OF ISSUE:" and a row's text beside it are no header)."""
    near = [w for w in words if _beside(date, w, reach[0]) and abs(w.size - date.size) <= 0.5]
    if any(0 <= w.box.x0 - date.box.x1 <= 0.5 * date.size for w in near):
        return None  # the DATE of a phrase ("DATE OF ISSUE"), not a column's head
    marks = [w for w in near if REV_HEADER_MARK.match(fold(w.text))]
    texts = [w for w in near if REV_HEADER_TEXT.match(fold(w.text))]
    if not marks and texts:
        # OCR misreads the short mark header ("REY", "N0."): a short word left of DATE on a
        # line that also heads a description column stands for it.
        marks = [w for w in near if w.box.x1 < date.box.x0 and _SHORT_HEADER.match(fold(w.text))]
    for mark in sorted(marks, key=lambda w: abs(w.box.cx - date.box.cx)):
        others = [w for w in texts if w is not mark]
        # The mark column comes first, last (DIN "Index", MEP sheets, after the text), or
        # between the date and the text ("DATE | NO. | DESCRIPTION").
        if others and (
            mark.box.x0 < date.box.x0
            or mark.box.x0 > max(o.box.x1 for o in others)
            or date.box.x1 < mark.box.x0 < min(o.box.x0 for o in others)
        ):
            text = min(others, key=lambda w: abs(w.box.cx - date.box.cx))
            if _columns_apart((mark, date, text), reach[1]):
                return mark, date, text
    return None


def _columns_apart(words: Sequence[Word], gap: float) -> bool:
    """True when header words stand in separate columns, not in one phrase ("ISSUE DATE",
    "PROJ. NO." are labels, not a revision table's header): farther apart than a word space
    (about 0.3 of the type size)."""
    ordered = sorted(words, key=lambda w: w.box.x0)
    return all(
        right.box.x0 - left.box.x1 > gap * max(left.size, right.size)
        for left, right in pairwise(ordered)
    )


def find_header(
    words: Sequence[Word], point: tuple[float, float]
) -> tuple[Word, Word, Word] | None:
    """The revision-table header nearest a point (the sheet-number anchor)."""
    dates = [w for w in words if REV_HEADER_DATE.match(fold(w.text))]
    for reach in (_STRICT, _LOOSE):
        headers = [h for date in dates if (h := _header_at(date, words, reach)) is not None]
        if headers:
            return min(headers, key=lambda h: distance(box_of(h), point))
    issues = [h for date in dates if (h := _issue_header_at(date, words)) is not None]
    if issues:
        return min(issues, key=lambda h: distance(box_of(h), point))
    drawn = [h for date in dates if (h := _drawn_mark_header_at(date, words)) is not None]
    return min(drawn, key=lambda h: distance(box_of(h), point)) if drawn else None


def _drawn_mark_header_at(date: Word, words: Sequence[Word]) -> tuple[Word, Word, Word] | None:
    """A "DATE | DESCRIPTION" header whose mark column is headed by a drawn delta, not a
    word: the marks stand in a narrow column just left of the dates. The mark's head is
    put there (a stand-in word) so the rows read as a marked table's."""
    near = [w for w in words if _beside(date, w, _STRICT[0]) and w.box.x0 > date.box.x1]
    texts = [w for w in near if REV_HEADER_TEXT.match(fold(w.text))]
    for text in sorted(texts, key=lambda w: w.box.x0 - date.box.x1):
        if _columns_apart((date, text), _STRICT[1]):
            width = 2.5 * date.size
            head = Box(date.box.x0 - width - 2, date.box.y0, date.box.x0 - 2, date.box.y1)
            return Word("△", head, date.size), date, text
    return None


def _issue_header_at(date: Word, words: Sequence[Word]) -> tuple[Word, Word, Word] | None:
    """An issue list's header with no mark column ("ISSUE | DATE"): the description word
    stands in for the mark (rows then carry no revision mark)."""
    near = [w for w in words if _beside(date, w, _LOOSE[0]) and w.box.x1 < date.box.x0]
    texts = [w for w in near if _ISSUE_HEADER.match(fold(w.text))]
    for text in sorted(texts, key=lambda w: date.box.x0 - w.box.x1):
        if _columns_apart((text, date), _LOOSE[1]):
            return text, date, text
    return None


def _right_bound(
    header: Sequence[Word], labels: Sequence[Label], page_width: float, downward: bool
) -> float:
    """Where the table ends on the right: the next title-block label beside its header or its
    rows (on the side they grow to), else far."""
    box = box_of(header)
    top, bottom = (box.y0 - 2, box.y1 + _WINDOW) if downward else (box.y0 - _WINDOW, box.y1 + 2)
    beside = [
        label.box.x0 for label in labels
        if label.box.x0 > box.x1 + 4 and top < label.box.cy < bottom
    ]  # fmt: skip
    rightmost = max(header, key=lambda w: w.box.x0)
    return min([*beside, rightmost.box.x0 + 260.0, page_width])


def _row(
    line: TextLine, layout: ColumnLayout, roles: Sequence[str], day_first: bool
) -> Revision | None:
    cells = {roles[cell.column]: cell.text for cell in assign_cells(line.words, layout)}
    mark = _mark(cells.get("mark", ""))
    found = find_dates(cells.get("date", ""), day_first)
    description = cells.get("description", "").strip() or None
    date = found[0].value if found else None
    if "mark" not in roles:  # an issue list: dated, described rows without marks
        return Revision(revision=None, date=date, description=description) if date else None
    if date is not None and description and len(mark) <= _JUNK_MARK and not _MARK.match(mark):
        # A dated, described row whose mark OCR lost or garbled ("", "a", "|;"): its mark
        # follows from its neighbours' (`_infer_marks`).
        return Revision(revision=mark, date=date, description=description)
    if not mark or len(mark) > 4 or not (found or description):
        return None
    return Revision(revision=mark, date=date, description=description)


def _infer_marks(rows: list[Revision]) -> list[Revision]:
    """Rows oldest first with marks OCR lost or garbled ("", "a") filled in from the sequence
    the others follow (1, 2, 3 or A, B, C); where there is none to follow, a garbled mark
    stays as read and a lost one's row is dropped."""
    known = [
        (i, str(row.revision)) for i, row in enumerate(rows) if _MARK.match(row.revision or "")
    ]
    digits = [(i, int(mark)) for i, mark in known if mark.isdigit()]
    letters = [(i, ord(mark)) for i, mark in known if len(mark) == 1 and mark.isalpha()]
    steps = digits if len(digits) >= len(letters) else letters
    out: list[Revision] = []
    for index, row in enumerate(rows):
        numeric = steps is digits
        guess = None if not steps or len(steps) < len(known) else _next_mark(steps, index, numeric)
        if _MARK.match(row.revision or "") or (guess is None and row.revision):
            out.append(row)
        elif guess is not None:
            out.append(row.model_copy(update={"revision": guess}))
    return out


def _next_mark(steps: Sequence[tuple[int, int]], index: int, numeric: bool) -> str | None:
    """The mark row `index` has in the sequence `steps` of numbers or letters (as codes)."""
    anchor, value = min(steps, key=lambda step: abs(step[0] - index))
    guess = value + index - anchor
    if numeric:
        return str(guess) if guess >= 0 else None
    return chr(guess) if ord("A") <= guess <= ord("Z") else None


def _mark(text: str) -> str:
    """A revision mark as printed, with OCR's misreadings of a mark undone: a doubled-case
    capital ("Cc" -> "C"), a one read as a bar or a bang ("|", "!" -> "1"), a stray bar or
    quote before the mark ("|3" -> "3"). No printed mark is a bar, a bang or a quote."""
    mark = text.strip(" .:")
    if len(mark) == 2 and mark[0].isupper() and mark[1] == mark[0].lower():
        return mark[0]
    bare = mark.lstrip("‘’'`\"")
    if bare in ("|", "!"):
        return "1"
    return bare.lstrip("|!") or mark


def _walk(lines: Sequence[TextLine], start: float, downward: bool) -> list[TextLine]:
    """Lines stacked next to the header, outward, while they follow on closely."""
    ordered = sorted(lines, key=lambda ln: ln.box.cy, reverse=not downward)
    out: list[TextLine] = []
    edge = start
    for line in ordered:
        gap = line.box.y0 - edge if downward else edge - line.box.y1
        if gap > 2.2 * max(line.box.height, 6.0):
            break
        out.append(line)
        edge = line.box.y1 if downward else line.box.y0
    return out


def _extra_columns(header: Sequence[Word], words: Sequence[Word], x1: float) -> list[Word]:
    """Initials columns (BY, CHK, APP) on the header's line: their cells are not the
    description's."""
    date = header[1]
    return [
        w for w in words
        if w not in header and w.box.x0 < x1 and _beside(date, w)
        and REV_HEADER_EXTRA.match(fold(w.text))
    ]  # fmt: skip


def _role(word: Word, header: Sequence[Word]) -> str:
    if word is header[2]:
        return "description"
    if word is header[0]:
        return "mark"
    if word is header[1]:
        return "date"
    return "other"


def _rows_on_side(
    page: Page, header: Sequence[Word], x1: float, side: tuple[bool, bool]
) -> list[tuple[int, Revision, Box]]:
    """The rows stacked under (or over) the header up to `x1`: rank, revision, row box."""
    downward, day_first = side
    x0 = min(w.box.x0 for w in header) - 8
    unique = {id(w): w for w in [*header, *_extra_columns(header, page.words, x1)]}
    ordered = sorted(unique.values(), key=lambda w: w.box.x0)
    roles = [_role(w, header) for w in ordered]
    layout = ColumnLayout(
        tuple(Column(w.text, w.box) for w in ordered), tuple(w.box.x0 - 4 for w in ordered[1:])
    )
    hbox = box_of(header)
    words = [
        w for w in page.words
        if x0 <= w.box.cx < x1 and not (hbox.y0 <= w.box.cy <= hbox.y1)
        and (hbox.cy < w.box.cy < hbox.y1 + _WINDOW if downward
             else hbox.y0 - _WINDOW < w.box.cy < hbox.cy)
    ]  # fmt: skip
    found: list[tuple[int, Revision, Box]] = []
    for rank, line in enumerate(_walk(group_lines(words), hbox.y1 if downward else hbox.y0,
                                      downward)):  # fmt: skip
        if all(roles[cell.column] == "other" for cell in assign_cells(line.words, layout)):
            continue  # only text beside the last column (a neighbouring block's line)
        row = _row(line, layout, roles, day_first)
        if row is None:
            break
        found.append((rank, row, line.box))
    return found


def read_revision_table(
    page: Page,
    labels: Sequence[Label],
    point: tuple[float, float],
    day_first: bool,
) -> RevisionTable | None:
    """The revision table nearest the anchor, rows oldest first (None when there is none)."""
    header = find_header(page.words, point)
    if header is None:
        return None
    best: list[tuple[int, Revision, Box]] = []
    for downward in (True, False):
        found = _rows_on_side(page, header, _right_bound(header, labels, page.width, downward),
                             (downward, day_first))  # fmt: skip
        if len(found) > len(best):
            best = found
    hbox = box_of(header)
    rows = sorted(best, key=lambda item: (item[1].date or dt.date.min, item[0]))
    box = hbox
    for _rank, _row_value, row_box in best:
        box = box.union(row_box)
    ordered = [row for _rank, row, _box in rows]
    marked = header[0] is not header[2]
    return RevisionTable(hbox, tuple(_infer_marks(ordered) if marked else ordered), box)
