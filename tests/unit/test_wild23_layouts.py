"""The twenty-third wild family (invoices with little or odd structure: an e-mail body printed
from a browser, a fully centred invoice, items flowing in two column groups, items as
paragraphs, a dot-matrix print on greenbar paper, and a word-processor table with a merged
"Price" header): generator properties only. Every design is deterministic, prints every truth
value it claims, keeps its text on the paper, and varies from seed to seed; and each design
shows the odd structure it stands for, with its distractors under their own labels."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD23_LAYOUTS, GeneratedDocument, generate_invoice
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
    "wild23_email_print": (612.0, 792.0),
    "wild23_centred": (612.0, 792.0),
    "wild23_two_column_items": (612.0, 792.0),
    "wild23_item_paragraphs": (595.0, 842.0),
    "wild23_dot_matrix": (684.0, 792.0),  # 9.5 x 11 in tractor-feed stock
    "wild23_merged_header_table": (612.0, 792.0),
}
# A seed whose invoice runs over more than one page, for each design.
LONG_SEEDS = {
    "wild23_email_print": 1015,
    "wild23_centred": 1006,
    "wild23_two_column_items": 1023,
    "wild23_item_paragraphs": 1000,
    "wild23_dot_matrix": 1000,
    "wild23_merged_header_table": 1004,
}


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


def _raw(layout: str, seed: int) -> str:
    """The text layer as printed, case kept."""
    document = _open(layout, seed)
    text = "\n".join(page.get_text() for page in document)
    document.close()
    return text


def _lines(layout: str, seed: int, page: int = 0) -> list[tuple[str, pymupdf.Rect]]:
    """Each text line of a page with its box."""
    document = _open(layout, seed)
    lines = [
        ("".join(span["text"] for span in line["spans"]), pymupdf.Rect(line["bbox"]))
        for block in document[page].get_text("dict")["blocks"]
        for line in block.get("lines", [])
    ]
    document.close()
    return lines


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD23_LAYOUTS) == 6
    assert all(name.startswith("wild23_") and name in LAYOUTS for name in WILD23_LAYOUTS)
    assert set(PAPER) == set(WILD23_LAYOUTS) == set(LONG_SEEDS)


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
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
        if item.cost_code is not None:
            assert printed(text, f" {item.cost_code} "), item.cost_code


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_values_are_printed_as_the_truth_spells_them_not_in_capitals(
    layout: str, seed: int
) -> None:
    raw, truth = _raw(layout, seed), _document(layout, seed).truth.invoice
    assert truth is not None and truth.project is not None
    for value in (truth.vendor.name, truth.bill_to.name, truth.project.name, truth.payment_terms):
        assert value is not None and value in raw, value
    for item in truth.line_items:
        assert item.description is not None
        assert item.description.split(" ")[0] in raw


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf = _open(layout, seed)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD23_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seed = LONG_SEEDS[layout]
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    assert len(_pages(layout, seed)) > 1
    assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_email_print_has_mail_headers_sentences_and_a_signature(seed: int) -> None:
    document = _document("wild23_email_print", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.invoice_date is not None and truth.project is not None
    assert truth.due_date is not None and truth.vendor.name is not None
    assert truth.invoice_number is not None
    text = _text("wild23_email_print", seed)
    subject = f"subject: invoice {truth.invoice_number} - {truth.project.name}".casefold()
    assert text.index("from:") < text.index("sent:") < text.index("to:") < text.index(subject)
    sent = re.search(r"sent: \w+day, (\w+ \d+, \d{4})", text)
    assert sent is not None  # the sent date is another day than the invoice's or its due date
    assert sent.group(1) not in {
        form.casefold()
        for day in (truth.invoice_date, truth.due_date)
        for form in all_date_forms(day)
    }
    assert re.search(rf"our invoice {re.escape(truth.invoice_number.casefold())} dated ", text)
    assert "payment is due by" in text
    thanks = text.index("thanks,")
    assert text.index(truth.vendor.name.casefold(), thanks) > thanks  # signed with the firm
    document_pdf = _open("wild23_email_print", seed)
    fonts = {font[3] for font in document_pdf[0].get_fonts()}
    document_pdf.close()
    assert {"Courier", "Helvetica"} <= fonts  # a plain-text table inside a proportional body


@pytest.mark.parametrize("seed", SEEDS)
def test_every_line_of_the_centred_invoice_is_centred(seed: int) -> None:
    document = _open("wild23_centred", seed)
    middle = document[0].rect.width / 2
    document.close()
    lines = _lines("wild23_centred", seed)
    assert len(lines) > 15
    assert all((box.x0 + box.x1) / 2 == pytest.approx(middle, abs=1.5) for _, box in lines)
    truth = _document("wild23_centred", seed).truth.invoice
    assert truth is not None
    number = LAYOUTS["wild23_centred"].number
    text = _text("wild23_centred", seed)
    for item in truth.line_items:
        assert item.quantity is not None and item.unit_price is not None
        assert item.amount is not None and item.unit is None  # unit only inside the item line
        quantity = format_quantity(item.quantity, number)
        tail = f"@ {format_price(item.unit_price, number)} = {format_number(item.amount, number)}"
        assert re.search(rf"{re.escape(quantity)} [a-z]{{2}} ", text)
        assert printed(text, tail), tail


@pytest.mark.parametrize("seed", SEEDS)
def test_the_items_flow_in_two_column_groups_with_their_own_headings(seed: int) -> None:
    truth = _document("wild23_two_column_items", seed).truth.invoice
    assert truth is not None
    lines = _lines("wild23_two_column_items", seed)
    middle = PAPER["wild23_two_column_items"][0] / 2
    headings = [box for text, box in lines if text == "Description"]
    if len(truth.line_items) >= 2:
        assert len(headings) == 2  # one heading row per group, side by side
        assert headings[0].y0 == pytest.approx(headings[1].y0, abs=0.5)
        assert sorted(box.x0 < middle for box in headings) == [False, True]
        number = LAYOUTS["wild23_two_column_items"].number
        last = truth.line_items[-1]
        assert last.amount is not None
        amount = format_number(last.amount, number)
        assert any(text == amount and box.x0 > middle for text, box in lines)
    else:
        assert len(headings) == 1
    assert all(item.unit is None for item in truth.line_items)


@pytest.mark.parametrize("seed", SEEDS)
def test_each_item_is_a_paragraph_with_a_quantity_price_and_amount_line(seed: int) -> None:
    truth = _document("wild23_item_paragraphs", seed).truth.invoice
    assert truth is not None
    raw = _raw("wild23_item_paragraphs", seed)
    number = LAYOUTS["wild23_item_paragraphs"].number
    for index, item in enumerate(truth.line_items, 1):
        assert item.quantity is not None and item.unit_price is not None
        assert item.amount is not None and item.description is not None
        assert item.unit is None  # written after the quantity, not in a column of its own
        pattern = (
            rf"Quantity: {re.escape(format_quantity(item.quantity, number))} [A-Z]{{2}}"
            rf"\s+Unit price: \$?{re.escape(format_price(item.unit_price, number))}"
            rf"\s+Amount: \$?{re.escape(format_number(item.amount, number))}"
        )
        assert re.search(pattern, raw), pattern
        assert f"{index}. {item.description.split(' ')[0]}" in raw


@pytest.mark.parametrize("seed", SEEDS)
def test_the_dot_matrix_print_is_courier_with_a_key_list_and_totals_far_right(seed: int) -> None:
    truth = _document("wild23_dot_matrix", seed).truth.invoice
    assert truth is not None and truth.total is not None
    document = _open("wild23_dot_matrix", seed)
    fonts = {font[3] for page in document for font in page.get_fonts()}
    holes = [path for path in document[0].get_drawings() if path["rect"].width < 12]
    document.close()
    assert fonts == {"Courier"}
    assert len(holes) >= 30  # tractor-feed holes down both edges
    raw = _raw("wild23_dot_matrix", seed)
    assert "SOLD TO:" in raw and "EXTENSION" in raw
    assert re.search(r"INVOICE NO\. +: .+ {2,}P\.O\. NO\. : ", raw)  # two keys on one line
    pages = range(len(_pages("wild23_dot_matrix", seed)))
    lines = [line for page in pages for line in _lines("wild23_dot_matrix", seed, page)]
    total = format_number(truth.total, LAYOUTS["wild23_dot_matrix"].number)
    row = next(box for text, box in lines if "TOTAL" in text and text.endswith(total))
    assert row.x1 > PAPER["wild23_dot_matrix"][0] - 110  # at the far right of the print


@pytest.mark.parametrize("seed", SEEDS)
def test_the_price_heading_is_a_merged_cell_over_unit_and_total(seed: int) -> None:
    lines = _lines("wild23_merged_header_table", seed)
    price = next(box for text, box in lines if text == "Price")
    unit = next(box for text, box in lines if text == "Unit")
    total = next(box for text, box in lines if text == "Total" and box.y0 < price.y1 + 20)
    assert unit.y0 > price.y1 and total.y0 == pytest.approx(unit.y0, abs=0.5)
    assert unit.x1 < (price.x0 + price.x1) / 2 < total.x0  # centred over both sub-columns
    document = _open("wild23_merged_header_table", seed)
    rules = [path["rect"] for path in document[0].get_drawings()]
    document.close()
    below_price = [
        r for r in rules if r.height < 1 and price.y1 < r.y0 < unit.y0 and r.x0 < unit.x0
    ]
    assert below_price and below_price[0].x1 > total.x1  # the merged cell's lower border
    between = (unit.x1 + total.x0) / 2
    assert not any(  # no divider between Unit and Total beside the merged cell
        r.width < 1 and r.x0 < between + 30 and r.x0 > unit.x1 and r.y0 < price.y1 for r in rules
    )
