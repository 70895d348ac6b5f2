"""What a generated invoice prints, for the generator-property tests of the layout families:
its text (case folded, white space collapsed), whether a value is printed in it (also when a
wrapped cell's lines are split by other cells' words), which truth header values are missing
from it, and which text runs off the paper."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pymupdf

from fixtures.generator import GeneratedDocument
from fixtures.generator.formats import NumberStyle, all_date_forms, format_number

_SPACE = re.compile(r"\s+")


def page_texts(pdf: bytes) -> tuple[str, ...]:
    """Each page's text layer, white space collapsed and case folded."""
    document: Any = pymupdf.open(stream=pdf)
    pages = tuple(_SPACE.sub(" ", page.get_text()).casefold() for page in document)
    document.close()
    return pages


def printed(text: str, value: str) -> bool:
    return _SPACE.sub(" ", value).casefold() in text


def printed_wrapped(text: str, value: str) -> bool:
    """A value found with its words in order, allowing other cells' words between wrapped
    lines (a description's second line comes after the row's numbers in reading order)."""
    words, wanted = text.split(" "), _SPACE.sub(" ", value).casefold().split(" ")
    for start, word in enumerate(words):
        if word != wanted[0]:
            continue
        position, window = start, start + len(wanted) + 16
        for part in wanted[1:]:
            found = [i for i in range(position + 1, min(window, len(words))) if words[i] == part]
            if not found:
                break
            position = found[0]
        else:
            return True
    return False


def missing_header_values(
    document: GeneratedDocument,
    text: str,
    number: NumberStyle,
    date_forms: Callable[[date], set[str]] = all_date_forms,
    *,
    contacts: bool = True,
    currency_code: bool = True,
) -> list[str]:
    """Truth header values not found on the page in the form the layout prints them (the
    e-mail and the addresses unless `contacts` is off, the currency's ISO code unless
    `currency_code` is off: a family that prints only a currency's sign checks that itself)."""
    truth = document.truth.invoice
    assert truth is not None
    strings: list[str | None] = [
        truth.vendor.name,
        truth.vendor.phone,
        truth.vendor.tax_id,
        truth.bill_to.name,
        truth.invoice_number,
        truth.po_number,
        truth.payment_terms,
        truth.project.name if truth.project else None,
        truth.project.number if truth.project else None,
    ]
    if contacts:
        strings += [
            truth.vendor.email,
            *(truth.vendor.address or "").split("\n"),
            *(truth.bill_to.address or "").split("\n"),
        ]
    if currency_code:
        strings.append(truth.currency)
    missing = [value for value in strings if value and not printed(text, value)]
    amounts: list[Decimal | None] = [
        truth.subtotal,
        truth.tax_total,
        truth.total,
        truth.amount_due,
        truth.retainage,
    ]
    missing += [
        str(value)
        for value in amounts
        if value is not None and not printed(text, format_number(value, number))
    ]
    dates: list[date | None] = [truth.invoice_date, truth.due_date]
    missing += [
        str(value)
        for value in dates
        if value is not None and not any(printed(text, form) for form in date_forms(value))
    ]
    return missing


def text_off_the_sheet(pdf: bytes) -> list[str]:
    """Text blocks reaching past the paper, found by reading the page with a wide margin."""
    margin, outside = 100.0, []
    document: Any = pymupdf.open(stream=pdf)
    for page in document:
        width, height = page.rect.width, page.rect.height
        page.set_mediabox(pymupdf.Rect(-margin, -margin, width + margin, height + margin))
        paper = pymupdf.Rect(margin - 1, margin - 1, width + margin + 1, height + margin + 1)
        for block in page.get_text("dict")["blocks"]:
            if pymupdf.Rect(block["bbox"]) not in paper:
                outside.append(f"page {page.number + 1}: {block['bbox']}")
    document.close()
    return outside
