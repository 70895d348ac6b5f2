"""Receipt rules: a till receipt's shop name, day-first date and the total actually paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from extractors.invoice.receipts import is_receipt, read_receipt
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
