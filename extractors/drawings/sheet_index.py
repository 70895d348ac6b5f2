"""The cover sheet's drawing index, and the cross-check of every sheet's read against it.

Owns finding the index (a "SHEET INDEX" / "DRAWING LIST" / "LIST OF DRAWINGS" heading and the
number + title rows under it), confirming or correcting sheet numbers and titles from it, and
flagging sheets missing from the index or listed but absent. Pure functions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from extractors.drawings.labels import (
    INDEX_HEADING,
    clean_sheet_number,
    fold,
    is_sheet_number,
    repair_sheet_number,
)
from extractors.drawings.sheet import SheetRead, fold_title
from extractors.drawings.title_block import text_runs
from extractors.fuzzy import edit_distance
from extractors.lines import group_lines
from extractors.page import Box, Page, Word
from models import discipline_for_sheet_number

_TITLE_GAP = 120.0  # points: a wider gap ends an index entry's title
_SAME_TITLE = 0.88
_CONFIRMED = 0.99
_CORRECTED = 0.6
_MAX_CUT = 2  # characters a read may have lost at its end and still be matched to an entry


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One row of a drawing index: sheet number, title, and how surely the number was read."""

    number: str
    title: str
    certainty: float = 1.0


@dataclass(frozen=True, slots=True)
class SheetIndex:
    """A drawing index as read: the page it is on and its entries in order."""

    page: int
    entries: tuple[IndexEntry, ...]


@dataclass(slots=True)
class CrossCheck:
    """What the index said about the reads: warnings and the pages to review."""

    warnings: list[str] = field(default_factory=list)
    flagged: set[int] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)


def _entries(words: Sequence[Word]) -> list[IndexEntry]:
    """Index rows from the words under a heading: a sheet number, then its title."""
    entries: list[IndexEntry] = []
    for line in group_lines(words):
        number: Word | None = None
        title: list[str] = []
        previous: Word | None = None
        for word in line.words:
            gap = word.box.x0 - previous.box.x1 if previous is not None else 0.0
            # A row's first column holds a sheet number: there a figure is a misread letter.
            first = previous is None or gap >= _TITLE_GAP
            text = repair_sheet_number(word.text) if first else word.text
            if is_sheet_number(text) and (number is None or title):
                _close(entries, number, title)
                number, title = replace(word, text=clean_sheet_number(text)), []
            elif number is not None and gap < _TITLE_GAP:
                title.append(word.text)
            elif number is not None:
                _close(entries, number, title)
                number, title = None, []
            previous = word
        _close(entries, number, title)
    return entries


def _close(entries: list[IndexEntry], number: Word | None, title: list[str]) -> None:
    text = " ".join(title).strip()
    known = {entry.number for entry in entries}
    if number is not None and number.text not in known and re.search(r"[A-Za-z]{2}", text):
        entries.append(IndexEntry(number.text, text, number.confidence))


def read_sheet_index(pages: Sequence[Page], exclude: dict[int, Box]) -> SheetIndex | None:
    """The first drawing index found in the pages (title blocks in `exclude` are skipped)."""
    for page in pages[:3]:
        heading = _heading(page)
        if heading is None:
            continue
        block = exclude.get(page.number)
        words = [
            w for w in page.words
            if w.box.y0 > heading.y1 and w.box.x0 >= heading.x0 - 30
            and (block is None or not _inside(w.box, block))
        ]  # fmt: skip
        entries = _entries(words)
        if entries:
            return SheetIndex(page.number, tuple(entries))
    return None


def _inside(box: Box, region: Box) -> bool:
    return region.x0 <= box.cx <= region.x1 and region.y0 <= box.cy <= region.y1


def _heading(page: Page) -> Box | None:
    for line in text_runs(page.words):
        if INDEX_HEADING.search(fold(line.text)):
            return line.box
    return None


