"""Words into text lines: the first step of layout, shared by header and table extraction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar
from weakref import WeakSet

from extractors.page import Box, Page, Word


@dataclass(frozen=True, slots=True)
class TextLine:
    """Words on one baseline, left to right, with the box around them."""

    words: tuple[Word, ...]
    box: Box

    @property
    def text(self) -> str:
        return " ".join([word.text for word in self.words])

    @property
    def size(self) -> float:
        """The largest font size on the line."""
        return max([word.size for word in self.words])

    @property
    def bold(self) -> bool:
        return all([word.bold for word in self.words])


_Result = TypeVar("_Result")


class IdentityMemo(Generic[_Result]):
    """Up to `size` recent results of a pure function of immutable objects, found by the
    objects' identity (no hashing of thousands of words). It holds the objects themselves,
    so an id stays theirs while remembered. Stages ask the same question of the same page's
    words more than once (header reading and line-item reading both start from its lines)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._results: dict[tuple[int, ...], tuple[tuple[object, ...], _Result]] = {}
        _MEMOS.add(self)

    def forget(self) -> None:
        """Drop every remembered result (a single step, safe while another thread reads)."""
        self._results.clear()

    def get(self, keys: tuple[object, ...], compute: Callable[[], _Result]) -> _Result:
        """The remembered result for exactly these objects, else `compute()` remembered."""
        ids = tuple(map(id, keys))
        found = self._results.get(ids)
        if found is not None and all(a is b for a, b in zip(found[0], keys, strict=True)):
            return found[1]
        result = compute()
        if len(self._results) >= self._size:
            # Start afresh rather than evict one by one: `clear` is a single step, safe while
            # another thread reads or adds.
            self.forget()
        self._results[ids] = (keys, result)
        return result


_MEMOS: WeakSet[IdentityMemo[Any]] = WeakSet()


def forget_remembered() -> None:
    """Empty every `IdentityMemo`: once a document is read, what they remember holds all of
    its words, which no later document will ask about (and which the garbage collector
    would otherwise walk again and again)."""
    for memo in list(_MEMOS):
        memo.forget()


_FULL_OVERLAP = 0.8  # words sharing this much of their height are on one line, whatever else
_MIXED_SIZES = 4.0  # one line's words are at most this many times taller than each other
_lines_of_page: IdentityMemo[tuple[TextLine, ...]] = IdentityMemo(64)


def group_lines(words: Sequence[Word]) -> list[TextLine]:
    """Words in any order in, lines top to bottom out (each line's words left to right)."""
    if type(words) is not tuple:  # a list may change between calls: never remembered
        return _group(words)
    return list(_lines_of_page.get((words,), lambda: tuple(_group(words))))


def _reading_key(word: Word) -> tuple[float, float]:
    box = word.box
    return (box.y0 + box.y1) / 2, box.x0


def _group(words: Sequence[Word]) -> list[TextLine]:
    ordered = sorted(words, key=_reading_key)
    # Each row as plain floats [x0, y0, x1, y1] and its words: this runs once per word of
    # every page, and a frozen Box per union was most of its time. The comparisons spell out
    # min() and max() (first of equals wins) so the boxes are exactly theirs.
    rows: list[tuple[list[float], list[Word]]] = []
    for word in ordered:
        wbox = word.box
        wx0, wy0, wx1, wy1 = wbox.x0, wbox.y0, wbox.x1, wbox.y1
        height = wy1 - wy0
        # Only the last few rows can overlap a word further down the page.
        count = len(rows)
        for index in range(count - 1, count - 4 if count > 3 else -1, -1):
            box, members = rows[index]
            bx0, by0, bx1, by1 = box
            top = by0 if by0 > wy0 else wy0
            bottom = by1 if by1 < wy1 else wy1
            smaller = by1 - by0
            larger = height
            if not smaller < height:
                smaller, larger = height, smaller
            # Vertical overlap of at least half the smaller height puts a word on a line; a
            # word many times taller or shorter (a watermark across rows) is on its own.
            overlap = bottom - top
            if overlap >= 0.5 * smaller and larger <= _MIXED_SIZES * smaller:
                if overlap < _FULL_OVERLAP * smaller and _collides(word, members):
                    continue  # the next line of a cell, caught by a taller word beside both
                members.append(word)
                if wx0 < bx0:
                    box[0] = wx0
                if wy0 < by0:
                    box[1] = wy0
                if wx1 > bx1:
                    box[2] = wx1
                if wy1 > by1:
                    box[3] = wy1
                break
        else:
            rows.append(([wx0, wy0, wx1, wy1], [word]))
    lines = []
    for (x0, y0, x1, y1), members in rows:
        members.sort(key=_left)
        lines.append(TextLine(tuple(members), Box(x0, y0, x1, y1)))
    lines.sort(key=_top_left)
    return lines


def _collides(word: Word, members: Sequence[Word]) -> bool:
    """Whether a word stands over or under one already on a line: one line's words never
    share their horizontal extent."""
    x0, x1 = word.box.x0, word.box.x1
    return any(
        min(x1, other.box.x1) - max(x0, other.box.x0) > 0.5 * min(x1 - x0, other.box.width)
        for other in members
    )


def _left(word: Word) -> float:
    return word.box.x0


def _top_left(line: TextLine) -> tuple[float, float]:
    return line.box.y0, line.box.x0


def split_on_gaps(line: TextLine, gap: float) -> list[TextLine]:
    """A line cut where the space between two words is wider than `gap` points (columns)."""
    words = line.words
    segments: list[list[Word]] = [[words[0]]]
    previous_x1 = words[0].box.x1
    for word in islice(words, 1, None):
        box = word.box
        if box.x0 - previous_x1 > gap:
            segments.append([word])
        else:
            segments[-1].append(word)
        previous_x1 = box.x1
    return [_line_of(segment) for segment in segments]


def _line_of(words: Sequence[Word]) -> TextLine:
    if len(words) == 1:
        return TextLine(tuple(words), words[0].box)
    return TextLine(tuple(words), union_of(words))


def union_of(words: Sequence[Word]) -> Box:
    """The box around some words: `Box.union` over them, in one pass (the comparisons keep
    the first of equal values, as a chain of unions does)."""
    # Called for every cell and segment of every line: a plain loop over a few words beats
    # building a list per side.
    box = words[0].box
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    for word in islice(words, 1, None):
        box = word.box
        if box.x0 < x0:
            x0 = box.x0
        if box.y0 < y0:
            y0 = box.y0
        if box.x1 > x1:
            x1 = box.x1
        if box.y1 > y1:
            y1 = box.y1
    return Box(x0, y0, x1, y1)


def page_lines(page: Page) -> list[TextLine]:
    """A page's lines, top to bottom."""
    return group_lines(page.words)
