"""The looked-after record pages: missing episodes and return interviews, UASC, previous permanence, adoption,
health and outcomes (OC2) and care leavers' contacts (OC3). Each page shows its form, writes through its service
on a good submission and shows the result on the child's record, and on a bad one shows the service's message on
the field and writes nothing. Also what the journey panel offers, and one walk through the pages in a browser."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases import services as lac
from cases.forms import health_years
from cases.models import Task, TaskKind
from cases.models_looked_after import (
    AdoptionRecord,
    CareLeaverContact,
    HealthAssessment,
    HealthAssessmentKind,
    HealthRecord,
    MissingEpisode,
    PreviousPermanence,
    UnaccompaniedAsylumSeekingChild,
)
from cases.selectors_looked_after import looked_after_actions
from casework.tests.browser import assert_accessible, fill_date, sign_in
from conftest import client_for
from core.testing import assert_query_count
from people.models import Person
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}
TODAY = timezone.localdate()


def looked_after(manager: User, child: Person, started_on: date) -> Person:
    lac.looked_after_start(
        actor=manager, person=child, started_on=started_on, legal_status="C2", category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    return child


def url(child: Person, step: str) -> str:
    return reverse("cases:step", args=[child.pk, step])


def post(client: Client, child: Person, step: str, **data: Any) -> Any:
    """Submit a step's form; dates become the GOV.UK day, month and year boxes."""
    body: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, date):
            body.update({f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year})
        elif value is not None:
            body[name] = value
    return client.post(url(child, step), body)


def record(client: Client, child: Person) -> str:
    return client.get(reverse("people:detail", args=[child.pk])).content.decode()


def errors(response: Any) -> str:
    """The error summary of a re-shown form (empty if the page has none)."""
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    start = html.find('class="govuk-error-summary"')
    return html[start : html.find("</ul>", start)] if start >= 0 else ""


def day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@pytest.fixture
def child(manager: User) -> Person:
    return looked_after(manager, person("Amelia", "Hughes", date(2015, 3, 27)), TODAY - timedelta(days=60))


# --- missing and away from placement ------------------------------------------------------------------------------


def test_missing_then_return_with_the_interview(child: Person, alice: User) -> None:
    c = client_for(alice)
    html = c.get(url(child, "missing-start")).content.decode()
    assert "Record that the child is missing or away from placement" in html
    assert "Away from placement without authorisation" in html and 'name="started_on_0"' in html

    summary = errors(post(c, child, "missing-start"))
    assert 'href="#id_kind_0">Select missing or away from placement' in summary
    assert 'href="#id_started_on_0">Enter the date the child went missing' in summary
    before_care = TODAY - timedelta(days=61)
    summary = errors(post(c, child, "missing-start", kind="M", started_on=before_care))
    assert f"Amelia Hughes was not looked after on {before_care.day} {before_care:%B %Y}" in summary
    assert not MissingEpisode.objects.exists()

    went = TODAY - timedelta(days=5)
    r = post(c, child, "missing-start", kind="A", started_on=went)
    assert r.status_code == 302 and r.url == reverse("people:detail", args=[child.pk])
    page = record(c, child)
    assert "Record that the child is missing or away from placement: saved" in page
    assert "Away from placement without authorisation" in page  # the chronology entry
    assert MissingEpisode.objects.get(person=child).kind == "A"
    assert AuditEvent.objects.filter(object_type="missingepisode", action="create", person_id=child.pk).exists()

    html = c.get(url(child, "missing-return")).content.decode()
    assert f"Away from placement without authorisation since {day(went)}" in html
    summary = errors(
        post(c, child, "missing-return", ended_on=went, return_interview_offered="no", return_interview_accepted="yes")
    )
    assert 'href="#id_return_interview_accepted_0">A return interview that was not offered cannot' in summary
    summary = errors(post(c, child, "missing-return", ended_on=went - timedelta(days=1), return_interview_offered="no"))
    assert f"The date the child came back cannot be before they went missing ({day(went)})" in summary
    assert MissingEpisode.objects.get(person=child).ended_on is None

    back = went + timedelta(days=2)
    r = post(c, child, "missing-return", ended_on=back, return_interview_offered="yes", return_interview_accepted="no")
    assert r.status_code == 302
    episode = MissingEpisode.objects.get(person=child)
    assert (episode.ended_on, episode.return_interview_offered, episode.return_interview_accepted) == (
        back,
        True,
        False,
    )
    page = record(c, child)
    assert "Returned after being away from placement" in page and "Return interview offered, not accepted." in page
    r = c.get(url(child, "missing-return"))  # nothing open any more: back to the record, saying why
    assert r.status_code == 302
    assert "The child is not recorded as missing or away from placement now." in record(c, child)


