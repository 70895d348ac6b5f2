"""The fresh held-out title-block designs as a generator: deterministic, truth on the page.

Generator properties only, with PyMuPDF at unit-test seeds 1000-1003: nothing here runs an
extractor on these designs and no evaluation seed (960000 and up) is used. Failures name the
design, seed, page and field, never the printed values or where they sit.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import pymupdf
import pytest

import models
from fixtures.drawings import (
    A1,
    ANSI_D,
    ARCH_D,
    ARCH_E,
    DEV_DESIGNS,
    HELD_OUT_DESIGNS,
    GeneratedDrawingSet,
)
from fixtures.drawings import held_out_fresh as fresh
from fixtures.drawings.titleblock import fmt_date

SEEDS = range(1000, 1004)
SHEETS = 4
SIZES = {(round(w), round(h)) for w, h in (ARCH_D, ARCH_E, ANSI_D, A1)}
# Ink reaches about 0.72 of the type size above the baseline and 0.21 below it; PyMuPDF's
# boxes span the whole font box, which overlaps between lines set at ordinary leading.
_ASCENT, _DESCENT = 0.72, 0.21
_TOLERANCE = 0.3

Box = tuple[float, float, float, float]


@cache
def generated(design: str, seed: int) -> GeneratedDrawingSet:
    """Generated once per test session."""
    return fresh.generate_fresh_drawing_set(design, seed, sheets=SHEETS)


def sheets_of(design: str, seed: int) -> list[models.Sheet]:
    drawing_set = generated(design, seed).truth.drawing_set
    assert drawing_set is not None
    sheets: list[models.Sheet] = drawing_set.sheets
    return sheets


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def block_rect(design: str, page: Any) -> pymupdf.Rect:
    return pymupdf.Rect(*fresh.fresh_block_rect(design, page.rect.width, page.rect.height))


def ink_boxes(page: Any) -> list[Box]:
    """Where each span's glyphs put ink; a rotated span keeps its whole box."""
    boxes: list[Box] = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if not span["text"].strip():
                    continue
                x0, y0, x1, y1 = span["bbox"]
                if tuple(round(v, 3) for v in line["dir"]) != (1.0, 0.0):
                    boxes.append((x0, y0, x1, y1))
                    continue
                base, size = span["origin"][1], span["size"]
                boxes.append((x0, base - _ASCENT * size, x1, base + _DESCENT * size))
    return boxes


def _overlap(a: Box, b: Box) -> bool:
    wide = min(a[2], b[2]) - max(a[0], b[0])
    tall = min(a[3], b[3]) - max(a[1], b[1])
    return wide > _TOLERANCE and tall > _TOLERANCE


def block_collisions(boxes: list[Box], block: pymupdf.Rect) -> Iterator[tuple[Box, Box]]:
    """Pairs of overlapping boxes of which at least one touches the title block."""
    touching = [box for box in boxes if _overlap(box, tuple(block))]
    for index, a in enumerate(touching):
        for b in touching[index + 1 :]:
            if _overlap(a, b):
                yield a, b
        for b in boxes:
            if b not in touching and _overlap(a, b):
                yield a, b


def test_the_fresh_designs_are_registered_apart_from_every_other_design() -> None:
    names = fresh.FRESH_HELD_OUT_DESIGNS
    assert len(names) == 3 and len(set(names)) == 3
    assert all(name.startswith("fresh_") for name in names)
    assert not set(names) & (set(DEV_DESIGNS) | set(HELD_OUT_DESIGNS))
    assert set(fresh.FRESH_DESIGNS) == set(names)


@pytest.mark.parametrize("design", fresh.FRESH_HELD_OUT_DESIGNS)
def test_the_same_design_and_seed_give_the_same_bytes(design: str) -> None:
    for seed in SEEDS:
        again = fresh.generate_fresh_drawing_set(design, seed, sheets=SHEETS)
        assert again.pdf == generated(design, seed).pdf, (design, seed)
        assert again.truth == generated(design, seed).truth, (design, seed)
    assert generated(design, SEEDS[0]).pdf != generated(design, SEEDS[1]).pdf


@pytest.mark.parametrize("design", fresh.FRESH_HELD_OUT_DESIGNS)
def test_the_truth_is_a_contract_envelope_of_one_sheet_per_page(design: str) -> None:
    for seed in SEEDS:
        truth = generated(design, seed).truth
        assert models.Envelope.model_validate_json(truth.model_dump_json()) == truth
        assert truth.document_type is models.DocumentType.DRAWING_SET
        assert truth.source == f"{design}-{seed:06d}.pdf"
        with pymupdf.open(stream=generated(design, seed).pdf, filetype="pdf") as pdf:
            assert truth.page_count == pdf.page_count == SHEETS
        for sheet in sheets_of(design, seed):
            latest = sheet.revisions[-1].revision if sheet.revisions else None
            assert sheet.revision == latest, (design, seed, sheet.page)


