"""Identifiers, addresses and relationships through the API: the same services and the same checks as the pages
(the record's relationship rule, Can.ADD_PEOPLE, Can.CHANGE_IDENTIFIERS), the same plain-English refusals, and an
Idempotency-Key header like every other POST."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from conftest import client_for, make_user
from people import services
from people.models import PersonAddress, PersonIdentifier, Relationship
from people.tests.factories import person
from people.validators import upn_check_letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

UPN = upn_check_letter("801200001001") + "801200001001"
API = "/api/v1/people"


@pytest.fixture
def child(alice):
    return person(
        "Amelia",
        "Hughes",
        date(2015, 3, 27),
        nhs_number="9434765919",
        address=services.AddressInput(line1="14 Mill Lane", postcode="LS1 1AA", lived_from=date(2020, 1, 1)),
    )


def post(client, url, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, json.dumps(body, default=str), content_type="application/json", headers=headers)


def changes():
    """Everything these endpoints could change, to show that a refusal changed nothing."""
    return (
        list(PersonIdentifier.objects.order_by("pk").values_list("type", "value", "ended_on")),
        list(PersonAddress.objects.order_by("pk").values_list("line1", "postcode", "lived_from", "lived_to")),
        Relationship.objects.count(),
        AuditEvent.objects.filter(action__in=["create", "update", "close"]).count(),
    )


def test_the_record_gives_the_ids_to_change(child, alice_client):
    got = alice_client.get(f"{API}/{child.pk}").json()
    nhs = PersonIdentifier.objects.get(person=child, type="nhs")
    assert {"id": nhs.pk, "type": "nhs", "value": "9434765919"} in got["identifiers"]
    assert got["addresses"][0]["id"] == PersonAddress.objects.get(person=child).pk


def test_a_upn_is_added_corrected_and_ended(child, alice_client):
    r = post(alice_client, f"{API}/{child.pk}/identifiers", {"type": "upn", "value": UPN.lower()}, key="upn-1")
    assert r.status_code == 201, r.content
    ident = PersonIdentifier.objects.get(pk=r.json()["id"])
    assert ident.value == UPN and ident.person == child
    again = post(alice_client, f"{API}/{child.pk}/identifiers", {"type": "upn", "value": UPN.lower()}, key="upn-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == r.json()
    assert PersonIdentifier.objects.filter(person=child, type="upn").count() == 1

    nhs = PersonIdentifier.objects.get(person=child, type="nhs")
    fixed = post(
        alice_client, f"{API}/{child.pk}/identifiers/{nhs.pk}/corrections", {"value": "401 023 2137", "reason": "Typo"}
    )
    assert fixed.status_code == 200 and fixed.json() == {"id": nhs.pk}
    nhs.refresh_from_db()
    assert nhs.value == "4010232137"
    ended = post(alice_client, f"{API}/{child.pk}/identifiers/{ident.pk}/end", {"reason": "The school replaced it"})
    assert ended.status_code == 200
    ident.refresh_from_db()
    assert ident.ended_on == timezone.localdate() and ident.end_reason == "The school replaced it"
    # An ended identifier is no longer there to change.
    assert post(alice_client, f"{API}/{child.pk}/identifiers/{ident.pk}/end", {"reason": "x"}).status_code == 404
    assert set(AuditEvent.objects.filter(object_type="person_identifier").values_list("action", flat=True)) == {
        "create",
        "update",
        "close",
    }


def test_bad_identifiers_get_a_message_per_field_and_change_nothing(child, alice_client):
    nhs = PersonIdentifier.objects.get(person=child, type="nhs")
    before = changes()
    cases = [
        (f"{API}/{child.pk}/identifiers", {"type": "upn", "value": "A12345"}, "value"),
        (f"{API}/{child.pk}/identifiers", {"type": "nhs", "value": "401 023 2137"}, "value"),  # a second NHS number
        (f"{API}/{child.pk}/identifiers", {"type": "shoe_size", "value": "9"}, "type"),
        (f"{API}/{child.pk}/identifiers/{nhs.pk}/corrections", {"value": "1234567890"}, "value"),
        (f"{API}/{child.pk}/identifiers/{nhs.pk}/end", {"reason": " "}, "reason"),
        (f"{API}/{child.pk}/identifiers/{nhs.pk}/end", {"reason": "Gone", "ended_on": date(2099, 1, 1)}, "ended_on"),
    ]
    for url, body, field in cases:
        r = post(alice_client, url, body, key=f"k-{field}-{len(url)}")
        assert r.status_code == 422, (url, body, r.content)
        message = r.json()["errors"][field]
        assert message and "This field" not in message and "_" not in message, message
    second = post(alice_client, f"{API}/{child.pk}/identifiers", {"type": "nhs", "value": "401 023 2137"})
    assert "Amelia Hughes already has a NHS number (9434765919)" in second.json()["errors"]["value"]
    assert changes() == before


def test_an_address_is_added_and_corrected(child, alice_client):
    old = PersonAddress.objects.get(person=child)
    moved = timezone.localdate() - timedelta(days=10)
    r = post(
        alice_client,
        f"{API}/{child.pk}/addresses",
        {"line1": "2 New Street", "town": "Leeds", "postcode": "ls2 7aa", "lived_from": moved},
    )
    assert r.status_code == 201, r.content
    new = PersonAddress.objects.get(pk=r.json()["id"])
    old.refresh_from_db()
    assert new.postcode == "LS2 7AA" and new.lived_to is None and old.lived_to == moved - timedelta(days=1)
    child.refresh_from_db()
    assert child.current_postcode == "LS2 7AA"
    fixed = post(
        alice_client,
        f"{API}/{child.pk}/addresses/{new.pk}/corrections",
        {"line1": "12 New Street", "town": "Leeds", "postcode": "LS2 7AA", "lived_from": moved},
    )
    assert fixed.status_code == 200
    new.refresh_from_db()
    assert new.line1 == "12 New Street"
    assert AuditEvent.objects.filter(object_type="person_address", action="update", object_id=str(new.pk)).exists()


def test_bad_addresses_get_a_message_per_field_and_change_nothing(child, alice_client):
    old = PersonAddress.objects.get(person=child)
    before = changes()
    cases = [
        (f"{API}/{child.pk}/addresses", {"line1": " ", "postcode": "LS1 1AA"}, "line1"),
        (f"{API}/{child.pk}/addresses", {"line1": "x" * 121, "postcode": "LS1 1AA"}, "line1"),
        (f"{API}/{child.pk}/addresses", {"line1": "1 Road", "postcode": "NOT A CODE"}, "postcode"),
        (f"{API}/{child.pk}/addresses", {"line1": "1 Road", "lived_from": date(2099, 1, 1)}, "lived_from"),
        (f"{API}/{child.pk}/addresses/{old.pk}/corrections", {"line1": "14 Mill Lane", "town": "t" * 81}, "town"),
    ]
    for url, body, field in cases:
        r = post(alice_client, url, body)
        assert r.status_code == 422, (url, body, r.content)
        assert r.json()["errors"][field], r.json()
    nothing = post(
        alice_client,
        f"{API}/{child.pk}/addresses/{old.pk}/corrections",
        {"line1": "14 Mill Lane", "postcode": "LS1 1AA", "lived_from": date(2020, 1, 1)},
    )
    assert nothing.status_code == 422 and "Nothing was changed" in nothing.json()["errors"]["__all__"]
    assert changes() == before


def test_a_relationship_is_added_and_an_unusual_one_asks_first(child, alice_client):
    sarah = person("Sarah", "Hughes", date(1988, 5, 1))
    r = post(
        alice_client,
        f"{API}/{child.pk}/relationships",
        {"other_id": sarah.pk, "type": "parent", "parental_responsibility": True, "lives_with": True},
        key="rel-1",
    )
    assert r.status_code == 201, r.content
    rel = Relationship.objects.get(pk=r.json()["id"])
    # "Sarah is parent of Amelia": on Amelia's record, Sarah is her parent, with parental responsibility.
    assert (rel.person, rel.other, rel.type, rel.parental_responsibility) == (child, sarah, "parent", True)
    assert Relationship.objects.filter(person=sarah, other=child, type="child").exists()
    listed = alice_client.get(f"{API}/{child.pk}").json()["relationships"]
    assert [(x["other_id"], x["type"]) for x in listed] == [(sarah.pk, "parent")]

    leo = person("Leo", "Hughes", date(2019, 1, 1))
    jade = person("Jade", "Hughes", date(2001, 1, 1))
    before = changes()
    impossible = post(alice_client, f"{API}/{child.pk}/relationships", {"other_id": leo.pk, "type": "parent"})
    assert impossible.status_code == 422
    assert "A parent cannot be younger than their child" in " ".join(impossible.json()["errors"].values())
    assert impossible.json()["questions"] == []
    asked = post(alice_client, f"{API}/{child.pk}/relationships", {"other_id": jade.pk, "type": "parent"}, key="j")
    assert asked.status_code == 422
    body = asked.json()
    assert body["questions"] and "Is Jade Hughes really Amelia Hughes's parent?" in body["questions"][0]
    assert body["errors"]["confirmed"] == " ".join(body["questions"])
    assert changes() == before and before[2] == 2  # nothing recorded yet
    confirmed = post(
        alice_client, f"{API}/{child.pk}/relationships", {"other_id": jade.pk, "type": "parent", "confirmed": True}, "j"
    )
    assert confirmed.status_code == 201  # the key given back after the question, so the same key may confirm
    event = AuditEvent.objects.filter(object_type="relationship", person=child).latest("pk")
    assert event.changes["confirmed"] == body["questions"]


def test_bad_relationships_get_a_message_per_field(child, alice_client, team_b):
    stranger = person("Kim", "Other", date(1980, 1, 1), held_by=team_b)  # not visible to alice
    before = changes()
    cases = [
        ({"other_id": stranger.pk, "type": "parent"}, "other_id"),
        ({"other_id": 987654, "type": "parent"}, "other_id"),
        ({"other_id": child.pk, "type": "sibling"}, "other_id"),
        ({"other_id": person("Sam", "Hughes", date(2016, 1, 1)).pk, "type": "cousin"}, "type"),
        (
            {
                "other_id": person("Ben", "Hughes", date(2016, 2, 1)).pk,
                "type": "sibling",
                "parental_responsibility": True,
            },
            "parental_responsibility",
        ),
    ]
    for body, field in cases:
        r = post(alice_client, f"{API}/{child.pk}/relationships", body)
        assert r.status_code == 422, (body, r.content)
        assert r.json()["errors"][field], r.json()
    assert changes()[0:3] == before[0:3]


def test_who_may_change_through_the_api_is_who_may_on_the_pages(child, bob, support, team_a, charlie):
    analyst = make_user("pat.analyst@example.test", team_a, Role.PERFORMANCE)
    iro = make_user("ira.iro@example.test", team_a, Role.INDEPENDENT_REVIEWING_OFFICER)
    nhs = PersonIdentifier.objects.get(person=child, type="nhs")
    address = PersonAddress.objects.get(person=child)
    sarah = person("Sarah", "Hughes", date(1988, 5, 1))
    requests = {
        "identifier": (f"{API}/{child.pk}/identifiers", {"type": "upn", "value": UPN}),
        "identifier correction": (f"{API}/{child.pk}/identifiers/{nhs.pk}/corrections", {"value": "4010232137"}),
        "identifier end": (f"{API}/{child.pk}/identifiers/{nhs.pk}/end", {"reason": "Wrong person"}),
        "address": (f"{API}/{child.pk}/addresses", {"line1": "2 New Street", "postcode": "LS2 7AA"}),
        "address correction": (f"{API}/{child.pk}/addresses/{address.pk}/corrections", {"line1": "15 Mill Lane"}),
        "relationship": (f"{API}/{child.pk}/relationships", {"other_id": sarah.pk, "type": "parent"}),
    }
    identifiers = {"identifier", "identifier correction", "identifier end"}
    before = changes()
    for user, allowed in (
        (bob, set()),  # another team's social worker, with no part in the case
        (charlie, set()),  # no role
        (iro, set()),  # reads; changes neither
        (analyst, identifiers),  # puts identifiers right for data quality; not addresses or relationships
    ):
        c = client_for(user)
        for name, (url, body) in requests.items():
            if name in allowed:
                continue
            r = post(c, url, body)
            assert r.status_code == 403, (user.email, name, r.status_code)
            assert r.json()["detail"], (user.email, name)
    assert changes() == before
    no_part = post(client_for(bob), *requests["address"])
    assert (
        no_part.json()["detail"] == "You have no part in this person's case. Open their record to see who to contact."
    )
    assert post(client_for(iro), *requests["identifier"]).json()["detail"] == "Your role cannot change identifiers"
    # Business support adds addresses and relationships; the analyst corrects the NHS number.
    assert post(client_for(support), *requests["relationship"]).status_code == 201
    assert post(client_for(support), *requests["address"]).status_code == 201
    assert post(client_for(analyst), *requests["identifier correction"]).status_code == 200
    hidden = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True)
    assert post(client_for(support), f"{API}/{hidden.pk}/addresses", {"line1": "1 Road"}).status_code == 404


def test_the_openapi_documents_the_endpoints_and_their_errors(alice_client):
    schema = alice_client.get("/api/v1/openapi.json").json()
    for path, code in (
        ("/api/v1/people/{person_id}/identifiers", "201"),
        ("/api/v1/people/{person_id}/identifiers/{identifier_id}/corrections", "200"),
        ("/api/v1/people/{person_id}/identifiers/{identifier_id}/end", "200"),
        ("/api/v1/people/{person_id}/addresses", "201"),
        ("/api/v1/people/{person_id}/addresses/{address_id}/corrections", "200"),
        ("/api/v1/people/{person_id}/relationships", "201"),
    ):
        op = schema["paths"][path]["post"]
        assert {code, "401", "403", "404", "422"} <= set(op["responses"]), path
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"]), path
    rel = schema["paths"]["/api/v1/people/{person_id}/relationships"]["post"]
    assert "questions" in json.dumps(rel["responses"]["422"]) or "RelationshipErrorsOut" in json.dumps(rel)


def test_the_performance_team_puts_identifiers_right_on_a_record_they_may_only_find(team_a, team_b):
    """As on the identifiers pages: the data quality list sends them to records their team has no part in."""
    analyst = make_user("pat.analyst@example.test", team_a, Role.PERFORMANCE)
    elsewhere = person("Kim", "Other", date(2014, 1, 1), held_by=team_b)
    r = post(client_for(analyst), f"{API}/{elsewhere.pk}/identifiers", {"type": "upn", "value": UPN})
    assert r.status_code == 201, r.content
    address = post(client_for(analyst), f"{API}/{elsewhere.pk}/addresses", {"line1": "1 Road"})
    assert address.status_code == 403