def test_missing_needs_a_period_of_care(alice: User) -> None:
    never = person("Noah", "Price", date(2016, 1, 4))
    c = client_for(alice)
    r = c.get(url(never, "missing-start"))
    assert r.status_code == 302
    assert "This child has never been looked after: a manager starts a period of care first." in record(c, never)


def test_outsiders_cannot_use_the_pages(child: Person, charlie: User, support: User) -> None:
    went = TODAY - timedelta(days=5)
    for user in (charlie, support):  # no role; a role that cannot record on the journey
        c = client_for(user)
        assert c.get(url(child, "missing-start")).status_code == 403
        assert post(c, child, "missing-start", kind="M", started_on=went).status_code == 403
    assert Client().get(url(child, "missing-start")).status_code == 302  # to sign in
    assert not MissingEpisode.objects.exists()


def test_unknown_child_is_404(alice: User) -> None:
    assert client_for(alice).get(reverse("cases:step", args=[987654, "missing-start"])).status_code == 404


# --- unaccompanied asylum-seeking children ------------------------------------------------------------------------


def test_uasc_status_and_its_end(alice: User) -> None:
    young = person("Amir", "Haidari", TODAY - relativedelta(years=16, months=2))
    c = client_for(alice)
    assert "Date the child became an unaccompanied asylum-seeking child" in c.get(url(young, "uasc")).content.decode()
    began = TODAY - timedelta(days=90)
    summary = errors(post(c, young, "uasc", became_uasc_on=began, ceased_on=began - timedelta(days=1)))
    assert (
        'href="#id_ceased_on_0">The date the status ceased cannot be before the child became an asylum-seeking child'
        in summary
    )
    assert not UnaccompaniedAsylumSeekingChild.objects.exists()
    assert post(c, young, "uasc", became_uasc_on=began).status_code == 302
    assert f"From {began.day} {began:%B %Y}." in record(c, young)

    html = c.get(url(young, "uasc-end")).content.decode()
    assert f"An unaccompanied asylum-seeking child since {day(began)}" in html
    assert "Enter the date the status ended" in errors(post(c, young, "uasc-end"))
    assert UnaccompaniedAsylumSeekingChild.objects.get(person=young).ceased_on is None
    ended = TODAY - timedelta(days=3)
    assert post(c, young, "uasc-end", ceased_on=ended).status_code == 302
    assert UnaccompaniedAsylumSeekingChild.objects.get(person=young).ceased_on == ended
    page = record(c, young)
    assert "Unaccompanied asylum-seeking child status updated" in page and f"to {ended.day} {ended:%B %Y}." in page
    # The form starts from what is recorded, so a correction does not lose the dates.
    html = c.get(url(young, "uasc")).content.decode()
    assert f'name="ceased_on_0" type="text" inputmode="numeric"\n             value="{ended.day}"' in html


# --- previous permanence ------------------------------------------------------------------------------------------


def test_previous_permanence(child: Person, alice: User) -> None:
    c = client_for(alice)
    html = c.get(url(child, "previous-permanence")).content.decode()
    assert "Special guardianship order" in html and "No previous permanence arrangement" in html
    summary = errors(post(c, child, "previous-permanence", arrangement="P2", la_code="LEEDS"))
    assert 'href="#id_la_code">Enter the authority&#x27;s 3-digit code' in summary
    assert 'href="#id_order_date_0">Enter the date of the order' in summary
    assert not PreviousPermanence.objects.exists()
    r = post(c, child, "previous-permanence", arrangement="P2", la_code="383", order_date=date(2019, 5, 1))
    assert r.status_code == 302
    assert "Previous permanence: Special guardianship order" in record(c, child)
    assert "already recorded for the period of care" in errors(post(c, child, "previous-permanence", arrangement="Z1"))
    assert PreviousPermanence.objects.count() == 1


