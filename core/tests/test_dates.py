from datetime import date, timedelta

import pytest

from core.dates import (
    add_working_days,
    age_on,
    age_text,
    birthday,
    is_working_day,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 1, 2), 45, date(2026, 3, 6)),  # a referral early in January: no bank holidays on the way
        (date(2025, 12, 23), 1, date(2025, 12, 24)),
        (date(2025, 12, 24), 1, date(2025, 12, 29)),  # Christmas Day and Boxing Day, then the weekend
        (date(2025, 12, 31), 1, date(2026, 1, 2)),  # across the year end, New Year's Day skipped
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Good Friday 3 April and Easter Monday 6 April 2026
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Friday before the late May bank holiday
        (date(2026, 3, 27), 15, date(2026, 4, 21)),  # 15 working days across Easter
        (date(2026, 3, 31), 1, date(2026, 4, 1)),  # across the end of the collection year
    ],
)
def test_add_working_days(start, days, due):
    assert add_working_days(start, days) == due


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day 2026 is a Saturday: substitute day Monday 28th
    assert not is_working_day(date(2026, 8, 31))  # summer bank holiday (England and Wales)
    assert not is_working_day(date(2026, 11, 21))  # a Saturday
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day is a holiday in Northern Ireland only
    assert is_working_day(date(2026, 11, 30))  # St Andrew's Day is Scotland's, not ours


def test_counting_back_and_between():
    assert add_working_days(date(2026, 1, 5), -1) == date(2026, 1, 2)
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert working_days_between(date(2026, 4, 7), date(2026, 4, 2)) == 0
    assert next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)


# --- ages and birthdays: the law of England and Wales, one rule for every module ----------------------------------

LEAP_DAY_CHILD = date(2008, 2, 29)


def test_a_child_born_on_29_february_attains_an_age_on_1_march_in_a_common_year():
    assert age_on(LEAP_DAY_CHILD, date(2023, 2, 28)) == 14
    assert age_on(LEAP_DAY_CHILD, date(2023, 3, 1)) == 15
    assert birthday(LEAP_DAY_CHILD, 15) == date(2023, 3, 1)
    assert birthday(LEAP_DAY_CHILD, 16) == date(2024, 2, 29)  # a leap year has the day itself
    assert age_on(LEAP_DAY_CHILD, date(2024, 2, 29)) == 16


@pytest.mark.parametrize("years", range(0, 30))
def test_age_and_birthday_agree(years):
    for born in (LEAP_DAY_CHILD, date(2010, 3, 1), date(2009, 12, 31), date(2011, 1, 1)):
        day = birthday(born, years)
        assert age_on(born, day) == years
        if years:
            assert age_on(born, day - timedelta(days=1)) == years - 1


def test_counting_back_from_a_leap_day_is_safe():
    assert birthday(LEAP_DAY_CHILD, -1) == date(2007, 3, 1)


@pytest.mark.parametrize(
    ("born", "on", "text"),
    [
        (date(2026, 12, 1), date(2026, 12, 5), "4 days"),
        (date(2026, 12, 4), date(2026, 12, 5), "1 day"),
        (date(2026, 11, 20), date(2026, 12, 5), "2 weeks"),
        (date(2026, 2, 5), date(2026, 12, 5), "10 months"),
        (date(2025, 11, 5), date(2026, 12, 5), "1 year"),
        (date(2024, 12, 6), date(2026, 12, 5), "1 year"),
        (date(2024, 12, 5), date(2026, 12, 5), "2 years"),
        (date(2011, 6, 1), date(2026, 12, 5), "15 years"),
        (date(2027, 1, 1), date(2026, 12, 5), "not born yet"),
        (date(2026, 1, 31), date(2026, 2, 28), "1 month"),
        (date(2026, 1, 31), date(2026, 2, 27), "3 weeks"),
    ],
)
def test_age_as_a_person_says_it(born, on, text):
    assert age_text(born, on) == text
