"""Sniff and guard: what a file really is, from its magic bytes, and whether it may be opened.

Owns the media kinds docproc accepts (PDF, PNG, JPEG, TIFF), header-only image dimension
reading (PNG IHDR, JPEG SOF, TIFF IFDs) and the size checks that refuse an input before any
parser or decoder sees it. Must not decode images, import PyMuPDF, read files or the
environment: bytes and limits come in, a typed verdict goes out.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum

from extractors.limits import Limits
from models import ErrorCode, ExtractionError

# "%PDF-" may follow junk (a mail header, a BOM); readers accept it within the first KiB.
_PDF_MAGIC = b"%PDF-"
_PDF_WINDOW = 1024
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# Archives and executables are refused even when a "%PDF-" hides in their first KiB (a ZIP
# storing a PDF uncompressed): they are never handed to a parser.
_REFUSED_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # ZIP (and DOCX, XLSX, JAR)
    b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe",  # PE, ELF, Mach-O
    b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BZh", b"\xfd7zXZ",  # gzip, RAR, 7z, bzip2, xz
)  # fmt: skip
_TIFF_LE = b"II*\x00"
_TIFF_BE = b"MM\x00*"
# JPEG start-of-frame markers carry the image size; C4, C8 and CC are not frames.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, RSTn, SOI, EOI.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xDA)})
_TIFF_IMAGE_WIDTH = 256
_TIFF_IMAGE_LENGTH = 257
_TIFF_TYPE_SHORT = 3
_TIFF_TYPE_LONG = 4


class MediaKind(StrEnum):
    """A sniffed media kind; the value is the media type the envelope reports."""

    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"
    TIFF = "image/tiff"
    UNSUPPORTED = "application/octet-stream"

    @property
    def is_image(self) -> bool:
        """True for the raster kinds (PNG, JPEG, TIFF)."""
        return self in (MediaKind.PNG, MediaKind.JPEG, MediaKind.TIFF)


@dataclass(frozen=True, slots=True)
class ImageHeader:
    """An image's size as its header declares it: the largest frame, and the frame count."""

    width: int
    height: int
    frames: int = 1


@dataclass(frozen=True, slots=True)
class Accepted:
    """An input that passed the guard: its kind and, for images, its declared header."""

    kind: MediaKind
    image: ImageHeader | None = None


def sniff_kind(head: bytes) -> MediaKind:
    """The first bytes of a file in, its media kind by magic bytes out (never by name)."""
    if head.startswith(_PNG_MAGIC):
        return MediaKind.PNG
    if head.startswith(_JPEG_MAGIC):
        return MediaKind.JPEG
    if head.startswith((_TIFF_LE, _TIFF_BE)):
        return MediaKind.TIFF
    if head.startswith(_REFUSED_MAGIC):
        return MediaKind.UNSUPPORTED
    if _PDF_MAGIC in head[:_PDF_WINDOW]:
        return MediaKind.PDF
    return MediaKind.UNSUPPORTED


