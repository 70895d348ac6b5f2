"""The twenty-fifth wild family (how long invoices run over pages: a running band on every page,
carried forward and balance forward, page totals and a summary page, line numbers running on in
an ERP print, a wrapped description split by a page break, and the last item kept with the
totals): generator properties only. Every design is deterministic, prints every truth value it
claims, keeps its text on the paper, and varies from seed to seed; every page repeats the
vendor, invoice number, date and customer exactly as the truth says; and each design shows the
page furniture it stands for, its page sums under their own labels."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD25_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    all_date_forms,
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
    "wild25_running_band": (612.0, 792.0),
    "wild25_carried_forward": (595.0, 842.0),
    "wild25_summary_page": (612.0, 792.0),
    "wild25_erp_numbered": (595.0, 842.0),
    "wild25_split_description": (396.0, 612.0),  # 5.5 x 8.5 in statement form
    "wild25_last_item_with_totals": (612.0, 792.0),
}
# A seed whose invoice runs over more than one page, for each design.
LONG_SEEDS = {
    "wild25_running_band": 1001,
    "wild25_carried_forward": 1003,
    "wild25_summary_page": 1000,
    "wild25_erp_numbered": 1002,
    "wild25_split_description": 1000,
    "wild25_last_item_with_totals": 1004,
}
# The column title each design repeats on every page that carries items.
TITLES = {
    "wild25_running_band": "unit price",
    "wild25_carried_forward": "description of work",
    "wild25_summary_page": "price each",
    "wild25_erp_numbered": "extended",
    "wild25_split_description": "item no.",
    "wild25_last_item_with_totals": "unit price",
}
PAGE_OF = {
    "wild25_running_band": "page {page} of {pages}",
    "wild25_carried_forward": "sheet {page} of {pages}",
    "wild25_summary_page": "page {page} of {pages}",
    "wild25_erp_numbered": "page {page} of {pages}",
    "wild25_split_description": "page {page} of {pages}",
    "wild25_last_item_with_totals": "page {page} of {pages}",
}
_SPLIT = "wild25_split_description"
_SPLIT_TITLES = "qty unit item no. description price amount "


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _open(layout: str, seed: int) -> Any:
    return pymupdf.open(stream=_document(layout, seed).pdf)


@cache
def _lines(layout: str, seed: int, page: int) -> tuple[tuple[str, Any], ...]:
    """Each text line of a page with its box, top to bottom."""
    document = _open(layout, seed)
    lines = [
        ("".join(span["text"] for span in line["spans"]), pymupdf.Rect(line["bbox"]))
        for block in document[page].get_text("dict")["blocks"]
        for line in block.get("lines", [])
    ]
    document.close()
    return tuple(sorted(lines, key=lambda item: (round(item[1].y0), item[1].x0)))


def _amount(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text))


def _body(layout: str, seed: int) -> str:
    """The document's text with the running head of every page after the first left out, so
    a description split by a page break reads on."""
    pages = list(_pages(layout, seed))
    if layout == _SPLIT:
        pages[1:] = [page.split(_SPLIT_TITLES, 1)[-1] for page in pages[1:]]
    return " ".join(pages)


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD25_LAYOUTS) == 6
    assert all(name.startswith("wild25_") and name in LAYOUTS for name in WILD25_LAYOUTS)
    assert set(PAPER) == set(WILD25_LAYOUTS) == set(LONG_SEEDS) == set(TITLES)


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
    number = LAYOUTS[layout].number
    assert missing_header_values(document, text, number) == []
    truth = document.truth.invoice
    assert truth is not None
    body = _body(layout, seed)
    for item in truth.line_items:
        assert item.description is not None and item.amount is not None
        assert printed_wrapped(body, item.description), item.description
        assert printed(text, format_number(item.amount, number)), item.amount
        if item.quantity is not None:
            assert printed(text, format_quantity(item.quantity, number)), item.quantity
        if item.unit_price is not None:
            assert printed(text, format_price(item.unit_price, number)), item.unit_price
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit
        if item.cost_code is not None:
            assert printed(text, f" {item.cost_code} "), item.cost_code


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf = _open(layout, seed)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
def test_long_invoices_run_over_pages(layout: str) -> None:
    assert len(_pages(layout, LONG_SEEDS[layout])) > 1


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_page_repeats_vendor_number_date_and_customer_exactly(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_date is not None
    dates = all_date_forms(truth.invoice_date)
    for page in _pages(layout, seed):
        for value in (truth.vendor.name, truth.invoice_number, truth.bill_to.name):
            assert value is not None and printed(page, value), value
        assert any(printed(page, form) for form in dates)


@pytest.mark.parametrize("layout", WILD25_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_are_numbered_n_of_m_and_item_pages_repeat_the_column_titles(
    layout: str, seed: int
) -> None:
    pages = _pages(layout, seed)
    for index, page in enumerate(pages, 1):
        assert PAGE_OF[layout].format(page=index, pages=len(pages)) in page
    for page in pages[:-1]:  # every page before the last carries items under the titles
        assert TITLES[layout] in page


@pytest.mark.parametrize("layout", ["wild25_running_band", "wild25_erp_numbered"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_page_but_the_last_says_it_continues(layout: str, seed: int) -> None:
    pages = _pages(layout, seed)
    assert all("continued" in page for page in pages[:-1])
    assert "continued" not in pages[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_carried_forward_opens_the_next_page_as_balance_forward(seed: int) -> None:
    layout = "wild25_carried_forward"
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.subtotal is not None
    amounts = [item.amount for item in truth.line_items if item.amount is not None]
    prefixes = {sum(amounts[:count], Decimal(0)) for count in range(1, len(amounts))}
    pages = _pages(layout, seed)
    money = r"\$([\d,]+\.\d\d)"
    carried = [re.findall(rf"carried forward {money}", page) for page in pages]
    brought = [re.findall(rf"balance forward {money}", page) for page in pages]
    assert carried[-1] == [] and brought[0] == []
    for index in range(len(pages) - 1):
        if not carried[index]:  # only the totals went over to the next page
            assert index == len(pages) - 2 and brought[index + 1] == []
            continue
        assert carried[index] == brought[index + 1]
        assert _amount(carried[index][0]) in prefixes  # the sum of the items so far
        assert _amount(carried[index][0]) < truth.subtotal
    if any(carried):
        assert "subcontractor's invoice" in pages[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_item_pages_close_on_a_page_total_and_the_last_page_has_totals_only(seed: int) -> None:
    layout = "wild25_summary_page"
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.subtotal is not None and truth.total is not None
    pages = _pages(layout, seed)
    assert len(pages) >= 2
    page_totals = [re.findall(r"page total \$([\d,]+\.\d\d)", page) for page in pages[:-1]]
    assert all(len(found) == 1 for found in page_totals)
    assert sum(_amount(found[0]) for found in page_totals) == truth.subtotal
    summary = pages[-1]
    assert "invoice summary" in summary and "page total" not in summary
    assert printed(summary, format_number(truth.total, LAYOUTS[layout].number))
    assert TITLES[layout] not in summary
    for item in truth.line_items:
        assert item.description is not None and item.description.casefold() not in summary


@pytest.mark.parametrize("seed", SEEDS)
def test_erp_line_numbers_run_on_from_page_to_page(seed: int) -> None:
    layout = "wild25_erp_numbered"
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    row = re.compile(r"\s*(\d+) +[\d,.]+ +[A-Z]{2} ")
    numbers: list[int] = []
    for page in range(len(_pages(layout, seed))):
        found = [
            int(m.group(1)) for text, _ in _lines(layout, seed, page) if (m := row.match(text))
        ]
        if page > 0 and found:
            assert found[0] == numbers[-1] + 1  # not restarted at 1
        numbers += found
    assert numbers == list(range(1, len(truth.line_items) + 1))


def _split_items(seed: int) -> list[tuple[int, str, str]]:
    """(page, tail printed on the page before, head at the top of the page) for each item
    whose description a page break splits."""
    truth = _document(_SPLIT, seed).truth.invoice
    assert truth is not None
    splits = []
    for page in range(1, len(_pages(_SPLIT, seed))):
        lines = _lines(_SPLIT, seed, page)
        titles = next(box for text, box in lines if text == "Description")
        first = min((box.y0, text) for text, box in lines if box.y0 > titles.y1 + 1)
        row = [text for text, box in lines if abs(box.y0 - first[0]) < 1]
        if len(row) == 1:  # a description line alone: no quantity, price or amount beside it
            before = _lines(_SPLIT, seed, page - 1)
            descriptions = [t for t, b in before if abs(b.x0 - titles.x0) < 1 and b.y0 > 150]
            splits.append((page, descriptions[-1], row[0]))
    return splits


def test_a_page_break_splits_a_wrapped_description_that_runs_on_under_the_titles() -> None:
    truth_descriptions = {
        seed: [
            item.description
            for item in (_document(_SPLIT, seed).truth.invoice or pytest.fail()).line_items
        ]
        for seed in SEEDS
    }
    found = 0
    for seed in SEEDS:
        for page, tail, head in _split_items(seed):
            found += 1
            joined = f"{tail} {head}"
            assert any(joined in (text or "") for text in truth_descriptions[seed]), joined
            pages = _pages(_SPLIT, seed)
            assert pages[page].index(_SPLIT_TITLES) < pages[page].index(head.casefold())
            assert "continued" in pages[page - 1]
    assert found >= 1


@pytest.mark.parametrize("seed", SEEDS)
def test_the_last_page_holds_one_item_line_and_the_totals(seed: int) -> None:
    layout = "wild25_last_item_with_totals"
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.total is not None
    count = len(truth.line_items)
    last = len(_pages(layout, seed)) - 1
    numbers = [text for text, box in _lines(layout, seed, last) if text.isdigit() and box.x1 < 60]
    assert numbers == [str(count)]  # the item column shows the last item alone
    page = _pages(layout, seed)[last]
    assert printed(page, format_number(truth.total, LAYOUTS[layout].number))
    assert "subtotal" in page and "please detach" in page
    if count > 1:
        assert last > 0 and "continued on next page" in _pages(layout, seed)[last - 1]
