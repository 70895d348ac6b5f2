"""The parties of an invoice: the vendor (name, letterhead address) and the bill-to party.

Owns finding a party's block: after its label ("From", "Verkäufer", "Bill To", "Käufer"...)
or, for the vendor, the most prominent name at the top of the first page. A remit-to or
ship-to block is never the vendor's or the bill-to's. Contact details are `header`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from extractors.fuzzy import within_one_edit
from extractors.invoice.columns import label_role
from extractors.invoice.labels import ITEM_SEPARATORS, Field, find_labels
from extractors.layout import Cell, body_size, cell_right, cells_below
from extractors.page import Word, read_by_ocr
from extractors.values import find_amounts

_NAME_KEY = re.compile(r"^\s*(?:name|firma|company|raison sociale|nombre|naam)\s*:\s*", re.I)
_ADDRESS_KEY = re.compile(r"^\s*(?:anschrift|address|adresse|dirección|adres)\s*:\s*", re.I)
_ATTN = re.compile(r"^\s*(?:attn|attention|z\.?\s?hd\.?|à l'attention|c/o)\b", re.I)
_ID_LINE = re.compile(
    r"^\s*(?:nummer|number|no[.:]|nr[.:]|gln|globale|lief-?nr|kunden-?nr|customer|account|id|"
    r"handelsname|ust|vat|tax|steuer|tel|phone|fax|e-?mail|www|http)\b",
    re.I,
)
_COMPANY = re.compile(
    r"\b(?:inc|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|kg|ohg|ug|sarl|sas|sa|bv|nv"
    r"|plc|pty|lp|llp|s\.?l|s\.?a|e\.?k|group|services|supply|construction|contractors?)\b\.?",
    re.I,
)
_TITLE_WORDS = re.compile(
    r"^(?:tax\s+)?(?:invoice|rechnung|facture|factura|factuur|bill|statement|credit\s+note)\b"
    r"|^(?:(?:progress|tax|pro\s*-?\s*forma|proforma|commercial|final|interim|credit|debit"
    r"|application|for|payment|billing|sales|service|original|copy|invoice|rechnung|facture"
    r"|factura|factuur|bill|statement|note"
    r"|memo|gutschrift|/|&|-)\s*)+$"
    # "RENTAL INVOICE", "Subcontractor Progress Invoice": a few words that end in the title.
    r"|^(?:[\w&/'’-]+\s+){1,3}(?:invoice|rechnung|facture|factura|factuur|statement|receipt)\s*$",
    re.I,
)
# A line that ends in a postcode is an address line, not a name ("Reading RG2 0TD").
_POSTCODE_END = re.compile(
    r"(?:\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d|\b\d{4,5}(?:-\d{4})?)\s*$"
)
# "Please make all checks payable to Copper Ridge Drywall LLC." — a remit-to name in a sentence.
_PAYABLE_TO = re.compile(
    r"\b(?:payable|pay|remit(?:tance)?|payments?)\s+(?:to|à|an)\s*:?\s+(?P<name>[^:]{3,60}?)\s*$",
    re.I,
)
# Names that end in an abbreviation written with its full stop ("Inc.", "Co."); "Ltd" and
# "LLC" are as often written without one, so a full stop after them ends the sentence.
_ABBREVIATED = re.compile(r"\b(?:inc|co|corp|bros|assoc|mfg)\.$", re.I)
# A company's legal name: words up to and including its company form ("... Electric Inc.").
_LEGAL_NAME = re.compile(
    r"^[^\d:@]{2,60}?\b(?:inc|llc|ltd|limited|corp|corporation|co|gmbh|ag|kg|sarl|sas|bv|nv|plc"
    r"|pty\s+ltd|llp|lp)\b\.?",
    re.I,
)
_SEPARATORS = re.compile(rf"\s+[{ITEM_SEPARATORS}]\s+|\s{{2,}}")
_WORD_STOP = re.compile(r"\b([A-Za-z]{2,})\.(?=\s|$)")
_ABBREVIATIONS = frozenset(
    [
        "inc",
        "co",
        "corp",
        "bros",
        "assoc",
        "mfg",
        "ltd",
        "llc",
        "llp",
        "plc",
        "pty",
        "intl",
        "ent",
        "st",
        "ave",
        "rd",
        "dr",
        "blvd",
        "jr",
        "sr",
        "no",
        "nr",
        "gmbh",
        "sarl",
        "bv",
        "nv",
        "ag",
        "kg",
        "sa",
        "sas",
        "srl",
        "ab",
        "as",
        "oy",
    ]
)
_HEADING = 1.3  # a name set this much above the body text is a heading, a letterhead
_BLOCK_LINES = 6
_BLOCK_SPACING = 1.0  # line heights of white space that end a party's block
_TOP_SHARE = 0.4
# A key and its value ("Sent: Saturday, June 6"), or a letter's greeting ("Hi Dana,").
_KEYED = re.compile(
    r"^[A-Za-z][\w.]*(?: [\w.]+)?:\s|^(?:hi|hello|dear|good\s+(?:morning|afternoon))\b",
    re.IGNORECASE,
)
_CAPTION_NOTE = re.compile(r"^\([^()]*\)")  # a form caption's note on what to fill in
_SUFFIX_ONLY = re.compile(r"(?i)(?:pty\.?\s+)?(?:ltd|limited|inc|llc|llp|co|corp|gmbh|plc)\.?")
_FOOTER_SHARE = 0.2
# A contact line: a phone number, or a street address (house number, then a word).
_CONTACT = re.compile(r"\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}|^\s*\d{1,6}\s+[A-Za-z]")
_NAME_LINES = 3  # a company name wraps onto at most this many lines


@dataclass(frozen=True, slots=True)
class Party:
    """A party's name and address (lines joined with \\n), either possibly unknown."""

    name: str | None = None
    address: str | None = None
    score: float = 0.0


