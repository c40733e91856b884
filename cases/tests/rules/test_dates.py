"""The one date rule every step shares (cases.rules.dates): given, not in the future, not before what it follows."""

from datetime import date, datetime

from cases.rules.dates import Follows, born, day_text, not_before_errors, step_date_errors

TODAY = date(2026, 12, 5)
REFERRAL = Follows("the referral", date(2026, 1, 5))


def test_dates_read_as_people_write_them():
    assert day_text(date(2026, 12, 5)) == "5 December 2026"
    assert day_text(datetime(2026, 1, 9, 14, 5)) == "9 January 2026 at 14:05"


def test_a_step_on_the_day_of_what_it_follows_is_accepted_and_the_day_before_refused():
    assert step_date_errors(date(2026, 1, 5), "held_on", "date of the strategy discussion", REFERRAL, today=TODAY) == {}
    assert step_date_errors(date(2026, 1, 4), "started_on", "allocation date", REFERRAL, today=TODAY) == {
        "started_on": "The allocation date cannot be before the referral (5 January 2026)"
    }


def test_a_step_that_must_come_after_refuses_the_same_day():
    last = Follows("the last conference", date(2026, 6, 10), same_day=False)
    assert not_before_errors(date(2026, 6, 10), "held_on", "date of the review conference", last) == {
        "held_on": "The date of the review conference must be after the last conference (10 June 2026)"
    }
    assert not_before_errors(date(2026, 6, 11), "held_on", "date of the review conference", last) == {}


def test_missing_and_future_dates_come_first_and_unknown_earlier_dates_do_not_constrain():
    assert step_date_errors(None, "on", "date", REFERRAL, today=TODAY) == {"on": "Enter the date"}
    assert step_date_errors(date(2026, 12, 6), "on", "date", REFERRAL, today=TODAY) == {
        "on": "The date must be today or in the past"
    }
    assert step_date_errors(date(2000, 1, 1), "on", "date", Follows("the referral", None), today=TODAY) == {}


def test_the_first_thing_a_step_comes_before_is_named_birth_first():
    errors = step_date_errors(
        date(2015, 3, 1), "on", "date of the visit", born("Amelia Hughes", date(2015, 3, 27)), REFERRAL, today=TODAY
    )
    assert errors == {"on": "The date of the visit cannot be before Amelia Hughes was born (27 March 2015)"}


def test_a_time_is_compared_with_a_time_and_a_date_with_a_date():
    came_in = Follows("the contact came in", datetime(2026, 1, 9, 14, 5))
    assert not_before_errors(datetime(2026, 1, 9, 14, 0), "decided_at", "decision", came_in) == {
        "decided_at": "The decision cannot be before the contact came in (9 January 2026 at 14:05)"
    }
    assert not_before_errors(date(2026, 1, 9), "decided_at", "decision", came_in) == {}
