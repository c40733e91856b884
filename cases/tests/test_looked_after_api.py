"""The looked-after records through the JSON API: each endpoint answers 201 (or 200 for a change to an existing
record) on success, 422 with the field's name on bad input and saves nothing, 403 for a user without a role that
records, 404 for a child or record that does not exist; and the OpenAPI document lists them all."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases import services as lac
from cases.forms import health_years
from cases.models_looked_after import (
    AdoptionRecord,
    CareLeaverContact,
    HealthAssessment,
    HealthRecord,
    MissingEpisode,
    PreviousPermanence,
    UnaccompaniedAsylumSeekingChild,
)
from conftest import client_for
from people.models import Person
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

TODAY = timezone.localdate()
API = "/api/v1/cases"
FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}


def send(client: Client, path: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(API + path, json.dumps(body, default=str), content_type="application/json")


def looked_after(manager: User, child: Person, started_on: date) -> Person:
    lac.looked_after_start(
        actor=manager, person=child, started_on=started_on, legal_status="C2", category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    return child


@pytest.fixture
def child(manager: User) -> Person:
    return looked_after(manager, person("Amelia", "Hughes", date(2015, 3, 27)), TODAY - timedelta(days=60))


def refused(client: Client, path: str, body: dict[str, Any], method: str = "post") -> dict[str, str]:
    r = send(client, path, body, method)
    assert r.status_code == 422, r.content
    return r.json()["errors"]


def access_answers(path: str, body: dict[str, Any], charlie: User, support: User, method: str = "post") -> None:
    assert send(Client(), path, body, method).status_code == 401
    assert send(client_for(charlie), path, body, method).status_code == 403  # no role
    assert send(client_for(support), path, body, method).status_code == 403  # a role that does not record


def test_missing_episode_and_return(child: Person, alice: User, charlie: User, support: User) -> None:
    c = client_for(alice)
    went = TODAY - timedelta(days=5)
    path = f"/people/{child.pk}/missing-episodes"
    assert set(refused(c, path, {})) == {"kind", "started_on"}
    assert (
        "was not looked after"
        in refused(c, path, {"kind": "M", "started_on": TODAY - timedelta(days=61)})["started_on"]
    )
    access_answers(path, {"kind": "M", "started_on": went}, charlie, support)
    assert send(c, "/people/987654/missing-episodes", {"kind": "M", "started_on": went}).status_code == 404
    assert not MissingEpisode.objects.exists()
    r = send(c, path, {"kind": "M", "started_on": went})
    assert r.status_code == 201
    episode = MissingEpisode.objects.get(pk=r.json()["id"])
    assert (episode.person_id, episode.kind, episode.started_on) == (child.pk, "M", went)
    assert "already recorded as missing" in refused(c, path, {"kind": "A", "started_on": TODAY})["__all__"]

    back = f"/missing-episodes/{episode.pk}/return"
    errors = refused(c, back, {"ended_on": TODAY, "return_interview_offered": True})
    assert errors == {"return_interview_accepted": "Select whether the child accepted the return interview"}
    access_answers(back, {"ended_on": TODAY, "return_interview_offered": False}, charlie, support)
    assert send(c, "/missing-episodes/987654/return", {"ended_on": TODAY}).status_code == 404
    assert MissingEpisode.objects.get().ended_on is None
    r = send(c, back, {"ended_on": TODAY, "return_interview_offered": True, "return_interview_accepted": True})
    assert r.status_code == 200 and r.json() == {"id": episode.pk}
    episode.refresh_from_db()
    assert (episode.ended_on, episode.return_interview_offered, episode.return_interview_accepted) == (
        TODAY, True, True
    )  # fmt: skip
    assert AuditEvent.objects.filter(object_type="missingepisode", action="update", actor=alice).exists()


def test_uasc(alice: User, charlie: User, support: User) -> None:
    young = person("Amir", "Haidari", TODAY - relativedelta(years=16))
    c = client_for(alice)
    path = f"/people/{young.pk}/uasc"
    began = TODAY - timedelta(days=30)
    errors = refused(c, path, {"became_uasc_on": began, "ceased_on": began - timedelta(days=1)}, "put")
    assert errors == {
        "ceased_on": "The date the status ceased cannot be before the child became an asylum-seeking child "
        f"({began.day} {began:%B %Y})"
    }
    assert set(refused(c, path, {}, "put")) == {"became_uasc_on"}
    access_answers(path, {"became_uasc_on": began}, charlie, support, "put")
    assert send(c, "/people/987654/uasc", {"became_uasc_on": began}, "put").status_code == 404
    assert not UnaccompaniedAsylumSeekingChild.objects.exists()
    r = send(c, path, {"became_uasc_on": began}, "put")
    assert r.status_code == 201
    r = send(c, path, {"became_uasc_on": began, "ceased_on": TODAY}, "put")
    assert r.status_code == 200
    assert UnaccompaniedAsylumSeekingChild.objects.get(pk=r.json()["id"]).ceased_on == TODAY


def test_previous_permanence(child: Person, alice: User, charlie: User, support: User) -> None:
    c = client_for(alice)
    path = f"/people/{child.pk}/previous-permanence"
    body = {"arrangement": "P3", "la_code": "383", "order_date": date(2020, 2, 3)}
    assert set(refused(c, path, {"arrangement": "P3", "la_code": "LEEDS"})) == {"la_code", "order_date"}
    assert set(refused(c, path, {"arrangement": "P9"})) == {"arrangement"}
    access_answers(path, body, charlie, support)
    assert send(c, "/people/987654/previous-permanence", body).status_code == 404
    assert not PreviousPermanence.objects.exists()
    r = send(c, path, body)
    assert r.status_code == 201
    row = PreviousPermanence.objects.get(pk=r.json()["id"])
    assert (row.arrangement, row.la_code, row.order_date) == ("P3", "383", date(2020, 2, 3))


def test_adoption_decision_milestones_adopters_and_reversal(
    child: Person, alice: User, charlie: User, support: User
) -> None:
    c = client_for(alice)
    decided = TODAY - timedelta(days=40)
    path = f"/people/{child.pk}/adoptions"
    assert set(refused(c, path, {"decided_on": TODAY + timedelta(days=1)})) == {"decided_on"}
    access_answers(path, {"decided_on": decided}, charlie, support)
    assert send(c, "/people/987654/adoptions", {"decided_on": decided}).status_code == 404
    assert not AdoptionRecord.objects.exists()
    r = send(c, path, {"decided_on": decided})
    assert r.status_code == 201
    adoption_id = r.json()["id"]

    milestones = f"/adoptions/{adoption_id}/milestones"
    assert set(refused(c, milestones, {"milestone": "adopted", "on": TODAY})) == {"milestone"}
    errors = refused(c, milestones, {"milestone": "placement_order", "on": decided - timedelta(days=1)})
    assert set(errors) == {"on"} and "cannot be before the decision" in errors["on"]
    errors = refused(c, milestones, {"milestone": "placed", "on": TODAY})
    assert errors == {"on": "Record the match with the adopters before the placement with them"}
    access_answers(milestones, {"milestone": "matched", "on": TODAY}, charlie, support)
    assert send(c, "/adoptions/987654/milestones", {"milestone": "matched", "on": TODAY}).status_code == 404
    assert send(c, milestones, {"milestone": "matched", "on": decided + timedelta(days=10)}).status_code == 200
    assert send(c, milestones, {"milestone": "placed", "on": decided + timedelta(days=20)}).status_code == 200
    adoption = AdoptionRecord.objects.get(pk=adoption_id)
    assert (adoption.date_matched, adoption.placed_on) == (decided + timedelta(days=10), decided + timedelta(days=20))

    adopters = f"/adoptions/{adoption_id}/adopters"
    body = {"foster_care": True, "number_of_adopters": 2, "sex_of_adopters": "MF", "legal_status_of_adopters": "L3"}
    errors = refused(c, adopters, {**body, "legal_status_of_adopters": "L4"}, "put")
    assert set(errors) == {"sex_of_adopters"}
    assert set(refused(c, adopters, {}, "put")) == {
        "foster_care", "number_of_adopters", "sex_of_adopters", "legal_status_of_adopters"
    }  # fmt: skip
    access_answers(adopters, body, charlie, support, "put")
    assert send(c, "/adoptions/987654/adopters", body, "put").status_code == 404
    assert AdoptionRecord.objects.get(pk=adoption_id).legal_status_of_adopters == ""
    assert send(c, adopters, body, "put").status_code == 200
    assert AdoptionRecord.objects.get(pk=adoption_id).legal_status_of_adopters == "L3"

    reversal = f"/adoptions/{adoption_id}/reversal"
    body = {"date_placed_ceased": TODAY, "reason_placed_ceased": "RD1"}
    errors = refused(c, reversal, {"date_placed_ceased": decided, "reason_placed_ceased": "RD1"})
    assert set(errors) == {"date_placed_ceased"} and "cannot be reversed before" in errors["date_placed_ceased"]
    assert set(refused(c, reversal, {"date_placed_ceased": TODAY, "reason_placed_ceased": "RD7"})) == {
        "reason_placed_ceased"
    }
    access_answers(reversal, body, charlie, support)
    assert send(c, "/adoptions/987654/reversal", body).status_code == 404
    assert send(c, reversal, body).status_code == 200
    adoption = AdoptionRecord.objects.get(pk=adoption_id)
    assert (adoption.date_placed_ceased, adoption.reason_placed_ceased) == (TODAY, "RD1")
    assert "plan has ended" in refused(c, milestones, {"milestone": "placement_order", "on": TODAY})["__all__"]


def test_health_record(manager: User, alice: User, charlie: User, support: User) -> None:
    year = date.fromisoformat(health_years()[0][0])
    toddler = looked_after(manager, person("Zara", "Ali", year - relativedelta(years=3)), year - relativedelta(years=2))
    c = client_for(alice)
    path = f"/people/{toddler.pk}/health-records"
    body = {"year_ending": year, "health_check": True, "immunisations": True, "teeth_check": False,
            "health_assessment": True, "substance_misuse": False}  # fmt: skip
    errors = refused(c, path, {**body, "sdq_score": 5, "convicted": False})
    assert set(errors) == {"sdq_score", "convicted"}  # a child of 3 has neither
    assert set(refused(c, path, {"year_ending": year})) == {
        "health_check", "immunisations", "teeth_check", "health_assessment", "substance_misuse"
    }  # fmt: skip
    errors = refused(c, path, {**body, "year_ending": year + timedelta(days=1)})
    assert errors == {"year_ending": "Select the year: it ends on 31 March"}
    access_answers(path, body, charlie, support)
    assert send(c, "/people/987654/health-records", body).status_code == 404
    assert not HealthRecord.objects.exists()
    r = send(c, path, body)
    assert r.status_code == 201
    row = HealthRecord.objects.get(pk=r.json()["id"])
    assert (row.health_check, row.teeth_check, row.sdq_score, row.convicted) == (True, False, None, None)
    r = send(c, path, {**body, "teeth_check": True})  # the same year again corrects it
    assert r.status_code == 200 and r.json()["id"] == row.pk
    assert HealthRecord.objects.get().teeth_check is True


def test_health_assessment(child: Person, alice: User, charlie: User, support: User) -> None:
    c = client_for(alice)
    path = f"/people/{child.pk}/health-assessments"
    body = {"assessed_on": TODAY - timedelta(days=3), "assessed_by": "Nurse Patel, looked-after children's team"}
    errors = refused(c, path, {"assessed_on": TODAY - timedelta(days=61)})
    assert set(errors) == {"assessed_on"} and "was not looked after" in errors["assessed_on"]
    assert set(refused(c, path, {})) == {"assessed_on"}
    access_answers(path, body, charlie, support)
    assert send(c, "/people/987654/health-assessments", body).status_code == 404
    assert not HealthAssessment.objects.exists()
    r = send(c, path, body)
    assert r.status_code == 201
    row = HealthAssessment.objects.get(pk=r.json()["id"])
    assert (row.person_id, row.kind, row.assessed_by) == (child.pk, "initial", body["assessed_by"])


def test_care_leaver_contact(manager: User, alice: User, charlie: User, support: User) -> None:
    born = TODAY - relativedelta(years=19, days=20)
    young = looked_after(manager, person("Ruby", "Stone", born), born + relativedelta(years=16))
    lac.looked_after_end(actor=manager, person=young, ended_on=born + relativedelta(years=18), reason_ceased="E17")
    c = client_for(alice)
    path = f"/people/{young.pk}/care-leaver-contacts"
    body = {"contact_on": TODAY, "in_touch": "YES", "activity": "F1", "accommodation": "U1"}
    assert set(refused(c, path, {"contact_on": TODAY})) == {"in_touch", "activity", "accommodation"}
    errors = refused(c, path, {**body, "in_touch": "DIED"})
    assert set(errors) == {"activity"} and "select not applicable for activity and accommodation" in errors["activity"]
    access_answers(path, body, charlie, support)
    assert send(c, "/people/987654/care-leaver-contacts", body).status_code == 404
    assert not CareLeaverContact.objects.exists()
    r = send(c, path, body)
    assert r.status_code == 201
    contact = CareLeaverContact.objects.get(pk=r.json()["id"])
    assert (contact.person_id, contact.birthday, contact.accommodation) == (young.pk, 19, "U1")
    assert AuditEvent.objects.filter(object_type="careleavercontact", action="create", person_id=young.pk).exists()


def test_a_body_of_the_wrong_shape_is_422_and_saves_nothing(child: Person, alice: User) -> None:
    r = send(client_for(alice), f"/people/{child.pk}/missing-episodes", {"kind": "M", "started_on": "last Tuesday"})
    assert r.status_code == 422 and r.json()["errors"] == {"started_on": "Started on must be a date, like 2026-12-05"}
    assert not MissingEpisode.objects.exists()


def test_openapi_documents_every_looked_after_endpoint(alice: User) -> None:
    doc = client_for(alice).get("/api/v1/openapi.json").json()
    expected = {
        ("post", "/api/v1/cases/people/{person_id}/missing-episodes"),
        ("post", "/api/v1/cases/missing-episodes/{episode_id}/return"),
        ("put", "/api/v1/cases/people/{person_id}/uasc"),
        ("post", "/api/v1/cases/people/{person_id}/previous-permanence"),
        ("post", "/api/v1/cases/people/{person_id}/adoptions"),
        ("post", "/api/v1/cases/adoptions/{adoption_id}/milestones"),
        ("put", "/api/v1/cases/adoptions/{adoption_id}/adopters"),
        ("post", "/api/v1/cases/adoptions/{adoption_id}/reversal"),
        ("post", "/api/v1/cases/people/{person_id}/health-records"),
        ("post", "/api/v1/cases/people/{person_id}/health-assessments"),
        ("post", "/api/v1/cases/people/{person_id}/care-leaver-contacts"),
    }
    for method, path in expected:
        operation = doc["paths"][path][method]
        assert operation["summary"] and len(operation["description"]) > 80, path
        assert {"403", "404", "422"} <= set(operation["responses"]), path
        assert {"200", "201"} & set(operation["responses"]), path
    health = doc["paths"]["/api/v1/cases/people/{person_id}/health-records"]["post"]
    schema_ref = health["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    fields = doc["components"]["schemas"][schema_ref]["properties"]
    assert {"sdq_score", "sdq_reason", "teeth_check", "immunisations", "health_assessment"} <= set(fields)
