"""Which collection year activity belongs to, what "as at 31 March" leaves out, and the years a return refuses.
Each test makes only the children it needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases import services as cin
from cases import services as lac
from people.tests.factories import person
from returns.cin_census import build_cin_census
from returns.common import CollectionYear, NoDataError, ReturnError, current_collection_year
from returns.ssda903 import build_ssda903

from .journeys import FOSTER, start_care

pytestmark = pytest.mark.django_db


def children(year: int) -> list[str]:
    census = ET.fromstring(build_cin_census(year))  # noqa: S314 (our own output)
    return [c.findtext("ChildIdentifiers/LAchildID") or "" for c in census.iter("Child")]


def refer(manager, team, who, on: date):
    return cin.referral_create(actor=manager, person=who, referral_date=on, source="1A", primary_need="N4", team=team)


def test_collection_year():
    cy = CollectionYear(2026)
    assert (cy.start, cy.end, cy.label) == (date(2025, 4, 1), date(2026, 3, 31), "2025-26")
    assert cy.contains(date(2026, 3, 31)) and not cy.contains(date(2026, 4, 1))
    assert cy.known(date(2026, 3, 31)) == date(2026, 3, 31) and cy.known(date(2026, 4, 1)) is None
    assert current_collection_year(date(2026, 3, 31)) == 2026
    assert current_collection_year(date(2026, 4, 1)) == 2027


def test_referral_on_31_march_counts_and_on_1_april_belongs_to_the_next_year(manager, team_a):
    last_day = person("Ava", "March", date(2015, 1, 1))
    first_day = person("Ben", "April", date(2015, 1, 1))
    refer(manager, team_a, last_day, date(2026, 3, 31))
    refer(manager, team_a, first_day, date(2026, 4, 1))
    assert children(2026) == [str(last_day.pk)]
    assert children(2027) == [str(last_day.pk), str(first_day.pk)]


def test_closure_on_1_april_is_in_the_year_closure_on_31_march_is_not(manager, team_a):
    closed_first_day = person("Cara", "Closed", date(2015, 1, 1))
    closed_before = person("Dan", "Before", date(2015, 1, 1))
    cin.episode_close(
        actor=manager,
        episode=refer(manager, team_a, closed_first_day, date(2025, 3, 3)),
        closure_date=date(2025, 4, 1),
        reason="RC8",
    )
    cin.episode_close(
        actor=manager, episode=refer(manager, team_a, closed_before, date(2025, 3, 3)), closure_date=date(2025, 3, 31), reason="RC8"
    )  # fmt: skip
    assert children(2026) == [str(closed_first_day.pk)]
    assert children(2025) == [str(closed_first_day.pk), str(closed_before.pk)]


def test_closure_after_31_march_is_reported_open(manager, team_a):
    child = person("Eve", "Open", date(2015, 1, 1))
    episode = refer(manager, team_a, child, date(2026, 2, 2))
    cin.episode_close(actor=manager, episode=episode, closure_date=date(2026, 4, 2), reason="RC8")
    census = ET.fromstring(build_cin_census(2026))  # noqa: S314
    details = census.find("Children/Child/CINdetails")
    assert details.find("CINclosureDate") is None and details.find("ReasonForClosure") is None
    # Not closed by 31 March, so not (yet) a referral with no further action.
    assert details.findtext("ReferralNFA") == "false"
    # A school-age child without a UPN and without a reason DfE accepts: left for the validator to ask about.
    assert census.find("Children/Child/ChildIdentifiers/UPNunknown") is None


def test_child_born_after_31_march_was_unborn_at_the_census(manager, team_a):
    child = person("Baby", "Khan", date(2026, 4, 10), sex="F")
    refer(manager, team_a, child, date(2026, 3, 2))
    identifiers = ET.fromstring(build_cin_census(2026)).find("Children/Child/ChildIdentifiers")  # noqa: S314
    assert [(e.tag, e.text) for e in identifiers] == [
        ("LAchildID", str(child.pk)),
        ("UPNunknown", "UN6"),
        ("ExpectedPersonBirthDate", "2026-04-10"),
        ("Sex", "U"),
    ]


def test_unborn_child_in_the_current_year(manager, team_a):
    today = timezone.localdate()
    child = person("Unborn", "Baby", None, expected_date_of_birth=today + timedelta(days=60))
    refer(manager, team_a, child, today)
    identifiers = ET.fromstring(build_cin_census(current_collection_year())).find(  # noqa: S314
        "Children/Child/ChildIdentifiers"
    )
    assert [(e.tag, e.text) for e in identifiers] == [
        ("LAchildID", str(child.pk)),
        ("UPNunknown", "UN6"),
        ("ExpectedPersonBirthDate", (today + timedelta(days=60)).isoformat()),
        ("Sex", "U"),
    ]


def test_assessment_authorised_after_31_march_is_in_progress(manager, alice, team_a):
    child = person("Finn", "Late", date(2012, 1, 1), upn="")
    episode = refer(manager, team_a, child, date(2026, 3, 9))
    assessment = cin.assessment_start(actor=alice, episode=episode, started_on=date(2026, 3, 10))
    cin.assessment_record(actor=alice, assessment=assessment, factors=["21"], summary="", outcome="nfa")
    cin.assessment_submit(actor=alice, assessment=assessment, submitted_on=date(2026, 4, 7))
    cin.assessment_authorise(actor=manager, assessment=assessment, authorised_on=date(2026, 4, 8))
    block = ET.fromstring(build_cin_census(2026)).find("Children/Child/CINdetails/Assessments")  # noqa: S314
    # No authorisation by 31 March, so no factors either (rule 8614).
    assert [(e.tag, e.text) for e in block] == [("AssessmentActualStartDate", "2026-03-10")]


def test_section47_without_conference(manager, alice, team_a):
    child = person("Gus", "Enquiry", date(2012, 1, 1))
    episode = refer(manager, team_a, child, date(2025, 10, 6))
    cin.strategy_discussion_record(
        actor=alice, episode=episode, held_on=date(2025, 10, 7), agencies="Police", start_section_47=True
    )
    open_enquiry = ET.fromstring(build_cin_census(2026)).find("Children/Child/CINdetails/Section47")  # noqa: S314
    assert open_enquiry.findtext("ICPCnotRequired") == "false" and open_enquiry.find("DateOfInitialCPC") is None
    cin.section47_complete(
        actor=alice, enquiry=episode.section47_enquiries.get(), completed_on=date(2025, 10, 20), outcome="no_icpc"
    )
    block = ET.fromstring(build_cin_census(2026)).find("Children/Child/CINdetails/Section47")  # noqa: S314
    assert [(e.tag, e.text) for e in block] == [
        ("S47ActualStartDate", "2025-10-07"),
        ("InitialCPCtarget", "2025-10-28"),
        ("ICPCnotRequired", "true"),
    ]


def test_year_with_no_children_in_need(db):
    with pytest.raises(NoDataError, match=r"^No children had children-in-need activity in 2025-26$"):
        build_cin_census(2026)


def test_year_with_nobody_looked_after(db, tmp_path):
    with pytest.raises(NoDataError, match=r"No children were looked after, and no care leavers .* in 2025-26"):
        build_ssda903(2026, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2024, "from the 2024-25 collection year"),
        (current_collection_year() + 1, "has not started yet"),
    ],
)
def test_years_that_cannot_be_reported(db, tmp_path, year, message):
    with pytest.raises(ReturnError, match=message):
        build_cin_census(year)
    with pytest.raises(ReturnError, match=message):
        build_ssda903(year, tmp_path)


def test_previous_year_before_the_first_is_refused(db, tmp_path):
    with pytest.raises(ReturnError, match="from the 2024-25 collection year"):
        build_ssda903(2025, tmp_path, previous=True)


def test_episode_ended_on_1_april_is_in_the_year_one_starting_on_1_april_is_not(manager, tmp_path):
    ended = person("Hal", "Ended", date(2012, 1, 1), upn="")
    started = person("Ida", "Started", date(2012, 1, 1))
    start_care(manager, ended, date(2025, 1, 6), "V2", FOSTER)
    lac.looked_after_end(actor=manager, person=ended, ended_on=date(2025, 4, 1), reason_ceased="E4A")
    start_care(manager, started, date(2026, 4, 1), "V2", FOSTER)
    result = build_ssda903(2026, tmp_path)
    header = (tmp_path / "header.csv").read_text().splitlines()
    prev_perm = (tmp_path / "previous_permanence.csv").read_text().splitlines()
    assert result.counts["Episodes"] == 1 and result.counts["Header"] == 1
    # School age, no UPN recorded: UN5, as rule 442 refuses a blank. Ended 1 April: no OC2 row.
    assert header[1] == f"{ended.pk},U,01/01/2012,NOBT,UN5,,"  # school age, no UPN recorded (rule 442)
    assert result.counts["OC2"] == 0 and len(prev_perm) == 1


def test_child_starting_care_without_previous_permanence_gets_an_empty_row(manager, tmp_path):
    child = person("Jo", "New", date(2012, 1, 1), sex="M")
    start_care(manager, child, date(2025, 5, 5), "V2", FOSTER)
    build_ssda903(2026, tmp_path)
    assert (tmp_path / "previous_permanence.csv").read_text().splitlines()[1] == f"{child.pk},01/01/2012,,,"


def test_child_looked_after_all_year_without_a_health_record_gets_an_empty_oc2_row(manager, tmp_path):
    child = person("Kit", "Long", date(2012, 1, 1), sex="M")
    start_care(manager, child, date(2025, 4, 1), "C2", FOSTER)
    build_ssda903(2026, tmp_path)
    assert (tmp_path / "oc2.csv").read_text().splitlines()[1] == f"{child.pk},01/01/2012" + "," * 10


def test_commands_for_a_year_with_no_data(db, tmp_path):
    with pytest.raises(CommandError, match=r"^No children had children-in-need activity in 2025-26$"):
        call_command("returns", "cin", "--year", "2026", "--out", str(tmp_path / "cin.xml"))
    assert not (tmp_path / "cin.xml").exists()
    with pytest.raises(CommandError, match="No children were looked after"):
        call_command("returns", "ssda903", "--year", "2026", "--out", str(tmp_path / "903"))


def test_worker_changing_on_1_april_is_still_the_worker_on_31_march(tmp_path):
    from cases import services as cin
    from conftest import make_user

    from .journeys import FOSTER, make_staff, start_care

    worker, _, manager, team = make_staff()
    child = person("Ada", "Stone", date(2012, 1, 1), sex="F")
    cin.allocate(actor=manager, person=child, worker=worker, started_on=date(2025, 6, 1), reason="Care")
    start_care(manager, child, date(2025, 6, 2), "V2", FOSTER)
    later = make_user("new.worker@example.test", team, "social_worker")
    cin.allocate(
        actor=manager, person=child, worker=later, started_on=date(2026, 4, 1), reason="Moved", change_reason="LEFTRL"
    )
    build_ssda903(2026, tmp_path)
    rows = (tmp_path / "social_worker_episodes.csv").read_text().splitlines()
    assert rows[1].split(",")[4] == ""  # SW_DEC: still this worker's child on the reference date
