"""Designs real suppliers print that no one layout owns: header fields down a sidebar beside
the item table, a company name wrapped onto two lines, a carbon-book serial number with no
label, the number in the title line, "Net" / "Gross" totals, a total right-aligned under its
label, a column of delivery dates in the item table, "TAX INVOICE ... Qty ... Thank you"
on a full-page invoice that is no till receipt, and a letterhead drawn as a picture, which
leaves the vendor's name only in small print. Each test prints a tiny PDF and reads it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractors.limits import Limits
from extractors.pipeline import run_pipeline
from tests.unit.printed import Line, extract, print_pdf

ITEMS_HEADER: list[Line] = [
    (170, 240, "Description", 8.0, True),
    (420, 240, "Qty", 8.0, True, "right"),
    (480, 240, "Unit Price", 8.0, True, "right"),
    (570, 240, "Amount", 8.0, True, "right"),
]
ITEMS: list[Line] = [
    (170, 258, "Ready-mix concrete 4000 PSI"),
    (420, 258, "45", 9.0, False, "right"),
    (480, 258, "150.00", 9.0, False, "right"),
    (570, 258, "6,750.00", 9.0, False, "right"),
    (170, 276, "Rebar #5 Grade 60, 20'"),
    (420, 276, "120", 9.0, False, "right"),
    (480, 276, "12.50", 9.0, False, "right"),
    (570, 276, "1,500.00", 9.0, False, "right"),
    (170, 294, "Concrete pump truck, 4 hr minimum"),
    (420, 294, "1", 9.0, False, "right"),
    (480, 294, "850.00", 9.0, False, "right"),
    (570, 294, "850.00", 9.0, False, "right"),
]
TOTALS: list[Line] = [
    (480, 330, "Subtotal", 9.0, False, "right"),
    (570, 330, "9,100.00", 9.0, False, "right"),
    (480, 346, "Sales Tax", 9.0, False, "right"),
    (570, 346, "728.00", 9.0, False, "right"),
    (480, 362, "Total", 9.0, True, "right"),
    (570, 362, "9,828.00", 9.0, True, "right"),
]
LETTERHEAD: list[Line] = [
    (40, 50, "Granite Ready Mix Co.", 16.0, True),
    (40, 66, "88 Quarry Rd, Austin, TX 78744"),
    (400, 50, "INVOICE", 20.0, True),
    (400, 80, "Invoice No.", 9.0, True),
    (470, 80, "GR-20417"),
    (400, 92, "Date", 9.0, True),
    (470, 92, "03/14/2026"),
]


def test_header_fields_down_a_sidebar_beside_the_item_table_leave_its_rows_whole() -> None:
    sidebar: list[Line] = [
        (12, 50, "Granite Ready", 14.0, True),
        (12, 66, "Mix Co.", 14.0, True),
        (12, 90, "88 Quarry Rd"),
        (12, 218, "INVOICE NO.", 7.0, True),
        (12, 228, "GR-20417"),
        (12, 240, "INVOICE DATE", 7.0, True),
        (12, 250, "03/14/2026"),
        (12, 262, "ORDER NO.", 7.0, True),
        (12, 272, "PO-5580"),
        (12, 284, "TERMS", 7.0, True),
        (12, 294, "Net 30"),
    ]
    found = extract(sidebar + ITEMS_HEADER + ITEMS + TOTALS).invoice
    assert found.vendor.name == "Granite Ready Mix Co."
    assert (found.invoice_number, found.po_number) == ("GR-20417", "PO-5580")
    assert found.invoice_date == date(2026, 3, 14)
    assert [item.amount for item in found.line_items] == [
        Decimal("6750.00"),
        Decimal("1500.00"),
        Decimal("850.00"),
    ]
    assert found.line_items[0].description == "Ready-mix concrete 4000 PSI"
    assert found.total == Decimal("9828.00")


# A logo drawn as a picture: the page's text starts with the address; the name is elsewhere.
PICTURE_LETTERHEAD: list[Line] = [
    (40, 66, "88 Quarry Rd", 8.5),
    (40, 78, "Austin, TX 78744", 8.5),
    (400, 50, "INVOICE", 20.0, True),
    (400, 80, "Invoice No.", 9.0, True),
    (470, 80, "GR-20417"),
    (400, 92, "Date", 9.0, True),
    (470, 92, "03/14/2026"),
    (300, 150, "Ship To", 8.5, True),
    (300, 162, "Riverside Medical Office - jobsite"),
    (300, 174, "3493 Industrial Ave"),
]


def test_under_a_picture_letterhead_the_vendor_is_the_name_payment_is_made_to() -> None:
    footer: list[Line] = [(40, 420, "Please make all checks payable to Granite Ready Mix Co.")]
    found = extract(PICTURE_LETTERHEAD + ITEMS_HEADER + ITEMS + TOTALS + footer).invoice
    assert found.vendor.name == "Granite Ready Mix Co."


def test_under_a_picture_letterhead_a_legal_name_line_that_is_also_the_payee_is_the_vendor() -> (
    None
):
    legal: list[Line] = [(40, 54, "Granite Ready Mix Co.", 8.5)]
    remit: list[Line] = [
        (40, 420, "Remit To:", 8.5, True),
        (40, 432, "Granite Ready Mix Co."),
        (40, 444, "PO Box 9231"),
    ]
    found = extract(legal + PICTURE_LETTERHEAD + ITEMS_HEADER + ITEMS + TOTALS + remit).invoice
    assert found.vendor.name == "Granite Ready Mix Co."


def test_a_large_letterhead_name_wins_over_a_different_payee() -> None:
    factored: list[Line] = [(40, 420, "Please remit payment to Riviera Finance LLC.")]
    big_name: list[Line] = [(40, 50, "GRANITE READY MIX", 16.0, True)]
    found = extract(big_name + PICTURE_LETTERHEAD + ITEMS_HEADER + ITEMS + TOTALS + factored)
    assert found.invoice.vendor.name == "GRANITE READY MIX"


def test_a_key_set_a_little_lower_than_its_value_beside_a_tall_name_still_finds_it() -> None:
    # A scan's boxes: "Date:" 5 points below its value, which shares a line with a tall name.
    lines: list[Line] = [
        (40, 100, "Sterling Rebar Ltd", 16.0, True),
        (400, 60, "INVOICE", 20.0, True),
        (336, 88, "Invoice #:"),
        (406, 88, "A-2026-2544"),
        (406, 100, "2025-11-20"),
        (336, 105, "Date:"),
        (336, 118, "Due Date:"),
        (406, 118, "2025-12-05"),
    ]
    found = extract(lines + ITEMS_HEADER + ITEMS + TOTALS).invoice
    assert (found.invoice_date, found.due_date) == (date(2025, 11, 20), date(2025, 12, 5))
    assert found.vendor.name == "Sterling Rebar Ltd"


def test_a_carbon_book_serial_number_with_no_label_is_the_invoice_number() -> None:
    lines: list[Line] = [
        (40, 50, "Granite Ready Mix Co.", 16.0, True),
        (40, 66, "88 Quarry Rd, Austin, TX 78744"),
        (570, 50, "INVOICE", 20.0, True, "right"),
        (570, 68, "004512", 13.0, False, "right"),
        (40, 110, "Date", 7.0, True),
        (40, 120, "03/14/2026"),
        (160, 110, "Customer Order No.", 7.0, True),
        (160, 120, "PO-5580"),
    ]
    found = extract(lines + ITEMS_HEADER + ITEMS + TOTALS)
    assert found.invoice.invoice_number == "004512"
    assert found.invoice.po_number == "PO-5580"
    assert found.field_confidence["invoice_number"] < 0.8  # unlabelled: a person confirms it


def test_the_number_in_the_title_line_is_the_invoice_number() -> None:
    lines: list[Line] = [
        (40, 50, "Granite Ready Mix Co.", 16.0, True),
        (570, 50, "TAX INVOICE A-2026-6094", 18.0, True, "right"),
        (40, 110, "Date: 03/14/2026"),
    ]
    found = extract(lines + ITEMS_HEADER + ITEMS + TOTALS).invoice
    assert found.invoice_number == "A-2026-6094"


def test_net_and_gross_name_the_subtotal_and_the_total_but_net_30_names_terms() -> None:
    totals: list[Line] = [
        (480, 330, "Net", 9.0, False, "right"),
        (570, 330, "9,100.00", 9.0, False, "right"),
        (480, 346, "VAT 8%", 9.0, False, "right"),
        (570, 346, "728.00", 9.0, False, "right"),
        (480, 362, "Gross", 9.0, True, "right"),
        (570, 362, "9,828.00", 9.0, True, "right"),
        (400, 104, "Terms", 9.0, True),
        (470, 104, "Net 30"),
    ]
    found = extract(LETTERHEAD + ITEMS_HEADER + ITEMS + totals).invoice
    assert (found.subtotal, found.tax_total, found.total) == (
        Decimal("9100.00"),
        Decimal("728.00"),
        Decimal("9828.00"),
    )
    assert found.payment_terms == "Net 30"


def test_a_total_right_aligned_under_its_right_aligned_label_is_read_whole() -> None:
    totals: list[Line] = [
        (570, 320, "SUBTOTAL", 7.0, True, "right"),
        (570, 331, "9,100.00 USD", 9.0, False, "right"),
        (570, 346, "SALES TAX", 7.0, True, "right"),
        (570, 357, "728.00 USD", 9.0, False, "right"),
        (570, 372, "TOTAL", 7.0, True, "right"),
        (570, 386, "9,828.00 USD", 13.0, True, "right"),
    ]
    found = extract(LETTERHEAD + ITEMS_HEADER + ITEMS + totals).invoice
    assert (found.subtotal, found.total) == (Decimal("9100.00"), Decimal("9828.00"))


def test_a_column_of_delivery_dates_is_neither_description_nor_the_invoice_date() -> None:
    dated: list[Line] = [(120, 240, "Ship Date", 8.0, True)]
    for y, day in ((258, "03/02/2026"), (276, "03/05/2026"), (294, "03/09/2026")):
        dated.append((120, y, day))
    found = extract(LETTERHEAD + ITEMS_HEADER + ITEMS + TOTALS + dated).invoice
    assert found.invoice_date == date(2026, 3, 14)
    assert [item.description for item in found.line_items] == [
        "Ready-mix concrete 4000 PSI",
        "Rebar #5 Grade 60, 20'",
        "Concrete pump truck, 4 hr minimum",
    ]


def test_a_full_page_tax_invoice_with_qty_and_thanks_is_no_till_receipt() -> None:
    lines: list[Line] = [
        (40, 50, "Granite Ready Mix Co.", 16.0, True),
        (40, 66, "88 Quarry Rd, Austin, TX 78744"),
        (400, 50, "TAX INVOICE", 20.0, True),
        (400, 80, "Invoice No.", 9.0, True),
        (470, 80, "GR-20417"),
        (400, 92, "Date", 9.0, True),
        (470, 92, "03/14/2026"),
        (420, 240, "QTY", 8.0, True, "right"),
        (40, 420, "Thank you for your business."),
    ]
    header = [line for line in ITEMS_HEADER if line[2] != "Qty"]
    envelope = run_pipeline(print_pdf(lines + header + ITEMS + TOTALS), "tax.pdf", Limits())
    assert envelope.invoice is not None
    assert envelope.invoice.vendor.name == "Granite Ready Mix Co."
    assert envelope.invoice.total == Decimal("9828.00")
    assert len(envelope.invoice.line_items) == 3
