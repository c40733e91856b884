"""The looked-after summary on a child's record: where a looked-after child or a care leaver is now, at a glance.
Children are built through the real services; the tests read the card the way a social worker would, row by row,
and count the record page's queries as the history grows."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases import services as lac
from cases.forms import health_years
from cases.models_looked_after import MissingEpisode
from cases.rules import timescales
from cases.rules.looked_after import Placement
from cases.rules.timescales import oc3_birthday
from cases.selectors_looked_after import looked_after_summary
from cases.services import visit_record
from casework.tests.browser import assert_accessible, sign_in
from conftest import client_for
from core.testing import Queries, assert_query_count, assert_same_query_count, count_queries
from people.models import Person
from people.tests.factories import person
from recording.models import VisitType

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

TODAY = timezone.localdate()
FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}
FOSTER_LABEL = "Foster placement with other foster carers: not long-term, not fostering for adoption"


def day(d: date) -> str:
    """A date as the page shows it: 12 March 2026."""
    return f"{d.day} {d:%B %Y}"


def at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 10, tzinfo=timezone.get_current_timezone())


def looked_after(manager: User, child: Person, started_on: date, legal_status: str = "C2") -> Person:
    lac.looked_after_start(
        actor=manager, person=child, started_on=started_on, legal_status=legal_status, category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    return child


def visit(worker: User, child: Person, on: date) -> None:
    visit_record(
        actor=worker, person=child, occurred_at=at(on), visit_type=VisitType.STATUTORY, child_seen=True,
        seen_alone=True, notes="Seen at the placement; settled.",
    )  # fmt: skip


def text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def record(client: Client, child: Person) -> str:
    r = client.get(reverse("people:detail", args=[child.pk]))
    assert r.status_code == 200
    return r.content.decode()


def card(page: str) -> tuple[str, dict[str, str]]:
    """The looked-after card of a record page: its heading and its rows (key: value, as plain text)."""
    start = page.find('id="looked-after"')
    assert start >= 0, "the record page has no looked-after card"
    end = page.find("</dl>", start)
    fragment = page[start:end]
    heading = text(re.search(r"<h2[^>]*>(.*?)</h2>", fragment, re.S).group(1))
    rows = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>', fragment, re.S)
    return heading, {text(k): text(v) for k, v in rows}


def journey_status(page: str) -> str:
    start = page.find('id="journey"')
    return text(page[start : page.find("</dd>", start)])


def page_queries(client: Client, child: Person) -> Queries:
    with count_queries() as queries:
        record(client, child)
    return queries


def latest_year() -> date:
    return date.fromisoformat(health_years()[0][0])


# --- a child in foster care ---------------------------------------------------------------------------------------


@pytest.fixture
def foster_child(manager: User, alice: User) -> Person:
    """Kai, 11 on the last 31 March, in care since two years before it: visited, reviewed, health-assessed, with
    the year's SDQ, a move to new foster carers 30 days ago, previous permanence and UASC status."""
    year = latest_year()
    child = looked_after(
        manager, person("Kai", "Brennan", year - relativedelta(years=11, months=3)), year - relativedelta(years=2)
    )
    lac.previous_permanence_record(
        actor=alice, person=child, arrangement="P2", la_code="383", order_date=date(2019, 5, 1)
    )
    lac.uasc_record(actor=alice, person=child, became_uasc_on=year - relativedelta(years=2))
    lac.health_record_for_year(
        actor=alice, person=child, year_ending=year, sdq_score=14, convicted=False, immunisations=True,
        teeth_check=True, health_assessment=True, substance_misuse=False,
    )  # fmt: skip
    new_carers = Placement("U4", "PR4", "LS7 3BB", "SC654321")
    lac.looked_after_change(
        actor=alice, person=child, changed_on=TODAY - timedelta(days=30), placement=new_carers,
        reason_place_change="CARPL",
    )  # fmt: skip
    return child


