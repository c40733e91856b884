"""Every date rule in one place: ages, birthdays and working days. Everything else asks this module.

Ages and birthdays follow the law of England and Wales: a person attains an age at the start of the anniversary of
their birth (Family Law Reform Act 1969, s.9), and someone born on 29 February has that anniversary on 1 March in a
year that has no 29 February. So a child born on 29 February 2008 is 14 on 28 February 2023 and 15 on 1 March 2023.

Working days: Monday to Friday, less the bank holidays of England and Wales (the `holidays` package).

Statutory timescales count working days *after* the start day: a referral on Friday with a 1 working-day decision
is due on Monday (or Tuesday after a bank holiday Monday). 45 working days from a referral on 2 January 2026 falls
on 6 March 2026.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


def long_date(day: date) -> str:
    """A date as people read it and GOV.UK writes it: "5 December 2026" (no leading zero, the month in full). Pages
    get the same from the DATE_FORMAT setting (`{{ day|date }}`)."""
    return f"{day.day} {day:%B %Y}"


def birthday(born: date, years: int) -> date:
    """The day `born` attains the age `years` (1 March for a 29 February birthday in a common year)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a year without one
        return date(born.year + years, 3, 1)


def age_on(born: date, day: date) -> int:
    """Age in whole years on `day` (negative before birth is not meaningful: callers check `born <= day`)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 when end is before the first month is up)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and not _is_month_end_catch_up(start, end):
        months -= 1
    return max(months, 0)


def _is_month_end_catch_up(start: date, end: date) -> bool:
    # 31 January to 28 February is a whole month: the later month has no 31st.
    next_day = end + timedelta(days=1)
    return next_day.month != end.month and start.day > end.day


def age_text(born: date, day: date) -> str:
    """Age as a person says it: "3 weeks", "10 months", "1 year", "15 years"; "not born yet" before birth."""
    if day < born:
        return "not born yet"
    years = age_on(born, day)
    if years >= 2:
        return f"{years} years"
    months = months_between(born, day)
    if months >= 12:
        return "1 year"
    if months >= 1:
        return f"{months} month" + ("s" if months != 1 else "")
    weeks = (day - born).days // 7
    if weeks >= 1:
        return f"{weeks} week" + ("s" if weeks != 1 else "")
    days = (day - born).days
    return f"{days} day" + ("s" if days != 1 else "")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; subdiv "ENG" gives them (Wales adds none of its own).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted). Negative counts go backwards."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, otherwise the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
