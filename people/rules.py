"""Is a family relationship plausible? Pure rules (no database): the service gathers the facts and asks here.

A relationship is read "A is <type> of B" ("Sarah is parent of Amelia"). Each rule gives either a refusal (the
relationship cannot be right: a 7-year-old is not the parent of a 1-year-old, a child is not older than their
parent) or a question (unusual but possible: a parent 13 years older than their child, a third parent). A refusal is
never saved; a question is saved once the user has confirmed it.

The ages are whole years between the two dates of birth (an unborn child counts from their expected date), by the
rule of `core.dates.age_on`. Where a date of birth is not known, the rules that need it are not applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.dates import age_on

# A parent at least this many years older than their child; below it, the relationship is refused.
PARENT_MIN_GAP = 12
# A parent younger than this at the child's birth is unusual: the user is asked to confirm.
PARENT_USUAL_GAP = 16
# A parent this many years older, or more, is unusual too (a grandparent recorded as a parent, a mistyped year).
PARENT_OLD_GAP = 60
# Two generations: a grandparent at least twice the parent's minimum older than their grandchild.
GRANDPARENT_MIN_GAP = 2 * PARENT_MIN_GAP
GRANDPARENT_USUAL_GAP = 30
# Brothers and sisters born this many years apart, or more, are unusual (half-siblings more often).
SIBLING_GAP = 25
HALF_SIBLING_GAP = 40
# A partner under this age is a question (and may be a safeguarding concern the worker should record).
PARTNER_MIN_AGE = 16

# Each type read from the other side: "A is child of B" is "B is parent of A".
RECIPROCAL = {
    "parent": "child",
    "child": "parent",
    "step_parent": "step_child",
    "step_child": "step_parent",
    "grandparent": "grandchild",
    "grandchild": "grandparent",
    "carer": "cared_for",
    "cared_for": "carer",
    "sibling": "sibling",
    "half_sibling": "half_sibling",
    "partner": "partner",
    "household_member": "household_member",
}
# The types whose first person is of an older generation, or who looks after the second.
ELDER_TYPES = {"parent", "step_parent", "grandparent", "carer"}


@dataclass(frozen=True)
class Someone:
    """A person as these rules see them: a name for the messages and their date of birth (or expected date)."""

    name: str
    born: date | None = None
    expected: date | None = None

    @property
    def is_unborn(self) -> bool:
        return self.born is None and self.expected is not None

    @property
    def birth(self) -> date | None:
        return self.born or self.expected


@dataclass
class Plausibility:
    """What the rules found: refusals by form field, and questions the user must confirm."""

    refusals: dict[str, str] = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.questions


def years_older(elder: date, younger: date) -> int:
    """Whole years between two dates of birth, negative when `elder` was in fact born later."""
    if elder <= younger:
        return age_on(elder, younger)
    return -age_on(younger, elder)


def _born(s: Someone) -> str:
    assert s.birth is not None
    when = f"{s.birth.day} {s.birth:%B %Y}"
    return f"{s.name} (due {when})" if s.is_unborn else f"{s.name} (born {when})"


def _years(n: int) -> str:
    return f"{n} year{'s' if n != 1 else ''}"


def relationship_plausibility(
    *,
    first: Someone,
    type: str,
    second: Someone,
    second_parents: list[Someone] | None = None,
    second_grandparents: list[Someone] | None = None,
    today: date,
) -> Plausibility:
    """Check "`first` is `type` of `second`". `second_parents` and `second_grandparents` are the parents and
    grandparents already recorded for the younger person of the pair (when `type` is a younger one, such as child,
    the pair is read the other way round and these belong to `first`)."""
    if type not in ELDER_TYPES and RECIPROCAL.get(type) in ELDER_TYPES:
        elder, younger, kind = second, first, RECIPROCAL[type]
    else:
        elder, younger, kind = first, second, type
    found = Plausibility()
    parents = second_parents or []
    grandparents = second_grandparents or []

    if kind in ELDER_TYPES and elder.is_unborn:
        label = {"parent": "parent", "step_parent": "step-parent", "grandparent": "grandparent", "carer": "carer"}
        found.refusals["type"] = f"{elder.name} is not born yet, so cannot be {younger.name}'s {label[kind]}"
        return found
    if kind == "partner":
        for p in (first, second):
            if p.is_unborn:
                found.refusals["type"] = f"{p.name} is not born yet, so cannot be anyone's partner"
                return found
            if p.born is not None and age_on(p.born, today) < PARTNER_MIN_AGE:
                found.questions.append(
                    f"{p.name} is {_years(age_on(p.born, today))} old. Is a partner under {PARTNER_MIN_AGE} right? "
                    "If it is a safeguarding concern, record it in a case note too."
                )
        return found

    if kind == "parent":
        _parent_rules(found, elder, younger, parents, grandparents)
    elif kind == "grandparent":
        _grandparent_rules(found, elder, younger, parents)
    elif kind == "step_parent":
        if elder.birth and younger.birth and years_older(elder.birth, younger.birth) < PARENT_MIN_GAP:
            found.questions.append(
                f"{_born(elder)} is not at least {PARENT_MIN_GAP} years older than {_born(younger)}. "
                "Is a step-parent this age right?"
            )
    elif kind in ("sibling", "half_sibling") and first.birth and second.birth:
        gap = abs(years_older(first.birth, second.birth))
        limit = SIBLING_GAP if kind == "sibling" else HALF_SIBLING_GAP
        if gap >= limit:
            word = "brother or sister" if kind == "sibling" else "half-brother or half-sister"
            found.questions.append(
                f"{_born(first)} and {_born(second)} were born {_years(gap)} apart. Are they really {word}?"
            )
    return found


def _parent_rules(
    found: Plausibility, parent: Someone, child: Someone, parents: list[Someone], grandparents: list[Someone]
) -> None:
    if parent.birth and child.birth:
        gap = years_older(parent.birth, child.birth)
        if parent.birth >= child.birth:
            found.refusals["type"] = (
                f"A parent cannot be younger than their child: {_born(parent)} is not older than {_born(child)}. "
                "Check both dates of birth"
            )
            return
        if gap < PARENT_MIN_GAP:
            found.refusals["type"] = (
                f"A parent must be at least {PARENT_MIN_GAP} years older than their child: {_born(parent)} is "
                f"{_years(gap)} older than {_born(child)}. Check both dates of birth"
            )
            return
        if gap < PARENT_USUAL_GAP:
            found.questions.append(
                f"{parent.name} was {gap} when {child.name} was born. Is {parent.name} really {child.name}'s parent?"
            )
        elif gap >= PARENT_OLD_GAP:
            found.questions.append(
                f"{parent.name} was {gap} when {child.name} was born. Is {parent.name} really {child.name}'s parent, "
                "not a grandparent?"
            )
    if len(parents) >= 2:
        names = " and ".join(p.name for p in parents[:2]) if len(parents) == 2 else ", ".join(p.name for p in parents)
        found.questions.append(
            f"{child.name} already has {len(parents)} parents recorded ({names}). Is {parent.name} another parent, "
            "not a step-parent or carer?"
        )
    dated = [g for g in grandparents if g.birth]
    if parent.birth and dated and all(years_older(g.birth, parent.birth) < PARENT_MIN_GAP for g in dated if g.birth):
        found.questions.append(
            f"{parent.name} is not old enough to be the child of {child.name}'s recorded grandparents "
            f"({', '.join(_born(g) for g in dated)}). Is {parent.name} the parent on the other side of the family?"
        )


def _grandparent_rules(found: Plausibility, grandparent: Someone, child: Someone, parents: list[Someone]) -> None:
    if grandparent.birth and child.birth:
        gap = years_older(grandparent.birth, child.birth)
        if gap < GRANDPARENT_MIN_GAP:
            found.refusals["type"] = (
                f"A grandparent must be at least {GRANDPARENT_MIN_GAP} years older than their grandchild: "
                f"{_born(grandparent)} is {_years(gap) if gap > 0 else 'not'} older than {_born(child)}. "
                "Check both dates of birth"
            )
            return
        if gap < GRANDPARENT_USUAL_GAP:
            found.questions.append(
                f"{grandparent.name} was {gap} when {child.name} was born. "
                f"Is {grandparent.name} really {child.name}'s grandparent?"
            )
    dated = [p for p in parents if p.birth]
    if grandparent.birth and dated:
        could_be = [p for p in dated if p.birth and years_older(grandparent.birth, p.birth) >= PARENT_MIN_GAP]
        if not could_be:
            listed = ", ".join(_born(p) for p in dated)
            if len(dated) >= 2:
                found.refusals["type"] = (
                    f"A grandparent must be old enough to be the parent of one of the child's parents: "
                    f"{_born(grandparent)} is not old enough to be the parent of {listed}. Check the dates of birth"
                )
            else:
                found.questions.append(
                    f"{grandparent.name} is not old enough to be the parent of {listed}. Is {grandparent.name} "
                    f"{child.name}'s grandparent on the other side of the family?"
                )
