"""The seventeenth wild family (invoices printed by construction firms' software: a field-service
app, a construction-accounting package, a residential builder platform, an Australian
small-business accounting package, a cloud ERP and a spreadsheet estimate turned invoice):
generator properties only. Every design is deterministic, prints every truth value it claims,
keeps its text on the paper, and varies from seed to seed; and each prints the conventions of
its package with the distractor numbers under their own labels."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD17_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.content import generate_content
from fixtures.generator.formats import (
    format_number,
    format_price,
    format_quantity,
)
from fixtures.generator.wild17 import line_gst
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
PAPER = {
    "wild17_field_service": (612.0, 792.0),
    "wild17_cre_accounting": (612.0, 792.0),
    "wild17_owner_invoice": (612.0, 792.0),
    "wild17_au_tax_invoice": (595.0, 842.0),
    "wild17_cloud_erp": (612.0, 792.0),
    "wild17_excel_estimate": (612.0, 792.0),
}
_MONEY = r"\$?([\d,]+\.\d\d)"


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


def _after(text: str, label: str) -> Decimal:
    """The amount printed right after a label."""
    found = re.search(re.escape(label) + " " + _MONEY, text)
    assert found is not None, label
    return _amount(found.group(1))


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD17_LAYOUTS) == 6
    assert all(name.startswith("wild17_") and name in LAYOUTS for name in WILD17_LAYOUTS)
    assert set(PAPER) == set(WILD17_LAYOUTS)


@pytest.mark.parametrize("layout", WILD17_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD17_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD17_LAYOUTS)
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


@pytest.mark.parametrize("layout", WILD17_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD17_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf: Any = pymupdf.open(stream=_document(layout, seed).pdf)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD17_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1030) if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        truth = _document(layout, seed).truth.invoice
        assert truth is not None and truth.invoice_number is not None
        assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_field_service_invoice_has_a_big_title_a_job_card_and_a_balance(seed: int) -> None:
    truth = _document("wild17_field_service", seed).truth.invoice
    assert truth is not None and truth.project is not None and truth.amount_due is not None
    text = _text("wild17_field_service", seed)
    assert printed(text, f"invoice #{truth.invoice_number}")
    job = re.search(r"job # (\S+) job name", text)
    assert job is not None and job.group(1) == (truth.project.number or "").casefold()
    assert re.search(r"tech: [a-z]\. [a-z]+ \(tech id t-\d{3}\)", text) is not None
    assert re.search(r"visit # v\d{6}", text) is not None
    assert _after(text, "paid") == 0
    assert _after(text, "balance") == truth.amount_due
    details = len(re.findall(r"material - from|labor - performed by|flat-rate service", text))
    assert details == len(truth.line_items)  # a grey detail line under every item


def _fonts(pdf: bytes) -> set[str]:
    document: Any = pymupdf.open(stream=pdf)
    names = {font[3] for page in document for font in page.get_fonts()}
    document.close()
    return names


@pytest.mark.parametrize("seed", SEEDS)
def test_the_accounting_print_is_courier_with_cost_codes_categories_and_net_due(
    seed: int,
) -> None:
    document = _document("wild17_cre_accounting", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.retainage is not None and truth.amount_due is not None
    assert _fonts(document.pdf) == {"Courier", "Courier-Bold"}
    text = _text("wild17_cre_accounting", seed)
    assert "cost code cat description units um unit cost invoice amount" in text
    assert "job-phase-cat" in text
    for item in truth.line_items:
        assert re.search(rf"{re.escape(item.cost_code or '?')} [1-4]00 ", text), item.cost_code
    assert _after(text, "invoice amount") == truth.total
    assert _after(text, "net due") == truth.amount_due
    assert truth.amount_due == truth.total - truth.retainage


def _group_count(lines: int) -> int:
    return 1 + (lines >= 3) + (lines >= 6)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_owner_invoice_groups_its_lines_under_cost_groups(seed: int) -> None:
    truth = _document("wild17_owner_invoice", seed).truth.invoice
    assert truth is not None and truth.project is not None and truth.total is not None
    text = _text("wild17_owner_invoice", seed)
    assert "owner invoice" in _pages("wild17_owner_invoice", seed)[0]
    assert text.count("cost group: ") == _group_count(len(truth.line_items))
    assert printed(text, f"project # {truth.project.number}")
    assert _after(text, "invoice total") == truth.total
    assert _after(text, "amount paid") == 0
    assert _after(text, "balance due") == truth.amount_due == truth.total
    assert truth.subtotal is None and truth.tax_total is None  # an owner invoice without tax


@pytest.mark.parametrize("seed", SEEDS)
def test_the_australian_tax_invoice_prints_gst_on_every_line_and_a_payment_advice(
    seed: int,
) -> None:
    document = _document("wild17_au_tax_invoice", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.currency == "AUD" and truth.tax_total is not None
    text, pages = _text("wild17_au_tax_invoice", seed), _pages("wild17_au_tax_invoice", seed)
    assert "tax invoice" in pages[0] and "gst amount aud" in pages[0]
    if truth.vendor.tax_id is not None:
        assert printed(text, f"abn {truth.vendor.tax_id}")
    shares = line_gst(generate_content(LAYOUTS["wild17_au_tax_invoice"].profile, _rng(seed)))
    assert sum(shares, Decimal(0)) == truth.tax_total
    slack = Decimal("0.005") * (len(shares) + 1)  # the rounding left over, on one line
    for item, share in zip(truth.line_items, shares, strict=True):
        assert item.amount is not None
        assert abs(share - item.amount / 10) <= slack
        assert printed(text, f"{format_number(share, LAYOUTS['wild17_au_tax_invoice'].number)} ")
    assert _after(text, "total inc. gst") == truth.total
    advice = pages[-1][pages[-1].index("payment advice") :]
    assert printed(advice, f"invoice number {truth.invoice_number}")
    assert "amount enclosed" in advice


def _rng(seed: int) -> random.Random:
    """The random source `generate_invoice` draws this layout's content from."""
    return random.Random(f"wild17_au_tax_invoice:{seed}")


