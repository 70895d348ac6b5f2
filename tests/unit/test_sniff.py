"""Sniffing by magic bytes and guarding by size, before any parser or decoder sees a file."""

from __future__ import annotations

import pytest

from extractors.limits import Limits
from extractors.sniff import (
    Accepted,
    ImageHeader,
    MediaKind,
    guard,
    read_jpeg_header,
    read_png_header,
    read_tiff_header,
    sniff_kind,
)
from models import ErrorCode, ExtractionError
from tests.unit import bad_inputs


def _code(verdict: Accepted | ExtractionError) -> ErrorCode | None:
    return verdict.code if isinstance(verdict, ExtractionError) else None


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", MediaKind.PDF),
        (b"\xef\xbb\xbf" + b" " * 900 + b"%PDF-1.4", MediaKind.PDF),  # junk before the marker
        (b"\x89PNG\r\n\x1a\n\x00\x00", MediaKind.PNG),
        (b"\xff\xd8\xff\xe0", MediaKind.JPEG),
        (b"II*\x00\x08\x00\x00\x00", MediaKind.TIFF),
        (b"MM\x00*\x00\x00\x00\x08", MediaKind.TIFF),
    ],
)
def test_supported_kinds_are_known_by_their_magic_bytes(head: bytes, kind: MediaKind) -> None:
    assert sniff_kind(head) is kind


@pytest.mark.parametrize(
    "head",
    [
        b" " * 1030 + b"%PDF-1.4",  # the marker must be within the first KiB
        bad_inputs.zip_archive(),  # even though it stores a PDF uncompressed
        bad_inputs.pe_executable(),
        b"<!DOCTYPE html><html><body>invoice</body></html>",
        bad_inputs.text_named_pdf(),
        b"\x7fELF\x02\x01\x01",
    ],
)
def test_everything_else_is_unsupported(head: bytes) -> None:
    assert sniff_kind(head) is MediaKind.UNSUPPORTED


def test_png_size_is_read_from_ihdr_without_decoding() -> None:
    assert read_png_header(bad_inputs.huge_png(300, 200)) == ImageHeader(300, 200)


def test_jpeg_size_is_read_from_the_start_of_frame_marker() -> None:
    assert read_jpeg_header(bad_inputs.jpeg_header(4000, 3000)) == ImageHeader(4000, 3000)


def test_a_jpeg_without_a_frame_header_has_no_size() -> None:
    assert read_jpeg_header(b"\xff\xd8\xff\xda\x00\x08") is None


@pytest.mark.parametrize("little_endian", [True, False])
def test_tiff_size_and_frames_are_read_in_both_byte_orders(little_endian: bool) -> None:
    data = bad_inputs.tiff_header(640, 480, frames=3, little_endian=little_endian)
    assert read_tiff_header(data, max_frames=10) == ImageHeader(640, 480, 3)


def test_tiff_frame_counting_stops_one_past_the_cap() -> None:
    data = bad_inputs.tiff_header(10, 10, frames=50)
    header = read_tiff_header(data, max_frames=5)
    assert header is not None and header.frames == 6


def test_a_valid_pdf_is_accepted() -> None:
    assert guard(bad_inputs.invoice_pdf(), Limits()) == Accepted(MediaKind.PDF)


def test_an_empty_file_is_refused_as_empty() -> None:
    assert _code(guard(b"", Limits())) is ErrorCode.EMPTY_FILE


def test_unknown_content_is_refused_as_unsupported() -> None:
    assert _code(guard(bad_inputs.pe_executable(), Limits())) is ErrorCode.UNSUPPORTED_MEDIA_TYPE


def test_a_file_over_the_byte_limit_is_refused_from_its_declared_size() -> None:
    verdict = guard(b"%PDF-1.7\n", Limits(max_bytes=1000), size=5000)
    assert _code(verdict) is ErrorCode.TOO_LARGE


def test_a_huge_png_canvas_is_refused_from_its_header() -> None:
    assert _code(guard(bad_inputs.huge_png(), Limits())) is ErrorCode.IMAGE_TOO_LARGE


def test_one_side_over_the_limit_is_too_large_even_with_few_pixels() -> None:
    verdict = guard(bad_inputs.jpeg_header(20_000, 10), Limits())
    assert _code(verdict) is ErrorCode.IMAGE_TOO_LARGE


def test_a_tiff_with_more_frames_than_pages_allowed_is_refused() -> None:
    verdict = guard(bad_inputs.tiff_header(10, 10, frames=20), Limits(max_pages=5))
    assert _code(verdict) is ErrorCode.TOO_MANY_PAGES


def test_an_image_with_an_unreadable_header_is_corrupt() -> None:
    assert _code(guard(b"\x89PNG\r\n\x1a\n\x00", Limits())) is ErrorCode.CORRUPT_FILE


def test_an_image_within_limits_is_accepted_with_its_header() -> None:
    verdict = guard(bad_inputs.tiff_header(800, 600, little_endian=False), Limits())
    assert verdict == Accepted(MediaKind.TIFF, ImageHeader(800, 600, 1))
