"""The JSON API applies the same access rules and services as the pages."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from conftest import client_for
from people.models import Person
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")


def endpoints(child):
    return [
        ("get", "/api/v1/people/search?name=Amelia", None),
        ("get", f"/api/v1/people/{child.pk}", None),
        ("get", f"/api/v1/people/{child.pk}/chronology", None),
        ("post", "/api/v1/people", {"given_name": "A", "family_name": "B"}),
        (
            "post",
            f"/api/v1/people/{child.pk}/case-notes",
            {"occurred_at": timezone.now().isoformat(), "subject": "s", "body": "b"},
        ),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return client.post(url, json.dumps(body), content_type="application/json")


def test_signed_out_callers_get_401(child):
    for method, url, body in endpoints(child):
        assert call(Client(), method, url, body).status_code == 401, url


def test_callers_without_a_role_get_403(child, charlie):
    c = client_for(charlie)
    for method, url, body in endpoints(child):
        assert call(c, method, url, body).status_code == 403, url


def test_search_returns_ranked_matches_with_identifiers(child, alice_client):
    r = alice_client.get("/api/v1/people/search", {"name": "Amelia Hewes", "dob": "2015-03-27"})
    assert r.status_code == 200
    first = r.json()[0]
    assert first["id"] == child.pk and first["nhs_number"] == "9434765919"
    assert {"type": "nhs", "value": "9434765919"} in first["identifiers"]


def test_empty_search_is_refused(alice_client):
    assert alice_client.get("/api/v1/people/search", {"name": ""}).status_code == 422


def test_record_read_is_audited(child, alice_client, alice):
    r = alice_client.get(f"/api/v1/people/{child.pk}")
    assert r.json()["family_name"] == "Hughes"
    assert AuditEvent.objects.filter(action="view", person=child, actor=alice).exists()


def test_restricted_record_is_404(alice_client):
    secret = person("Jordan", "Blake", is_restricted=True)
    assert alice_client.get(f"/api/v1/people/{secret.pk}").status_code == 404


def test_case_note_then_chronology(child, alice_client):
    when = (timezone.now() - timedelta(hours=1)).isoformat()
    r = call(
        alice_client,
        "post",
        f"/api/v1/people/{child.pk}/case-notes",
        {"occurred_at": when, "subject": "Called school", "body": "OK"},
    )
    assert r.status_code == 201
    chron = alice_client.get(f"/api/v1/people/{child.pk}/chronology").json()
    assert chron["count"] == 1 and chron["entries"][0]["title"] == "Called school"


def test_bad_case_note_gets_field_errors_and_saves_nothing(child, alice_client):
    r = call(
        alice_client,
        "post",
        f"/api/v1/people/{child.pk}/case-notes",
        {"occurred_at": timezone.now().isoformat(), "subject": "", "body": ""},
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"subject", "body"}


def test_create_warns_of_duplicates_unless_confirmed(child, alice_client):
    body = {"given_name": "Amelia", "family_name": "Hughs", "date_of_birth": "2015-03-27"}
    r = call(alice_client, "post", "/api/v1/people", body)
    assert r.status_code == 409
    assert r.json()["possible_duplicates"][0]["id"] == child.pk
    assert not Person.objects.filter(family_name="Hughs").exists()
    r = call(alice_client, "post", "/api/v1/people", {**body, "confirm_new": True})
    assert r.status_code == 201


def test_create_with_bad_nhs_number_is_422(alice_client):
    r = call(
        alice_client, "post", "/api/v1/people", {"given_name": "Zed", "family_name": "Quux", "nhs_number": "1234567890"}
    )
    assert r.status_code == 422 and "nhs_number" in r.json()["errors"]


def test_openapi_schema_is_published(alice_client):
    schema = alice_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people/search" in schema["paths"]
