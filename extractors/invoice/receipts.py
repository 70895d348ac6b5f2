"""Receipt-aware rules for the header fields a till receipt carries: vendor, date, total.

A receipt is not an invoice: a narrow strip, a shop name in capitals on top (often with its
company registration number, "(123456-X)", and a company form such as "SDN BHD"), "TOTAL",
"ROUNDED TOTAL" or "TOTAL (RM)" beside the amount paid, "CASH" and "CHANGE" beside amounts that
are not the total, a tax summary whose "Total" row is not the total either, and day-first dates
(DD/MM/YYYY). Owns telling a receipt from an invoice and picking those three fields on it; the
caller decides what to do with them. Pure: pages in, values out, nothing read from files or
the environment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from extractors.dates import find_dates
from extractors.lines import TextLine, group_lines
from extractors.page import Page
from extractors.values import find_amounts

_NARROW = 0.6  # width over height: a till roll is much taller than it is wide
_VOCABULARY = re.compile(
    r"\b(?:cash(?:ier)?|change|rounding|receipt|thank\s*you|gst\s*summary|member|qty|"
    r"tender|visa|master\s*card|debit|counter|table|tax\s*invoice|come\s*again|item\s*count|"
    r"pax|served\s*by|terminal|amount\s*paid|total\s*sales)\b",
    re.I,
)
_MIN_VOCABULARY = 3
_SURE_VOCABULARY = 5  # this many different till words: a receipt whatever else it says

# --- The total -------------------------------------------------------------------------------

# "TOTAL" as OCR reads it off thermal paper: TOTAl, Tota1, T0TAL, TOTAI, rOTAL, Tctal.
_TOTAL = r"(?:\b(?:[t7r]\s?)?[o0c]\s?t\s?[a4]\s?[l1i|!])"
# A total label, and how sure it makes us: what was paid after rounding beats a plain total.
_TOTALS = (
    (re.compile(rf"\brounded\s*{_TOTAL}|{_TOTAL}\s*(?:after\s*(?:round\w*|adj\w*)|rounded)"
                r"|\bnett?\s*(?:amount|payable)\b|\bamount\s*(?:to\s*be\s*)?paid\b|\bto\s*pay\b",
                re.I), 4),
    (re.compile(rf"\b(?:grand|nett?)\s*{_TOTAL}|{_TOTAL}\s*(?:payable|due)\b|\bamount\s*due\b"
                rf"|{_TOTAL}\s*(?:sales\s*)?\(?\s*incl?\w*|{_TOTAL}\s*sales\s*\(?\s*inc", re.I), 3),
    (re.compile(rf"{_TOTAL}\s*(?:\(?\s*rm\s*\)?|amount|amt|sales)\b|\btotal\s*\(", re.I), 2),
    (re.compile(rf"\b{_TOTAL}\b|{_TOTAL}\s*:", re.I), 1),
)  # fmt: skip
_NOT_TOTAL = re.compile(
    rf"\bsub\s*-?\s*{_TOTAL}|{_TOTAL}\s*(?:qty|quantity|items?|excl\w*|gst\b|tax\b|disc\w*|"
    r"savings?|points?|tendered|count|weight|no\b)|\bqty\b|\brounding\b|\bround\s*adj|"
    r"\badj(?:ustment)?\b(?!\s*incl)|\bchange\b|\bcash\b|\bdiscount\b|\bdeposit\b",
    re.I,
)
_SUMMARY = re.compile(r"\b(?:gst|tax|vat)\s*summ|\bsumm?ary\b", re.I)
_ROUNDING = re.compile(r"\bround", re.I)
_CASH = re.compile(r"\bcash\b", re.I)
_CHANGE = re.compile(r"\bchange\b|\bchg\b", re.I)
_CURRENCY_GLUED = re.compile(r"\b(RM|MYR|S\$|\$)_?(?=\d)", re.I)  # "RM34.80", "RM_34.80"
_AMOUNT_SHAPE = re.compile(r"\d+\s?[.,]\s?\d{2}\b")
_SPLIT_CENTS = re.compile(r"(\d)\s?[.,]\s([\dOoDQ]{2})\b")  # "85. 54": a space read into it
# An amount with letters OCR put in for figures ("86.OO", "1S.50", "l2.00"): at least one real
# figure, a decimal point and two places. Letters become the figures they are mistaken for.
_MISREAD_AMOUNT = re.compile(
    r"(?<![\w.,])(?=[\dOoDQSIl]*\d)[\dOoDQSIl]+[.,][\dOoDQSIl]{2}(?![\w.,])"
)
_AS_DIGITS = str.maketrans("OoDQSIl", "0000511")
_CASH_CHANGE_BONUS = 2
_ROUNDED_RANK = 4  # labels of this rank name the total after cash rounding
_MAX_ROUNDING = Decimal("0.05")
_ROUNDING_STEP = Decimal("0.05")  # a total that cash tendered minus change confirms

# --- The vendor ------------------------------------------------------------------------------

_NOT_NAME = re.compile(
    r"(?:\btax\s*invoice\b|\breceipt\b|\binvoice\b|\bgst\b|\bco\.?\s*(?:reg|no)\b|\breg\b|"
    r"\bno\.?\s*\d|\btel\b|\bfax\b|\bphone\b|\bwelcome\b|\bcopy\b|@\S*\.\w|www\.|\.com\b|\bdate\b|"
    r"\bcashier\b|\btable\b|\bhours?\b|\bcompany\s*no\b|\bcash\b|\bqty\b|\bdescription\b|"
    r"\bprice\b|\bamount\b|\btotal\b|\bmember\b|\bslip\b)",
    re.I,
)
# Company forms and trades: what a shop's legal or signboard name usually ends in or holds.
_COMPANY = re.compile(
    r"\b(?:s[do]n\.?\s*b[hn]d|bhd|berhad|s/b|plt|enterprise|trading|industries|company|"
    r"corporation|co\.|ltd|limited|inc|llc|gmbh|restaurant|restoran|store|mart|shop|hardware|"
    r"stationery|stationers|pharmacy|farmasi|florist|bakery|cafe|kedai|syarikat|perniagaan|"
    r"supermarket|market|trading|motor|services?|distribution|international|marketing|"
    r"petrol|books|food|beverages?)\b",
    re.I,
)
_ADDRESS = re.compile(
    r"\b(?:jalan|jln|lot|no\.?|flr|floor|level|taman|tmn|kawasan|selangor|johor|kuala|lumpur|"
    r"darul|ehsan|perindustrian|bandar|batu|lorong|persiaran|off|seksyen|section|street|road|"
    r"avenue|suite)\b|\b\d{5}\b",
    re.I,
)
# A company registration number as printed beside the name: (123456-X), 123456-X, (S19537-X).
_REGISTRATION = re.compile(
    r"[(\[{]\s*(?:co\.?\s*(?:reg\.?\s*)?(?:no\.?)?\s*:?\s*)?[A-Z]?\d{4,}\s*-?\s*[A-Z]?\s*[)\]}]?"
    r"|\(?\b[A-Z]?\d[\dA-Z]{3,}\s?-+\s?[A-Z]\b\)?"
)
_SUFFIX_ONLY = re.compile(r"^\s*(?:s[do5]n\.?\s*b[hn]d\.?|bhd\.?|berhad|s/b)\s*$", re.I)
# OCR misreadings of the Malaysian company forms: SON BHD, SDN BND, 5/B.
_FORM_FIXES = (
    (re.compile(r"\s*[-–]\s*(?=S[DOU0]N\b)", re.I), " "),
    (re.compile(r"\bS[DOU0]N\s*[.,]?\s*[BP8][HN][DO0]\b", re.I), "SDN BHD"),
    (re.compile(r"(?<![\w/])5/B\b"), "S/B"),
)
_TOP_LINES = 10
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?", re.I)
# Where the shop's header ends: the first line that is about the sale, not the seller.
_SALE_STARTS = re.compile(rf"\bqty\b|\bdescription\b|\bitem\b|{_TOTAL}|\bcashier\b", re.I)
_MIN_NAME_CONFIDENCE = 0.5  # a line read less surely than this is a logo or a smudge


@dataclass(frozen=True, slots=True)
class ReceiptFields:
    """What the receipt rules found, each with a confidence in [0, 1]."""

    vendor_name: str | None = None
    vendor_confidence: float = 0.0
    date: date | None = None
    date_confidence: float = 0.0
    total: Decimal | None = None
    total_confidence: float = 0.0


def _till_words(pages: Sequence[Page]) -> int:
    """How many different till words ("cash", "change", "rounding", ...) the pages print."""
    text = " ".join(word.text for page in pages for word in page.words)
    return len({re.sub(r"\s+", "", hit.group(0).lower()) for hit in _VOCABULARY.finditer(text)})


def _narrow(pages: Sequence[Page]) -> bool:
    first = pages[0]
    return first.height > 0 and first.width / first.height < _NARROW


def is_receipt(pages: Sequence[Page]) -> bool:
    """True when the pages read like a till receipt (narrow, or full of till vocabulary)."""
    if not pages or not pages[0].words:
        return False
    hits = _till_words(pages)
    return hits >= _MIN_VOCABULARY or (_narrow(pages) and hits >= 1)


def is_till_receipt(pages: Sequence[Page]) -> bool:
    """True when the pages are surely a till receipt, even on a full page that also says "TAX
    INVOICE" and lists items: a till roll's shape, many till words, or a payment at a till."""
    if not is_receipt(pages):
        return False
    return _narrow(pages) or _till_words(pages) >= _SURE_VOCABULARY or paid_at_till(pages)


