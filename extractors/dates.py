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


def _from_match(kind: str, match: re.Match[str], day_first: bool) -> date | None:
    groups = match.groups()
    if kind == "ymd":
        return _make(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "num":
        first, second, year = int(groups[0]), int(groups[2]), _year(groups[3])
        if groups[1] == "." or first > 12:
            day_first = True
        elif second > 12:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        return _make(year, month, day)
    if kind == "mdy":
        return _make(_year(groups[2]), MONTHS[groups[0].lower()], int(groups[1]))
    return _make(_year(groups[2]), MONTHS[groups[1].lower()], int(groups[0]))


def find_dates(text: str, day_first: bool = False) -> list[DateMatch]:
    """Every date printed in a text, left to right; `day_first` settles 03/04/2026."""
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


def parse_date(text: str, day_first: bool = False) -> date | None:
    """The first date in a text (None when there is none)."""
    found = find_dates(text, day_first)
    return found[0].value if found else None


_NUMERIC = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d/-])")
_DAY_FIRST_CURRENCIES = frozenset({"EUR", "GBP", "AUD", "NZD", "CHF", "INR", "ZAR"})
_MONTH_FIRST_CURRENCIES = frozenset({"USD", "CAD"})


def infer_day_first(
    texts: Iterable[str], currency: str | None, english: Callable[[], bool]
) -> bool:
    """Whether a document's numeric dates are day-first: decided by any date whose first
    part exceeds 12 (or second part does), else by currency and language hints (`english`
    is asked only when nothing else decides)."""
    day_votes = month_votes = 0
    # One scan of all texts: a line break between two texts stops a match as their ends do.
    for match in _NUMERIC.finditer("\n".join(texts)):
        first, second = int(match.group(1)), int(match.group(3))
        if match.group(2) == "." or first > 12:
            day_votes += 1
        elif second > 12:
            month_votes += 1
    if day_votes != month_votes:
        return day_votes > month_votes
    if currency in _MONTH_FIRST_CURRENCIES:
        return False
    if currency in {"GBP", "AUD", "NZD"}:
        return True
    return currency in _DAY_FIRST_CURRENCIES and not english()
