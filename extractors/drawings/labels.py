"""Title-block vocabulary: label phrases, sheet-number and scale grammars, text folding.

Owns the patterns only; finding and reading the block is `title_block.py` and `sheet.py`.
Pure text in, matches out.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Field(StrEnum):
    """What a title-block label names."""

    SHEET_NUMBER = "sheet_number"
    SHEET_TITLE = "sheet_title"
    PROJECT_NAME = "project_name"
    PROJECT_NUMBER = "project_number"
    SCALE = "scale"
    ISSUE_DATE = "issue_date"
    REVISION = "revision"
    OTHER = "other"  # drawn by, checked by, approved by: labels that end a neighbour's value


_NO = r"(?:NO\.?|NUMBER|NUM\.?|#)"
# A label's colon; OCR reads a small colon as a stop, a comma or a semicolon.
_END = r"(?=\s*[:.,;]|\s*$)"
# Order matters: the first pattern that matches a label's start wins.
LABELS: tuple[tuple[Field, re.Pattern[str]], ...] = tuple(
    (field, re.compile(pattern + r"\s*[:.,;]?"))
    for field, pattern in (
        (Field.SHEET_NUMBER, rf"^(?:SHEET|DRAWING|DWG\.?)\s*{_NO}"),
        (Field.SHEET_TITLE, r"^(?:SHEET|DRAWING|DWG\.?)\s*(?:TITLE|NAME)"),
        (Field.SHEET_NUMBER, r"^SHEET(?=\s*:?$|\s*:?\s+[A-Z]{1,4}[-.]?\d)"),
        (Field.SHEET_TITLE, r"^TITLE(?=\s*:?$)"),
        (Field.PROJECT_NUMBER, rf"^(?:PROJECT|PROJ\.?|JOB|COMM(?:ISSION)?\.?)\s*{_NO}"),
        (
            Field.PROJECT_NAME,
            rf"^(?:(?:PROJECT|JOB)(?:\s*(?:NAME|TITLE))?|FACILITY(?:\s+NAME)?)"
            rf"(?=\s*[:.,;](?!\s*{_NO}(?![A-Z]))|\s*$)",
        ),
        (Field.SCALE, r"^(?:(?:DRAWING|DWG\.?|PLOT)\s+)?SCALE(?:\s*(?:@|AT)\s*A\d)?" + _END),
        # A plot date is when the sheet was printed, not issued: never the issue date.
        (Field.OTHER, r"^PLOT\s*(?:DATE|TIME|STAMP)" + _END),
        (
            Field.ISSUE_DATE,
            r"^(?:ISSUE\s*DATE|DATE\s*ISSUED|DATE\s+OF\s+(?:FIRST\s+)?ISSUE"
            r"|(?:FIRST|ORIGINAL|INITIAL)\s+ISSUE(?:\s+DATE)?|ISSUED|DATE)" + _END,
        ),
        (Field.REVISION, rf"^(?:REV(?:ISION)?\.?(?:\s*{_NO})?(?=\s*:|\s*$)|INDEX(?=\s*:))"),
        (
            Field.OTHER,
            r"^(?:DRAWN|DRN|CHECKED|CHK|APPROVED|APPR|DESIGNED|DES|REVIEWED)\.?(?:\s*BY)?" + _END,
        ),
        (Field.OTHER, r"^(?:CLIENT|OWNER|STATUS|ISSUE|SUITABILITY|STAGE)" + _END),
        (
            Field.OTHER,
            r"^(?:REVISIONS|AMENDMENTS|ISSUES?\s*(?:&|AND|/)\s*REVISIONS|KEY\s*PLAN"
            r"|(?:PROFESSIONAL\s+)?SEAL)(?=\s*$)",
        ),
    )
)

# A-101, A101, S2.01, FP-101, M-001, E3.1, A1.01A; firm styles up to four letters.
SHEET_NUMBER = re.compile(r"^[A-Z]{1,4}[-.]?\d{1,3}(?:[.-]\d{1,3}){0,2}[A-Z]?$")  # A1.01.1

_INCH = r"(?:\"|''|”|″)"
_FOOT = r"(?:'|’|′)"
SCALE = re.compile(
    r"(?:\d+(?:\s+\d+/\d+|/\d+)?\s*" + _INCH + r"\s*=\s*\d+\s*" + _FOOT + r"(?:\s*-\s*\d+\s*"
    + _INCH + r")?)"
    r"|(?:1\s*:\s*\d{1,5})"
    r"|(?:AS\s+NOTED|AS\s+SHOWN|N\.?\s?T\.?\s?S\.?|NOT\s+TO\s+SCALE|NONE|FULL\s+SIZE)",
    re.I,
)  # fmt: skip

REV_HEADER_MARK = re.compile(r"^(?:REV\.?|NO\.?|MARK|#|△|ISSUE|NUM\.?|INDEX)$")
REV_HEADER_DATE = re.compile(r"^DATE:?$")
REV_HEADER_TEXT = re.compile(
    r"^(?:DESCRIPTION|DESCR\.?|REVISIONS?|REMARKS|COMMENTS|ISSUE|AMENDMENTS?|CHANGES?|ISSUED|PURPOSE"
    r"|STATUS)$"
)
# Initials columns a revision table may carry beside its three (by, checked, approved).
REV_HEADER_EXTRA = re.compile(
    r"^(?:BY|CHK\.?|CHKD\.?|CHK['’]D\.?|CKD\.?|APP\.?|APPD\.?|APPR\.?|INT\.?|DRN\.?|DRAWN"
    r"|CHECKED|APPROVED|INIT\.?|INITIALS)$"
)
INDEX_HEADING = re.compile(
    r"(?:SHEET|DRAWING)S?\s+(?:INDEX|LIST)|(?:LIST|INDEX|SCHEDULE)\s+OF\s+(?:DRAWINGS|SHEETS)"
)


_QUOTES = str.maketrans("’′”″“", '\'\'"""')


