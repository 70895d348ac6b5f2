"""Invoices, their line items and the AIA G702 pay-application block, as the contract shapes them.

Money fields are `Decimal`; on the wire they carry the invoice currency's minor-unit digits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from models.values import Amount, Frozen, decimal_text, minor_unit_digits, quantize_money

_HEADER_MONEY = ("subtotal", "tax_total", "retainage", "total", "amount_due")
_LINE_MONEY = (
    "amount",
    "scheduled_value",
    "work_completed_previous",
    "work_completed_this_period",
    "materials_stored",
    "total_completed",
    "balance_to_finish",
    "retainage",
)
_PAY_APP_MONEY = (
    "original_contract_sum",
    "net_change_orders",
    "contract_sum_to_date",
    "total_completed_and_stored",
    "retainage",
    "total_earned_less_retainage",
    "less_previous_certificates",
    "current_payment_due",
    "balance_to_finish",
)


class Vendor(Frozen):
    """The supplier as its letterhead prints it."""

    name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    email: str | None = None
    phone: str | None = None


class BillTo(Frozen):
    """Who the invoice is addressed to (postal address without an Attn: line)."""

    name: str | None = None
    address: str | None = None


class Project(Frozen):
    """A construction project or job: name and number kept apart."""

    name: str | None = None
    number: str | None = None


class LineItem(Frozen):
    """One row of an invoice table; columns the table lacks are null.

    On a pay application (G703 continuation sheet) the row is a schedule-of-values line:
    `description` is the SOV description, `amount` the work completed this period, and the
    optional G703 columns below are filled; on other invoices they stay null.
    """

    description: str | None = None
    quantity: Amount | None = None
    unit: str | None = None
    unit_price: Amount | None = None
    amount: Amount | None = None
    cost_code: str | None = None
    item_number: str | None = None
    scheduled_value: Amount | None = None
    work_completed_previous: Amount | None = None
    work_completed_this_period: Amount | None = None
    materials_stored: Amount | None = None
    total_completed: Amount | None = None
    percent_complete: Amount | None = None
    balance_to_finish: Amount | None = None
    retainage: Amount | None = None


class PayApplication(Frozen):
    """The G702 summary of an AIA-style progress billing."""

    application_number: str | None = None
    period_to: date | None = None
    original_contract_sum: Amount | None = None
    net_change_orders: Amount | None = None
    contract_sum_to_date: Amount | None = None
    total_completed_and_stored: Amount | None = None
    retainage: Amount | None = None
    total_earned_less_retainage: Amount | None = None
    less_previous_certificates: Amount | None = None
    current_payment_due: Amount | None = None
    balance_to_finish: Amount | None = None


class Invoice(Frozen):
    """A supplier or subcontractor invoice (also the billing side of a pay application)."""

    vendor: Vendor = Vendor()
    bill_to: BillTo = BillTo()
    invoice_number: str | None = None
    invoice_date: date | None = None
    due_date: date | None = None
    po_number: str | None = None
    payment_terms: str | None = None
    currency: str | None = None
    project: Project = Project()
    line_items: list[LineItem] = []
    subtotal: Amount | None = None
    tax_total: Amount | None = None
    retainage: Amount | None = None
    total: Amount | None = None
    amount_due: Amount | None = None
    pay_application: PayApplication | None = None

    @model_serializer(mode="wrap")
    def _money_in_minor_units(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        """On the wire, money carries exactly the currency's minor-unit digits."""
        data: dict[str, Any] = handler(self)
        if info.mode != "json":
            return data
        _format_money(data, _HEADER_MONEY, self.currency)
        for line in data.get("line_items") or []:
            _format_money(line, _LINE_MONEY, self.currency)
            price = line.get("unit_price")
            if price is not None:
                line["unit_price"] = _unit_price_text(Decimal(price), self.currency)
        if data.get("pay_application"):
            _format_money(data["pay_application"], _PAY_APP_MONEY, self.currency)
        return data


def _format_money(data: dict[str, Any], keys: tuple[str, ...], currency: str | None) -> None:
    for key in keys:
        value = data.get(key)
        if value is not None:
            data[key] = decimal_text(quantize_money(Decimal(value), currency))


def _unit_price_text(price: Decimal, currency: str | None) -> str:
    """Unit prices keep sub-cent digits a supplier printed (0.125/LF) but never fewer than the
    currency's minor unit."""
    digits = max(minor_unit_digits(currency), -int(price.normalize().as_tuple().exponent))
    return decimal_text(price.quantize(Decimal(1).scaleb(-digits)))
