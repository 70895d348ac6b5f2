"""Receipt rules: a till receipt's shop name, day-first date and the total actually paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractors.invoice.receipts import is_receipt, is_till_receipt, read_receipt
from extractors.page import Box, Page, TextSource, Word


def _receipt(lines: list[tuple[str, float]], width: float = 220, height: float = 600) -> Page:
    words: list[Word] = []
    y = 20.0
    for text, size in lines:
        x = 10.0
        for token in text.split():
            w = 0.55 * size * len(token)
            words.append(Word(token, Box(x, y, x + w, y + size * 1.2), size, size > 10, 0.9))
            x += w + 0.4 * size
        y += size * 1.5
    return Page(1, width, height, tuple(words), TextSource.OCR)


RECEIPT = [
    ("KEDAI RUNCIT MAJU SDN BHD", 14.0),
    ("(123456-X)", 8.0),
    ("NO 12, JALAN BESAR 43000 KAJANG", 8.0),
    ("TEL 03-8888 1234", 8.0),
    ("TAX INVOICE", 9.0),
    ("DATE: 19/10/2018 12:31 CASHIER: 02", 8.0),
    ("MILO 1KG 1 18.90", 8.0),
    ("SUGAR 2KG 2 5.40", 8.0),
    ("SUB TOTAL 29.70", 8.0),
    ("GST 6% 1.78", 8.0),
    ("TOTAL (RM) 31.48", 8.0),
    ("ROUNDING ADJ 0.02", 8.0),
    ("ROUNDED TOTAL 31.50", 8.0),
    ("CASH 50.00", 8.0),
    ("CHANGE 18.50", 8.0),
    ("THANK YOU PLEASE COME AGAIN", 8.0),
]


def test_a_till_receipt_is_recognised_and_an_invoice_is_not() -> None:
    assert is_receipt([_receipt(RECEIPT)])
    invoice = [("ACME Drywall Supply", 14.0), ("Invoice Number INV-10293", 9.0),
               ("Invoice Date 2026-03-14", 9.0), ("Total 583.20", 9.0)]  # fmt: skip
    assert not is_receipt([_receipt(invoice, 612, 792)])


def test_the_rounded_total_wins_over_total_cash_and_change() -> None:
    found = read_receipt([_receipt(RECEIPT)])
    assert found.total == Decimal("31.50")


def test_dates_are_read_day_first() -> None:
    assert read_receipt([_receipt(RECEIPT)]).date == date(2018, 10, 19)


def test_the_shop_name_is_the_big_line_on_top() -> None:
    assert read_receipt([_receipt(RECEIPT)]).vendor_name == "KEDAI RUNCIT MAJU SDN BHD"


def test_a_plain_total_is_taken_when_nothing_stronger_is_printed() -> None:
    lines = [("BOOK SHOP", 12.0), ("01-02-2019", 8.0), ("TOTAL 12.00", 8.0), ("CASH 20.00", 8.0),
             ("CHANGE 8.00", 8.0)]  # fmt: skip
    found = read_receipt([_receipt(lines)])
    assert (found.total, found.date) == (Decimal("12.00"), date(2019, 2, 1))


def test_the_registration_number_is_cut_from_the_shop_name() -> None:
    lines = [("SYARIKAT PERNIAGAAN MAJU (81109-A)", 10.0), ("NO 290, JALAN AIR PANAS", 8.0),
             ("TOTAL 12.00", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).vendor_name == "SYARIKAT PERNIAGAAN MAJU"


def test_a_company_form_misread_by_ocr_is_spelled_right_and_joined_from_the_next_line() -> None:
    misread = [("HERO DISTRIBUTION SON BHD", 9.0), ("(123456-X)", 8.0), ("TOTAL 1.00", 8.0)]
    assert read_receipt([_receipt(misread)]).vendor_name == "HERO DISTRIBUTION SDN BHD"
    split = [("KEDAI MAJU INTERNATIONAL", 9.0), ("SDN BHD", 9.0), ("(123456-X)", 8.0),
             ("TOTAL 1.00", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(split)]).vendor_name == "KEDAI MAJU INTERNATIONAL SDN BHD"


def test_a_name_written_on_the_slip_and_an_address_are_not_the_shop() -> None:
    lines = [("tan woon yann", 16.0), ("INDAH GIFT & HOME DECO", 8.0), ("27, JALAN DEDAP 13,", 8.0),
             ("TAMAN JOHOR JAYA,", 8.0), ("TOTAL 60.30", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).vendor_name == "INDAH GIFT & HOME DECO"


def test_a_tax_summary_total_is_not_the_total() -> None:
    lines = [("SHOP ENTERPRISE", 10.0), ("Total Sales Incl GST 5.90", 8.0), ("CASH 10.90", 8.0),
             ("CHANGE 5.00", 8.0), ("GST Summary Amount Tax", 8.0),
             ("Total 5.57 0.33", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("5.90")


def test_a_rounding_adjustment_under_the_total_gives_the_amount_paid() -> None:
    lines = [("SHOP ENTERPRISE", 10.0), ("Total (Inclusive of GST): 31.02", 8.0),
             ("Rounding Adj: -0.02", 8.0), ("Server: Counter", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("31.00")
    unsigned = [("SHOP ENTERPRISE", 10.0), ("SUB TOTAL 64.00", 8.0), ("NET TOTAL 67.84", 8.0),
                ("ROUNDING ADJ 0.01", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(unsigned)]).total == Decimal("67.85")


def test_an_unlabelled_amount_under_the_rounding_line_is_the_rounded_total() -> None:
    lines = [("GIFT SHOP", 10.0), ("TOTAL AMT RM 60.31", 8.0), ("ROUNDING ADJ -0.01", 8.0),
             ("RM 60.30", 8.0), ("CASH RM 70.30", 8.0), ("CHANGE RM 10.00", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("60.30")


def test_a_label_alone_takes_the_amount_below_but_not_a_cash_line() -> None:
    lines = [("SHOP ENTERPRISE", 10.0), ("Amount To Be Paid :", 8.0), ("25.45", 8.0),
             ("Cash Received : 30.00", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("25.45")
    lines = [("SHOP ENTERPRISE", 10.0), ("NET TOTAL :", 8.0), ("Cash 100.00", 8.0),
             ("CHANGE 32.15", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("67.85")  # cash less change


def test_ocr_slips_in_total_labels_and_amounts_are_read_through() -> None:
    lines = [
        ("SHOP ENTERPRISE", 10.0),
        ("Nett Totai: RM8.20", 8.0),
        ("otal After Rounding 100. 60", 8.0),
    ]
    assert read_receipt([_receipt(lines)]).total == Decimal("100.60")
    assert read_receipt([_receipt(lines[:2])]).total == Decimal("8.20")


def test_a_labelled_date_beats_an_earlier_one_and_a_misread_year_is_repaired() -> None:
    lines = [("SHOP ENTERPRISE", 10.0), ("VALID UNTIL 01/01/2019", 8.0),
             ("Date: 02/12/2017 08:44", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).date == date(2017, 12, 2)
    misread = [("SHOP ENTERPRISE", 10.0), ("09/03/2518 18:54 1008", 8.0)]
    assert read_receipt([_receipt(misread)]).date == date(2018, 3, 9)


def test_a_full_page_receipt_with_a_payment_at_the_till_is_surely_a_receipt() -> None:
    page = _receipt(RECEIPT, 595, 842)
    assert is_till_receipt([page])
    invoice = [("ACME Drywall Supply", 14.0), ("TAX INVOICE", 9.0), ("Invoice Number 1029", 9.0),
               ("Qty Description Amount", 9.0), ("Thank you for your business", 9.0),
               ("Total 583.20", 9.0)]  # fmt: skip
    assert not is_till_receipt([_receipt(invoice, 595, 842)])


def test_exact_cash_without_a_change_line_confirms_the_rounded_total() -> None:
    # OCR made "31.00" of the unlabelled line under the rounding into "£1.00"; the cash handed
    # over, with no change printed, agrees with the labelled total after its rounding.
    lines = [("KEDAI MAKAN SDN BHD", 12.0), ("09/04/2018", 8.0),
             ("Total (Excluding GST): 29.26", 8.0), ("GST Payable: 1.76", 8.0),
             ("Total (Inclusive of GST): 31.02", 8.0), ("Rounding Adj: -0.02", 8.0),
             ("£1.00", 8.0), ("CASH : 31.00", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("31.00")


def test_cash_tendered_without_change_is_not_taken_for_the_total() -> None:
    lines = [("RESTORAN MAJU", 12.0), ("22/01/2017", 8.0), ("NASI LEMAK 1 4.50", 8.0),
             ("SUB TOTAL 64.00", 8.0), ("GST 6% 3.84", 8.0), ("TOTAL 67.85", 8.0),
             ("Cash 100.00", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("67.85")


def test_the_total_the_till_confirms_beats_a_misread_larger_one() -> None:
    # OCR read "65.72" as "85.72" on the tax-inclusive line; the plain total and the exact
    # cash agree on 65.70.
    lines = [("RESTORAN MAJU SDN BHD", 12.0), ("09/04/2018", 8.0),
             ("Total (Inclusive of GST); 85.72", 8.0), ("Rounding Adj 0.02", 8.0),
             ("TOTAL: 65.70", 8.0), ("CASH : 65.70", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("65.70")


def test_ocr_slips_tctal_and_an_underscore_after_rm() -> None:
    lines = [("MR DIY SDN BHD", 12.0), ("19/04/2018", 8.0), ("Tctal Incl GST 99.90", 8.0),
             ("CASH 100.00", 8.0), ("CHANGE 0.10", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("99.90")
    lines = [("MR DIY SDN BHD", 12.0), ("19/04/2018", 8.0), ("Total Incl. GST@6% <RM_34.80", 8.0),
             ("GST @6% included in total RM 1,97", 8.0)]  # fmt: skip
    assert read_receipt([_receipt(lines)]).total == Decimal("34.80")
