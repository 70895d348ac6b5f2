"""Line items from invoice tables, template-free.

Owns reading the item table of an invoice: finding its header row by column-label
vocabulary (`extractors.invoice.columns`), mapping columns to line-item fields, turning body
lines into rows (multi-line descriptions, numbers spilling onto a second line), following the
table across page breaks under repeated headers, and stopping at the totals block or a
footer. It does not read totals or header fields; it only says where the table ended so the
header reader can look below it. Pure functions over the page model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache, partial

from extractors.dates import find_dates
from extractors.invoice.columns import Role, is_strong_description, label_role, normalise_label
from extractors.invoice.labels import Field, Label, find_labels
from extractors.lines import TextLine, group_lines
from extractors.page import Box, Page, Word, read_by_ocr
from extractors.tables import (
    CELL_GAP,
    Cell,
    Column,
    ColumnLayout,
    aligned_columns,
    assign_cells,
    box_of,
    column_of,
    header_band,
    header_columns,
    is_numeric,
    segments,
    stacked,
    vertical_bounds,
)
from extractors.values import is_currency_mark, parse_amount
from models import LineItem

# Columns whose label says they are not quantity, price or amount.
_NOT_FACTORS = frozenset(
    {
        Role.ITEM_NUMBER,
        Role.ORDERED,
        Role.BACKORDERED,
        Role.TAX,
        Role.COST_CODE,
        Role.DESCRIPTION,
        Role.DATE,
    }
)
_CORE = frozenset({Role.DESCRIPTION, Role.QUANTITY, Role.UNIT_PRICE, Role.AMOUNT})
_ITEM_WORDS = frozenset({"item", "items"})
_TOTALS = re.compile(
    r"(?i)^\W*(sub-?\s?total|total|grand total|invoice total|tax|sales tax|vat|gst|hst|pst"
    r"|mwst|ust\b|umsatzsteuer|mehrwertsteuer|zwischensumme|\w*summe|gesamt|nettobetrag"
    r"|rechnungsbetrag|net total|net amount|amount due|balance due|less\b|retainage|retention"
    r"|tva|montant|sous-total|net à payer|iva\b|base imponible|importe total|subtotaal|totaal"
    r"|btw\b|te betalen|invoice amount|total amount|balance\b|amount payable|net payable"
    r"|payments?\b|previous(ly)? (billed|billings?|payments?|certificates?)|please pay"
    r"|goods total|merchandise\b)"
)
_FOOTER = re.compile(
    r"(?i)^\W*(page|seite|pag\.|página|pagina|blad|blatt)\s*\d+\s*((of|von|/|de|sur|van|di)"
    r"\s*\d+)?\b|^\W*\d+\s*(of|von|/)\s*\d+\W*$"
)
_CONTINUED = re.compile(
    r"(?i)\b(continued|cont'd|carried forward|brought forward|übertrag|fortsetzung|à reporter"
    r"|page\s+sub-?\s?total|(?:balance|total)\s+(?:fwd|forward)"
    r"|report\b|suma y sigue|vervolg)"
)
# A multi-word label may start with a word that is a label of its own only when the phrase
# keeps that word's sense ("Unit Price", "Qty Shipped"); "Description Amount" is two labels.
_PHRASE_HEADS: dict[Role | None, set[Role]] = {
    Role.UNIT: {Role.UNIT, Role.UNIT_PRICE, Role.ITEM_NUMBER},  # "Unit Price", "Unit No."
    Role.QUANTITY: {Role.QUANTITY, Role.ORDERED, Role.BACKORDERED},
    Role.ITEM_NUMBER: {Role.ITEM_NUMBER, Role.AMOUNT},
    Role.DESCRIPTION: {Role.DESCRIPTION, Role.ITEM_NUMBER},
    Role.AMOUNT: {Role.AMOUNT, Role.ITEM_NUMBER, Role.DESCRIPTION},  # "Fee Code", "Fee Description"
}
# A group subtotal inside the table ("Materials subtotal 1,234.00") is no item.
_SECTION_TOTAL = re.compile(r"(?i)\b(sub-?\s?total|zwischensumme|sous-total|subtotaal)\b")
_NUMBER = re.compile(r"[-(]?[$€£]?\s?\d[\d.,' ]*[)-]?")
_UNIT_WORD = re.compile(r"[A-Za-zÄÖÜäöü²³/.]{1,6}")
_NAMES_A_THING = re.compile(
    r"(?i)\b(?:equip|asset|serial|part|stock|sku|material|catalog|product|article|mfr|model"
    r"|pos\b|pos\.|position|ln\b|line)"
)
_CSI = re.compile(r"\d{2}[- .]\d{2}[- .]?\d{2}([.-]\d{1,3})?|\d{2}-\d{3,4}(-\w{1,4})?")
_MONEY_WORD = re.compile(r"\d[.,]\d{2,4}(?![\d.,])")
_ROW_NUMBER = re.compile(r"\d{1,4}\.?")
_COMMA_MONEY = re.compile(r"\d,\d{2}\b(?![.,]\d)")
_DOT_GROUPED = re.compile(r"-?\d{1,3}(\.\d{3})+")
# Points beyond the header's ends that still belong to the table (its cells' padding).
_TABLE_MARGIN = 10.0
# Points of white space that set a header field beside an item table apart from its labels.
_SIDE_GAP = 18.0
_BAND_REACH = 40.0  # points a stacked column label may reach past its header line's ends
# Share of the texts under a "Date" label that must be dates for it to head a table column.
_DATED_SHARE = 0.6
# Header-field labels that may stand on an item-table header's line in a sidebar.
_HEADER_FIELDS = frozenset(
    {
        Field.INVOICE_NUMBER,
        Field.INVOICE_DATE,
        Field.DUE_DATE,
        Field.PO_NUMBER,
        Field.TERMS,
        Field.PROJECT,
        Field.PROJECT_NAME,
        Field.PROJECT_NUMBER,
        Field.BILL_TO,
        Field.SHIP_TO,
        Field.REMIT_TO,
        Field.DISTRACTOR,
    }
)
# Below this, a text-only line is a continuation (in line heights of gap to the row above).
_JOIN_GAP = 0.7
# Labels of the totals block (a charge or an allowance may be a row of the table itself).
_TOTALS_FIELDS = frozenset({Field.SUBTOTAL, Field.TAX, Field.TOTAL, Field.AMOUNT_DUE,
                            Field.RETAINAGE})  # fmt: skip
_SURE_TOTALS_LABEL = 0.8
# "State & Local Tax 6.875%": a tax at its rate, whatever names it first.
_TAX_AT_RATE = re.compile(r"(?i)\b(?:tax|vat|gst|hst|pst|qst)\b\W{0,3}\d{1,2}(?:[.,]\d{1,3})?\s?%")
# A heading in capitals between rows: two capitalised words or more before anything else.
_CAPS_HEADING = re.compile(r"^[A-Z][A-Z&/-]+(?: [A-Z][A-Z&/-]+)+\b")
# One day's total in a time-and-material print ("Total 08/15/2025:", "Daily total for 8/15/25").
_DAY_TOTAL = re.compile(
    r"(?i)^\W*(?:daily\s+)?total\s+(?:for\s+)?\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"
)
# A column headed "Item No. / Description" prints the item number before the description.
_NUMBER_AND_DESCRIPTION = re.compile(
    r"(?i)\b(?:item|part|sku|art(?:icle)?|product|code)\b.*\b(?:description|desc|bezeichnung)\b"
)
_LEADING_ITEM_NUMBER = re.compile(r"^[A-Z0-9][\w./-]*\d[\w./-]*\s+[-–:|]\s+")
_LEAD_IN_MARGIN = 1.0  # points: a description line this much closer to the row below joins it
_TIMES = re.compile(r"^\s*(\d[\d.,']*)\s*(?:[A-Za-z]{1,4}\.?\s*)?[x×@]\s*\S")
_UNIT_APART = 1.0  # type sizes between a quantity and its unit: two columns, not one cell
_NOTE_SIZE = 0.95  # a line in type this much smaller than its row's is a note, not its name
# A table continues on a page without a repeated header only if a row comes this early.
_CONTINUATION_LINES = 25
# Lines (a section's title) that may stand between a section's total and the next header.
_SECTION_TITLE = 2
# Rows read below a header to check its columns' roles by arithmetic.
_SAMPLE_LINES = 15
_MONEY_TOLERANCE = Decimal("0.011")
# A list of items with no table: a number, letter or bullet before each, amounts level.
_LIST_MARK = re.compile(r"\d{1,3}[.)]|[a-z][.)]|[•·*–-]")
_LEADING_MARK = re.compile(r"^(?:\d{1,3}[.)]|[a-z][.)]|[•·*–-])\s+")
_LIST_EDGE = 3.0  # points the amounts' right edges may differ
_MIN_LISTED = 2
# Quantity and price typed into a description, after it or around it.
_SAID_UNITS = (
    r"(?:ea|each|pcs?|ft|lf|sq\.?\s?ft|sf|cu\.?\s?yds?|cy|yds?|hrs?|hours?|lots?|ls|m|m2|m²|m3"
    r"|kg|t|tons?|days?|wks?|weeks?|sheets?|bags?|boxes|rolls?|gal|lbs?)"
)
_TYPED_PRICE = r"(?:[$€£]|[A-Z]{1,2}\$)?\s?(?P<price>\d[\d,.']*\d)"
_AT_PRICE_AFTER = re.compile(
    r"(?i)^(?P<desc>.+?)\s+[-–—,:]\s*(?P<qty>\d[\d,.']*)\s*(?:" + _SAID_UNITS + r"\.?\s*)?"
    r"[@×x]\s*" + _TYPED_PRICE + r"(?:\s*(?:each|ea\.?|/\s?\w+))?\s*$"
)
_FACTORS_LINE = re.compile(
    r"(?i)^\s*(?P<qty>\d[\d,.']*)\s*(?:"
    + _SAID_UNITS
    + r"\.?\s*)?[×x@*]\s*"
    + _TYPED_PRICE
    + r"(?:\s*(?:each|ea\.?|/\s?\w+))?\s*$"
)
_AT_PRICE_BEFORE = re.compile(
    r"(?i)^(?P<qty>\d[\d,.']*)\s*(?:"
    + _SAID_UNITS
    + r"\.?\s+)?(?P<desc>.+?)\s+@\s*"
    + _TYPED_PRICE
    + r"(?:\s*(?:each|ea\.?|/\s?\w+))?\s*$"
)


@dataclass(frozen=True, slots=True)
class LineItemsResult:
    """The line items found, one confidence for the table read, warnings, and per page number
    the y (points) where the item table ended, so totals are looked for below it."""

    items: tuple[LineItem, ...] = ()
    confidence: float = 0.0
    warnings: tuple[str, ...] = ()
    table_end: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Header:
    """A recognised item-table header: column layout, role per column, where it is."""

    layout: ColumnLayout
    roles: dict[Role, int]
    box: Box
    end: int  # index of the first line below the header band
    # A "Description" label under another column's: each row's description is the line under
    # its numbers (the upper line's text in that column is the item number).
    description_below: bool = False


@dataclass(frozen=True, slots=True)
class _Read:
    """What one body line says, field by field."""

    box: Box
    bold: bool = False
    size: float = 0.0  # the description's type size on a born-digital line (0: unknown)
    description: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    cost_code: str | None = None

    @property
    def has_numbers(self) -> bool:
        return any(v is not None for v in (self.quantity, self.unit_price, self.amount))

    @property
    def has_factors(self) -> bool:
        return self.quantity is not None or self.unit_price is not None


@dataclass
class _Draft:
    """A row being assembled from its lines."""

    read: _Read
    descriptions: list[str]
    last_text_y1: float


@dataclass
class _State:
    """Reading state carried across lines and pages."""

    header: _Header | None = None
    rows: list[_Read] = field(default_factory=list)
    draft: _Draft | None = None
    # Description lines printed above their row's numbers (cells aligned to the bottom).
    lead_in: list[str] = field(default_factory=list)
    finished: bool = False
    table_end: dict[int, float] = field(default_factory=dict)


def extract_line_items(pages: Sequence[Page]) -> LineItemsResult:
    """The pages of an invoice in, its line items (across page breaks) out."""
    state = _State()
    page_lines = [(page, group_lines(page.words)) for page in pages]
    for page, lines in page_lines:
        if state.finished:
            break
        _read_page(page, lines, state)
    _flush(state)
    if state.header is None:
        state = _read_without_vocabulary(page_lines)
    if state.header is None:
        state.rows = _amount_list(page_lines)
    items = tuple(_item(read) for read in state.rows)
    warnings = tuple(_check(index, read) for index, read in enumerate(state.rows, 1))
    return LineItemsResult(
        items=items,
        confidence=_confidence(state.rows),
        warnings=tuple(w for w in warnings if w),
        table_end=state.table_end,
    )


# --- the header -------------------------------------------------------------------------


def _read_page(page: Page, lines: Sequence[TextLine], state: _State) -> None:
    header = _find_header(page, lines)
    start: int | None = None
    if header is not None:
        state.header = header
        start = header.end
        state.table_end[page.number] = header.box.y1
    elif state.header is not None and (state.rows or state.draft):
        start = _first_anchor(lines, state)
    while start is not None and not state.finished:
        # Another item header further down the page (a second table) is read in turn.
        stopped = _read_body(page, lines[start:], state)
        if stopped is None:
            break
        rest = lines[start + stopped :]
        header = _find_header(page, rest)
        if header is None:
            break
        state.header = header
        start = start + stopped + header.end


def _find_header(page: Page, lines: Sequence[TextLine]) -> _Header | None:
    """The first item-table header on a page: its band of label lines, columns and roles."""
    for index in range(len(lines)):
        # Cutting a sidebar off only removes labels: a line that names no item header as it
        # is names none once cut, so only such lines are looked at closer.
        printed = _label_roles(lines[index], allowed_numbers=len(lines[index].words))
        if printed is None:
            continue
        above = _roles_above(lines, index)  # the upper line of a two-line header
        if not _is_item_header(printed | above) or _fuller_below(lines, index, printed):
            continue
        left, right = _label_span(lines[index], lines[index + 1 : index + 1 + _SAMPLE_LINES])
        line = _clip(lines[index], left, right)
        line_roles = None if line is None else _label_roles(line, allowed_numbers=1)
        if line is None or line_roles is None or not _is_item_header(line_roles | above):
            continue
        # A side panel printed level with the header ("Delivery address"), or above or under
        # it well apart ("Client PO" in a sidebar), is no part of it.
        in_band = partial(_labels_between, left=left, right=right, main=line.box)
        first, end = header_band(lines, index, in_band)
        clipped = [
            line if at == index else _clip(lines[at], left, right) for at in range(first, end)
        ]
        band = [other for other in clipped if other is not None]
        columns = _bilingual(header_columns(band, line, _split_label))
        box = band[0].box
        for line in band[1:]:
            box = box.union(line.box)
        layout = ColumnLayout(columns, vertical_bounds(page, box))
        found = [label_role(c.label) or label_role(c.main) for c in columns]
        resolved = _resolve_roles(found, columns)
        if resolved.get(Role.DESCRIPTION) == len(columns) - 1:
            # Descriptions set last run on past their label, to the page's margin.
            box = Box(box.x0, box.y0, max(box.x1, page.width - _TABLE_MARGIN), box.y1)
        if _is_item_header(set(resolved)):
            named = {i for i, role in enumerate(found) if role in _NOT_FACTORS}
            body = [_within_table(line, box) for line in lines[end : end + _SAMPLE_LINES]]
            checked = _checked_roles(resolved, named, layout, [b for b in body if b])
            under = _description_below(lines, end, layout, checked, box)
            if under is not None:
                return _Header(layout, {**checked, Role.DESCRIPTION: under}, box, end + 1, True)
            return _Header(layout, checked, box, end)
    return None


def _description_below(
    lines: Sequence[TextLine], end: int, layout: ColumnLayout, roles: dict[Role, int], box: Box
) -> int | None:
    """The column under whose label a lone "Description" label is set, on the line right under
    a header that names no description column (a supply-house ticket: item number on the
    row's line, its description on the line under it); None when there is none."""
    if Role.DESCRIPTION in roles or end >= len(lines):
        return None
    line = lines[end]
    if len(segments(line.words)) != 1 or not is_strong_description(line.text):
        return None
    if line.box.y0 - box.y1 > _JOIN_GAP * line.box.height:
        return None
    column = column_of(line.box, layout)
    label = layout.columns[column].box
    return column if abs(line.box.x0 - label.x0) <= _SIDE_GAP else None


def _bilingual(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """A label cut after its slash or ampersand ("Qty /" beside "Qté", "Item &" beside
    "Description") is one column (in two languages, or of two things)."""
    merged: list[Column] = []
    for column in columns:
        previous = merged[-1] if merged else None
        if previous is not None and previous.label.rstrip().endswith(("/", "&")):
            merged[-1] = Column(
                f"{previous.label} {column.label}",
                previous.box.union(column.box),
                f"{previous.main} {column.main}".strip(),
            )
        else:
            merged.append(column)
    return tuple(merged)


def _roles_above(lines: Sequence[TextLine], index: int) -> set[Role]:
    """The roles named by the line stacked right above this one (none when there is none)."""
    if index == 0 or not stacked(lines[index - 1], lines[index]):
        return set()
    above = lines[index - 1]
    return _label_roles(above, allowed_numbers=0) or set()


def _fuller_below(lines: Sequence[TextLine], index: int, roles: set[Role]) -> bool:
    """Whether the next line, stacked under this one, names more columns: the main line of a
    two-line header ("Unit price" / "Amount" over "Pos.  Description ... Quantity  Unit")."""
    if index + 1 >= len(lines) or not stacked(lines[index], lines[index + 1]):
        return False
    below = lines[index + 1]
    named = _label_roles(below, allowed_numbers=len(below.words))
    return named is not None and _is_item_header(named | roles) and len(named) > len(roles)


def _labels_between(line: TextLine, left: float, right: float, main: Box) -> bool:
    """Whether a line stacked on a header line reads as more of its column labels: label
    text, under or beside the header line's labels, or naming item columns of its own (the
    upper line "Ln  Part Number  Description" of an ERP print's two-line header)."""
    clipped = _clip(line, left, right)
    if clipped is None or not _is_label_line(clipped):
        return False
    if clipped.box.x1 >= main.x0 - _BAND_REACH and clipped.box.x0 <= main.x1 + _BAND_REACH:
        return True
    return bool((_label_roles(clipped, allowed_numbers=0) or set()) - {Role.DATE})


def _label_span(line: TextLine, below: Sequence[TextLine]) -> tuple[float, float]:
    """Where a line's column labels run: a header field printed at either end of the same
    line ("P.O. J1095-PO-039" in a sidebar beside the item table) is left out of it."""
    pieces = segments(line.words)
    first, last = 0, len(pieces)
    while first < last - 1 and _side_field(pieces[first], pieces[first + 1], below):
        first += 1
    while last - 1 > first and _side_field(pieces[last - 1], pieces[last - 2], below):
        last -= 1
    # Only a side that lost a piece is bounded: stacked labels may reach past the line's ends.
    left = pieces[first][0].box.x0 - 1.0 if first > 0 else -math.inf
    right = pieces[last - 1][-1].box.x1 + 1.0 if last < len(pieces) else math.inf
    return left, right


def _side_field(
    piece: Sequence[Word], neighbour: Sequence[Word], below: Sequence[TextLine]
) -> bool:
    """A piece of a header line that is no column label: a header field's label or value,
    set well apart from the labels beside it ("DATE" over a sidebar's date is no column of
    dates when what stands under it is mostly not dates)."""
    text = " ".join(w.text for w in piece)
    gap = max(neighbour[0].box.x0 - piece[-1].box.x1, piece[0].box.x0 - neighbour[-1].box.x1)
    if gap < _SIDE_GAP:
        return False
    role = label_role(text)
    if role is Role.DATE:
        return not _dates_under(box_of(piece), below)
    if role is not None:
        return False
    if any(ch.isdigit() for ch in text):
        return True
    hits = find_labels(text)
    return bool(hits) and hits[0].start <= 1 and hits[0].label.field in _HEADER_FIELDS


def _dates_under(label: Box, below: Sequence[TextLine]) -> bool:
    """Whether most item rows (lines printing money) hold a date under a "Date" label: a
    column of dates, not a sidebar's date label beside the table."""
    texts = [
        " ".join(w.text for w in line.words if w.box.x1 > label.x0 - 2 and w.box.x0 < label.x1)
        for line in below
        if _MONEY_WORD.search(line.text)
    ]
    texts = [text for text in texts if text]
    dated = sum(1 for text in texts if (found := find_dates(text)) and found[0].start == 0)
    return bool(texts) and dated >= _DATED_SHARE * len(texts)


def _checked_roles(
    roles: dict[Role, int], named: set[int], layout: ColumnLayout, body: Sequence[TextLine]
) -> dict[Role, int]:
    """The labels' roles, corrected when the first rows' arithmetic says the quantity and unit
    price are in other columns (an "Amount" column holding quantities, unknown labels). The
    `named` columns (item numbers, tax rates ...) are never taken for factors."""
    grid: _Grid = []
    sample: _Grid = []  # rows with any number: enough to tell a column of cost codes
    closed = False
    for line in body[:_SAMPLE_LINES]:
        if _TOTALS.match(line.text):
            break
        row = {c.column: c.text for c in assign_cells(line.words, layout)}
        numbers = sum(map(is_numeric, row.values()))
        if numbers == 0 and sample:
            closed = True  # the sample ends at the first row without numbers (totals follow)
        if numbers >= 1 and not closed:
            sample.append(row)
        if numbers >= 2:
            grid.append(row)
    if len(grid) < 2:
        return _with_cost_codes(roles, sample, layout.columns)
    numeric = [
        i for i in range(len(layout.columns)) if i not in named and _column_is_numeric(i, grid)
    ]
    roles = _with_unit(_arithmetic_roles(roles, grid, numeric), layout.columns, grid)
    return _with_cost_codes(roles, sample, layout.columns)


def _with_cost_codes(
    roles: dict[Role, int], grid: _Grid, columns: Sequence[Column]
) -> dict[Role, int]:
    """A column labelled "Code" or not at all whose cells are CSI codes holds cost codes (an
    "Equip. #" or "Part No." column of numbers shaped alike numbers things, not costs)."""
    if Role.COST_CODE in roles:
        return roles
    used = {i for role, i in roles.items() if role is not Role.ITEM_NUMBER}
    used |= {i for i, column in enumerate(columns) if _NAMES_A_THING.search(column.label)}
    for index in sorted({i for row in grid for i in row} - used):
        texts = [row[index] for row in grid if index in row]
        codes = sum(1 for t in texts if _CSI.fullmatch(t))
        # Most cells, not all: a totals row under the table may land in the sample.
        if codes and codes >= 0.7 * len(texts):
            kept = {r: i for r, i in roles.items() if i != index}
            return {**kept, Role.COST_CODE: index}
    return roles


def _header_roles(line: TextLine) -> set[Role] | None:
    """The roles a line names when it reads as an item-table header row, else None."""
    roles = _label_roles(line, allowed_numbers=1)
    return roles if roles is not None and _is_item_header(roles) else None


def _header_like(line: TextLine) -> bool:
    """A row of column labels (any table's): two or more known roles, no numbers."""
    roles = _label_roles(line, allowed_numbers=0)
    return roles is not None and len(roles) >= 2 and bool(roles & _CORE)


def _label_roles(line: TextLine, allowed_numbers: int) -> set[Role] | None:
    """The roles of the labels a line prints (None for a line too long or too numeric)."""
    words = line.words
    if len(words) > 24:
        return None
    # Every line of every page comes through here: the count is skipped when it cannot fail.
    if allowed_numbers < len(words) and sum(is_numeric(w.text) for w in words) > allowed_numbers:
        return None
    roles: set[Role] = set()
    for segment in segments(words):
        roles |= _segment_roles(tuple([w.text for w in segment]))
    return roles


def _is_item_header(roles: set[Role]) -> bool:
    core = roles & _CORE
    return len(core) >= 2 and bool(core & {Role.AMOUNT, Role.UNIT_PRICE})


def _is_label_line(line: TextLine) -> bool:
    return not any(is_numeric(w.text) for w in line.words) and len(line.words) <= 24


def _split_label(words: list[Word]) -> list[list[Word]]:
    """A header segment holding several known labels ("Qty Unit Price") cut into labels;
    unknown words stay with the label before them (or after, at the start)."""
    if len(words) == 1:
        return [words]
    return [words[start:end] for start, end in _label_cuts(tuple([w.text for w in words]))]


@lru_cache(maxsize=4096)
def _segment_roles(texts: tuple[str, ...]) -> frozenset[Role]:
    """The roles of the labels a header segment of these word texts prints."""
    found = (label_role(" ".join(texts[start:end])) for start, end in _label_cuts(texts))
    return frozenset(role for role in found if role is not None)


@lru_cache(maxsize=4096)
def _label_cuts(texts: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Where `_split_label` cuts a segment of these word texts: (start, end) word indices.
    Kept: the header search asks about the same segments as the column reading."""
    if len(texts) == 1:
        return ((0, 1),)
    labels: list[tuple[int, int]] = []
    known: list[bool] = []
    index = 0
    while index < len(texts):
        span = _longest_label(texts, index)
        labels.append((index, index + max(span, 1)))
        known.append(span > 0)
        index += max(span, 1)
    return _merge_unknown(labels, known)


def _longest_label(texts: Sequence[str], index: int) -> int:
    """How many words from `index` make the longest known label (0: none)."""
    head = label_role(texts[index])
    for span in (4, 3, 2):
        if index + span <= len(texts):
            role = label_role(" ".join(texts[index : index + span]))
            if _runs_into_another_label(texts, index, span, role):
                continue  # "PRICE/UM DESCRIPTION", "Rate Part No.": two labels a space apart
            if role is Role.DESCRIPTION and "/" in texts[index + 1 : index + span - 1]:
                return span  # "Phase / Description": one column, named two ways
            allowed = _PHRASE_HEADS.get(head, {head}) if head is not None else {role}
            # "Work Date", "Service Date": a phrase ending in a date names a date column.
            if role is not None and (role in allowed or role is Role.DATE):
                return span
    return 1 if head is not None else 0


def _runs_into_another_label(
    texts: Sequence[str], index: int, span: int, role: Role | None
) -> bool:
    """Whether words inside a phrase start a description or item-number label of their own
    while the phrase names another role (its first word's "price" or "rate" read it all):
    "PRICE/UM DESCRIPTION", "Rate Part No." are two labels a space apart."""
    for start in range(index + 1, index + span):
        for end in range(max(start + 1, index + span), min(len(texts), start + 3) + 1):
            if end - start < 2 and not is_strong_description(texts[start]):
                continue  # one word alone ("No.", "Item") is too weak to cut on
            tail = label_role(" ".join(texts[start:end]))
            if tail in (Role.DESCRIPTION, Role.ITEM_NUMBER) and tail is not role:
                return True
    return False


def _merge_unknown(labels: list[tuple[int, int]], known: list[bool]) -> tuple[tuple[int, int], ...]:
    if sum(known) <= 1:
        return ((labels[0][0], labels[-1][1]),)
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # where unknown words before the first label start
    for (start, end), is_known in zip(labels, known, strict=True):
        if is_known:
            merged.append((start if pending is None else pending, end))
            pending = None
        elif merged:
            merged[-1] = (merged[-1][0], end)
        elif pending is None:
            pending = start
    return tuple(merged)


def _resolve_roles(found: list[Role | None], columns: Sequence[Column]) -> dict[Role, int]:
    """One column per role: the rightmost amount and price, the description that names
    itself ("Description" beside "Item"), else the first column naming a role."""
    by_role: dict[Role, list[int]] = {}
    for index, role in enumerate(found):
        if role is not None:
            by_role.setdefault(role, []).append(index)
    roles: dict[Role, int] = {role: indices[0] for role, indices in by_role.items()}
    for role in (Role.AMOUNT, Role.UNIT_PRICE):
        if role in by_role:
            roles[role] = by_role[role][-1]
    if Role.DESCRIPTION in by_role:
        described = by_role[Role.DESCRIPTION]
        strong = [i for i in described if is_strong_description(columns[i].label)]
        # "Item" beside "Material" or "Scope" numbers the item; the other column describes it.
        named = [i for i in described if normalise_label(columns[i].label) not in _ITEM_WORDS]
        roles[Role.DESCRIPTION] = (strong or named or described)[0]
    return roles


# --- a table whose labels are not vocabulary ------------------------------------------


def _read_without_vocabulary(page_lines: Sequence[tuple[Page, list[TextLine]]]) -> _State:
    """No known header anywhere: find a block of rows whose numbers line up in columns, and
    name the columns by arithmetic (quantity x unit price = amount on most rows)."""
    state = _State()
    for page, lines in page_lines:
        if state.finished:
            break
        if state.header is None:
            found = _aligned_header(lines)
            if found is None:
                continue
            state.header = found
            _read_body(page, lines[found.end :], state)
        else:
            start = _first_anchor(lines, state)
            if start is not None:
                _read_body(page, lines[start:], state)
    _flush(state)
    return state


def _amount_list(page_lines: Sequence[tuple[Page, list[TextLine]]]) -> list[_Read]:
    """No table at all: a list of items, each a line of text (after an optional "1." or
    bullet) ending in one amount at a shared right edge, as a letter lists them. Taken only
    when the amounts add up to a subtotal or total printed under the list."""
    for _page, lines in page_lines:
        rows: list[_Read] = []
        edge: float | None = None
        for index, line in enumerate(lines):
            item = _listed_item(line)
            if item is not None and (edge is None or abs(item.box.x1 - edge) <= _LIST_EDGE):
                rows.append(item)
                edge = item.box.x1
                continue
            if rows and item is None and not _names_total(line.text) and not _amount_in(line):
                last = rows[-1]
                if line.box.y0 - last.box.y1 < _JOIN_GAP * line.box.height:
                    rows[-1] = replace(last, description=f"{last.description} {line.text}")
                    continue
            if len(rows) >= _MIN_LISTED and _sum_printed(rows, lines[index : index + 6]):
                return rows
            rows, edge = [], None
    return []


def _listed_item(line: TextLine) -> _Read | None:
    pieces = segments(line.words)
    if pieces and len(pieces) > 2 and _LIST_MARK.fullmatch(" ".join(w.text for w in pieces[0])):
        pieces = pieces[1:]
    if len(pieces) != 2:
        return None
    text = _LEADING_MARK.sub("", " ".join(w.text for w in pieces[0])).rstrip(". ")
    last = " ".join(w.text for w in pieces[1])
    amount = parse_amount(last)
    if amount is None or not _MONEY_WORD.search(last) or not any(c.isalpha() for c in text):
        return None
    if _names_total(text):
        return None
    return _Read(box=line.box, description=text, amount=amount)


def _amount_in(line: TextLine) -> bool:
    return any(_MONEY_WORD.search(word.text) for word in line.words)


def _sum_printed(rows: Sequence[_Read], below: Sequence[TextLine]) -> bool:
    """Whether a line under the list prints the sum of its amounts."""
    total = sum((row.amount or Decimal(0) for row in rows), Decimal(0))
    for line in below:
        for word in line.words:
            value = parse_amount(word.text) if _MONEY_WORD.search(word.text) else None
            if value is not None and abs(value - total) <= _MONEY_TOLERANCE:
                return True
    return False


def _aligned_header(lines: Sequence[TextLine]) -> _Header | None:
    block = _numeric_block(lines)
    if block is None:
        return None
    first, rows = block
    columns = aligned_columns(rows)
    roles = _roles_by_arithmetic(columns, rows)
    if roles is None:
        return None
    return _Header(ColumnLayout(columns), roles, rows[0].box, first)


def _numeric_block(lines: Sequence[TextLine]) -> tuple[int, list[TextLine]] | None:
    """The longest run of lines (continuations allowed between them) that start with text and
    end in a number at the same right edge: (index of its first line, its numbered lines)."""
    best: tuple[int, list[TextLine]] | None = None
    run: list[TextLine] = []
    start, gap = 0, 0
    for index, line in enumerate(lines):
        edge = _row_edge(line)
        if edge is not None and run and abs(edge - (_row_edge(run[0]) or 0.0)) <= 3.0:
            run.append(line)
            gap = 0
            continue
        if edge is None and run and gap < 2 and not _TOTALS.match(line.text):
            gap += 1
            continue
        if len(run) >= 2 and (best is None or len(run) > len(best[1])):
            best = (start, run)
        run, start, gap = ([line], index, 0) if edge is not None else ([], index, 0)
    if len(run) >= 2 and (best is None or len(run) > len(best[1])):
        best = (start, run)
    return best


def _row_edge(line: TextLine) -> float | None:
    """The right edge of a line that reads like an item row: text first, numbers last."""
    pieces = segments(line.words)
    if len(pieces) < 3:
        return None
    first = " ".join(w.text for w in pieces[0])
    last = " ".join(w.text for w in pieces[-1])
    if is_numeric(first) or not is_numeric(last) or not any(c.isalpha() for c in first):
        return None
    return pieces[-1][-1].box.x1


# A table read as text: per row, the cell text by column index.
_Grid = list[dict[int, str]]


def _grid(rows: Sequence[TextLine], layout: ColumnLayout) -> _Grid:
    return [{c.column: c.text for c in assign_cells(row.words, layout)} for row in rows]


def _roles_by_arithmetic(
    columns: Sequence[Column], rows: Sequence[TextLine]
) -> dict[Role, int] | None:
    """Roles for unlabelled columns: the wordiest text describes, the last number is the
    amount, and two numbers whose product is the amount are quantity and price."""
    grid = _grid(rows, ColumnLayout(tuple(columns)))
    numeric = [i for i in range(len(columns)) if _column_is_numeric(i, grid)]
    texts = [i for i in range(len(columns)) if i not in numeric]
    if len(numeric) < 3 or not texts:
        return None
    wordiest = max(texts, key=lambda i: sum(len(row.get(i, "")) for row in grid))
    roles = _arithmetic_roles({Role.DESCRIPTION: wordiest}, grid, numeric)
    if Role.QUANTITY not in roles:
        return None
    return _with_cost_codes(_with_unit(roles, columns, grid), grid, columns)


def _arithmetic_roles(roles: dict[Role, int], grid: _Grid, numeric: list[int]) -> dict[Role, int]:
    """The roles with quantity and unit price (and the amount when unnamed) set to the numeric
    columns whose product is the amount on most rows; unchanged when none are."""
    amount = roles.get(Role.AMOUNT, numeric[-1] if numeric else -1)
    others = [i for i in numeric if i != amount and i != roles.get(Role.DESCRIPTION)]
    pairs = [(q, p) for q in others for p in others if q != p]
    current = (roles.get(Role.QUANTITY), roles.get(Role.UNIT_PRICE))
    pairs.sort(key=lambda pair: pair != current)  # the printed labels' reading first
    for quantity, price in pairs:
        if _products_hold(grid, quantity, price, amount):
            kept = {r: i for r, i in roles.items() if i not in (quantity, price, amount)}
            return {**kept, Role.QUANTITY: quantity, Role.UNIT_PRICE: price, Role.AMOUNT: amount}
    return roles


def _with_unit(roles: dict[Role, int], columns: Sequence[Column], grid: _Grid) -> dict[Role, int]:
    """An unnamed column of short words right of the description is the unit column."""
    if Role.UNIT in roles or Role.DESCRIPTION not in roles:
        return roles
    used = set(roles.values())
    left = columns[roles[Role.DESCRIPTION]].box.x1
    for index, column in enumerate(columns):
        if index in used or column.box.x0 < left:
            continue
        texts = [row[index] for row in grid if index in row]
        if texts and all(_UNIT_WORD.fullmatch(t) for t in texts):
            return {**roles, Role.UNIT: index}
    return roles


def _column_is_numeric(index: int, grid: _Grid) -> bool:
    values = [row[index] for row in grid if index in row]
    numbers = sum(_leading_number(v) is not None for v in values)
    return len(values) >= 2 and numbers >= 0.8 * len(values)


@lru_cache(maxsize=4096)
def _leading_number(text: str) -> Decimal | None:
    """The number a cell prints, or the number it starts with ("12 EA"). Kept: each pair of
    candidate columns reads the same sample cells again."""
    if not any(ch.isdigit() for ch in text) or "%" in text:
        return None
    value = parse_amount(text)
    return value if value is not None else parse_amount(text.split()[0])


def _products_hold(grid: _Grid, quantity: int, price: int, amount: int) -> bool:
    hits = 0
    for row in grid:
        q, p, a = (_leading_number(row.get(i, "")) for i in (quantity, price, amount))
        if q is not None and p is not None and a is not None:
            hits += abs(q * p - a) <= max(_MONEY_TOLERANCE, abs(q) * Decimal("0.005"))
    return hits >= max(2, 0.6 * len(grid))


# --- the body ---------------------------------------------------------------------------


def _first_anchor(lines: Sequence[TextLine], state: _State) -> int | None:
    """On a page without a repeated header: the first line that is clearly an item row, when
    it comes within a few lines of the top; a totals line or another table's header first
    means the table had ended."""
    assert state.header is not None
    for index, line in enumerate(lines[:_CONTINUATION_LINES]):
        read = _read_line(line, state.header)
        if _totals_labels(line, read):
            break
        if _FOOTER.search(line.text) or _is_running_total(line.text, read):
            continue
        if _is_totals(line, read, state.header) or _header_like(line):
            break
        if read.description and _is_complete(read, state.header):
            return index
    state.finished = True
    return None


def _read_body(page: Page, lines: Sequence[TextLine], state: _State) -> int | None:
    """Body lines into rows until the table ends; the index of another item-table header
    when that is what ended it."""
    assert state.header is not None
    for index, printed in enumerate(lines):
        line = _within_table(printed, state.header.box)
        if line is None:
            continue
        text = line.text
        if _FOOTER.search(text):
            continue
        if _header_like(line):
            if _header_roles(line) is not None:
                return index
            state.finished = True
            return None
        read = _read_line(line, state.header)
        if _is_carried(text, read):
            continue  # "Page subtotal", "Subtotal brought forward": the table goes on
        if _is_totals(line, read, state.header):
            if _next_section(page, lines, index):
                return index + 1  # "Total Parts" over a LABOR table: a section's total
            state.finished = True
            return None
        if _is_running_total(text, read):
            continue
        if _leads_in(line, read, lines, index, state) or _over_bare_numbers(
            read, lines, index, state
        ):
            state.lead_in.append(read.description or "")
            continue
        if _take(read, state):
            state.table_end[page.number] = max(state.table_end.get(page.number, 0.0), line.box.y1)
    return None


def _next_section(page: Page, lines: Sequence[TextLine], index: int) -> bool:
    """Whether a totals line closes a section rather than the table: another item-table
    header follows within a line or two (the next section's title) on the same page."""
    if not any(_header_like(line) for line in lines[index + 1 : index + 2 + _SECTION_TITLE]):
        return False  # the cheap test first: most totals blocks have no labels row below
    header = _find_header(page, lines[index + 1 :])
    if header is None:
        return False
    before = [line for line in lines[index + 1 :] if line.box.y1 <= header.box.y0 + 0.5]
    return len(before) <= _SECTION_TITLE


def _leads_in(
    line: TextLine, read: _Read, lines: Sequence[TextLine], index: int, state: _State
) -> bool:
    """Whether a line of description only belongs to the row printed under it: it sits
    closer to the next line than to the row above, and the lines under it reach a row's
    numbers (a table whose cells are aligned to the bottom of a wrapped description)."""
    if read.has_numbers or not read.description or state.header is None:
        return False
    if state.lead_in:
        return True  # the next line of a description already waiting for its numbers
    if read.bold:
        return False  # a section's heading
    if state.draft is not None and 0 < read.size < _NOTE_SIZE * state.draft.read.size:
        return False  # small type under a row: a note on it ("Hour Meter Out: 300.9")
    described = state.header.roles.get(Role.DESCRIPTION)
    if any(cell.column != described for cell in assign_cells(line.words, state.header.layout)):
        return False  # words in other columns: a row of its own (labels, a note), not a wrap
    after = [_within_table(line, state.header.box) for line in lines[index + 1 : index + 4]]
    below = [line for line in after if line is not None]
    if not below:
        return False
    gap_below = below[0].box.y0 - read.box.y1
    # (the first row's wrapped description starts under the header, not under a row)
    above = state.header.box.y1 if state.draft is None else state.draft.last_text_y1
    if gap_below >= read.box.y0 - above - _LEAD_IN_MARGIN:
        return False
    return _reaches_a_row(read, below, state.header)


def _reaches_a_row(read: _Read, below: Sequence[TextLine], header: _Header) -> bool:
    """Whether the lines under a description-only line, set tight as one cell's, run down
    to a row's numbers."""
    previous = read.box
    for other in below:
        if other.box.y0 - previous.y1 > _JOIN_GAP * other.box.height:
            return False  # the lines down to the numbers must be set tight, as one cell's are
        ahead = _read_line(other, header)
        if 0 < ahead.size < _NOTE_SIZE * read.size or _names_total(other.text):
            return False  # a note in small type, a page total: no row this line could name
        if ahead.has_numbers:
            return _is_anchor(ahead, header)
        if not ahead.description:
            return False
        previous = other.box
    return False


def _over_bare_numbers(read: _Read, lines: Sequence[TextLine], index: int, state: _State) -> bool:
    """Whether a description line is the upper line of a two-line row (ERP prints: number,
    part and description above, the row's numbers indented on the line under it): the line
    right under it starts a row but describes nothing, and it sits closer to that line than
    to the row above."""
    if read.has_numbers or not read.description or read.bold or state.header is None:
        return False
    below = next((b for b in map(_within_table, lines[index + 1 : index + 2],
                                 [state.header.box]) if b is not None), None)  # fmt: skip
    if below is None:
        return False
    gap_below = below.box.y0 - read.box.y1
    if gap_below > _JOIN_GAP * below.box.height:
        return False
    draft = state.draft  # (a draft below the line: the row above is on the page before)
    if draft is not None and draft.read.box.y0 <= read.box.y0 <= draft.last_text_y1 + gap_below:
        return False
    ahead = _read_line(below, state.header)
    if ahead.description is not None or not _is_anchor(ahead, state.header):
        return False
    return not (_names_total(below.text) or _is_running_total(below.text, ahead))


def _within_table(line: TextLine, header: Box) -> TextLine | None:
    """The part of a line under the item table's header: a sidebar or margin note printed
    on the same line as a row is not part of it (None when nothing of the line is)."""
    return _clip(line, header.x0 - _TABLE_MARGIN, header.x1 + _TABLE_MARGIN)


def _clip(line: TextLine, left: float, right: float) -> TextLine | None:
    """The words of a line standing between `left` and `right` (None when there are none)."""
    words = tuple(w for w in line.words if w.box.x1 > left and w.box.x0 < right)
    if len(words) == len(line.words):
        return line
    if not words:
        return None
    box = words[0].box
    for word in words[1:]:
        box = box.union(word.box)
    return TextLine(words, box)


def _is_carried(text: str, read: _Read) -> bool:
    """A page's running total carried to or from the next page (no row of the table)."""
    no_row = read.quantity is None and read.unit_price is None
    return no_row and bool(_CONTINUED.search(text))


def _is_running_total(text: str, read: _Read) -> bool:
    """A carried-forward, continued or group-subtotal line: no row, but the table goes on."""
    if read.quantity is not None or read.unit_price is not None:
        return False
    return bool(_CONTINUED.search(text) or _SECTION_TOTAL.search(text) or _DAY_TOTAL.match(text))


def _take(read: _Read, state: _State) -> bool:
    """Fold one line into the rows; True when it became part of the table."""
    draft = state.draft
    if read.has_numbers:
        if draft is not None and _spills_into(draft, read):
            draft.read = _fill(draft.read, read)
            if read.description:
                _append(draft.descriptions, read.description)
                draft.last_text_y1 = read.box.y1
            return True
        if _is_anchor(read, state.header):
            _flush(state)
            descriptions = [*state.lead_in, *([read.description] if read.description else [])]
            state.lead_in = []
            state.draft = _Draft(read, descriptions, read.box.y1)
            return True
        return False  # numbers that neither start nor complete a row: a note under it
    if read.description and draft is not None and _factors_under(draft, read.description):
        return True
    if read.description and draft is not None and _continues(draft, read):
        _append(draft.descriptions, read.description)
        draft.last_text_y1 = read.box.y1
        return True
    return False


def _factors_under(draft: _Draft, text: str) -> bool:
    """A line under a row that only says its quantity times its price ("1,665 × $2.00", as
    phone-app invoices print it) fills those in when their product is the row's amount."""
    row = draft.read
    match = _FACTORS_LINE.match(text)
    if match is None or row.amount is None or row.has_factors:
        return False
    factors = _factors_of(match, row.amount)
    if factors is None:
        return False
    draft.read = replace(row, quantity=factors[0], unit_price=factors[1])
    return True


def _factors_of(match: re.Match[str], amount: Decimal) -> tuple[Decimal, Decimal] | None:
    """The quantity and price a printed "qty ... price" says, when their product is `amount`."""
    quantity, price = parse_amount(match["qty"]), parse_amount(match["price"])
    if quantity is None or price is None or abs(quantity * price - amount) > _MONEY_TOLERANCE:
        return None
    return quantity, price


def _is_complete(read: _Read, header: _Header) -> bool:
    """Every number column the table has is filled on this line."""
    pairs = (
        (Role.QUANTITY, read.quantity),
        (Role.UNIT_PRICE, read.unit_price),
        (Role.AMOUNT, read.amount),
    )
    return all(value is not None for role, value in pairs if role in header.roles)


def _is_anchor(read: _Read, header: _Header | None) -> bool:
    """A line that starts a row: it prints the amount (or, in a table without an amount
    column, a price), or both quantity and unit price with the amount to follow."""
    if read.quantity is not None and read.unit_price is not None:
        return True
    if header is not None and Role.AMOUNT not in header.roles:
        return read.unit_price is not None
    return read.amount is not None


def _append(descriptions: list[str], text: str) -> None:
    """A continuation line joins the description; a word broken at a hyphen is rejoined."""
    if descriptions and descriptions[-1].endswith("-") and not descriptions[-1].endswith(" -"):
        descriptions[-1] += text
    else:
        descriptions.append(text)


def _spills_into(draft: _Draft, read: _Read) -> bool:
    """Numbers on a line just below a row, in columns that row left empty, belong to it."""
    gap = read.box.y0 - draft.read.box.y1
    if gap > read.box.height:
        return False
    pairs = ((draft.read.quantity, read.quantity), (draft.read.unit_price, read.unit_price),
             (draft.read.amount, read.amount))  # fmt: skip
    return all(old is None for old, new in pairs if new is not None)


def _fill(old: _Read, new: _Read) -> _Read:
    return replace(
        old,
        box=old.box.union(new.box),
        quantity=old.quantity if old.quantity is not None else new.quantity,
        unit=old.unit or new.unit,
        unit_price=old.unit_price if old.unit_price is not None else new.unit_price,
        amount=old.amount if old.amount is not None else new.amount,
        cost_code=old.cost_code or new.cost_code,
    )


def _continues(draft: _Draft, read: _Read) -> bool:
    """A text line close under a row continues its description; a bold line under a plain
    row is a section heading, and a line printing a money amount is a note."""
    if read.bold and not draft.read.bold:
        return False
    typed_on = bool(draft.descriptions) and draft.descriptions[-1].rstrip().endswith("@")
    if read.description and _MONEY_WORD.search(read.description) and not typed_on:
        return False  # "Gross price: 59.50" under a row is a note on it, not its name
    if 0 < read.size < _NOTE_SIZE * draft.read.size:
        return False  # "Delivery ticket 40642" in small type under a row is a note on it
    if (
        read.description
        and _CAPS_HEADING.match(read.description)
        and any(ch.islower() for text in draft.descriptions for ch in text)
    ):
        return False  # "CONSTRUCTION DOCUMENTS (10% complete)" under a row in mixed case
    gap = read.box.y0 - max(draft.last_text_y1, draft.read.box.y0)
    return gap <= _JOIN_GAP * read.box.height


def _flush(state: _State) -> None:
    draft = state.draft
    if draft is None:
        return
    # A trailing colon introduces detail that was not printed; it is not part of the name.
    description = " ".join(draft.descriptions).rstrip(":").strip() or None
    state.draft = None
    if description is None and state.header and Role.DESCRIPTION in state.header.roles:
        return  # numbers without a description under a described table: a totals-block line
    read = draft.read
    if read.quantity == 0 and not read.amount:
        return  # a back-ordered line: none shipped, nothing billed
    state.rows.append(_typed_in(replace(read, description=description)))


def _typed_in(read: _Read) -> _Read:
    """A row whose quantity and price are typed into its description ("5/8 in drywall - 12 ea
    @ $14.50", "12 ea 5/8 in drywall @ $14.50 each") in a table with no column for them: the
    two read out of the text when their product is the row's amount."""
    if read.description is None or read.amount is None or read.has_factors:
        return read
    match = _AT_PRICE_AFTER.match(read.description) or _AT_PRICE_BEFORE.match(read.description)
    if match is None:
        return read
    factors = _factors_of(match, read.amount)
    if factors is None or not all(factors):
        return read
    quantity, price = factors
    return replace(read, description=match["desc"].strip(), quantity=quantity, unit_price=price)


def _totals_labels(line: TextLine, read: _Read) -> bool:
    """A row of totals labels (over a row of their amounts): two or more, and no numbers."""
    if read.has_numbers:
        return False
    pieces = segments(line.words)
    return sum(1 for p in pieces if _TOTALS.match(" ".join(w.text for w in p))) >= 2


def _names_total(text: str) -> bool:
    """Whether a text starts with a totals-block label ("Subtotal", "Work completed this
    period", "Less: Holdback 10%")."""
    if _TOTALS.match(text) or _TAX_AT_RATE.search(text):
        return True
    hits = find_labels(text)
    return bool(hits) and hits[0].start <= 1 and _totals_label(hits[0].label)


def _totals_label(label: Label) -> bool:
    return label.field in _TOTALS_FIELDS and label.weight >= _SURE_TOTALS_LABEL


def _is_totals(line: TextLine, read: _Read, header: _Header) -> bool:
    """A totals-block line: a totals word where a row would not print one, and no quantity or
    unit price beside it."""
    if _DAY_TOTAL.match(line.text):
        return False  # "Total 08/15/2025: 41,127.45": one day's total, the table goes on
    opens_with_total = _names_total(line.text)
    has_factors = read.quantity is not None or read.unit_price is not None
    if has_factors and not opens_with_total:
        return False  # an item row (the most common line): no pieces to look at
    pieces = segments(line.words)
    named = [p for p in pieces if _names_total(" ".join(w.text for w in p))]
    if opens_with_total and len(named) >= 2:
        return True  # "SUBTOTAL: 77,715.72 | GST (6.875%): 5,342.96 | TOTAL: ..." in a row
    if has_factors:
        return False
    description = header.roles.get(Role.DESCRIPTION)
    if _totals_labels(line, read):
        return True
    for position, piece in enumerate(pieces):
        if not any(piece is p for p in named):
            continue
        if position == 0 and (len(line.words) <= 3 or read.amount is not None):
            return True
        if column_of(piece[0].box, header.layout) != description:
            return True
        if read.amount is not None and _label_beside_amount(pieces, position):
            return True  # "Merchandise  $94,336.45" beside a note under the table
    return False


def _label_beside_amount(pieces: Sequence[Sequence[Word]], position: int) -> bool:
    """Whether a short totals label is the last words of its line before the amount, with
    other text to its left: a totals block set beside a note."""
    label = pieces[position]
    after = pieces[position + 1 :]
    return (
        position > 0
        and len(label) <= 3
        and len(after) == 1
        and all(is_numeric(word.text) or is_currency_mark(word.text) for word in after[0])
        and any(is_numeric(word.text) for word in after[0])
    )


def _read_line(line: TextLine, header: _Header) -> _Read:
    cells = {cell.column: cell for cell in assign_cells(line.words, header.layout)}
    roles = header.roles

    def cell(role: Role) -> Cell | None:
        index = roles.get(role)
        return cells.get(index) if index is not None else None

    comma = _decimal_comma(cell(Role.AMOUNT), cell(Role.UNIT_PRICE))
    quantity = _quantity(cell(Role.QUANTITY), comma)
    if quantity is None:
        quantity = _quantity_times(cell(Role.UNIT_PRICE), comma)  # "1,580 LF x $1.035"
    unit_cell = cell(Role.UNIT)
    if header.description_below:
        described = roles[Role.DESCRIPTION]
        if line.box.x0 < header.layout.columns[described].box.x0 - _SIDE_GAP:
            cells.pop(described, None)  # the row's own line: its item number
        else:  # the line under it, starting in that column: its description, however long
            cells = {described: Cell(described, line.words, line.box)}
    return _Read(
        box=line.box,
        bold=line.bold,
        size=_text_size(cell(Role.DESCRIPTION)),
        description=_description(cell(Role.DESCRIPTION), header)
        if Role.DESCRIPTION in roles
        else _unlabelled_text(cells, header),
        quantity=quantity,
        # The contract: no unit column, no unit (even when the quantity cell prints one); a
        # unit set apart from the quantity is a column whose label was not read.
        unit=_unit(unit_cell) if unit_cell is not None else _unit_apart(cell(Role.QUANTITY)),
        unit_price=_money(cell(Role.UNIT_PRICE), comma),
        amount=_money(cell(Role.AMOUNT), comma),
        cost_code=_text(cell(Role.COST_CODE)),
    )


def _text_size(cell: Cell | None) -> float:
    """The type size of a cell's words; 0 when there is none or OCR guessed it from pixels."""
    if cell is None or read_by_ocr(cell.words):
        return 0.0
    return max(word.size for word in cell.words)


def _description(cell: Cell | None, header: _Header) -> str | None:
    """The description cell's text, without a row number printed in an unlabelled column to
    its left ("3   Concrete pump truck")."""
    if cell is None:
        return None
    words = cell.words
    label = header.layout.columns[header.roles[Role.DESCRIPTION]].box
    first = words[0]
    if (
        len(words) > 1
        and _ROW_NUMBER.fullmatch(first.text)
        and first.box.x1 < label.x0
        and words[1].box.x0 - first.box.x1 > CELL_GAP * first.size
    ):
        words = words[1:]
    text = " ".join(w.text for w in words).strip()
    if _NUMBER_AND_DESCRIPTION.search(header.layout.columns[header.roles[Role.DESCRIPTION]].label):
        text = _LEADING_ITEM_NUMBER.sub("", text, count=1)  # "Item No. / Description"
    return text or None


def _unlabelled_text(cells: dict[int, Cell], header: _Header) -> str | None:
    """Without a description column, the words in columns of no known role describe the row."""
    known = set(header.roles.values())
    texts = [
        cell.text
        for index, cell in sorted(cells.items())
        if index not in known and any(ch.isalpha() for ch in cell.text)
    ]
    return " ".join(texts) or None


def _text(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    return cell.text.strip() or None


def _money(cell: Cell | None, decimal_comma: bool) -> Decimal | None:
    if cell is None:
        return None
    value = _count(cell.text, decimal_comma)
    if value is not None:
        return value
    for word in reversed(cell.words):
        if "%" in word.text:
            continue
        match = _NUMBER.search(word.text)  # "3.85/EA", "12.00*", ":59,50"
        if match:
            return _count(match.group().strip(), decimal_comma)
    return None


def _decimal_comma(*cells: Cell | None) -> bool:
    """True when the row's money prints a decimal comma ("1.234,50"), so a quantity "1.890"
    is read as one thousand eight hundred and ninety."""
    return any(cell is not None and _COMMA_MONEY.search(cell.text) for cell in cells)


def _count(text: str, decimal_comma: bool) -> Decimal | None:
    """A printed number; where the row's money marks decimals with a comma, dots group
    thousands and a comma is the decimal point ("1.890" is 1890, "2,786" is 2.786)."""
    if decimal_comma and "," in text and "." not in text.rpartition(",")[2]:
        text = text.replace(".", "").replace(",", ".")
    elif decimal_comma and _DOT_GROUPED.fullmatch(text.strip()):
        text = text.replace(".", "")
    return parse_amount(text)


def _quantity(cell: Cell | None, decimal_comma: bool) -> Decimal | None:
    """A quantity cell's number; a unit printed after it ("12 EA") is left out."""
    if cell is None or "%" in cell.text:
        return None
    value = _count(cell.text, decimal_comma)
    if value is None:
        value = _count(cell.words[0].text, decimal_comma)
    if value is None and read_by_ocr(cell.words):
        value = _count(cell.words[0].text.rstrip(".,'"), decimal_comma)  # "104." off a speck
    return value


def _quantity_times(cell: Cell | None, decimal_comma: bool) -> Decimal | None:
    """The quantity printed before the price in one cell ("1,580 LF x $1.035", "12 @ 4.50")."""
    match = _TIMES.match(cell.text) if cell is not None else None
    return _count(match.group(1), decimal_comma) if match else None


def _unit_apart(cell: Cell | None) -> str | None:
    """A unit printed a column's gap after the quantity ("175     CY"), not one space after
    it ("175 CY"): the values of a unit column whose label is missing."""
    if cell is None or len(cell.words) != 2:
        return None
    number, word = cell.words
    gap = word.box.x0 - number.box.x1
    if gap < _UNIT_APART * number.size or not is_numeric(number.text.rstrip(".,'")):
        return None
    return word.text if word.text.isalpha() and _UNIT_WORD.fullmatch(word.text) else None


def _unit(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    # A spreadsheet's accounting format prints the price's currency sign at its cell's left
    # edge, where it may fall in the unit column ("LF  $  2.428").
    text = " ".join(w.text for w in cell.words if not is_currency_mark(w.text)).strip()
    if not text or parse_amount(text) is not None:
        return None
    return text


# --- results ----------------------------------------------------------------------------


def _item(read: _Read) -> LineItem:
    return LineItem(
        description=read.description,
        quantity=read.quantity,
        unit=read.unit,
        unit_price=read.unit_price,
        amount=read.amount,
        cost_code=read.cost_code,
    )


def _arithmetic_ok(read: _Read) -> bool | None:
    """qty x price = amount within rounding (None when a factor is missing)."""
    if read.quantity is None or read.unit_price is None or read.amount is None:
        return None
    product = read.quantity * read.unit_price
    tolerance = max(_MONEY_TOLERANCE, abs(read.quantity) * Decimal("0.005") + _MONEY_TOLERANCE)
    return abs(product - read.amount) <= tolerance


def _check(index: int, read: _Read) -> str:
    if _arithmetic_ok(read) is False:
        return (
            f"line item {index}: quantity {read.quantity} x unit price {read.unit_price}"
            f" != amount {read.amount}"
        )
    return ""


def _confidence(rows: Sequence[_Read]) -> float:
    """How sure the table read is: rows whose arithmetic checks, rows with an amount."""
    if not rows:
        return 0.0
    checks = [ok for ok in (_arithmetic_ok(r) for r in rows) if ok is not None]
    with_amount = sum(1 for r in rows if r.amount is not None and r.description) / len(rows)
    if checks:
        return round(0.4 + 0.4 * sum(checks) / len(checks) + 0.2 * with_amount, 3)
    return round(0.3 + 0.4 * with_amount, 3)
