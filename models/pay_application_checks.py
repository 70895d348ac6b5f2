"""The arithmetic of an AIA G702/G703 pay application, checked: each failed check is an issue.

G702: line 3 = line 1 + line 2; line 6 = line 4 - line 5; line 8 = line 6 - line 7;
line 9 = line 3 - line 6 ("balance to finish, including retainage"). G703 column sums against
the G702: sum of C (scheduled value) = line 3, sum of G (total completed and stored) = line 4,
sum of I (retainage) = line 5; per row, G = D + E + F and balance = C - G. Pure functions
over `models` (no I/O); the API's corrections re-run them on a corrected result.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from models.arithmetic import ArithmeticIssue
from models.invoice import Invoice, LineItem, PayApplication
from models.values import minor_unit_digits

_G702_LINES = {
    "original_contract_sum": "line 1 (original contract sum)",
    "net_change_orders": "line 2 (net change by change orders)",
    "contract_sum_to_date": "line 3 (contract sum to date)",
    "total_completed_and_stored": "line 4 (total completed and stored to date)",
    "retainage": "line 5 (retainage)",
    "total_earned_less_retainage": "line 6 (total earned less retainage)",
    "less_previous_certificates": "line 7 (less previous certificates for payment)",
    "current_payment_due": "line 8 (current payment due)",
    "balance_to_finish": "line 9 (balance to finish, including retainage)",
}
# (result, left, sign, right): result = left + sign * right
_G702_RULES: tuple[tuple[str, str, int, str], ...] = (
    ("contract_sum_to_date", "original_contract_sum", 1, "net_change_orders"),
    ("total_earned_less_retainage", "total_completed_and_stored", -1, "retainage"),
    ("current_payment_due", "total_earned_less_retainage", -1, "less_previous_certificates"),
    ("balance_to_finish", "contract_sum_to_date", -1, "total_earned_less_retainage"),
)
# (G703 column, its name, the G702 field its sum must equal)
_COLUMN_SUMS: tuple[tuple[str, str, str], ...] = (
    ("scheduled_value", "column C (scheduled value)", "contract_sum_to_date"),
    ("total_completed", "column G (total completed and stored)", "total_completed_and_stored"),
    ("retainage", "column I (retainage)", "retainage"),
)


def _tolerance(currency: str | None, terms: int = 1) -> Decimal:
    unit = Decimal(1).scaleb(-minor_unit_digits(currency))
    return max(unit, unit * terms / 2)


def g702_line_name(field: str) -> str:
    """A G702 field name in, the form's numbered line it is printed on out."""
    return _G702_LINES.get(field, field)


def check_g702(summary: PayApplication, currency: str | None = None) -> list[ArithmeticIssue]:
    """A G702 summary in, the line relations it breaks out (empty when consistent)."""
    issues: list[ArithmeticIssue] = []
    for result, left, sign, right in _G702_RULES:
        values = [getattr(summary, name) for name in (result, left, right)]
        if any(value is None for value in values):
            continue
        got, a, b = values
        expected = a + sign * b
        if abs(expected - got) <= _tolerance(currency, 3):
            continue
        op = "+" if sign > 0 else "-"
        issues.append(
            ArithmeticIssue(
                f"pay_application.{result}",
                f"G702 {g702_line_name(result)} is {got}, but {g702_line_name(left)} {a} {op} "
                f"{g702_line_name(right)} {b} = {expected}",
            )
        )
    return issues


def _row_name(index: int, line: LineItem) -> str:
    return f"row {index + 1}" + (f" (item {line.item_number})" if line.item_number else "")


def _check_row(index: int, line: LineItem, currency: str | None) -> list[ArithmeticIssue]:
    """One G703 row: G = D + E + F and, when printed, balance = C - G."""
    issues: list[ArithmeticIssue] = []
    parts = (line.work_completed_previous, line.work_completed_this_period, line.materials_stored)
    if line.total_completed is not None and all(part is not None for part in parts):
        expected = sum((part for part in parts if part is not None), Decimal(0))
        if abs(expected - line.total_completed) > _tolerance(currency, 3):
            issues.append(
                ArithmeticIssue(
                    f"line_items[{index}].total_completed",
                    f"G703 {_row_name(index, line)}: columns D + E + F = {expected}, "
                    f"but column G says {line.total_completed}",
                )
            )
    if None not in (line.scheduled_value, line.total_completed, line.balance_to_finish):
        assert line.scheduled_value is not None and line.total_completed is not None
        expected = line.scheduled_value - line.total_completed
        if line.balance_to_finish is not None and abs(expected - line.balance_to_finish) > (
            _tolerance(currency, 2)
        ):
            issues.append(
                ArithmeticIssue(
                    f"line_items[{index}].balance_to_finish",
                    f"G703 {_row_name(index, line)}: column C - G = {expected}, "
                    f"but the balance to finish says {line.balance_to_finish}",
                )
            )
    return issues


def check_g703_against_g702(
    lines: Sequence[LineItem], summary: PayApplication, currency: str | None = None
) -> list[ArithmeticIssue]:
    """G703 rows and the G702 summary in, the column sums that disagree with it out."""
    issues: list[ArithmeticIssue] = []
    for column, name, field in _COLUMN_SUMS:
        target = getattr(summary, field)
        values = [getattr(line, column) for line in lines]
        present = [value for value in values if value is not None]
        if target is None or not present:
            continue
        total = sum(present, Decimal(0))
        if abs(total - target) <= _tolerance(currency, len(present)):
            continue
        issues.append(
            ArithmeticIssue(
                f"pay_application.{field}",
                f"G703 {name} adds up to {total} over {len(present)} rows, but G702 "
                f"{g702_line_name(field)} says {target}",
            )
        )
    return issues


def check_pay_application(invoice: Invoice) -> list[ArithmeticIssue]:
    """A pay application's invoice block in, every G702 and G703 check it fails out."""
    summary = invoice.pay_application
    if summary is None:
        return []
    issues = check_g702(summary, invoice.currency)
    sov = [line for line in invoice.line_items if line.scheduled_value is not None]
    for index, line in enumerate(invoice.line_items):
        if line.scheduled_value is not None:
            issues += _check_row(index, line, invoice.currency)
    issues += check_g703_against_g702(sov, summary, invoice.currency)
    return issues