def paid_at_till(pages: Sequence[Page]) -> bool:
    """True when the pages record a payment at a till (cash tendered and change given, with
    their amounts): what a receipt prints and an invoice, however full of "Qty" and "TAX
    INVOICE", does not."""
    lines = [line for page in pages for line in group_lines(page.words)]
    return _paid_in_cash(lines) is not None


def _amounts(text: str) -> list[Decimal]:
    """Non-negative amounts with cents in a line's text ("RM3.00" and "5,90" included)."""
    text = _SPLIT_CENTS.sub(r"\1.\2", _CURRENCY_GLUED.sub(r"\1 ", text))
    text = _MISREAD_AMOUNT.sub(lambda match: match.group(0).translate(_AS_DIGITS), text)
    return [m.value for m in find_amounts(text) if m.has_decimals and m.value >= 0]


def _label_rank(text: str) -> int:
    """How strongly a line's label says 'the total paid' (0: not a total line)."""
    label = _AMOUNT_SHAPE.split(text, maxsplit=1)[0]  # the words before the amount
    rounded, rounded_rank = _TOTALS[0]
    if rounded.search(label):
        return rounded_rank  # "Total after rounding" names a rounding and is still the total
    if _NOT_TOTAL.search(label):
        return 0
    for pattern, rank in _TOTALS[1:]:
        if pattern.search(label):
            return rank
    return 0


