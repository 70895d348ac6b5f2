"""The twelfth wild family (how real invoices print their subtotal, tax, total and PO number:
a subtotal row in the table with tax and total in a summary box on top, a row of total cells
with labels above values, the total first and large, totals beside a signature block, tax and
total rows inside the item grid with no subtotal, and no tax with labels ending at the page's
middle): generator properties only. Every design is deterministic, prints every truth value it
claims, keeps its text on the paper, and varies from seed to seed; and each prints its totals
and its PO number where and how its source does."""

from __future__ import annotations

from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD12_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import format_number, format_price, format_quantity
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
Spot = tuple[int, float, float, float, float]  # page index, x0, y0, x1, y1


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


@cache
def _words(layout: str, seed: int) -> tuple[tuple[int, float, float, float, float, str], ...]:
    """Every printed word with its page and box, case folded."""
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    words = tuple(
        (page.number, x0, y0, x1, y1, word.casefold())
        for page in document
        for x0, y0, x1, y1, word, *_ in page.get_text("words")
    )
    document.close()
    return words


@cache
def _spans(layout: str, seed: int) -> tuple[tuple[int, float, float, float, float, str], ...]:
    """Every text span with its page, top, bottom, right edge, font size and text."""
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    spans = tuple(
        (page.number, span["bbox"][1], span["bbox"][3], span["bbox"][2], span["size"], span["text"])
        for page in document
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", ())
        for span in line["spans"]
    )
    document.close()
    return spans


def _find(layout: str, seed: int, phrase: str) -> list[Spot]:
    """Where a phrase is printed as consecutive words on one line."""
    words, wanted = _words(layout, seed), phrase.casefold().split()
    spots = []
    for start in range(len(words) - len(wanted) + 1):
        run = words[start : start + len(wanted)]
        same_line = all(abs(word[4] - run[0][4]) < 1 for word in run)
        if same_line and [word[5] for word in run] == wanted:
            spots.append((run[0][0], run[0][1], run[0][2], run[-1][3], run[-1][4]))
    return spots


def _amount(layout: str, seed: int, value: Any) -> list[Spot]:
    """Where an amount is printed as a word of its own, with or without its currency sign."""
    number = format_number(value, LAYOUTS[layout].number)
    return [
        (page, x0, y0, x1, y1)
        for page, x0, y0, x1, y1, word in _words(layout, seed)
        if word.lstrip("a$£") == number
    ]


def _amount_words(layout: str, seed: int, text: str) -> list[Spot]:
    """Where a text is printed as a word of its own."""
    return [
        (page, x0, y0, x1, y1)
        for page, x0, y0, x1, y1, word in _words(layout, seed)
        if word == text.casefold()
    ]


def _one(spots: list[Spot], what: str) -> Spot:
    assert len(spots) == 1, f"{what} printed {len(spots)} times"
    return spots[0]


def _truth(layout: str, seed: int) -> Any:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return truth


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD12_LAYOUTS) == 6
    assert all(name.startswith("wild12_") and name in LAYOUTS for name in WILD12_LAYOUTS)


@pytest.mark.parametrize("layout", WILD12_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD12_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD12_LAYOUTS)
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


