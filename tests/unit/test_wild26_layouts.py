"""The twenty-sixth wild family (time-and-material and cost-plus invoices from the trades: a
daily ticket summary with a total row after each work date, a crew labour sheet with workers,
classifications and one pay type per row, straight-time / overtime / total-hours columns, a
cost-plus sheet with cost, markup % and sell price, a "Cost + 15%" priced column, and equipment
rows with hour-meter readings): generator properties only. Every design is deterministic,
prints every truth value it claims, keeps its text on the paper, and varies from seed to seed;
every item row starts with a work date that is neither the invoice date nor the due date; and
each design's distractors (daily totals, costs, markups, meter readings) agree with the truth
the way a real T&M invoice's arithmetic does."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD26_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    all_date_forms,
    format_number,
    format_price,
    format_quantity,
)
from models import LineItem
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
# A seed whose invoice runs over more than one page, for each design.
LONG_SEEDS = {
    "wild26_daily_totals": 1004,
    "wild26_crew_labor": 1004,
    "wild26_st_ot_hours": 1000,
    "wild26_cost_markup": 1001,
    "wild26_cost_plus": 1015,
    "wild26_equipment_meter": 1002,
}
# The items the content draws that bill by the hour.
HOURLY = (
    "Journeyman electrician labor",
    "Carpenter labor",
    "Drywall finisher labor",
    "Laborer, site cleanup",
    "Excavator 20T",
)
LABOUR = HOURLY[:4]
WORK_DATE = re.compile(r"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4}")


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _items(layout: str, seed: int) -> list[LineItem]:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return list(truth.line_items)


@cache
def _rows(layout: str, seed: int) -> tuple[tuple[str, ...], ...]:
    """Each printed line of words across the page (a table row's first line), all pages."""
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    rows: list[tuple[str, ...]] = []
    for page in document:
        lines: dict[float, list[tuple[float, str]]] = {}
        for word in page.get_text("words"):
            lines.setdefault(round(word[3], 0), []).append((word[0], word[4]))
        rows += [tuple(text for _, text in sorted(lines[y])) for y in sorted(lines)]
    document.close()
    return tuple(rows)


@cache
def _cells(layout: str, seed: int) -> tuple[tuple[str, float], ...]:
    """Each text line with its left edge, all pages."""
    document: Any = pymupdf.open(stream=_document(layout, seed).pdf)
    cells = tuple(
        ("".join(span["text"] for span in line["spans"]), float(line["bbox"][0]))
        for page in document
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
    )
    document.close()
    return cells


def _item_rows(layout: str, seed: int) -> list[tuple[LineItem, tuple[str, ...]]]:
    """Each item with the printed row that ends in its amount, in order."""
    number = LAYOUTS[layout].number
    rows, found, start = _rows(layout, seed), [], 0
    for item in _items(layout, seed):
        assert item.amount is not None
        amount = format_number(item.amount, number)
        index = next(i for i in range(start, len(rows)) if rows[i] and rows[i][-1] == amount)
        found.append((item, rows[index]))
        start = index + 1
    return found


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "").rstrip("%"))


def _places(value: Decimal) -> Decimal:
    return Decimal(1).scaleb(-max(2, -int(value.normalize().as_tuple().exponent)))


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD26_LAYOUTS) == 6
    assert all(name.startswith("wild26_") and name in LAYOUTS for name in WILD26_LAYOUTS)
    assert set(WILD26_LAYOUTS) == set(LONG_SEEDS)


@pytest.mark.parametrize("layout", WILD26_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD26_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD26_LAYOUTS)
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
        assert item.cost_code is None