def _paid_in_cash(lines: Sequence[TextLine]) -> Decimal | None:
    """Cash tendered minus change given, when the receipt prints both: the amount paid."""
    cash = change = None
    for line in lines:
        amounts = _amounts(line.text)
        if not amounts:
            continue
        if _CHANGE.search(line.text) and change is None:
            change = amounts[-1]
        elif _CASH.search(line.text) and cash is None and not _CHANGE.search(line.text):
            cash = amounts[-1]
    if cash is None or change is None or change >= cash:
        return None
    return cash - change


def _cash_without_change(lines: Sequence[TextLine]) -> Decimal | None:
    """The cash tendered on a receipt that prints no change line: exact money, perhaps."""
    if any(_CHANGE.search(line.text) for line in lines):
        return None
    cash = [_amounts(line.text) for line in lines if _CASH.search(line.text)]
    return next((amounts[-1] for amounts in cash if amounts), None)


@dataclass(frozen=True, slots=True)
class _Candidate:
    rank: int
    amount: Decimal
    line: int


def _standalone_amounts(line: TextLine) -> list[Decimal]:
    """The amounts of a line that may carry the total of the label above it: not a rounding,
    cash, change or other excluded line, and not a labelled total of its own."""
    if _NOT_TOTAL.search(line.text) or _label_rank(line.text):
        return []
    return _amounts(line.text)


def _total_candidates(lines: Sequence[TextLine]) -> list[_Candidate]:
    """Every labelled total with its amount (the next line's when the label stands alone)."""
    found: list[_Candidate] = []
    in_summary = False
    after_rounding = False
    for index, line in enumerate(lines):
        text = line.text
        in_summary = in_summary or bool(_SUMMARY.search(text))
        amounts = _amounts(text)
        rank = _label_rank(text)
        if not rank and after_rounding and amounts and not re.search(r"[a-z]{3}", text, re.I):
            rank = 4  # an amount standing alone under the rounding line is the rounded total
        after_rounding = bool(_ROUNDING.search(text)) or (after_rounding and not amounts)
        if not rank or in_summary:
            continue
        if not amounts and index + 1 < len(lines):
            amounts = _standalone_amounts(lines[index + 1])
        if amounts:
            found.append(_Candidate(rank, amounts[-1], index))
    return found


