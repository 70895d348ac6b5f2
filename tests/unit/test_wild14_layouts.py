"""The fourteenth wild family (big national suppliers' and rental houses' invoices: a rental
house, a big-box pro desk, a fastener distributor, a waterworks distributor, a rebar
fabricator, a UK or Australian builders' merchant): generator properties only. Every design is
deterministic, prints every truth value it claims, keeps its text on the paper, and varies from
seed to seed; and each prints the conventions and distractor numbers of its source."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD14_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    format_number,
    format_price,
    format_quantity,
)
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
PAPER = {
    "wild14_rental": (612.0, 792.0),
    "wild14_pro_desk": (612.0, 792.0),
    "wild14_fastener": (612.0, 792.0),
    "wild14_waterworks": (612.0, 792.0),
    "wild14_rebar": (612.0, 792.0),
    "wild14_merchant": (595.0, 842.0),
}


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD14_LAYOUTS) == 6
    assert all(name.startswith("wild14_") and name in LAYOUTS for name in WILD14_LAYOUTS)
    assert set(PAPER) == set(WILD14_LAYOUTS)


@pytest.mark.parametrize("layout", WILD14_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD14_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD14_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
    number = LAYOUTS[layout].number
    assert missing_header_values(document, text, number) == []
    truth = document.truth.invoice
    assert truth is not None
    for item in truth.line_items:
        assert item.description is not None and item.amount is not None
        assert printed_wrapped(text, item.description), item.description
        assert printed(text, format_number(item.amount, number)), item.amount
        if item.quantity is not None:
            assert printed(text, format_quantity(item.quantity, number)), item.quantity
        if item.unit_price is not None:
            assert printed(text, format_price(item.unit_price, number)), item.unit_price
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit


@pytest.mark.parametrize("layout", WILD14_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD14_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD14_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1030) if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        truth = _document(layout, seed).truth.invoice
        assert truth is not None and truth.invoice_number is not None
        assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_rental_invoice_bills_a_period_before_its_date_in_three_sections(seed: int) -> None:
    truth = _document("wild14_rental", seed).truth.invoice
    assert truth is not None and truth.invoice_date is not None and truth.subtotal is not None
    text = _text("wild14_rental", seed)
    period = re.search(r"billed from (\S+) billed thru (\S+)", text)
    assert period is not None
    billed_from, billed_thru = (datetime.strptime(d, "%m/%d/%Y").date() for d in period.groups())
    assert billed_from < billed_thru < truth.invoice_date
    assert "rental charges" in text
    assert all(word in text for word in ("make:", "model:", "serial:", "hour meter out"))
    sums = re.findall(r"(rental charges|sales items|misc\. charges) \$([\d,]+\.\d\d)", text)
    assert sums and sum(_amount(value) for _, value in sums) == truth.subtotal


def _filled_bars(pdf: bytes) -> list[int]:
    """Per page, the narrow black filled rectangles: a barcode's bars."""
    document: Any = pymupdf.open(stream=pdf)
    counts = [
        sum(
            1
            for path in page.get_drawings()
            if path.get("fill") == (0.0, 0.0, 0.0) and path["rect"].width < 4 < path["rect"].height
        )
        for page in document
    ]
    document.close()
    return counts


@pytest.mark.parametrize("seed", SEEDS)
def test_the_pro_desk_invoice_carries_store_register_transaction_and_barcodes(
    seed: int,
) -> None:
    text = _text("wild14_pro_desk", seed)
    assert re.search(r"store \d{4} reg \d\d trans # \d{5}", text) is not None
    assert "pro rewards account" in text and "member id" in text
    bars = _filled_bars(_document("wild14_pro_desk", seed).pdf)
    assert bars[0] >= 40 and sum(bars) >= 80  # the transaction's barcode and the returns one
    truth = _document("wild14_pro_desk", seed).truth.invoice
    assert truth is not None
    assert text.count("upc ") == len(truth.line_items)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_fastener_invoice_prints_three_part_numbers_and_back_orders(seed: int) -> None:
    first = _pages("wild14_fastener", seed)[0]
    titles = ("item no.", "mfr. part no.", "cust. part no.", "ordered", "shipped", "b/o", "uom")
    assert all(title in first for title in titles)
    assert "customer no." in first and "order no." in first and "sales rep" in first
    document = _document("wild14_fastener", seed)
    truth = document.truth.invoice
    assert truth is not None
    # Every row is numbered: the last line's number is printed just before its item number.
    assert re.search(
        rf"\b{len(truth.line_items)} [a-z]{{3}}-\d{{5}}", _text("wild14_fastener", seed)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_the_waterworks_invoice_has_its_strip_page_numbers_and_lockbox(seed: int) -> None:
    truth = _document("wild14_waterworks", seed).truth.invoice
    assert truth is not None and truth.project is not None and truth.project.name is not None
    pages = _pages("wild14_waterworks", seed)
    for caption in ("customer number", "customer po", "job name", "branch", "salesperson"):
        assert caption in pages[0]
    assert printed(pages[0], truth.project.name)
    for index, page in enumerate(pages, 1):
        assert "page" in page and f" {index} of {len(pages)} " in f"{page} "
    assert re.search(r"please remit to: .*? lockbox \d{6}", pages[-1]) is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_rebar_invoice_weighs_what_it_ships_and_prices_per_piece(seed: int) -> None:
    truth = _document("wild14_rebar", seed).truth.invoice
    assert truth is not None
    text = _text("wild14_rebar", seed)
    assert "bar mark" in text and "weight (lbs)" in text and "price / pc" in text
    header = re.search(r"shipped weight ([\d,]+) lbs", text)
    footer = re.search(r"as shipped: ([\d,]+) lbs", text)
    assert header is not None and footer is not None and header.group(1) == footer.group(1)
    assert re.search(r"\b\d[sbth]?\d\d #\d\b", text) is not None  # a bar mark beside its size
    assert all(item.unit is None for item in truth.line_items)  # pieces, no unit column


@pytest.mark.parametrize("seed", SEEDS)
def test_the_merchant_invoice_is_a_vat_or_gst_account_invoice(seed: int) -> None:
    truth = _document("wild14_merchant", seed).truth.invoice
    assert truth is not None and truth.subtotal is not None
    text = _text("wild14_merchant", seed)
    assert "account no." in text and re.search(r"delivery note no\. dn\d{7}", text)
    if truth.currency == "GBP":
        assert "account invoice" in text and "vat @ 20%" in text and "tax point" in text
    else:
        assert truth.currency == "AUD"
        assert "tax invoice" in text and "total (inc gst)" in text
    analysis = text[text.index("analysis") :]
    assert printed(analysis, format_number(truth.subtotal, LAYOUTS["wild14_merchant"].number))


def test_the_merchant_family_prints_both_currencies() -> None:
    currencies = set()
    for seed in SEEDS:
        truth = _document("wild14_merchant", seed).truth.invoice
        assert truth is not None
        currencies.add(truth.currency)
    assert currencies == {"GBP", "AUD"}
