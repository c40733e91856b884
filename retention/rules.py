"""Retention as pure rules: which class of record a person's record is, and when it is due for a disposal review.

No Django, no database (the facts are gathered by `retention.facts`; the rules' numbers are rows of
`retention.RetentionRule`, editable by administrators, passed in as `Rule`). One place decides the class:
`classify`. One place works out the date: `review_date`.

Classes, strongest first (a record that is several things is kept for the longest-living reason):
adoption > looked after > care leaver > child protection > child in need > adult > other.
Dates count whole years with `core.dates.birthday` (29 February rolls to 1 March in a common year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.dates import age_on, birthday, long_date


class RetentionClass(StrEnum):
    ADOPTION = "adoption"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVER = "care_leaver"
    CHILD_PROTECTION = "child_protection"
    CHILD_IN_NEED = "child_in_need"
    ADULT = "adult"
    OTHER = "other"


class Trigger(StrEnum):
    BIRTH = "birth"  # the date of birth
    ADOPTION_ORDER = "adoption_order"  # the date of the adoption order
    CASE_CLOSED = "case_closed"  # the last of the record's episodes and plans ends
    LAST_ACTIVITY = "last_activity"  # the last thing recorded (closure, or the record being added)


TRIGGER_WORDS = {
    Trigger.BIRTH: "the date of birth",
    Trigger.ADOPTION_ORDER: "the date of the adoption order",
    Trigger.CASE_CLOSED: "the date the case closed",
    Trigger.LAST_ACTIVITY: "the last date anything was recorded",
}


@dataclass(frozen=True)
class Rule:
    """A retention rule's numbers: keep for `years` from `trigger`; if the person died before 18 and
    `after_death_years` is set, keep for that many years from the date of death instead."""

    retention_class: RetentionClass
    trigger: Trigger
    years: int
    after_death_years: int | None = None


@dataclass(frozen=True)
class Facts:
    """What the record says that retention depends on (gathered by retention.facts)."""

    born: date | None = None
    died: date | None = None
    added: date | None = None  # the day the record was made
    looked_after: bool = False
    left_care_on: date | None = None  # the end of the last period of care, if it ended
    care_leaver: bool = False  # contact as a care leaver recorded, or left care at 16 or over
    adopted_on: date | None = None  # the adoption order
    child_protection: bool = False
    child_in_need: bool = False
    case_open: bool = False  # an episode or plan still open
    closed_on: date | None = None  # the last end of an episode or plan
    adult: bool = False  # 18 or over when first known, with no children's history


@dataclass(frozen=True)
class Outcome:
    retention_class: RetentionClass
    trigger_date: date | None
    review_on: date | None
    why: str  # in words: how the date was worked out, or why it cannot be yet


def classify(facts: Facts) -> RetentionClass:
    """The class of this person's record: the one place that decides it."""
    if facts.adopted_on is not None:
        return RetentionClass.ADOPTION
    if facts.care_leaver:
        return RetentionClass.CARE_LEAVER
    if facts.looked_after:
        return RetentionClass.LOOKED_AFTER
    if facts.child_protection:
        return RetentionClass.CHILD_PROTECTION
    if facts.child_in_need:
        return RetentionClass.CHILD_IN_NEED
    if facts.adult:
        return RetentionClass.ADULT
    return RetentionClass.OTHER


def died_before_18(facts: Facts) -> bool:
    return facts.died is not None and facts.born is not None and age_on(facts.born, facts.died) < 18


def review_date(rule: Rule, facts: Facts) -> Outcome:
    """When the record is due for a disposal review under `rule`, and how that was worked out."""
    cls = rule.retention_class
    if rule.after_death_years is not None and died_before_18(facts):
        assert facts.died is not None
        day = birthday(facts.died, rule.after_death_years)
        return Outcome(
            cls,
            facts.died,
            day,
            f"{rule.after_death_years} years from the date of death ({long_date(facts.died)}), who died before 18",
        )
    if rule.trigger == Trigger.BIRTH:
        if facts.born is None:
            return Outcome(cls, None, None, "Cannot be worked out: the date of birth is not recorded")
        start = facts.born
    elif rule.trigger == Trigger.ADOPTION_ORDER:
        if facts.adopted_on is None:
            return Outcome(cls, None, None, "Cannot be worked out: no adoption order is recorded")
        start = facts.adopted_on
    elif rule.trigger == Trigger.CASE_CLOSED:
        if facts.case_open:
            return Outcome(cls, None, None, "Not while the case is open")
        closed = facts.closed_on or facts.left_care_on
        if closed is None and facts.added is not None:
            # No case was ever opened: counted from the day the record was added.
            day = birthday(facts.added, rule.years)
            return Outcome(
                cls,
                facts.added,
                day,
                f"{rule.years} years from the date the record was added ({long_date(facts.added)}), no case opened",
            )
        if closed is None:
            return Outcome(cls, None, None, "Cannot be worked out: no closing date is recorded")
        start = closed
    else:
        if facts.case_open:
            return Outcome(cls, None, None, "Not while the case is open")
        start_or_none = max((d for d in (facts.closed_on, facts.left_care_on, facts.added) if d), default=None)
        if start_or_none is None:
            return Outcome(cls, None, None, "Cannot be worked out: nothing dated is recorded")
        start = start_or_none
    day = birthday(start, rule.years)
    return Outcome(cls, start, day, f"{rule.years} years from {TRIGGER_WORDS[rule.trigger]} ({long_date(start)})")


def outcome(rules: dict[RetentionClass, Rule], facts: Facts) -> Outcome:
    """The class and the review date for these facts under the authority's rules."""
    return review_date(rules[classify(facts)], facts)
