"""Whether a page's text layer is usable or the page must be OCRed, and at what resolution."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.document import OpenedDocument, open_document
from extractors.limits import Limits
from extractors.page import Box, Page, Word
from extractors.text_quality import (
    PageImages,
    TextVerdict,
    _is_stamp,
    _suspicious,
    assess_text_layer,
    bad_char_share,
    choose_dpi,
    measure_page_images,
)
from fixtures.generator import generate_invoice
from fixtures.generator.scan import PROFILES, scan_document


def _page(texts: list[str], width: float = 612, height: float = 792) -> Page:
    words = tuple(
        Word(
            text, Box(40 + 60 * (i % 8), 40 + 14 * (i // 8), 90 + 60 * (i % 8), 52 + 14 * (i // 8))
        )
        for i, text in enumerate(texts)
    )
    return Page(1, width, height, words)


PROSE = ["Invoice", "Number", "INV-10293", "Date", "2026-03-14", "Bill", "To", "Apex", "Total"]


def test_a_page_with_ordinary_text_is_usable() -> None:
    assert assess_text_layer(_page(PROSE * 5)).usable


def test_no_text_needs_ocr() -> None:
    verdict = assess_text_layer(_page([]))
    assert not verdict.usable and verdict.reason == "no text layer"


@pytest.mark.parametrize(
    "garbage",
    [
        ["\ufffd\ufffd\ufffd\ufffd"] * 30,  # replacement characters
        ["\ue000\ue001\ue002"] * 30,  # private use: a font without a ToUnicode map
        ["\x01\x02\x03\x04"] * 30,  # control codes: raw glyph ids
        ["!!!", "...", "~~~", "+++"] * 10,  # no letters or digits at all
    ],
)
def test_garbage_encodings_need_ocr(garbage: list[str]) -> None:
    verdict = assess_text_layer(_page(garbage))
    assert not verdict.usable and "garbage" in verdict.reason


def test_a_scan_with_only_a_stamp_as_text_needs_ocr() -> None:
    stamp = _page(["RECEIVED", "NOV", "28", "2026", "AP", "DEPT"])
    assert assess_text_layer(stamp, PageImages(coverage=0.98, dpi=200)).usable is False
    # The same few words on a born-digital page (no big image) are what the page says.
    assert assess_text_layer(stamp, PageImages()).usable is True


def test_a_scan_with_a_full_invisible_text_layer_is_usable() -> None:
    assert assess_text_layer(_page(PROSE * 6), PageImages(coverage=1.0, dpi=300)).usable


def test_bad_char_share_counts_only_suspicious_characters() -> None:
    assert bad_char_share("Invoice 12") == 0.0
    assert bad_char_share("ab\ufffd\ufffd") == 0.5


@pytest.mark.parametrize(
    ("images", "dpi"),
    [
        (PageImages(), 300),  # vector page
        (PageImages(0.2, 72), 300),  # a small logo does not decide the resolution
        (PageImages(1.0, 72), 72),  # a 72-DPI image keeps its pixels (OCR scales by type size)
        (PageImages(1.0, 10), 50),  # ... but a nonsense resolution is not believed
        (PageImages(1.0, 240), 240),  # a scan is read at its own resolution
        (PageImages(1.0, 600), 300),  # a 600-DPI scan is down-sampled
    ],
)
def test_choose_dpi(images: PageImages, dpi: int) -> None:
    assert choose_dpi(images) == dpi


def test_page_images_of_a_scan_and_of_a_born_digital_page() -> None:
    doc = generate_invoice("classic_left", 3)
    scanned = scan_document(doc, 3, PROFILES["scanned_pdf_150"])
    for data, coverage, dpi in ((doc.pdf, 0.0, None), (scanned.data, 1.0, 150.0)):
        opened = open_document(data, Limits())
        assert isinstance(opened, OpenedDocument)
        with opened:
            page = next(opened.pages())
            images = measure_page_images(page.handle, page.width, page.height)
        assert images.coverage == pytest.approx(coverage, abs=0.05)
        assert images.dpi == (None if dpi is None else pytest.approx(dpi, rel=0.02))


def test_a_broken_page_handle_counts_as_no_images() -> None:
    class Broken:
        def get_image_info(self) -> list[dict[str, object]]:
            raise RuntimeError("bad xref")

    assert measure_page_images(Broken(), 612, 792) == PageImages()


def test_images_are_measured_only_when_they_can_change_the_verdict() -> None:
    def never() -> PageImages:
        raise AssertionError("a page full of text needs no image measured")

    assert assess_text_layer(_page(PROSE * 5), never).usable
    stamp = _page(["RECEIVED", "NOV", "28", "2026", "AP", "DEPT"])
    assert assess_text_layer(stamp, lambda: PageImages(coverage=0.98, dpi=200)).usable is False
    assert assess_text_layer(stamp, lambda: PageImages()).usable is True


def _verdict_as_before(page: Page, images: PageImages) -> TextVerdict:
    """The three-pass reading the single pass replaced."""
    text = " ".join(word.text for word in page.words)
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return TextVerdict(False, "no text layer")
    if sum(1 for c in chars if _suspicious(c)) / len(chars) > 0.2:
        return TextVerdict(False, "the text layer is garbage (unmapped glyphs)")
    if sum(1 for c in chars if c.isalnum()) / len(chars) < 0.3:
        return TextVerdict(False, "the text layer is garbage (few letters or digits)")
    if images.coverage >= 0.6 and (len(chars) < 20 or _is_stamp(page)):
        return TextVerdict(False, "the page is a scanned image with only a stamp or header as text")
    return TextVerdict(True)


_GLYPHS = st.sampled_from(["a", "Z", "7", " ", "\t", "\x01", "\x1f", "\x85", "\ufffd", "\ue000",
                           "\u0378", "é", "ß", "€", "-", ".", "\u00a0", "\u2028"])  # fmt: skip


@given(st.lists(st.text(_GLYPHS, max_size=6), max_size=40), st.sampled_from([0.0, 0.7]))
def test_the_single_pass_judges_as_the_three_passes_did(texts: list[str], cover: float) -> None:
    page, images = _page(texts), PageImages(coverage=cover)
    assert assess_text_layer(page, images) == _verdict_as_before(page, images)
