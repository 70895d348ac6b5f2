"""The fresh held-out layouts as a generator: deterministic, valid truth, truth on the page.

Generator properties only, at unit-test seeds 1000-1004: nothing here runs an extractor on
these layouts and no evaluation seed (900000 and up) is used. Failures name the layout, seed
and field, never the printed values.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

import models
from fixtures.generator import (
    ALL_LAYOUTS,
    DEV_LAYOUTS,
    FRESH_HELD_OUT_LAYOUTS,
    HELD_OUT_LAYOUTS,
    LAYOUTS,
    STRESS_LAYOUTS,
    GeneratedDocument,
    generate_invoice,
)
from fixtures.generator import held_out_fresh as fresh_module
from fixtures.generator.formats import NumberStyle, format_number

SEEDS = range(1000, 1005)
# Ink reaches about 0.72 of the type size above the baseline and 0.21 below it; PyMuPDF's
# boxes span the whole font box, which overlaps between lines set at ordinary leading.
_ASCENT, _DESCENT = 0.72, 0.21
_PRINTABLE_INSET = 18.0  # points a printer may not reach at every edge
_TOLERANCE = 0.3


@cache
def document(layout: str, seed: int) -> GeneratedDocument:
    """Generated once per test session."""
    return generate_invoice(layout, seed)


def invoice_of(layout: str, seed: int) -> models.Invoice:
    """The truth invoice of a generated document (always present)."""
    invoice = document(layout, seed).truth.invoice
    assert invoice is not None
    return invoice


@cache
def printed_text(layout: str, seed: int) -> str:
    """All pages' text, white space collapsed and case folded."""
    with pymupdf.open(stream=document(layout, seed).pdf, filetype="pdf") as pdf:
        text = " ".join(page.get_text("text") for page in pdf)
    return " ".join(text.split()).casefold()


def printed_tokens(layout: str, seed: int) -> set[str]:
    """Printed words without currency marks, brackets, signs or trailing punctuation."""
    return {word.strip("$()-").rstrip(",.:;") for word in printed_text(layout, seed).split()}


def _money(value: Decimal) -> str:
    return format_number(value, NumberStyle.US).casefold()


Box = tuple[float, float, float, float]


def ink_boxes(page: Any) -> list[Box]:
    """Where each span's glyphs put ink: its width, from ascent above to descent below."""
    boxes = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if span["text"].strip():
                    x0, _, x1, _ = span["bbox"]
                    base, size = span["origin"][1], span["size"]
                    boxes.append((x0, base - _ASCENT * size, x1, base + _DESCENT * size))
    return boxes


def collisions(boxes: list[Box]) -> Iterator[tuple[Box, Box]]:
    """Pairs of boxes that overlap by more than the tolerance both ways."""
    ordered = sorted(boxes, key=lambda box: box[1])
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 :]:
            if b[1] >= a[3]:
                break
            wide = min(a[2], b[2]) - max(a[0], b[0])
            tall = min(a[3], b[3]) - max(a[1], b[1])
            if wide > _TOLERANCE and tall > _TOLERANCE:
                yield a, b


def test_the_fresh_layouts_are_registered_for_evaluation_only() -> None:
    assert fresh_module.FRESH_HELD_OUT_LAYOUTS == FRESH_HELD_OUT_LAYOUTS
    assert len(FRESH_HELD_OUT_LAYOUTS) == 3
    assert all(name.startswith("fresh_") for name in FRESH_HELD_OUT_LAYOUTS)
    assert set(FRESH_HELD_OUT_LAYOUTS) <= set(LAYOUTS)
    others = set(ALL_LAYOUTS) | set(DEV_LAYOUTS) | set(HELD_OUT_LAYOUTS) | set(STRESS_LAYOUTS)
    assert not set(FRESH_HELD_OUT_LAYOUTS) & others


@pytest.mark.parametrize("layout", FRESH_HELD_OUT_LAYOUTS)
def test_the_same_layout_and_seed_give_the_same_bytes(layout: str) -> None:
    for seed in SEEDS:
        again = generate_invoice(layout, seed)
        assert again.pdf == document(layout, seed).pdf, (layout, seed)
        assert again.truth == document(layout, seed).truth, (layout, seed)
    assert document(layout, SEEDS[0]).pdf != document(layout, SEEDS[1]).pdf


