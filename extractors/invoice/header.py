"""Invoice header candidates: labels paired with the values beside or below them.

Owns turning a page's cells into scored candidates per header field (numbers, dates, amounts,
terms, currency, project, vendor contact details), using the label vocabularies and the value
grammars. Choosing among candidates with the arithmetic is `reconcile`'s job, parties
(vendor, bill-to) are `parties`' job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from extractors.dates import find_dates
from extractors.invoice.labels import ITEM_SEPARATORS, Field, LabelHit, find_labels
from extractors.layout import Cell, cell_right, cells_below, text_below
from extractors.page import read_by_ocr
from extractors.values import find_amounts, is_currency_mark, is_identifier

Value = str | date | Decimal

_ID_FIELDS = frozenset({Field.INVOICE_NUMBER, Field.PO_NUMBER, Field.PROJECT_NUMBER})
_DATE_FIELDS = frozenset({Field.INVOICE_DATE, Field.DUE_DATE})
AMOUNT_FIELDS = (Field.SUBTOTAL, Field.TAX, Field.RETAINAGE, Field.TOTAL, Field.AMOUNT_DUE)
ADJUSTMENT_FIELDS = (Field.ALLOWANCE, Field.CHARGE, Field.PAID)
_MONEY_FIELDS = frozenset(AMOUNT_FIELDS + ADJUSTMENT_FIELDS)
_COLUMN_HEADS = frozenset({Field.SUBTOTAL, Field.TOTAL, Field.AMOUNT_DUE})  # "Line Total"
_WORDS = re.compile(r"[^\W\d_]{4,}")
_RIGHT_REACH = 180.0  # points: a value further right than this belongs to another block
_LEVEL = 0.4  # a cell sharing this much of its height with a key's stands level with it
_RATE = re.compile(r"^[\s.-]*%")
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+",
    re.I,
)
# A rate's base just before an amount: "13% on", "19 % USt. auf", "TVA 20 % sur", "@ 5% of".
_BASE_FIT = 0.3
_BASE_BEFORE = re.compile(
    r"(?:\b(?:on|of|auf|sur|von|über|from)|@)\s*(?:[A-Z]{1,3}\$|[$€£])?\s*$", re.I
)
_TEXT_FIELDS = frozenset({Field.TERMS, Field.PROJECT, Field.PROJECT_NAME})
_DETAIL_FIELDS = frozenset({Field.CURRENCY, Field.TAX_ID, Field.PHONE, Field.EMAIL})
_LEAD = re.compile(r"^[\s:#.=]*")
_BARE_TOTALS = frozenset({"total", "totals", "gesamt", "summe", "totaal"})
_QUALIFIER = re.compile(r"[^\W\d_]{2,}")
# Words after a bare "Total" that make it the total of something else: a section of the
# items, or a count ("Total Parts", "Total Labor", "Total Units on Rent", "Total Hours").
_OTHER_TOTALS = frozenset({
    "parts", "labor", "labour", "material", "materials", "equipment", "rental", "rentals",
    "units", "hours", "hrs", "qty", "quantity", "weight", "lines", "items", "pages", "pieces",
    "pcs", "section", "division", "phase", "group", "category",
})  # fmt: skip
_QUALIFIED_TOTAL = 0.5
# Seven or more digits with no separator and no cents: an order or account number, not money.
_IDENTIFIER_DIGITS = re.compile(r"\d{7,}")
_SEPARATOR = re.compile(rf"\s[{ITEM_SEPARATORS}]\s")  # items run together on one line
_WORD_AFTER = re.compile(r"\s+([A-Za-z]{2,})")
_PROSE = 3  # words of four letters or more: a label's text that runs on as a sentence
# A label's second name after a slash, up to its colon: the value follows that.
_OTHER_NAME = re.compile(r"^\s*/\s*[^:/\d]{2,25}:\s*")
_SLASH = re.compile(r"\s*/\s*")
# A label set tight against its amount ("Net Payable:38,060.01", "GST (19%):23.725,16"): the
# colon is no time's.
_TIGHT_COLON = re.compile(r"(?:(?<=[^\W\d_]|\))|^):(?=[$€£]?\d)")
_HEADING_ROWS = 4  # rows above a key searched for the heading of its block
_INVOICE_HEADING = re.compile(r"(?i)^\s*(?:tax\s+)?invoice\s+(?:details|information|info)\b")
_HEADED_NUMBER = 1.8
_PLAIN_LABEL = 0.9  # "Subtotal", "Net Total"; "Work completed this period" names it loosely
_CAPTION_GAP = 1.2  # line heights between a value and the caption under it
_CAPTION_SHIFT = 0.5  # label widths a value's centre may stand off its caption's
_CAPTION_SIZE = 0.85  # a caption is set at most this share of its value's size
_CAPTION_MARGIN = 2.0  # points nearer its value above than the text below a caption must be
_INLINE_DATE = re.compile(
    rf"^\s*(?:[{ITEM_SEPARATORS}]\s*)?(?:vom|von|du|del|dated|date|issued(?:\s+at|\s+on)?|of|on|le|from|d\.d\.)?\s*",
    re.I,
)
_NUMBER_WORD = re.compile(r"^(?:no\.|nr\.|no|nr|n°|nº|number|num\.)\s*[:#]?\s*(?=\S*\d)", re.I)
_PREFIX = re.compile(r"[A-Z]{2,4}")
_ISO_CODE = re.compile(r"\b([A-Z]{3})\b")
_TAX_ID = re.compile(r"\b[A-Z]{0,3}[ -]?\d[\d .-]{3,18}[\dA-Z]\b(?:\s?[A-Z]{2}\d{4}\b)?")
_PHONE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TERMS_WORDS = re.compile(
    r"\d|\b(?:net|due|receipt|cod|eom|netto|sofort|tage|jours|días|dias|dagen|immediate)\b", re.I
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible value for a field, with its score and where it was read."""

    field: Field
    value: Value
    score: float
    page: int
    y: float
    bold: bool = False
    plain_label: bool = True  # False: the label names its field only loosely (weight < 0.9)
    x: float = 0.0  # where its label starts: one label read two ways has one place

    @property
    def place(self) -> tuple[int, float, float]:
        """Where its label stands: the page, its top and its left edge."""
        return self.page, self.y, self.x


