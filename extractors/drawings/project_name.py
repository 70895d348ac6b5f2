"""A set's project name printed with no label: the large lines every title block repeats.

Many title blocks set the project's name in large type with no "PROJECT" label over it (under
the client's name, above the project number). The labelled search in `pairing` cannot find
it; across the set, though, it stands out: the same words, in type well above the block's
body size, on nearly every sheet, while sheet titles and numbers change from sheet to sheet.
Firm names, addresses, dates, labels and issue stamps are never taken for it. Owns that
set-wide search; applied only where the sheets' own reads found no project name. Pure.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence

from extractors.drawings.labels import fold, label_at_start
from extractors.drawings.sheet import SheetRead
from extractors.drawings.title_block import page_lines
from extractors.lines import TextLine
from extractors.page import Box, Page

_FOUND = 0.6  # confidence of a name found this way: below the review threshold on purpose
_MARGIN = 90.0  # points around the block's read region still searched
_LARGE = 1.4  # a name is set at least this many times the block's median type size
_SHARE = 0.7  # ... on at least this share of the set's sheets
_STACK_GAP = 0.7  # type sizes between the stacked lines of one name
_ALIGNED = 4.0  # points: the stacked lines of one name start at the same x
_NOT_A_NAME = re.compile(
    r"\b(?:ARCHITECTS?|ARCHITECTURE|ENGINEERS?|ENGINEERING|LLP|LLC|INC|LTD|P\.?C|PLLC|GROUP"
    r"|ASSOCIATES|STUDIO|CONSULTING|CONSULTANTS|DESIGN|PARTNERS)\b\.?"
    r"|^(?:ISSUED|NOT FOR|FOR CONSTRUCTION|PRELIMINARY|DRAFT|CONFIDENTIAL)\b"
    r"|\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|\(\d{3}\)|\d{3}[-.]\d{4}"  # a date, a phone
)


def fill_unlabelled_project(pages: Sequence[Page], reads: Sequence[SheetRead]) -> None:
    """Where most sheets read no project name, the large lines nearly every block repeats
    (and no sheet's title) fill it in. Reads are updated in place."""
    missing = [read for read in reads if read.sheet.project_name is None]
    if len(reads) < 2 or len(missing) * 2 <= len(reads):
        return
    by_page = {page.number: page for page in pages}
    seen: Counter[str] = Counter()
    sizes: dict[str, float] = {}
    for read in reads:
        page = by_page.get(read.sheet.page)
        if page is None or read.region is None:
            continue
        for name, size in _large_names(page, read).items():
            seen[name] += 1
            sizes[name] = max(size, sizes.get(name, 0.0))
    repeated = [name for name, count in seen.items() if count >= max(2, _SHARE * len(reads))]
    if not repeated:
        return
    name = max(repeated, key=lambda text: (sizes[text], len(text)))
    for read in missing:
        read.sheet = read.sheet.model_copy(update={"project_name": name})
        read.confidence["project_name"] = _FOUND


def _large_names(page: Page, read: SheetRead) -> dict[str, float]:
    """The block's lines (stacked lines joined) set well above its median type size that
    could be a project's name, each with its type size."""
    assert read.region is not None
    area = _grown(read.region)
    lines = [line for line in page_lines(page) if _inside(line.box, area)]
    if len(lines) < 3:
        return {}
    body = statistics.median(line.size for line in lines)
    own = {fold(text) for text in (read.sheet.sheet_title, read.sheet.sheet_number) if text}
    names: dict[str, float] = {}
    for group in _stacks([line for line in lines if line.size >= _LARGE * body]):
        text = fold(" ".join(line.text for line in group))
        if text in own or any(fold(line.text) in own for line in group):
            continue
        if _NOT_A_NAME.search(text) or label_at_start(text) is not None:
            continue
        if sum(ch.isalpha() for ch in text) < 4 or len(text.split()) < 2:
            continue
        names[text] = max(line.size for line in group)
    return names


def _stacks(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """Large lines grouped into names: a line right under another, flush with it, continues
    it ("UNION STATION" over "RENOVATION")."""
    groups: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box.y0, ln.box.x0)):
        for group in groups:
            last = group[-1]
            gap = line.box.y0 - last.box.y1
            tight = -_STACK_GAP * line.size <= gap <= _STACK_GAP * line.size  # boxes may touch
            if abs(line.box.x0 - last.box.x0) <= _ALIGNED and tight:
                group.append(line)
                break
        else:
            groups.append([line])
    return groups


def _grown(box: Box) -> Box:
    return Box(box.x0 - _MARGIN, box.y0 - _MARGIN, box.x1 + _MARGIN, box.y1 + _MARGIN)


def _inside(box: Box, area: Box) -> bool:
    return area.x0 <= box.cx <= area.x1 and area.y0 <= box.cy <= area.y1
