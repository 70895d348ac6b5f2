"""Classifying documents by weighted vocabulary and page geometry."""

from __future__ import annotations

import pytest

from extractors.classify import classify_document, is_sheet_sized
from extractors.page import Box, Page, Word
from models import DocumentType

LETTER = (612.0, 792.0)
ANSI_D = (34 * 72.0, 22 * 72.0)


def page(text: str, size: tuple[float, float] = LETTER, number: int = 1) -> Page:
    """A page whose words are `text` split on spaces, laid out left to right."""
    words = tuple(
        Word(token, Box(10.0 * i, 10.0, 10.0 * i + 8, 20.0)) for i, token in enumerate(text.split())
    )
    return Page(number, size[0], size[1], words)


@pytest.mark.parametrize(
    "text",
    [
        "ACME Supply INVOICE Invoice Number INV-1 Bill To Apex Subtotal 10.00 Total Due 10.00",
        "Muster GmbH Rechnung Rechnungsnummer 2026-17 Zwischensumme MwSt 19 %",
        "Dupont SARL Facture Numéro de facture F-12 Total HT TVA Total TTC",
        "Construcciones SL Factura Número de factura 77 IVA Importe",
        "Bouw BV Factuur Factuurnummer 2026-4 BTW Te betalen",
        "Holz AG Gutschrift Nr. 5 Zwischensumme MwSt",
        "Supply Co CREDIT NOTE number CN-7 Subtotal",
    ],
)
def test_invoices_and_credit_notes_in_five_languages(text: str) -> None:
    assert classify_document([page(text)]) is DocumentType.INVOICE


def test_an_aia_g702_is_a_pay_application() -> None:
    g702 = (
        "APPLICATION AND CERTIFICATE FOR PAYMENT AIA DOCUMENT G702 APPLICATION NO: 7 "
        "PERIOD TO: 05/31/2026 ORIGINAL CONTRACT SUM CONTRACT SUM TO DATE RETAINAGE "
        "LESS PREVIOUS CERTIFICATES FOR PAYMENT CURRENT PAYMENT DUE BALANCE TO FINISH"
    )
    g703 = "CONTINUATION SHEET G703 SCHEDULE OF VALUES WORK COMPLETED RETAINAGE"
    pages = [page(g702), page(g703, number=2)]
    assert classify_document(pages) is DocumentType.PAY_APPLICATION


def test_a_conditional_waiver_is_a_lien_waiver() -> None:
    text = (
        "CONDITIONAL WAIVER AND RELEASE ON PROGRESS PAYMENT Claimant: Summit Drywall "
        "Customer: Apex Builders Through Date: 05/31/2026 lien rights"
    )
    assert classify_document([page(text)]) is DocumentType.LIEN_WAIVER


def test_a_large_sparse_sheet_with_a_title_block_is_a_drawing_set() -> None:
    sheet = page('FIRST FLOOR PLAN SCALE: 1/4" = 1\'-0" DRAWN BY: JK SHEET A-101', ANSI_D)
    assert classify_document([sheet, page("A-102 SHEET SCALE", ANSI_D, 2)]) is (
        DocumentType.DRAWING_SET
    )


def test_a_letter_page_with_title_block_words_is_not_a_drawing() -> None:
    assert classify_document([page("SHEET SCALE DRAWN BY A-101")]) is DocumentType.UNKNOWN


def test_text_without_known_vocabulary_is_unknown() -> None:
    assert classify_document([page("Dear neighbour, the fence will be painted on Monday")]) is (
        DocumentType.UNKNOWN
    )


def test_no_pages_is_unknown() -> None:
    assert classify_document([]) is DocumentType.UNKNOWN


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (ANSI_D, True),
        ((17 * 72.0, 11 * 72.0), True),
        (LETTER, False),
        ((22 * 72.0, 34 * 72.0), False),
    ],
)
def test_sheet_size_means_at_least_17_by_11_inches_landscape(
    size: tuple[float, float], expected: bool
) -> None:
    assert is_sheet_sized(Page(1, size[0], size[1], ())) is expected


def test_german_compound_words_still_say_invoice() -> None:
    """Handelsrechnung, Rechnungskorrektur, Gesamtbetrag: the stem counts inside a compound."""
    words = [
        Word(text, Box(72 + 80 * i, 72, 140 + 80 * i, 82))
        for i, text in enumerate(["Handelsrechnung", "Nr.", "E2018", "Gesamtbetrag", "9,00"])
    ]
    page = Page(number=1, width=595, height=842, words=tuple(words))
    assert classify_document([page]) == DocumentType.INVOICE
