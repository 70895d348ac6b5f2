"""The twenty-second wild family (invoices on forms someone else designed, and professional fee
invoices: a general contractor's subcontractor invoice form, a municipal-style fee schedule, an
engineer's hours by classification, a testing laboratory's tests with report numbers, a
surveyor's narrative and an architect's fees by phase): generator properties only. Every design
is deterministic, prints every truth value it claims, keeps its text on the paper, and varies
from seed to seed; and each design shows the form or the fee idiom it stands for, with its
distractors under labels of their own."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    LAYOUTS,
    WILD22_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator.formats import (
    format_number,
    format_price,
    format_quantity,
)
from fixtures.generator.wild22 import FORM_ROWS, PHASES, ROLES
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
PAPER = {
    "wild22_gc_subcontractor_form": (612.0, 792.0),
    "wild22_municipal_fee_schedule": (612.0, 792.0),
    "wild22_engineering_hours": (612.0, 792.0),
    "wild22_testing_lab": (595.0, 842.0),
    "wild22_surveyor_narrative": (612.0, 792.0),
    "wild22_architect_phases": (612.0, 792.0),
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


def _truth(layout: str, seed: int) -> Any:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return truth


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD22_LAYOUTS) == 6
    assert all(name.startswith("wild22_") and name in LAYOUTS for name in WILD22_LAYOUTS)
    assert not set(WILD22_LAYOUTS) & (set(ALL_LAYOUTS) | set(DEV_LAYOUTS))
    assert set(PAPER) == set(WILD22_LAYOUTS)


@pytest.mark.parametrize("layout", WILD22_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD22_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    numbers = {_truth(layout, seed).invoice_number for seed in SEEDS}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD22_LAYOUTS)
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
            assert printed(text, f" {item.cost_code} "), item.cost_code


@pytest.mark.parametrize("layout", WILD22_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD22_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf = _open(layout, seed)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD22_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1014) if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        number = _truth(layout, seed).invoice_number
        assert all(printed(page, number) for page in _pages(layout, seed))


def _boxes(layout: str, seed: int) -> list[Any]:
    document = _open(layout, seed)
    rects = [pymupdf.Rect(path["rect"]) for path in document[0].get_drawings()]
    document.close()
    return rects


def _found(layout: str, seed: int, text: str) -> Any:
    document = _open(layout, seed)
    hits = document[0].search_for(text)
    document.close()
    assert hits, text
    return hits[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_subcontractor_form_boxes_each_field_under_its_preprinted_caption(seed: int) -> None:
    layout = "wild22_gc_subcontractor_form"
    truth = _truth(layout, seed)
    assert truth.project is not None and truth.po_number is not None
    fields = {
        "GC JOB NO.": truth.project.number,
        "SUBCONTRACT/PO NO.": truth.po_number,
        "INVOICE NO.": truth.invoice_number,
        "PROJECT NAME": truth.project.name,
    }
    boxes = _boxes(layout, seed)
    for caption, value in fields.items():
        label, shown = _found(layout, seed, caption), _found(layout, seed, value)
        # The smallest box around the caption is the field's box, and the value is inside it.
        box = min((b for b in boxes if b.contains(label)), key=lambda b: b.width * b.height)
        assert box.contains(shown), caption
        assert shown.y0 > label.y1 - 1  # the value is filled in below its caption
    assert "subcontractor (name, address, phone)" in _pages(layout, seed)[0]
    assert "period to" in _pages(layout, seed)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_subcontractor_form_numbers_its_rows_and_leaves_blank_numbered_rows(
    seed: int,
) -> None:
    layout = "wild22_gc_subcontractor_form"
    truth = _truth(layout, seed)
    text = _text(layout, seed)
    count = len(truth.line_items)
    for row in range(1, max(count, FORM_ROWS) + 1):
        assert re.search(rf"(?<![\d.,/-]){row}(?![\d.,/-])", text), row
    if count < FORM_ROWS:
        # The blank pre-printed rows run one number after another with nothing filled in.
        blanks = " ".join(str(row) for row in range(count + 1, FORM_ROWS + 1))
        assert blanks in text
    assert truth.total is not None and truth.retainage is not None
    total = format_number(truth.total, LAYOUTS[layout].number)
    assert re.search(rf"total this invoice \$?{re.escape(total)}", text)
    assert re.search(r"less retainage \d+(\.\d+)?%", text)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_fee_schedule_prints_units_with_their_unit_and_keeps_permit_numbers_apart(
    seed: int,
) -> None:
    layout = "wild22_municipal_fee_schedule"
    truth = _truth(layout, seed)
    text = _text(layout, seed)
    for word in ("fee code", "fee description", "units", "rate", "amount"):
        assert word in text
    for index, item in enumerate(truth.line_items):
        assert item.unit is None  # printed inside the units cell, so not a unit column
        assert item.quantity is not None and item.cost_code is not None
        units = format_quantity(item.quantity, LAYOUTS[layout].number)
        assert re.search(rf" {re.escape(units)} (ea|lf|sf|cy|hr|ls) ", text), index
    permit = re.search(r"permit no\. (bp-\d{4}-\d{5})", text)
    parcel = re.search(r"parcel no\. (\d{3}-\d{3}-\d{2})", text)
    assert permit and parcel
    values = {truth.invoice_number, truth.po_number, truth.project.number}
    assert not {permit.group(1), parcel.group(1)} & {v.casefold() for v in values if v}
    # The tear-off stub repeats the invoice number and the amount due.
    stub = text[text.index("detach and return") :]
    assert printed(stub, truth.invoice_number)
    assert printed(stub, format_number(truth.amount_due, LAYOUTS[layout].number))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engineer_bills_hours_by_classification_beside_a_fee_status(seed: int) -> None:
    layout = "wild22_engineering_hours"
    truth = _truth(layout, seed)
    text = _text(layout, seed)
    assert "hours / qty" in text and "classification" in text
    roles = [role.casefold() for role in ROLES]
    for item in truth.line_items:
        assert item.description is not None
        kinds = roles if item.unit == "HR" else ["expense"]
        assert any(printed_wrapped(text, f"{kind} {item.description}") for kind in kinds)
    status = re.findall(
        r"(authorized fee \(nte\)|previously invoiced|remaining authorization) \$?([\d,]+\.\d\d)",
        text,
    )
    assert len(status) == 3
    amounts = {format_number(truth.total, LAYOUTS[layout].number)}
    assert not {amount for _, amount in status} & amounts


@pytest.mark.parametrize("seed", SEEDS)
def test_the_laboratory_lists_report_and_sample_numbers_in_columns_of_their_own(
    seed: int,
) -> None:
    layout = "wild22_testing_lab"
    truth = _truth(layout, seed)
    text = _text(layout, seed)
    for title in ("report no.", "sample ids", "test performed", "specimens received"):
        assert title in text
    rows = re.findall(r"r-(\d{4}) s(\d{3})-s(\d{3})", text)
    assert len(rows) == len(truth.line_items)
    reports = [int(report) for report, _, _ in rows]
    assert reports == sorted(reports) and len(set(reports)) == len(reports)
    assert all(item.cost_code is None for item in truth.line_items)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_surveyor_writes_a_professional_services_narrative_above_the_table(
    seed: int,
) -> None:
    layout = "wild22_surveyor_narrative"
    truth = _truth(layout, seed)
    first = _pages(layout, seed)[0]
    heading = first.index("professional services for professional land surveying services")
    assert truth.project is not None and truth.project.name is not None
    narrative = first[heading : first.index(" item quantity unit rate amount")]
    assert truth.project.name.casefold() in narrative
    assert len(narrative.split()) > 40
    description = truth.line_items[0].description
    assert description is not None
    assert first.index(description.casefold().split(" ")[0], heading + len(narrative)) > heading
    assert _fonts(layout, seed) <= {"Times-Roman", "Times-Bold"}


def _fonts(layout: str, seed: int) -> set[str]:
    document = _open(layout, seed)
    names = {font[3] for page in document for font in page.get_fonts()}
    document.close()
    return names


_PHASE = re.compile(r"(" + "|".join(p.casefold() for p in PHASES) + r") \((\d+)% complete\)")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_architect_groups_its_items_under_phase_headings(seed: int) -> None:
    layout = "wild22_architect_phases"
    truth = _truth(layout, seed)
    text = _text(layout, seed)
    headings = _PHASE.findall(text)
    assert 1 <= len(headings) <= min(len(PHASES), len(truth.line_items))
    order = [PHASES.index(next(p for p in PHASES if p.casefold() == name)) for name, _ in headings]
    assert order == sorted(order) and len(set(order)) == len(order)
    done = [int(percent) for _, percent in headings]
    assert done == sorted(done, reverse=True)  # earlier phases are further along
    # The first heading comes before the first item; no heading is a line item.
    first = truth.line_items[0].description
    assert first is not None
    assert text.index(headings[0][0]) < text.index(first.casefold())
    descriptions = {(item.description or "").casefold() for item in truth.line_items}
    assert not {f"{name} ({percent}% complete)" for name, percent in headings} & descriptions
    assert all(item.amount is not None for item in truth.line_items)
    # An invoice under an agreement, not a pay application.
    assert "aia b101" in text
    for word in ("application", "certificate", "g702", "architect's certificate"):
        assert word not in text
