from datetime import date

import pytest

from core.working_days import add_working_days, is_working_day, next_working_day, working_days_between


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