def _similar(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(None, fold_title(a), fold_title(b)).ratio()


def _key(number: str) -> str:
    return re.sub(r"[-.\s]", "", fold(number))


def cross_check(reads: list[SheetRead], index: SheetIndex) -> CrossCheck:
    """Confirm, correct or flag every read against the index (reads are updated in place)."""
    check = CrossCheck()
    by_key = {_key(entry.number): entry for entry in index.entries}
    claimed: set[str] = set()
    pending: list[SheetRead] = []
    for read in reads:
        number = read.sheet.sheet_number
        if number is not None and _key(number) in by_key and _key(number) not in claimed:
            claimed.add(_key(number))
            _confirm(read, by_key[_key(number)], check)
        else:
            pending.append(read)
    for read in pending:
        entry = _best_unclaimed(read, by_key, claimed)
        if entry is None:
            what = read.sheet.sheet_number or "with no readable sheet number"
            check.warnings.append(f"page {read.sheet.page}: sheet {what} is not in the sheet index")
            check.flagged.add(read.sheet.page)
            continue
        claimed.add(_key(entry.number))
        if _surer_than_index(read, entry):
            _keep(read, entry, check)
        else:
            _correct(read, entry, check)
    for key, entry in by_key.items():
        if key not in claimed:
            check.missing.append(entry.number)
            check.warnings.append(
                f"sheet {entry.number} ({entry.title}) is listed in the sheet index "
                "but missing from the set"
            )
    return check


def _confirm(read: SheetRead, entry: IndexEntry, check: CrossCheck) -> None:
    read.confidence["sheet_number"] = max(read.confidence.get("sheet_number", 0.0), _CONFIRMED)
    if read.sheet.sheet_title is None:
        read.sheet = read.sheet.model_copy(update={"sheet_title": entry.title})
        read.confidence["sheet_title"] = _CORRECTED
        check.warnings.append(
            f"page {read.sheet.page}: sheet title not read; taken from the sheet index"
        )
        check.flagged.add(read.sheet.page)
    elif _similar(read.sheet.sheet_title, entry.title) < _SAME_TITLE:
        check.warnings.append(
            f"page {read.sheet.page}: sheet {entry.number} is titled "
            f"{read.sheet.sheet_title!r} but the sheet index says {entry.title!r}"
        )
        read.confidence["sheet_title"] = min(read.confidence.get("sheet_title", 1.0), 0.7)
        check.flagged.add(read.sheet.page)
    elif "sheet_title" in read.confidence:
        read.confidence["sheet_title"] = max(read.confidence["sheet_title"], _CONFIRMED)


def _best_unclaimed(
    read: SheetRead, by_key: dict[str, IndexEntry], claimed: set[str]
) -> IndexEntry | None:
    """The unclaimed entry this read most likely is: same title, else a near-identical number."""
    free = [entry for key, entry in by_key.items() if key not in claimed]
    if read.sheet.sheet_title:
        titled = max(free, key=lambda e: _similar(read.sheet.sheet_title, e.title), default=None)
        if titled is not None and _similar(read.sheet.sheet_title, titled.title) >= _SAME_TITLE:
            return titled
    number = read.sheet.sheet_number
    return _near_number(number, free) if number else None


def _near_number(number: str, free: Sequence[IndexEntry]) -> IndexEntry | None:
    """The one free entry a misread number is a near miss of: one character off ("GO001",
    "1101"), or cut short by up to two ("P1" for P1.01); None when two are equally near."""
    key = _key(number)
    if len(key) < 2:
        return None
    scored = sorted(
        ((edit_distance(key, _key(e.number)), e) for e in free), key=lambda item: item[0]
    )
    if not scored:
        return None
    distance, entry = scored[0]
    if len(scored) > 1 and scored[1][0] == distance:
        return None
    cut_short = _key(entry.number).startswith(key) and distance <= _MAX_CUT
    return entry if distance == 1 or cut_short else None


def _surer_than_index(read: SheetRead, entry: IndexEntry) -> bool:
    """True when the sheet's own number is a near miss of the entry's and was read more surely
    (large print read alike twice) than the index's small print: then the index is misread."""
    number = read.sheet.sheet_number
    if number is None or read.number_certainty <= entry.certainty:
        return False
    return edit_distance(_key(number), _key(entry.number)) <= _MAX_CUT


def _keep(read: SheetRead, entry: IndexEntry, check: CrossCheck) -> None:
    """The sheet keeps its own number; the entry it matches is taken as a misreading of it."""
    check.warnings.append(
        f"page {read.sheet.page}: sheet number read as {read.sheet.sheet_number}; the sheet "
        f"index lists it as {entry.number}"
    )
    check.flagged.add(read.sheet.page)
    if read.sheet.sheet_title is None:
        read.sheet = read.sheet.model_copy(update={"sheet_title": entry.title})
        read.confidence["sheet_title"] = _CORRECTED


def _correct(read: SheetRead, entry: IndexEntry, check: CrossCheck) -> None:
    before = read.sheet.sheet_number
    update: dict[str, object] = {
        "sheet_number": entry.number,
        "discipline": discipline_for_sheet_number(entry.number),
    }
    if read.sheet.sheet_title is None:
        update["sheet_title"] = entry.title
        read.confidence["sheet_title"] = _CORRECTED
    read.sheet = read.sheet.model_copy(update=update)
    read.confidence["sheet_number"] = _CORRECTED
    check.warnings.append(
        f"page {read.sheet.page}: sheet number read as {before!r}, corrected to "
        f"{entry.number} from the sheet index"
    )
    check.flagged.add(read.sheet.page)
