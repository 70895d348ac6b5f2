"""The twenty-first wild family (item tables carrying the extra rows real supply invoices print
between and beside the items: backordered lines shipping 0 and extending to nothing, kit
components without prices, branch, lot / heat, load and tally notes, two-line serial lists in
small type, page totals, titles repeated every 15 items, freight only when it is an item):
generator properties only. Every design is deterministic, prints every truth value it claims,
keeps its text on the paper and varies from seed to seed; the extra rows are there, and none
of them can be read as an item: they are not truth items, and their number cells show what a
careful reader needs to tell them apart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    LAYOUTS,
    WILD21_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator.formats import format_number, format_price, format_quantity
from fixtures.generator.wild21 import (
    BACKORDERS,
    COMPONENTS,
    PAGE_TOTAL,
    REPEAT,
    SERIAL_MARK,
    SPECIAL_ORDER,
)
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
WIDE_SEEDS = range(1000, 1012)  # for habits only some invoices show (kits, long tables)
ELECTRICAL = "wild21_electrical_backorders"
PLUMBING = "wild21_plumbing_kits"
HVAC = "wild21_hvac_serials"
LUMBER = "wild21_lumber_page_totals"
FASTENERS = "wild21_fastener_repeat_titles"
RENTAL = "wild21_rental_serials"
_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$")


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


@cache
def _lines(layout: str, seed: int) -> tuple[tuple[tuple[tuple[float, str], ...], ...], ...]:
    """Per page, the printed lines top to bottom: words sharing a baseline, as (left x, word)
    from left to right."""
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    pages = []
    for page in document:
        rows: dict[float, list[tuple[float, str]]] = {}
        for word in page.get_text("words"):
            rows.setdefault(round(word[3], 0), []).append((word[0], word[4]))
        pages.append(tuple(tuple(sorted(rows[y])) for y in sorted(rows)))
    document.close()
    return tuple(pages)


def _descriptions(layout: str, seed: int) -> set[str]:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return {item.description or "" for item in truth.line_items}


def _after(line: tuple[tuple[float, str], ...], phrase: str) -> list[str] | None:
    """The words printed right of `phrase` on a line, or None when the line does not hold it."""
    words, wanted = [word for _, word in line], phrase.split()
    for start in range(len(words) - len(wanted) + 1):
        if words[start : start + len(wanted)] == wanted:
            return words[start + len(wanted) :]
    return None


def _rows_with(layout: str, seed: int, phrases: set[str]) -> Iterator[tuple[str, list[str]]]:
    """Every printed line holding one of the phrases: the phrase and the words right of it."""
    for page in _lines(layout, seed):
        for line in page:
            for phrase in phrases:
                tail = _after(line, phrase)
                if tail is not None:
                    yield phrase, tail


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD21_LAYOUTS) == 6
    assert all(name.startswith("wild21_") and name in LAYOUTS for name in WILD21_LAYOUTS)
    assert not set(WILD21_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))


@pytest.mark.parametrize("layout", WILD21_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD21_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD21_LAYOUTS)
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
    assert all(item.cost_code is None for item in truth.line_items)


@pytest.mark.parametrize("layout", WILD21_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD21_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in WIDE_SEEDS if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        truth = _document(layout, seed).truth.invoice
        assert truth is not None and truth.invoice_number is not None
        assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize(
    ("layout", "kind", "extension"),
    [
        (ELECTRICAL, "electrical", None),
        (PLUMBING, "plumbing", "0.00"),
        (FASTENERS, "fasteners", None),
    ],
)
@pytest.mark.parametrize("seed", SEEDS)
def test_backordered_lines_ship_nothing_extend_to_nothing_and_are_no_items(
    layout: str, kind: str, extension: str | None, seed: int
) -> None:
    rows = list(_rows_with(layout, seed, set(BACKORDERS[kind])))
    assert rows, "no backordered line printed"
    assert not {phrase for phrase, _ in rows} & _descriptions(layout, seed)
    for phrase, tail in rows:
        # Ordered, 0 shipped, (back-ordered,) unit, net price, then no extension or 0.00.
        assert len(tail) == 5 and tail[1] == "0", (phrase, tail)
        if extension is None:
            assert tail[3] == "EA" and _AMOUNT.match(tail[4]), tail
        else:
            assert tail[2] == "EA" and _AMOUNT.match(tail[3]) and tail[4] == extension, tail


@pytest.mark.parametrize("layout", [PLUMBING, HVAC, RENTAL])
def test_kit_components_carry_part_numbers_and_quantities_but_no_prices(layout: str) -> None:
    names = {description for parts in COMPONENTS.values() for _, description, _ in parts}
    found = 0
    for seed in WIDE_SEEDS:
        rows = list(_rows_with(layout, seed, names))
        found += len(rows)
        assert not {phrase for phrase, _ in rows} & _descriptions(layout, seed)
        for phrase, tail in rows:
            assert len(tail) == 2 and tail[1] == "EA", (phrase, tail)  # quantity, unit: no price
            assert Decimal(tail[0].replace(",", "")) > 0
    assert found, f"no kit component printed by {layout}"


@pytest.mark.parametrize("layout", [HVAC, RENTAL])
@pytest.mark.parametrize("seed", SEEDS)
def test_serial_lists_wrap_to_two_lines_of_smaller_type_under_an_item(
    layout: str, seed: int
) -> None:
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    sizes: dict[str, set[float]] = {"serial": set(), "other": set()}
    lists = continued = 0
    for page in document:
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    text = span["text"].strip()
                    if text.startswith(SERIAL_MARK):
                        lists += 1
                    if re.fullmatch(r"(S/N: )?([A-Z]{1,2}\d{7},? ?)+", text):
                        continued += 1
                        sizes["serial"].add(span["size"])
                    elif _AMOUNT.match(text):
                        sizes["other"].add(span["size"])
    document.close()
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    assert (lists >= 1) == any(item.unit == "EA" for item in truth.line_items)  # by the each
    assert continued == 2 * lists  # every list runs to exactly two lines
    assert max(sizes["serial"], default=0) < min(sizes["other"])


@pytest.mark.parametrize("layout", [LUMBER, RENTAL])
@pytest.mark.parametrize("seed", WIDE_SEEDS)
def test_every_page_of_the_table_ends_with_a_page_total_and_they_add_up_to_the_subtotal(
    layout: str, seed: int
) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.subtotal is not None
    totals = [
        tail[0]
        for page in _lines(layout, seed)
        for line in page
        if (tail := _after(line, PAGE_TOTAL)) is not None
    ]
    assert 1 <= len(totals) <= len(_pages(layout, seed))
    assert sum(Decimal(total.replace(",", "")) for total in totals) == truth.subtotal


@pytest.mark.parametrize("seed", WIDE_SEEDS)
def test_the_line_printer_form_repeats_its_titles_before_items_16_31(seed: int) -> None:
    truth = _document(FASTENERS, seed).truth.invoice
    assert truth is not None
    number = LAYOUTS[FASTENERS].number
    due = {
        format_number(item.amount or Decimal(0), number)
        for item in truth.line_items[REPEAT::REPEAT]
    }
    amounts = {format_number(item.amount or Decimal(0), number) for item in truth.line_items}
    mid_page = 0
    for page in _lines(FASTENERS, seed):
        titles = [i for i, line in enumerate(page) if _after(line, "PART NUMBER") is not None]
        if any(line[-1][1] in amounts for line in page):
            assert titles, "a page of items without column titles"
        for index in titles[1:]:
            mid_page += 1
            assert page[index + 1][-1][1] in due  # the 16th (31st) item right under them
    if len(truth.line_items) <= REPEAT:
        assert mid_page == 0
    assert mid_page <= len(due)


def test_long_line_printer_invoices_do_repeat_their_titles_mid_page() -> None:
    long = [seed for seed in WIDE_SEEDS if len(_descriptions(FASTENERS, seed)) > REPEAT]
    assert long
    assert any(
        sum(_after(line, "PART NUMBER") is not None for line in page) > 1
        for seed in long
        for page in _lines(FASTENERS, seed)
    )


@pytest.mark.parametrize(
    ("layout", "pattern"),
    [
        (ELECTRICAL, re.escape(SPECIAL_ORDER.casefold())),
        (PLUMBING, r"shipped from branch \d\d"),
        (LUMBER, r"load 1 of \d - truck \d\d"),
        (FASTENERS, r"lot: \d\d-\d{3} / heat: \d{4}"),
    ],
)
@pytest.mark.parametrize("seed", SEEDS)
def test_note_rows_sit_between_the_items_with_no_number_cells(
    layout: str, pattern: str, seed: int
) -> None:
    text = _text(layout, seed)
    assert re.search(pattern, text)
    for page in _lines(layout, seed):
        for line in page:
            joined = " ".join(word for _, word in line).casefold()
            if re.search(pattern, joined):
                assert not _AMOUNT.match(line[-1][1]), joined  # nothing in the amount column


@pytest.mark.parametrize("layout", WILD21_LAYOUTS)
def test_freight_and_fuel_surcharge_rows_only_where_they_are_items(layout: str) -> None:
    for seed in WIDE_SEEDS:
        truth = _document(layout, seed).truth.invoice
        assert truth is not None
        descriptions = [item.description or "" for item in truth.line_items]
        words = [word for page in _lines(layout, seed) for line in page for _, word in line]
        freight = sum(description.startswith("Delivery charge") for description in descriptions)
        assert words.count("FREIGHT") == (freight if layout == HVAC else 0)
        surcharges = sum("fuel surcharge" in description for description in descriptions)
        assert _text(layout, seed).count("fuel surcharge") <= surcharges