def _rounding_adjustment(lines: Sequence[TextLine], after: int) -> Decimal | None:
    """The cash-rounding adjustment printed below line `after` (sign as printed), if any."""
    for line in lines[after + 1 :]:
        if not _ROUNDING.search(line.text):
            continue
        text = _SPLIT_CENTS.sub(r"\1.\2", line.text)
        found = [m.value for m in find_amounts(text) if m.has_decimals]
        if found and Decimal(0) < abs(found[-1]) <= _MAX_ROUNDING:
            return found[-1]
        return None
    return None


def _rounded(total: Decimal, adjustment: Decimal | None) -> Decimal:
    """A total before cash rounding and the adjustment printed under it in; the rounded total
    (a multiple of 0.05, whichever way an unsigned adjustment goes) out."""
    if adjustment is None:
        return total
    for option in (total + adjustment, total - adjustment):
        if option > 0 and option % _ROUNDING_STEP == 0:
            return option
    return total


def find_total(lines: Sequence[TextLine]) -> tuple[Decimal | None, float]:
    """The amount beside the strongest total label (confirmed by cash minus change when the
    receipt prints both, and cash-rounded when a rounding line follows it); the cash paid less
    change, or the largest amount on the receipt, when no label is read."""
    candidates = _total_candidates(lines)
    paid = _paid_in_cash(lines)
    if candidates:

        def settled(candidate: _Candidate) -> Decimal:
            """The amount as paid: cash-rounded when a rounding line follows its label."""
            if candidate.rank >= _ROUNDED_RANK:
                return candidate.amount
            return _rounded(candidate.amount, _rounding_adjustment(lines, candidate.line))

        confirming = paid if paid is not None else _cash_without_change(lines)

        def strength(candidate: _Candidate) -> tuple[int, bool, Decimal]:
            confirmed = settled(candidate) == confirming
            bonus = _CASH_CHANGE_BONUS if confirmed else 0
            # Among equally strong labels the one the till confirms, then the largest amount
            # (tax included), is the one paid.
            return candidate.rank + bonus, confirmed, candidate.amount

        best = max(candidates, key=strength)
        amount = settled(best)
        if best.rank <= 1 and paid is not None and amount != paid:
            return paid, 0.6  # a bare "Total" is often a tax summary's row: trust the till
        confirmed = amount == paid
        return amount, min(0.95, 0.7 + 0.05 * best.rank + (0.1 if confirmed else 0.0))
    if paid is not None:
        return paid, 0.6
    amounts = [a for line in lines if not (_CASH.search(line.text) or _CHANGE.search(line.text))
               for a in _amounts(line.text)]  # fmt: skip
    return (max(amounts), 0.5) if amounts else (None, 0.0)


# --- The date --------------------------------------------------------------------------------

_DATE_LABEL = re.compile(r"\bdate\b|\btarikh\b", re.I)
_TIME = re.compile(r"\b\d{1,2}:\d{2}")
_FIRST_YEAR, _LAST_YEAR = 2000, 2035
_REPAIR_PENALTY = 3  # more than a date label and a time of day together are worth


def _repaired_year(value: date) -> date | None:
    """A date whose year OCR misread in its second digit ("2518", "2318" for 2018) with the
    year put right, when that lands in the plausible range; else None."""
    text = str(value.year)
    if len(text) != 4 or text[0] != "2" or text[1] == "0":
        return None
    year = int("20" + text[2:])
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February
        return None


def find_date(lines: Sequence[TextLine]) -> tuple[date | None, float]:
    """The receipt's date, read day first (DD/MM/YYYY): one beside a "Date" label or a time of
    day first, else the first plausible one."""
    plausible: list[tuple[int, date]] = []
    for line in lines:
        hint = bool(_DATE_LABEL.search(line.text)) + bool(_TIME.search(line.text))
        for match in find_dates(line.text, day_first=True):
            if _FIRST_YEAR <= match.value.year <= _LAST_YEAR:
                plausible.append((hint, match.value))
                continue
            repaired = _repaired_year(match.value)
            if repaired is not None:  # a misread year: taken only when nothing better is read
                plausible.append((hint - _REPAIR_PENALTY, repaired))
    if not plausible:
        return None, 0.0
    best_hint = max(hint for hint, _ in plausible)
    chosen = next(value for hint, value in plausible if hint == best_hint)
    return chosen, max(0.5, 0.8 + 0.05 * best_hint)


# --- The vendor ------------------------------------------------------------------------------


