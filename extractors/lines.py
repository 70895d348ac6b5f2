"""Words into text lines: the first step of layout, shared by header and table extraction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extractors.page import Box, Page, Word


@dataclass(frozen=True, slots=True)
class TextLine:
    """Words on one baseline, left to right, with the box around them."""

    words: tuple[Word, ...]
    box: Box

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def size(self) -> float:
        """The largest font size on the line."""
        return max(word.size for word in self.words)

    @property
    def bold(self) -> bool:
        return all(word.bold for word in self.words)


def group_lines(words: Sequence[Word]) -> list[TextLine]:
    """Words in any order in, lines top to bottom out (each line's words left to right)."""
    ordered = sorted(words, key=lambda w: (w.box.cy, w.box.x0))
    # Each row as plain floats [x0, y0, x1, y1] and its words: this runs once per word of
    # every page, and a frozen Box per union was most of its time.
    rows: list[tuple[list[float], list[Word]]] = []
    for word in ordered:
        wx0, wy0, wx1, wy1 = word.box.x0, word.box.y0, word.box.x1, word.box.y1
        # Only the last few rows can overlap a word further down the page.
        for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            box, members = rows[index]
            overlap = min(wy1, box[3]) - max(wy0, box[1])
            # Vertical overlap of at least half the smaller height puts a word on a line.
            if overlap >= 0.5 * min(wy1 - wy0, box[3] - box[1]):
                members.append(word)
                box[:] = min(box[0], wx0), min(box[1], wy0), max(box[2], wx1), max(box[3], wy1)
                break
        else:
            rows.append(([wx0, wy0, wx1, wy1], [word]))
    lines = []
    for (x0, y0, x1, y1), members in rows:
        members.sort(key=lambda w: w.box.x0)
        lines.append(TextLine(tuple(members), Box(x0, y0, x1, y1)))
    lines.sort(key=lambda line: (line.box.y0, line.box.x0))
    return lines


def split_on_gaps(line: TextLine, gap: float) -> list[TextLine]:
    """A line cut where the space between two words is wider than `gap` points (columns)."""
    segments: list[list[Word]] = [[line.words[0]]]
    for previous, word in zip(line.words, line.words[1:], strict=False):
        if word.box.x0 - previous.box.x1 > gap:
            segments.append([word])
        else:
            segments[-1].append(word)
    return [_line_of(segment) for segment in segments]


def _line_of(words: Sequence[Word]) -> TextLine:
    box = words[0].box
    for word in words[1:]:
        box = box.union(word.box)
    return TextLine(tuple(words), box)


def page_lines(page: Page) -> list[TextLine]:
    """A page's lines, top to bottom."""
    return group_lines(page.words)
