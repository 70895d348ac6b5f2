"""The thirteenth wild family (line-item tables as suppliers' business systems print them: SAP
items with delivery rows, ticket groups, list / discount / net columns, description last, rebar
rows wrapping to three lines, a rental table carrying its last items to the totals page):
generator properties only. Every design is deterministic, prints every truth value it claims,
keeps its text on the paper, and varies from seed to seed; and each really draws its table the
way its source does."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD13_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import format_number, format_price, format_quantity
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _items(layout: str, seed: int) -> list[Any]:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return list(truth.line_items)


def _money(value: Decimal | None) -> str:
    assert value is not None
    return format_number(value, LAYOUTS[WILD13_LAYOUTS[0]].number)


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD13_LAYOUTS) == 6
    assert all(name.startswith("wild13_") and name in LAYOUTS for name in WILD13_LAYOUTS)


@pytest.mark.parametrize("layout", WILD13_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD13_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD13_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
    number = LAYOUTS[layout].number
    assert missing_header_values(document, text, number) == []
    for item in _items(layout, seed):
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


@pytest.mark.parametrize("layout", WILD13_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_sap_items_are_numbered_in_tens_with_three_decimal_quantities_and_a_delivery_row(
    seed: int,
) -> None:
    text, items = _text("wild13_sap_items", seed), _items("wild13_sap_items", seed)
    for index, item in enumerate(items, 1):
        assert item.quantity is not None
        quantity = format_number(item.quantity, LAYOUTS["wild13_sap_items"].number, 3)
        assert re.search(rf"\b{index * 10} \d{{9}} ", text), index * 10
        assert printed(text, f" {quantity} {item.unit} "), quantity
    assert len(re.findall(r"delivery 800\d{5} / batch \d{10}", text)) == len(items)


@pytest.mark.parametrize("seed", SEEDS)
def test_ticket_rows_group_the_items_and_are_no_items(seed: int) -> None:
    text, items = _text("wild13_tickets", seed), _items("wild13_tickets", seed)
    tickets = re.findall(r"ticket (\d{5}) delivered ", text)
    assert 1 <= len(tickets) <= len(items)
    assert tickets == sorted(tickets)
    first = items[0].description
    assert first is not None and text.index(f"ticket {tickets[0]}") < text.index(first.casefold())


@pytest.mark.parametrize("seed", SEEDS)
def test_the_wide_table_prints_list_and_discount_beside_the_net_truth(seed: int) -> None:
    text = _text("wild13_wide_net", seed)
    assert "list disc % net price ext. net wt lb tx" in text
    for item in _items("wild13_wide_net", seed):
        assert item.unit_price is not None and item.quantity is not None
        net, amount = format_price(item.unit_price, LAYOUTS["wild13_wide_net"].number), item.amount
        match = re.search(
            rf"([\d,.]+) (\d\d)\.0 {re.escape(net)} {re.escape(_money(amount))} ", text
        )
        assert match is not None, net
        listed = Decimal(match.group(1).replace(",", ""))
        assert listed > item.unit_price
        assert abs(listed * (100 - int(match.group(2))) / 100 - item.unit_price) < Decimal("0.01")
        assert abs(item.quantity * item.unit_price - amount) < Decimal("0.01")
    assert re.search(r"\d [tn] ", text) is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lumber_print_has_amount_before_price_per_unit_and_description_last(seed: int) -> None:
    text = _text("wild13_lumber", seed)
    assert "qty extension price/um description" in text
    for item in _items("wild13_lumber", seed):
        assert item.unit is None and item.unit_price is not None and item.description
        price = format_price(item.unit_price, LAYOUTS["wild13_lumber"].number)
        first = re.escape(item.description.casefold().split(" ")[0])
        row = rf"{re.escape(_money(item.amount))} {re.escape(price)}/[a-z]+ {first}"
        assert re.search(row, text) is not None, row


def _spans(pdf: bytes) -> list[tuple[str, float]]:
    """Every text span's words and the y of its baseline, page after page (pages stacked)."""
    document: Any = pymupdf.open(stream=pdf)
    spans = []
    for page in document:
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    spans.append((span["text"], page.number * 10000 + span["origin"][1]))
    document.close()
    return spans


def test_rebar_descriptions_wrap_to_three_lines_with_the_numbers_on_the_last() -> None:
    drops = []
    for seed in SEEDS:
        document = _document("wild13_rebar", seed)
        truth, spans = document.truth.invoice, _spans(document.pdf)
        assert truth is not None
        for item in truth.line_items:
            assert item.description is not None
            amount_y = next(
                y for text, y in spans if text == f"{_money(item.amount)} {truth.currency}"
            )
            first_y = max(
                y
                for text, y in spans
                if item.description.startswith(text) and len(text) > 3 and y <= amount_y
            )
            whole = any(text == item.description and y == amount_y for text, y in spans)
            assert whole or amount_y - first_y > 8, item.description
            drops.append(amount_y - first_y)
    assert max(drops) > 18  # a description wrapped to three lines, its numbers on the last


@pytest.mark.parametrize("seed", SEEDS)
def test_rebar_amounts_carry_the_currency_code_in_every_cell(seed: int) -> None:
    document = _document("wild13_rebar", seed)
    truth, text = document.truth.invoice, _text("wild13_rebar", seed)
    assert truth is not None and truth.currency is not None
    for item in truth.line_items:
        assert printed(text, f"{_money(item.amount)} {truth.currency}")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_rental_print_carries_its_last_items_to_the_totals_page(seed: int) -> None:
    pages, items = _pages("wild13_rental_tail", seed), _items("wild13_rental_tail", seed)
    number = LAYOUTS["wild13_rental_tail"].number

    def rows_on(page: str) -> list[int]:
        return [
            index
            for index, item in enumerate(items)
            if printed(page, f"{format_price(item.unit_price, number)} {_money(item.amount)}")
        ]

    assert all("equip. # qty unit description rate amount" in page for page in pages)
    assert all("total rental charges" not in page for page in pages[:-1])
    assert "total rental charges" in pages[-1]
    if len(items) >= 3:
        tail = rows_on(pages[-1])
        assert len(pages) >= 2 and 1 <= len(tail) <= 2
        assert tail == list(range(len(items) - len(tail), len(items)))