def test_child_in_foster_care_with_a_visit_a_review_and_a_health_assessment(
    foster_child: Person, alice: User, manager: User
) -> None:
    child, year = foster_child, latest_year()
    started = year - relativedelta(years=2)
    moved = TODAY - timedelta(days=30)
    visited, reviewed = TODAY - timedelta(days=20), TODAY - timedelta(days=15)
    initial, review = TODAY - timedelta(days=200), TODAY - timedelta(days=10)
    visit(alice, child, visited)
    lac.lac_review_record(actor=alice, person=child, held_on=reviewed, participation="PN1")
    lac.health_assessment_record(actor=alice, person=child, assessed_on=initial)
    lac.health_assessment_record(actor=alice, person=child, assessed_on=review, assessed_by="Dr Okafor")

    page = record(client_for(alice), child)
    heading, rows = card(page)
    assert heading == "Looked after"
    assert rows["Legal status"] == f"Full care order Since {day(started)}"
    assert rows["Placement"] == (
        "Foster placement with other foster carers: long-term fostering Provided by: Private provision "
        f"Postcode: LS7 3BB Since {day(moved)}"
    )
    assert rows["Period of care started"] == day(started)
    # A visit in the first year of the new placement: the next within 6 weeks (reg 28).
    assert rows["Statutory visits"] == f"Last visit: {day(visited)} Next due: {day(visited + timedelta(weeks=6))}"
    # The first review of the period: the next within 3 months.
    next_review = timescales.lac_review_due(reviewed, first=True)
    assert rows["Looked-after reviews"] == f"Last review: {day(reviewed)} Next due: {day(next_review)}"
    next_health = timescales.review_health_assessment_due(child.date_of_birth, review)  # yearly from 5
    assert next_health == review + relativedelta(years=1)
    assert rows["Health assessments"] == (
        f"Last: Review health assessment, {day(review)} Next due: Review health assessment, {day(next_health)}"
    )
    assert rows["Strengths and difficulties (SDQ) score"] == f"14 Year to {day(year)}"
    assert rows["Missing or away from placement"] == "Not in the last 12 months"
    assert rows["Unaccompanied asylum-seeking child"] == f"Yes, since {day(started)}"
    assert rows["Previous permanence"] == (
        "Special guardianship order Order made 1 May 2019 Arranged by the local authority numbered 383"
    )
    assert "Adoption" not in rows and "Left care" not in rows
    assert "Looked after Full care order" in journey_status(page)  # the status says it in words, not C2
    for code in ("C2", "U4", "PR4", "P2", "CARPL"):
        assert not re.search(rf"\b{code}\b", text(page[page.find('id="looked-after"') : page.find('id="chronology"')]))


def test_what_is_overdue_is_marked(manager: User, alice: User) -> None:
    started = TODAY - timedelta(days=60)
    child = looked_after(manager, person("Amelia", "Hughes", date(2015, 3, 27)), started)
    _, rows = card(record(client_for(alice), child))
    first_visit = timescales.first_placement_visit_due(started)
    assert rows["Statutory visits"] == (
        f"No visit recorded in this period of care Next due: {day(first_visit)} Overdue"
    )
    assert rows["Looked-after reviews"].endswith(f"Next due: {day(timescales.first_lac_review_due(started))} Overdue")
    assert rows["Health assessments"] == (
        "No health assessment recorded in this period of care Next due: Initial health assessment, "
        f"{day(timescales.initial_health_assessment_due(started))} Overdue"
    )
    assert rows["Strengths and difficulties (SDQ) score"] == "No score recorded"
    assert "Previous permanence" not in rows and "Unaccompanied asylum-seeking child" not in rows


def test_a_temporary_placement_does_not_restart_the_placement(manager: User, alice: User) -> None:
    started = TODAY - timedelta(days=90)
    child = looked_after(manager, person("Amelia", "Hughes", date(2015, 3, 27)), started)
    hospital = Placement("T1", "", "LS9 7TF")
    lac.looked_after_change(actor=alice, person=child, changed_on=TODAY - timedelta(days=20), placement=hospital)
    _, rows = card(record(client_for(alice), child))
    assert (
        rows["Placement"] == f"Temporary period in hospital Postcode: LS9 7TF Since {day(TODAY - timedelta(days=20))}"
    )
    back = Placement(**{k.removeprefix("placement_"): v for k, v in FOSTER.items()})
    lac.looked_after_change(actor=alice, person=child, changed_on=TODAY - timedelta(days=12), placement=back)
    _, rows = card(record(client_for(alice), child))
    assert rows["Placement"].endswith(f"Postcode: LS6 2AA Since {day(started)}")
    assert rows["Placement"].startswith(FOSTER_LABEL)