@dataclass(frozen=True, slots=True)
class Hints:
    """Document-level reading decisions shared by every grammar."""

    decimal_sep: str = "."
    day_first: bool = False


@dataclass(frozen=True, slots=True)
class _Source:
    """A stretch of text that may hold a label's value, and how much to trust its placement."""

    text: str
    factor: float
    cell: Cell


def _id_token(text: str) -> str:
    """The document number opening a text: "No. 4471" -> "4471", "INV 10293" -> "INV 10293"."""
    tokens = _NUMBER_WORD.sub("", _LEAD.sub("", text), count=1).split()
    if not tokens:
        return ""
    first = tokens[0].strip(",;:")
    if first.endswith(".") and first[:-1][-1:].isalnum() and "." not in first[:-1]:
        first = first[:-1]  # "against your PO 8216." : the sentence's full stop
    if len(tokens) > 1 and _PREFIX.fullmatch(first) and tokens[1][:1].isdigit():
        return f"{first} {tokens[1].strip(',;:')}"
    return first


_ID_SEGMENT = re.compile(r"[^-/.\s]+")


def _read_o_and_zero(segment: re.Match[str]) -> str:
    """One part of an OCR-read identifier with O and 0 told apart by the rest of the part: in
    a part of letters a 0 is an O ("P0" -> "PO"), in a part of digits an O is a 0 ("1O23")."""
    text = segment.group(0)
    rest = text.replace("0", "").replace("O", "")
    if not rest:
        return text
    if rest.isalpha() and "0" in text:
        return text.replace("0", "O")
    if rest.isdigit() and "O" in text:
        return text.replace("O", "0")
    return text


def _id_values(source: _Source, field: Field) -> list[tuple[Value, float]]:
    token = _id_token(source.text)
    if read_by_ocr(source.cell.words):
        token = _ID_SEGMENT.sub(_read_o_and_zero, token)
        if token[:1] == "$" and token[1:2].isalpha():
            token = "S" + token[1:]  # "$I-005809": an S read as a dollar sign
    if not is_identifier(token.replace(" ", "")):
        return []
    fit = 1.0 if field is not Field.INVOICE_NUMBER or len(token) >= 3 else 0.6
    return [(token, fit)]


