"""Rules no single design owns, found on randomised stress designs: a label set tight
against its amount, a labelled total at the foot of a "Line Total" column, a side panel of
header fields stacked beside the item table's header, and a tall side label level with two
lines of a wrapped description. Each test prints a tiny PDF."""

from __future__ import annotations

from decimal import Decimal

from extractors.lines import group_lines
from extractors.page import Box, Word
from tests.unit.printed import Line, extract

LETTERHEAD: list[Line] = [
    (40, 50, "Keystone Electric Inc.", 16.0, True),
    (40, 66, "1200 Industrial Pkwy"),
    (40, 78, "Dayton, OH 45402"),
    (450, 50, "INVOICE", 18.0, True),
    (450, 70, "Invoice No. K-20931"),
]
TABLE: list[Line] = [
    (40, 200, "Description", 9.0, True),
    (330, 200, "Qty", 9.0, True),
    (400, 200, "Unit Price", 9.0, True),
    (500, 200, "Line Total", 9.0, True),
    (40, 218, "Drywall finisher labor"),
    (330, 218, "8"),
    (400, 218, "62.75"),
    (500, 218, "502.00"),
    (40, 234, "5/8 Type X Gypsum Board"),
    (330, 234, "100"),
    (400, 234, "15.79"),
    (500, 234, "1,579.00"),
]


def test_a_label_set_tight_against_its_amount_still_names_it() -> None:
    totals: list[Line] = [
        (360, 270, "Subtotal Amount:2,081.00 USD"),
        (360, 284, "GST (5%):104.05 USD"),
        (360, 298, "Net Payable:2,185.05 USD", 9.0, True),
    ]
    invoice = extract(LETTERHEAD + TABLE + totals).invoice
    assert invoice.subtotal == Decimal("2081.00")
    assert invoice.tax_total == Decimal("104.05")
    assert invoice.total == invoice.amount_due == Decimal("2185.05")


def test_a_labelled_amount_due_at_the_foot_of_a_line_total_column_is_no_subtotal() -> None:
    # No subtotal is printed: the sum under "Line Total" is the amount due its row names.
    due: list[Line] = [
        (40, 256, "Amount due ........................................."),
        (500, 256, "2,081.00"),
    ]
    invoice = extract(LETTERHEAD + TABLE + due).invoice
    assert invoice.subtotal is None
    assert invoice.total == invoice.amount_due == Decimal("2081.00")


def test_a_side_panel_stacked_beside_the_item_header_is_no_column_of_the_table() -> None:
    # The panel's labels and values stand just above, level with and under the header line.
    panel: list[Line] = [
        (12, 144, "INV. DATE", 7.0, True),
        (12, 153, "18.05.2026", 8.0),
        (12, 168, "CLIENT PO", 7.0, True),
        (12, 178, "2032-173-PO-043", 8.0),
        (12, 191, "PAYMENT TERMS", 7.0, True),
        (12, 201, "Net 30", 8.0),
    ]
    table: list[Line] = [
        (200, 162, "Qty", 8.0, True),
        (220, 162, "Item Description", 8.0, True),
        (430, 162, "U/M", 8.0, True),
        (470, 162, "Price Each", 8.0, True),
        (540, 162, "Extension", 8.0, True),
        (212, 182, "118", 8.0, False, "right"),
        (220, 182, "#4 Rebar Grade 60, 20'", 8.0),
        (432, 182, "EA", 8.0),
        (510, 182, "8.82", 8.0, False, "right"),
        (580, 182, "1,040.76", 8.0, False, "right"),
        (212, 210, "2,290", 8.0, False, "right"),
        (220, 210, "3/4 EMT Conduit", 8.0),
        (432, 210, "LF", 8.0),
        (510, 210, "1.09", 8.0, False, "right"),
        (580, 210, "2,496.10", 8.0, False, "right"),
    ]
    items = extract(LETTERHEAD + panel + table).invoice.line_items
    assert [(item.description, item.amount) for item in items] == [
        ("#4 Rebar Grade 60, 20'", Decimal("1040.76")),
        ("3/4 EMT Conduit", Decimal("2496.10")),
    ]


def _word(text: str, x0: float, y0: float, x1: float, y1: float) -> Word:
    return Word(text, Box(x0, y0, x1, y1))


def test_a_tall_side_label_does_not_join_the_two_lines_of_a_wrapped_cell() -> None:
    words = [
        _word("Remit", 12, 283.7, 38, 294.9),  # a bigger label level with both lines
        _word("Concrete", 216, 280.4, 252, 289.2),
        _word("pump", 254, 280.4, 273, 289.2),
        _word("approved", 216, 288.8, 252, 297.6),
        _word("submittal", 254, 288.8, 290, 297.6),
    ]
    lines = [[word.text for word in line.words] for line in group_lines(words)]
    assert ["Concrete", "pump"] in [line[-2:] for line in lines]
    assert ["approved", "submittal"] in lines