def _line_confidence(line: TextLine) -> float:
    return sum(word.confidence for word in line.words) / len(line.words)


def _without_registration(text: str) -> tuple[str, bool]:
    """A line's text cut before a company registration number, and whether there was one."""
    match = _REGISTRATION.search(text)
    if match is None or not any(c.isdigit() for c in match.group(0)):
        return text, False
    return text[: match.start()], True


def _name_text(text: str) -> str:
    """A candidate name tidied: registration number, dates and times taken out, company form
    spelled right, and stray lower-case specks at its ends dropped from a name in capitals."""
    text = _REGISTRATION.sub(" ", text)
    for match in reversed(find_dates(text)):
        text = text[: match.start] + " " + text[match.end :]
    text = _CLOCK.sub(" ", text)
    for pattern, replacement in _FORM_FIXES:
        text = pattern.sub(replacement, text)
    words = text.split()
    capitals = sum(word.isupper() for word in words)
    while words and capitals >= 2 and not any(c.isupper() or c.isdigit() for c in words[0]):
        words.pop(0)
    while words and capitals >= 2 and not any(c.isupper() or c.isdigit() for c in words[-1]):
        words.pop()
    return " ".join(words).strip(" .,:;-*'\"|_~")


def _name_score(lines: Sequence[TextLine], index: int, usual: float) -> float:
    """How much a top line looks like the shop's name (below zero: it is not one)."""
    line = lines[index]
    name = _name_text(line.text)
    letters = sum(c.isalpha() for c in name)
    if letters < 3 or _NOT_NAME.search(line.text) or letters < 0.5 * len(name.replace(" ", "")):
        return -1.0
    if _line_confidence(line) < _MIN_NAME_CONFIDENCE or name == name.lower():
        return -1.0  # a smudge, a logo, or a name someone wrote on the slip
    if _SUFFIX_ONLY.match(name):
        return -1.0  # "SDN BHD" alone ends the name on the line above
    score = min(line.size / max(usual, 0.1), 2.0) + (0.5 if line.bold else 0.0)
    score += 2.5 if _COMPANY.search(name) else 0.0
    registered = _without_registration(line.text)[1]
    following = [line.text.strip() for line in lines[index + 1 : index + 3]]
    if following and _SUFFIX_ONLY.match(_name_text(following[0])):
        following = following[1:]  # the name's company form, then its registration number
    if registered or (following and _REGISTRATION.match(following[0])):
        score += 2.0
    score += 0.5 if name.upper() == name else 0.0
    score -= 2.0 if _ADDRESS.search(name) else 0.0
    score -= 1.5 if len(name.split()) < 2 and not _COMPANY.search(name) else 0.0
    return score - 0.2 * index


def _with_company_form(lines: Sequence[TextLine], index: int, name: str) -> str:
    """A name whose company form ("SDN BHD") was printed on the next line, joined to it."""
    if _COMPANY.search(name) and re.search(r"\b(?:bhd|berhad|s/b)\b", name, re.I):
        return name
    if index + 1 < len(lines):
        following = _name_text(lines[index + 1].text)
        if _SUFFIX_ONLY.match(following):
            return f"{name} {following}".strip()
    return name


def find_vendor(lines: Sequence[TextLine]) -> tuple[str | None, float]:
    """The shop's name: the most name-like (company form, registration number, capitals,
    prominent type, near the top) of the top lines."""
    top = list(lines[:_TOP_LINES])
    end = next((i for i, line in enumerate(top) if _SALE_STARTS.search(line.text)), len(top))
    top = top[: max(end, 1)]
    if not top:
        return None, 0.0
    sizes = sorted(line.size for line in lines)
    usual = sizes[len(sizes) // 2]
    scores = [_name_score(top, index, usual) for index in range(len(top))]
    best = max(range(len(top)), key=lambda index: scores[index])
    if scores[best] < 0:
        return None, 0.0
    name = _with_company_form(top, best, _name_text(top[best].text))
    confidence = 0.8 if _COMPANY.search(name) else 0.65
    return name or None, confidence


def read_receipt(pages: Sequence[Page]) -> ReceiptFields:
    """The pages of a receipt in: its shop name, date and total (with confidences) out."""
    lines = [line for page in pages for line in group_lines(page.words)]
    vendor, vendor_conf = find_vendor(lines)
    when, date_conf = find_date(lines)
    total, total_conf = find_total(lines)
    return ReceiptFields(vendor, vendor_conf, when, date_conf, total, total_conf)
