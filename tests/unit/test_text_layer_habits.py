"""The text layer as real PDF producers write it (found on the twentieth wild family): a
landscape print turned by /Rotate, an invisible OCR layer under visible text, bold simulated
by drawing a word twice, and a number whose prefix is set in another font."""

from __future__ import annotations

import pymupdf

from extractors.page import Page
from extractors.text_layer import read_text_layer


def _read(doc: pymupdf.Document) -> Page:
    data = doc.tobytes()
    doc.close()
    with pymupdf.open(stream=data, filetype="pdf") as again:
        return read_text_layer(again[0], 1)


def test_a_page_turned_by_rotate_is_read_as_it_is_shown() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.set_rotation(90)
    # Text written so that it reads upright once the page is turned: shown at (72, 100).
    shown = pymupdf.Point(72, 100) * page.derotation_matrix
    page.insert_text(shown, "Invoice No. 776478", fontsize=10, rotate=90)
    read = _read(doc)
    assert (read.width, read.height) == (792, 612)
    assert [word.text for word in read.words] == ["Invoice", "No.", "776478"]
    first, last = read.words[0].box, read.words[-1].box
    assert abs(first.x0 - 72) < 2 and abs(first.y1 - 100) < 4
    assert last.x0 > first.x1 and abs(last.y0 - first.y0) < 1  # left to right on one line


def test_invisible_text_counts_only_on_a_page_that_shows_none() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Due Date 2026-01-20", fontsize=10)
    page.insert_text((72.7, 100.9), "Due Date 2026-01-20", fontsize=10, render_mode=3)
    assert [word.text for word in _read(doc).words] == ["Due", "Date", "2026-01-20"]
    scan = pymupdf.open()
    scan.new_page().insert_text((72, 100), "Total 12.50", fontsize=10, render_mode=3)
    assert [word.text for word in _read(scan).words] == ["Total", "12.50"]


def test_a_word_drawn_twice_a_hair_apart_is_one_word() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    for dx in (0.0, 0.3):
        page.insert_text((72 + dx, 100), "Amount Due", fontsize=10)
    assert [word.text for word in _read(doc).words] == ["Amount", "Due"]


def test_a_number_whose_prefix_is_set_in_another_font_is_one_word() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    width = pymupdf.get_text_length("INV-", fontname="hebo", fontsize=10)
    page.insert_text((72, 100), "INV-", fontname="hebo", fontsize=10)
    page.insert_text((72 + width, 100), "53654", fontname="helv", fontsize=10)
    page.insert_text((200, 100), "Net 30", fontname="helv", fontsize=10)
    assert [word.text for word in _read(doc).words] == ["INV-53654", "Net", "30"]