# --- a missing child ----------------------------------------------------------------------------------------------


def test_missing_child(manager: User, alice: User) -> None:
    child = looked_after(manager, person("Amelia", "Hughes", date(2011, 3, 27)), TODAY - timedelta(days=400))
    c = client_for(alice)
    long_ago = lac.missing_episode_record(actor=alice, person=child, kind="M", started_on=TODAY - timedelta(days=390))
    lac.missing_episode_end(
        actor=alice, episode=long_ago, ended_on=TODAY - timedelta(days=388), return_interview_offered=False
    )
    _, rows = card(record(c, child))
    assert rows["Missing or away from placement"] == "Not in the last 12 months"

    away = lac.missing_episode_record(actor=alice, person=child, kind="A", started_on=TODAY - timedelta(days=40))
    lac.missing_episode_end(
        actor=alice, episode=away, ended_on=TODAY - timedelta(days=39), return_interview_offered=False
    )
    _, rows = card(record(c, child))
    assert rows["Missing or away from placement"] == "Once in the last 12 months"

    went = TODAY - timedelta(days=3)
    lac.missing_episode_record(actor=alice, person=child, kind="M", started_on=went)
    page = record(c, child)
    _, rows = card(page)
    assert rows["Missing or away from placement"] == f"Missing since {day(went)}"
    assert '<strong class="govuk-tag govuk-tag--red">Missing</strong> since' in page

    lac.missing_episode_end(
        actor=alice, episode=MissingEpisode.objects.get(person=child, ended_on=None), ended_on=TODAY,
        return_interview_offered=True, return_interview_accepted=True,
    )  # fmt: skip
    _, rows = card(record(c, child))
    assert rows["Missing or away from placement"] == "2 times in the last 12 months"


# --- a child being adopted ----------------------------------------------------------------------------------------


def test_child_being_adopted(manager: User, alice: User) -> None:
    started = TODAY - timedelta(days=300)
    child = looked_after(manager, person("Lily", "Ward", TODAY - relativedelta(years=2)), started)
    c = client_for(alice)
    decided = started + timedelta(days=30)
    adoption = lac.adoption_decision_record(actor=alice, person=child, decided_on=decided)
    _, rows = card(record(c, child))
    assert rows["Adoption"] == (
        f"Stage: decision to place for adoption Decision to place for adoption: {day(decided)} "
        "Placement order granted: not yet Matched with adopters: not yet Placed with adopters: not yet"
    )
    order, matched = decided + timedelta(days=60), decided + timedelta(days=120)
    lac.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placement_order", on=order)
    lac.looked_after_change(actor=alice, person=child, changed_on=order, legal_status="E1")
    lac.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=matched)
    _, rows = card(record(c, child))
    assert rows["Adoption"] == (
        f"Stage: matched with adopters Decision to place for adoption: {day(decided)} Placement order granted: {day(order)} "
        f"Matched with adopters: {day(matched)} Placed with adopters: not yet"
    )
    assert rows["Legal status"] == f"Placement order granted Since {day(order)}"
    placed = matched + timedelta(days=14)
    adopters = Placement("A6", "PR1", "LS8 1AB", "SC112233")
    lac.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placed", on=placed)
    lac.looked_after_change(
        actor=alice, person=child, changed_on=placed, placement=adopters, reason_place_change="CARPL"
    )
    _, rows = card(record(c, child))
    assert rows["Adoption"].startswith(f"Stage: placed with adopters Decision to place for adoption: {day(decided)}")
    assert rows["Adoption"].endswith(f"Placed with adopters: {day(placed)}")
    assert rows["Placement"] == (
        "Placed for adoption with a placement order, not with current foster carers Provided by: Own provision "
        f"(by the council) Postcode: LS8 1AB Since {day(placed)}"
    )
    lac.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=TODAY, reason="RD1")
    _, rows = card(record(c, child))
    assert "Adoption" not in rows  # only an open adoption plan is shown