def _date_values(source: _Source, hints: Hints) -> list[tuple[Value, float]]:
    text = _WEEKDAY.sub("", _LEAD.sub("", source.text))  # "Thursday, December 18, 2025"
    found = find_dates(text, hints.day_first)
    if not found or found[0].start > 3:
        return []
    return [(found[0].value, 1.0)]


def _amount_values(source: _Source, hints: Hints) -> list[tuple[Value, float]]:
    text = _TIGHT_COLON.sub(": ", source.text)
    dates = find_dates(text, hints.day_first)
    amounts = [
        amount
        for amount in find_amounts(text, hints.decimal_sep)
        if not any(d.start <= amount.start < d.end for d in dates)  # "August 25, 2025"
        and not _IDENTIFIER_DIGITS.fullmatch(text[amount.start : amount.end])
    ]
    if any(amount.has_decimals for amount in amounts) or len(_WORDS.findall(text)) >= _PROSE:
        # (a whole number in a sentence is a year or a section: "(section 55A VATA 1994)")
        amounts = [amount for amount in amounts if amount.has_decimals]
    # A whole number with a word after it is a house number or a count ("3071 Elm Ave").
    amounts = [a for a in amounts if a.has_decimals or not _word_after(text, a.end)]
    values: list[tuple[Value, float]] = []
    for index, amount in enumerate(amounts):
        fit = 1.0 if index == len(amounts) - 1 else 0.7
        if _BASE_BEFORE.search(text, 0, amount.start):
            fit *= _BASE_FIT  # "HST 13% on 2,101.00": the amount the rate applies to
        values.append((amount.value, fit if amount.has_decimals else fit * 0.6))
    return values


def _word_after(text: str, end: int) -> bool:
    """Whether a word other than a currency's code follows a number."""
    word = _WORD_AFTER.match(text, end)
    return word is not None and not is_currency_mark(word.group(1))


def _text_values(source: _Source) -> list[tuple[Value, float]]:
    text = _LEAD.sub("", source.text).strip()
    if not text or len(text) > 80:
        return []
    return [(text, 1.0)]


def _detail_values(source: _Source, field: Field) -> list[tuple[Value, float]]:
    text = _LEAD.sub("", source.text)
    pattern = {
        Field.CURRENCY: _ISO_CODE,
        Field.TAX_ID: _TAX_ID,
        Field.PHONE: _PHONE,
        Field.EMAIL: _EMAIL,
    }[field]
    match = pattern.search(text)
    if match is None or match.start() > 2:
        return []
    return [(match.group(0).strip(), 1.0)]


def _values(field: Field, source: _Source, hints: Hints) -> list[tuple[Value, float]]:
    if field in _ID_FIELDS:
        return _id_values(source, field)
    if field in _DATE_FIELDS:
        return _date_values(source, hints)
    if field in _MONEY_FIELDS:
        return _amount_values(source, hints)
    if field is Field.TERMS:
        return [(v, f) for v, f in _text_values(source) if terms_fit(str(v))]
    if field in _TEXT_FIELDS:
        return _text_values(source)
    if field in _DETAIL_FIELDS:
        return _detail_values(source, field)
    return []


def _starts_with_label(cell: Cell) -> bool:
    hits = find_labels(cell.text)
    return bool(hits) and hits[0].start <= 1