@pytest.mark.parametrize("layout", WILD26_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD26_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seed = LONG_SEEDS[layout]
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    assert len(_pages(layout, seed)) > 1
    assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("layout", WILD26_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_item_row_starts_with_a_work_date_that_is_no_header_date(
    layout: str, seed: int
) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_date is not None and truth.due_date is not None
    header = all_date_forms(truth.invoice_date) | all_date_forms(truth.due_date)
    for _, row in _item_rows(layout, seed):
        opening = " ".join(row[:3])
        match = WORK_DATE.match(opening)
        assert match is not None, row
        assert match.group(0) not in header, row


@pytest.mark.parametrize("seed", SEEDS)
def test_each_day_closes_with_a_total_row_that_adds_up_its_items(seed: int) -> None:
    layout = "wild26_daily_totals"
    number = LAYOUTS[layout].number
    days: dict[str, Decimal] = {}
    for item, row in _item_rows(layout, seed):
        day = WORK_DATE.match(" ".join(row[:3]))
        assert day is not None and item.amount is not None
        days[day.group(0)] = days.get(day.group(0), Decimal(0)) + item.amount
    totals = [
        (match.group(1), match.group(2))
        for text, _ in _cells(layout, seed)
        if (match := re.fullmatch(r"Total (.+): ([\d,.]+)", text))
    ]
    if len(_items(layout, seed)) >= 2:
        assert len(days) >= 2
        assert totals == [(day, format_number(total, number)) for day, total in days.items()]
    else:
        assert totals == []  # one day alone gets no daily total


@pytest.mark.parametrize("seed", SEEDS)
def test_crew_rows_name_a_worker_a_classification_and_one_pay_type(seed: int) -> None:
    layout = "wild26_crew_labor"
    raw = " ".join(text for text, _ in _cells(layout, seed))
    assert all(title in raw for title in ("Worker", "Classification", "Pay", "Hrs/Qty"))
    assert "ST Hrs" not in raw and "OT Hrs" not in raw  # no split of hours: one type per row
    for item, row in _item_rows(layout, seed):
        assert item.description is not None and item.unit is None
        pay = [word for word in row if word in ("ST", "OT", "DT")]
        if item.description.startswith(HOURLY):
            assert len(pay) == 1 and re.search(r"[A-Z]\. [A-Z]", " ".join(row)), row
        else:
            assert pay == [] and "Material" in row


@pytest.mark.parametrize("seed", SEEDS)
def test_straight_and_overtime_hours_add_up_to_the_total_hours(seed: int) -> None:
    layout = "wild26_st_ot_hours"
    number = LAYOUTS[layout].number
    raw = " ".join(text for text, _ in _cells(layout, seed))
    assert all(title in raw for title in ("ST Hrs", "OT Hrs", "Total Hrs/Qty"))
    for item, row in _item_rows(layout, seed):
        assert item.description is not None and item.quantity is not None
        if not item.description.startswith(HOURLY):
            continue
        straight, overtime, total = row[-5:-2]
        assert total == format_quantity(item.quantity, number)
        extra = Decimal(0) if overtime == "-" else _decimal(overtime)
        assert _decimal(straight) + extra == item.quantity


@pytest.mark.parametrize("seed", SEEDS)
def test_cost_marked_up_rounds_to_the_sell_price_which_is_the_unit_price(seed: int) -> None:
    layout = "wild26_cost_markup"
    number = LAYOUTS[layout].number
    for item, row in _item_rows(layout, seed):
        assert item.unit_price is not None and item.quantity is not None
        cost, markup, sell = row[-4], row[-3], row[-2]
        assert markup.endswith("%") and sell == format_price(item.unit_price, number)
        rate = _decimal(markup) / 100
        marked = (_decimal(cost) * (1 + rate)).quantize(_places(item.unit_price), ROUND_HALF_UP)
        assert marked == item.unit_price and _decimal(cost) < item.unit_price
        assert item.amount == (item.quantity * item.unit_price).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_the_cost_plus_column_carries_the_markup_on_every_line_not_a_total_line(
    seed: int,
) -> None:
    layout = "wild26_cost_plus"
    cells = [text for text, _ in _cells(layout, seed)]
    heading = next(text for text in cells if text.startswith("Cost + "))
    rate = _decimal(heading.removeprefix("Cost + ")) / 100
    assert rate in (Decimal("0.1"), Decimal("0.15"), Decimal("0.2"))
    for item, row in _item_rows(layout, seed):
        assert item.unit_price is not None and item.unit is None  # the unit sits in the Qty cell
        cost = _decimal(row[-3])
        marked = (cost * (1 + rate)).quantize(_places(item.unit_price), ROUND_HALF_UP)
        assert marked == item.unit_price
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    assert truth.subtotal == sum(item.amount or 0 for item in truth.line_items)
    start, end = cells.index("Subtotal"), cells.index("Total Due")
    labels = [text for text in cells[start : end + 1] if not text.startswith("$")]
    assert all(re.fullmatch(r"Subtotal|Sales Tax [\d.]+%|Total Due", text) for text in labels)


def test_equipment_rows_carry_hour_meter_readings_that_span_the_billed_hours() -> None:
    layout = "wild26_equipment_meter"
    number = LAYOUTS[layout].number
    machines = 0
    for seed in SEEDS:
        for item, row in _item_rows(layout, seed):
            assert item.description is not None and item.quantity is not None
            tagged = any(re.fullmatch(r"(EX|SK|SL|PT)-\d{3}", word) for word in row)
            assert tagged == item.description.startswith(
                ("Excavator", "Skid steer", "Scissor lift", "Concrete pump")
            ), row
            if item.description.startswith("Excavator"):
                start, end, hours = row[-6:-3]
                assert hours == format_quantity(item.quantity, number)
                assert _decimal(end) - _decimal(start) == item.quantity
            machines += tagged
    assert machines >= 3
