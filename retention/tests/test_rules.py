"""The date for each rule, worked out without a database."""

from __future__ import annotations

from datetime import date

from retention.rules import Facts, RetentionClass, Rule, Trigger, classify, outcome, review_date

RULES = {
    RetentionClass.ADOPTION: Rule(RetentionClass.ADOPTION, Trigger.ADOPTION_ORDER, 100),
    RetentionClass.LOOKED_AFTER: Rule(RetentionClass.LOOKED_AFTER, Trigger.BIRTH, 75, 15),
    RetentionClass.CARE_LEAVER: Rule(RetentionClass.CARE_LEAVER, Trigger.BIRTH, 75, 15),
    RetentionClass.CHILD_PROTECTION: Rule(RetentionClass.CHILD_PROTECTION, Trigger.CASE_CLOSED, 35),
    RetentionClass.CHILD_IN_NEED: Rule(RetentionClass.CHILD_IN_NEED, Trigger.BIRTH, 25),
    RetentionClass.ADULT: Rule(RetentionClass.ADULT, Trigger.CASE_CLOSED, 8),
    RetentionClass.OTHER: Rule(RetentionClass.OTHER, Trigger.LAST_ACTIVITY, 6),
}
BORN = date(2010, 5, 14)


def test_a_looked_after_child_is_kept_to_the_75th_anniversary_of_birth():
    result = outcome(RULES, Facts(born=BORN, looked_after=True, case_open=True))
    assert result.retention_class == RetentionClass.LOOKED_AFTER
    assert result.review_on == date(2085, 5, 14)
    assert result.why == "75 years from the date of birth (14 May 2010)"


def test_a_looked_after_child_who_died_before_18_is_kept_15_years_from_death():
    result = outcome(RULES, Facts(born=BORN, died=date(2020, 2, 3), looked_after=True))
    assert result.review_on == date(2035, 2, 3)
    assert "who died before 18" in result.why


def test_death_at_18_or_later_keeps_the_birth_rule():
    result = outcome(RULES, Facts(born=BORN, died=date(2030, 1, 1), looked_after=True))
    assert result.review_on == date(2085, 5, 14)


def test_an_adoption_is_kept_100_years_from_the_order_and_wins_over_care():
    facts = Facts(born=BORN, looked_after=True, adopted_on=date(2013, 7, 1))
    assert classify(facts) == RetentionClass.ADOPTION
    assert outcome(RULES, facts).review_on == date(2113, 7, 1)


def test_a_29_february_birth_rolls_to_1_march():
    result = outcome(RULES, Facts(born=date(2012, 2, 29), looked_after=True))
    assert result.review_on == date(2087, 3, 1)


def test_child_protection_counts_from_closure_and_not_while_open():
    open_ = outcome(RULES, Facts(born=BORN, child_protection=True, child_in_need=True, case_open=True))
    assert (open_.retention_class, open_.review_on, open_.why) == (
        RetentionClass.CHILD_PROTECTION,
        None,
        "Not while the case is open",
    )
    closed = outcome(RULES, Facts(born=BORN, child_protection=True, closed_on=date(2021, 9, 30)))
    assert closed.review_on == date(2056, 9, 30)


def test_classes_in_order_of_strength():
    assert classify(Facts(child_in_need=True)) == RetentionClass.CHILD_IN_NEED
    assert classify(Facts(looked_after=True, care_leaver=True)) == RetentionClass.CARE_LEAVER
    assert classify(Facts(adult=True)) == RetentionClass.ADULT
    assert classify(Facts()) == RetentionClass.OTHER


def test_a_missing_date_of_birth_is_said_in_words():
    result = review_date(RULES[RetentionClass.LOOKED_AFTER], Facts(looked_after=True))
    assert result.review_on is None
    assert result.why == "Cannot be worked out: the date of birth is not recorded"


def test_other_records_count_from_the_last_thing_recorded():
    result = outcome(RULES, Facts(added=date(2019, 4, 2), closed_on=date(2020, 1, 6)))
    assert result.review_on == date(2026, 1, 6)


def test_a_policy_of_75_years_from_the_18th_birthday_is_93_years_from_birth():
    rule = Rule(RetentionClass.LOOKED_AFTER, Trigger.BIRTH, 93, 15)
    assert review_date(rule, Facts(born=BORN, looked_after=True)).review_on == date(2103, 5, 14)


def test_an_adult_with_no_case_ever_opened_counts_from_the_day_the_record_was_added():
    result = outcome(RULES, Facts(born=date(1970, 1, 1), adult=True, added=date(2020, 2, 3)))
    assert (result.retention_class, result.review_on) == (RetentionClass.ADULT, date(2028, 2, 3))
    assert result.why == "8 years from the date the record was added (3 February 2020), no case opened"