def _strip_key(text: str) -> str:
    return _ADDRESS_KEY.sub("", _NAME_KEY.sub("", text)).strip()


def _is_name(text: str) -> bool:
    """A line that can name a party: letters, no leading digit, no identifier, and more than
    a legal form wrapped onto a line of its own ("Inc.")."""
    letters = sum(map(str.isalpha, text))
    if letters < 2 or text[:1].isdigit() or _SUFFIX_ONLY.fullmatch(text.strip()):
        return False
    if _KEYED.match(text):
        return False
    return _ID_LINE.match(text) is None


def _block_after(rows: Sequence[Sequence[Cell]], label: Cell, remainder: str) -> Party:
    """The party printed under (or after) its label: first name-like line, then its address."""
    lines = [remainder] if remainder else []
    below = cells_below(rows, label, _BLOCK_LINES, _BLOCK_SPACING)
    lines += [_with_value(rows, cell) for cell in below]
    set_apart = _bold_name(below) if not remainder else None
    if set_apart is not None:
        name_lines, rest = set_apart
        kept = [_strip_key(t) for t in rest if not _ATTN.match(t) and not _label_start(t)]
        return Party("\n".join(name_lines), "\n".join(kept) or None, 1.0)
    name: str | None = None
    address: list[str] = []
    for text in lines:
        if _ATTN.match(text):
            continue  # the contract's addresses carry no "Attn:" line
        if name is not None and _label_start(text) and not _ADDRESS_KEY.match(text):
            break
        if name is None:
            payee = _payee(text)
            if payee is not None:
                name = payee  # "Make payable to: Keystone Equipment Rentals Inc."
            elif _NAME_KEY.match(text) or (_is_name(text) and not _ATTN.match(text)):
                name = _strip_key(text)
            continue
        if not address and _same_name(text, name):
            continue  # the name printed again over the address
        address.append(_strip_key(text))
    return Party(name, "\n".join(a for a in address if a) or None, 1.0 if name else 0.0)


def _bold_name(below: Sequence[Cell]) -> tuple[list[str], list[str]] | None:
    """A name set in bold over a plain address: every bold line before the first plain one."""
    bold = 0
    while bold < len(below) and below[bold].bold:
        bold += 1
    if bold == 0 or bold > 3:
        return None
    if bold == len(below) and any(ch.isdigit() for c in below for ch in c.text):
        return None  # all bold with digits: a name and its address set alike
    return [c.text for c in below[:bold]], [c.text for c in below[bold:]]


def _with_value(rows: Sequence[Sequence[Cell]], cell: Cell) -> str:
    """A key cell ("Name:") read together with the value cell right of it."""
    if not cell.text.endswith(":"):
        return cell.text
    right = cell_right(rows, cell)
    return f"{cell.text} {right.text}" if right is not None else cell.text


def _label_start(text: str) -> bool:
    hits = find_labels(text)
    return bool(hits) and hits[0].start <= 1 and hits[0].label.field is not Field.DISTRACTOR


