"""Table geometry: header labels, cells by column alignment, ruled columns and grids."""

from __future__ import annotations

from extractors.lines import group_lines
from extractors.page import Box, Page, Word
from extractors.tables import (
    Column,
    ColumnLayout,
    aligned_columns,
    assign_cells,
    header_band,
    header_columns,
    read_table,
    ruled_grids,
    segments,
)

_CHAR = 5.0  # points per character at size 10 in these hand-made pages


def _words(y: float, *placed: tuple[float, str]) -> list[Word]:
    """Words of one printed line: each (x, text) is a run of words with ordinary spaces."""
    words: list[Word] = []
    for x, text in placed:
        cursor = x
        for token in text.split():
            width = _CHAR * len(token)
            words.append(Word(token, Box(cursor, y, cursor + width, y + 10)))
            cursor += width + 2.5
    return words


def _layout(*labels: tuple[float, str]) -> ColumnLayout:
    main = group_lines(_words(100, *labels))[0]
    return ColumnLayout(header_columns([main], main))


def test_a_line_is_cut_into_cells_at_wide_gaps_but_not_at_word_spaces() -> None:
    words = _words(100, (40, "Ready-mix concrete 3000 PSI"), (300, "12"), (340, "CY"))
    texts = [" ".join(w.text for w in seg) for seg in segments(words)]
    assert texts == ["Ready-mix concrete 3000 PSI", "12", "CY"]


def test_monospaced_word_spaces_do_not_split_a_description() -> None:
    words = [
        Word("Joint", Box(103, 0, 129, 10), size=8.5),
        Word("compound,", Box(134, 0, 180, 10), size=8.5),
        Word("4.5", Box(246, 0, 261, 10), size=8.5),
        Word("gal", Box(266, 0, 282, 10), size=8.5),
        Word("110", Box(381, 0, 397, 10), size=8.5),
    ]
    assert [len(seg) for seg in segments(words)] == [2, 2, 1]


def test_header_labels_become_columns_left_to_right() -> None:
    layout = _layout((40, "Description"), (300, "Qty"), (360, "Unit Price"), (460, "Amount"))
    assert [c.label for c in layout.columns] == ["Description", "Qty", "Unit Price", "Amount"]


def test_stacked_header_words_join_the_label_they_sit_over() -> None:
    lines = group_lines(
        _words(88, (360, "Unit"))
        + _words(100, (40, "Description"), (300, "Qty"), (360, "Price"), (460, "Amount"))
    )
    start, end = header_band(lines, 1, lambda line: True)
    assert (start, end) == (0, 2)
    columns = header_columns(lines[start:end], lines[1])
    assert [c.label for c in columns] == ["Description", "Qty", "Unit Price", "Amount"]


def test_a_label_split_by_a_hyphen_is_rejoined() -> None:
    lines = group_lines(_words(88, (460, "Positions-")) + _words(100, (40, "Pos"), (460, "betrag")))
    columns = header_columns(lines, lines[1])
    assert [c.label for c in columns] == ["Pos", "Positionsbetrag"]


def test_right_aligned_numbers_go_to_the_column_they_line_up_with() -> None:
    layout = _layout((40, "Description"), (300, "Qty"), (380, "Price"), (460, "Amount"))
    # "Amount" ends at x=490; a wider number right-aligned under it starts left of the label.
    words = _words(120, (40, "Gypsum board 5/8 in"), (305, "40"), (380, "14.20"), (445, "9,568.00"))
    cells = {cell.column: cell.text for cell in assign_cells(words, layout)}
    assert cells == {0: "Gypsum board 5/8 in", 1: "40", 2: "14.20", 3: "9,568.00"}


def test_a_description_wider_than_its_label_stays_in_its_column() -> None:
    layout = _layout((40, "Item"), (400, "Amount"))
    words = _words(120, (40, "Excavator 20T with operator, north stair core"), (400, "6,646.94"))
    cells = {cell.column: cell.text for cell in assign_cells(words, layout)}
    assert cells[0] == "Excavator 20T with operator, north stair core"
    assert cells[1] == "6,646.94"


def test_words_printed_close_together_under_two_labels_are_two_cells() -> None:
    layout = _layout((40, "Description"), (240, "Aantal"), (280, "Eenheid"), (360, "Bedrag"))
    words = _words(120, (40, "Conduit"), (249, "28,50"), (278, "TON"), (360, "14,54"))
    # "28,50" ends at 274 and "TON" starts at 278: closer than a cell gap, under two labels.
    cells = {cell.column: cell.text for cell in assign_cells(words, layout)}
    assert cells == {0: "Conduit", 1: "28,50", 2: "TON", 3: "14,54"}


def test_vertical_rules_decide_the_column_in_a_ruled_table() -> None:
    columns = (
        Column("Description", Box(40, 100, 95, 110)),
        Column("Amount", Box(300, 100, 330, 110)),
    )
    layout = ColumnLayout(columns, bounds=(35.0, 200.0, 340.0))
    # Text just right of the rule at x=200 is in the amount zone even though it is far from
    # the label.
    words = _words(120, (40, "Pump truck"), (205, "938.57"))
    cells = {cell.column: cell.text for cell in assign_cells(words, layout)}
    assert cells == {0: "Pump truck", 1: "938.57"}


def _ruled_page() -> Page:
    rules = tuple(Box(30, y, 330, y) for y in (95, 115, 135, 155)) + tuple(
        Box(x, 95, x, 155) for x in (30, 200, 330)
    )
    words = (
        _words(100, (40, "Rev"), (210, "Date"))
        + _words(120, (40, "1"), (210, "2026-01-10"))
        + _words(140, (40, "2"), (210, "2026-02-10"))
    )
    return Page(number=1, width=612, height=792, words=tuple(words), rules=rules)


def test_a_ruled_grid_is_read_row_by_row_and_cell_by_cell() -> None:
    (table,) = ruled_grids(_ruled_page())
    assert len(table.columns) == 2
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    assert texts == [["Rev", "Date"], ["1", "2026-01-10"], ["2", "2026-02-10"]]
    second = table.rows[1].cell(1)
    assert second is not None and second.box.x0 >= 200


def test_a_page_without_rules_has_no_grid() -> None:
    page = Page(number=1, width=612, height=792, words=tuple(_words(100, (40, "Hello"))))
    assert ruled_grids(page) == []


def test_a_table_is_read_line_by_line_under_its_header_until_told_to_stop() -> None:
    layout = _layout((40, "Rev"), (100, "Date"), (200, "Description"))
    lines = group_lines(
        _words(120, (40, "2"), (100, "2026-02-10"), (200, "ASI 04"))
        + _words(134, (40, "1"), (100, "2026-01-10"), (200, "Issued for permit"))
        + _words(160, (40, "FIRST FLOOR PLAN"))
    )
    table = read_table(1, layout, lines, stop=lambda line: line.text.endswith("PLAN"))
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["2", "2026-02-10", "ASI 04"],
        ["1", "2026-01-10", "Issued for permit"],
    ]
    assert table.box.y1 == 144


def test_columns_without_a_header_come_from_aligned_edges() -> None:
    lines = group_lines(
        _words(120, (40, "Gypsum board"), (300, "12"), (405, "1,234.00"))
        + _words(134, (40, "Studs"), (295, "120"), (420, "88.00"))
        + _words(148, (40, "Screws, box"), (305, "2"), (425, "9.50"))
    )
    columns = aligned_columns(lines)
    # Text lines up on its left edge, numbers on their right edge.
    assert [round(c.box.x0) for c in columns] == [40, 295, 405]
    assert [round(c.box.x1) for c in columns][1:] == [310, 445]
