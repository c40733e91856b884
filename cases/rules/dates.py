"""Date rules every step of the journey shares. Pure: the caller passes today.

One rule for every step: a step's date is given, is not in the future, and is not before what the step follows
(the child's birth, the referral, the assessment it authorises, the plan it reviews...). Every "not before" check in
`cases.services` comes from `step_date_errors` through `Follows`, so every such message has one shape:

    "The <what is dated> cannot be before <what it follows> (<5 December 2026>)"
    "The <what is dated> must be after <what it follows> (<5 December 2026>)"   (when the same day is not allowed)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


def day_text(day: date | datetime) -> str:
    """5 December 2026 (a time is given as 5 December 2026 at 14:05): how dates read everywhere."""
    text = f"{day.day} {day:%B %Y}"
    return f"{text} at {day:%H:%M}" if isinstance(day, datetime) else text


@dataclass(frozen=True)
class Follows:
    """Something a step comes after: how a sentence names it ("the referral", "Amelia was born") and its date (None
    when it has none: then it does not constrain the step). `same_day`: whether the step may be on the same day (a
    strategy discussion may be held the day of the referral; a second review conference may not be on the day of
    the last)."""

    what: str
    on: date | datetime | None
    same_day: bool = True

    def refuses(self, day: date | datetime) -> bool:
        if self.on is None:
            return False
        earlier = self.on
        if isinstance(day, datetime) != isinstance(earlier, datetime):  # compare a date with a date
            day = day.date() if isinstance(day, datetime) else day
            earlier = earlier.date() if isinstance(earlier, datetime) else earlier
        return day < earlier or (not self.same_day and day == earlier)

    def message(self, label: str) -> str:
        assert self.on is not None
        verb = "cannot be before" if self.same_day else "must be after"
        return f"The {label} {verb} {self.what} ({day_text(self.on)})"


def not_before_errors(day: date | datetime | None, field: str, label: str, *follows: Follows) -> dict[str, str]:
    """{field: message} for the first of `follows` that `day` comes before; {} otherwise (or when `day` is None)."""
    if day is None:
        return {}
    for earlier in follows:
        if earlier.refuses(day):
            return {field: earlier.message(label)}
    return {}


def not_future_errors(day: date | None, field: str, label: str, *, today: date) -> dict[str, str]:
    """{field: message} when `day` is missing or after `today`; {} otherwise."""
    if day is None:
        return {field: f"Enter the {label}"}
    if day > today:
        return {field: f"The {label} must be today or in the past"}
    return {}


def step_date_errors(day: date | None, field: str, label: str, *follows: Follows, today: date) -> dict[str, str]:
    """The date rule of every step: given, not in the future, not before anything in `follows`."""
    return not_future_errors(day, field, label, today=today) or not_before_errors(day, field, label, *follows)


def born(name: str, date_of_birth: date | None) -> Follows:
    """A step about a person cannot be before they were born."""
    return Follows(f"{name} was born", date_of_birth)


def years_to_31_march(today: date, count: int) -> list[date]:
    """The last `count` collection years that have ended by `today`, as their 31 March, newest first."""
    latest = today.year if (today.month, today.day) >= (3, 31) else today.year - 1
    return [date(y, 3, 31) for y in range(latest, latest - count, -1)]
