"""Date grammar: printed dates in every common format into `datetime.date`.

Owns numeric dates (ISO, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY, two-digit years), dates with
month names in English, German, French, Spanish and Dutch, and the document-level decision
whether a numeric date is day-first. Pure text in, values out; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

_FULL_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "januar", "jänner", "janvier", "enero", "januari"),
    2: ("february", "februar", "février", "fevrier", "febrero", "februari"),
    3: ("march", "märz", "maerz", "mars", "marzo", "maart"),
    4: ("april", "avril", "abril"),
    5: ("may", "mai", "mayo", "mei"),
    6: ("june", "juni", "juin", "junio"),
    7: ("july", "juli", "juillet", "julio"),
    8: ("august", "août", "aout", "agosto", "augustus"),
    9: ("september", "septembre", "septiembre", "setiembre"),
    10: ("october", "oktober", "octobre", "octubre"),
    11: ("november", "novembre", "noviembre"),
    12: ("december", "dezember", "décembre", "decembre", "diciembre"),
}
_SHORT_MONTHS: dict[str, int] = {
    "jan": 1, "ene": 1, "feb": 2, "fév": 2, "fev": 2, "févr": 2, "mar": 3, "mär": 3, "mrz": 3,
    "apr": 4, "avr": 4, "abr": 4, "jun": 6, "jul": 7, "juil": 7, "aug": 8, "ago": 8, "aoû": 8,
    "sep": 9, "sept": 9, "set": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
    "déc": 12, "dic": 12, "mrt": 3, "mei": 5, "mai": 5, "may": 5,
}  # fmt: skip
MONTHS: dict[str, int] = {
    **_SHORT_MONTHS,
    **{name: month for month, names in _FULL_MONTHS.items() for name in names},
}
_MONTH = "(" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
_YEAR = r"(\d{4}|'?\d{2})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])")),
    ("num", re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)")),
    (
        "dmy",
        re.compile(
            r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er)?\.?[\s-]*(?:de\s+)?"
            + _MONTH
            + r"[\s,-]*(?:de\s+)?"
            + _YEAR
            + r"(?!\d)",
            re.I,
        ),
    ),
    (
        "mdy",
        re.compile(_MONTH + r"\s*(\d{1,2})(?!\d)(?:st|nd|rd|th)?,?\s*" + _YEAR + r"(?!\d)", re.I),
    ),
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in running text and where it stood."""

    value: date
    start: int
    end: int


def _year(text: str) -> int:
    digits = int(text.lstrip("'"))
    if len(text.lstrip("'")) == 2:
        return 2000 + digits if digits < 70 else 1900 + digits
    return digits


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_match(kind: str, match: re.Match[str], day_first: bool | None) -> date | None:
    groups = match.groups()
    if kind == "ymd":
        return _make(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "num":
        first, second, year = int(groups[0]), int(groups[2]), _year(groups[3])
        if second > 12 >= first:
            order = False  # 09.24.2024 can only be month first
        elif first > 12:
            order = True
        elif groups[1] == ".":
            # Dots mean day first, unless the document's own dates have shown otherwise.
            order = True if day_first is None else day_first
        else:
            order = bool(day_first)
        day, month = (first, second) if order else (second, first)
        return _make(year, month, day)
    if kind == "mdy":
        return _make(_year(groups[2]), MONTHS[groups[0].lower()], int(groups[1]))
    return _make(_year(groups[2]), MONTHS[groups[1].lower()], int(groups[0]))


def find_dates(text: str, day_first: bool | None = None) -> list[DateMatch]:
    """Every date printed in a text, left to right; `day_first` (the document's order, when
    known) settles 03/04/2026 and 03.04.2026; unknown, dots read day first, slashes month
    first."""
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            value = _from_match(kind, match, day_first)
            if value is not None:
                found.append(DateMatch(value, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    found.sort(key=lambda item: item.start)
    return found


def parse_date(text: str, day_first: bool | None = None) -> date | None:
    """The first date in a text (None when there is none)."""
    found = find_dates(text, day_first)
    return found[0].value if found else None


_NUMERIC = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d/-])")
_DAY_FIRST_CURRENCIES = frozenset({"EUR", "GBP", "AUD", "NZD", "CHF", "INR", "ZAR"})
_MONTH_FIRST_CURRENCIES = frozenset({"USD", "CAD"})


def _date_votes(text: str) -> tuple[int, int, int]:
    """Numeric dates that settle their order (day-first, month-first) and the dotted ones
    that do not: 25.03 is a day first, 09.24 a month first, 09.02 neither."""
    day_votes = month_votes = dotted = 0
    for match in _NUMERIC.finditer(text):
        first, second = int(match.group(1)), int(match.group(3))
        if second > 12 >= first:
            month_votes += 1  # 09.24.2024: month first, dots or not
        elif first > 12:
            day_votes += 1
        elif match.group(2) == ".":
            dotted += 1
    return day_votes, month_votes, dotted


def settled_day_first(texts: Iterable[str]) -> bool | None:
    """The numeric date order the texts' own dates settle (a first part over 12 is a day, a
    second part over 12 makes it month first), or None when none settles it."""
    day_votes, month_votes, _ = _date_votes("\n".join(texts))
    return None if day_votes == month_votes else day_votes > month_votes


def infer_day_first(
    texts: Iterable[str], currency: str | None, english: Callable[[], bool]
) -> bool:
    """Whether a document's numeric dates are day-first: decided by any date whose first
    part exceeds 12 (or second part does), else by currency and language hints (`english`
    is asked only when nothing else decides)."""
    # One scan of all texts: a line break between two texts stops a match as their ends do.
    text = "\n".join(texts)
    day_votes, month_votes, dotted = _date_votes(text)
    if day_votes != month_votes:
        return day_votes > month_votes
    if dotted:
        return True  # 09.02.2024: dots are day first, unless a sure date says otherwise
    by_terms = _order_by_terms(text)
    if by_terms is not None:
        return by_terms
    if currency in _MONTH_FIRST_CURRENCIES:
        return False
    if currency in {"GBP", "AUD", "NZD"}:
        return True
    return currency in _DAY_FIRST_CURRENCIES and not english()


_TERM_DAYS = re.compile(r"(?i)\bnet\s*(\d{1,3})\b|\b(\d{1,3})\s*days\b")
_TERMS_CHECKED = 6  # dates compared pairwise: the header's few, not a long list's


def _order_by_terms(text: str) -> bool | None:
    """Day-first (True) or month-first (False) when only one reading puts two of the
    document's dates the terms' days apart ("Net 30": 11/05 and 12/05 are 30 days apart
    month-first, one day apart day-first); None when the terms do not tell."""
    days = {int(a or b) for a, b in _TERM_DAYS.findall(text)} - {0}
    if not days:
        return None
    dates = [(int(m.group(1)), int(m.group(3)), m.group(0)) for m in _NUMERIC.finditer(text)]
    readings: dict[bool, list[date]] = {True: [], False: []}
    for first, second, printed in dates[:_TERMS_CHECKED]:
        year = _year(re.split(r"[./-]", printed)[-1])
        for day_first, (day, month) in ((True, (first, second)), (False, (second, first))):
            made = _make(year, month, day)
            if made is not None:
                readings[day_first].append(made)
    fits = {
        order: any((b - a).days in days for a in found for b in found)
        for order, found in readings.items()
    }
    return fits[True] if fits[True] != fits[False] else None
