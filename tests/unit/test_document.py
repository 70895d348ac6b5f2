"""Opening documents: page limits before pages, passwords, damage, and streamed pages."""

from __future__ import annotations

from extractors.document import OpenedDocument, open_document
from extractors.limits import Limits
from extractors.sniff import MediaKind
from models import ErrorCode, ExtractionError
from tests.unit import bad_inputs


def _opened(data: bytes, limits: Limits | None = None) -> OpenedDocument:
    opened = open_document(data, limits or Limits())
    assert isinstance(opened, OpenedDocument), opened
    return opened


def _error(data: bytes, limits: Limits | None = None) -> ErrorCode:
    opened = open_document(data, limits or Limits())
    assert isinstance(opened, ExtractionError), opened
    return opened.code


def test_a_valid_pdf_opens_with_its_page_count() -> None:
    with _opened(bad_inputs.minimal_pdf(3)) as opened:
        assert (opened.kind, opened.page_count, opened.warnings) == (MediaKind.PDF, 3, [])


def test_pages_are_streamed_in_order_with_their_size() -> None:
    with _opened(bad_inputs.minimal_pdf(3)) as opened:
        pages = opened.pages()
        first = next(pages)
        assert (first.number, first.width, first.height) == (1, 612, 792)
        assert [page.number for page in pages] == [2, 3]


def test_a_page_reads_its_text_layer() -> None:
    with _opened(bad_inputs.invoice_pdf()) as opened:
        page = next(opened.pages()).read_text()
    assert "INV-10293" in {word.text for word in page.words}


def test_too_many_pages_is_refused_from_the_page_count() -> None:
    assert _error(bad_inputs.minimal_pdf(3000)) is ErrorCode.TOO_MANY_PAGES


def test_the_page_limit_can_be_tightened() -> None:
    assert _error(bad_inputs.minimal_pdf(3), Limits(max_pages=2)) is ErrorCode.TOO_MANY_PAGES


def test_a_pdf_needing_a_user_password_is_encrypted() -> None:
    assert _error(bad_inputs.encrypted_pdf()) is ErrorCode.ENCRYPTED_PDF


def test_an_owner_password_only_pdf_opens_normally() -> None:
    with _opened(bad_inputs.owner_only_pdf()) as opened:
        assert opened.page_count == 1


def test_a_truncated_pdf_is_corrupt() -> None:
    assert _error(bad_inputs.truncated_pdf()) is ErrorCode.CORRUPT_FILE


def test_a_pdf_with_no_pages_is_corrupt() -> None:
    empty = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert _error(empty) is ErrorCode.CORRUPT_FILE


def test_a_repaired_pdf_opens_with_a_warning() -> None:
    data = bad_inputs.invoice_pdf()
    damaged = data[: data.rindex(b"xref")]  # cross-reference table and trailer cut off
    with _opened(damaged) as opened:
        assert opened.page_count == 1
        assert any("repaired" in warning for warning in opened.warnings)


def test_unsupported_content_is_refused_before_pymupdf() -> None:
    assert _error(bad_inputs.zip_archive()) is ErrorCode.UNSUPPORTED_MEDIA_TYPE


def test_an_image_opens_as_a_document_of_frames() -> None:
    with _opened(bad_inputs.small_png()) as opened:
        assert (opened.kind, opened.page_count, opened.is_image) == (MediaKind.PNG, 1, True)
        page = next(opened.pages())
        assert page.read_text().words == ()
        assert page.render_png(dpi=72, max_pixels=10_000).startswith(b"\x89PNG")