@pytest.mark.parametrize("layout", WILD12_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize(
    ("layout", "label"),
    [
        ("wild12_summary_box", "cust po#"),
        ("wild12_cells_row", "p.o. number:"),
        ("wild12_total_first", "your order no."),
        ("wild12_signature_left", "your ref."),
        ("wild12_grid_totals", "purchase order no."),
        ("wild12_centre_totals", "customer po"),
    ],
)
def test_each_design_prints_the_po_number_under_its_own_label(layout: str, label: str) -> None:
    for seed in SEEDS:
        po = _truth(layout, seed).po_number
        assert po is not None
        caption = _one(_find(layout, seed, label), label)
        value = _one(_amount_words(layout, seed, po), po)
        beside = value[0] == caption[0] and abs(value[4] - caption[4]) < 1
        under = value[0] == caption[0] and abs(value[1] - caption[1]) < 1
        assert (beside and 0 <= value[1] - caption[3] < 30) or (
            under and 0 < value[2] - caption[4] < 8
        )


def test_the_summary_box_stays_on_page_one_when_the_items_run_onto_more_pages() -> None:
    layout = "wild12_summary_box"
    seeds = [seed for seed in SEEDS if len(_pages(layout, seed)) > 1]
    assert seeds
    for seed in seeds:
        truth = _truth(layout, seed)
        total = format_number(truth.total, LAYOUTS[layout].number)
        assert printed(_pages(layout, seed)[0], f"invoice total ${total}")
        assert not any(printed(page, "invoice total") for page in _pages(layout, seed)[1:])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_summary_box_holds_tax_and_total_above_the_table_whose_last_row_is_the_subtotal(
    seed: int,
) -> None:
    layout = "wild12_summary_box"
    truth = _truth(layout, seed)
    title = _find(layout, seed, "description")[0]
    total_label = _one(_find(layout, seed, "invoice total"), "invoice total")
    assert title[0] == 0 and total_label[0] == 0 and total_label[2] < title[2]
    assert any(spot[0] == 0 and spot[2] < title[2] for spot in _amount(layout, seed, truth.total))
    assert any(
        spot[0] == 0 and spot[2] < title[2] for spot in _amount(layout, seed, truth.tax_total)
    )
    labels = [
        spot
        for wording in ("merchandise total", "items total", "sale amount")
        for spot in _find(layout, seed, wording)
    ]
    label = _one(labels, "the subtotal row")
    last_page = len(_pages(layout, seed)) - 1
    assert label[0] == last_page
    item_rights = [
        spot[3]
        for item in truth.line_items
        for spot in _amount(layout, seed, item.amount)
        if spot[0] == last_page and spot[2] < label[2]
    ]
    beside = [spot for spot in _amount(layout, seed, truth.subtotal) if abs(spot[2] - label[2]) < 2]
    assert item_rights and beside
    assert abs(_one(beside, "the subtotal")[3] - max(item_rights)) < 1


@pytest.mark.parametrize("seed", SEEDS)
def test_the_canadian_totals_are_cells_with_the_label_above_the_value(seed: int) -> None:
    layout = "wild12_cells_row"
    truth = _truth(layout, seed)
    assert truth.tax_total is not None
    rate_labels = _find(layout, seed, "gst 5%") + _find(layout, seed, "hst 13%")
    cells = [
        (_one(rate_labels, "the tax cell"), truth.tax_total),
        (_one(_find(layout, seed, f"invoice total {truth.currency}"), "total"), truth.total),
        (_one(_find(layout, seed, "balance due"), "balance due"), truth.amount_due),
    ]
    for label, value in cells:
        centre = (label[1] + label[3]) / 2
        assert any(
            spot[0] == label[0] and 0 < spot[2] - label[4] < 12 and spot[1] < centre < spot[3]
            for spot in _amount(layout, seed, value)
        ), value
    ship_to = _one(_find(layout, seed, "ship to"), "ship to")
    po = _one(_find(layout, seed, f"p.o. number: {truth.po_number}"), "po")
    assert po[0] == 0 and po[1] >= ship_to[1] - 5 and po[2] > ship_to[2]
    assert "release no.:" in _pages(layout, seed)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_australian_invoice_prints_the_total_large_and_the_breakdown_small_under_it(
    seed: int,
) -> None:
    layout = "wild12_total_first"
    truth = _truth(layout, seed)
    number = LAYOUTS[layout].number
    big = [
        span
        for span in _spans(layout, seed)
        if span[5].endswith(format_number(truth.total, number)) and span[4] >= 20
    ]
    page, bottom = big[0][0], big[0][2]
    assert len(big) == 1
    for value in (truth.subtotal, truth.tax_total):
        under = [
            span
            for span in _spans(layout, seed)
            if span[0] == page
            and span[1] > bottom
            and span[5].endswith(format_number(value, number))
        ]
        assert under and all(span[4] <= 7.5 for span in under), value
    assert "tax invoice" in _pages(layout, seed)[0] and "delivery docket" in _text(layout, seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_uk_totals_stand_left_of_a_signature_block_and_give_the_vat_base(seed: int) -> None:
    layout = "wild12_signature_left"
    truth = _truth(layout, seed)
    assert truth.subtotal is not None
    subtotal = f"£{format_number(truth.subtotal, LAYOUTS[layout].number)}"
    vat = _one(_find(layout, seed, f"vat @ 20% on {subtotal}"), "the VAT line")
    signed = _one(_find(layout, seed, "print name"), "print name")
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    middle = document[0].rect.width / 2
    document.close()
    assert vat[0] == signed[0] and vat[3] < middle < signed[1]
    assert abs(vat[2] - signed[2]) < 40
    assert printed(_text(layout, seed), "sub total")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_grid_invoice_has_no_subtotal_and_its_totals_are_rows_of_the_item_grid(
    seed: int,
) -> None:
    layout = "wild12_grid_totals"
    truth = _truth(layout, seed)
    assert truth.subtotal is None and truth.tax_total is not None
    assert "subtotal" not in _text(layout, seed) and "sub total" not in _text(layout, seed)
    label = _one(_find(layout, seed, "invoice total"), "invoice total")
    heads = [spot for spot in _find(layout, seed, "description") if spot[0] == label[0]]
    quantity = [spot for spot in _find(layout, seed, "qty") if spot[0] == label[0]]
    assert heads and quantity
    assert heads[0][1] < label[1] and label[3] < quantity[0][1]
    amounts = [spot for spot in _find(layout, seed, "amount") if spot[0] == label[0]]
    total = [spot for spot in _amount(layout, seed, truth.total) if abs(spot[2] - label[2]) < 2]
    assert abs(_one(total, "the total")[3] - amounts[0][3]) < 1
    assert "bol no." in _pages(layout, seed)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_untaxed_invoice_ends_its_total_labels_at_the_middle_of_the_page(seed: int) -> None:
    layout = "wild12_centre_totals"
    truth = _truth(layout, seed)
    assert truth.tax_total is None and truth.subtotal is None
    assert "no sales tax" in _text(layout, seed)
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    middle = document[0].rect.width / 2
    document.close()
    label = _one(_find(layout, seed, "balance due"), "balance due")
    value = [
        spot for spot in _amount(layout, seed, truth.amount_due) if abs(spot[2] - label[2]) < 2
    ]
    assert middle - 20 < label[3] < middle < _one(value, "balance")[1] < middle + 20
