"""Scanned variants of generated invoices: deterministic, degraded as asked, truth unchanged."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from extractors.sniff import MediaKind, sniff_kind
from fixtures.generator import generate_invoice
from fixtures.generator.scan import PROFILES, ScanFormat, scan_document, with_format


@pytest.fixture(scope="module")
def one_page() -> object:
    doc = generate_invoice("classic_left", 5)
    assert doc.truth.page_count == 1
    return doc


def test_the_same_seed_gives_the_same_bytes(one_page: object) -> None:
    first = scan_document(one_page, 7, PROFILES["office_200"])  # type: ignore[arg-type]
    again = scan_document(one_page, 7, PROFILES["office_200"])  # type: ignore[arg-type]
    other = scan_document(one_page, 8, PROFILES["office_200"])  # type: ignore[arg-type]
    assert first.data == again.data and first.data != other.data


@pytest.mark.parametrize(
    ("profile", "kind"),
    [
        ("clean_300", MediaKind.PNG),
        ("office_200", MediaKind.JPEG),
        ("fax_200", MediaKind.TIFF),
        ("phone_photo", MediaKind.JPEG),
        ("scanned_pdf_150", MediaKind.PDF),
    ],
)
def test_each_profile_packs_its_format(one_page: object, profile: str, kind: MediaKind) -> None:
    scanned = scan_document(one_page, 1, PROFILES[profile])  # type: ignore[arg-type]
    assert sniff_kind(scanned.data[:1024]) is kind
    assert scanned.media_type == kind.value
    assert scanned.truth.invoice == one_page.truth.invoice  # type: ignore[attr-defined]
    assert scanned.truth.source == scanned.name


def test_a_scan_is_an_image_of_the_page_at_the_profile_resolution(one_page: object) -> None:
    scanned = scan_document(one_page, 1, PROFILES["clean_300"])  # type: ignore[arg-type]
    image = Image.open(io.BytesIO(scanned.data))
    assert image.size == (2550, 3300)  # Letter at 300 DPI


def test_rotation_turns_the_image(one_page: object) -> None:
    turned = scan_document(one_page, 1, PROFILES["rotated_90"])  # type: ignore[arg-type]
    width, height = Image.open(io.BytesIO(turned.data)).size
    assert width > height


def test_a_fax_is_one_bit(one_page: object) -> None:
    fax = scan_document(one_page, 1, PROFILES["fax_200"])  # type: ignore[arg-type]
    assert Image.open(io.BytesIO(fax.data)).mode == "1"


def test_several_pages_go_into_a_container() -> None:
    doc = generate_invoice("centred_vat", 1)
    pages = doc.truth.page_count
    assert pages and pages > 1
    scanned = scan_document(doc, 1, PROFILES["office_200"])
    assert scanned.media_type == "application/pdf"
    with pymupdf.open(stream=scanned.data, filetype="pdf") as pdf:
        assert pdf.page_count == pages
        assert not pdf[0].get_text().strip()  # image only: no text layer
    tiff = scan_document(doc, 1, with_format(PROFILES["clean_300"], ScanFormat.TIFF))
    assert getattr(Image.open(io.BytesIO(tiff.data)), "n_frames", 1) == pages
