"""The contract models: money on the wire, blanks as null, arithmetic checks as issues."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from models import (
    Discipline,
    Envelope,
    ErrorCode,
    Invoice,
    LineItem,
    check_invoice_arithmetic,
    discipline_for_sheet_number,
    quantize_money,
)


def _invoice(**overrides: object) -> Invoice:
    fields: dict[str, object] = {
        "currency": "USD",
        "invoice_date": date(2026, 3, 14),
        "due_date": date(2026, 4, 13),
        "payment_terms": "Net 30",
        "line_items": [
            LineItem(description="2x4 SPF", quantity=Decimal(12), unit="EA",
                     unit_price=Decimal("45.00"), amount=Decimal("540.00")),
        ],
        "subtotal": Decimal("540.00"),
        "tax_total": Decimal("43.20"),
        "total": Decimal("583.20"),
        "amount_due": Decimal("583.20"),
    }  # fmt: skip
    fields.update(overrides)
    return Invoice.model_validate(fields)


def test_money_is_a_string_with_the_currencys_minor_unit_digits() -> None:
    wire = json.loads(_invoice(total=Decimal("583.2")).model_dump_json())
    assert wire["total"] == "583.20"
    assert wire["line_items"][0]["amount"] == "540.00"
    yen = json.loads(_invoice(currency="JPY", total=Decimal("583")).model_dump_json())
    assert yen["total"] == "583"


def test_unit_prices_keep_the_sub_cent_digits_a_supplier_printed() -> None:
    line = LineItem(quantity=Decimal(800), unit_price=Decimal("0.125"), amount=Decimal(100))
    wire = json.loads(_invoice(line_items=[line]).model_dump_json())
    assert wire["line_items"][0]["unit_price"] == "0.125"
    assert wire["line_items"][0]["quantity"] == "800"


def test_dates_are_iso_and_blank_strings_are_null() -> None:
    wire = json.loads(_invoice(po_number="  ", payment_terms="").model_dump_json())
    assert wire["invoice_date"] == "2026-03-14"
    assert wire["po_number"] is None
    assert wire["payment_terms"] is None


def test_models_are_frozen_and_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Invoice.model_validate({"invoice_no": "1"})
    with pytest.raises(ValidationError):
        _invoice().total = Decimal(1)  # type: ignore[misc]


def test_a_consistent_invoice_has_no_arithmetic_issues() -> None:
    assert check_invoice_arithmetic(_invoice()) == []


def test_each_broken_relation_is_reported_against_its_field() -> None:
    bad_line = LineItem(quantity=Decimal(12), unit_price=Decimal(45), amount=Decimal(500))
    issues = check_invoice_arithmetic(
        _invoice(line_items=[bad_line], total=Decimal("600.00"), due_date=date(2026, 3, 1))
    )
    fields = {issue.field for issue in issues}
    assert fields == {"line_items[0].amount", "subtotal", "total", "due_date"}
    assert all(str(issue).startswith(issue.field) for issue in issues)


def test_retainage_may_be_taken_from_the_total_or_only_from_the_amount_due() -> None:
    held = _invoice(retainage=Decimal("54.00"), amount_due=Decimal("529.20"))
    assert check_invoice_arithmetic(held) == []


def test_due_date_must_follow_net_terms() -> None:
    issues = check_invoice_arithmetic(_invoice(due_date=date(2026, 5, 30)))
    assert [issue.field for issue in issues] == ["due_date"]


@given(
    quantities=st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=40),
    price_cents=st.integers(min_value=1, max_value=10_000_000),
    tax_rate=st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.0825"), Decimal("0.2")]),
)
def test_invoices_built_by_the_rules_always_pass_the_checks(
    quantities: list[int], price_cents: int, tax_rate: Decimal
) -> None:
    price = Decimal(price_cents) / 100
    lines = [
        LineItem(quantity=Decimal(q), unit_price=price, amount=quantize_money(q * price, "USD"))
        for q in quantities
    ]
    subtotal = sum((line.amount or Decimal(0) for line in lines), Decimal(0))
    tax = quantize_money(subtotal * tax_rate, "USD")
    invoice = _invoice(line_items=lines, subtotal=subtotal, tax_total=tax,
                       total=subtotal + tax, amount_due=subtotal + tax)  # fmt: skip
    assert check_invoice_arithmetic(invoice) == []


def test_an_error_envelope_has_every_other_field_null() -> None:
    envelope = Envelope.failed("a.pdf", ErrorCode.EMPTY_FILE, "The file is empty.")
    wire = json.loads(envelope.to_json_line())
    assert wire["error"] == {"code": "empty_file", "message": "The file is empty."}
    assert wire["schema_version"] == "1"
    nulls = {k for k, v in wire.items() if v is None}
    assert nulls == set(wire) - {"schema_version", "source", "error"}


@pytest.mark.parametrize(
    ("number", "discipline"),
    [("A-101", Discipline.ARCHITECTURAL), ("FP-101", Discipline.FIRE_PROTECTION),
     ("S2.01", Discipline.STRUCTURAL), ("M-001", Discipline.MECHANICAL),
     ("E3.1", Discipline.ELECTRICAL), ("101", Discipline.UNKNOWN), (None, Discipline.UNKNOWN)],
)  # fmt: skip
def test_discipline_follows_the_ncs_designator(number: str | None, discipline: Discipline) -> None:
    assert discipline_for_sheet_number(number) == discipline
