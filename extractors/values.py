"""Value grammars: printed amounts, quantities and currencies into typed values.

Pure text in, typed value (or None) out. Both decimal separators are understood
("1,234.50", "1.234,50", "1 234,50", "1'234.50"), as are negatives printed as
"-1,234.50", "(1,234.50)" and "1,234.50-".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CURRENCY_NOISE = re.compile(r"(?i)\b(?:USD|CAD|EUR|GBP|AUD|CHF|NZD|US|CA|AU)\b|[$€£¥]|\s")
_AMOUNT_SHAPE = re.compile(r"^[-+(]?\d[\d.,' ]*[)-]?$")


def parse_amount(text: str) -> Decimal | None:
    """'$1,234.50', '1.234,50 €', '(1,234.50)', '1,234.50-' in; Decimal out (None if no amount)."""
    raw = _CURRENCY_NOISE.sub("", text.replace("\u00a0", " ").replace("\u2212", "-"))
    if not raw or not _AMOUNT_SHAPE.match(raw):
        return None
    negative = raw.startswith(("-", "(")) or raw.endswith(("-", ")"))
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
    if not re.fullmatch(r"\d+(\.\d+)?", digits):
        return None
    return digits
