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


def test_a_title_that_ends_in_invoice_is_not_the_vendor() -> None:
    letterhead: list[Line] = [
        (50, 50, "Anchor Lumber & Supply Inc.", 11.0, True),
        (40, 66, "4642 Depot St"),
        (560, 46, "EQUIPMENT RENTAL INVOICE", 14.0, True, "right"),
        (340, 120, "Invoice No.: RC-9575-92"),
    ]
    assert extract(letterhead).invoice.vendor.name == "Anchor Lumber & Supply Inc."


def test_a_letters_unlabelled_date_line_is_the_date_of_issue() -> None:
    letter: list[Line] = [
        *LETTERHEAD,
        (60, 117, "November 16, 2025", 10.0),
        (60, 139, "Halvorsen General Contractors", 10.0),
        (360, 117, "INVOICE NO. 2026/0693", 10.0, True),
        (367, 163, "Payment Due", 10.0, True),
        (432, 163, "December 31, 2025", 10.0),
    ]
    invoice = extract(letter).invoice
    assert invoice.invoice_date == date(2025, 11, 16)
    assert invoice.due_date == date(2025, 12, 31)
    # A date with a label beside it is never taken for the date line.
    only_due = [line for line in letter if line[2] != "November 16, 2025"]
    assert extract(only_due).invoice.invoice_date is None


def test_a_bare_reference_carries_the_customers_order_number() -> None:
    cells: list[Line] = [
        *LETTERHEAD,
        (326, 167, "INVOICE NUMBER", 6.5, True),
        (326, 176, "INV-73892"),
        (326, 196, "REFERENCE", 6.5, True),
        (326, 206, "PO-2289"),
    ]
    invoice = extract(cells).invoice
    assert (invoice.invoice_number, invoice.po_number) == ("INV-73892", "PO-2289")


def test_total_gst_is_the_tax_and_rechnungsbetrag_is_the_total() -> None:
    assert find_labels("TOTAL GST 10%")[0].label.field is Field.TAX
    assert find_labels("Rechnungsbetrag")[0].label.field is Field.TOTAL
    totals: list[Line] = [
        (426, 397, "Subtotal"),
        (560, 397, "2,101.00", 9.0, False, "right"),
        (390, 412, "TOTAL GST 10%"),
        (560, 412, "210.10", 9.0, False, "right"),
        (408, 426, "TOTAL AUD", 9.0, True),
        (560, 426, "2,311.10", 9.0, True, "right"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *totals]).invoice
    assert (invoice.tax_total, invoice.total) == (Decimal("210.10"), Decimal("2311.10"))


def test_a_merchandise_total_beside_a_note_ends_the_item_table() -> None:
    totals: list[Line] = [
        (36, 390, "Returns are subject to a 20% restocking fee.", 7.5),
        (380, 390, "Merchandise", 8.0, True),
        (560, 390, "$2,101.00", 8.5, False, "right"),
        (380, 406, "Freight", 8.0, True),
        (560, 406, "$0.00", 8.5, False, "right"),
        (380, 422, "Invoice Total (USD)", 8.0, True),
        (560, 422, "$2,101.00", 8.5, False, "right"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *totals]).invoice
    assert invoice.subtotal == Decimal("2101.00")
    assert invoice.total == Decimal("2101.00")
    assert len(invoice.line_items) == 3


def test_the_base_a_tax_rate_applies_to_is_not_the_tax() -> None:
    totals: list[Line] = [
        (400, 400, "Subtotal"),
        (560, 400, "2,101.00", 9.0, False, "right"),
        (400, 414, "HST 13% on 2,101.00"),
        (560, 414, "273.13", 9.0, False, "right"),
        (400, 428, "Total"),
        (560, 428, "2,374.13", 9.0, False, "right"),
        (400, 442, "Less: Deposit received"),
        (560, 442, "(500.00)", 9.0, False, "right"),
        (400, 460, "BALANCE DUE", 12.0, True),
        (560, 460, "1,874.13", 12.0, True, "right"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *totals]).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("2101.00"), Decimal("273.13"))
    assert (invoice.total, invoice.amount_due) == (Decimal("2374.13"), Decimal("1874.13"))