def fold(text: str) -> str:
    """Upper case, accents and typographic quotes normalised, white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    plain = plain.translate(_QUOTES)
    return " ".join(plain.split())


def label_at_start(text: str) -> tuple[Field, int] | None:
    """A label at the start of a text: its field and how many characters it takes."""
    folded = fold(text)
    for field, pattern in LABELS:
        match = pattern.match(folded)
        if match is not None:
            return field, match.end()
    return None


# A bare "JOB" label heads a job's number on some blocks and its name on others: the value's
# shape decides.
_EITHER_PROJECT = re.compile(r"^JOB\s*[:.,;]?$")


def fields_of(field: Field, text: str) -> tuple[Field, ...]:
    """The fields a label found as `field` with this text may head."""
    if field is Field.PROJECT_NAME and _EITHER_PROJECT.match(fold(text)):
        return (Field.PROJECT_NAME, Field.PROJECT_NUMBER)
    return (field,)


def is_sheet_number(text: str) -> bool:
    """True for a token shaped like a sheet number (A-101, S2.01, FP-101)."""
    return bool(SHEET_NUMBER.match(fold(text).strip(".,;:")))


def clean_sheet_number(text: str) -> str:
    """A sheet-number token without trailing punctuation, upper case."""
    return fold(text).strip(".,;:")


def find_scale(text: str) -> str | None:
    """The first scale in a text, white space collapsed, quotes normalised."""
    match = SCALE.search(_scale_marks(fold(text)))
    if match is None:
        return None
    value = match.group(0).replace("''", '"')
    value = re.sub(r"\s*=\s*", " = ", value)
    value = re.sub(r"\s*-\s*", "-", value)
    return " ".join(value.split())


def _scale_marks(text: str) -> str:
    """A scale as OCR reads it with its foot and inch marks put back: no scale has degrees, so
    a degree sign is a misread mark ("3° = 1°-0°"); an architectural scale's right side is feet
    and inches, so "1-0\"" lost its foot mark; "11/2\"" lost the space of 1 1/2"; an
    asterisk is an inch mark and "I\" =" a one (1" = 20').
    """
    text = re.sub(r"(?<![A-Z0-9])[IL|](?=\s*[\"*]\s*=)", "1", text.replace("*", '"'))
    text = re.sub(r"(\d)\s*°\s*(?==)", '\\1"', text)
    text = re.sub(r"(-\s*\d+)\s*°", '\\1"', text)
    text = text.replace("°", "'")
    text = re.sub(r"(=\s*\d+)\s*-\s*(\d+\s*\")", "\\1'-\\2", text)
    return re.sub(r"(?<![\d/])(\d)(\d+)/(\d+)", _split_improper, text)


def _split_improper(match: re.Match[str]) -> str:
    """ "11/2" as the 1 1/2 it stands for: scales never print an improper fraction."""
    whole, numerator, denominator = match.group(1), match.group(2), match.group(3)
    if int(whole + numerator) > int(denominator):
        return f"{whole} {numerator}/{denominator}"
    return match.group(0)


_OCR_DIGITS = str.maketrans({"O": "0", "I": "1", "L": "1", "|": "1"})
_OCR_LEAD = re.compile(r"^([A-Z]{1,2}?)(O)(?=[-.]?\d)")


def repair_ocr_token(text: str) -> str:
    """An OCR'd token that is a sheet number once common confusions are undone ($101 -> S101,
    GO.1 -> G0.1, A1O1 -> A101); any other token unchanged."""
    original = text
    text = text.strip(".,;:'\"`“”‘’")
    if not text:
        return original
    if is_sheet_number(text) and not _OCR_LEAD.match(fold(text)):
        return text
    folded = fold(text).replace("$", "S")
    folded = _OCR_LEAD.sub(lambda m: m.group(1) + "0", folded)
    head = re.match(r"^[A-Z]{1,4}[-.]?", folded)
    if head is None:
        return original
    repaired = head.group(0) + folded[head.end() :].translate(_OCR_DIGITS)
    repaired = _OCR_LEAD.sub(lambda m: m.group(1) + "0", repaired)
    return repaired if is_sheet_number(repaired) and any(c.isdigit() for c in text) else original


# Designators are letters: a figure where the designator stands is a letter misread.
_DESIGNATOR_LETTERS = str.maketrans({"1": "I", "0": "O", "5": "S", "8": "B"})
_MIN_DIGITS = 3
_LEADING_FIGURE = re.compile(r"^([1058])(?=[-.]?\d)")


def repair_sheet_number(text: str) -> str:
    """`repair_ocr_token` for a token known to stand where a sheet number is printed (the
    title block's largest print, an index row's first column): there a leading figure is
    the designator's letter misread ("1101" -> I101, "5-201" -> S-201)."""
    repaired = repair_ocr_token(text)
    if is_sheet_number(repaired):
        return repaired
    core = fold(repaired).strip(".,;:'\"`")
    if not _LEADING_FIGURE.match(core):
        return repaired
    lettered = core[0].translate(_DESIGNATOR_LETTERS) + core[1:]
    fixed = repair_ocr_token(lettered)
    # A short figure ("12", "101") is more likely a number than a sheet number.
    digits = sum(char.isdigit() for char in fixed)
    return fixed if is_sheet_number(fixed) and digits >= _MIN_DIGITS else repaired


