"""Is a relationship plausible? The pure rules of people.rules, as a social worker would meet them."""

from datetime import date

import pytest

from people.models import RECIPROCAL as MODEL_RECIPROCAL
from people.rules import RECIPROCAL, Someone, relationship_plausibility

TODAY = date(2026, 6, 1)
AMELIA = Someone("Amelia", date(2025, 6, 1))  # 1 year old


def check(first, type_, second, **kw):
    return relationship_plausibility(first=first, type=type_, second=second, today=TODAY, **kw)


def test_a_7_year_old_is_not_the_parent_of_a_1_year_old():
    found = check(Someone("Leo", date(2018, 3, 1)), "parent", AMELIA)
    assert "at least 12 years older" in found.refusals["type"]
    assert "Leo (born 1 March 2018) is 7 years older than Amelia (born 1 June 2025)" in found.refusals["type"]


def test_a_child_cannot_be_older_than_their_parent():
    found = check(Someone("Sam", date(2000, 1, 1)), "child", Someone("Mary", date(2001, 1, 1)))
    assert "A parent cannot be younger than their child" in found.refusals["type"]


@pytest.mark.parametrize(
    ("born", "asks"), [(date(2012, 6, 1), True), (date(2009, 6, 2), True), (date(2009, 6, 1), False)]
)
def test_a_parent_12_to_15_years_older_is_a_question(born, asks):
    found = check(Someone("Jade", born), "parent", AMELIA)
    assert not found.refusals
    assert bool(found.questions) is asks
    if asks:
        assert "Is Jade really Amelia's parent?" in found.questions[0]


def test_a_parent_60_years_older_may_be_a_grandparent():
    found = check(Someone("Pat", date(1960, 1, 1)), "parent", AMELIA)
    assert "not a grandparent?" in found.questions[0]


def test_the_same_rule_read_from_the_childs_side():
    assert check(AMELIA, "child", Someone("Leo", date(2018, 3, 1))).refusals
    assert check(AMELIA, "child", Someone("Sarah", date(1990, 3, 1))).ok


def test_a_third_parent_is_a_question():
    parents = [Someone("Sarah", date(1990, 1, 1)), Someone("Tom", date(1989, 1, 1))]
    found = check(Someone("Dan", date(1991, 1, 1)), "parent", AMELIA, second_parents=parents)
    assert "already has 2 parents recorded (Sarah and Tom)" in found.questions[0]


def test_a_grandparent_must_be_old_enough_to_be_a_parents_parent():
    parents = [Someone("Sarah", date(1990, 1, 1)), Someone("Tom", date(1989, 1, 1))]
    found = check(Someone("Gran", date(1985, 1, 1)), "grandparent", AMELIA, second_parents=parents)
    assert "old enough to be the parent of one of the child's parents" in found.refusals["type"]
    # With one parent recorded, the grandparent may be on the other side of the family: ask.
    found = check(Someone("Gran", date(1985, 1, 1)), "grandparent", AMELIA, second_parents=parents[:1])
    assert not found.refusals and "other side of the family" in found.questions[0]
    assert check(Someone("Gran", date(1965, 1, 1)), "grandparent", AMELIA, second_parents=parents).ok


def test_a_grandparent_younger_than_24_years_older_is_refused():
    assert "at least 24 years older" in check(Someone("Kim", date(2004, 1, 1)), "grandparent", AMELIA).refusals["type"]
    assert check(Someone("Kim", date(2000, 1, 1)), "grandparent", AMELIA).questions


def test_a_parent_younger_than_the_recorded_grandparents_allow_is_a_question():
    grandparents = [Someone("Gran", date(1975, 1, 1))]
    found = check(Someone("Tom", date(1970, 1, 1)), "parent", AMELIA, second_grandparents=grandparents)
    assert "recorded grandparents" in found.questions[0]


def test_an_unborn_child_cannot_be_a_parent_or_partner_but_can_have_one():
    unborn = Someone("Baby", None, expected=date(2026, 9, 1))
    assert "not born yet" in check(unborn, "parent", AMELIA).refusals["type"]
    assert "not born yet" in check(unborn, "partner", Someone("Ann", date(1990, 1, 1))).refusals["type"]
    assert check(Someone("Sarah", date(1990, 1, 1)), "parent", unborn).ok


def test_siblings_born_far_apart_are_a_question():
    assert check(Someone("Ann", date(1990, 1, 1)), "sibling", AMELIA).questions
    assert check(Someone("Ann", date(2020, 1, 1)), "sibling", AMELIA).ok
    assert check(Someone("Ann", date(1990, 1, 1)), "half_sibling", AMELIA).ok


def test_a_partner_under_16_is_a_question():
    found = check(Someone("Kai", date(2011, 1, 1)), "partner", Someone("Lee", date(2005, 1, 1)))
    assert "Kai is 15 years old" in found.questions[0]


def test_unknown_dates_of_birth_are_not_guessed_at():
    assert check(Someone("Mary"), "parent", AMELIA).ok
    assert check(Someone("Mary", date(1990, 1, 1)), "grandparent", Someone("Sam")).ok


def test_the_rules_read_relationships_as_the_models_do():
    assert {str(k): str(v) for k, v in MODEL_RECIPROCAL.items()} == RECIPROCAL