def test_german_netto_ust_auf_and_brutto() -> None:
    table: list[Line] = [
        (40, 300, "Beschreibung", 9.0, True),
        (360, 300, "Menge", 9.0, True),
        (420, 300, "Einzelpreis", 9.0, True),
        (520, 300, "Betrag", 9.0, True),
        (40, 320, "Trockenbau"),
        (360, 320, "8"),
        (420, 320, "62,75"),
        (520, 320, "502,00"),
        (40, 336, "Gipskarton"),
        (360, 336, "100"),
        (420, 336, "15,99"),
        (520, 336, "1.599,00"),
    ]
    totals: list[Line] = [
        (400, 400, "Netto"),
        (560, 400, "2.101,00", 9.0, False, "right"),
        (400, 414, "19 % USt. auf 2.101,00"),
        (560, 414, "399,19", 9.0, False, "right"),
        (400, 428, "Gesamt", 9.0, True),
        (560, 428, "2.500,19 EUR", 9.0, True, "right"),
    ]
    header: list[Line] = [
        *LETTERHEAD,
        (300, 160, "Rechnungsnummer: R-2291"),
        (300, 174, "Rechnungsdatum: 15.03.2026"),
    ]
    invoice = extract([*header, *table, *totals]).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("2101.00"), Decimal("399.19"))
    assert invoice.total == Decimal("2500.19")
    assert invoice.invoice_date == date(2026, 3, 15)


def test_a_wordmark_gives_way_to_the_legal_name_printed_under_it() -> None:
    letterhead: list[Line] = [
        (40, 50, "K E Y S T O N E", 20.0, True),
        (40, 64, "Keystone Electric Inc.  ·  1200 Industrial Pkwy  ·  Dayton, OH 45402", 7.0),
        (340, 120, "Invoice #: 4471"),
    ]
    assert extract(letterhead).invoice.vendor.name == "Keystone Electric Inc."
    plain: list[Line] = [(40, 50, "KEYSTONE", 24.0, True), (340, 120, "Invoice #: 4471")]
    assert extract(plain).invoice.vendor.name == "KEYSTONE"  # no legal name printed: the mark


def test_label_wordings_of_other_billing_systems() -> None:
    def fields(text: str) -> list[Field]:
        return [hit.label.field for hit in find_labels(text)]

    assert fields("Tax Date") == [Field.INVOICE_DATE]
    assert fields("Total Amount Payable") == [Field.AMOUNT_DUE]
    assert fields("Sold By") == [Field.VENDOR]
    # A balance carried from an earlier statement is not what this invoice asks for.
    assert fields("Previous Balance") == [Field.DISTRACTOR]
    assert fields("Balance Forward") == [Field.DISTRACTOR]


def test_a_slogan_or_a_division_over_the_legal_name_is_not_the_vendor() -> None:
    def vendor(top: str) -> str | None:
        letterhead: list[Line] = [
            (41, 41, top, 22.0, True),
            (41, 80, "Keystone Plumbing & Heating Ltd", 11.5, True),
            (41, 96, "7079 Mill Lane", 9.0),
            (340, 120, "Invoice No.: 4471"),
        ]
        return extract(letterhead).invoice.vendor.name

    assert vendor("Built right. Delivered on time.") == "Keystone Plumbing & Heating Ltd"
    assert vendor("Keystone Commercial Division") == "Keystone Plumbing & Heating Ltd"


def test_the_payee_in_a_remit_block_and_in_the_footer_names_a_wordmarks_vendor() -> None:
    page: list[Line] = [
        (40, 50, "B L U E W A T E R", 21.0, True),
        (340, 120, "Invoice No.: 2026/0870"),
        (36, 658, "REMIT TO", 11.0, True),
        (36, 675, "Make payable to: Bluewater Electric Inc.", 8.5),
        (36, 697, "Bluewater Electric Inc.", 8.5),
        (36, 708, "PO Box 2067", 8.5),
    ]
    assert extract(page).invoice.vendor.name == "Bluewater Electric Inc."