# --- a care leaver ------------------------------------------------------------------------------------------------


@pytest.fixture
def care_leaver(manager: User) -> Person:
    """Ruby: 18 ten days ago, in care from 15 to 17, left to live independently."""
    born = TODAY - relativedelta(years=18, days=10)
    young = looked_after(manager, person("Ruby", "Stone", born), born + relativedelta(years=15))
    lac.looked_after_end(actor=manager, person=young, ended_on=born + relativedelta(years=17), reason_ceased="E5")
    return young


def test_care_leaver_with_a_contact(care_leaver: Person, alice: User) -> None:
    born = care_leaver.date_of_birth
    assert born is not None
    c = client_for(alice)
    heading, rows = card(record(c, care_leaver))
    assert heading == "Care leaver"
    left = born + relativedelta(years=17)
    assert rows["Left care"] == (
        f"{day(left)} Moved to independent living with formal advice and support (such as a hostel or foyer)"
    )
    assert rows["Last period of care"] == f"{day(born + relativedelta(years=15))} to {day(left)}"
    assert rows["Latest contact"] == "No contact recorded since leaving care"
    eighteenth = born + relativedelta(years=18)  # ten days ago: its window is open until a month after it
    assert rows["Next contact"] == (
        f"Due now Between {day(eighteenth - relativedelta(months=3))} and {day(eighteenth + relativedelta(months=1))} "
        f"For the 18th birthday, {day(eighteenth)}"
    )
    assert "Statutory visits" not in rows and "Legal status" not in rows

    lac.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=TODAY, in_touch="YES", activity="F2", accommodation="E1"
    )
    _, rows = card(record(c, care_leaver))
    assert rows["Latest contact"] == (
        f"{day(TODAY)} In touch: Yes, in touch Activity: Full time in education other than higher education "
        "Accommodation: Supported lodgings: suitable"
    )
    # The 18th birthday has its contact: next is the 19th, from 3 months before it to 1 month after.
    nineteenth = born + relativedelta(years=19)
    opens, closes = nineteenth - relativedelta(months=3), nineteenth + relativedelta(months=1)
    assert rows["Next contact"] == f"Between {day(opens)} and {day(closes)} For the 19th birthday, {day(nineteenth)}"
    assert (oc3_birthday(born, opens), oc3_birthday(born, closes)) == (19, 19)
    assert oc3_birthday(born, opens - timedelta(days=1)) is None


def test_no_contact_is_due_once_a_care_leaver_has_died(care_leaver: Person, alice: User) -> None:
    lac.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=TODAY, in_touch="DIED", activity="0", accommodation="0"
    )
    _, rows = card(record(client_for(alice), care_leaver))
    assert rows["Latest contact"] == (
        f"{day(TODAY)} In touch: Young person has died Activity: Not applicable Accommodation: Not applicable"
    )
    assert "Next contact" not in rows


def test_left_care_young_is_not_a_care_leaver(manager: User, alice: User) -> None:
    child = looked_after(manager, person("Noah", "Price", date(2016, 1, 4)), TODAY - timedelta(days=200))
    lac.looked_after_end(actor=manager, person=child, ended_on=TODAY - timedelta(days=100), reason_ceased="E4A")
    heading, rows = card(record(client_for(alice), child))
    assert heading == "Previously looked after"
    assert rows["Left care"].endswith(
        "Returned home to parents or others with parental responsibility, as part of the care plan"
    )
    assert "Latest contact" not in rows and "Next contact" not in rows


# --- a child never looked after -----------------------------------------------------------------------------------


def test_child_never_looked_after_has_no_card(alice: User) -> None:
    never = person("Noah", "Price", date(2016, 1, 4))
    page = record(client_for(alice), never)
    assert 'id="journey"' in page
    assert 'id="looked-after"' not in page and "Care leaver" not in page and "Period of care" not in page


