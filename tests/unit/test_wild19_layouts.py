"""The nineteenth wild family (header values and amounts in the less common printed forms: a US
supply house with a typeset number prefix, "Mar. 3rd, 2026" dates and raised cents, a UK VAT
invoice with weekday dates and an accounting totals grid, a Canadian invoice with "(YYYY/MM/DD)"
dates and space-grouped amounts, an Australian invoice with "DD/MM/YY" dates and a DR/CR account
summary, a European contractor's English invoice with "3.3.2026" dates and "EUR 12 345.67",
and a US subcontractor's Courier ledger print with "03-MAR-2026" dates): generator properties
only. Every design is deterministic, prints every truth value in its own printed form, keeps
its text on the paper and varies from seed to seed; a day-first date is only printed where the
page says the day comes first; DR/CR and discount figures are never a truth amount."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD19_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import NumberStyle, format_number, format_price, format_quantity
from fixtures.generator.wild19 import (
    date_ap_ordinal,
    date_d_mon_yy,
    date_dd_mon_yyyy,
    date_dmy_two_digit,
    date_dots_unpadded,
    date_weekday,
    date_ymd_slashes,
    ordinal,
    spaced,
    split_prefix,
)
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
US = NumberStyle.US
PAPER = {
    "wild19_us_supply": (612.0, 792.0),
    "wild19_uk_retention": (595.0, 842.0),
    "wild19_ca_spaced": (612.0, 792.0),
    "wild19_au_short_dates": (595.0, 842.0),
    "wild19_eu_english": (595.0, 842.0),
    "wild19_us_ledger": (612.0, 792.0),
}
# The one printed form each design gives its invoice and due dates.
DATE_FORM: dict[str, Callable[[date], str]] = {
    "wild19_us_supply": date_ap_ordinal,
    "wild19_uk_retention": date_weekday,  # the due date: date_d_mon_yy
    "wild19_ca_spaced": date_ymd_slashes,
    "wild19_au_short_dates": date_dmy_two_digit,
    "wild19_eu_english": date_dots_unpadded,
    "wild19_us_ledger": date_dd_mon_yyyy,
}
SPACED = {"wild19_ca_spaced", "wild19_eu_english"}


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _invoice(layout: str, seed: int) -> Any:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return truth


def _forms(layout: str) -> Callable[[date], set[str]]:
    def forms(value: date) -> set[str]:
        found = {DATE_FORM[layout](value)}
        if layout == "wild19_uk_retention":
            found.add(date_d_mon_yy(value))
        return found

    return forms


def _amount(layout: str, value: Decimal) -> str:
    return spaced(value) if layout in SPACED else format_number(value, US)


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD19_LAYOUTS) == 6
    assert all(name.startswith("wild19_") and name in LAYOUTS for name in WILD19_LAYOUTS)
    assert set(PAPER) == set(WILD19_LAYOUTS) == set(DATE_FORM)


def test_the_printed_date_forms_say_the_same_day() -> None:
    day = date(2026, 3, 3)
    assert date_ap_ordinal(day) == "Mar. 3rd, 2026"
    assert date_ap_ordinal(date(2026, 9, 11)) == "Sept. 11th, 2026"
    assert date_ap_ordinal(date(2026, 5, 22)) == "May 22nd, 2026"
    assert date_weekday(day) == "Tuesday, 3 March 2026"
    assert date_d_mon_yy(day) == "3-Mar-26"
    assert date_dd_mon_yyyy(day) == "03-MAR-2026"
    assert date_ymd_slashes(day) == "2026/03/03"
    assert date_dmy_two_digit(date(2026, 4, 9)) == "09/04/26"
    assert date_dots_unpadded(date(2026, 4, 9)) == "9.4.2026"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 23, 31)] == [
        *("1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "23rd", "31st")
    ]


def test_space_grouping_and_the_number_prefix_keep_the_value() -> None:
    assert spaced(Decimal("1234567.8")) == "1 234 567.80"
    assert spaced(Decimal("999.5")) == "999.50"
    assert split_prefix("INV-10293") == ("INV-", "10293")
    assert split_prefix("2026/0417") == ("", "2026/0417")
    assert "".join(split_prefix("RC-1234-56")) == "RC-1234-56"


@pytest.mark.parametrize("layout", WILD19_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD19_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    numbers = {_invoice(layout, seed).invoice_number for seed in SEEDS}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD19_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed_in_the_designs_own_form(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
    truth = _invoice(layout, seed)
    sums = [truth.subtotal, truth.tax_total, truth.total, truth.amount_due, truth.retainage]
    respaced = {str(value) for value in sums if value is not None and layout in SPACED}
    missing = missing_header_values(document, text, US, _forms(layout))
    # A space-grouped design's amounts are looked for in their spaced form instead.
    assert [value for value in missing if value not in respaced] == []
    for value in sums:
        if value is not None:
            assert printed(text, _amount(layout, value)), value
    for item in truth.line_items:
        assert printed_wrapped(text, item.description), item.description
        assert printed(text, _amount(layout, item.amount)), item.amount
        if item.quantity is not None:
            quantity = format_quantity(item.quantity, US)
            assert printed(text, quantity.replace(",", " " if layout in SPACED else ","))
        if item.unit_price is not None:
            price = format_price(item.unit_price, US)
            assert printed(text, price.replace(",", " " if layout in SPACED else ","))
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit
        if item.cost_code is not None:
            assert printed(text, f"{item.cost_code} "), item.cost_code


@pytest.mark.parametrize("layout", sorted(SPACED))
@pytest.mark.parametrize("seed", SEEDS)
def test_space_grouped_designs_print_no_comma_grouped_money(layout: str, seed: int) -> None:
    assert re.search(r"\d,\d{3}\.\d\d", _text(layout, seed)) is None


@pytest.mark.parametrize("layout", WILD19_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD19_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD19_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1030) if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        number = _invoice(layout, seed).invoice_number
        assert all(printed(page, number) for page in _pages(layout, seed))


def _spans(pdf: bytes) -> list[dict[str, Any]]:
    """Every page's text spans, page by page."""
    document: Any = pymupdf.open(stream=pdf)
    blocks = [block for page in document for block in page.get_text("dict")["blocks"]]
    document.close()
    return [span for block in blocks for line in block.get("lines", ()) for span in line["spans"]]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_supply_invoice_sets_the_number_prefix_in_another_face_and_raises_the_cents(
    seed: int,
) -> None:
    layout = "wild19_us_supply"
    truth, text = _invoice(layout, seed), _text(layout, seed)
    spans = _spans(_document(layout, seed).pdf)
    prefix, rest = split_prefix(truth.invoice_number)
    rest_span = next(span for span in spans if span["text"] == rest)
    if prefix:
        prefix_span = next(span for span in spans if span["text"] == prefix)
        assert prefix_span["font"] == "Times-Bold" and rest_span["font"] == "Helvetica-Bold"
        assert abs(prefix_span["bbox"][2] - rest_span["bbox"][0]) < 1  # no gap: one string
        assert prefix_span["origin"][1] == rest_span["origin"][1]
    assert printed(text, truth.invoice_number)
    whole, cents = format_number(truth.amount_due, US).split(".")
    big = next(span for span in spans if span["text"] == f"${whole}")
    small = next(s for s in spans if s["text"] == cents and s["bbox"][0] >= big["bbox"][2] - 1)
    assert small["size"] <= big["size"] / 2 and small["origin"][1] < big["origin"][1] - 5
    assert printed(text, f"amount due usd {format_number(truth.amount_due, US)}")
    assert printed(text, f"invoice date {date_ap_ordinal(truth.invoice_date)}")
    assert re.search(r"ship date [a-z]{3,4}\.? \d{1,2}(st|nd|rd|th), 20\d\d", text) is not None


