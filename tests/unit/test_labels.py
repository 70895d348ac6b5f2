"""The label vocabulary's prefilter: which labels can match a text, judged without running them.

`find_labels` runs a label's pattern only on texts holding one of the strings every match of
that pattern contains; these tests check the strings derived from the patterns, and that no
label which matches a text is ever filtered out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pymupdf
import pytest

from extractors.invoice.labels import _BRACKETED, LABELS, _mask, _possible_labels, required_strings
from extractors.layout import page_rows
from extractors.text_layer import read_text_layer
from fixtures.generator import DEV_LAYOUTS, STRESS_LAYOUTS, generate_invoice
from fixtures.generator import random_layouts as designs


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"invoice", {"invoice"}),
        (r"abc(?:de|fg)?h", {"abc"}),  # an optional part requires nothing
        (r"(?:total|sum)\s+due", {"due"}),  # one string beats a choice of two
        (r"(?:total|sum)\s+(?:due|now)", {"total", "sum"}),
        (r"n[°º]\s*factur[ae]", {"factur"}),
        (r"[ae]x?", {"a", "e"}),
        (r"(?:ab)+c?", {"ab"}),
        (r"(?<![\w-])(?:gst|hst)(?![\w-])", {"gst", "hst"}),
        (r"t(?=\s*:)|fax", {"t", "fax"}),
    ],
)
def test_required_strings_come_from_the_mandatory_parts(pattern: str, expected: set[str]) -> None:
    assert required_strings(re.compile(pattern)) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    [r"\d+", r"(?:ab)?c*", r"[a-z]+", r"(?i)total", r"(?i:total)", r"x|\d", r"(?!total)\w+"],
)
def test_patterns_that_promise_no_string_are_always_run(pattern: str) -> None:
    assert required_strings(re.compile(pattern)) is None


def _label_texts() -> list[str]:
    """Label-like texts: the stress designs' label synonyms, in several spellings."""
    texts: list[str] = []
    for name in dir(designs):
        value = getattr(designs, name)
        if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            for label in value:
                texts += [label, label.upper(), f"{label}:", f"{label}: 1042", f"{label} # 1042"]
    return texts


def _document_texts() -> list[str]:
    """Every cell of a few generated dev and stress invoices (unit-test seeds)."""
    texts: list[str] = []
    for index, layout in enumerate(DEV_LAYOUTS + STRESS_LAYOUTS):
        document = generate_invoice(layout, 1500 + index % 3)
        with pymupdf.open(stream=document.pdf, filetype="pdf") as doc:
            for number, pdf_page in enumerate(doc, start=1):
                page = read_text_layer(pdf_page, number)
                texts += [cell.text for row in page_rows(page) for cell in row]
    return texts


HAND_PICKED = [
    "Tel: +1 555 0100",
    "T: 555 0100",
    "F: 555 0101",
    "Ph 0412 345 678",
    "P.O. No.",
    "PO#4471",
    "Rechnungsnummer",
    "Rechnung Nr. 2026-17",
    "N° de facture",
    "Numéro de facture",
    "Fällig am",
    "Total (incl. VAT)",
    "Total (excl. VAT)",
    "Zahlbar bis zum 14.03.2026",
    "Date d'échéance",
    "1,234.50",
    "",
    "-",
]


@pytest.mark.parametrize("source", ["labels", "documents", "hand-picked"])
def test_no_label_that_matches_a_text_is_filtered_out(source: str) -> None:
    sources: dict[str, Callable[[], list[str]]] = {
        "labels": _label_texts,
        "documents": _document_texts,
        "hand-picked": lambda: list(HAND_PICKED),
    }
    texts = sources[source]()
    assert texts
    for text in texts:
        folded = _BRACKETED.sub(_mask, text.casefold())
        possible = set(map(id, _possible_labels(folded)))
        for label in LABELS:
            matches = (m for m in label.pattern.finditer(folded) if m.end() > m.start())
            if next(matches, None) is not None:
                assert id(label) in possible, (text, label.field, label.pattern.pattern)
