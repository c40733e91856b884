"""Whom the children's journey is for (cases.rules.ages)."""

from datetime import date

from cases.rules.ages import Who, is_child, not_a_child, step_is_for

TODAY = date(2026, 12, 5)


def test_children_are_under_18_unborn_or_of_unknown_age():
    assert is_child(date(2008, 12, 6), TODAY)  # 18 tomorrow
    assert not is_child(date(2008, 12, 5), TODAY)  # 18 today
    assert is_child(None, TODAY)


def test_an_adult_is_offered_only_what_finishes_open_work_and_a_care_leaver_keeps_leaving_care_steps_to_25():
    adult = date(1980, 5, 1)
    care_leaver = date(2005, 1, 1)  # 21
    assert not step_is_for(Who.CHILDREN, date_of_birth=adult, been_looked_after=True, today=TODAY)
    assert not step_is_for(Who.CARE_LEAVERS, date_of_birth=adult, been_looked_after=True, today=TODAY)
    assert step_is_for(Who.ANYONE, date_of_birth=adult, been_looked_after=False, today=TODAY)
    assert step_is_for(Who.CARE_LEAVERS, date_of_birth=care_leaver, been_looked_after=True, today=TODAY)
    assert not step_is_for(Who.CARE_LEAVERS, date_of_birth=care_leaver, been_looked_after=False, today=TODAY)
    assert not step_is_for(Who.CHILDREN, date_of_birth=care_leaver, been_looked_after=True, today=TODAY)


def test_the_refusal_says_how_old_they_are_in_plain_words():
    assert not_a_child("Pat Jones", date(1980, 5, 1), TODAY, today=TODAY).startswith("Pat Jones is 46 years old.")
    assert not_a_child("Pat Jones", date(1980, 5, 1), date(2026, 1, 9), today=TODAY).startswith(
        "Pat Jones was 45 years old on 9 January 2026."
    )
    assert not_a_child("Amelia", date(2015, 3, 27), TODAY, today=TODAY) == ""