@pytest.mark.parametrize("layout", FRESH_HELD_OUT_LAYOUTS)
def test_the_truth_is_a_valid_contract_envelope(layout: str) -> None:
    for seed in SEEDS:
        doc = document(layout, seed)
        truth = doc.truth
        assert models.Envelope.model_validate_json(truth.model_dump_json()) == truth
        assert truth.document_type is models.DocumentType.INVOICE
        assert truth.source == f"{layout}-{seed:06d}.pdf"
        with pymupdf.open(stream=doc.pdf, filetype="pdf") as pdf:
            assert truth.page_count == pdf.page_count
        invoice = invoice_of(layout, seed)
        assert models.check_invoice_arithmetic(invoice) == [], (layout, seed)
        assert invoice.total is not None and invoice.amount_due is not None
        assert invoice.line_items, (layout, seed)


def _header_strings(invoice: models.Invoice) -> Iterator[tuple[str, str | None]]:
    yield "invoice_number", invoice.invoice_number
    yield "vendor.name", invoice.vendor.name
    yield "vendor.phone", invoice.vendor.phone
    yield "vendor.tax_id", invoice.vendor.tax_id
    yield "bill_to.name", invoice.bill_to.name
    yield "po_number", invoice.po_number
    yield "payment_terms", invoice.payment_terms
    yield "project.name", invoice.project.name
    yield "project.number", invoice.project.number


def _header_amounts(invoice: models.Invoice) -> Iterator[tuple[str, Decimal | None]]:
    for key in ("subtotal", "tax_total", "retainage", "total", "amount_due"):
        yield key, getattr(invoice, key)


@pytest.mark.parametrize("layout", FRESH_HELD_OUT_LAYOUTS)
def test_every_truth_header_value_is_printed(layout: str) -> None:
    for seed in SEEDS:
        invoice, text = invoice_of(layout, seed), printed_text(layout, seed)
        tokens = printed_tokens(layout, seed)
        for key, value in _header_strings(invoice):
            assert value is None or value.casefold() in text, (layout, seed, key)
        for key, day in (("invoice_date", invoice.invoice_date), ("due_date", invoice.due_date)):
            forms = fresh_module.date_forms(day) if day is not None else frozenset()
            assert day is None or any(f.casefold() in text for f in forms), (layout, seed, key)
        for key, amount in _header_amounts(invoice):
            assert amount is None or _money(amount) in tokens, (layout, seed, key)
        assert invoice.currency is not None
        marks = {invoice.currency.casefold(), *({"$"} if invoice.currency == "USD" else set())}
        assert any(mark in text for mark in marks), (layout, seed, "currency")


@pytest.mark.parametrize("layout", FRESH_HELD_OUT_LAYOUTS)
def test_every_line_item_is_printed_whole(layout: str) -> None:
    for seed in SEEDS:
        invoice, text = invoice_of(layout, seed), printed_text(layout, seed)
        tokens = printed_tokens(layout, seed)
        for index, line in enumerate(invoice.line_items):
            assert line.description is not None
            # A description may wrap inside its cell, but no word of it is cut or dropped.
            words = line.description.casefold().split()
            assert all(word in text for word in words), (layout, seed, index)
            assert line.amount is not None and _money(line.amount) in tokens, (layout, seed, index)


@pytest.mark.parametrize("layout", FRESH_HELD_OUT_LAYOUTS)
def test_text_neither_collides_nor_leaves_the_printable_page(layout: str) -> None:
    for seed in SEEDS:
        with pymupdf.open(stream=document(layout, seed).pdf, filetype="pdf") as pdf:
            for page in pdf:
                boxes = ink_boxes(page)
                assert boxes, (layout, seed, page.number)
                assert next(collisions(boxes), None) is None, (layout, seed, page.number)
                inset, width, height = _PRINTABLE_INSET, page.rect.width, page.rect.height
                for x0, y0, x1, y1 in boxes:
                    inside = x0 >= inset and y0 >= inset and x1 <= width - inset
                    assert inside and y1 <= height - inset, (layout, seed, page.number)


def test_the_collision_check_tells_stacked_lines_from_overprinted_ones() -> None:
    with pymupdf.open() as pdf:
        page = pdf.new_page(width=300, height=200)
        for baseline in (40.0, 40.0 + 9 * 1.2):  # two lines at ordinary leading
            page.insert_text((30, baseline), "Invoice 2026/0131", fontname="helv", fontsize=9)
        assert next(collisions(ink_boxes(page)), None) is None
        page.insert_text((60, 44), "overprinted", fontname="helv", fontsize=9)
        assert next(collisions(ink_boxes(page)), None) is not None
