"""Invoice header extraction from born-digital pages: labels, geometry, grammars, and the
arithmetic that chooses among candidates. Each test prints a tiny PDF and reads it back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from extractors.invoice import extract_invoice
from extractors.invoice.labels import Field, find_labels
from tests.unit.printed import Line, extract, read_page

US_INVOICE: list[Line] = [
    (40, 60, "Summit Drywall LLC", 16, True),
    (400, 60, "INVOICE", 22, True),
    (40, 80, "1200 Industrial Pkwy"),
    (40, 92, "Dayton, OH 45402"),
    (40, 104, "Tel 937-555-0142  Fax 937-555-0199"),
    (40, 116, "Tax ID 12-3456789"),
    (340, 80, "Invoice #:", 9, True),
    (420, 80, "INV-10293"),
    (340, 92, "Date:", 9, True),
    (420, 92, "03/14/2026"),
    (340, 104, "Due Date:", 9, True),
    (420, 104, "04/13/2026"),
    (340, 116, "PO #:", 9, True),
    (420, 116, "PO-4471"),
    (340, 128, "Terms:", 9, True),
    (420, 128, "Net 30"),
    (340, 140, "Customer No.: C-99812"),
    (340, 152, "Job:", 9, True),
    (420, 152, "24-017 Riverside MOB"),
    (40, 190, "Bill To", 9, True),
    (40, 202, "Apex Builders Inc"),
    (40, 214, "Attn: Dana Whitfield"),
    (40, 226, "500 Main St"),
    (40, 238, "Dayton, OH 45402"),
    (40, 280, "Description", 9, True),
    (360, 280, "Qty", 9, True),
    (420, 280, "Unit Price", 9, True),
    (520, 280, "Amount", 9, True),
    (40, 300, "Drywall finisher labor"),
    (360, 300, "8"),
    (420, 300, "62.75"),
    (520, 300, "502.00"),
    (40, 316, "5/8 Type X Gypsum Board"),
    (360, 316, "100"),
    (420, 316, "15.79"),
    (520, 316, "1,579.00"),
    (400, 360, "Subtotal"),
    (500, 360, "$2,081.00"),
    (400, 374, "Sales Tax 8%"),
    (500, 374, "$166.48"),
    (400, 388, "Total", 9, True),
    (500, 388, "$2,247.48", 9, True),
]


def test_labelled_values_right_of_their_labels() -> None:
    invoice = extract(US_INVOICE).invoice
    assert invoice.invoice_number == "INV-10293"
    assert invoice.invoice_date == date(2026, 3, 14)
    assert invoice.due_date == date(2026, 4, 13)
    assert invoice.po_number == "PO-4471"
    assert invoice.payment_terms == "Net 30"
    assert invoice.currency == "USD"


def test_totals_and_the_single_printed_total_is_also_the_amount_due() -> None:
    invoice = extract(US_INVOICE).invoice
    assert invoice.subtotal == Decimal("2081.00")
    assert invoice.tax_total == Decimal("166.48")
    assert invoice.total == Decimal("2247.48")
    assert invoice.amount_due == Decimal("2247.48")
    assert invoice.retainage is None


def test_parties_vendor_from_the_letterhead_bill_to_without_attn() -> None:
    invoice = extract(US_INVOICE).invoice
    assert invoice.vendor.name == "Summit Drywall LLC"
    assert invoice.vendor.phone == "937-555-0142"
    assert invoice.vendor.tax_id == "12-3456789"
    assert invoice.bill_to.name == "Apex Builders Inc"
    assert invoice.bill_to.address == "500 Main St\nDayton, OH 45402"


def test_project_number_and_name_are_kept_apart() -> None:
    project = extract(US_INVOICE).invoice.project
    assert (project.number, project.name) == ("24-017", "Riverside MOB")


def test_confidences_are_dotted_paths_in_the_unit_interval() -> None:
    confidence = extract(US_INVOICE).field_confidence
    assert {"invoice_number", "vendor.name", "total", "invoice_date"} <= set(confidence)
    assert all(0.0 <= value <= 1.0 for value in confidence.values())


def test_values_below_their_labels_in_a_header_grid() -> None:
    invoice = extract(
        [
            (40, 60, "INVOICE", 22, True),
            (40, 100, "INVOICE NUMBER", 6),
            (170, 100, "INVOICE DATE", 6),
            (300, 100, "PAYMENT DUE", 6),
            (40, 110, "237103", 9, True),
            (170, 110, "July 11, 2025", 9, True),
            (300, 110, "August 25, 2025", 9, True),
            (40, 130, "P.O. NUMBER", 6),
            (170, 130, "ACCOUNT #", 6),
            (40, 140, "P9698-05", 9, True),
            (170, 140, "C1241", 9, True),
            (400, 300, "Total Due", 9, True),
            (500, 300, "$9,110.29", 9, True),
        ]
    ).invoice
    assert invoice.invoice_number == "237103"
    assert invoice.invoice_date == date(2025, 7, 11)
    assert invoice.due_date == date(2025, 8, 25)
    assert invoice.po_number == "P9698-05"
    assert invoice.total == invoice.amount_due == Decimal("9110.29")
    assert invoice.subtotal is None


def test_retainage_is_positive_and_amount_due_follows_it() -> None:
    invoice = extract(
        [
            (40, 60, "Northstar Steel Inc.", 14, True),
            (340, 80, "Invoice Number: 746082"),
            (400, 300, "Subtotal"),
            (500, 300, "$10,000.00"),
            (400, 314, "Total This Invoice"),
            (500, 314, "$10,000.00"),
            (400, 328, "Less Retainage 10%"),
            (500, 328, "($1,000.00)"),
            (400, 342, "Amount Due This Period", 9, True),
            (500, 342, "$9,000.00", 9, True),
        ]
    ).invoice
    assert invoice.invoice_number == "746082"
    assert invoice.retainage == Decimal("1000.00")
    assert invoice.total == Decimal("10000.00")
    assert invoice.amount_due == Decimal("9000.00")


def test_german_labels_and_decimal_commas() -> None:
    invoice = extract(
        [
            (40, 60, "Bau Muster GmbH", 14, True),
            (40, 80, "Lindenallee 12, 10557 Berlin"),
            (330, 80, "Rechnungsnummer:"),
            (430, 80, "SI-008644"),
            (330, 92, "Rechnungsdatum:"),
            (430, 92, "05.04.2026"),
            (330, 104, "Fällig am:"),
            (430, 104, "19.04.2026"),
            (330, 116, "Bestellnummer:"),
            (430, 116, "5945"),
            (330, 128, "Kundennummer:"),
            (430, 128, "C1298"),
            (360, 300, "Nettobetrag"),
            (480, 300, "5.969,56 EUR"),
            (360, 314, "MwSt. 19%"),
            (480, 314, "1.134,22 EUR"),
            (360, 328, "Gesamtbetrag", 9, True),
            (480, 328, "7.103,78 EUR", 9, True),
        ]
    ).invoice
    assert invoice.invoice_number == "SI-008644"
    assert invoice.invoice_date == date(2026, 4, 5)
    assert invoice.due_date == date(2026, 4, 19)
    assert invoice.po_number == "5945"
    assert invoice.currency == "EUR"
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("5969.56"), Decimal("1134.22"))
    assert invoice.total == Decimal("7103.78")
    assert invoice.vendor.name == "Bau Muster GmbH"


def test_the_arithmetic_chooses_among_several_totals() -> None:
    invoice = extract(
        [
            (40, 60, "Acme Lumber Co.", 14, True),
            (340, 80, "Invoice No. 5521"),
            (40, 200, "Total", 9, True),
            (40, 212, "100.00"),
            (40, 224, "250.00"),
            (40, 236, "350.00", 9, True),
            (400, 300, "Sub-total"),
            (500, 300, "350.00"),
            (400, 314, "VAT 20%"),
            (500, 314, "70.00"),
            (400, 328, "Invoice Total", 9, True),
            (500, 328, "420.00", 9, True),
        ]
    ).invoice
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("350.00"), Decimal("70.00"))
    assert invoice.total == Decimal("420.00")


def test_distractor_numbers_are_not_invoice_or_po_numbers() -> None:
    invoice = extract(
        [
            (40, 60, "Redline Rebar Ltd", 14, True),
            (40, 80, "Account No. 8571-5487-65"),
            (40, 92, "Quote No. Q-94702"),
            (40, 104, "Contractor Lic. ROC 524412"),
            (40, 116, "Phone (555) 123-4567"),
            (340, 80, "Inv No.:"),
            (420, 80, "A-2026-3715"),
        ]
    ).invoice
    assert invoice.invoice_number == "A-2026-3715"
    assert invoice.po_number is None


def test_label_vocabulary_in_five_languages() -> None:
    expected = {
        "Invoice #": Field.INVOICE_NUMBER,
        "Bill Number": Field.INVOICE_NUMBER,
        "Rechnung Nr.": Field.INVOICE_NUMBER,
        "N° de facture": Field.INVOICE_NUMBER,
        "Factura nº": Field.INVOICE_NUMBER,
        "Factuurnummer": Field.INVOICE_NUMBER,
        "Date d'échéance": Field.DUE_DATE,
        "Balance Due": Field.AMOUNT_DUE,
        "Rechnungsempfänger": Field.BILL_TO,
        "Facturé à": Field.BILL_TO,
        "Remit To": Field.REMIT_TO,
        "Customer No.": Field.DISTRACTOR,
    }
    for text, wanted in expected.items():
        assert find_labels(text)[0].label.field is wanted, text


def test_label_wording_whose_first_words_name_another_field() -> None:
    # The whole label decides: "Net Amount Due" is no net amount, "Net Due Date" no subtotal.
    expected = {
        "Net Amount Due": Field.AMOUNT_DUE,
        "Net Due Date": Field.DUE_DATE,
        "Amount Owing": Field.AMOUNT_DUE,
        "Total Inc. VAT": Field.TOTAL,
        "P/O No.": Field.PO_NUMBER,
        "Remit By": Field.DUE_DATE,
        "Folio": Field.INVOICE_NUMBER,
        "Bill Ref.": Field.INVOICE_NUMBER,
        "PO Box": Field.DISTRACTOR,
    }
    for text, wanted in expected.items():
        hits = find_labels(text)
        assert [(hit.label.field, hit.end) for hit in hits] == [(wanted, len(text))], text


def test_labels_read_without_their_accents_still_name_their_field() -> None:
    # Tesseract with an English model reads "Fällig am" as "Fallig am".
    expected = {
        "Fallig am": Field.DUE_DATE,
        "Rechnungsempfanger": Field.BILL_TO,
        "Numero de facture": Field.INVOICE_NUMBER,
        "Wahrung": Field.CURRENCY,
    }
    for text, wanted in expected.items():
        assert find_labels(text)[0].label.field is wanted, text


def test_french_invoice_with_space_grouped_amounts() -> None:
    invoice = extract(
        [
            (40, 60, "Menuiserie Dupont SARL", 14, True),
            (40, 80, "12 rue des Lilas, 69001 Lyon"),
            (330, 80, "Facture N° F-2026-001"),
            (330, 92, "Date : 14/03/2026"),
            (330, 104, "Échéance : 13/04/2026"),
            (330, 116, "Bon de commande : BC-7781"),
            (360, 300, "Total HT"),
            (480, 300, "1 000,00 EUR"),
            (360, 314, "TVA 20 %"),
            (480, 314, "200,00 EUR"),
            (360, 328, "Total TTC", 9, True),
            (480, 328, "1 200,00 EUR", 9, True),
        ]
    ).invoice
    assert invoice.invoice_number == "F-2026-001"
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 3, 14), date(2026, 4, 13))
    assert invoice.po_number == "BC-7781"
    assert invoice.currency == "EUR"
    assert (invoice.subtotal, invoice.tax_total) == (Decimal("1000.00"), Decimal("200.00"))
    assert invoice.total == Decimal("1200.00")


def test_spanish_and_dutch_labels() -> None:
    spanish = extract(
        [
            (40, 60, "Construcciones Ruiz S.L.", 14, True),
            (330, 80, "Factura nº 2026-0042"),
            (330, 92, "Fecha: 14/03/2026"),
            (330, 104, "Vencimiento: 13/04/2026"),
            (360, 300, "Base imponible"),
            (480, 300, "1.000,00 EUR"),
            (360, 314, "IVA 21%"),
            (480, 314, "210,00 EUR"),
            (360, 328, "Total", 9, True),
            (480, 328, "1.210,00 EUR", 9, True),
        ]
    ).invoice
    assert spanish.invoice_number == "2026-0042"
    assert spanish.due_date == date(2026, 4, 13)
    assert spanish.total == Decimal("1210.00")
    dutch = extract(
        [
            (40, 60, "Bouwbedrijf Jansen B.V.", 14, True),
            (330, 80, "Factuurnummer: 2026-17"),
            (330, 92, "Factuurdatum: 14-03-2026"),
            (330, 104, "Vervaldatum: 13-04-2026"),
            (360, 300, "Subtotaal"),
            (480, 300, "EUR 1.000,00"),
            (360, 314, "BTW 21%"),
            (480, 314, "EUR 210,00"),
            (360, 328, "Totaal", 9, True),
            (480, 328, "EUR 1.210,00", 9, True),
        ]
    ).invoice
    assert dutch.invoice_number == "2026-17"
    assert (dutch.invoice_date, dutch.due_date) == (date(2026, 3, 14), date(2026, 4, 13))
    assert (dutch.subtotal, dutch.tax_total) == (Decimal("1000.00"), Decimal("210.00"))
    assert dutch.total == Decimal("1210.00")


def test_a_big_title_number_and_a_bare_total_due() -> None:
    invoice = extract(
        [
            (40, 60, "Keystone Electric Inc.", 14, True),
            (40, 76, "88 Harbor Blvd, Tacoma, WA 98402"),
            (360, 60, "INVOICE # 10045", 18, True),
            (360, 84, "DATE 3/14/2026"),
            (360, 96, "Your PO: 4500012345"),
            (400, 300, "TOTAL DUE", 9, True),
            (500, 300, "$1,234.00", 9, True),
        ]
    ).invoice
    assert invoice.invoice_number == "10045"
    assert invoice.invoice_date == date(2026, 3, 14)
    assert invoice.po_number == "4500012345"
    assert invoice.total == invoice.amount_due == Decimal("1234.00")
    assert invoice.vendor.name == "Keystone Electric Inc."


def test_monogram_logo_and_number_word_in_the_value_cell() -> None:
    invoice = extract(
        [
            (40, 60, "NR Northgate Ready Mix Co.", 16, True),
            (40, 80, "1506 Marine Dr, Mississauga, ON L5T 2H7"),
            (340, 100, "Bill Number", 9, True),
            (420, 100, "No. 4471"),
            (340, 112, "Date", 9, True),
            (420, 112, "2026-01-15"),
            (400, 300, "Subtotal"),
            (500, 300, "$100.00"),
            (400, 314, "GST/HST 13%"),
            (500, 314, "$13.00"),
            (400, 328, "Balance Due", 9, True),
            (500, 328, "$113.00", 9, True),
        ]
    ).invoice
    assert invoice.vendor.name == "Northgate Ready Mix Co."
    assert invoice.invoice_number == "4471"
    assert invoice.currency == "CAD"
    assert (invoice.total, invoice.amount_due) == (Decimal("113.00"), Decimal("113.00"))


def test_a_remit_to_box_is_not_the_vendor_address() -> None:
    invoice = extract(
        [
            (40, 60, "Granite Peak Supply Co.", 16, True),
            (40, 78, "77 Quarry Rd"),
            (40, 90, "Boise, ID 83702"),
            (340, 80, "Invoice No.: SI-004917"),
            (40, 190, "Bill To", 9, True),
            (40, 202, "Ridgeway Civil Pty Ltd"),
            (40, 214, "9101 Harbor Blvd"),
            (380, 190, "Remit To", 9, True),
            (380, 202, "Granite Peak Supply Co."),
            (380, 214, "PO Box 5783"),
            (380, 226, "Omaha, NE 68102"),
        ]
    ).invoice
    assert invoice.vendor.name == "Granite Peak Supply Co."
    assert invoice.vendor.address == "77 Quarry Rd\nBoise, ID 83702"
    assert invoice.bill_to.name == "Ridgeway Civil Pty Ltd"


def test_ocr_read_numbers_tell_o_from_zero_by_the_rest_of_their_part() -> None:
    lines: list[Line] = [
        (40, 60, "Summit Drywall LLC", 16, True),
        (340, 80, "Invoice #:", 9, True),
        (420, 80, "$I-1O293"),
        (340, 92, "PO #:", 9, True),
        (420, 92, "2048-117-P0-067"),
        (340, 104, "Date:", 9, True),
        (420, 104, "03/14/2026"),
    ]
    printed = read_page(lines)
    scanned = replace(printed, words=tuple(replace(w, confidence=0.9) for w in printed.words))
    read = extract_invoice([scanned]).invoice
    assert (read.invoice_number, read.po_number) == ("SI-10293", "2048-117-PO-067")
    # A text layer says what is printed: its letters are taken as they are.
    as_printed = extract_invoice([printed]).invoice
    assert (as_printed.invoice_number, as_printed.po_number) == ("$I-1O293", "2048-117-P0-067")
