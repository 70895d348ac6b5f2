"""Builds the hostile corpus into a folder: each file with the verdict it must get.

Files: 0-byte, truncated and xref-broken PDFs, an encrypted PDF, a PDF with JavaScript, an
open action and an embedded file, a 5,000-page PDF, decompression-bomb PNGs (a huge canvas
in a few KB), a ZIP and a Windows executable renamed `.pdf`, and uploads whose names carry
`../`, a NUL byte or a right-to-left override. Run `python -m tests.hostile.corpus DIR` to
write them out. Must not need the network or anything but PyMuPDF.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from tests.unit import bad_inputs


@dataclass(frozen=True)
class Hostile:
    """One hostile input: its bytes, the name it travels under and the expected verdict.

    `codes` are the acceptable error codes (empty: it must be processed, as data);
    `warning` is a fragment a processed file's warnings must contain; `intake` is the
    acceptable HTTP status codes of an upload.
    """

    name: str
    data: bytes
    codes: frozenset[str]
    warning: str | None = None
    intake: frozenset[int] = frozenset({200, 201, 202})
    upload_name: str | None = None


def xref_broken_pdf() -> bytes:
    """A valid invoice PDF whose cross-reference table points at the wrong offsets."""
    data = bad_inputs.invoice_pdf()
    return re.sub(rb"\d{10} 00000 n", b"0000000999 00000 n", data)


def garbage_after_eof_pdf() -> bytes:
    """A valid PDF with 64 KiB of junk after %%EOF."""
    return bad_inputs.invoice_pdf() + b"\x00garbage" * 8192


def active_content_pdf() -> bytes:
    """An invoice with a JavaScript open action and an embedded executable."""
    doc = pymupdf.open(stream=bad_inputs.invoice_pdf(), filetype="pdf")
    doc.embfile_add("payload.exe", b"MZ" + b"\x00" * 64)
    xref = doc.get_new_xref()
    doc.update_object(xref, "<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{xref} 0 R")
    data: bytes = doc.tobytes()
    doc.close()
    return data


def build() -> list[Hostile]:
    """Every hostile input, built in memory (about a second)."""
    pdf_ok = frozenset({200, 201, 202})
    refused = frozenset({415})
    return [
        Hostile("empty.pdf", b"", frozenset({"empty_file"}), intake=frozenset({400, 422})),
        Hostile("truncated.pdf", bad_inputs.truncated_pdf(), frozenset({"corrupt_file"})),
        Hostile("xref-broken.pdf", xref_broken_pdf(), frozenset(), warning="repaired"),
        Hostile("garbage-after-eof.pdf", garbage_after_eof_pdf(), frozenset()),
        Hostile("encrypted.pdf", bad_inputs.encrypted_pdf(), frozenset({"encrypted_pdf"})),
        Hostile("active-content.pdf", active_content_pdf(), frozenset(), warning="JavaScript"),
        Hostile("5000-pages.pdf", bad_inputs.minimal_pdf(5000), frozenset({"too_many_pages"})),
        Hostile("bomb-20k.png", bad_inputs.huge_png(20_000, 20_000),
                frozenset({"image_too_large"}), intake=pdf_ok | refused | {413, 422}),
        Hostile("bomb-wide.png", bad_inputs.huge_png(200_000, 8),
                frozenset({"image_too_large"}), intake=pdf_ok | refused | {413, 422}),
        Hostile("archive.pdf", bad_inputs.zip_archive(), frozenset({"unsupported_media_type"}),
                intake=refused),
        Hostile("setup.pdf", bad_inputs.pe_executable(), frozenset({"unsupported_media_type"}),
                intake=refused),
        Hostile("traversal.pdf", bad_inputs.invoice_pdf(), frozenset(),
                upload_name="../../etc/passwd.pdf"),
        Hostile("rtl.pdf", bad_inputs.invoice_pdf() + b"\n%rtl", frozenset(),
                upload_name="invoice\u202efdp.exe"),
        Hostile("nul.pdf", bad_inputs.invoice_pdf() + b"\n%nul", frozenset(),
                upload_name="invoice\x00.pdf", intake=frozenset({400, 422})),
    ]  # fmt: skip


def write(folder: Path) -> list[tuple[Hostile, Path]]:
    """Write every input to `folder` under its plain name; the pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in build():
        path = folder / item.name
        path.write_bytes(item.data)
        written.append((item, path))
    return written


if __name__ == "__main__":
    for hostile, path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "var/hostile")):
        sys.stdout.write(f"{path} {len(hostile.data)} bytes\n")
