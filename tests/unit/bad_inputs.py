"""Builders for the test inputs of RELIABILITY.md's "Bad input" table, plus a few good ones.

Every input is made in memory, quickly, from a few bytes or a tiny PyMuPDF document: no
fixture files, no network, and never a decoded huge image.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pymupdf

INVOICE_LINES = (
    "ACME Drywall Supply LLC",
    "INVOICE",
    "Invoice Number: INV-10293",
    "Invoice Date: 2026-03-14",
    "Bill To: Apex Builders Inc",
    "Subtotal 540.00",
    "Total Due 583.20",
)


def text_pdf(
    lines: tuple[str, ...] = INVOICE_LINES, width: float = 612, height: float = 792
) -> bytes:
    """A one-page PDF with `lines` in its text layer, on a page of the given size in points."""
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.insert_text((72, 72), "\n".join(lines), fontsize=11)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def invoice_pdf() -> bytes:
    """A small valid invoice PDF with a text layer."""
    return text_pdf(INVOICE_LINES)


def blank_pdf() -> bytes:
    """A valid one-page PDF with no text layer at all (what a scan without OCR looks like)."""
    return minimal_pdf(1)


def small_png() -> bytes:
    """A real 100 x 50 px PNG (a blank page rendered by PyMuPDF)."""
    doc = pymupdf.open()
    doc.new_page(width=100, height=50)
    data: bytes = doc[0].get_pixmap().tobytes("png")
    doc.close()
    return data


def minimal_pdf(pages: int) -> bytes:
    """A valid PDF with `pages` empty Letter pages, written directly (3,000 pages in ~10 ms)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{n} 0 R" for n in range(3, pages + 3))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    objects.extend([page] * pages)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return bytes(out + trailer.encode())


def encrypted_pdf() -> bytes:
    """An invoice PDF that needs the user password "x" to open."""
    return _encrypted(user_pw="x")


def owner_only_pdf() -> bytes:
    """An invoice PDF with only an owner password: it opens without one (printing rights etc.)."""
    return _encrypted(user_pw="")


def _encrypted(user_pw: str) -> bytes:
    doc = pymupdf.open("pdf", invoice_pdf())
    buffer = io.BytesIO()
    doc.save(
        buffer, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=user_pw, owner_pw="y", permissions=4
    )
    doc.close()
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    """The first 200 bytes of an invoice PDF: a header and half an object, nothing to repair."""
    return invoice_pdf()[:200]


def text_named_pdf() -> bytes:
    """Plain text, as found in a file someone named `.pdf`."""
    return b"Hello, this is a plain text note, not a PDF at all.\n"


def zip_archive() -> bytes:
    """A ZIP archive holding one small file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.pdf", invoice_pdf())
    return buffer.getvalue()


def pe_executable() -> bytes:
    """The start of a Windows PE executable: the MZ stub and the PE signature."""
    stub = bytearray(b"MZ" + b"\x90" * 62)
    stub[0x3C:0x40] = struct.pack("<I", 64)
    return bytes(stub) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit greyscale PNG of width x height, compressed row by row: a few KB on disk."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int) -> bytes:
    """The start of a baseline JPEG: SOI, an APP0 segment, and a SOF0 frame header."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def tiff_header(width: int, height: int, frames: int = 1, little_endian: bool = True) -> bytes:
    """A TIFF with `frames` IFDs that declare width x height (no pixel data needed to sniff)."""
    endian = "<" if little_endian else ">"
    out = bytearray(b"II*\x00" if little_endian else b"MM\x00*")
    out += struct.pack(endian + "I", 8)
    ifd_size = 2 + 2 * 12 + 4
    for index in range(frames):
        start = 8 + index * ifd_size
        next_ifd = start + ifd_size if index + 1 < frames else 0
        out += struct.pack(endian + "H", 2)
        out += struct.pack(endian + "HHII", 256, 4, 1, width)
        out += struct.pack(endian + "HHII", 257, 4, 1, height)
        out += struct.pack(endian + "I", next_ifd)
    return bytes(out)