# --- adoption -----------------------------------------------------------------------------------------------------


def test_adoption_from_decision_through_milestones_and_adopters(child: Person, alice: User) -> None:
    c = client_for(alice)
    start = TODAY - timedelta(days=60)
    assert "Record the placement order" not in c.get(url(child, "adoption-decision")).content.decode()
    assert post(c, child, "adoption-placement-order").status_code == 302  # no decision yet: nothing to act on
    assert "There is no open decision to place this child for adoption" in record(c, child)

    summary = errors(post(c, child, "adoption-decision", decided_on=start - timedelta(days=1)))
    assert 'href="#id_decided_on_0">' in summary and "was not looked after" in summary
    decided = start + timedelta(days=5)
    assert post(c, child, "adoption-decision", decided_on=decided).status_code == 302
    assert "Decision: should be placed for adoption" in record(c, child)

    html = c.get(url(child, "adoption-matched")).content.decode()
    assert f"Recorded so far: decision to place for adoption {day(decided)}." in html
    summary = errors(post(c, child, "adoption-placed", placed_on=decided + timedelta(days=9)))
    assert 'href="#id_placed_on_0">Record the match with the adopters before the placement with them' in summary
    summary = errors(post(c, child, "adoption-placement-order", placement_order_on=decided - timedelta(days=1)))
    assert 'href="#id_placement_order_on_0">The date of the placement order cannot be before the decision' in summary
    order = decided + timedelta(days=7)
    assert post(c, child, "adoption-placement-order", placement_order_on=order).status_code == 302
    matched = decided + timedelta(days=14)
    assert post(c, child, "adoption-matched", date_matched=matched).status_code == 302
    adoption = AdoptionRecord.objects.get(person=child)
    assert (adoption.placement_order_on, adoption.date_matched, adoption.placed_on) == (order, matched, None)
    assert "Adoption: the match with the adopters" in record(c, child)

    summary = errors(
        post(c, child, "adoption-adopters", foster_care="no", number_of_adopters="1", sex_of_adopters="MF",
             legal_status_of_adopters="L11")
    )  # fmt: skip
    assert 'href="#id_sex_of_adopters_0">The adopters&#x27; sex does not match' in summary
    assert AdoptionRecord.objects.get(person=child).sex_of_adopters == ""
    r = post(c, child, "adoption-adopters", foster_care="no", number_of_adopters="2", sex_of_adopters="FF",
             legal_status_of_adopters="L12")  # fmt: skip
    assert r.status_code == 302
    adoption = AdoptionRecord.objects.get(person=child)
    assert (adoption.foster_care, adoption.number_of_adopters, adoption.sex_of_adopters) == (False, 2, "FF")
    html = c.get(url(child, "adoption-adopters")).content.decode()  # shows what is recorded, to correct it
    assert 'value="FF" checked' in html and 'value="2" checked' in html
    assert "Married couple of the same sex" in record(c, child)


def test_adoption_decision_reversed(child: Person, alice: User) -> None:
    c = client_for(alice)
    decided = TODAY - timedelta(days=30)
    post(c, child, "adoption-decision", decided_on=decided)
    summary = errors(post(c, child, "adoption-reversed", date_placed_ceased=decided - timedelta(days=1)))
    assert 'href="#id_reason_placed_ceased_0">Select why the plan changed' in summary
    assert AdoptionRecord.objects.get(person=child).date_placed_ceased is None
    r = post(c, child, "adoption-reversed", date_placed_ceased=TODAY, reason_placed_ceased="RD3")
    assert r.status_code == 302
    adoption = AdoptionRecord.objects.get(person=child)
    assert (adoption.date_placed_ceased, adoption.reason_placed_ceased) == (TODAY, "RD3")
    page = record(c, child)
    assert "Decision: should no longer be placed for adoption" in page and "Prospective adopters could not be" in page
    assert AuditEvent.objects.filter(object_type="adoptionrecord", action="update", person_id=child.pk).exists()


# --- statutory health assessments --------------------------------------------------------------------------------


