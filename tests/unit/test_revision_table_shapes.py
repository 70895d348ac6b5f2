"""Revision tables as the fourth wild title-block family prints them: the date column first
("DATE | NO. | DESCRIPTION"), an "ISSUED FOR" column of issue purposes, the mark column
headed by a drawn delta rather than a word, initials columns headed "DRAWN" or "CHK'D", and a
neighbouring block's lines standing beside the table's last column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from extractors.drawings.revisions import read_revision_table
from extractors.page import Box, Page, TextSource, Word


def _word(text: str, x: float, y: float) -> Word:
    return Word(text, Box(x, y, x + 5 * len(text), y + 9), 8.0)


Placed = Sequence[tuple[str, float]]
Read = list[tuple[str | None, dt.date | None, str | None]]


def _rows(header: Placed, rows: Sequence[Placed], extra: Sequence[Word] = ()) -> Read:
    """A table whose header stands at y=100 and whose rows run down under it, 12 points apart;
    the rows read, oldest first."""
    words = [_word(text, x, 100) for text, x in header]
    for index, row in enumerate(rows):
        words += [_word(text, x, 112 + 12 * index) for text, x in row]
    page = Page(1, 3000, 2000, (*words, *extra), TextSource.TEXT_LAYER)
    table = read_revision_table(page, [], (300, 100), False)
    assert table is not None
    return [(row.revision, row.date, row.description) for row in table.rows]


def test_a_table_whose_date_column_comes_before_the_marks() -> None:
    rows = _rows(
        [("DATE", 100), ("NO.", 160), ("DESCRIPTION", 200)],
        [[("07.13.26", 100), ("1", 164), ("CCD 2", 200)],
         [("08.06.26", 100), ("2", 164), ("ISSUED FOR CONSTRUCTION", 200)]],
    )  # fmt: skip
    assert rows == [
        ("1", dt.date(2026, 7, 13), "CCD 2"),
        ("2", dt.date(2026, 8, 6), "ISSUED FOR CONSTRUCTION"),
    ]


def test_an_issued_for_column_holds_each_issues_purpose() -> None:
    rows = _rows(
        [("DATE", 100), ("NO.", 160), ("ISSUED", 200), ("FOR", 240)],
        [[("2024-05-29", 100), ("1", 164), ("BID", 200)],
         [("2024-06-20", 100), ("2", 164), ("ADDENDUM 1", 200)]],
    )  # fmt: skip
    assert [(mark, text) for mark, _, text in rows] == [("1", "BID"), ("2", "ADDENDUM 1")]


def test_a_mark_column_headed_by_a_drawn_delta_and_initials_headed_drawn() -> None:
    rows = _rows(
        [("DATE", 130), ("DESCRIPTION", 190), ("DRAWN", 320)],
        [[("4", 104), ("22.05.2026", 130), ("REVISED PER PLAN CHECK", 190), ("JMR", 320)],
         [("3", 104), ("29.04.2026", 130), ("ASI 01", 190), ("JMR", 320)]],
    )  # fmt: skip
    assert rows == [
        ("3", dt.date(2026, 4, 29), "ASI 01"),
        ("4", dt.date(2026, 5, 22), "REVISED PER PLAN CHECK"),
    ]


def test_a_neighbouring_blocks_line_beside_the_last_column_does_not_end_the_table() -> None:
    beside = [_word("STRUCTURAL | CIVIL", 330, 106), _word("(868) 555-9721", 330, 118)]
    rows = _rows(
        [("ISSUE", 40), ("DESCRIPTION", 100), ("DATE", 240), ("APP", 300)],
        [[("A", 40), ("ISSUED FOR BID", 100), ("26 Feb 2024", 240), ("AW", 300)],
         [("B", 40), ("VALUE ENGINEERING", 100), ("05 Mar 2024", 240), ("AW", 300)]],
        beside,
    )  # fmt: skip
    assert [mark for mark, _, _ in rows] == ["A", "B"]
