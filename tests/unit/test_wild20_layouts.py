"""The twentieth wild family (ordinary construction invoices written with the text-layer habits
of real PDF producers: glyph-by-glyph runs, letter-spaced labels and justified text, a condensed
horizontal scale with clipped cells, simulated bold, a scrambled content-stream order with a
hidden OCR layer, and a landscape print turned by /Rotate): generator properties only. Every
design is deterministic, prints every truth value it claims, keeps its text on the paper, and
varies from seed to seed; PyMuPDF's words still carry every truth value; and each design shows
the habit it stands for."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD20_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    format_date,
    format_number,
    format_price,
    format_quantity,
)
from fixtures.generator.wild20 import BOLD_OFFSET
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
PAPER = {
    "wild20_glyph_runs": (612.0, 792.0),
    "wild20_tracked_labels": (595.0, 842.0),
    "wild20_condensed": (612.0, 792.0),
    "wild20_fake_bold": (612.0, 792.0),
    "wild20_stream_order": (612.0, 792.0),
    "wild20_rotated_landscape": (792.0, 612.0),  # as it reads; the paper itself is portrait
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


@cache
def _traces(layout: str, seed: int) -> tuple[tuple[tuple[int, str, str, float], ...], ...]:
    """Per page, every text-show as (render type, font, text, left x), in content order."""
    document = _open(layout, seed)
    pages = tuple(
        tuple(
            (
                span["type"],
                span["font"],
                "".join(chr(char[0]) for char in span["chars"]),
                span["bbox"][0],
            )
            for span in page.get_texttrace()
        )
        for page in document
    )
    document.close()
    return pages


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD20_LAYOUTS) == 6
    assert all(name.startswith("wild20_") and name in LAYOUTS for name in WILD20_LAYOUTS)
    assert set(PAPER) == set(WILD20_LAYOUTS)


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
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


def _word_lines(layout: str, seed: int) -> Iterator[str]:
    """Each line of PyMuPDF's words, its words joined by spaces and (so glyph runs that
    PyMuPDF left apart merge again) without them."""
    document = _open(layout, seed)
    for page in document:
        lines: dict[tuple[int, int], list[str]] = {}
        for word in page.get_text("words"):
            lines.setdefault((word[5], word[6]), []).append(word[4])
        for words in lines.values():
            yield " ".join(words).casefold()
            yield "".join(words).casefold()
    document.close()


def _truth_strings(document: GeneratedDocument, layout: str) -> list[str]:
    """The printed form of every single-line truth value."""
    truth = document.truth.invoice
    assert truth is not None
    number = LAYOUTS[layout].number
    strings = [
        value
        for value in (
            truth.vendor.name,
            truth.vendor.phone,
            truth.vendor.tax_id,
            truth.vendor.email,
            truth.bill_to.name,
            truth.invoice_number,
            truth.po_number,
            truth.payment_terms,
            truth.project.number if truth.project else None,
            truth.project.name if truth.project else None,
        )
        if value
    ]
    strings += [
        format_number(value, number)
        for value in (truth.subtotal, truth.tax_total, truth.total, truth.amount_due)
        if value is not None
    ]
    for item in truth.line_items:
        assert item.amount is not None
        strings.append(format_number(item.amount, number))
        if item.unit_price is not None:
            strings.append(format_price(item.unit_price, number))
    return strings


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pymupdf_words_on_a_line_carry_every_truth_value(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    lines = "\n".join(_word_lines(layout, seed))
    for value in _truth_strings(document, layout):
        assert value.casefold() in lines, value
    truth = document.truth.invoice
    assert truth is not None and truth.invoice_date is not None
    printed_dates = {
        format_date(truth.invoice_date, style) for style in LAYOUTS[layout].date_styles
    }
    assert any(form.casefold() in lines for form in printed_dates)


def _unturned(pdf: bytes) -> bytes:
    """The same pages without their /Rotate, to measure text against the paper itself."""
    document: Any = pymupdf.open(stream=pdf)
    for page in document:
        page.set_rotation(0)
    data: bytes = document.tobytes()
    document.close()
    return data


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(_unturned(document.pdf)) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf = _open(layout, seed)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD20_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in range(1000, 1012) if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        truth = _document(layout, seed).truth.invoice
        assert truth is not None and truth.invoice_number is not None
        assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_report_writer_shows_every_glyph_on_its_own(seed: int) -> None:
    traces = _traces("wild20_glyph_runs", seed)
    assert all(len(text) == 1 for page in traces for _, _, text, _ in page)
    truth = _document("wild20_glyph_runs", seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    document = _open("wild20_glyph_runs", seed)
    words = {word[4] for word in document[0].get_text("words")}
    document.close()
    assert truth.invoice_number in words  # PyMuPDF merges the glyphs back into one word


def _natural(text: str, font: str, size: float) -> float:
    return float(pymupdf.get_text_length(text, fontname=font, fontsize=size))


def _word_boxes(layout: str, seed: int) -> list[tuple[str, float]]:
    """First-page words with their widths."""
    document = _open(layout, seed)
    words = [(word[4], word[2] - word[0]) for word in document[0].get_text("words")]
    document.close()
    return words


def _extra_advances(word: str, seed: int) -> list[float]:
    """How much farther each glyph of a first-page word starts than the one before it ends by
    its own advance: the tracking the producer added."""
    document = _open("wild20_tracked_labels", seed)
    for block in document[0].get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                chars = span["chars"]
                text = "".join(char["c"] for char in chars)
                if word not in text:
                    continue
                start = text.index(word)
                run = chars[start : start + len(word)]
                font = "hebo" if "Bold" in span["font"] else "helv"
                document.close()
                return [
                    b["origin"][0] - a["origin"][0] - _natural(a["c"], font, span["size"])
                    for a, b in itertools.pairwise(run)
                ]
    document.close()
    raise AssertionError(f"{word!r} not on the first page")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_layout_package_letter_spaces_its_labels_and_justifies_its_terms(seed: int) -> None:
    truth = _document("wild20_tracked_labels", seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    # 'TERMS' is a bold 8 pt label set with 0.7 pt after each glyph; the number a plain value.
    assert _extra_advances("TERMS", seed) == pytest.approx([0.7] * 4, abs=0.02)
    assert _extra_advances(truth.invoice_number, seed) == pytest.approx(
        [0.0] * (len(truth.invoice_number) - 1), abs=0.02
    )
    document = _open("wild20_tracked_labels", seed)
    last = document[-1]
    top, foot = last.search_for("TERMS AND")[0].y1, last.search_for("Contractor Lic.")[0].y0
    measure = last.rect.width / 2 + 25  # the paragraph's right edge
    terms = [w for w in last.get_text("words") if top < w[1] and w[3] < foot and w[2] <= measure]
    document.close()
    rows: dict[float, list[Any]] = {}
    for word in terms:
        rows.setdefault(round(word[3], 1), []).append(word)
    gaps = [b[0] - a[2] for row in rows.values() for a, b in itertools.pairwise(row)]
    space = _natural(" ", "helv", 6.8)
    assert max(gaps) > 1.5 * space  # justified: some word spaces stretched well past a space
    widths = sorted(max(w[2] for w in row) - min(w[0] for w in row) for row in rows.values())
    assert len(widths) >= 3
    assert all(width == pytest.approx(widths[-1], abs=1.0) for width in widths[1:])  # flush


@pytest.mark.parametrize("seed", SEEDS)
def test_the_condensed_print_is_scaled_and_clips_its_notes_in_narrow_cells(seed: int) -> None:
    truth = _document("wild20_condensed", seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    words = dict(_word_boxes("wild20_condensed", seed))
    natural = _natural(truth.invoice_number, "helv", 8.5)
    assert words[truth.invoice_number] == pytest.approx(natural * 0.82, abs=0.15)
    document = _open("wild20_condensed", seed)
    page = document[0]
    contents = page.read_contents()
    caption = page.search_for("Delivery Instructions")[0]
    cell = next(
        pymupdf.Rect(path["rect"])
        for path in page.get_drawings()
        if pymupdf.Rect(path["rect"]).contains(caption) and path["rect"].height < 30
    )
    note = next(
        pymupdf.Rect(span["bbox"])
        for span in page.get_texttrace()
        if cell.contains(pymupdf.Point(span["chars"][0][2])) and span["bbox"][1] > caption.y1
    )
    document.close()
    assert b" re W n " in contents  # a clip path around each note
    assert cell.x0 < note.x0 and note.x1 > cell.x1  # the note runs on past its narrow cell


def _fonts(layout: str, seed: int) -> set[str]:
    document = _open(layout, seed)
    names = {font[3] for page in document for font in page.get_fonts()}
    document.close()
    return names


@pytest.mark.parametrize("seed", SEEDS)
def test_the_print_driver_simulates_bold_by_drawing_each_word_twice(seed: int) -> None:
    truth = _document("wild20_fake_bold", seed).truth.invoice
    assert truth is not None and truth.amount_due is not None
    assert _fonts("wild20_fake_bold", seed) == {"Times-Roman"}  # no bold face at all
    last = _traces("wild20_fake_bold", seed)[-1]
    due = format_number(truth.amount_due, LAYOUTS["wild20_fake_bold"].number)
    shows = [x for _, _, text, x in last if text.endswith(due)]
    assert len(shows) == 2 and shows[1] - shows[0] == pytest.approx(BOLD_OFFSET, abs=0.01)
    labels = [x for _, _, text, x in last if text == "Amount Due"]
    assert len(labels) == 2 and labels[1] - labels[0] == pytest.approx(BOLD_OFFSET, abs=0.01)
    text = _text("wild20_fake_bold", seed)
    assert "amount due amount due" in text  # what a text layer with simulated bold reads
    assert re.search(rf"\$?{re.escape(due)} \$?{re.escape(due)}", text)  # the amount twice


@pytest.mark.parametrize("seed", SEEDS)
def test_the_content_stream_runs_labels_then_values_then_the_table_bottom_up(seed: int) -> None:
    document = _document("wild20_stream_order", seed)
    truth = document.truth.invoice
    assert truth is not None and truth.invoice_number is not None
    first = _pages("wild20_stream_order", seed)[0]
    assert first.startswith("invoice no. invoice no. date date")  # labels first, one hidden
    assert first.index("ship to") < first.index(truth.invoice_number.casefold())
    if len(_pages("wild20_stream_order", seed)) == 1 and len(truth.line_items) > 1:
        top, bottom = truth.line_items[0], truth.line_items[-1]
        assert top.amount is not None and bottom.amount is not None
        number = LAYOUTS["wild20_stream_order"].number
        last_row = f" {format_number(bottom.amount, number)} "
        first_row = f" {format_number(top.amount, number)} "
        assert first.index(last_row) < first.index(first_row) or last_row == first_row
    assert truth.vendor.name is not None
    assert first.rindex(truth.vendor.name.casefold()) > first.index("description")


@pytest.mark.parametrize("layout", ["wild20_stream_order", "wild20_rotated_landscape"])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_hidden_ocr_layer_only_repeats_what_is_printed(layout: str, seed: int) -> None:
    traces = _traces(layout, seed)
    hidden = [text for page in traces for kind, _, text, _ in page if kind == 3]
    visible = {text for page in traces for kind, _, text, _ in page if kind != 3}
    assert hidden and set(hidden) <= visible
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_number in hidden
    visible_text = " ".join(sorted(visible)).casefold()
    for value in _truth_strings(_document(layout, seed), layout):
        assert value.casefold() in visible_text, value  # the visible text alone reads the truth


@pytest.mark.parametrize("seed", SEEDS)
def test_the_landscape_print_is_turned_by_rotate_on_portrait_paper(seed: int) -> None:
    document = _open("wild20_rotated_landscape", seed)
    for page in document:
        assert page.rotation == 90
        assert (page.mediabox.width, page.mediabox.height) == (612.0, 792.0)
        directions = {
            line["dir"]
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
        }
        assert directions == {(0.0, -1.0)}  # the text runs up the paper, upright once turned
    document.close()
    assert printed(_pages("wild20_rotated_landscape", seed)[0], "invoice no.")
