"""The twenty-fourth wild family (designer invoice templates as small construction firms fill
them in: coloured bands with white text, dingbat or lettered contact icons, letter-spaced,
numbered, pill or bullet labels, rounded alternating rows without rules, totals in a dark band
with an amount-due pill or in a card of labels above big values, and an italic thank-you):
generator properties only. Every design is deterministic, prints every truth value it claims,
keeps its text on the paper, and varies from seed to seed; and each design shows the template
parts it stands for, with its distractors under their own labels."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD24_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    format_date,
    format_number,
    format_price,
    format_quantity,
)
from fixtures.generator.wild24 import spaced
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1008)
LETTER, A4 = (612.0, 792.0), (595.0, 842.0)
PAPER = {
    "wild24_canva_band": LETTER,
    "wild24_word_numbered": A4,
    "wild24_etsy_serif": LETTER,
    "wild24_envato_retainage": A4,
    "wild24_pill_labels": LETTER,
    "wild24_bullet_card": A4,
}
# A seed whose invoice runs over more than one page, for each design.
LONG_SEEDS = {
    "wild24_canva_band": 1001,
    "wild24_word_numbered": 1001,
    "wild24_etsy_serif": 1000,
    "wild24_envato_retainage": 1005,
    "wild24_pill_labels": 1001,
    "wild24_bullet_card": 1002,
}
BAND_TOTALS = ("wild24_canva_band", "wild24_envato_retainage", "wild24_pill_labels")
CARD_TOTALS = ("wild24_word_numbered", "wild24_etsy_serif", "wild24_bullet_card")
DINGBAT_CONTACTS = ("wild24_canva_band", "wild24_etsy_serif", "wild24_pill_labels")
LETTER_CONTACTS = ("wild24_word_numbered", "wild24_envato_retainage", "wild24_bullet_card")
WHITE = 0xFFFFFF


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
def _raw(layout: str, seed: int) -> str:
    """The text layer as printed, case kept."""
    document = _open(layout, seed)
    text = "\n".join(page.get_text() for page in document)
    document.close()
    return text


@cache
def _spans(layout: str, seed: int) -> tuple[tuple[int, str, str, float, int, Any], ...]:
    """Every span of every page: page, text, font, size, colour and box."""
    document = _open(layout, seed)
    spans = tuple(
        (page.number, span["text"], span["font"], span["size"], span["color"], span["bbox"])
        for page in document
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
    )
    document.close()
    return spans


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD24_LAYOUTS) == 6
    assert all(name.startswith("wild24_") and name in LAYOUTS for name in WILD24_LAYOUTS)
    assert set(PAPER) == set(WILD24_LAYOUTS) == set(LONG_SEEDS)
    assert set(BAND_TOTALS) | set(CARD_TOTALS) == set(WILD24_LAYOUTS)
    assert set(DINGBAT_CONTACTS) | set(LETTER_CONTACTS) == set(WILD24_LAYOUTS)


def test_spaced_labels_put_one_space_between_letters_and_two_between_words() -> None:
    assert spaced("Invoice to") == "I N V O I C E  T O"


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    invoices = [_document(layout, seed).truth.invoice for seed in SEEDS]
    numbers = {invoice.invoice_number for invoice in invoices if invoice is not None}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
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


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_values_are_printed_as_the_truth_spells_them(layout: str, seed: int) -> None:
    raw, truth = _raw(layout, seed), _document(layout, seed).truth.invoice
    assert truth is not None and truth.project is not None
    for value in (truth.vendor.name, truth.bill_to.name, truth.project.name, truth.payment_terms):
        assert value is not None and value in raw, value


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
def test_each_design_prints_on_its_own_paper(layout: str) -> None:
    for seed in SEEDS:
        pdf = _open(layout, seed)
        sizes = {(page.rect.width, page.rect.height) for page in pdf}
        pdf.close()
        assert sizes == {PAPER[layout]}


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seed = LONG_SEEDS[layout]
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_number is not None
    assert len(_pages(layout, seed)) > 1
    assert all(printed(page, truth.invoice_number) for page in _pages(layout, seed))


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_number_is_huge_beside_the_title_and_the_dates_share_one_line(
    layout: str, seed: int
) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.invoice_date is not None and truth.due_date is not None
    assert truth.invoice_number is not None
    spans = _spans(layout, seed)
    title = next(span for span in spans if span[1] == "INVOICE")
    hashed = next(span for span in spans if span[1].strip() == f"#{truth.invoice_number}")
    assert hashed[3] >= 20 and hashed[5][1] < title[5][3] and hashed[5][3] > title[5][1]
    assert hashed[5][0] >= title[5][2]  # right after the title, on its line
    style = LAYOUTS[layout].date_styles
    issued, due = (
        {format_date(day, s) for s in style} for day in (truth.invoice_date, truth.due_date)
    )
    raw = _raw(layout, seed)
    line = re.search(r"Issued (.+) \u00b7 Due (.+)\n", raw)
    assert line is not None and line.group(1) in issued and line.group(2) in due


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS[:4])
def test_item_rows_sit_on_alternating_rounded_backgrounds_without_rules(
    layout: str, seed: int
) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    document = _open(layout, seed)
    drawings = [path for page in document for path in page.get_drawings()]
    document.close()
    rounded = [path for path in drawings if any(item[0] == "c" for item in path["items"])]
    lines = [path for path in drawings if all(item[0] == "l" for item in path["items"])]
    # every other row, plus at least one heading per page (curves make the corners)
    assert len(rounded) >= (len(truth.line_items) + 1) // 2 + 1
    assert all(path["type"] == "f" for path in rounded)
    assert len(lines) <= 1  # at most the head's accent rule: no table rules


@pytest.mark.parametrize("layout", BAND_TOTALS)
@pytest.mark.parametrize("seed", SEEDS)
def test_band_totals_are_white_on_dark_and_the_amount_due_is_a_big_pill(
    layout: str, seed: int
) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.subtotal is not None and truth.amount_due is not None
    number = LAYOUTS[layout].number
    spans = [span for span in _spans(layout, seed) if span[0] == len(_pages(layout, seed)) - 1]
    subtotal = next(
        span for span in spans if span[1].endswith(format_number(truth.subtotal, number))
    )
    assert subtotal[4] == WHITE
    due = [s for s in spans if s[1].endswith(format_number(truth.amount_due, number))]
    assert any(span[4] == WHITE and span[3] >= 20 for span in due)
    label = "A M O U N T  D U E" if truth.retainage is not None else "T O T A L"
    assert label in _raw(layout, seed)


@pytest.mark.parametrize("layout", CARD_TOTALS)
@pytest.mark.parametrize("seed", SEEDS)
def test_card_totals_print_each_label_above_its_big_value(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.total is not None
    number = LAYOUTS[layout].number
    spans = [span for span in _spans(layout, seed) if span[0] == len(_pages(layout, seed)) - 1]
    label = next(span for span in spans if span[1] == "TOTAL")
    amount = format_number(truth.total, number)
    value = max((span for span in spans if span[1].endswith(amount)), key=lambda span: span[3])
    assert value[3] >= 18 and value[5][1] > (label[5][1] + label[5][3]) / 2  # below its label
    assert value[5][2] == pytest.approx(label[5][2], abs=1.0)  # right-aligned together


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS[:4])
def test_contacts_have_icons_and_the_thanks_is_in_italic(layout: str, seed: int) -> None:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None and truth.vendor.phone is not None
    fonts = {span[2] for span in _spans(layout, seed)}
    raw = _raw(layout, seed)
    if layout in DINGBAT_CONTACTS:
        assert "ZapfDingbats" in fonts
        assert f"% {truth.vendor.phone}" in raw  # the telephone glyph reads as '%'
    else:
        assert f"T: {truth.vendor.phone}" in raw
    assert fonts & {"Helvetica-Oblique", "Times-Italic"}


@pytest.mark.parametrize("seed", SEEDS)
def test_labels_are_letter_spaced_numbered_in_pills_or_bulleted(seed: int) -> None:
    assert "I N V O I C E  T O" in _raw("wild24_canva_band", seed)
    assert "I N V O I C E  T O" in _raw("wild24_etsy_serif", seed)
    for layout in ("wild24_word_numbered", "wild24_envato_retainage"):
        raw = _raw(layout, seed)
        order = [
            raw.index(f"0{n}\n{title}")
            for n, title in enumerate(("INVOICE TO", "PROJECT", "DETAILS", "PAYMENT"), 1)
        ]
        assert order == sorted(order)
    pill = [s for s in _spans("wild24_pill_labels", seed) if s[1] == "INVOICE TO"]
    assert pill and pill[0][4] == WHITE
    bullets = [s for s in _spans("wild24_bullet_card", seed) if s[2] == "ZapfDingbats"]
    assert len(bullets) >= 4


@pytest.mark.parametrize("layout", WILD24_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS[:4])
def test_distractors_sit_under_their_own_labels(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    raw = _raw(layout, seed)
    truth = document.truth.invoice
    assert truth is not None
    for label in ("Fax ", "Customer No. ", "Quote ", "Job site:", "Contractor Lic. "):
        assert label in raw, label
    assert truth.vendor.phone is not None and truth.invoice_number is not None
    assert f"Fax {truth.vendor.phone}" not in raw
