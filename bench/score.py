"""Scoring a result envelope against its truth, as the contract's last section says.

Strings compare after folding case and collapsing white space, money and quantities as
decimals, dates as dates. Null in the truth and null in the result is correct; a value
where the truth has null is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

HEADER_FIELDS: tuple[str, ...] = (
    "vendor.name",
    "invoice_number",
    "invoice_date",
    "due_date",
    "po_number",
    "currency",
    "subtotal",
    "tax_total",
    "total",
)
EXTRA_FIELDS: tuple[str, ...] = (
    "amount_due",
    "payment_terms",
    "retainage",
    "project.name",
    "project.number",
    "bill_to.name",
    "vendor.phone",
    "vendor.tax_id",
)
LINE_FIELDS: tuple[str, ...] = (
    "description",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "cost_code",
)
_SPACE = re.compile(r"\s+")


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def values_equal(truth: Any, result: Any) -> bool:
    """One field's truth and result, compared by the contract's rules."""
    if truth is None or result is None:
        return truth is None and result is None
    if isinstance(truth, str) and re.fullmatch(r"-?\d+(\.\d+)?", truth):
        a, b = _as_decimal(truth), _as_decimal(result)
        if a is not None and b is not None:
            return a == b
    if isinstance(truth, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", truth):
        return _as_date(truth) == _as_date(result)
    return _fold(truth) == _fold(result)


def _fold(value: Any) -> str:
    return _SPACE.sub(" ", str(value)).strip().casefold()


def field_value(block: Mapping[str, Any] | None, dotted: str) -> Any:
    """`vendor.name` looked up in an invoice dict; None when any step is missing."""
    node: Any = block
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def lines_equal(truth: Mapping[str, Any], result: Mapping[str, Any]) -> bool:
    """A line item is right when every one of its fields is."""
    return all(values_equal(truth.get(f), result.get(f)) for f in LINE_FIELDS)


def match_lines(truth: Sequence[Mapping[str, Any]], result: Sequence[Mapping[str, Any]]) -> int:
    """How many result lines match a distinct truth line (greedy, in order)."""
    unused = list(range(len(truth)))
    matched = 0
    for line in result:
        for position, index in enumerate(unused):
            if lines_equal(truth[index], line):
                matched += 1
                del unused[position]
                break
    return matched


@dataclass
class Tally:
    """Per-field right/total counts and line-item counts over many documents."""

    right: dict[str, int] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    lines_truth: int = 0
    lines_result: int = 0
    lines_matched: int = 0
    misses: list[str] = field(default_factory=list)

    def add_field(self, name: str, ok: bool, note: str) -> None:
        self.seen[name] = self.seen.get(name, 0) + 1
        self.right[name] = self.right.get(name, 0) + int(ok)
        if not ok:
            self.misses.append(note)

    def add_lines(
        self, truth: Sequence[Mapping[str, Any]], result: Sequence[Mapping[str, Any]]
    ) -> None:
        self.lines_truth += len(truth)
        self.lines_result += len(result)
        self.lines_matched += match_lines(truth, result)

    def accuracy(self, name: str) -> float:
        return self.right.get(name, 0) / self.seen[name] if self.seen.get(name) else float("nan")

    def overall(self, names: Iterable[str]) -> float:
        names = [n for n in names if self.seen.get(n)]
        total = sum(self.seen[n] for n in names)
        return sum(self.right.get(n, 0) for n in names) / total if total else float("nan")

    @property
    def precision(self) -> float:
        return self.lines_matched / self.lines_result if self.lines_result else float("nan")

    @property
    def recall(self) -> float:
        return self.lines_matched / self.lines_truth if self.lines_truth else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_invoice(
    tally: Tally,
    truth: Mapping[str, Any],
    result: Mapping[str, Any] | None,
    fields: Iterable[str],
    source: str,
    with_lines: bool = True,
) -> None:
    """Add one document's invoice fields (and line items) to the tally."""
    for name in fields:
        expected, got = field_value(truth, name), field_value(result, name)
        tally.add_field(
            name, values_equal(expected, got), f"{source}: {name} {expected!r} != {got!r}"
        )
    if with_lines:
        tally.add_lines(truth.get("line_items") or [], (result or {}).get("line_items") or [])