@pytest.mark.parametrize("seed", range(1000, 1040))
def test_two_percent_terms_bring_a_discount_line_that_is_not_the_amount_due(seed: int) -> None:
    layout = "wild19_us_supply"
    truth, text = _invoice(layout, seed), _text(layout, seed)
    discount = re.search(r"take usd ([\d,]+\.\d\d) off if paid by (.+?)\.", text)
    assert (discount is not None) == truth.payment_terms.startswith("2%")
    if discount is not None:
        saving = Decimal(discount.group(1).replace(",", ""))
        assert saving == (truth.total * Decimal("0.02")).quantize(Decimal("0.01"))
        assert saving not in (truth.total, truth.amount_due, truth.subtotal)
        assert discount.group(2) != date_ap_ordinal(truth.due_date).casefold()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_uk_invoice_prints_weekday_dates_and_an_accounting_totals_grid(seed: int) -> None:
    layout = "wild19_uk_retention"
    truth, text = _invoice(layout, seed), _text(layout, seed)
    weekday = date_weekday(truth.invoice_date)
    assert printed(text, f"invoice date / tax point {weekday}")
    assert weekday.split(",")[0] == truth.invoice_date.strftime("%A")
    assert printed(text, f"due date {date_d_mon_yy(truth.due_date)}")
    assert printed(text, f"({format_number(truth.retainage, US)})")
    assert truth.amount_due == truth.total - truth.retainage
    spans = _spans(_document(layout, seed).pdf)
    pounds = [span for span in spans if span["text"] == "£"]
    figure = format_number(truth.amount_due, US)
    due = [span for span in spans if span["text"].strip() == figure]
    assert len(pounds) == 5  # the sign apart, at the left of every totals cell
    assert any(pound["bbox"][2] + 40 < span["bbox"][0] for pound in pounds for span in due)
    assert "all figures in gbp" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_the_canadian_invoice_captions_its_date_order_and_groups_with_spaces(seed: int) -> None:
    layout = "wild19_ca_spaced"
    truth, text = _invoice(layout, seed), _text(layout, seed)
    assert printed(text, f"date (yyyy/mm/dd) {date_ymd_slashes(truth.invoice_date)}")
    assert printed(text, f"due date (yyyy/mm/dd) {date_ymd_slashes(truth.due_date)}")
    assert printed(text, f"balance due {spaced(truth.amount_due)} cad")
    assert printed(text, f"total {spaced(truth.total)} cad")


