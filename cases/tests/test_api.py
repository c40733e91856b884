"""The journey through the API, from contact to child protection plan, with the same rules as the pages."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import ChildProtectionPlan, CINEpisode, Section47Enquiry
from conftest import client_for
from core.dates import next_working_day
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def test_contact_to_child_protection_plan(alice, manager, support, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    start = timezone.localdate() - timedelta(days=60)
    r = post(
        client_for(support),
        f"/api/v1/cases/people/{child.pk}/contacts",
        {"received_at": f"{start}T09:00:00+00:00", "source": "6", "concern": "Police called"},
    )
    assert r.status_code == 201
    contact_id = r.json()["id"]
    r = post(
        client_for(alice),
        f"/api/v1/cases/contacts/{contact_id}/decision",
        {"decision": "referral", "reason": "x", "team_id": team_a.pk, "primary_need": "N1"},
    )
    assert r.status_code == 403 and "Only a team manager" in r.json()["detail"]
    r = post(
        client_for(manager),
        f"/api/v1/cases/contacts/{contact_id}/decision",
        {"decision": "referral", "reason": "Police concern", "team_id": team_a.pk, "primary_need": "N1"},
    )
    episode_id = r.json()["episode_id"]
    assert CINEpisode.objects.get(pk=episode_id).referral_source == "6"
    assert (
        post(
            client_for(manager),
            f"/api/v1/cases/people/{child.pk}/allocations",
            {"worker_id": alice.pk, "started_on": start, "reason": "New"},
        ).status_code
        == 201
    )
    c = client_for(alice)
    assert (
        post(
            c,
            f"/api/v1/cases/episodes/{episode_id}/strategy-discussions",
            {"held_on": start + timedelta(days=1), "agencies": "Police, health", "start_section_47": True},
        ).status_code
        == 201
    )
    enquiry = Section47Enquiry.objects.get()
    assert (
        post(
            c,
            f"/api/v1/cases/section-47-enquiries/{enquiry.pk}/complete",
            {"completed_on": start + timedelta(days=8), "outcome": "icpc"},
        ).status_code
        == 200
    )
    r = post(
        c,
        f"/api/v1/cases/section-47-enquiries/{enquiry.pk}/initial-conference",
        {"held_on": next_working_day(start + timedelta(days=14)), "plan_needed": True, "category": "ZZZ"},
    )
    assert r.status_code == 422 and "category" in r.json()["errors"]
    r = post(
        c,
        f"/api/v1/cases/section-47-enquiries/{enquiry.pk}/initial-conference",
        {"held_on": next_working_day(start + timedelta(days=14)), "plan_needed": True, "category": "PHY"},
    )
    assert r.status_code == 201
    assert ChildProtectionPlan.objects.get().initial_category == "PHY"
    caseload = c.get("/api/v1/cases/caseload").json()
    assert caseload[0]["statuses"] == ["Child protection plan"]


def test_outsiders_and_signed_out_callers(charlie, team_a):
    child = person()
    body = {"referral_date": "2026-01-05", "source": "2A", "primary_need": "N1", "team_id": team_a.pk}
    assert post(Client(), f"/api/v1/cases/people/{child.pk}/referrals", body).status_code == 401
    assert post(client_for(charlie), f"/api/v1/cases/people/{child.pk}/referrals", body).status_code == 403
    assert client_for(charlie).get("/api/v1/cases/caseload").status_code == 403
    assert Client().get("/api/v1/cases/caseload").status_code == 401


def test_bad_input_is_422_and_changes_nothing(alice, team_a):
    child = person()
    r = post(
        client_for(alice),
        f"/api/v1/cases/people/{child.pk}/referrals",
        {"referral_date": "2999-01-01", "source": "QQ", "primary_need": "N1", "team_id": team_a.pk},
    )
    assert r.status_code == 422 and {"referral_date", "source"} <= set(r.json()["errors"])
    assert not CINEpisode.objects.exists()
    r = post(client_for(alice), f"/api/v1/cases/people/{child.pk}/referrals", {"referral_date": "not a date"})
    assert r.status_code == 422


def test_looked_after_through_the_api(alice, manager):
    from cases.models import LookedAfterEpisode

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    start = timezone.localdate() - timedelta(days=40)
    body = {"started_on": start, "legal_status": "C1", "category_of_need": "N1", "home_postcode": "LS1 4AP",
            "placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}  # fmt: skip
    assert post(client_for(alice), f"/api/v1/cases/people/{child.pk}/looked-after", body).status_code == 403
    assert post(client_for(manager), f"/api/v1/cases/people/{child.pk}/looked-after", body).status_code == 201
    r = post(
        client_for(alice),
        f"/api/v1/cases/people/{child.pk}/looked-after/changes",
        {"changed_on": start + timedelta(days=5), "legal_status": "C2"},
    )
    assert r.status_code == 201
    r = post(
        client_for(alice),
        f"/api/v1/cases/people/{child.pk}/looked-after/reviews",
        {"held_on": start + timedelta(days=20), "participation": "ZZ9"},
    )
    assert r.status_code == 422
    assert LookedAfterEpisode.objects.filter(person=child).count() == 2


def test_business_support_records_contacts_but_not_journey_steps(support, manager, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    c = client_for(support)
    day = timezone.localdate() - timedelta(days=3)
    r = post(c, f"/api/v1/cases/people/{child.pk}/contacts", {"received_at": f"{day}T09:00:00+00:00", "source": "6",
                                                               "concern": "Police called"})  # fmt: skip
    assert r.status_code == 201
    contact_id = r.json()["id"]
    r = post(
        c,
        f"/api/v1/cases/people/{child.pk}/referrals",
        {"referral_date": day, "source": "6", "primary_need": "N1", "team_id": team_a.pk},
    )
    assert r.status_code == 403
    assert not CINEpisode.objects.exists()
    r = post(c, f"/api/v1/cases/contacts/{contact_id}/decision", {"decision": "nfa", "reason": "Advice given"})
    assert r.status_code == 403
    r = post(
        client_for(manager), f"/api/v1/cases/contacts/{contact_id}/decision", {"decision": "nfa", "reason": "Advice"}
    )
    assert r.status_code == 200


def test_a_manager_returns_an_assessment_or_authorises_it_with_comments_through_the_api(alice, manager, team_a):
    from cases.models import Assessment

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    a = services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 6))
    services.assessment_record(actor=alice, assessment=a, factors=["3A"], summary="", outcome="nfa")
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 1, 20))
    base = f"/api/v1/cases/assessments/{a.pk}"
    r = post(client_for(alice), f"{base}/return", {"reason": "x"})
    assert r.status_code == 403 and "Only a team manager" in r.json()["detail"]
    r = post(client_for(manager), f"{base}/return", {"reason": ""})
    assert r.status_code == 422 and r.json()["errors"]["reason"] == "Enter what the worker needs to change"
    assert post(client_for(manager), f"{base}/return", {"reason": "Add the school's view"}).status_code == 200
    a.refresh_from_db()
    assert a.status == "In progress"
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 1, 22))
    assert post(client_for(manager), f"{base}/authorise", {"comments": "Clear"}).status_code == 200
    assert Assessment.objects.get().authorisation_comments == "Clear"