def _sources(
    rows: Sequence[Sequence[Cell]], cell: Cell, hit: LabelHit, end: int, last: bool
) -> list[_Source]:
    """Where a label's value may stand: after it in its cell, else right of it, else below."""
    inline = _SEPARATOR.split(cell.text[hit.end : end], maxsplit=1)[0]
    inline = _OTHER_NAME.sub("", inline, count=1)  # "PO / Work Order: PO-3348"
    sources = []
    if _LEAD.sub("", inline).strip():
        sources.append(_Source(inline, 1.0, cell))
    if not last:
        return sources
    depth = 4 if hit.label.field in _MONEY_FIELDS else 1
    below = _below_key(rows, cell, hit, depth)
    above = _captioned(rows, cell, below)
    if above is not None:
        sources.append(_Source(above.text, 0.9, above))
    if below and _next_key(cell, below[0]):
        below = []  # the next key of a column of keys ("Due" over "Subcontract / PO")
    right = cell_right(rows, cell)
    if right is None and (not below or _starts_with_label(below[0])):
        right = _right_across_lines(rows, cell)  # nothing right of it or under it: look level
    if right is not None and hit.label.field in _MONEY_FIELDS:
        right = _rest_of_row(rows, right)
    elif right is not None:
        right = right if right.box.x0 - cell.box.x1 < _RIGHT_REACH else None
    if (
        right is not None
        and below
        and hit.label.field not in _MONEY_FIELDS
        and _set_under(rows, cell, below[0], right)
    ):
        right = None  # a key over its value whose line runs into a neighbouring block
    if right is not None and not _starts_with_label(right):
        sources.append(_Source(right.text, 1.0, right))
    sources += _under(below)
    if hit.label.field in _MONEY_FIELDS and not any(find_amounts(s.text) for s in sources):
        boxed = _in_key_column(rows, cell)
        if boxed is not None:
            sources.append(_Source(boxed.text, 0.85, boxed))
    return sources


def _below_key(rows: Sequence[Sequence[Cell]], cell: Cell, hit: LabelHit, depth: int) -> list[Cell]:
    """The text under a label's words; when the label ends its cell ("Subcontract / PO"),
    under the cell."""
    below = text_below(rows, cell, cell.span_box(hit.start, hit.end), depth)
    if not below and not cell.text[hit.end :].strip(" :.#"):
        below = text_below(rows, cell, cell.box, depth)
    return below


def _captioned(rows: Sequence[Sequence[Cell]], cell: Cell, below: Sequence[Cell]) -> Cell | None:
    """The value a label captions from below, as business forms print them: the label alone
    in its cell in smaller type, right under a larger value centred over it, and nearer to it
    than to any value under the label (a key between two values belongs to the nearer);
    None otherwise."""
    if cell.row == 0 or find_labels(cell.text)[0].end < len(cell.text.rstrip(" :.")):
        return None
    below = [*below, *cells_below(rows, cell, 1)]  # under the label's words, or its cell
    under = next((c for c in below if not _starts_with_label(c)), None)
    for other in rows[cell.row - 1]:
        gap = cell.box.y0 - other.box.y1
        if not (-1.0 <= gap <= _CAPTION_GAP * other.box.height):
            continue
        if abs(other.box.cx - cell.box.cx) > _CAPTION_SHIFT * max(cell.box.width, 1.0):
            continue
        if under is not None and under.box.y0 - cell.box.y1 <= gap + _CAPTION_MARGIN:
            return None
        if cell.size <= _CAPTION_SIZE * other.size and not _starts_with_label(other):
            return other
    return None


def _under(below: Sequence[Cell]) -> list[_Source]:
    """The text under a key, nearest first, down to the next key."""
    sources = []
    for index, other in enumerate(below):
        if _starts_with_label(other):
            break
        sources.append(_Source(other.text, 0.9 - 0.1 * index, other))
    return sources


def _in_key_column(rows: Sequence[Sequence[Cell]], key: Cell) -> Cell | None:
    """The value set on the next line inside a key's column, though not under the key itself:
    a band of boxed totals with each label at its cell's top left and the amount at its
    right ("Net  |  VAT 19%  |  Gross" over three amounts)."""
    row = rows[key.row]
    right = [other.box.x0 for other in row if other.box.x0 > key.box.x1]
    edge = min(right) if right else math.inf
    # A large amount under a small label may take the line of other text beside it: look on.
    for other in (other for line in rows[key.row + 1 : key.row + 3] for other in line):
        near = other.box.y0 - key.box.y1 <= 1.5 * key.box.height
        if near and key.box.x0 - 2 <= other.box.x0 and other.box.x1 <= edge + 2:
            return other
    return None


def _next_key(key: Cell, under: Cell) -> bool:
    """Whether the text under a bold key is the next bold key of the same column of keys, set
    flush left with it, with its own value to its right."""
    return (
        under.bold and key.bold and abs(under.box.x0 - key.box.x0) <= 2 and under.size == key.size
    )


