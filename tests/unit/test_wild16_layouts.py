"""The sixteenth wild family (subcontractors' and trades' invoices withholding retainage: a US
framing sub, a Canadian holdback invoice, a UK retention invoice, an Australian payment claim,
an electrical sub's side panel, a concrete sub's schedule of values): generator properties
only. Every design is deterministic, prints every truth value it claims, keeps its text on the
paper, and varies from seed to seed; each withholds retainage in the truth and prints it the
way its source does, beside contract-to-date figures labelled as such."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD16_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import format_number, format_price, format_quantity
from models import Invoice
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
PAPER = {
    "wild16_framing": (612.0, 792.0),
    "wild16_holdback": (612.0, 792.0),
    "wild16_retention_uk": (595.0, 842.0),
    "wild16_retention_au": (595.0, 842.0),
    "wild16_electrical_panel": (612.0, 792.0),
    "wild16_concrete_sov": (612.0, 792.0),
}
MONEY = r"(?:a\$|\$|£)?"  # the currency mark some designs print before an amount


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _truth(layout: str, seed: int) -> Invoice:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return truth


def _number(layout: str, value: Decimal | None) -> str:
    assert value is not None
    return re.escape(format_number(value, LAYOUTS[layout].number))


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD16_LAYOUTS) == 6
    assert all(name.startswith("wild16_") and name in LAYOUTS for name in WILD16_LAYOUTS)
    assert set(PAPER) == set(WILD16_LAYOUTS)


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    numbers = {_truth(layout, seed).invoice_number for seed in SEEDS}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
    number = LAYOUTS[layout].number
    assert missing_header_values(document, text, number) == []
    for item in _truth(layout, seed).line_items:
        assert item.description is not None and item.amount is not None
        assert printed_wrapped(text, item.description), item.description
        assert printed(text, format_number(item.amount, number)), item.amount
        if item.quantity is not None:
            assert printed(text, format_quantity(item.quantity, number)), item.quantity
        if item.unit_price is not None:
            assert printed(text, format_price(item.unit_price, number)), item.unit_price
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit
        if item.cost_code is not None:
            assert printed(text, item.cost_code), item.cost_code


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1030) if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        number = _truth(layout, seed).invoice_number
        assert number is not None
        assert all(printed(page, number) for page in _pages(layout, seed))


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_design_withholds_retainage_from_the_total(layout: str, seed: int) -> None:
    truth = _truth(layout, seed)
    assert truth.retainage is not None and truth.retainage > 0
    assert truth.total is not None and truth.amount_due == truth.total - truth.retainage


@pytest.mark.parametrize("layout", WILD16_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_contract_to_date_figures_say_so_and_are_not_this_invoices(layout: str, seed: int) -> None:
    truth, text = _truth(layout, seed), _text(layout, seed)
    held = re.search(
        rf"(?:retainage|holdback|retention)(?: held| retained)? to date \(all [^)]*\) "
        rf"{MONEY}([\d,]+\.\d\d)",
        text,
    )
    assert held is not None
    assert truth.retainage is not None and _amount(held.group(1)) > truth.retainage
    assert "change orders approved" in text or "variations" in text
    assert re.search(r"previous(?:ly)? (?:billings|invoiced|valued|claims) to date", text)
    values = {truth.subtotal, truth.total, truth.amount_due, truth.retainage}
    contract = re.findall(rf"(?:contract (?:amount|sum|value)[^$£\d]*){MONEY}([\d,]+\.\d\d)", text)
    assert contract and not {_amount(value) for value in contract} & values


@pytest.mark.parametrize("seed", SEEDS)
def test_the_framing_sub_subtracts_retainage_in_parentheses_under_the_subtotal(seed: int) -> None:
    layout, truth, text = (
        "wild16_framing",
        _truth("wild16_framing", seed),
        _text("wild16_framing", seed),
    )
    assert truth.subtotal == truth.total and truth.tax_total is None
    rows = (
        rf"subtotal \${_number(layout, truth.subtotal)} less retainage \d+% "
        rf"\({_number(layout, truth.retainage)}\) amount due this invoice "
        rf"\${_number(layout, truth.amount_due)}"
    )
    assert re.search(rows, text) is not None
    for caption in ("subcontract no.", "our job #", "cost code", "bill to (general contractor)"):
        assert caption in _pages(layout, seed)[0]
    assert all(item.cost_code is None for item in truth.line_items)  # a job code, no column


@pytest.mark.parametrize("seed", SEEDS)
def test_the_holdback_invoice_charges_tax_on_the_gross_and_nets_the_holdback(seed: int) -> None:
    layout, truth, text = (
        "wild16_holdback",
        _truth("wild16_holdback", seed),
        _text("wild16_holdback", seed),
    )
    assert truth.currency == "CAD"
    assert truth.subtotal is not None and truth.tax_total is not None
    match = re.search(r"(gst|hst) (5|13)% \$([\d,]+\.\d\d)", text)
    assert match is not None and _amount(match.group(3)) == truth.tax_total
    rate = Decimal(match.group(2)) / 100
    assert truth.tax_total == (truth.subtotal * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    withheld = _number(layout, truth.retainage)
    holdback = rf"holdback \d+% (?:\(\${withheld}\)|-\${withheld}) net payable "
    assert re.search(holdback + rf"\${_number(layout, truth.amount_due)}", text) is not None
    assert f"{match.group(1)} is charged on the gross amount before holdback" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_the_uk_invoice_nets_retention_from_a_gross_value_under_reverse_charge(seed: int) -> None:
    layout, truth, text = (
        "wild16_retention_uk",
        _truth("wild16_retention_uk", seed),
        _text("wild16_retention_uk", seed),
    )
    assert truth.currency == "GBP" and truth.subtotal is None and truth.tax_total is None
    withheld = _number(layout, truth.retainage)
    rows = (
        rf"gross value £{_number(layout, truth.total)} less retention @ \d+% "
        rf"(?:\(£{withheld}\)|-£{withheld}) net due £{_number(layout, truth.amount_due)}"
    )
    assert re.search(rows, text) is not None
    assert "interim application for payment no." in text and "valuation date" in text
    assert "domestic reverse charge" in text and "invoice" in _pages(layout, seed)[0][:400]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_australian_claim_prints_retention_with_a_trailing_minus(seed: int) -> None:
    layout, truth, text = (
        "wild16_retention_au",
        _truth("wild16_retention_au", seed),
        _text("wild16_retention_au", seed),
    )
    assert truth.currency == "AUD" and truth.tax_total is not None
    rows = (
        rf"total \(inc gst\) {_number(layout, truth.total)} less retention \d+% "
        rf"{_number(layout, truth.retainage)}- amount payable {_number(layout, truth.amount_due)}"
    )
    assert re.search(rows, text) is not None
    assert "tax invoice" in text and "security of payment act" in text


def _words(pdf: bytes, phrase: str) -> Any:
    """Where a phrase is drawn on the first page, highest first."""
    document: Any = pymupdf.open(stream=pdf)
    rects = document[0].search_for(phrase)
    document.close()
    assert rects, phrase
    return min(rects, key=lambda rect: rect.y0)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_electrical_sub_boxes_its_totals_beside_the_items(seed: int) -> None:
    layout, truth = "wild16_electrical_panel", _truth("wild16_electrical_panel", seed)
    pdf, text = _document(layout, seed).pdf, _text(layout, seed)
    price_title = _words(pdf, "Unit Price")  # the item table's column title
    first_item = _words(pdf, truth.line_items[0].cost_code or "")
    for caption in ("Total Invoice", "Retainage Held", "Net Amount Due"):
        where = _words(pdf, caption)
        assert where.x0 > price_title.x1 + 40  # right of the items' price and amount
        assert where.y0 > price_title.y0 - 20  # not above the table: beside it
    assert _words(pdf, "INVOICE SUMMARY").y0 < first_item.y1
    panel = (
        rf"total invoice \${_number(layout, truth.total)} retainage held \d+% "
        rf"\${_number(layout, truth.retainage)} "
        rf"net amount due \${_number(layout, truth.amount_due)}"
    )
    assert re.search(panel, text) is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_concrete_sub_bills_percentages_of_scheduled_values(seed: int) -> None:
    layout, truth = "wild16_concrete_sov", _truth("wild16_concrete_sov", seed)
    text = _text(layout, seed)
    assert all(
        item.quantity is None and item.unit_price is None and item.unit is None
        for item in truth.line_items
    )
    rows = re.findall(r"([\d,]+\.\d\d) (\d+\.\d)% (\d+\.\d)% (\d+\.\d)% ([\d,]+\.\d\d)", text)
    assert [_amount(row[4]) for row in rows] == [item.amount for item in truth.line_items]
    for scheduled, previous, this, to_date, amount in rows:
        assert Decimal(previous) + Decimal(this) == Decimal(to_date) <= 100
        assert abs(_amount(scheduled) * Decimal(this) / 100 - _amount(amount)) <= Decimal("0.01")
    assert truth.subtotal is None
    assert re.search(rf"total this invoice {MONEY}{_number(layout, truth.total)}", text)