def test_statutory_health_assessment_completes_the_task(child: Person, alice: User) -> None:
    c = client_for(alice)
    assert "Who carried it out (optional)" in c.get(url(child, "health-assessment")).content.decode()
    summary = errors(post(c, child, "health-assessment", assessed_on=TODAY + timedelta(days=1)))
    assert 'href="#id_assessed_on_0">The date of the health assessment must be today or in the past' in summary
    assert not HealthAssessment.objects.exists()
    assessed = TODAY - timedelta(days=10)
    r = post(c, child, "health-assessment", assessed_on=assessed, assessed_by="Dr Okafor, Leeds Community Health")
    assert r.status_code == 302
    row = HealthAssessment.objects.get(person=child)
    assert (row.kind, row.assessed_on) == (HealthAssessmentKind.INITIAL, assessed)
    assert Task.objects.get(person=child, kind=TaskKind.LAC_HEALTH_ASSESSMENT).completed_on == assessed
    page = record(c, child)
    assert "Initial health assessment" in page and "By Dr Okafor, Leeds Community Health." in page
    summary = errors(post(c, child, "health-assessment", assessed_on=assessed))
    assert f"A health assessment on {assessed.day} {assessed:%B %Y} is already recorded" in summary


# --- health and outcomes (OC2) ------------------------------------------------------------------------------------


def latest_year() -> date:
    return date.fromisoformat(health_years()[0][0])


@pytest.fixture
def in_care_all_year(manager: User) -> Person:
    eleven = latest_year() - relativedelta(years=11, months=3)  # 11 on 31 March: an SDQ and convictions apply
    return looked_after(manager, person("Kai", "Brennan", eleven), latest_year() - relativedelta(years=2))


def test_health_for_the_year(in_care_all_year: Person, alice: User) -> None:
    child, year, c = in_care_all_year, latest_year(), client_for(alice)
    html = c.get(url(child, "health")).content.decode()
    assert f'<option value="{year}" selected>The year to 31 March {year.year}</option>' in html
    assert "Was the child&#x27;s dental check up to date?" in html and "Were the child&#x27;s immunisations" in html

    summary = errors(post(c, child, "health", year_ending=str(year)))
    for field in ("health_assessment", "teeth_check", "immunisations", "substance_misuse"):
        assert f'href="#id_{field}_0">Select yes or no' in summary
    assert 'href="#id_sdq_score">Enter the SDQ score, or the reason there is none' in summary
    assert 'href="#id_convicted_0">Select whether the child was convicted' in summary
    summary = errors(post(c, child, "health", year_ending=str(year), sdq_score="fourteen"))
    assert "Enter the SDQ score as a whole number from 0 to 40" in summary
    healthy = {"health_assessment": "yes", "teeth_check": "yes", "immunisations": "no", "substance_misuse": "no"}
    summary = errors(post(c, child, "health", year_ending=str(year), sdq_score="41", convicted="no", **healthy))
    assert 'href="#id_sdq_score">The SDQ score is a whole number from 0 to 40' in summary
    summary = errors(post(c, child, "health", year_ending=str(year), sdq_score="14", health_check="yes", convicted="no",
                          **healthy))  # fmt: skip
    assert "Health promotion checks are only for children under 5" in summary
    assert not HealthRecord.objects.exists()

    r = post(c, child, "health", year_ending=str(year), sdq_score="14", convicted="no", **healthy)
    assert r.status_code == 302
    row = HealthRecord.objects.get(person=child)
    assert (row.year_ending, row.sdq_score, row.immunisations, row.teeth_check, row.convicted) == (
        year, 14, False, True, False
    )  # fmt: skip
    page = record(c, child)
    assert "Record health and outcomes for the year: saved" in page
    assert f"Health and outcomes for the year to 31 March {year.year}" in page and "SDQ score 14." in page
    # Recording the year again corrects it.
    r = post(c, child, "health", year_ending=str(year), sdq_reason="SDQ2", convicted="no", **healthy)
    assert r.status_code == 302
    row = HealthRecord.objects.get(person=child)
    assert (row.sdq_score, row.sdq_reason) == (None, "SDQ2")


