"""Value grammars: amounts with either decimal separator, currencies, document numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.values import (
    detect_currency,
    find_amounts,
    infer_decimal_separator,
    is_identifier,
    parse_amount,
    parse_money,
)


def test_parse_amount_keeps_its_behaviour() -> None:
    assert parse_amount("$1,234.50") == Decimal("1234.50")
    assert parse_amount("1.234,50 €") == Decimal("1234.50")
    assert parse_amount("(1,234.50)") == Decimal("-1234.50")
    assert parse_amount("1,234.50-") == Decimal("-1234.50")


def test_the_document_decides_the_decimal_separator() -> None:
    assert infer_decimal_separator(["Summe 1.234,50", "MwSt 234,56"]) == ","
    assert infer_decimal_separator(["Total 1,234.50", "Tax 34.56"]) == "."


def test_a_lone_group_separator_reads_by_the_document_convention() -> None:
    assert parse_money("1.234", ",") == Decimal("1234")
    assert parse_money("1,234", ".") == Decimal("1234")
    assert parse_money("12,50", ",") == Decimal("12.50")


def test_amounts_in_running_text_skip_percentages_and_rates() -> None:
    found = find_amounts("Sales Tax 6.875% $3,177.08", ".")
    assert [a.value for a in found] == [Decimal("3177.08")]
    assert find_amounts("MwSt. 19 % 1.134,22 EUR", ",")[-1].value == Decimal("1134.22")


def test_negative_amounts_in_running_text() -> None:
    values = [a.value for a in find_amounts("Less Retention 10% (£15,772.47)", ".")]
    assert values == [Decimal("-15772.47")]


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("Total € 12,00", "EUR"),
        ("Total £12.00", "GBP"),
        ("Total 12.00 CHF", "CHF"),
        ("Total A$12.00", "AUD"),
        ("Total $12.00 GST/HST 13%", "CAD"),
        ("Burnaby, BC V5C 5T4 Total $12.00", "CAD"),
        ("Silverwater NSW 2128 Total $12.00", "AUD"),
        ("Total $12.00", "USD"),
        ("Total 12.00", None),
        ("TOTAL RM 31.50 CASH RM50.00", "MYR"),
        ("RM 204 Level 2", None),  # a room, not ringgit
        ("Total ¥12,000", "JPY"),
        # A "¥" that OCR made of a stray mark, on a receipt whose amounts have cents.
        ("MR. D.I.¥. SDN BHD TOTAL 12.50 CASH 15.00 CHANGE 2.50", None),
    ],
)
def test_currency_from_codes_symbols_and_regional_hints(text: str, currency: str | None) -> None:
    assert detect_currency(text) == currency


@pytest.mark.parametrize("token", ["INV-10293", "471102", "RE-20140519/499", "A-2026-2544"])
def test_document_numbers_have_a_digit(token: str) -> None:
    assert is_identifier(token)


@pytest.mark.parametrize("token", ["Date", "03/14/2026", "14.03.2026", "+49301234", "1,234.50"])
def test_dates_phones_words_and_amounts_are_not_document_numbers(token: str) -> None:
    assert not is_identifier(token)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_amounts_read_back_in_both_conventions(value: Decimal) -> None:
    us = f"{value:,.2f}"
    eu = us.replace(",", " ").replace(".", ",").replace(" ", ".")
    assert parse_money(us, ".") == value
    assert parse_money(eu, ",") == value
    assert [a.value for a in find_amounts(f"Total {us} USD", ".")] == [value]