def _party_label(cell: Cell, wanted: Field) -> str | None:
    """The text after a party label that starts `cell` ("" when the cell is just the label)."""
    hits = find_labels(cell.text)
    if not hits or hits[0].start > 1 or hits[0].label.field is not wanted:
        return None
    rest = cell.text[hits[0].end :].lstrip(" :/&")
    rest = _CAPTION_NOTE.sub("", rest).strip()  # "SUBCONTRACTOR (name, address, phone)"
    if rest and _label_start(rest):
        return ""  # "From / Remit To": two names for one block, which follows the label
    if rest and (":" in rest or any(ch.isdigit() for ch in rest)):
        return None  # "Customer Ref: C9136" is a reference, not a party block
    return rest if len(rest) < 60 else None


def labelled_party(pages_rows: Sequence[Sequence[Sequence[Cell]]], wanted: Field) -> Party:
    """The first block announced by a party label of the `wanted` kind on the first pages."""
    for rows in pages_rows[:2]:
        for row in rows:
            for cell in row:
                rest = _party_label(cell, wanted)
                if rest is None:
                    continue
                party = _block_after(rows, cell, rest)
                if party.name:
                    return party
    return Party()


def _prominence(cell: Cell, page_height: float) -> float:
    score = cell.size + (2.0 if cell.bold else 0.0)
    if _COMPANY.search(cell.text):
        score += 3.0
    return score - 2.0 * cell.box.y0 / page_height


def _letterhead_candidate(cell: Cell, excluded: set[str]) -> bool:
    text = cell.text.strip()
    folded = text.casefold()
    if (
        len(text) <= 3
        or not _is_name(text)
        or _TITLE_WORDS.match(text)
        or _misread_title(folded)
        or any(folded.startswith(name) for name in excluded)  # "Carver & Sons Attn: M. Okafor"
    ):
        return False
    if _is_label(text) or find_amounts(text) or "@" in text or len(text) > 60:
        return False
    if _PAYABLE_TO.search(text) or _sentence(text):
        return False  # "Make cheques payable to ...", "Built right. Delivered on time."
    if text.endswith(":"):
        return False  # a key ("TERM:"), whatever its wording
    if label_role(text) is not None or _POSTCODE_END.search(text):
        return False  # a column title ("Description of Work"), an address's last line
    return sum(ch.isdigit() for ch in text) <= 2


_TITLES = ("invoice", "taxinvoice", "statement", "receipt", "rechnung", "facture", "factura")


def _sentence(text: str) -> bool:
    """A slogan or a remark, not a name: a word other than an abbreviation ends in a full stop
    ("Built right. Delivered on time."), or the text ends in "!" or "?"."""
    if text.rstrip().endswith(("!", "?")):
        return True
    return any(word.casefold() not in _ABBREVIATIONS for word in _WORD_STOP.findall(text))


def _misread_title(folded: str) -> bool:
    """A document title as OCR may read it: "INVOIC", "lNVOICE", "TAX LNUOICE"."""
    letters = "".join(filter(str.isalpha, folded))
    return any(within_one_edit(letters, title) for title in _TITLES)


def _column_titles(row: Sequence[Cell]) -> bool:
    """Whether a line is an item table's title row: two or more cells name a column."""
    return sum(label_role(cell.text) is not None for cell in row) >= 2


def _is_label(text: str) -> bool:
    """A label, or a label with its value ("Bill To", "Job: 24-017"); a company name that only
    contains a label word ("Total Electric LLC") is not one."""
    hits = find_labels(text)
    if not hits:
        return False
    covered = sum(hit.end - hit.start for hit in hits)
    return ":" in text or "#" in text or covered >= 0.6 * len(text.strip())


def _letterhead_ranking(
    rows: Sequence[Sequence[Cell]], page_height: float, excluded: set[str]
) -> list[Cell]:
    limit = _TOP_SHARE * page_height
    # Only the top of the page is read: rows with no cell there are not looked at closer.
    top = [
        run
        for row in rows
        if any(cell.box.y0 < limit for cell in row) and not _column_titles(row)
        for cell in row
        if cell.box.y0 < limit
        for run in _size_runs(cell)
        if _letterhead_candidate(run, excluded)
    ]
    return sorted(top, key=lambda cell: _prominence(cell, page_height), reverse=True)


def _party_at(rows: Sequence[Sequence[Cell]], chosen: Cell, score: float) -> Party:
    """The name set at `chosen` (with its wrapped lines) and the address lines under it."""
    lines = _wrapped_name(rows, chosen)
    below = cells_below(rows, lines[-1], 4, _BLOCK_SPACING)
    address = [c.text for c in below if not _label_start(c.text) and not _ATTN.match(c.text)]
    name = " ".join(_display_name(line) for line in lines)
    return Party(name, "\n".join(address) or None, score)