# The words title-block labels and index headings are made of, for undoing OCR misreads.
_LABEL_WORDS = frozenset((
    "SHEET", "DRAWING", "TITLE", "PROJECT", "NUMBER", "SCALE", "ISSUE", "ISSUED", "REVISION",
    "REVISIONS", "DRAWN", "CHECKED", "APPROVED", "DESIGNED", "REVIEWED", "COMMISSION", "INDEX",
    "DRAWINGS", "SHEETS", "SCHEDULE", "DESCRIPTION",
))  # fmt: skip
_MIN_LABEL_WORD = 5  # shorter words are too easily one letter from another
# Label words that end their label, before its colon ("SCALE:", "PROJECT NUMBER:").
_COLON_WORDS = frozenset(("SCALE", "TITLE", "NUMBER", "ISSUED"))


def repair_label_word(text: str) -> str:
    """An OCR'd word one misread letter from a label word ("ORAWING" -> DRAWING, "prolect." ->
    PROJECT:), its colon read as a stop or comma put back ("SCALE," -> SCALE:); any other
    word unchanged."""
    core = text.rstrip(".:,;")
    folded = fold(core)
    if len(folded) < _MIN_LABEL_WORD or not folded.isalpha():
        return text
    if folded in _LABEL_WORDS:
        word = folded
    else:
        near = [w for w in _LABEL_WORDS if len(w) == len(folded)
                and sum(a != b for a, b in zip(w, folded, strict=True)) == 1]  # fmt: skip
        if len(near) != 1:
            return text
        word = near[0]
    tail = text[len(core) :]
    if word in _COLON_WORDS and tail and ":" not in tail:
        tail = ":"  # no field label ends in a stop or a comma
    return word + tail if word != folded or tail != text[len(core) :] else text


def is_label_word(text: str) -> bool:
    """True for a word that is, or is one misread letter from, title-block label vocabulary."""
    return fold(repair_label_word(text)).rstrip(".:,;") in _LABEL_WORDS
