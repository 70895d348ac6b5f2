"""Dates as suppliers print them, read into `datetime.date`, with day/month order decided
by the whole document."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.dates import find_dates, infer_day_first, parse_date

DAY = date(2026, 3, 14)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-14",
        "03/14/2026",
        "14.03.2026",
        "14.03.26",
        "March 14, 2026",
        "Mar. 14, 2026",
        "14 Mar 2026",
        "14-Mar-2026",
        "14. März 2026",
        "14 mars 2026",
        "14 de marzo de 2026",
        "14 maart 2026",
        "Invoice date: 14 March 2026 (due in 30 days)",
    ],
)
def test_every_common_format_reads_as_the_same_day(text: str) -> None:
    assert parse_date(text) == DAY


def test_an_ambiguous_numeric_date_follows_the_document_order() -> None:
    assert parse_date("03/04/2026", day_first=False) == date(2026, 3, 4)
    assert parse_date("03/04/2026", day_first=True) == date(2026, 4, 3)


def test_a_part_above_twelve_settles_the_order_of_that_date() -> None:
    assert parse_date("14/03/2026", day_first=False) == DAY
    assert parse_date("03/14/2026", day_first=True) == DAY


def test_two_digit_years_are_this_century() -> None:
    assert parse_date("3/14/26") == DAY


def test_no_date_in_amounts_or_phone_numbers() -> None:
    assert find_dates("Total 1,234.50 Tel 555-0142") == []
    assert parse_date("Mar 2026") is None


def test_several_dates_are_found_left_to_right() -> None:
    found = find_dates("Vom 17. Dezember 2018 bis 6. Januar 2019")
    assert [m.value for m in found] == [date(2018, 12, 17), date(2019, 1, 6)]


def test_a_document_date_with_a_first_part_above_twelve_makes_it_day_first() -> None:
    assert infer_day_first(["Date 05/04/2026", "Due 25/04/2026"], "USD", english=lambda: True)


def test_a_second_part_above_twelve_makes_it_month_first() -> None:
    assert not infer_day_first(["Date 05/04/2026", "Paid 11/17/2026"], "EUR", english=lambda: False)


def test_dotted_dates_are_day_first() -> None:
    assert infer_day_first(["Datum 05.04.2026"], None, english=lambda: False)


def test_without_evidence_the_currency_and_language_decide() -> None:
    assert not infer_day_first(["03/04/2026"], "USD", english=lambda: True)
    assert not infer_day_first(["03/04/2026"], "CAD", english=lambda: True)
    assert infer_day_first(["03/04/2026"], "GBP", english=lambda: True)
    assert infer_day_first(["03/04/2026"], "EUR", english=lambda: False)


@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2068, 12, 31)))
def test_formatted_dates_read_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(day.strftime("%B %d, %Y")) == day
    assert parse_date(day.strftime("%d %b %Y")) == day
    assert parse_date(day.strftime("%m/%d/%Y"), day_first=False) == day
    assert parse_date(day.strftime("%d/%m/%Y"), day_first=True) == day
    assert parse_date(day.strftime("%d/%m/%y"), day_first=True) == day