def payable_name(pages_rows: Sequence[Sequence[Sequence[Cell]]]) -> str | None:
    """The name a sentence asks payment to be made to ("Please make all checks payable to
    Copper Ridge Drywall LLC."), on any page."""
    for rows in pages_rows:
        for row in rows:
            for cell in row:
                name = _payee(cell.text)
                if name is not None:
                    return name
    return None


def _payee(text: str) -> str | None:
    """The name in a "payable to" sentence ("Make cheques payable to X Ltd."), if any."""
    match = _PAYABLE_TO.search(text)
    if match is None:
        return None
    name = match.group("name").strip()
    if name.endswith("..") or (name.endswith(".") and not _ABBREVIATED.search(name)):
        name = name[:-1]  # the sentence's full stop, not an "Inc." or "Co."
    if _is_name(name) and not _is_label(name) and sum(map(str.isdigit, name)) <= 2:
        return name
    return None


def vendor_from_print(
    rows: Sequence[Sequence[Cell]], page_height: float, excluded: set[str], remit: str | None
) -> Party:
    """The vendor of a page with no vendor label: its letterhead, checked against the name
    payment is to be made to. A letterhead drawn as a picture leaves only small print: the
    remit-to name printed again at the top (a legal-name line) wins, and a remit-to company name
    is taken over a top line that is neither a heading nor a company's name."""
    ranked = _legal_name_first(_letterhead_ranking(rows, page_height, excluded))
    footer = _footer_letterhead(rows, page_height, excluded)
    if footer is not None and (not ranked or not _COMPANY.search(ranked[0].text)):
        # Nothing at the top names a company, and a bold company name over its address and
        # phone closes the page: a letterhead set in the footer (service-company prints).
        return _party_at(rows, footer, 0.7)
    if remit is None:
        return (
            _spelled_out(
                rows, _party_at(rows, ranked[0], _letterhead_score(ranked, page_height)), None
            )
            if ranked
            else Party()
        )
    same = [cell for cell in ranked if _same_name(_display_name(cell), remit)]
    if same:
        return _party_at(rows, same[0], 0.9)
    if not ranked:
        return Party(remit, None, 0.5)
    pick = _party_at(rows, ranked[0], _letterhead_score(ranked, page_height))
    pick = _spelled_out(rows, pick, remit)
    body = body_size(rows)
    heading = ranked[0].size >= _HEADING * body or (ranked[0].bold and ranked[0].size > body)
    if not heading and not _COMPANY.search(ranked[0].text) and _COMPANY.search(remit):
        return Party(remit, None, 0.5)
    return pick


def _footer_letterhead(
    rows: Sequence[Sequence[Cell]], page_height: float, excluded: set[str]
) -> Cell | None:
    """A bold company name in the bottom fifth of the page with its contact lines (an address
    or a phone number) under it, or None."""
    limit = (1.0 - _FOOTER_SHARE) * page_height
    for row in rows:
        for cell in row:
            if cell.box.y0 < limit or not cell.bold or not _COMPANY.search(cell.text):
                continue
            if not _letterhead_candidate(cell, excluded):
                continue
            below = cells_below(rows, cell, 2, _BLOCK_SPACING)
            if any(_CONTACT.search(other.text) for other in below):
                return cell
    return None


def _legal_name_first(ranked: list[Cell]) -> list[Cell]:
    """A heading that is no company's name ("Redline Commercial Division", a trade) over the
    legal name set bold right under it: the legal name ranks first."""
    if not ranked or _LEGAL_NAME.fullmatch(ranked[0].text.strip()):
        return ranked
    top = ranked[0]
    for cell in ranked[1:4]:
        gap = cell.box.y0 - top.box.y1
        aligned = abs(cell.box.x0 - top.box.x0) <= 3 or abs(cell.box.cx - top.box.cx) <= 3
        if (
            cell.bold
            and 0 <= gap <= 2.5 * cell.size
            and aligned
            and _LEGAL_NAME.fullmatch(cell.text.strip())
        ):
            return [cell, *(other for other in ranked if other is not cell)]
    return ranked


def _spelled_out(rows: Sequence[Sequence[Cell]], pick: Party, remit: str | None) -> Party:
    """A wordmark ("K E Y S T O N E", "KEYSTONE") whose legal name is printed elsewhere, in
    small print under it, in the payee or in the footer ("Keystone Electric Inc. · 1200
    Industrial Pkwy"): the legal name is the vendor's name."""
    if pick.name is None or _COMPANY.search(pick.name):
        return pick
    mark = _letters(pick.name)
    if len(mark) < 3:
        return pick
    for name in _legal_names(rows, remit):
        if _letters(name).startswith(mark) and len(_letters(name)) > len(mark):
            return Party(name, pick.address, pick.score)
    return pick


