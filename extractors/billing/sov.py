"""The G703 schedule of values (continuation sheet) into line items, across pages.

A row is an item number, a description and the eight numeric columns C-J of the AIA form
(scheduled value, work completed previously and this period, materials stored, total
completed and stored, % complete, balance to finish, retainage); a description that wraps
continues on the lines below. Total rows are not line items. Pure: pages in, items out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from extractors.billing.fields import amount_of
from extractors.lines import TextLine, page_lines
from extractors.page import Page, Word
from models import LineItem

_ITEM = re.compile(r"^(?:[A-Z]{1,3}-?)?\d{1,4}(?:\.\d{1,3})?[A-Z]?$")
# A numeric cell as printed or as OCR garbles it ('S.811.73', '147,500.00,', '0,00').
_NUMBER = re.compile(r"^[(\-$sS]?[\dOoSlI|.,]*\d[\dOoSlI|.,]*%?[),]?$")
_ITEM_FIXES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "i": "1"})
_DASH = frozenset({"-", "\u2013", "\u2014"})
_TOTAL_ROW = re.compile(r"(?i)^(?:grand\s+)?totals?\b|^sub-?totals?\b|^page\s+total")
_COLUMNS = (
    "scheduled_value",
    "work_completed_previous",
    "work_completed_this_period",
    "materials_stored",
    "total_completed",
    "percent_complete",
    "balance_to_finish",
    "retainage",
)


@dataclass(frozen=True, slots=True)
class SovRow:
    """A parsed row: item number, description words, the numeric cells and where it stands."""

    item: str | None
    description: list[str]
    cells: list[Decimal | None]
    line: TextLine


def _cell_value(text: str) -> Decimal | None:
    if text in _DASH:
        return Decimal(0)
    return amount_of(text.rstrip("%"), strict=True)


def _merged(words: Sequence[Word]) -> list[Word]:
    """OCR splits '93.54%' into '93.' and '54%': join a token ending in a separator with the
    close token after it."""
    out: list[Word] = []
    for word in words:
        last = out[-1] if out else None
        if (
            last is not None
            and last.text[-1:] in ".,"
            and last.text[:1].isdigit()
            and word.box.x0 - last.box.x1 < 0.6 * word.size
        ):
            out[-1] = Word(
                last.text + word.text,
                last.box.union(word.box),
                word.size,
                word.bold,
                min(last.confidence, word.confidence),
            )
        else:
            out.append(word)
    return out


def _repair(cells: list[Decimal | None]) -> list[Decimal | None]:
    """Fill one unreadable cell from the G703 identities: G = D + E + F, I = C - G, H = G / C."""
    c, d, e, f, g, h, i, j = cells
    if g is None and d is not None and e is not None and f is not None:
        g = d + e + f
    if g is None and c is not None and i is not None:
        g = c - i
    if g is not None:
        known = [x for x in (d, e, f) if x is not None]
        if len(known) == 2:
            missing = g - sum(known, Decimal(0))
            d, e, f = (missing if x is None else x for x in (d, e, f))
        if c is None and i is not None:
            c = g + i
        if i is None and c is not None:
            i = c - g
        if h is None and c:
            h = (g * 100 / c).quantize(Decimal("0.01"))
    return [c, d, e, f, g, h, i, j]


def _percent(done: Decimal, scheduled: Decimal) -> Decimal | None:
    return (done * 100 / scheduled).quantize(Decimal("0.01"), ROUND_HALF_UP) if scheduled else None


def _reconcile(cells: list[Decimal | None]) -> list[Decimal | None]:
    """One misread cell in a fully read row, found and corrected by the identities that agree
    without it (OCR turns 1,176.34 into 7,176.34; the other columns say which cell is wrong)."""
    c, d, e, f, g, h, i, j = cells
    if c is None or d is None or e is None or f is None or g is None or i is None:
        return cells
    parts = d + e + f
    if parts != g and c - i == parts:
        g = parts
    elif parts == g and c - i != g:
        if h is not None and _percent(g, c) == h:
            i = c - g
        elif h is not None and _percent(g, g + i) == h:
            c = g + i
    elif parts == g and c - i == g and h is not None and _percent(g, c) != h:
        h = _percent(g, c)
    return [c, d, e, f, g, h, i, j]


def _retainage_rate(rows: Sequence[SovRow]) -> Decimal | None:
    """The one retainage rate most rows share (None for variable rates)."""
    rates = Counter(
        (j / g).quantize(Decimal("0.001"))
        for row in rows
        if (g := row.cells[4]) and (j := row.cells[7]) is not None and g > 100
    )
    if not rates:
        return None
    rate, count = rates.most_common(1)[0]
    return rate if count >= 3 and count >= 0.6 * sum(rates.values()) else None


def _fix_retainage(rows: list[SovRow]) -> list[SovRow]:
    """Column J read wrong (or not at all) on a row, put back from the shared rate."""
    rate = _retainage_rate(rows)
    if rate is None:
        return rows
    fixed: list[SovRow] = []
    for row in rows:
        g = row.cells[4]
        if g is not None:
            expected = (g * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if row.cells[7] is None or abs(expected - row.cells[7]) > Decimal("0.01"):
                row = SovRow(row.item, row.description, [*row.cells[:7], expected], row.line)
        fixed.append(row)
    return fixed


def _numeric_tail(
    words: Sequence[Word], limit: int = len(_COLUMNS)
) -> tuple[list[Word], list[Decimal | None]]:
    """Split a line's words into the leading text and up to `limit` trailing numeric cells
    (None where a cell is there but unreadable)."""
    cells: list[Decimal | None] = []
    index = len(words)
    while index > 0 and len(cells) < limit:
        text = words[index - 1].text
        if text in ("$", "%"):
            index -= 1
            continue
        if not (_NUMBER.match(text) or text in _DASH):
            break
        cells.insert(0, _cell_value(text))
        index -= 1
    return list(words[:index]), cells


def _parse_row(line: TextLine) -> SovRow | None:
    head, cells = _numeric_tail(_merged(line.words))
    if len(cells) < len(_COLUMNS) or not head:
        return None
    cells = _reconcile(_repair(cells))
    if any(cell is None for cell in cells[:7]):
        return None
    first = head[0].text
    fixed = first
    if not _ITEM.match(first) and len(first) <= 4 and len(head) > 1:
        fixed = first.translate(_ITEM_FIXES)
    item = fixed if _ITEM.match(fixed) else None
    description = [word.text for word in (head[1:] if item else head)]
    return SovRow(item, description, cells, line)


def _item(row: SovRow) -> LineItem:
    values = dict(zip(_COLUMNS, row.cells, strict=True))
    return LineItem(
        description=" ".join(row.description) or None,
        amount=values["work_completed_this_period"],
        item_number=row.item,
        **values,
    )


def _page_rows(page: Page) -> list[SovRow]:
    """The rows of one page, wrapped descriptions joined, total rows dropped."""
    rows: list[SovRow] = []
    for line in page_lines(page):
        row = _parse_row(line)
        if row is not None:
            rows.append(row)
            continue
        if rows and _continues(rows[-1], line):
            rows[-1].description.extend(word.text for word in line.words)
    return [row for row in rows if not _TOTAL_ROW.match(" ".join(row.description))]


def _continues(row: SovRow, line: TextLine) -> bool:
    """A numberless line just under a row, inside its description column, continues it."""
    if not row.description or line.box.y0 - row.line.box.y1 > 1.5 * row.line.size:
        return False
    _, cells = _numeric_tail(line.words)
    start = next((w for w in row.line.words if w.text == row.description[0]), None)
    if cells or start is None:
        return False
    return abs(line.box.x0 - start.box.x0) < 6


def read_schedule_of_values(pages: Sequence[Page]) -> tuple[list[LineItem], list[int]]:
    """Pages in, the schedule-of-values line items (in order) and the pages holding them out."""
    rows: list[SovRow] = []
    sov_pages: list[int] = []
    for page in pages:
        found = [row for row in _page_rows(page) if row.description or row.item]
        if found:
            sov_pages.append(page.number)
            rows += found
    return [_item(row) for row in _fix_retainage(rows)], sov_pages
