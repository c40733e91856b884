"""The local validators' known false positives are explained only when the record shows them to be false, child by
child; every other error stays an error."""

from __future__ import annotations

from datetime import date

import pytest

from cases import services as cin
from cases import services as lac
from people.models import Person
from people.tests.factories import person
from returns.false_positives import explain
from returns.tests.journeys import FOSTER, make_staff, start_care
from returns.validate import Issue

pytestmark = pytest.mark.django_db
YEAR = 2026  # 1 April 2025 to 31 March 2026; the tool also sees 2024-25


def issue(rule: str, child: Person) -> Issue:
    return Issue(rule=rule, message="m", child_id=str(child.pk), table="OC3")


@pytest.fixture
def staff():
    return make_staff()


def test_care_leaver_known_before_the_two_years_the_tool_sees(staff):
    _worker, _, manager, _team = staff
    early = person("Kaya", "Doyle", date(2005, 6, 10))  # looked after 2020 to her 18th birthday in June 2023
    start_care(manager, early, date(2020, 9, 1), "C2", FOSTER)
    lac.looked_after_end(actor=manager, person=early, ended_on=date(2023, 6, 10), reason_ceased="E5")
    recent = person("Jo", "Doyle", date(2007, 5, 2))  # looked after only within the window the tool sees
    start_care(manager, recent, date(2024, 6, 1), "V2", FOSTER)
    lac.looked_after_end(actor=manager, person=recent, ended_on=date(2025, 5, 2), reason_ceased="E5")
    short = person("Al", "Doyle", date(2005, 1, 3))  # looked after for 40 days at 15, long ago: not relevant
    start_care(manager, short, date(2020, 3, 1), "V2", FOSTER)
    lac.looked_after_end(actor=manager, person=short, ended_on=date(2020, 4, 10), reason_ceased="E13")
    issues = [issue("1001", early), issue("1002", early), issue("1002", recent), issue("1002", short)]
    out = explain("ssda903", YEAR, issues)
    assert set(out) == {issues[0], issues[1]}
    assert "Looked after from 1 September 2020 to 10 June 2023" in out[issues[0]]
    assert explain("cin", YEAR, issues) == {}


def test_worker_allocated_before_care_began(staff):
    worker, _, manager, team = staff
    child = person("Leo", "Marsh", date(2014, 2, 2))
    cin.referral_create(
        actor=manager, person=child, referral_date=date(2025, 5, 1), source="2A", primary_need="N1", team=team
    )
    cin.allocate(actor=manager, person=child, worker=worker, started_on=date(2025, 5, 1), reason="Referral")
    start_care(manager, child, date(2025, 7, 1), "V2", FOSTER)
    nobody = person("Ned", "Marsh", date(2013, 2, 2))  # looked after with no worker at all: a real error
    start_care(manager, nobody, date(2025, 7, 1), "V2", FOSTER)
    issues = [issue("SW12STG2", child), issue("SW12STG2", nobody)]
    out = explain("ssda903", YEAR, issues)
    assert list(out) == [issues[0]]
    assert "1 July 2025" in out[issues[0]]


def test_no_open_worker_episode_at_31_march(staff):
    worker, _, manager, _team = staff
    left = person("Mia", "Stone", date(2012, 2, 2))
    cin.allocate(actor=manager, person=left, worker=worker, started_on=date(2025, 4, 1), reason="Care")
    start_care(manager, left, date(2025, 4, 2), "V2", FOSTER)
    lac.looked_after_end(actor=manager, person=left, ended_on=date(2025, 9, 1), reason_ceased="E13")
    still = person("Max", "Stone", date(2012, 3, 3))  # looked after on 31 March: their worker must be open
    cin.allocate(actor=manager, person=still, worker=worker, started_on=date(2025, 4, 1), reason="Care")
    start_care(manager, still, date(2025, 4, 2), "V2", FOSTER)
    issues = [issue("SW17STG2", left), issue("SW17STG2", still)]
    out = explain("ssda903", YEAR, issues)
    assert list(out) == [issues[0]]
    assert out[issues[0]].startswith("Left care on 1 September 2025")


def test_other_rules_are_never_explained(staff):
    _worker, _, manager, _team = staff
    child = person("Zed", "Stone", date(2012, 2, 2))
    start_care(manager, child, date(2020, 4, 2), "V2", FOSTER)
    assert explain("ssda903", YEAR, [issue("442", child), Issue(rule="1001", message="m")]) == {}


def test_still_missing_on_31_march_from_a_placement_that_goes_on(staff):
    _, _, manager, _ = staff
    missing = person("Nia", "Lowe", date(2010, 2, 2))
    start_care(manager, missing, date(2024, 6, 1), "C2", FOSTER)
    lac.missing_episode_record(actor=manager, person=missing, kind="M", started_on=date(2026, 3, 1))
    returned = person("Ola", "Lowe", date(2010, 3, 3))  # back before 31 March: the tool's finding would stand
    start_care(manager, returned, date(2024, 6, 1), "C2", FOSTER)
    gone = lac.missing_episode_record(actor=manager, person=returned, kind="M", started_on=date(2026, 3, 1))
    lac.missing_episode_end(actor=manager, episode=gone, ended_on=date(2026, 3, 3), return_interview_offered=False)
    issues = [issue("575", missing), issue("577", missing), issue("575", returned)]
    out = explain("ssda903", YEAR, issues)
    assert set(out) == {issues[0], issues[1]}
    assert "missing since 1 March 2026" in out[issues[0]]