def _legal_names(rows: Sequence[Sequence[Cell]], remit: str | None) -> Iterator[str]:
    """Company names with their company form, the payee first, then down the page."""
    if remit is not None:
        yield remit
    for row in rows:
        for cell in row:
            for piece in _SEPARATORS.split(cell.text):
                legal = _LEGAL_NAME.match(piece.strip())
                if legal is not None:
                    yield legal.group(0).strip()


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _same_name(a: str, b: str) -> bool:
    return _folded(a) == _folded(b)


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^\w&]+", " ", text.casefold()).split())


def _wrapped_name(rows: Sequence[Sequence[Cell]], chosen: Cell) -> list[Cell]:
    """A name set on several lines in a narrow space ("Evergreen Lumber &" / "Supply Inc."):
    the chosen line with the lines just above and below it in the same type, aligned with it
    (at most `_NAME_LINES` in all)."""
    lines = [chosen]
    for step in (-1, 1):
        edge = chosen
        while len(lines) < _NAME_LINES and 0 <= edge.row + step < len(rows):
            twin = next((run for cell in rows[edge.row + step] for run in _size_runs(cell)
                         if _continues_name(edge, run)), None)  # fmt: skip
            if twin is None:
                break
            lines = [twin, *lines] if step < 0 else [*lines, twin]
            edge = twin
    return lines


def _continues_name(name: Cell, other: Cell) -> bool:
    """Whether `other` is the rest of a name set on two lines: same size and weight, aligned
    left, right or centred with it, close above or below, and no digits or label in it."""
    if abs(other.size - name.size) > 0.5:
        return False
    if other.bold != name.bold and not _SUFFIX_ONLY.fullmatch(other.text.strip()):
        return False  # (a legal form wrapped alone, "Ltd", may be set in the plain weight)
    gap = max(other.box.y0 - name.box.y1, name.box.y0 - other.box.y1)
    if gap > 0.6 * name.size:
        return False
    a, b = name.box, other.box
    aligned = abs(a.x0 - b.x0) <= 3 or abs(a.x1 - b.x1) <= 3 or abs(a.cx - b.cx) <= 3
    text = other.text.strip()
    if not aligned or any(ch.isdigit() for ch in text) or _is_label(text):
        return False
    return not _TITLE_WORDS.match(text) and "@" not in text


def _letterhead_score(ranked: Sequence[Cell], page_height: float) -> float:
    """How sure the letterhead pick is: clear when it stands well above the runner-up
    (a bigger or bolder company name), doubtful when two names look alike."""
    if len(ranked) == 1:
        return 0.8
    lead = _prominence(ranked[0], page_height) - _prominence(ranked[1], page_height)
    return 0.9 if lead >= 3.0 else 0.75 if lead >= 1.5 else 0.6


def _size_runs(cell: Cell) -> list[Cell]:
    """A cell cut where the type size changes: a name and a title set close together on one
    line ("Keystone Electric Inc.   INVOICE") are two things."""
    words = cell.words
    if len(words) < 2 or all(abs(w.size - words[0].size) < 1.0 for w in words):
        return [cell]
    # OCR sizes come from box heights, which descenders and capitals make vary word to word.
    scanned = read_by_ocr(words)
    runs: list[list[Word]] = [[words[0]]]
    for word in words[1:]:
        step = max(1.0, 0.3 * word.size) if scanned else 1.0
        if abs(word.size - runs[-1][-1].size) >= step:
            runs.append([word])
        else:
            runs[-1].append(word)
    return [_run_cell(cell, run) for run in runs]


def _run_cell(cell: Cell, words: list[Word]) -> Cell:
    box = words[0].box
    for word in words[1:]:
        box = box.union(word.box)
    size = max(word.size for word in words)
    bold = all(word.bold for word in words)
    text = " ".join(word.text for word in words)
    return Cell(text, box, size, bold, cell.row, cell.page, tuple(words))


def _display_name(cell: Cell) -> str:
    """The name as set in its largest type, without a monogram logo in front ("BB Blackstone
    Building Supply" -> "Blackstone Building Supply")."""
    share = 0.7 if read_by_ocr(cell.words) else 0.9  # OCR sizes vary
    words = [w.text for w in cell.words if w.size >= share * cell.size] or [cell.text]
    if len(words) > 2 and words[0].isupper() and len(words[0]) <= 3:
        initials = "".join(w[0] for w in words[1:] if w[:1].isalpha()).upper()
        if initials.startswith(words[0]):
            words = words[1:]
    return " ".join(words).strip()
