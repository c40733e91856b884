"""The rules layer's looked-after rules: pure functions of values, no database."""

from datetime import date

from cases.rules.looked_after import Placement, placement_errors, police_protection_errors


def test_police_protection_may_last_three_days_and_no_more():
    began = date(2026, 11, 27)
    assert police_protection_errors(began, date(2026, 11, 30), "changed_on") == {}
    errors = police_protection_errors(began, date(2026, 12, 1), "changed_on")
    assert set(errors) == {"changed_on"}
    message = errors["changed_on"]
    assert "72 hours" in message and "27 November 2026" in message and "30 November 2026" in message
    assert "rule" not in message.lower()


def known(codes: dict[str, set[str]]):
    return lambda list_name, value: value in codes.get(list_name, set())


CODES = {"placement_type": {"U6", "T1", "K3", "P1"}, "placement_provider": {"PR0", "PR1", "PR2"}}


def test_placement_rules_need_no_database():
    foster = Placement("U6", "PR1", "LS6 2AA", "SC123456")
    assert (
        placement_errors(foster, legal_status="C1", born=date(2015, 3, 27), on=date(2026, 1, 5), is_code=known(CODES))
        == {}
    )
    unknown = Placement("ZZ", "PR1", "LS6 2AA", "")
    errors = placement_errors(unknown, legal_status="C1", born=None, on=None, is_code=known(CODES))
    assert errors == {"placement_type": "Select the placement type"}
    temporary_with_provider = Placement("T1", "PR1", "LS6 2AA", "")
    errors = placement_errors(temporary_with_provider, legal_status="C1", born=None, on=None, is_code=known(CODES))
    assert "placement_provider" in errors
    too_young = Placement("K3", "PR1", "LS6 2AA", "SC123456")
    errors = placement_errors(
        too_young, legal_status="C1", born=date(2015, 3, 27), on=date(2026, 1, 5), is_code=known(CODES)
    )
    assert "16 or over" in errors["placement_type"]


def test_the_reason_for_a_new_episode_follows_what_changed():
    from cases.rules.looked_after import reason_new_episode

    def rne(status, place, same):
        return reason_new_episode(status_changed=status, placement_changed=place, same_carers=same)

    assert rne(True, False, False) == "L"
    assert rne(False, True, False) == "P"
    assert rne(False, True, True) == "T"
    assert rne(True, True, False) == "B"
    assert rne(True, True, True) == "U"
