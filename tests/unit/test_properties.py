"""Property tests (hypothesis) of the parsers and normalisers: amounts, dates and the sniff
headers never raise on any text or bytes, round-trip what they print, and the guard never
accepts a canvas over the limits."""

from __future__ import annotations

import struct
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.dates import find_dates, parse_date
from extractors.limits import Limits
from extractors.sniff import Accepted, guard, read_jpeg_header, read_png_header, sniff_kind
from extractors.values import find_amounts, parse_amount
from models import ExtractionError

FAST = settings(max_examples=150, deadline=None)
AMOUNTS = st.decimals(
    min_value=Decimal("-99999999.99"),
    max_value=Decimal("99999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
LIMITS = Limits(max_bytes=10_000_000, max_pages=20, max_image_pixels=4_000_000, max_image_side=4000)


@FAST
@given(st.text(max_size=60))
def test_parse_amount_never_raises(text: str) -> None:
    """Any text: a Decimal or None, never an exception."""
    value = parse_amount(text)
    assert value is None or isinstance(value, Decimal)
    assert isinstance(find_amounts(text), list)


@FAST
@given(AMOUNTS, st.sampled_from(["{:,.2f}", "${:,.2f}", "{:.2f}", "USD {:,.2f}"]))
def test_printed_amounts_round_trip(value: Decimal, pattern: str) -> None:
    """An amount printed US-style parses back to itself."""
    text = pattern.format(abs(value))
    printed = f"-{text}" if value < 0 else text
    assert parse_amount(printed) == value


@FAST
@given(AMOUNTS)
def test_european_amounts_round_trip(value: Decimal) -> None:
    """'1.234,50' and '(1.234,50)' parse like '1,234.50'."""
    us = f"{abs(value):,.2f}"
    eu = us.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_amount(f"({eu})" if value < 0 else eu) == value


@FAST
@given(st.text(max_size=80), st.booleans())
def test_dates_never_raise(text: str, day_first: bool) -> None:
    """Any text: dates inside it are valid dates, in order."""
    found = find_dates(text, day_first)
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(isinstance(m.value, date) for m in found)


@FAST
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_iso_and_us_dates_round_trip(value: date) -> None:
    """ISO and month-first numeric dates parse back."""
    assert parse_date(f"Date: {value.isoformat()}") == value
    assert parse_date(f"{value.month:02d}/{value.day:02d}/{value.year}") == value


@FAST
@given(st.binary(max_size=2048))
def test_guard_never_raises_and_never_accepts_too_big(data: bytes) -> None:
    """Any bytes: an Accepted within the limits, or a contract error."""
    verdict = guard(data, LIMITS)
    if isinstance(verdict, Accepted):
        assert sniff_kind(data[:1024]) is verdict.kind
        if verdict.image is not None:
            assert verdict.image.width * verdict.image.height <= LIMITS.max_image_pixels
    else:
        assert isinstance(verdict, ExtractionError)


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.binary(max_size=64))
def test_png_header_dimensions_are_read_exactly(width: int, height: int, tail: bytes) -> None:
    """Any IHDR width and height are read back; a huge canvas is refused before decoding."""
    data = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + struct.pack(">II", width, height)
        + tail
    )
    header = read_png_header(data)
    assert header is not None and (header.width, header.height) == (width, height)
    verdict = guard(data, LIMITS)
    too_big = max(width, height) > LIMITS.max_image_side or width * height > 4_000_000
    assert isinstance(verdict, ExtractionError) == too_big


@FAST
@given(st.binary(max_size=512))
def test_jpeg_header_reader_never_raises(tail: bytes) -> None:
    """Any bytes after a JPEG SOI: a header or None."""
    assert read_jpeg_header(b"\xff\xd8\xff" + tail) is None or True
