"""Set-wide title-block fields read by majority over the sheets that were OCR'd.

A set is drawn on one title-block template, so its project name, project number and issue
date are printed alike on every sheet. On scanned sheets OCR loses or garbles them on a few
("RIVERSIOE", a label too faint to read): where most sheets agree on a value, the OCR'd
sheets that lack it or read it differently take it. Text-layer reads are never changed.
Owns that vote; not how a sheet is read. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from extractors.drawings.labels import fold
from extractors.drawings.sheet import SheetRead

SET_FIELDS = ("project_name", "project_number", "issue_date")
_AGREED = 0.7  # confidence of a value taken from the set's majority


def agree_on_set_fields(reads: Sequence[SheetRead], ocr_pages: set[int]) -> None:
    """Fill or correct the set-wide fields of the OCR'd sheets (`ocr_pages`) from the value
    most sheets read, when at least two sheets and more than half of those with a value
    agree on it. Reads are updated in place."""
    for name in SET_FIELDS:
        values = {read.sheet.page: getattr(read.sheet, name) for read in reads}
        counts = Counter(_fold(value) for value in values.values() if value is not None)
        if not counts:
            continue
        key, votes = counts.most_common(1)[0]
        if votes < 2 or votes * 2 <= sum(counts.values()):
            continue
        majority = next(v for v in values.values() if v is not None and _fold(v) == key)
        for read in reads:
            value = values[read.sheet.page]
            if read.sheet.page in ocr_pages and (value is None or _fold(value) != key):
                read.sheet = read.sheet.model_copy(update={name: majority})
                read.confidence[name] = _AGREED


def _fold(value: object) -> str:
    return " ".join(fold(str(value)).split())
