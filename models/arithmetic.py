"""The arithmetic an invoice implies, checked: each failed check is an issue, never an exception.

line amount = quantity x unit price; sum of line amounts = subtotal;
subtotal + tax - retainage = total (or amount due); due date not before invoice date and
consistent with "Net N" terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from models.invoice import Invoice, LineItem
from models.values import minor_unit_digits

_NET_DAYS = re.compile(
    r"\b(?:net|netto|n)\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:days|tage|jours|días|dias|dagen)\b", re.I
)


@dataclass(frozen=True, slots=True)
class ArithmeticIssue:
    """One failed check: which field it casts doubt on, and why, for a person."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _tolerance(currency: str | None, terms: int = 1) -> Decimal:
    """Rounding slack: half a minor unit per rounded term, at least one minor unit."""
    unit = Decimal(1).scaleb(-minor_unit_digits(currency))
    return max(unit, unit * terms / 2)


def _check_line(index: int, line: LineItem, currency: str | None) -> ArithmeticIssue | None:
    if line.quantity is None or line.unit_price is None or line.amount is None:
        return None
    expected = line.quantity * line.unit_price
    if abs(expected - line.amount) <= _tolerance(currency) + abs(line.quantity) * Decimal("0.005"):
        return None
    return ArithmeticIssue(
        f"line_items[{index}].amount",
        f"{line.quantity} x {line.unit_price} = {expected}, but the line says {line.amount}",
    )


def _check_sum_of_lines(invoice: Invoice) -> ArithmeticIssue | None:
    amounts = [line.amount for line in invoice.line_items if line.amount is not None]
    if invoice.subtotal is None or not amounts:
        return None
    total = sum(amounts, Decimal(0))
    if abs(total - invoice.subtotal) <= _tolerance(invoice.currency, len(amounts)):
        return None
    return ArithmeticIssue(
        "subtotal", f"line items add up to {total}, but the subtotal says {invoice.subtotal}"
    )


def _check_total(invoice: Invoice) -> ArithmeticIssue | None:
    if invoice.subtotal is None or invoice.total is None:
        return None
    tax = invoice.tax_total or Decimal(0)
    retainage = invoice.retainage or Decimal(0)
    expected = invoice.subtotal + tax
    # Some subcontractors print the total after retainage; both readings are consistent.
    if min(abs(expected - invoice.total), abs(expected - retainage - invoice.total)) <= (
        _tolerance(invoice.currency, 3)
    ):
        return None
    return ArithmeticIssue(
        "total",
        f"subtotal {invoice.subtotal} + tax {tax} = {expected}, but the total says {invoice.total}",
    )


def _check_amount_due(invoice: Invoice) -> ArithmeticIssue | None:
    """What is payable now can be less than the total (retainage, payments), never more."""
    if invoice.total is None or invoice.amount_due is None:
        return None
    if invoice.amount_due <= invoice.total + _tolerance(invoice.currency) or invoice.total < 0:
        return None
    return ArithmeticIssue(
        "amount_due", f"the amount due {invoice.amount_due} exceeds the total {invoice.total}"
    )


def _check_dates(invoice: Invoice) -> ArithmeticIssue | None:
    if invoice.invoice_date is None or invoice.due_date is None:
        return None
    if invoice.due_date < invoice.invoice_date:
        return ArithmeticIssue("due_date", "the due date is before the invoice date")
    match = _NET_DAYS.search(invoice.payment_terms or "")
    if match is None:
        return None
    days = int(match.group(1) or match.group(2))
    expected = invoice.invoice_date + timedelta(days=days)
    # End-of-month terms and weekend shifts move a due date by a few days, never by weeks.
    if (
        abs((invoice.due_date - expected).days) <= 3
        or "eom" in (invoice.payment_terms or "").lower()
    ):
        return None
    return ArithmeticIssue(
        "due_date",
        f"terms '{invoice.payment_terms}' imply {expected}, the due date is {invoice.due_date}",
    )


def check_invoice_arithmetic(invoice: Invoice) -> list[ArithmeticIssue]:
    """An invoice in, the list of arithmetic checks it fails out (empty when consistent)."""
    issues = [_check_line(i, line, invoice.currency) for i, line in enumerate(invoice.line_items)]
    issues += [
        _check_sum_of_lines(invoice),
        _check_total(invoice),
        _check_amount_due(invoice),
        _check_dates(invoice),
    ]
    return [issue for issue in issues if issue is not None]