def _right_across_lines(rows: Sequence[Sequence[Cell]], key: Cell) -> Cell | None:
    """The value right of a key that ended up on a neighbouring line: a scan's boxes put a
    key a few points lower than its value, and a tall name beside them took the value's line.
    The nearest cell right of the key, on the line above or below, standing mostly level with
    it."""
    level: list[Cell] = []
    for index in (key.row - 1, key.row + 1):
        if not 0 <= index < len(rows):
            continue
        for other in rows[index]:
            gap = other.box.x0 - key.box.x1
            shared = min(other.box.y1, key.box.y1) - max(other.box.y0, key.box.y0)
            least = min(other.box.height, key.box.height)
            if 0 <= gap < _RIGHT_REACH and least > 0 and shared >= _LEVEL * least:
                level.append(other)
    return min(level, key=lambda other: other.box.x0, default=None)


def _set_under(rows: Sequence[Sequence[Cell]], key: Cell, under: Cell, right: Cell) -> bool:
    """A value set flush under its key, with what stands right of the key far off: the key
    heads the value below (a sidebar's "ORDER NO." over "P7063-01", beside an item table).
    Keys in a column with their values in a column beside them ("Bestellung : PO445" over
    "Vertrag : MSPE2017") are label-left pairs, however wide the gap."""
    flush = abs(under.box.x0 - key.box.x0) <= 3.0 and under.box.y0 - key.box.y1 < key.size
    far = right.box.x0 - key.box.x1 > 3.0 * key.size and not key.text.endswith(":")
    if not flush or not far or right.text.lstrip().startswith(":"):
        return False
    if _table_row(rows[right.row]):
        return not _starts_with_label(under)  # beside the key: an item table's row
    # (values set flush left, or flush right as numbers and dates often are)
    paired = any(
        abs(other.box.x0 - right.box.x0) <= 3.0 or abs(other.box.x1 - right.box.x1) <= 3.0
        for other in rows[under.row]
        if other.box.x0 > under.box.x1
    )
    return not paired and not _starts_with_label(under)


def _table_row(row: Sequence[Cell]) -> bool:
    """A line of an item table: three or more cells, two or more of them amounts, one with
    cents at least (not a postcode beside an order number)."""
    if len(row) < 3:
        return False
    amounts = [find_amounts(cell.text) for cell in row]
    return sum(map(bool, amounts)) >= 2 and any(a.has_decimals for c in amounts for a in c)


def _rest_of_row(rows: Sequence[Sequence[Cell]], first: Cell) -> Cell:
    """`first` and the cells after it up to the next label, as one cell (an amount's row)."""
    row = rows[first.row]
    start = next(i for i, other in enumerate(row) if other is first)
    taken = [first]
    for other in row[start + 1 :]:
        if _starts_with_label(other):
            break
        taken.append(other)
    if len(taken) == 1:
        return first
    words = tuple(w for c in taken for w in c.words)
    box = taken[0].box.union(taken[-1].box)
    text = " ".join(c.text for c in taken)
    return Cell(text, box, first.size, first.bold, first.row, first.page, words)


_QUALIFIER_GAP = re.compile(
    r"^[\s.:/,()-]*(?:(?:excl|exkl|incl|inkl|excluding|including|ohne|mit|hors|sans|with|without"
    r"|before|ex)\.?[\s.:/,()-]*)?$",
    re.I,
)
_QUALIFIED = frozenset({Field.TAX, Field.CURRENCY})


def _merge_qualifiers(text: str, hits: list[LabelHit]) -> list[LabelHit]:
    """'Summe inkl. USt' is one total label: a tax or currency word right after an amount
    label qualifies it instead of starting a label of its own."""
    merged: list[LabelHit] = []
    for hit in hits:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.label.field in AMOUNT_FIELDS
            and hit.label.field in _QUALIFIED
            and _QUALIFIER_GAP.match(text[previous.end : hit.start])
        ):
            merged[-1] = LabelHit(previous.label, previous.start, hit.end)
            continue
        merged.append(hit)
    return merged


_START_ONLY = frozenset({Field.PROJECT, Field.PROJECT_NAME, Field.PROJECT_NUMBER, Field.TERMS})


