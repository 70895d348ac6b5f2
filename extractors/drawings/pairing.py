"""Pair a title-block label with its value, whatever the block's design.

Owns the generic search: the labels of a field worth trying (nearest the sheet-number anchor
first, then those in line with it along a strip or band), and for each label the places its
value may stand, in order: after it in its own cell text, to its right on its line across a
gap (a tab-aligned value column), then in the lines under it in its cell or column. The
caller's parser checks each value's shape and the first that parses wins. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extractors.drawings.labels import Field, fields_of, label_at_start
from extractors.drawings.title_block import Label, distance, text_runs
from extractors.lines import TextLine
from extractors.page import Box, Page, Word
from extractors.tables import box_of

_LOOK_DOWN = 110.0  # points below a label searched for its value
_LOOK_RIGHT = 216.0  # points right of a label searched for a value on its line
_NEAR = 2.2  # a label this many times farther than the nearest of its field is not near
_BIGGER = 2.0  # a value beside its label is printed at most this many times the label's size
_IN_LINE = 72.0  # points: a label this close to the anchor's row or column is in its strip

Parser = Callable[[list[TextLine]], str | None]


@dataclass(frozen=True, slots=True)
class Context:
    """One sheet as the pairing sees it: words, labels, the anchor point, the revision
    table's box (its DATE header is not the issue date) and the words labels are made of."""

    page: Page
    lines: tuple[TextLine, ...]
    labels: tuple[Label, ...]
    point: tuple[float, float]
    excluded: Box | None
    label_words: frozenset[int] = frozenset()


def _right_limit(label: Label, labels: Sequence[Label], page: Page) -> float:
    beside = [
        other.box.x0 for other in labels
        if other.box.x0 > label.box.x1 + 2 and abs(other.box.cy - label.box.cy) < label.box.height
    ]  # fmt: skip
    return min([*beside, page.width])


def _below_limit(label: Label, labels: Sequence[Label]) -> float:
    under = [
        other.box.y0 for other in labels
        if other.box.y0 > label.box.y1 + 1
        and other.box.x0 < label.box.x1 and other.box.x1 > label.box.x0
    ]  # fmt: skip
    return min([*under, label.box.y1 + _LOOK_DOWN])


def _free(word: Word, ctx: Context) -> bool:
    """Not a label's word and not inside the revision table."""
    if id(word) in ctx.label_words:
        return False
    return ctx.excluded is None or distance(ctx.excluded, (word.box.cx, word.box.cy)) > 0


def _on_line(word: Word, box: Box) -> bool:
    overlap = min(word.box.y1, box.y1) - max(word.box.y0, box.y0)
    return overlap >= 0.5 * min(word.box.height, box.height)


def lines_right(label: Label, ctx: Context) -> list[TextLine]:
    """The text to a label's right on its own line, up to the next label (a value printed
    in a column of its own, or after a wide gap)."""
    limit = min(_right_limit(label, ctx.labels, ctx.page), label.box.x1 + _LOOK_RIGHT)
    # Print far larger than the label (the sheet number beside its cell) is another field's.
    biggest = _BIGGER * max(w.size for w in label.words)
    words = [
        w for w in ctx.page.words
        if label.box.x1 < w.box.x0 and w.box.cx < limit and _on_line(w, label.box)
        and w.size <= biggest and _free(w, ctx)
    ]  # fmt: skip
    words.sort(key=lambda w: w.box.x0)
    if not words or label_at_start(" ".join(w.text for w in words)) is not None:
        return []
    return [TextLine(tuple(words), box_of(words))]


def lines_below(label: Label, ctx: Context) -> list[TextLine]:
    """The lines under a label in its cell or column, until a gap or another label."""
    x1 = _right_limit(label, ctx.labels, ctx.page)
    y1 = _below_limit(label, ctx.labels)
    words = [
        w for w in ctx.page.words
        if label.box.x0 - 4 <= w.box.x0 and w.box.cx < x1
        and label.box.y1 - 1 < w.box.y0 and w.box.y1 <= y1 + 1 and _free(w, ctx)
    ]  # fmt: skip
    kept: list[TextLine] = []
    for line in text_runs(words):
        if label_at_start(line.text) is not None:
            break
        if kept and line.box.y0 - kept[-1].box.y1 > 0.9 * kept[-1].box.height:
            break
        kept.append(line)
    return kept


def value_options(label: Label, ctx: Context) -> list[list[TextLine]]:
    """Where a label's value may be, most likely first: after it in its cell text, to its
    right on its line, under it."""
    if label.inline:
        return [[TextLine(label.inline, box_of(label.inline))]]
    return [found for found in (lines_right(label, ctx), lines_below(label, ctx)) if found]


def candidates(field_: Field, ctx: Context) -> list[Label]:
    """A field's labels worth trying: those near the anchor (nearest first), then those in
    line with it (a strip's column or a band's row spreads its cells far apart)."""
    labels = [label for label in ctx.labels if field_ in fields_of(label.field, _text(label))]
    if field_ is Field.SCALE:
        labels = [label for label in labels if not _under_view_title(label, ctx.lines)]
    if ctx.excluded is not None:
        excluded = ctx.excluded
        labels = [label for label in labels if distance(excluded, _centre(label.box)) > 0]
    labels.sort(key=lambda label: distance(label.box, ctx.point))
    if not labels:
        return []
    cutoff = _NEAR * (distance(labels[0].box, ctx.point) + 72.0)
    near = [label for label in labels if distance(label.box, ctx.point) <= cutoff]
    x, y = ctx.point
    in_line = [
        label for label in labels
        if label not in near
        and (abs(label.box.cy - y) < _IN_LINE or abs(label.box.cx - x) < _IN_LINE)
    ]  # fmt: skip
    return near + in_line


# A view's title in the drawing area: its number in a bubble, then its name ("1  FLOOR PLAN").
_VIEW_TITLE = re.compile(r"^\d{1,2}\s+[A-Z][A-Z0-9 &,/-]{3,}$")


def _under_view_title(label: Label, lines: Sequence[TextLine]) -> bool:
    """Whether a SCALE label stands right under a view's title: the view's scale, not the
    sheet's ("1 STRUCTURAL DETAILS" over "SCALE: 1/4\" = 1'-0\"")."""
    box = label.box
    return any(
        0 <= box.y0 - line.box.y1 <= 1.5 * box.height
        and line.box.x0 < box.x1
        and box.x0 < line.box.x1
        and _VIEW_TITLE.match(line.text)
        for line in lines
    )


def _text(label: Label) -> str:
    return " ".join(word.text for word in label.words)


def _centre(box: Box) -> tuple[float, float]:
    return box.cx, box.cy


def first_value(field_: Field, ctx: Context, parse: Parser) -> tuple[str | None, Box | None]:
    """The first value that parses, over the field's labels and each label's value places."""
    for label in candidates(field_, ctx):
        for lines in value_options(label, ctx):
            value = parse(lines)
            if value:
                box = label.box
                for line in lines:
                    box = box.union(line.box)
                return value, box
    return None, None