def _near(found: Any, colour: tuple[float, float, float]) -> bool:
    """A drawing's colour as stored (rounded floats) is the given one."""
    return found is not None and all(abs(a - b) < 0.005 for a, b in zip(found, colour, strict=True))


def _filled(pdf: bytes, colour: tuple[float, float, float]) -> list[list[Any]]:
    """Per page, the rectangles filled with a colour."""
    document: Any = pymupdf.open(stream=pdf)
    rects = [
        [pymupdf.Rect(path["rect"]) for path in page.get_drawings() if _near(path["fill"], colour)]
        for page in document
    ]
    document.close()
    return rects


@pytest.mark.parametrize("seed", SEEDS)
def test_the_erp_invoice_has_a_tall_header_band_and_a_totals_grid(seed: int) -> None:
    document = _document("wild17_cloud_erp", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.subtotal is not None and truth.total is not None
    bands = _filled(document.pdf, (0.2, 0.24, 0.3))
    assert all(any(rect.height >= 36 and rect.width > 500 for rect in page) for page in bands)
    text = _text("wild17_cloud_erp", seed)
    assert "line amount excl." in text and "unit of measure" in text
    assert "external document no. (po)" in text and "sales order no." in text
    assert _after(text, "total excl. tax") == truth.subtotal
    assert _after(text, "total incl. tax") == truth.total
    assert _after(text, "amount due") == truth.amount_due


@pytest.mark.parametrize("seed", SEEDS)
def test_the_spreadsheet_invoice_highlights_its_total_in_yellow(seed: int) -> None:
    document = _document("wild17_excel_estimate", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.total is not None
    pdf: Any = pymupdf.open(stream=document.pdf)
    last = pdf[-1]
    total = format_number(truth.total, LAYOUTS["wild17_excel_estimate"].number)
    hits = last.search_for(total)
    yellow = _filled(document.pdf, (1.0, 1.0, 0.0))[-1]
    first = pdf[0].get_drawings()
    gridlines = sum(1 for path in first if _near(path["color"], (0.78, 0.78, 0.78)))
    pdf.close()
    assert yellow and hits
    assert any(rect.contains(hit) for rect in yellow for hit in hits)
    assert gridlines >= 30
    text = _text("wild17_excel_estimate", seed)
    assert re.search(r"converted from estimate e-20\d\d-\d{3}", text) is not None
    assert re.search(r"estimate # e-20\d\d-\d{3}", text) is not None
    assert text.count("$ ") >= 2 * len(truth.line_items)  # accounting format: sign at the left
