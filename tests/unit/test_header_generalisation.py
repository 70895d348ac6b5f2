"""General header rules that no single design owns: strips of cells (labels over values),
values centred under their keys, weak labels as a last resort, totals printed in a row of
cells, columns of line amounts, and remittance stubs. Each test prints a tiny PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractors.invoice.labels import Field, find_labels
from extractors.layout import page_rows, text_below
from extractors.page import Box, Page, Word
from tests.unit.printed import Line, extract

LETTERHEAD: list[Line] = [
    (40, 50, "Keystone Electric Inc.", 16.0, True),
    (40, 66, "1200 Industrial Pkwy"),
    (40, 78, "Dayton, OH 45402"),
    (450, 50, "BILLING INVOICE", 18.0, True),
]
TABLE: list[Line] = [
    (40, 300, "Description", 9.0, True),
    (360, 300, "Qty", 9.0, True),
    (420, 300, "Unit Price", 9.0, True),
    (520, 300, "Line Total", 9.0, True),
    (40, 320, "Drywall finisher labor"),
    (360, 320, "8"),
    (420, 320, "62.75"),
    (520, 320, "502.00"),
    (40, 336, "5/8 Type X Gypsum Board"),
    (360, 336, "100"),
    (420, 336, "15.79"),
    (520, 336, "1,579.00"),
    (40, 352, "Wire mesh"),
    (360, 352, "2"),
    (420, 352, "10.00"),
    (520, 352, "20.00"),
]


def test_a_strip_of_cells_labels_over_values_centred_in_their_columns() -> None:
    strip: list[Line] = [
        (80, 150, "NUMBER", 8.0, True, "center"),
        (170, 150, "BILLING DATE", 8.0, True, "center"),
        (260, 150, "DUE BY", 8.0, True, "center"),
        (340, 150, "P.O.", 8.0, True, "center"),
        (430, 150, "PROJECT", 8.0, True, "center"),
        (80, 166, "A-2026-5581", 9.0, False, "center"),
        (170, 166, "June 28, 2026", 9.0, False, "center"),
        (260, 166, "July 28, 2026", 9.0, False, "center"),
        (340, 166, "4391", 9.0, False, "center"),
        (430, 166, "J1192 Harbor Point Apartments", 9.0, False, "center"),
    ]
    invoice = extract(strip).invoice
    assert invoice.invoice_number == "A-2026-5581"
    assert invoice.invoice_date == date(2026, 6, 28)
    assert invoice.due_date == date(2026, 7, 28)
    assert invoice.po_number == "4391"
    assert invoice.project.number == "J1192"
    assert invoice.project.name == "Harbor Point Apartments"


def _word(text: str, x0: float, y0: float, width: float) -> Word:
    return Word(text, Box(x0, y0, x0 + width, y0 + 9))


def test_text_below_takes_a_value_centred_under_a_narrower_key_whole() -> None:
    words = (
        _word("Project", 300, 100, 30),
        _word("Civic", 270, 118, 22),
        _word("Center", 295, 118, 28),
        _word("Parking", 326, 118, 34),
    )
    rows = page_rows(Page(1, 612, 792, words))
    key = rows[0][0]
    below = text_below(rows, key, key.box)
    assert [cell.text for cell in below] == ["Civic Center Parking"]


def test_weak_labels_announce_the_invoice_number_only_as_a_last_resort() -> None:
    assert find_labels("Number")[0].label.field is Field.INVOICE_NUMBER
    alternates = find_labels("Reference No.")[0]
    fields = {alternates.label.field, *(label.field for label in alternates.alternates)}
    assert Field.INVOICE_NUMBER in fields
    both: list[Line] = [
        *LETTERHEAD,
        (340, 120, "Invoice No.:", 9.0, True),
        (420, 120, "INV-10293"),
        (340, 134, "Reference No.:", 9.0, True),
        (420, 134, "Q-55102"),
    ]
    assert extract(both).invoice.invoice_number == "INV-10293"


def test_a_billing_invoice_title_is_not_the_vendor() -> None:
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471")]).invoice
    assert invoice.vendor.name == "Keystone Electric Inc."


def test_goods_total_is_a_subtotal_and_line_totals_are_no_invoice_total() -> None:
    totals: list[Line] = [
        (380, 390, "Goods Total:"),
        (520, 390, "2,101.00"),
        (380, 404, "Sales Tax (8%):"),
        (520, 404, "168.08"),
        (380, 418, "Balance Due:", 9.0, True),
        (520, 418, "2,269.08", 9.0, True),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *totals]).invoice
    assert invoice.subtotal == Decimal("2101.00")
    assert invoice.tax_total == Decimal("168.08")
    assert invoice.total == Decimal("2269.08")
    assert invoice.amount_due == Decimal("2269.08")
    assert len(invoice.line_items) == 3


def test_totals_in_a_row_of_cells_labels_above_amounts() -> None:
    row: list[Line] = [
        (100, 390, "SUBTOTAL", 8.0, True),
        (250, 390, "SALES TAX", 8.0, True),
        (400, 390, "AMOUNT DUE", 8.0, True),
        (100, 406, "$2,101.00"),
        (250, 406, "$168.08"),
        (400, 406, "$2,269.08"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *row]).invoice
    assert invoice.subtotal == Decimal("2101.00")
    assert invoice.tax_total == Decimal("168.08")
    assert invoice.total == Decimal("2269.08")
    assert len(invoice.line_items) == 3  # the row of amounts is no line item


def test_a_remittance_stub_repeats_values_and_its_blank_is_not_taken() -> None:
    stub: list[Line] = [
        (380, 390, "Subtotal:"),
        (520, 390, "2,101.00"),
        (380, 404, "Tax:"),
        (520, 404, "168.08"),
        (380, 418, "Total:", 9.0, True),
        (520, 418, "2,269.08", 9.0, True),
        (150, 600, "Please detach and return this portion with your payment", 7.0, False),
        (330, 620, "Invoice No.:", 9.0, True),
        (420, 620, "4471"),
        (330, 634, "Amount Due:", 9.0, True),
        (420, 634, "$2,269.08"),
        (330, 648, "Amount Enclosed:", 9.0, True),
        (420, 648, "$ ______________"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *stub]).invoice
    assert invoice.invoice_number == "4471"
    assert invoice.total == Decimal("2269.08")
    assert invoice.amount_due == Decimal("2269.08")