def test_work_this_period_is_the_subtotal_and_a_holdback_is_retainage() -> None:
    totals: list[Line] = [
        (33, 390, "Holdback is released on substantial performance.", 8.0),
        (326, 390, "Work completed this period"),
        (560, 390, "$2,101.00", 9.0, False, "right"),
        (326, 406, "GST 10% on A$2,101.00"),
        (560, 406, "$210.10", 9.0, False, "right"),
        (326, 422, "Total this invoice"),
        (560, 422, "$2,311.10", 9.0, False, "right"),
        (326, 438, "Less: Holdback 10%"),
        (560, 438, "($231.11)", 9.0, False, "right"),
        (326, 456, "BALANCE DUE", 13.0, True),
        (560, 456, "$2,079.99", 13.0, True, "right"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *totals]).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("2101.00"), Decimal("210.10"))
    assert (invoice.total, invoice.retainage) == (Decimal("2311.10"), Decimal("231.11"))
    assert invoice.amount_due == Decimal("2079.99")
    assert len(invoice.line_items) == 3


def test_a_column_of_bold_keys_each_with_its_value_to_the_right() -> None:
    keys: list[Line] = [
        *LETTERHEAD,
        (405, 109, "Invoice #", 8.5, True),
        (560, 109, "RC-4761-02", 8.5, False, "right"),
        (405, 121, "Date", 8.5, True),
        (560, 121, "04/30/2026", 8.5, False, "right"),
        (405, 134, "Due", 8.5, True),
        (560, 134, "05/15/2026", 8.5, False, "right"),
        (405, 146, "Subcontract / PO", 8.5, True),
        (560, 146, "P8950-03", 8.5, False, "right"),
    ]
    invoice = extract(keys).invoice
    assert invoice.due_date == date(2026, 5, 15)
    assert invoice.po_number == "P8950-03"


def test_total_work_this_period_is_the_subtotal() -> None:
    assert find_labels("Total Work This Period")[0].label.field is Field.SUBTOTAL


def test_dates_with_a_weekday_and_spanish_due_and_tax_labels() -> None:
    fields: list[Line] = [
        *LETTERHEAD,
        (300, 160, "Invoice number: INV-2291"),
        (300, 174, "Date of issue: Thursday, December 18, 2025"),
        (300, 188, "Vence: Friday, 16 January 2026"),
    ]
    invoice = extract(fields).invoice
    assert (invoice.invoice_date, invoice.due_date) == (date(2025, 12, 18), date(2026, 1, 16))
    assert find_labels("Impuesto")[0].label.field is Field.TAX


def test_a_from_and_remit_to_block_names_the_vendor_and_a_subcontract_no_the_po() -> None:
    page: list[Line] = [
        (453, 39, "TAX INVOICE", 16.0, True),
        (73, 82, "Invoice No", 7.5, True),
        (78, 98, "069761"),
        (172, 82, "Subcontract No.", 7.5, True),
        (174, 98, "J1398-PO-007"),
        (394, 126, "From / Remit To", 8.0, True),
        (394, 141, "Prairie Electric Inc.", 8.0),
        (394, 152, "4370 Gympie Rd", 8.0),
    ]
    invoice = extract(page).invoice
    assert invoice.vendor.name == "Prairie Electric Inc."
    assert invoice.po_number == "J1398-PO-007"


def test_a_band_of_boxed_totals_labels_at_top_left_amounts_at_right() -> None:
    band: list[Line] = [
        (50, 594, "Net", 8.0, True),
        (200, 608, "2,101.00 USD", 11.0, False, "right"),
        (219, 594, "VAT 19%", 8.0, True),
        (370, 608, "399.19 USD", 11.0, False, "right"),
        (388, 594, "Gross (USD)", 8.0, True),
        (560, 609, "2,500.19 USD", 11.0, True, "right"),
    ]
    invoice = extract([*LETTERHEAD, (340, 120, "Invoice #: 4471"), *TABLE, *band]).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("2101.00"), Decimal("399.19"))
    assert invoice.total == Decimal("2500.19")
