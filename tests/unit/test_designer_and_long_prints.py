"""Rules found on the twenty-fourth to twenty-sixth wild families (designer templates, long
invoices over pages, time-and-material prints): a letter-spaced label, a label with a second
name after a slash, a due date that only follows the invoice date read day first, a title
with an apostrophe, and a number and its date run together between bars."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.unit.printed import Line, extract

LETTERHEAD: list[Line] = [
    (40, 40, "Anchor Concrete Ltd", 16.0, True),
    (40, 58, "1200 Industrial Pkwy, Austin, TX 78744"),
]


def test_a_letter_spaced_label_reads_as_its_word() -> None:
    totals: list[Line] = [
        (360, 300, "S U B T O T A L", 8.0, True),
        (560, 300, "$286,426.22", 9.0, False, "right"),
        (360, 316, "T A X", 8.0, True),
        (560, 316, "$19,691.80", 9.0, False, "right"),
        (360, 332, "T O T A L", 8.0, True),
        (560, 332, "$306,118.02", 12.0, True, "right"),
    ]
    invoice = extract([*LETTERHEAD, (450, 40, "INVOICE", 18.0, True), *totals]).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("286426.22"), Decimal("19691.80"))
    assert invoice.total == Decimal("306118.02")


def test_a_labels_second_name_after_a_slash_does_not_hide_its_value() -> None:
    fields: list[Line] = [(393, 95, "PO / Work Order: PO-3348")]
    assert extract(LETTERHEAD + fields).invoice.po_number == "PO-3348"


def test_dates_that_stand_in_order_only_day_first_are_read_day_first() -> None:
    fields: list[Line] = [
        (40, 90, "Invoice #0042"),
        (40, 104, "Issued 06/01/2026 · Due 05/02/2026"),
    ]
    invoice = extract(LETTERHEAD + fields).invoice
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 1, 6), date(2026, 2, 5))


def test_a_title_with_an_apostrophe_names_no_vendor() -> None:
    head: list[Line] = [
        (48, 33, "Prairie Drywall LLC", 11.0, True),
        (48, 70, "SUBCONTRACTOR'S INVOICE", 16.0, True),
        (40, 95, "1357 Commerce Dr"),
        (40, 106, "Tacoma, WA 98402"),
    ]
    assert extract(head).invoice.vendor.name == "Prairie Drywall LLC"


def test_a_number_and_its_date_run_together_between_bars() -> None:
    head: list[Line] = [
        (515, 29, "INVOICE", 16.0, True),
        (44, 47, "Invoice RC-9640-64 | January 4, 2026 | Northstar Contracting"),
    ]
    invoice = extract(LETTERHEAD + head).invoice
    assert invoice.invoice_number == "RC-9640-64"
    assert invoice.invoice_date == date(2026, 1, 4)


def test_a_days_total_between_rows_ends_no_table_and_a_unit_number_is_no_unit() -> None:
    table: list[Line] = [
        (40, 200, "Work Date", 9.0, True),
        (100, 200, "Unit No.", 9.0, True),
        (150, 200, "Description", 9.0, True),
        (330, 200, "Hrs/Qty", 9.0, True),
        (375, 200, "Unit", 9.0, True),
        (440, 200, "Rate", 9.0, True),
        (520, 200, "Amount", 9.0, True),
        (40, 218, "08/15/2025"),
        (100, 218, "EX-204"),
        (150, 218, "Excavator 20T with operator"),
        (365, 218, "8", 9.0, False, "right"),
        (375, 218, "HR"),
        (470, 218, "157.91", 9.0, False, "right"),
        (560, 218, "1,263.28", 9.0, False, "right"),
        (40, 234, "Total 08/15/2025: 1,263.28"),
        (40, 250, "08/16/2025"),
        (150, 250, "Gravel base 3/4 crushed"),
        (365, 250, "15", 9.0, False, "right"),
        (375, 250, "CY"),
        (470, 250, "34.44", 9.0, False, "right"),
        (560, 250, "516.60", 9.0, False, "right"),
    ]
    items = extract([*LETTERHEAD, (450, 40, "INVOICE", 18.0, True), *table]).invoice.line_items
    assert [(i.description, i.unit, i.amount) for i in items] == [
        ("Excavator 20T with operator", "HR", Decimal("1263.28")),
        ("Gravel base 3/4 crushed", "CY", Decimal("516.60")),
    ]
