"""Reading a PDF's text layer into the page model, and grouping words into lines."""

from __future__ import annotations

import pymupdf

from extractors.lines import group_lines, split_on_gaps
from extractors.page import Box, TextSource, Word
from extractors.text_layer import read_text_layer


def _pdf_page() -> tuple[pymupdf.Document, pymupdf.Page]:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 72), "ACME Lumber Supply", fontname="hebo", fontsize=18)
    page.insert_text((72, 100), "Invoice #", fontname="helv", fontsize=10)
    page.insert_text((400, 100), "INV-10293", fontname="helv", fontsize=10)
    page.draw_line((72, 120), (540, 120))
    return doc, page


def test_words_carry_their_box_size_and_weight() -> None:
    doc, pdf_page = _pdf_page()
    page = read_text_layer(pdf_page, 1)
    doc.close()
    assert page.source is TextSource.TEXT_LAYER
    assert (page.width, page.height) == (612, 792)
    by_text = {word.text: word for word in page.words}
    assert {"ACME", "Lumber", "Supply", "Invoice", "#", "INV-10293"} <= set(by_text)
    assert by_text["ACME"].bold and by_text["ACME"].size == 18
    assert not by_text["INV-10293"].bold
    assert by_text["INV-10293"].box.x0 >= 399


def test_ruling_lines_are_kept_for_table_finding() -> None:
    doc, pdf_page = _pdf_page()
    page = read_text_layer(pdf_page, 1)
    doc.close()
    assert any(abs(rule.y0 - 120) < 1 and rule.width > 400 for rule in page.rules)


def _word(text: str, x0: float, y0: float, width: float = 30) -> Word:
    return Word(text, Box(x0, y0, x0 + width, y0 + 10))


def test_words_on_one_baseline_form_a_line_read_left_to_right() -> None:
    words = [_word("total", 300, 101), _word("Invoice", 72, 40), _word("Sub", 200, 100)]
    lines = group_lines(words)
    assert [line.text for line in lines] == ["Invoice", "Sub total"]


def test_a_wide_gap_splits_a_line_into_columns() -> None:
    line = group_lines([_word("Date", 72, 50), _word("03/14/2026", 106, 50),
                        _word("Terms", 400, 50)])[0]  # fmt: skip
    assert [part.text for part in split_on_gaps(line, gap=20)] == ["Date 03/14/2026", "Terms"]