def test_health_refused_for_a_child_not_in_care_all_year(child: Person, alice: User) -> None:
    summary = errors(post(client_for(alice), child, "health", year_ending=str(latest_year()), sdq_score="3"))
    assert "was not looked after continuously for the 12 months" in summary
    assert not HealthRecord.objects.exists()


# --- care leavers (OC3) -------------------------------------------------------------------------------------------


@pytest.fixture
def care_leaver(manager: User) -> Person:
    born = TODAY - relativedelta(years=18, days=10)  # 18 ten days ago: the contact counts for the 18th birthday
    young = looked_after(manager, person("Ruby", "Stone", born), born + relativedelta(years=15))
    lac.looked_after_end(actor=manager, person=young, ended_on=born + relativedelta(years=17), reason_ceased="E5")
    return young


def test_care_leaver_contact(care_leaver: Person, alice: User) -> None:
    c = client_for(alice)
    html = c.get(url(care_leaver, "care-leaver-contact")).content.decode()
    assert "Young person refuses contact" in html and "Supported lodgings: suitable" in html
    summary = errors(post(c, care_leaver, "care-leaver-contact", contact_on=TODAY))
    assert 'href="#id_in_touch_0">Select whether you are in touch' in summary
    assert 'href="#id_activity">Select the young person&#x27;s activity' in summary
    summary = errors(
        post(c, care_leaver, "care-leaver-contact", contact_on=TODAY, in_touch="YES", activity="0", accommodation="E1")
    )
    assert 'href="#id_activity">When you are in touch, record the young person&#x27;s activity' in summary
    assert not CareLeaverContact.objects.exists()
    r = post(c, care_leaver, "care-leaver-contact", contact_on=TODAY, in_touch="YES", activity="F4", accommodation="E1")
    assert r.status_code == 302
    contact = CareLeaverContact.objects.get(person=care_leaver)
    assert (contact.in_touch, contact.activity, contact.accommodation, contact.birthday) == ("YES", "F4", "E1", 18)
    page = record(c, care_leaver)
    assert "Care leaver contact around the 18th birthday" in page and "Supported lodgings: suitable" in page
    summary = errors(
        post(c, care_leaver, "care-leaver-contact", contact_on=TODAY, in_touch="NO", activity="G5", accommodation="R2")
    )
    assert f"A contact on {TODAY.day} {TODAY:%B %Y} is already recorded" in summary


def test_care_leaver_contact_is_not_for_a_child_still_in_care(child: Person, alice: User) -> None:
    c = client_for(alice)
    assert c.get(url(child, "care-leaver-contact")).status_code == 302
    assert "Only a young person who has left care is a care leaver" in record(c, child)


# --- what the journey panel offers --------------------------------------------------------------------------------


def offered(child: Person, most_queries: int) -> list[str]:
    with assert_query_count(most_queries, at_most=True):
        slugs = [slug for slug, _ in looked_after_actions(child)]
    return slugs


def test_panel_offers_nothing_for_a_child_never_looked_after() -> None:
    assert offered(person("Noah", "Price", date(2016, 1, 4)), 1) == []


def test_panel_while_looked_after(child: Person, alice: User) -> None:
    assert offered(child, 3) == [
        "missing-start", "uasc", "previous-permanence", "adoption-decision", "health-assessment"
    ]  # fmt: skip
    went = TODAY - timedelta(days=5)
    lac.missing_episode_record(actor=alice, person=child, kind="M", started_on=went)
    lac.uasc_record(actor=alice, person=child, became_uasc_on=TODAY - timedelta(days=60))
    lac.previous_permanence_record(actor=alice, person=child, arrangement="Z1")
    adoption = lac.adoption_decision_record(actor=alice, person=child, decided_on=went)
    assert offered(child, 3) == [
        "missing-return", "uasc-end", "adoption-placement-order", "adoption-matched", "adoption-adopters",
        "adoption-reversed", "health-assessment",
    ]  # fmt: skip
    lac.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=TODAY)
    lac.missing_episode_end(
        actor=alice, episode=MissingEpisode.objects.get(), ended_on=TODAY, return_interview_offered=False
    )
    lac.uasc_record(actor=alice, person=child, became_uasc_on=TODAY - timedelta(days=60), ceased_on=TODAY)
    assert offered(child, 3) == [
        "missing-start", "adoption-placed", "adoption-adopters", "adoption-reversed", "health-assessment"
    ]  # fmt: skip
    lac.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=TODAY, reason="RD1")
    assert offered(child, 3) == ["missing-start", "adoption-decision", "health-assessment"]


