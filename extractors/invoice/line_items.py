"""Line items from invoice tables. (Interface placeholder: being implemented.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.page import Page
from models import LineItem


@dataclass(frozen=True, slots=True)
class LineItemsResult:
    """The line items found, one confidence for the table read, warnings, and per page number
    the y (points) where the item table ended, so totals are looked for below it."""

    items: tuple[LineItem, ...] = ()
    confidence: float = 0.0
    warnings: tuple[str, ...] = ()
    table_end: dict[int, float] = field(default_factory=dict)


def extract_line_items(pages: Sequence[Page]) -> LineItemsResult:
    """The pages of an invoice in, its line items (across page breaks) out."""
    del pages
    return LineItemsResult()