# --- a fixed number of queries ------------------------------------------------------------------------------------


def test_summary_queries_are_fixed(foster_child: Person, care_leaver: Person, alice: User) -> None:
    never = person("Noah", "Price", date(2016, 1, 4))
    with assert_query_count(1):
        assert looked_after_summary(never) is None
    with assert_query_count(11):
        looked_after_summary(foster_child)
    with assert_query_count(5):
        looked_after_summary(care_leaver)


def test_record_page_queries_do_not_grow_with_the_history(foster_child: Person, alice: User, manager: User) -> None:
    child, c = foster_child, client_for(alice)
    visit(alice, child, TODAY - timedelta(days=28))
    before = page_queries(c, child)
    for n, (away, back) in enumerate([(300, 298), (200, 199), (100, 97)]):
        episode = lac.missing_episode_record(
            actor=alice, person=child, kind="M", started_on=TODAY - timedelta(days=away)
        )
        lac.missing_episode_end(
            actor=alice, episode=episode, ended_on=TODAY - timedelta(days=back), return_interview_offered=n % 2 == 0,
            return_interview_accepted=False if n % 2 == 0 else None,
        )  # fmt: skip
    for days in (25, 20, 15, 10):
        visit(alice, child, TODAY - timedelta(days=days))
    for days in (150, 90, 8):
        lac.lac_review_record(actor=alice, person=child, held_on=TODAY - timedelta(days=days), participation="PN1")
    for days in (160, 5):
        lac.health_assessment_record(actor=alice, person=child, assessed_on=TODAY - timedelta(days=days))
    lac.looked_after_change(actor=alice, person=child, changed_on=TODAY - timedelta(days=6), legal_status="C1")
    lac.looked_after_change(actor=alice, person=child, changed_on=TODAY - timedelta(days=4), legal_status="C2")
    lac.missing_episode_record(actor=alice, person=child, kind="A", started_on=TODAY - timedelta(days=2))
    lac.adoption_decision_record(actor=alice, person=child, decided_on=TODAY - timedelta(days=1))
    after = page_queries(c, child)
    _, rows = card(record(c, child))
    assert rows["Missing or away from placement"].startswith("Away from placement without authorisation since")
    assert rows["Legal status"] == f"Full care order Since {day(TODAY - timedelta(days=4))}"
    assert_same_query_count(before, after)


def test_care_leaver_page_queries_do_not_grow_with_contacts(care_leaver: Person, alice: User) -> None:
    c = client_for(alice)
    lac.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=TODAY - timedelta(days=60), in_touch="NO", activity="G5",
        accommodation="R2",
    )  # fmt: skip
    before = page_queries(c, care_leaver)
    for days in (40, 20, 1):
        lac.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=TODAY - timedelta(days=days), in_touch="YES", activity="F5",
            accommodation="U1",
        )  # fmt: skip
    assert_same_query_count(before, page_queries(c, care_leaver))
    assert card(record(c, care_leaver))[1]["Latest contact"].startswith(f"{day(TODAY - timedelta(days=1))} In touch")


# --- in a browser -------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_looked_after_card_in_a_browser(
    allow_audit_flush: Any, live_server: Any, manager: User, alice: User, browser_page: Any
) -> None:
    started = TODAY - timedelta(days=60)
    child = looked_after(manager, person("Amelia", "Hughes", date(2015, 3, 27)), started)
    visit(alice, child, TODAY - timedelta(days=2))
    lac.missing_episode_record(actor=alice, person=child, kind="M", started_on=TODAY - timedelta(days=1))
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{child.pk}")
    summary = page.get_by_role("heading", name="Looked after", exact=True)
    assert summary.is_visible()
    card_text = page.locator("#looked-after").inner_text()
    assert f"Missing since {day(TODAY - timedelta(days=1))}" in card_text
    assert f"Last visit: {day(TODAY - timedelta(days=2))}" in card_text
    assert FOSTER_LABEL in card_text
    assert_accessible(page)