def read_png_header(data: bytes) -> ImageHeader | None:
    """PNG bytes in, width and height from the IHDR chunk out (None when there is none)."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageHeader(width, height)


def read_jpeg_header(data: bytes) -> ImageHeader | None:
    """JPEG bytes in, width and height from the first start-of-frame marker out."""
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte before a marker
            offset += 1
            continue
        if marker in _STANDALONE_MARKERS:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _SOF_MARKERS:
            if offset + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return ImageHeader(width, height)
        if marker == 0xDA or length < 2:  # scan data before any frame header: malformed
            return None
        offset += 2 + length
    return None


def _tiff_value(data: bytes, entry: int, endian: str) -> int | None:
    """The first value of one 12-byte IFD entry when it is a SHORT or LONG."""
    kind = struct.unpack(endian + "H", data[entry + 2 : entry + 4])[0]
    if kind == _TIFF_TYPE_SHORT:
        return int(struct.unpack(endian + "H", data[entry + 8 : entry + 10])[0])
    if kind == _TIFF_TYPE_LONG:
        return int(struct.unpack(endian + "I", data[entry + 8 : entry + 12])[0])
    return None


def _tiff_ifd(data: bytes, offset: int, endian: str) -> tuple[int, int, int] | None:
    """One IFD at `offset`: (width, height, offset of the next IFD), or None when truncated."""
    if offset + 2 > len(data):
        return None
    (count,) = struct.unpack(endian + "H", data[offset : offset + 2])
    end = offset + 2 + 12 * count
    if end + 4 > len(data):
        return None
    width = height = 0
    for entry in range(offset + 2, end, 12):
        tag = struct.unpack(endian + "H", data[entry : entry + 2])[0]
        if tag == _TIFF_IMAGE_WIDTH:
            width = _tiff_value(data, entry, endian) or 0
        elif tag == _TIFF_IMAGE_LENGTH:
            height = _tiff_value(data, entry, endian) or 0
    (next_offset,) = struct.unpack(endian + "I", data[end : end + 4])
    return width, height, next_offset


def read_tiff_header(data: bytes, max_frames: int) -> ImageHeader | None:
    """TIFF bytes in, the largest frame's size and the frame count (capped) out."""
    if len(data) < 8:
        return None
    endian = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack(endian + "I", data[4:8])
    width = height = frames = 0
    seen: set[int] = set()
    # Stop one past the cap: that is enough to refuse, and an IFD loop cannot spin forever.
    while offset and offset not in seen and frames <= max_frames:
        seen.add(offset)
        ifd = _tiff_ifd(data, offset, endian)
        if ifd is None:
            break
        frames += 1
        width, height = max(width, ifd[0]), max(height, ifd[1])
        offset = ifd[2]
    if frames == 0 or width == 0 or height == 0:
        return None
    return ImageHeader(width, height, frames)


def read_image_header(data: bytes, kind: MediaKind, max_frames: int) -> ImageHeader | None:
    """Image bytes and their kind in, the declared size out; None when the header is unreadable."""
    if kind is MediaKind.PNG:
        return read_png_header(data)
    if kind is MediaKind.JPEG:
        return read_jpeg_header(data)
    if kind is MediaKind.TIFF:
        return read_tiff_header(data, max_frames)
    return None


def unsupported_error() -> ExtractionError:
    """The unsupported_media_type verdict: content that is not a PDF, PNG, JPEG or TIFF."""
    return ExtractionError(
        code=ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        message="the content is not a PDF, PNG, JPEG or TIFF (judged by its bytes, not its name)",
    )


def too_large_error(size: int, limits: Limits) -> ExtractionError:
    """The too_large verdict for a file of `size` bytes."""
    return ExtractionError(
        code=ErrorCode.TOO_LARGE,
        message=f"the file is {size} bytes; the limit is {limits.max_bytes} bytes",
    )


def _image_error(header: ImageHeader, limits: Limits) -> ExtractionError | None:
    """Refuse a canvas too big to decode, or more frames than pages allowed, from the header."""
    side = max(header.width, header.height)
    if side > limits.max_image_side or header.width * header.height > limits.max_image_pixels:
        return ExtractionError(
            code=ErrorCode.IMAGE_TOO_LARGE,
            message=(
                f"the image is {header.width} x {header.height} pixels; the limits are "
                f"{limits.max_image_side} pixels a side and {limits.max_image_pixels} pixels"
            ),
        )
    if header.frames > limits.max_pages:
        return ExtractionError(
            code=ErrorCode.TOO_MANY_PAGES,
            message=f"the image has more than {limits.max_pages} frames (the page limit)",
        )
    return None


def guard(data: bytes, limits: Limits, size: int | None = None) -> Accepted | ExtractionError:
    """Bytes (or their head, with the real `size`) in: accepted with a kind, or a contract error."""
    size = len(data) if size is None else size
    if size == 0:
        return ExtractionError(code=ErrorCode.EMPTY_FILE, message="the file is empty (0 bytes)")
    kind = sniff_kind(data[:_PDF_WINDOW])
    if kind is MediaKind.UNSUPPORTED:
        return unsupported_error()
    if size > limits.max_bytes:
        return too_large_error(size, limits)
    if not kind.is_image:
        return Accepted(kind)
    header = read_image_header(data, kind, limits.max_pages)
    if header is None:
        return ExtractionError(
            code=ErrorCode.CORRUPT_FILE,
            message=f"the {kind.name} header is missing or truncated; no image size can be read",
        )
    error = _image_error(header, limits)
    return error if error is not None else Accepted(kind, header)
