"""The OpenCV clean-up before OCR: flatten, turn, deskew, even the light, paint out rules."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pymupdf
import pytest

from extractors.preprocess import (
    Gray,
    binarise,
    border_and_hole_mask,
    clean_page,
    decode_gray,
    erase_rules,
    estimate_skew,
    even_lighting,
    find_page_quad,
    find_rules,
    invert_dark_panels,
    lines_run_vertically,
    warp_quad,
)
from fixtures.generator import generate_invoice
from fixtures.generator.scan import PROFILES, degrade_page, scan_document

DPI = 120  # enough for geometry, and quick


@pytest.fixture(scope="module")
def page() -> Gray:
    doc = generate_invoice("classic_left", 21)
    with pymupdf.open(stream=doc.pdf, filetype="pdf") as pdf:
        pixmap = pdf[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
        array = np.frombuffer(pixmap.samples, dtype=np.uint8)
        return array.reshape(pixmap.height, pixmap.width).copy()


def _rotated(image: Gray, degrees: float) -> Gray:
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return np.asarray(cv2.warpAffine(image, matrix, (width, height), borderValue=(255,)))


@pytest.mark.parametrize("angle", [-7.5, -4.2, -1.0, 0.0, 2.6, 5.0, 9.0])
def test_skew_is_estimated_within_a_degree(page: Gray, angle: float) -> None:
    assert estimate_skew(_rotated(page, angle)) == pytest.approx(-angle, abs=1.0)


def test_a_skewed_page_is_straightened(page: Gray) -> None:
    cleaned = clean_page(_rotated(page, 4.0), DPI)
    assert cleaned.skew == pytest.approx(-4.0, abs=0.5)
    assert abs(estimate_skew(cleaned.image)) < 0.5


def test_text_lines_running_down_the_page_are_noticed(page: Gray) -> None:
    assert not lines_run_vertically(page)
    assert lines_run_vertically(np.ascontiguousarray(np.rot90(page)))
    assert not lines_run_vertically(np.ascontiguousarray(np.rot90(page, 2)))


def test_a_page_turned_by_90_degrees_is_turned_back_to_horizontal_lines(page: Gray) -> None:
    cleaned = clean_page(np.ascontiguousarray(np.rot90(page, 3)), DPI)
    assert cleaned.quarter_turns == 1
    assert cleaned.image.shape == page.shape


def test_a_phone_photo_is_found_and_flattened(page: Gray) -> None:
    photo = degrade_page(page, PROFILES["phone_photo"], random.Random(4))
    quad = find_page_quad(photo)
    assert quad is not None
    flat = warp_quad(photo, quad)
    # The page comes back with its own proportions (Letter: 8.5 x 11) and straight lines.
    assert flat.shape[1] / flat.shape[0] == pytest.approx(page.shape[1] / page.shape[0], rel=0.04)
    assert abs(estimate_skew(flat)) < 1.0
    assert clean_page(photo, DPI, photo=True).flattened


def test_a_page_that_fills_the_frame_is_not_warped(page: Gray) -> None:
    assert find_page_quad(page) is None
    banner = generate_invoice("banner_gst", 2)  # a dark band across the top must not fool it
    with pymupdf.open(stream=banner.pdf, filetype="pdf") as pdf:
        png = pdf[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY).tobytes("png")
    assert find_page_quad(decode_gray(png)) is None


def test_a_shadow_is_evened_out(page: Gray) -> None:
    ramp = np.linspace(1.0, 0.45, page.shape[1], dtype=np.float32)[None, :]
    shadowed = (page.astype(np.float32) * ramp).astype(np.uint8)
    paper = page > 200
    before = np.percentile(shadowed[paper], 95) - np.percentile(shadowed[paper], 5)
    evened = even_lighting(shadowed)
    after = np.percentile(evened[paper], 95) - np.percentile(evened[paper], 5)
    assert before > 80 and after < 25


def test_scanner_borders_and_punch_holes_are_painted_out(page: Gray) -> None:
    dirty = page.copy()
    dirty[:, :12] = 0  # a black scanner edge down the left side
    for y in (page.shape[0] // 4, 3 * page.shape[0] // 4):
        cv2.circle(dirty, (40, y), int(0.12 * DPI), (0,), -1)  # 6 mm punch holes
    mask = border_and_hole_mask(binarise(dirty), DPI)
    assert mask is not None
    assert mask[:, :12].all()
    assert mask[page.shape[0] // 4, 40] and mask[3 * page.shape[0] // 4, 40]
    text = binarise(page) < 128
    assert (mask[text] > 0).mean() < 0.01  # the letters stay


def test_table_rules_are_found_and_painted_white(page: Gray) -> None:
    binary = binarise(page)
    rules = find_rules(binary, DPI)
    horizontal = [r for r in rules if r[2] - r[0] > 3 * DPI]
    assert len(horizontal) >= 3  # the item table of this layout is ruled
    erased = erase_rules(binary, rules)
    for x0, y0, x1, y1 in horizontal:
        assert (erased[y0:y1, x0:x1] == 255).all()


def test_a_fax_page_is_read_at_a_sensible_resolution_and_kept_upright() -> None:
    fax = scan_document(generate_invoice("classic_left", 21), 1, PROFILES["fax_200"])
    with pymupdf.open(stream=fax.data, filetype="tiff") as doc:
        pixmap = doc[0].get_pixmap(colorspace=pymupdf.csGRAY)
    gray = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width)
    cleaned = clean_page(gray.copy(), 200)
    assert cleaned.quarter_turns == 0 and abs(cleaned.skew) <= 1.5


def test_white_type_on_a_dark_banner_becomes_dark_type_on_light_paper() -> None:
    page = np.full((1100, 850), 255, np.uint8)
    page[40:140, :] = 60  # a letterhead banner in a dark accent colour
    cv2.putText(page, "Anchor Ready Mix", (60, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255, 3)
    cv2.putText(page, "Body text stays", (60, 400), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    out = invert_dark_panels(page)
    banner, body = out[40:140, :], out[300:500, :]
    assert banner.mean() > 150  # the panel is light now ...
    assert (banner < 60).sum() > 1000  # ... and its letters are dark
    assert np.array_equal(body, page[300:500, :])  # dark type on paper is left alone


def test_a_logo_disc_or_a_bold_word_is_no_panel() -> None:
    page = np.full((1100, 850), 255, np.uint8)
    cv2.circle(page, (80, 80), 30, 0, -1)
    cv2.putText(page, "INVOICE", (500, 100), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 8)
    assert np.array_equal(invert_dark_panels(page), page)
