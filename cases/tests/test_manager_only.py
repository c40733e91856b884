"""The same rule gets the same answer: each manager-only action, tried by a social worker through the page and
through the API, is refused 403 by both (the API used to answer 422, "fix what you sent", which no input could fix)
and changes nothing."""

import json
from datetime import date

import pytest

from audit.models import AuditEvent
from cases import services
from cases.models import Allocation, Assessment, CINEpisode, Contact, LookedAfterEpisode
from cases.tests.services.helpers import FOSTER, HOME, at, start
from conftest import client_for
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

DAY = date(2026, 2, 2)


@pytest.fixture
def records(alice, manager, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    contact = services.contact_record(actor=manager, person=child, received_at=at(DAY), source="6", concern="Police")
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    assessment = services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 6))
    services.assessment_record(actor=alice, assessment=assessment, factors=["3A"], summary="", outcome="nfa")
    services.assessment_submit(actor=alice, assessment=assessment, submitted_on=date(2026, 1, 20))
    in_care = person("Jayden", "Hughes", date(2012, 5, 1))
    start(manager, in_care, date(2025, 12, 24))
    return {
        "worker": alice,
        "child": child,
        "contact": contact,
        "episode": episode,
        "assessment": assessment,
        "in_care": in_care,
    }


def actions(r):
    """(what, page URL, page form, API URL, API body) for every manager-only action."""
    child, in_care, episode, a = r["child"], r["in_care"], r["episode"], r["assessment"]
    step = lambda who, slug: f"/cases/people/{who.pk}/{slug}"  # noqa: E731
    api = "/api/v1/cases"
    return [
        ("decide a contact", f"/cases/contacts/{r['contact'].pk}/decide", {"decision": "nfa", "reason": "Advice"},
         f"{api}/contacts/{r['contact'].pk}/decision", {"decision": "nfa", "reason": "Advice given"}),
        ("allocate", step(child, "allocate"), {"reason": "New"},
         f"{api}/people/{child.pk}/allocations", {"worker_id": r["worker"].pk, "started_on": DAY, "reason": "New"}),
        ("authorise an assessment", step(child, "assessment-authorise"), {"decision": "authorise"},
         f"{api}/assessments/{a.pk}/authorise", {"on": DAY, "comments": "Agreed"}),
        ("return an assessment", step(child, "assessment-authorise"), {"decision": "return"},
         f"{api}/assessments/{a.pk}/return", {"reason": "Add the school's view"}),
        ("close a case", step(child, "close"), {"reason": "RC8"},
         f"{api}/episodes/{episode.pk}/close", {"closure_date": DAY, "reason": "RC8"}),
        ("start a period of care", step(child, "looked-after-start"), {"legal_status": "C1"},
         f"{api}/people/{child.pk}/looked-after",
         {"started_on": DAY, "legal_status": "C1", "category_of_need": "N1", "home_postcode": HOME, **FOSTER}),
        ("end a period of care", step(in_care, "looked-after-end"), {"reason_ceased": "E4A"},
         f"{api}/people/{in_care.pk}/looked-after/end", {"ended_on": DAY, "reason_ceased": "E4A"}),
    ]  # fmt: skip


def snapshot():
    return (
        Contact.objects.filter(decision="").count(),
        Allocation.objects.count(),
        Assessment.objects.filter(authorised_on__isnull=True, submitted_on__isnull=False).count(),
        CINEpisode.objects.filter(closure_date__isnull=True).count(),
        LookedAfterEpisode.objects.filter(ended_on__isnull=True).count(),
        AuditEvent.objects.exclude(action="view").count(),
    )


def test_each_manager_only_action_is_refused_403_by_the_page_and_the_api(alice, manager, records):
    c = client_for(alice)
    before = snapshot()
    for what, page, form, api, body in actions(records):
        assert c.get(page).status_code == 403, f"page GET: {what}"
        assert c.post(page, form).status_code == 403, f"page POST: {what}"
        r = c.post(api, json.dumps(body, default=str), content_type="application/json")
        assert r.status_code == 403, f"API: {what}: {r.status_code} {r.content[:200]!r}"
        assert "Only a team manager" in r.json()["detail"], what
    assert snapshot() == before


def test_the_api_still_answers_422_for_input_a_manager_can_put_right(manager, records):
    r = client_for(manager).post(
        f"/api/v1/cases/assessments/{records['assessment'].pk}/return",
        json.dumps({"reason": ""}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"]["reason"] == "Enter what the worker needs to change"
