"""Read one sheet's title block: number, title, project, scale, dates and revisions.

Owns each field's value shape (a sheet number, a scale, a date, a project number with
figures, a name with letters) and the per-field confidences; which label goes with which
value, whatever the design, is `pairing.py`'s. Distractors (sheet references in notes, detail
callouts, grid bubbles, room numbers, view-title scales) lose to the title block because
they are small, unlabelled or far from the anchor. Pure functions over the page model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from extractors.dates import find_dates, infer_day_first
from extractors.drawings.labels import (
    Field,
    clean_sheet_number,
    find_scale,
    fold,
    is_sheet_number,
    repair_sheet_number,
)
from extractors.drawings.pairing import Context, first_value
from extractors.drawings.revisions import RevisionTable, read_revision_table
from extractors.drawings.title_block import (
    distance,
    find_anchor,
    find_labels,
    page_lines,
    reference_point,
)
from extractors.lines import TextLine
from extractors.page import Box, Page, TextSource, Word
from models import Sheet, discipline_for_sheet_number

_FOUND = 0.95
_FALLBACK = 0.7
_OCR_FACTOR = 0.9


@dataclass(slots=True)
class SheetRead:
    """A sheet as read from its title block, with confidences and the block's box.

    `number_certainty` is how sure the reading of the sheet number's word was (1 for a text
    layer, the OCR's confidence or vote otherwise): the index cross-check weighs it against the
    index's own reading of the same number."""

    sheet: Sheet
    confidence: dict[str, float] = field(default_factory=dict)
    region: Box | None = None
    warnings: list[str] = field(default_factory=list)
    number_certainty: float = 1.0


def _sheet_number(lines: list[TextLine]) -> str | None:
    token = repair_sheet_number(lines[0].words[0].text)
    return clean_sheet_number(token) if is_sheet_number(token) else None


def _title(lines: list[TextLine]) -> str | None:
    size = lines[0].size
    joined = [line.text for line in lines if abs(line.size - size) <= 0.3 * size]
    text = " ".join(" ".join(joined).split())
    return text if re.search(r"[A-Za-z]{2}", text) else None


def _first_line(lines: list[TextLine]) -> str | None:
    text = " ".join(lines[0].text.split())
    return text if re.search(r"[A-Za-z]{2}", text) else None


def _project_number(lines: list[TextLine]) -> str | None:
    for word in lines[0].words:
        if any(ch.isdigit() for ch in word.text):
            return word.text.strip(".,;:")
    return None


def _scale(lines: list[TextLine]) -> str | None:
    return find_scale(" ".join(line.text for line in lines[:2]))


def _revision_box(lines: list[TextLine]) -> str | None:
    token = lines[0].words[0].text.strip(" .:")
    return token if 0 < len(token) <= 4 and token not in ("-", "--") else None


def _date_parser(day_first: bool) -> Callable[[list[TextLine]], str | None]:
    def parse(lines: list[TextLine]) -> str | None:
        found = find_dates(" ".join(line.text for line in lines[:2]), day_first)
        return found[0].value.isoformat() if found else None

    return parse


def _context(page: Page) -> tuple[Context, Word | None]:
    lines = tuple(page_lines(page))
    anchor = find_anchor(page)
    point = reference_point(page, anchor)
    labels = tuple(find_labels(lines))
    taken = frozenset(id(word) for label in labels for word in label.words)
    return Context(page, lines, labels, point, None, taken), anchor


def _near_texts(ctx: Context) -> list[str]:
    """The block's texts first; a revision table far up a vertical strip after them (its
    dates settle the order too: 09.24.2024 is month first)."""
    near = [ln.text for ln in ctx.lines if distance(ln.box, ctx.point) < 900.0]
    return near + [ln.text for ln in ctx.lines if distance(ln.box, ctx.point) >= 900.0]


def read_sheet(page: Page, day_first: bool | None = None) -> SheetRead:
    """A sheet's page (text layer or OCR words) in, its title-block read out."""
    ctx, anchor = _context(page)
    if day_first is None:  # the set's dates did not settle it: the sheet's own decide
        day_first = infer_day_first(_near_texts(ctx), None, lambda: True)
    table = read_revision_table(page, ctx.labels, ctx.point, day_first)
    ctx = replace(ctx, excluded=_table_box(table))
    values: dict[str, str | None] = {}
    boxes: list[Box] = []
    parsers: dict[Field, Callable[[list[TextLine]], str | None]] = {
        Field.SHEET_NUMBER: _sheet_number,
        Field.SHEET_TITLE: _title,
        Field.PROJECT_NAME: _first_line,
        Field.PROJECT_NUMBER: _project_number,
        Field.SCALE: _scale,
        Field.ISSUE_DATE: _date_parser(day_first),
        Field.REVISION: _revision_box,
    }
    confidence: dict[str, float] = {}
    for field_, parse in parsers.items():
        value, box = first_value(field_, ctx, parse)
        values[field_.value] = value
        if box is not None:
            boxes.append(box)
            confidence[field_.value] = _FOUND
    if values["sheet_number"] is None and anchor is not None:
        values["sheet_number"] = clean_sheet_number(anchor.text)
        confidence["sheet_number"] = _FALLBACK
        boxes.append(anchor.box)
    read = _finish(page, values, confidence, table, boxes)
    read.number_certainty = _certainty(page, values["sheet_number"])
    return read


def _certainty(page: Page, number: str | None) -> float:
    """How sure the reading of the word a sheet number was taken from was."""
    if number is None:
        return 0.0
    if page.source is TextSource.TEXT_LAYER:
        return 1.0
    found = [w.confidence for w in page.words
             if clean_sheet_number(repair_sheet_number(w.text)) == number]  # fmt: skip
    return max(found, default=0.0)


def _table_box(table: RevisionTable | None) -> Box | None:
    return table.box if table is not None else None


def _finish(
    page: Page,
    values: dict[str, str | None],
    confidence: dict[str, float],
    table: RevisionTable | None,
    boxes: list[Box],
) -> SheetRead:
    """The values read into a `Sheet`: revision from the table's latest row, else the box."""
    rows = list(table.rows) if table is not None else []
    latest = rows[-1] if rows else None
    revision = latest.revision if latest is not None else values["revision"]
    if table is not None and latest is not None:
        confidence["revision"] = _FOUND
        confidence["revision_date"] = _FOUND if latest.date else _FALLBACK
        confidence["revisions"] = _FOUND
        boxes.append(table.box)
    if "sheet_number" in confidence:
        confidence["discipline"] = confidence["sheet_number"]
    if page.source is TextSource.OCR:
        confidence = {key: value * _OCR_FACTOR for key, value in confidence.items()}
    issue = values["issue_date"]
    sheet = Sheet(
        page=page.number,
        sheet_number=values["sheet_number"],
        sheet_title=values["sheet_title"],
        discipline=discipline_for_sheet_number(values["sheet_number"]),
        revision=revision,
        revision_date=latest.date if latest is not None else None,
        issue_date=dt.date.fromisoformat(issue) if issue else None,
        scale=values["scale"],
        project_name=values["project_name"],
        project_number=values["project_number"],
        revisions=rows,
    )
    region: Box | None = None
    for box in boxes:
        region = box if region is None else region.union(box)
    return SheetRead(sheet, confidence, region)


def fold_title(text: str | None) -> str:
    """A title folded for comparison (case, white space, punctuation)."""
    return re.sub(r"[^A-Z0-9 ]", "", fold(text or ""))