@pytest.mark.parametrize("layout", ["wild19_au_short_dates", "wild19_eu_english"])
@pytest.mark.parametrize("seed", SEEDS)
def test_day_first_dates_are_printed_only_where_the_page_says_the_day_comes_first(
    layout: str, seed: int
) -> None:
    truth, page = _invoice(layout, seed), _pages(layout, seed)[0]
    settled = {
        "wild19_au_short_dates": "dates shown as dd/mm/yy",
        "wild19_eu_english": "all dates are day.month.year",
    }
    assert settled[layout] in page
    assert printed(page, DATE_FORM[layout](truth.invoice_date))
    assert printed(page, DATE_FORM[layout](truth.due_date)) or layout == "wild19_eu_english"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_australian_account_summary_in_dr_cr_is_never_a_truth_amount(seed: int) -> None:
    layout = "wild19_au_short_dates"
    truth, text = _invoice(layout, seed), _text(layout, seed)
    assert printed(text, f"balance due aud {format_number(truth.amount_due, US)}")
    assert printed(text, f"total inc gst aud {format_number(truth.total, US)}")
    marked = re.findall(r"([\d,]+\.\d\d) (dr|cr)\b", text)
    assert {mark for _, mark in marked} == {"dr", "cr"}
    sums = {truth.subtotal, truth.tax_total, truth.total, truth.amount_due}
    assert not {Decimal(value.replace(",", "")) for value, _ in marked} & sums
    assert "account summary (previous invoices)" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_the_european_invoice_prints_euros_with_the_code_before_and_spaced_groups(
    seed: int,
) -> None:
    layout = "wild19_eu_english"
    truth, text = _invoice(layout, seed), _text(layout, seed)
    assert printed(text, f"invoice total eur {spaced(truth.total)}")
    assert printed(text, f"please pay by {date_dots_unpadded(truth.due_date)} without deduction")
    assert printed(text, f"terms of payment: {truth.payment_terms}")
    assert re.search(r"service period \d{1,2}\.\d{1,2}\.20\d\d to ", text) is not None


def _fonts(pdf: bytes) -> set[str]:
    document: Any = pymupdf.open(stream=pdf)
    names = {font[3] for page in document for font in page.get_fonts()}
    document.close()
    return names


@pytest.mark.parametrize("seed", SEEDS)
def test_the_ledger_print_is_courier_with_upper_case_dates_and_a_dr_cr_ledger(seed: int) -> None:
    layout = "wild19_us_ledger"
    document = _document(layout, seed)
    truth, text = _invoice(layout, seed), _text(layout, seed)
    assert _fonts(document.pdf) == {"Courier", "Courier-Bold"}
    assert printed(text, f"invoice date {date_dd_mon_yyyy(truth.invoice_date)}")
    assert printed(text, f"due date {date_dd_mon_yyyy(truth.due_date)}")
    assert re.search(r"period end \d\d-[a-z]{3}-20\d\d", text) is not None
    assert printed(text, f"({format_number(truth.retainage, US)})")
    assert printed(text, f"net due: {format_number(truth.amount_due, US)} usd")
    assert re.search(r"subcontract: \S+/sc/\d\d", text) is not None
    ledger = text[text.index("customer ledger - prior activity (not this invoice)") :]
    marked = re.findall(r"([\d,]+\.\d\d) (dr|cr)\b", ledger)
    assert len(marked) == 3
    sums = {truth.subtotal, truth.total, truth.amount_due, truth.retainage}
    assert not {Decimal(value.replace(",", "")) for value, _ in marked} & sums
