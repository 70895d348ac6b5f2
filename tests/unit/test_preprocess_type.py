"""Faint print and type size before OCR: faint strokes darkened beside dark ones, and a page
rescaled so its letters are the size Tesseract reads best."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.preprocess import Gray, darken_faint_ink, fit_type_size, typical_glyph_height


def _text_page(grey: int, scale: float, lines: int = 12, width: int = 900) -> Gray:
    """A white page with rows of printed letters in one grey, at `scale` (OpenCV font)."""
    height = int(lines * 40 * scale) + 40
    page = np.full((height, width), 255, np.uint8)
    for row in range(lines):
        y = int((row + 1) * 40 * scale)
        cv2.putText(page, "TOTAL RM 12.50 CASH", (10, y), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (grey,), 2, cv2.LINE_AA)  # fmt: skip
    return page


def test_faint_print_beside_dark_print_is_darkened() -> None:
    page = _text_page(170, 1.0)
    title = _text_page(0, 1.0, lines=3)
    both = np.vstack([title, page])
    out = darken_faint_ink(both)
    faint_ink = page < 220
    lower = out[title.shape[0] :]
    assert np.median(lower[faint_ink]) < 110 < np.median(page[faint_ink])
    top = out[: title.shape[0]]  # dark print keeps its shape: paper stays white, ink barely grows
    assert np.array_equal(top == 255, title == 255)
    assert np.count_nonzero(top < 128) <= 1.15 * np.count_nonzero(title < 128)


def test_a_page_of_dark_print_is_left_alone() -> None:
    page = _text_page(0, 1.0)
    assert darken_faint_ink(page) is page


def test_bare_paper_and_specks_are_not_darkened() -> None:
    paper = np.full((600, 600), 250, np.uint8)
    paper[300, 300] = 200
    out = darken_faint_ink(paper)
    assert out[300, 300] >= 190 and int(out.min()) >= 190


def test_tiny_type_is_enlarged_and_its_resolution_follows() -> None:
    page = _text_page(0, 0.3, width=300)
    small = typical_glyph_height(page)
    assert small is not None and small < 12
    scaled, dpi = fit_type_size(page, 100.0)
    assert scaled.shape[0] > 2 * page.shape[0]
    assert (
        dpi == 100.0 * scaled.shape[1] / page.shape[1]
        or abs(dpi / 100.0 - scaled.shape[1] / page.shape[1]) < 0.01
    )
    grown = typical_glyph_height(scaled)
    assert grown is not None and 18 <= grown <= 40


def test_type_of_a_normal_size_is_not_rescaled() -> None:
    page = _text_page(0, 1.0)
    scaled, dpi = fit_type_size(page, 300.0)
    assert scaled is page and dpi == 300.0


def test_huge_type_is_reduced() -> None:
    page = _text_page(0, 3.0, width=2600)
    scaled, dpi = fit_type_size(page, 96.0)
    assert scaled.shape[0] < page.shape[0] and dpi < 96.0


def test_a_blank_page_has_no_typical_glyph_height() -> None:
    assert typical_glyph_height(np.full((400, 400), 255, np.uint8)) is None