def test_panel_offers_the_year_s_health_until_it_is_recorded(in_care_all_year: Person, alice: User) -> None:
    health = [s for s in offered(in_care_all_year, 3) if s == "health"]
    assert health == ["health"]
    label = dict(looked_after_actions(in_care_all_year))["health"]
    assert label == f"Record health and outcomes for the year to 31 March {latest_year().year}"
    lac.health_record_for_year(
        actor=alice, person=in_care_all_year, year_ending=latest_year(), sdq_score=10, convicted=False,
        immunisations=True, teeth_check=True, health_assessment=True, substance_misuse=False,
    )  # fmt: skip
    assert "health" not in offered(in_care_all_year, 3)


def test_panel_offers_care_leaver_contacts_from_17_to_21(care_leaver: Person, manager: User) -> None:
    assert offered(care_leaver, 3) == ["care-leaver-contact"]
    older = person("Tia", "Stone", TODAY - relativedelta(years=22, days=1))
    looked_after(manager, older, TODAY - relativedelta(years=6))
    lac.looked_after_end(actor=manager, person=older, ended_on=TODAY - relativedelta(years=4), reason_ceased="E5")
    assert offered(older, 3) == []  # 22: leaving care support goes on, but the OC3 birthdays are over


# --- in a browser -------------------------------------------------------------------------------------------------


def answer(page: Any, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_missing_episode_and_health_in_a_browser(
    allow_audit_flush: Any, live_server: Any, manager: User, alice: User, browser_page: Any
) -> None:
    year = latest_year()
    child = looked_after(
        manager, person("Kai", "Brennan", year - relativedelta(years=11, months=3)), year - relativedelta(years=2)
    )
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)

    page.goto(f"{base}/cases/people/{child.pk}/missing-start")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Select missing or away from placement" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Enter the date the child went missing").click()
    assert page.evaluate("document.activeElement.id") == "id_started_on_0"  # the summary takes you to the field
    answer(page, "Was the child missing or away from placement?", "Missing")
    went = TODAY - timedelta(days=3)
    fill_date(page, "Date the child went missing", went)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert "missing or away from placement: saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "Missing" in page.locator("#chronology-entries").inner_text()
    assert_accessible(page)

    page.goto(f"{base}/cases/people/{child.pk}/missing-return")
    assert f"Missing since {day(went)}" in page.locator(".govuk-inset-text").inner_text()
    assert_accessible(page)
    fill_date(page, "Date the child came back", TODAY)
    answer(page, "Was the child offered a return interview?", "Yes")
    answer(page, "Did the child accept the return interview?", "Yes")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert "Return interview accepted." in page.locator("#chronology-entries").inner_text()

    page.goto(f"{base}/cases/people/{child.pk}/health")
    assert_accessible(page)
    answer(page, "Was the child's annual health assessment up to date?", "Yes")
    answer(page, "Was the child's dental check up to date?", "Yes")
    answer(page, "Were the child's immunisations up to date?", "Yes")
    answer(page, "Was the child identified as having a substance misuse problem?", "No")
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the SDQ score, or the reason there is none" in summary
    assert "Select whether the child was convicted during the year" in summary
    assert_accessible(page)
    page.get_by_label("Strengths and difficulties questionnaire (SDQ) score").fill("14")
    answer(page, "Was the child convicted of an offence during the year?", "No")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")
    entries = page.locator("#chronology-entries").inner_text()
    assert f"Health and outcomes for the year to 31 March {year.year}" in entries and "SDQ score 14." in entries
    row = HealthRecord.objects.get(person=child)
    assert (row.sdq_score, row.immunisations, row.convicted) == (14, True, False)


def test_record_panel_offers_the_looked_after_records(child: Person, alice: User) -> None:
    page = record(client_for(alice), child)
    for slug in ("missing-start", "previous-permanence", "adoption-decision", "health-assessment"):
        assert f'href="{url(child, slug)}"' in page
    assert "missing-return" not in page