def _after_separator(text: str, hit: LabelHit) -> bool:
    """A label that starts a run-together item of a line ("PO 4500 · Job 24-017 Riverside")."""
    return text[: hit.start].rstrip().endswith(tuple(ITEM_SEPARATORS))


def _mid_cell_ok(hit: LabelHit) -> bool:
    """Weak or generic labels count only where a cell starts ("Attn: Project Accounting")."""
    return hit.label.weight > 0.6 and hit.label.field not in _START_ONLY


def _under_invoice_heading(rows: Sequence[Sequence[Cell]], cell: Cell) -> float:
    """A bare "No." under a heading that names the invoice ("INVOICE DETAILS") numbers the
    invoice: its weight grows; elsewhere it stays as it is."""
    for row in reversed(rows[max(0, cell.row - _HEADING_ROWS) : cell.row]):
        for other in row:
            if other.box.x0 > cell.box.x1 or other.box.x1 < cell.box.x0:
                continue
            if _INVOICE_HEADING.search(other.text) and not find_amounts(other.text):
                return _HEADED_NUMBER
    return 1.0


def _qualified_total(text: str, hit: LabelHit, end: int) -> bool:
    """A bare "Total" followed by words of its own ("Total Parts", "Total Units on Rent",
    "Total Hours"): the total of a section or of a count, rarely the invoice's."""
    if text[hit.start : hit.end].casefold() not in _BARE_TOTALS:
        return False
    words = _QUALIFIER.findall(text[hit.end : end])
    return bool(words) and words[0].casefold() in _OTHER_TOTALS


def _position_factor(hit: LabelHit) -> float:
    """A label opening its cell is surer than one inside running text."""
    return 1.0 if hit.start <= 1 else 0.8


def _inline_date(
    rows: Sequence[Sequence[Cell]], source: _Source, token: str, hints: Hints
) -> Value | None:
    """The date printed right after a number in a title ("Nr. 471113 vom 13.06.2018"), also
    when the title wraps before the date."""
    # (the whole line: a run-together title "Invoice RC-9640-64 | January 4, 2026 | ...")
    text = _LEAD.sub("", source.cell.text if token in source.cell.text else source.text)
    rest = text[text.find(token) + len(token) :] if token in text else ""
    connector = _INLINE_DATE.match(rest)
    rest = rest[connector.end() :] if connector else rest
    if not rest.strip() and connector and connector.group(0).strip():
        below = cells_below(rows, source.cell, 1)
        rest = below[0].text if below else ""
    found = find_dates(rest, hints.day_first)
    return found[0].value if found and found[0].start == 0 else None


def cell_candidates(
    rows: Sequence[Sequence[Cell]], cell: Cell, hints: Hints, page_factor: float
) -> list[Candidate]:
    """The candidates the labels of one cell announce."""
    hits = find_labels(cell.text)
    if not hits:
        return []  # most cells (values, item rows) hold no label
    hits = [h for h in hits if h.start <= 1 or _mid_cell_ok(h) or _after_separator(cell.text, h)]
    hits = _merge_qualifiers(cell.text, hits)
    found: list[Candidate] = []
    for index, hit in enumerate(hits):
        last = index == len(hits) - 1
        end = len(cell.text) if last else hits[index + 1].start
        if not last and _SLASH.fullmatch(cell.text[hit.end : end]):
            # "Totaal excl. btw / Total hors TVA": one label in two languages; the value
            # stands beside or under the pair, as it would beside the second alone.
            last, end = True, hit.end
        if _RATE.match(cell.text[hit.end :]):
            continue  # "MwSt-%" heads a rate, not an amount
        for label in (hit.label, *hit.alternates):
            base = label.weight * _position_factor(hit) * page_factor
            if label.field is Field.TOTAL and _qualified_total(cell.text, hit, end):
                base *= _QUALIFIED_TOTAL
            elif label.field is Field.INVOICE_NUMBER and label.weight < _PLAIN_LABEL:
                base *= _under_invoice_heading(rows, cell)
            variant = LabelHit(label, hit.start, hit.end)
            found.extend(_hit_candidates(rows, cell, variant, end, last, hints, base))
    return found


