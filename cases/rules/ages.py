"""Whom the children's journey is for. Pure: the caller passes the dates and today.

Children's social care works with children under 18 and with unborn children (a referral can come before birth).
Young people who were looked after remain care leavers, with a personal adviser and leaving-care contacts, until
their 25th birthday (Children (Leaving Care) Act 2000, as extended by the Children and Social Work Act 2017).
Steps that finish what is already open (ending a plan or a period of care, closing a case) are for anyone who has
it open: a looked-after child who turns 18 still leaves care on the record.

Adults' work (Care Act assessments) comes later: until it does, an adult's record offers no children's journey.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from cases.rules.dates import day_text
from core.dates import age_on, age_text

CHILD_UNTIL = 18
CARE_LEAVER_UNTIL = 25


class Who(StrEnum):
    """Whom a journey step is for."""

    CHILDREN = "children"  # children under 18 and unborn children (or a date of birth not known)
    CARE_LEAVERS = "care_leavers"  # children, and young people under 25 who were looked after
    ANYONE = "anyone"  # finishing what is open, whatever the age now


def is_child(date_of_birth: date | None, today: date) -> bool:
    """Under 18, unborn, or of unknown age (a contact often comes before anyone knows the date of birth)."""
    return date_of_birth is None or age_on(date_of_birth, today) < CHILD_UNTIL


def is_care_leaver_age(date_of_birth: date | None, today: date) -> bool:
    return date_of_birth is None or age_on(date_of_birth, today) < CARE_LEAVER_UNTIL


def step_is_for(who: Who, *, date_of_birth: date | None, been_looked_after: bool, today: date) -> bool:
    if who == Who.ANYONE:
        return True
    if is_child(date_of_birth, today):
        return True
    return who == Who.CARE_LEAVERS and been_looked_after and is_care_leaver_age(date_of_birth, today)


def not_a_child(name: str, date_of_birth: date | None, on: date, *, today: date) -> str:
    """The plain refusal of children's work dated `on` for someone who was an adult that day ("" for a child)."""
    if is_child(date_of_birth, on):
        return ""
    assert date_of_birth is not None
    age = age_text(date_of_birth, on)
    was = f"is {age} old" if on == today else f"was {age} old on {day_text(on)}"
    return (
        f"{name} {was}. Children's social care works with children under 18 and unborn children, so this cannot be "
        "recorded for an adult. Adults' services are not in Casework yet."
    )
