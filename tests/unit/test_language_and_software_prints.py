"""Rules found on the fifteenth to seventeenth wild families (French, Dutch, Spanish and
German invoices; retainage, holdback and retention; construction software prints): order
labels in those languages, values set flush right in a column beside their keys, a label
printed in two languages, a year in a sentence that is no amount, position numbers that are
no cost codes, a "Units" column beside a "UM" one, a gross that is the subtotal or the total
as the arithmetic says, and a spreadsheet's currency sign at its cell's left edge. Each test
prints a tiny PDF."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.invoice.labels import Field, find_labels
from extractors.values import parse_amount
from tests.unit.printed import Line, extract

LETTERHEAD: list[Line] = [
    (40, 50, "Sterling Electric Inc.", 16.0, True),
    (40, 66, "7371 Gewerbepark Nord"),
    (40, 78, "10557 Berlin"),
    (450, 50, "INVOICE", 18.0, True),
    (360, 70, "Invoice No. 2026/0803"),
]


@pytest.mark.parametrize(
    "text",
    [
        "Votre commande n°",
        "N° de commande",
        "Bon de commande n°",
        "Su pedido",
        "Nº de pedido",
        "Bestelbon",
        "Ihre Bestellung",
        "External Document No. (PO)",
    ],
)
def test_order_labels_in_other_languages_and_erp_words_name_the_po(text: str) -> None:
    hits = find_labels(text)
    assert [(hit.start, hit.label.field) for hit in hits] == [(0, Field.PO_NUMBER)]


def test_a_po_label_outweighs_a_subcontract_number() -> None:
    (po,) = find_labels("PO Number")
    (subcontract,) = find_labels("Subcontract No.")
    assert subcontract.label.field is Field.PO_NUMBER
    assert po.label.weight > subcontract.label.weight


def test_a_closing_parenthesis_alone_is_no_minus_sign() -> None:
    assert parse_amount("1994)") == Decimal(1994)
    assert parse_amount("(1,234.50)") == Decimal("-1234.50")


def test_keys_over_keys_with_values_set_flush_right_beside_them() -> None:
    block: list[Line] = [
        (64, 140, "Tessellate Builders"),
        (64, 152, "10557 Berlin"),
        (350, 128, "Rechnungsdatum"),
        (553, 128, "08.03.2026", 9.0, False, "right"),
        (350, 140, "Kundennummer"),
        (553, 140, "101458", 9.0, False, "right"),
        (350, 152, "Ihre Bestellung"),
        (553, 152, "1288", 9.0, False, "right"),
        (350, 164, "Leistungszeitraum"),
        (553, 164, "16.02.2026 - 06.03.2026", 9.0, False, "right"),
    ]
    assert extract(LETTERHEAD + block).invoice.po_number == "1288"


def test_a_label_printed_in_two_languages_names_the_value_beside_it() -> None:
    totals: list[Line] = [
        (300, 300, "Totaal excl. btw / Total hors TVA"),
        (560, 300, "1.519,20 EUR", 9.0, False, "right"),
        (300, 314, "Te betalen / A payer", 9.0, True),
        (560, 314, "1.519,20 EUR", 9.0, True, "right"),
    ]
    invoice = extract(LETTERHEAD + totals).invoice
    assert invoice.subtotal == invoice.total == Decimal("1519.20")


def test_a_year_in_a_sentence_after_a_tax_word_is_no_tax() -> None:
    lines: list[Line] = [
        (300, 300, "Gross Value"),
        (560, 300, "£15,080.50", 9.0, False, "right"),
        (300, 314, "Less Retention @ 5%"),
        (560, 314, "(£754.03)", 9.0, False, "right"),
        (300, 328, "Net Due", 9.0, True),
        (560, 328, "£14,326.47", 9.0, True, "right"),
        (40, 360, "VAT: Domestic reverse charge applies. Customer to account to HMRC for the VAT"),
        (40, 372, "on this supply (section 55A VATA 1994); no VAT is charged on this invoice."),
    ]
    invoice = extract(LETTERHEAD + lines).invoice
    assert invoice.tax_total is None
    # No subtotal line is printed: the gross is the total, once.
    assert invoice.subtotal is None
    assert invoice.total == Decimal("15080.50")
    assert (invoice.retainage, invoice.amount_due) == (Decimal("754.03"), Decimal("14326.47"))


def test_a_gross_over_a_tax_line_is_the_subtotal() -> None:
    lines: list[Line] = [
        (360, 300, "Gross Billed"),
        (560, 300, "$442,170.48", 9.0, False, "right"),
        (360, 314, "Sales Tax 8%"),
        (560, 314, "$35,373.64", 9.0, False, "right"),
        (360, 328, "Invoice Amount", 9.0, True),
        (560, 328, "$477,544.12", 9.0, True, "right"),
    ]
    invoice = extract(LETTERHEAD + lines).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("442170.48"), Decimal("35373.64"))
    assert invoice.total == Decimal("477544.12")


def test_position_numbers_are_no_cost_codes_and_units_beside_um_is_the_quantity() -> None:
    table: list[Line] = [
        (40, 200, "Pos.", 9.0, True),
        (90, 200, "Description", 9.0, True),
        (300, 200, "Units", 9.0, True),
        (340, 200, "UM", 9.0, True),
        (400, 200, "Unit Cost", 9.0, True),
        (505, 200, "Amount", 9.0, True),
        (40, 218, "01.0010"),
        (90, 218, "Joint compound, all purpose"),
        (325, 218, "134", 9.0, False, "right"),
        (340, 218, "EA"),
        (440, 218, "21.86", 9.0, False, "right"),
        (540, 218, "2,929.24", 9.0, False, "right"),
        (40, 234, "02.0010"),
        (90, 234, "Dumpster 30 yd haul and swap"),
        (325, 234, "3", 9.0, False, "right"),
        (340, 234, "EA"),
        (440, 234, "660.17", 9.0, False, "right"),
        (540, 234, "1,980.51", 9.0, False, "right"),
    ]
    items = extract(LETTERHEAD + table).invoice.line_items
    assert [(i.quantity, i.unit, i.cost_code) for i in items] == [
        (Decimal(134), "EA", None),
        (Decimal(3), "EA", None),
    ]


def test_a_currency_sign_at_the_left_of_a_price_cell_is_no_part_of_the_unit() -> None:
    table: list[Line] = [
        (40, 200, "Description", 9.0, True),
        (300, 200, "Qty", 9.0, True),
        (340, 200, "Unit", 9.0, True),
        (380, 200, "Unit Cost", 9.0, True),
        (505, 200, "Line Total", 9.0, True),
        (40, 218, "Temporary fence panels, monthly"),
        (325, 218, "1,905", 9.0, False, "right"),
        (340, 218, "LF"),
        (362, 218, "$"),
        (440, 218, "2.428", 9.0, False, "right"),
        (452, 218, "$"),
        (560, 218, "4,625.34", 9.0, False, "right"),
    ]
    (item,) = extract(LETTERHEAD + table).invoice.line_items
    assert (item.unit, item.unit_price, item.amount) == ("LF", Decimal("2.428"), Decimal("4625.34"))