def _hit_candidates(
    rows: Sequence[Sequence[Cell]],
    cell: Cell,
    hit: LabelHit,
    end: int,
    last: bool,
    hints: Hints,
    base: float,
) -> list[Candidate]:
    """The values one label announces, from the first place around it that holds any."""
    field = hit.label.field
    plain = hit.label.weight >= _PLAIN_LABEL
    found: list[Candidate] = []
    below_values: list[tuple[Value, float, _Source]] = []
    for source in _sources(rows, cell, hit, end, last):
        values = _values(field, source, hints)
        if source.cell.row != cell.row:
            if not values or (field in _MONEY_FIELDS and _WORDS.search(source.text)):
                break
            below_values += [(value, fit, source) for value, fit in values]
            continue
        if found and not values:
            continue
        for value, fit in values:
            score = base * source.factor * fit
            found.append(
                Candidate(field, value, score, cell.page, cell.box.y0, cell.bold, plain,
                          cell.box.x0)
            )  # fmt: skip
            if field is Field.INVOICE_NUMBER and isinstance(value, str):
                found.extend(_title_date(rows, source, value, hints, score))
        if found and any(fit > _BASE_FIT for _, fit in values):
            return found  # (only a rate's base in the label's cell: its amount stands right)
    return [
        Candidate(
            field,
            value,
            base * source.factor * fit,
            cell.page,
            source.cell.box.y0,
            source.cell.bold,
            plain,
            cell.box.x0,
        )
        for value, fit, source in _column_total(rows, below_values, field)
    ]


def _column_total(
    rows: Sequence[Sequence[Cell]], values: list[tuple[Value, float, _Source]], field: Field
) -> list[tuple[Value, float, _Source]]:
    """Under a column key, a last amount that is bold or sums the ones above is the total."""
    amounts = [v for v, _, _ in values if isinstance(v, Decimal)]
    if len(amounts) < 2 or len(amounts) != len(values):
        return values
    last = values[-1]
    if last[2].cell.bold or abs(sum(amounts[:-1], Decimal(0)) - amounts[-1]) < Decimal("0.02"):
        if field in _COLUMN_HEADS and _labelled_row(rows, last[2].cell):
            return []  # "Amount due ..... 5,419.95" under "Line Total": its own label names it
        return [(last[0], 1.0, _Source(last[2].text, 1.0, last[2].cell))]
    # A column of line amounts under a table heading ("Line Total") holds no invoice total.
    lines = len({c.cell.row for _, _, c in values}) >= 3
    return [] if lines and field in _COLUMN_HEADS else values


def _labelled_row(rows: Sequence[Sequence[Cell]], cell: Cell) -> bool:
    """A cell whose neighbour on the left is a label of its own."""
    left = [other for other in rows[cell.row] if other.box.x1 <= cell.box.x0]
    return bool(left) and _starts_with_label(max(left, key=lambda other: other.box.x1))


def _title_date(
    rows: Sequence[Sequence[Cell]], source: _Source, token: str, hints: Hints, score: float
) -> list[Candidate]:
    value = _inline_date(rows, source, token, hints)
    if value is None:
        return []
    cell = source.cell
    return [Candidate(Field.INVOICE_DATE, value, 0.8 * score, cell.page, cell.box.y0)]


def page_candidates(
    rows: Sequence[Sequence[Cell]], hints: Hints, page_index: int
) -> list[Candidate]:
    """All labelled candidates of one page (the first page weighs most for header fields)."""
    factor = 1.0 if page_index == 0 else 0.9
    found: list[Candidate] = []
    for row in rows:
        for cell in row:
            found.extend(cell_candidates(rows, cell, hints, factor))
    return found


def best(candidates: Sequence[Candidate], field: Field) -> Candidate | None:
    """The highest-scoring candidate for a field (earliest on ties), or None."""
    pool = [c for c in candidates if c.field is field]
    if not pool:
        return None
    return max(pool, key=lambda c: (c.score, -c.page, -c.y))


def terms_fit(text: str) -> bool:
    """Whether a text reads like payment terms ("Net 30", "Due on receipt", "30 Tage netto")."""
    return _TERMS_WORDS.search(text) is not None


def email_in(text: str) -> str | None:
    """The first e-mail address in a text."""
    match = _EMAIL.search(text)
    return match.group(0) if match else None