@pytest.mark.parametrize("design", fresh.FRESH_HELD_OUT_DESIGNS)
def test_every_page_is_a_contract_sheet_size(design: str) -> None:
    for seed in SEEDS:
        with pymupdf.open(stream=generated(design, seed).pdf, filetype="pdf") as pdf:
            for page in pdf:
                size = (round(page.rect.width), round(page.rect.height))
                assert size in SIZES, (design, seed, page.number)


def _expected(design: str, sheet: models.Sheet) -> Iterator[tuple[str, str]]:
    definition = fresh.FRESH_DESIGNS[design]
    assert sheet.sheet_number and sheet.sheet_title and sheet.scale and sheet.project_name
    yield "sheet_number", sheet.sheet_number
    yield "sheet_title", sheet.sheet_title
    yield "scale", sheet.scale
    yield "project_name", sheet.project_name
    if sheet.project_number:
        yield "project_number", sheet.project_number
    if sheet.issue_date:
        yield "issue_date", fmt_date(definition, sheet.issue_date)
    for index, row in enumerate(sheet.revisions):
        assert row.date is not None and row.description is not None
        yield f"revisions[{index}].date", fmt_date(definition, row.date)
        yield f"revisions[{index}].description", row.description


@pytest.mark.parametrize("design", fresh.FRESH_HELD_OUT_DESIGNS)
def test_every_truth_value_is_printed_whole_in_the_title_block(design: str) -> None:
    for seed in SEEDS:
        with pymupdf.open(stream=generated(design, seed).pdf, filetype="pdf") as pdf:
            for sheet in sheets_of(design, seed):
                page = pdf[sheet.page - 1]
                text = _fold(page.get_text("text", clip=block_rect(design, page)))
                for key, value in _expected(design, sheet):
                    assert _fold(value) in text, (design, seed, sheet.page, key)
                marks = set(text.split())
                for index, row in enumerate(sheet.revisions):
                    assert row.revision is not None
                    assert row.revision.casefold() in marks, (design, seed, sheet.page, index)


@pytest.mark.parametrize("design", fresh.FRESH_HELD_OUT_DESIGNS)
def test_title_block_text_collides_with_no_other_text(design: str) -> None:
    for seed in SEEDS:
        with pymupdf.open(stream=generated(design, seed).pdf, filetype="pdf") as pdf:
            for page in pdf:
                block = block_rect(design, page)
                boxes = ink_boxes(page)
                inside = [box for box in boxes if _overlap(box, tuple(block))]
                assert len(inside) > 10, (design, seed, page.number)
                assert next(block_collisions(boxes, block), None) is None, (
                    design,
                    seed,
                    page.number,
                )
                for x0, y0, x1, y1 in inside:  # nothing straddles the block's edge
                    assert block.contains(pymupdf.Rect(x0, y0, x1, y1)), (design, seed, page.number)


def test_the_collision_check_tells_stacked_lines_from_overprinted_ones() -> None:
    with pymupdf.open() as pdf:
        page = pdf.new_page(width=300, height=200)
        block = pymupdf.Rect(20, 20, 280, 180)
        for baseline in (40.0, 40.0 + 9 * 1.2):  # two lines at ordinary leading
            page.insert_text((30, baseline), "SHEET A-101", fontname="helv", fontsize=9)
        assert next(block_collisions(ink_boxes(page), block), None) is None
        page.insert_text((60, 44), "overprinted", fontname="helv", fontsize=9)
        assert next(block_collisions(ink_boxes(page), block), None) is not None


@pytest.mark.parametrize("design", fresh.FRESH_HELD_OUT_DESIGNS)
def test_a_scanned_variant_is_image_only_with_the_same_truth(design: str) -> None:
    digital = fresh.generate_fresh_drawing_set(design, SEEDS[0], sheets=2)
    scanned = fresh.generate_fresh_drawing_set(design, SEEDS[0], sheets=2, scanned=True)
    assert scanned.scanned and scanned.name.endswith("-scan")
    assert scanned.truth == digital.truth
    again = fresh.generate_fresh_drawing_set(design, SEEDS[0], sheets=2, scanned=True)
    assert again.pdf == scanned.pdf, design
    with pymupdf.open(stream=scanned.pdf, filetype="pdf") as pdf:
        assert pdf.page_count == 2
        for page in pdf:
            assert not page.get_text("text").strip(), (design, page.number)
            assert page.get_images(), (design, page.number)
