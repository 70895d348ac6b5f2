"""Rules found on the twelfth to fourteenth wild families (totals wording, ERP and
trade-counter tables, national suppliers' prints): SAP's words for the header fields, a total
printed first and large under its small label, header items run together between middle dots,
two column labels a space apart, numbered things that are no cost codes, pieces as the
quantity, a first row whose numbers stand level with the last line of its description, and small
notes under a row. Each test prints a tiny PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pymupdf
import pytest

from extractors.invoice import extract_invoice
from extractors.invoice.columns import Role, label_role
from extractors.invoice.labels import Field, find_labels
from extractors.text_layer import read_text_layer
from fixtures.generator import generate_invoice
from models import LineItem
from tests.unit.printed import Line, extract

LETTERHEAD: list[Line] = [
    (40, 50, "Trident Concrete Ltd", 16.0, True),
    (40, 66, "4833 Lakeshore Blvd W"),
    (40, 78, "Burnaby, BC V5C 5T4"),
    (450, 50, "INVOICE", 18.0, True),
]


def _numbers(y: float, qty: str, unit: str, price: str, amount: str) -> list[Line]:
    return [
        (330, y, qty, 9.0, False, "right"),
        (345, y, unit),
        (440, y, price, 9.0, False, "right"),
        (540, y, amount, 9.0, False, "right"),
    ]


def _header(description: str = "Description") -> list[Line]:
    return [
        (40, 200, description, 9.0, True),
        (310, 200, "Qty", 9.0, True),
        (345, 200, "Unit", 9.0, True),
        (400, 200, "Price", 9.0, True),
        (505, 200, "Amount", 9.0, True),
    ]


def _items(invoice_lines: list[LineItem]) -> list[tuple[str | None, Decimal | None]]:
    return [(item.description, item.amount) for item in invoice_lines]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Billing document", Field.INVOICE_NUMBER),
        ("Final amount", Field.TOTAL),
        ("Output tax", Field.TAX),
        ("WBS element", Field.PROJECT_NUMBER),
        ("Sold-to party", Field.BILL_TO),
        ("Sale Amount", Field.SUBTOTAL),
        ("Products Total", Field.SUBTOTAL),
    ],
)
def test_erp_and_supply_house_words_name_their_fields(text: str, field: Field) -> None:
    hits = find_labels(text)
    assert hits and hits[0].start == 0 and hits[0].label.field is field


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Pcs", Role.QUANTITY),
        ("No. of Pcs", Role.QUANTITY),
        ("Equip. #", Role.ITEM_NUMBER),
        ("Asset No.", Role.ITEM_NUMBER),
        ("Price / Pc", Role.UNIT_PRICE),
        ("Qty / Qté", Role.QUANTITY),
    ],
)
def test_column_words(label: str, role: Role | None) -> None:
    assert label_role(label) is role


def test_an_sap_billing_document_is_read_in_its_own_words() -> None:
    header: list[Line] = [
        (330, 70, "Billing document"),
        (450, 70, "741038"),
        (330, 84, "Billing date"),
        (450, 84, "20.05.2026"),
        (330, 98, "Net due date"),
        (450, 98, "04.07.2026"),
        (330, 112, "Purchase order"),
        (450, 112, "4500012775"),
    ]
    totals: list[Line] = [
        (360, 260, "Total net value"),
        (540, 260, "1,505.01", 9.0, False, "right"),
        (360, 274, "Output tax 5%"),
        (540, 274, "75.25", 9.0, False, "right"),
        (360, 288, "Final amount", 9.0, True),
        (540, 288, "1,580.26", 9.0, True, "right"),
    ]
    rows = [(40, 218, "2x10x16 Doug Fir #2"), *_numbers(218, "51", "EA", "29.51", "1,505.01")]
    invoice = extract(LETTERHEAD + header + _header() + rows + totals).invoice
    assert (invoice.invoice_number, invoice.po_number) == ("741038", "4500012775")
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 5, 20), date(2026, 7, 4))
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("1505.01"), Decimal("75.25"))
    assert invoice.total == Decimal("1580.26")


def test_a_total_printed_first_large_under_its_small_label_is_the_total() -> None:
    # The big amount reaches down beside other text, onto the line after the next.
    box: list[Line] = [
        (40, 300, "Payment by EFT to:"),
        (335, 300, "TOTAL AUD (inc. GST)", 7.0, True),
        (40, 311, "Pioneer Concrete Ltd"),
        (575, 322, "A$52,383.35", 20.0, True, "right"),
        (40, 321, "BSB 060-777 Account 1382-4262-44"),
        (335, 340, "Goods Value ex GST", 7.0),
        (575, 340, "A$47,621.23", 7.0, False, "right"),
        (335, 350, "GST 10%", 7.0),
        (575, 350, "A$4,762.12", 7.0, False, "right"),
    ]
    invoice = extract(LETTERHEAD + box).invoice
    assert invoice.total == invoice.amount_due == Decimal("52383.35")
    assert invoice.subtotal == Decimal("47621.23")


def test_header_items_run_together_between_middle_dots() -> None:
    caption: list[Line] = [
        (40, 180, "Your Order No. P6302-08 · Job P-24-0620 Northside Distribution Center · "
                  "Delivery Docket DD235446"),
    ]  # fmt: skip
    invoice = extract(LETTERHEAD + caption).invoice
    assert invoice.po_number == "P6302-08"
    assert invoice.project.number == "P-24-0620"
    assert invoice.project.name == "Northside Distribution Center"


def test_a_price_column_label_a_space_before_the_description_label_is_two_columns() -> None:
    table: list[Line] = [
        (70, 200, "QTY", 9.0, True),
        (118, 200, "EXTENSION", 9.0, True),
        (204, 200, "PRICE/UM DESCRIPTION", 9.0, True),
        (89, 218, "41", 9.0, False, "right"),
        (168, 218, "4,248.83", 9.0, False, "right"),
        (207, 218, "103.63/HR"),
        (252, 218, "Journeyman electrician labor"),
        (89, 234, "12", 9.0, False, "right"),
        (168, 234, "186.00", 9.0, False, "right"),
        (207, 234, "15.50/EA"),
        (252, 234, "2x4x8 SPF #2 Stud"),
        (440, 260, "Subtotal"),
        (560, 260, "4,434.83", 9.0, False, "right"),
    ]
    items = extract(LETTERHEAD + table).invoice.line_items
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in items] == [
        ("Journeyman electrician labor", Decimal(41), Decimal("103.63"), Decimal("4248.83")),
        ("2x4x8 SPF #2 Stud", Decimal(12), Decimal("15.50"), Decimal("186.00")),
    ]


def test_an_equipment_number_column_shaped_like_cost_codes_holds_no_cost_codes() -> None:
    table: list[Line] = [
        (40, 200, "Equip. #", 9.0, True),
        (110, 200, "Description", 9.0, True),
        (310, 200, "Qty", 9.0, True),
        (345, 200, "Unit", 9.0, True),
        (400, 200, "Rate", 9.0, True),
        (505, 200, "Amount", 9.0, True),
        (40, 218, "91-9358"),
        (110, 218, "Scissor lift 26' rental, weekly"),
        *_numbers(218, "2", "WK", "316.34", "632.68"),
        (40, 234, "95-8283"),
        (110, 234, "Skid steer rental, daily"),
        *_numbers(234, "3", "DAY", "389.15", "1,167.45"),
    ]
    items = extract(LETTERHEAD + table).invoice.line_items
    assert len(items) == 2
    assert [item.cost_code for item in items] == [None, None]


def test_pieces_are_the_quantity() -> None:
    table: list[Line] = [
        (40, 200, "Bar Mark", 9.0, True),
        (110, 200, "Description", 9.0, True),
        (310, 200, "Pcs", 9.0, True),
        (350, 200, "Weight (lbs)", 9.0, True),
        (420, 200, "Price / Pc", 9.0, True),
        (505, 200, "Amount", 9.0, True),
        (40, 218, "K162"),
        (110, 218, "#5 Rebar Grade 60, 20'"),
        (330, 218, "159", 9.0, False, "right"),
        (400, 218, "3,317.7", 9.0, False, "right"),
        (470, 218, "14.63", 9.0, False, "right"),
        (540, 218, "2,326.17", 9.0, False, "right"),
    ]
    (item,) = extract(LETTERHEAD + table).invoice.line_items
    assert (item.quantity, item.unit_price, item.amount) == (
        Decimal(159), Decimal("14.63"), Decimal("2326.17"),
    )  # fmt: skip


def test_the_first_rows_numbers_level_with_the_last_line_of_its_description() -> None:
    rows: list[Line] = [
        (40, 216, "4 inch PVC DWV Pipe - as per"),
        (40, 225, "approved submittal and shop"),
        (40, 234, "drawings rev B"),
        *_numbers(234, "1,620", "LF", "3.413", "5,529.06"),
        (40, 250, "Concrete pump truck, 4 hr"),
        (40, 259, "minimum"),
        *_numbers(259, "1", "LS", "1,265.43", "1,265.43"),
    ]
    items = extract(LETTERHEAD + _header() + rows).invoice.line_items
    assert _items(items) == [
        ("4 inch PVC DWV Pipe - as per approved submittal and shop drawings rev B",
         Decimal("5529.06")),
        ("Concrete pump truck, 4 hr minimum", Decimal("1265.43")),
    ]  # fmt: skip


def test_small_notes_under_a_row_belong_to_no_row() -> None:
    rows: list[Line] = [
        (40, 218, "Journeyman electrician labor"),
        *_numbers(218, "96", "HR", "96.68", "9,281.28"),
        (40, 227, "Equip # 65495890 Make: SKYTRAK Model: 10054", 6.2),
        (40, 235, "Hour Meter Out: 300.9 In: 349.0", 6.2),
        (40, 248, "Gravel base 3/4 crushed"),
        *_numbers(248, "15", "CY", "34.44", "516.60"),
        (40, 257, "Delivery 80092236 / Batch 0000003553", 8.5),
    ]
    items = extract(LETTERHEAD + _header() + rows).invoice.line_items
    assert _items(items) == [
        ("Journeyman electrician labor", Decimal("9281.28")),
        ("Gravel base 3/4 crushed", Decimal("516.60")),
    ]


def test_a_tax_at_its_rate_inside_the_item_grid_is_no_row() -> None:
    rows: list[Line] = [
        (40, 218, "Dumpster 30 yd haul and swap"),
        *_numbers(218, "35", "EA", "472.89", "16,551.15"),
        (40, 234, "State & Local Tax 6.875%"),
        (540, 234, "$1,137.89", 9.0, False, "right"),
        (40, 250, "INVOICE TOTAL", 9.0, True),
        (540, 250, "$17,689.04", 9.0, True, "right"),
    ]
    invoice = extract(LETTERHEAD + _header() + rows).invoice
    assert _items(invoice.line_items) == [("Dumpster 30 yd haul and swap", Decimal("16551.15"))]
    assert (invoice.tax_total, invoice.total) == (Decimal("1137.89"), Decimal("17689.04"))


def test_a_rate_label_a_space_before_a_part_number_label_is_two_columns() -> None:
    table: list[Line] = [
        (40, 200, "Description", 9.0, True),
        (300, 200, "Ord", 9.0, True),
        (330, 200, "UOM", 9.0, True),
        (395, 200, "Rate Part No.", 9.0, True),
        (520, 200, "Amount", 9.0, True),
        (40, 218, "4 inch PVC DWV Pipe"),
        (315, 218, "760", 9.0, False, "right"),
        (332, 218, "LF"),
        (395, 218, "3.31 DRY-49533"),
        (555, 218, "2,515.60", 9.0, False, "right"),
    ]
    (item,) = extract(LETTERHEAD + table).invoice.line_items
    assert (item.unit_price, item.amount) == (Decimal("3.31"), Decimal("2515.60"))


def test_totals_printed_as_a_row_of_labelled_cells_end_the_table() -> None:
    # Stress design 221 prints them under a table whose quantity column the tax cell reaches.
    document = generate_invoice("stress_supply", 221)
    assert document.truth.invoice is not None
    doc = pymupdf.open(stream=document.pdf)
    pages = [read_text_layer(doc[index], index + 1) for index in range(doc.page_count)]
    doc.close()
    items = extract_invoice(pages).invoice.line_items
    assert len(items) == len(document.truth.invoice.line_items)
    assert not any("SUBTOTAL" in (item.description or "") for item in items)


def test_totals_printed_as_a_row_of_labelled_cells_are_read() -> None:
    rows: list[Line] = [
        (40, 218, "R-21 Batt insulation"),
        *_numbers(218, "1,230", "SF", "1.07", "1,316.10"),
        (40, 240, "SUBTOTAL: 1,316.10 USD"),
        (262, 240, "GST (5%): 65.81 USD"),
        (420, 240, "INVOICE TOTAL: 1,381.91 USD"),
    ]
    invoice = extract(LETTERHEAD + _header() + rows).invoice
    assert _items(invoice.line_items) == [("R-21 Batt insulation", Decimal("1316.10"))]
    assert (invoice.subtotal, invoice.total) == (Decimal("1316.10"), Decimal("1381.91"))
