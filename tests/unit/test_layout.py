"""Layout for header reading: cells split at wide gaps, and key–value pairs by geometry."""

from __future__ import annotations

from extractors.layout import Relation, find_key_values, page_rows, text_below
from extractors.page import Box, Page, Word

_CHAR = 0.5  # a character is about half the font size wide


def _words(x: float, y: float, text: str, size: float = 10.0, bold: bool = False) -> list[Word]:
    words = []
    for token in text.split(" "):
        width = len(token) * size * _CHAR
        words.append(Word(token, Box(x, y, x + width, y + size), size, bold))
        x += width + size * 0.25
    return words


def _page(*lines: tuple[float, float, str]) -> Page:
    words = [word for x, y, text in lines for word in _words(x, y, text)]
    return Page(1, 612, 792, tuple(words))


def test_a_wide_gap_separates_cells_on_one_line() -> None:
    rows = page_rows(_page((40, 100, "Invoice No:"), (200, 100, "INV-10293")))
    assert [cell.text for cell in rows[0]] == ["Invoice No:", "INV-10293"]


def test_key_and_value_in_one_cell() -> None:
    pairs = find_key_values(_page((40, 100, "PO #: 4471")))
    assert [(p.key, p.value, p.relation) for p in pairs] == [("PO #", "4471", Relation.SAME_CELL)]


def test_value_right_of_its_key() -> None:
    pairs = find_key_values(_page((40, 100, "Terms:"), (200, 100, "Net 30")))
    assert [(p.key, p.value, p.relation) for p in pairs] == [("Terms", "Net 30", Relation.RIGHT)]


def test_value_below_its_key() -> None:
    pairs = find_key_values(_page((40, 100, "Due Date:"), (40, 112, "2026-04-13")))
    assert [(p.key, p.value, p.relation) for p in pairs] == [
        ("Due Date", "2026-04-13", Relation.BELOW)
    ]


def test_a_value_under_one_key_of_a_header_row_stops_at_the_next_key() -> None:
    page = _page(
        (40, 100, "PROJECT"),
        (170, 100, "PROJECT NO."),
        (40, 110, "Riverside Medical Offices"),
        (168, 110, "24-017"),
    )
    rows = page_rows(page)
    key, number_key = rows[0]
    assert [cell.text for cell in rows[1]] == ["Riverside Medical Offices 24-017"]
    assert [c.text for c in text_below(rows, key, key.box)] == ["Riverside Medical Offices"]
    assert [c.text for c in text_below(rows, number_key, number_key.box)] == ["24-017"]


def test_nothing_below_when_the_next_line_is_far_away() -> None:
    rows = page_rows(_page((40, 100, "Notes"), (40, 300, "Thank you")))
    assert text_below(rows, rows[0][0], rows[0][0].box) == []


def test_a_tall_title_does_not_merge_two_small_lines() -> None:
    words = [
        *_words(40, 40, "Acme Supply", size=14),
        *_words(40, 58, "12 Main St", size=8),
        *_words(400, 40, "INVOICE", size=30),
    ]
    rows = page_rows(Page(1, 612, 792, tuple(words)))
    texts = [[cell.text for cell in row] for row in rows]
    assert ["12 Main St"] in texts
    assert any("Acme Supply" in row for row in texts)
