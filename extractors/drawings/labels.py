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
# Order matters: the first pattern that matches a label's start wins.
LABELS: tuple[tuple[Field, re.Pattern[str]], ...] = tuple(
    (field, re.compile(pattern + r"\s*:?"))
    for field, pattern in (
        (Field.SHEET_NUMBER, rf"^(?:SHEET|DRAWING|DWG\.?)\s*{_NO}"),
        (Field.SHEET_TITLE, r"^(?:SHEET|DRAWING|DWG\.?)\s*(?:TITLE|NAME)"),
        (Field.SHEET_NUMBER, r"^SHEET(?=\s*:?$|\s*:?\s+[A-Z]{1,4}[-.]?\d)"),
        (Field.SHEET_TITLE, r"^TITLE(?=\s*:?$)"),
        (Field.PROJECT_NUMBER, rf"^(?:PROJECT|PROJ\.?|JOB|COMM(?:ISSION)?\.?)\s*{_NO}"),
        (Field.PROJECT_NAME, r"^(?:PROJECT|JOB)(?:\s*(?:NAME|TITLE))?(?=\s*:|\s*$)"),
        (Field.SCALE, r"^SCALE(?=\s*:|\s*$)"),
        (Field.ISSUE_DATE, r"^(?:ISSUE\s*DATE|DATE\s*ISSUED|ISSUED|DATE|PLOT\s*DATE)(?=\s*:|\s*$)"),
        (Field.REVISION, rf"^REV(?:ISION)?\.?(?:\s*{_NO})?(?=\s*:|\s*$)"),
        (
            Field.OTHER,
            r"^(?:DRAWN|DRN|CHECKED|CHK|APPROVED|APPR|DESIGNED|DES|REVIEWED)\.?(?:\s*BY)?"
            r"(?=\s*:|\s*$)",
        ),
        (Field.OTHER, r"^(?:REVISIONS|ISSUES?\s*(?:&|AND)\s*REVISIONS|KEY\s*PLAN|SEAL)(?=\s*$)"),
    )
)

# A-101, A101, S2.01, FP-101, M-001, E3.1, A1.01A; firm styles up to four letters.
SHEET_NUMBER = re.compile(r"^[A-Z]{1,4}[-.]?\d{1,3}(?:[.-]\d{1,3})?[A-Z]?$")

_INCH = r"(?:\"|''|”|″)"
_FOOT = r"(?:'|’|′)"
SCALE = re.compile(
    r"(?:\d+(?:\s+\d+/\d+|/\d+)?\s*" + _INCH + r"\s*=\s*\d+\s*" + _FOOT + r"(?:\s*-\s*\d+\s*"
    + _INCH + r")?)"
    r"|(?:1\s*:\s*\d{1,5})"
    r"|(?:AS\s+NOTED|AS\s+SHOWN|N\.?\s?T\.?\s?S\.?|NOT\s+TO\s+SCALE|NONE|FULL\s+SIZE)",
    re.I,
)  # fmt: skip

REV_HEADER_MARK = re.compile(r"^(?:REV\.?|NO\.?|MARK|#|△|ISSUE|NUM\.?)$")
REV_HEADER_DATE = re.compile(r"^DATE:?$")
REV_HEADER_TEXT = re.compile(r"^(?:DESCRIPTION|DESCR\.?|REVISIONS?|REMARKS|COMMENTS|ISSUE)$")
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


def is_sheet_number(text: str) -> bool:
    """True for a token shaped like a sheet number (A-101, S2.01, FP-101)."""
    return bool(SHEET_NUMBER.match(fold(text).strip(".,;:")))


def clean_sheet_number(text: str) -> str:
    """A sheet-number token without trailing punctuation, upper case."""
    return fold(text).strip(".,;:")


def find_scale(text: str) -> str | None:
    """The first scale in a text, white space collapsed, quotes normalised."""
    # OCR reads a foot mark as a degree sign ("1°-0\""); no scale has degrees.
    match = SCALE.search(fold(text).replace("°", "'"))
    if match is None:
        return None
    value = match.group(0).replace("''", '"')
    value = re.sub(r"\s*=\s*", " = ", value)
    value = re.sub(r"\s*-\s*", "-", value)
    return " ".join(value.split())


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
