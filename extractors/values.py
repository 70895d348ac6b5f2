"""Value grammars: printed amounts, quantities and currencies into typed values.

Pure text in, typed value (or None) out. Both decimal separators are understood
("1,234.50", "1.234,50", "1 234,50", "1'234.50"), as are negatives printed as
"-1,234.50", "(1,234.50)" and "1,234.50-".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_CURRENCY_NOISE = re.compile(
    r"(?i)\b(?:USD|CAD|EUR|GBP|AUD|CHF|NZD|US|CA|AU)\b|(?:\b(?:A|C|NZ|HK|S)(?=\$))?[$€£¥]|\s"
)
_AMOUNT_SHAPE = re.compile(r"^[-+(]?\d[\d.,' ]*[)-]?$")
_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?")


# Layout code asks about the same cell texts many times per page (is it a number?); a Decimal
# is immutable, so one answer per text can be shared.
@lru_cache(maxsize=4096)
def parse_amount(text: str) -> Decimal | None:
    """'$1,234.50', '1.234,50 €', '(1,234.50)', '1,234.50-' in; Decimal out (None if no amount)."""
    raw = _CURRENCY_NOISE.sub("", text.replace("\u00a0", " ").replace("\u2212", "-"))
    if not raw or not _AMOUNT_SHAPE.match(raw):
        return None
    # A closing parenthesis alone is a sentence's ("(section 55A VATA 1994)"), not a sign.
    negative = raw.startswith(("-", "(")) or raw.endswith("-") or (raw.endswith(")") and "(" in raw)
    digits = raw.strip("-+()").replace("'", "")
    number = _normalise_separators(digits)
    if number is None:
        return None
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return -value if negative else value


def _normalise_separators(digits: str) -> str | None:
    """Decide which of '.' and ',' is the decimal separator; return a plain '1234.50'."""
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        head, _, tail = digits.rpartition(sep)
        # One separator followed by exactly three digits, seen more than once or with a
        # longer head, is grouping ("1,234" / "1.234.567"); otherwise it is the decimal point.
        if len(tail) == 3 and (digits.count(sep) > 1 or (head and len(head) <= 3 and sep == ",")):
            decimal_sep = ""
        elif digits.count(sep) > 1:
            return None
        else:
            decimal_sep = sep
    else:
        decimal_sep = ""
    group_sep = {".": ",", ",": ".", "": ",."}[decimal_sep]
    for sep in group_sep:
        digits = digits.replace(sep, "")
    if decimal_sep == ",":
        digits = digits.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(digits):
        return None
    return digits


# --- Document-level grammars: decimal separator, amounts in running text, currency, IDs. ---

_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d{1,3}(?:\.\d{3})*,\d{2}(?![\d,.])")
_DECIMAL_DOT = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})*\.\d{2}(?![\d,.])")
_MONEY_TOKEN = re.compile(
    r"(?<![\w.,/:-])(?:[-−(]\s?)?(?:[$€£]\s?)?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?"
    r"(?![\d.,])|\d[\d.,']*)(?:\s?[$€£])?"
    r"(?:[)-](?!\w))?(?![\w%/:]|[.,]\d)"
)
_MONEY_CLEAN = re.compile(r"[$€£\s\u202f]")
# Grouped thousands by the group separator a document does not use for decimals.
_GROUPED = {sep: re.compile(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})*") for sep in ".,"}
_DECIMALS_AT_END = re.compile(r"[.,]\d{1,4}$")
_SEPARATOR = re.compile(r"[.,]")


def infer_decimal_separator(texts: list[str]) -> str:
    """The texts of a document in, its decimal separator ("." or ",") out, by majority."""
    # One scan of all texts: a line break between two texts stops a match as their ends do.
    joined = "\n".join(texts)
    commas = len(_DECIMAL_COMMA.findall(joined))
    dots = len(_DECIMAL_DOT.findall(joined))
    return "," if commas > dots else "."


def parse_money(text: str, decimal_sep: str = ".") -> Decimal | None:
    """An amount read with the document's decimal separator ("1.234" is 1234 in a comma
    document); falls back to `parse_amount` when the token contradicts the separator."""
    raw = _MONEY_CLEAN.sub("", text.replace("\u2212", "-"))
    group_sep = "." if decimal_sep == "," else ","
    body = raw.strip("-+()")
    if decimal_sep not in body and group_sep in body:
        head, _, tail = body.rpartition(group_sep)
        if len(tail) != 3 or not head:
            return parse_amount(text)
        if not _GROUPED[group_sep].fullmatch(body):
            return parse_amount(text)
        raw = raw.replace(group_sep, "")
        return parse_amount(raw)
    return parse_amount(text)


@dataclass(frozen=True, slots=True)
class AmountMatch:
    """An amount found in running text: its value, where it stands, and whether it had cents."""

    value: Decimal
    start: int
    end: int
    has_decimals: bool


def find_amounts(text: str, decimal_sep: str = ".") -> list[AmountMatch]:
    """Every money-shaped token of a text (not percentages, not dates) with its value."""
    found: list[AmountMatch] = []
    for match in _MONEY_TOKEN.finditer(text):
        token = match.group(0).rstrip()
        if text[match.end() : match.end() + 2].lstrip().startswith("%"):
            continue
        value = parse_money(token, decimal_sep)
        if value is None:
            continue
        digits = token.strip("-−()$€£ ")
        decimals = _DECIMALS_AT_END.search(digits) is not None and (
            decimal_sep in digits or digits.count(".") + digits.count(",") == 1
        )
        if decimals and len(_SEPARATOR.split(digits)[-1]) == 3 and decimal_sep not in digits:
            decimals = False
        found.append(AmountMatch(value, match.start(), match.start() + len(token), decimals))
    return found


_ISO_CODES = (
    "USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK",
    "JPY", "MXN", "INR", "ZAR", "SGD", "HKD", "CNY", "BRL", "HUF", "RON", "MYR",
)  # fmt: skip
_ISO = re.compile(r"\b(" + "|".join(_ISO_CODES) + r")\b")
_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "CHF": "CHF"}
_PREFIXED_DOLLAR = re.compile(r"\b(US|CA|C|AU|A|NZ)\$")
_PREFIX_CODE = {"US": "USD", "CA": "CAD", "C": "CAD", "AU": "AUD", "A": "AUD", "NZ": "NZD"}
_MARKS = frozenset({"$", *_SYMBOLS, *_ISO_CODES, *(f"{prefix}$" for prefix in _PREFIX_CODE)})


def is_currency_mark(word: str) -> bool:
    """A word that only names a currency: a symbol ("$", "€", "A$") or an ISO code ("CAD")."""
    return word in _MARKS


# Malaysian ringgit as printed: "RM 12.50", "RM12.50", "Total (RM)". A bare "RM" is a room.
_RINGGIT = re.compile(r"\bRM\s?\d+[.,]\d{2}\b|\(RM\)")
# Currencies with no minor unit: a document that prints its amounts with cents is not in one.
_WHOLE_UNITS = frozenset({"JPY", "KRW", "ISK", "CLP", "VND"})
_CANADA = re.compile(
    r"\b(GST/HST|HST|GST|QST|PST)\b|\b(ON|QC|BC|AB|MB|SK|NS|NB|NL|PE)\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"
    r"|\bCanada\b"
)
_AUSTRALIA = re.compile(r"\b(NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s+\d{4}\b|\bABN\b|\bAustralia\b")


def currency_votes(text: str) -> dict[str, int]:
    """Currency evidence in a text: ISO codes and unambiguous symbols, counted."""
    votes: dict[str, int] = {}
    for code in _ISO.findall(text):
        votes[code] = votes.get(code, 0) + 1
    for symbol, code in _SYMBOLS.items():
        if symbol in text:
            votes[code] = votes.get(code, 0) + text.count(symbol)
    for prefix in _PREFIXED_DOLLAR.findall(text):
        code = _PREFIX_CODE[prefix]
        votes[code] = votes.get(code, 0) + 2
    ringgit = len(_RINGGIT.findall(text))
    if ringgit:
        votes["MYR"] = votes.get("MYR", 0) + 2 * ringgit
    return votes


def _prints_cents(text: str) -> bool:
    """Whether most amounts in a text are printed with two decimal places."""
    amounts = find_amounts(text)
    return 2 * sum(m.has_decimals for m in amounts) > len(amounts) > 0


def dollar_currency(text: str) -> str:
    """Which dollar a bare "$" means in a document: CAD or AUD from regional hints, else USD."""
    if _CANADA.search(text):
        return "CAD"
    if _AUSTRALIA.search(text):
        return "AUD"
    return "USD"


def detect_currency(text: str) -> str | None:
    """A document's whole text in, its ISO currency out (None when nothing says)."""
    votes = currency_votes(text)
    if votes and _WHOLE_UNITS & votes.keys() and _prints_cents(text):
        # A "¥" that OCR made of a "Y" or a stray mark, on a page of amounts with cents.
        votes = {code: n for code, n in votes.items() if code not in _WHOLE_UNITS}
    if votes:
        return max(votes.items(), key=lambda item: item[1])[0]
    if "$" in text:
        return dollar_currency(text)
    return None


_DATE_LIKE = re.compile(
    r"^(\d{1,4})[./-](\d{1,2})[./-](\d{2,4})$|^\d{1,2}[./-][A-Za-zäé]{3,9}[./-]\d{2,4}$"
)
_PHONE_LIKE = re.compile(r"^\+|^\(\d{3}\)|^\d{3}[-. ]\d{3}[-. ]\d{4}$")
_DIGITS = re.compile(r"\d+")
_CENTS_AT_END = re.compile(r"[.,]\d{2}$")


def is_identifier(token: str) -> bool:
    """Whether a token has the shape of a document number: a digit, no date, no phone."""
    if not 1 <= len(token) <= 40 or not any(ch.isdigit() for ch in token):
        return False
    if _DATE_LIKE.match(token) or _PHONE_LIKE.match(token):
        return False
    if "@" in token or token.endswith("%"):
        return False
    stripped = token.replace(",", "").replace(".", "")
    # A plain money amount ("1,234.50") is not a document number.
    return not _DIGITS.fullmatch(stripped) or not _CENTS_AT_END.search(token)
