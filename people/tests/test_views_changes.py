"""The pages that change a person after they were created: identifiers, addresses, relationships found by search,
and the one search box. Each through the test client, as the user would, with the outsider and read-only roles."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from conftest import client_for, make_user
from people import services
from people.models import Person, Relationship
from people.tests.factories import hold, person
from people.validators import upn_check_letter
from returns.validate import Issue, where_to_fix

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

UPN = upn_check_letter("801200001001") + "801200001001"


@pytest.fixture
def child(alice):
    return person(
        "Amelia",
        "Hughes",
        date(2015, 3, 27),
        nhs_number="9434765919",
        address=services.AddressInput(line1="14 Mill Lane", postcode="LS1 1AA", lived_from=date(2020, 1, 1)),
    )


def page(client, url, **params):
    r = client.get(url, params)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def test_the_record_links_to_identifiers_and_addresses(child, alice_client):
    html = page(alice_client, reverse("people:detail", args=[child.pk]))
    assert reverse("people:identifiers", args=[child.pk]) in html
    assert reverse("people:address_add", args=[child.pk]) in html
    assert reverse("people:address_correct", args=[child.pk, child.addresses.get().pk]) in html


def test_a_upn_is_added_from_the_record(child, alice_client):
    url = reverse("people:identifier_add", args=[child.pk])
    assert 'value="upn" checked' in page(alice_client, url, type="upn")
    r = alice_client.post(url, {"type": "upn", "value": UPN.lower()})
    assert r.status_code == 302 and r["Location"] == reverse("people:identifiers", args=[child.pk])
    assert child.identifiers.filter(type="upn", value=UPN).exists()
    html = page(alice_client, reverse("people:detail", args=[child.pk]))
    assert "Unique pupil number" in html and UPN in html


def test_a_wrong_upn_gets_a_message_on_the_field_and_saves_nothing(child, alice_client):
    r = alice_client.post(reverse("people:identifier_add", args=[child.pk]), {"type": "upn", "value": "A12345"})
    html = r.content.decode()
    assert "There is a problem" in html and "Enter a UPN that is 13 characters" in html
    assert not child.identifiers.filter(type="upn").exists()


def test_an_nhs_number_is_corrected_and_ended(child, alice_client):
    ident = child.identifiers.get()
    correct = reverse("people:identifier_correct", args=[child.pk, ident.pk])
    assert "9434765919" in page(alice_client, correct)
    r = alice_client.post(correct, {"value": "401 023 2137", "reason": "Mistyped"})
    assert r.status_code == 302
    ident.refresh_from_db()
    assert ident.value == "4010232137"
    end = reverse("people:identifier_end", args=[child.pk, ident.pk])
    r = alice_client.post(end, {"reason": ""})
    assert "Enter why it no longer applies" in r.content.decode()
    alice_client.post(end, {"reason": "Recorded on the wrong child"})
    html = page(alice_client, reverse("people:identifiers", args=[child.pk]))
    assert "No longer used" in html and "Recorded on the wrong child" in html
    assert "4010232137" not in page(alice_client, reverse("people:detail", args=[child.pk]))
    assert alice_client.get(end).status_code == 404  # an ended identifier is not changed again


def test_a_new_address_and_a_correction(child, alice_client):
    r = alice_client.post(
        reverse("people:address_add", args=[child.pk]),
        {
            "line1": "2 High Street",
            "postcode": "ls2 7ey",
            "lived_from_0": "1",
            "lived_from_1": "2",
            "lived_from_2": "2025",
        },
    )
    assert r.status_code == 302
    old = child.addresses.get(line1="14 Mill Lane")
    assert old.lived_to == date(2025, 1, 31)
    correct = reverse("people:address_correct", args=[child.pk, old.pk])
    html = page(alice_client, correct)
    assert "Date they moved out" in html and 'value="14 Mill Lane"' in html
    r = alice_client.post(
        correct,
        {
            "line1": "41 Mill Lane",
            "postcode": "LS1 1AA",
            "lived_from_0": "1",
            "lived_from_1": "1",
            "lived_from_2": "2020",
            "lived_to_0": "31",
            "lived_to_1": "1",
            "lived_to_2": "2025",
        },
    )
    assert r.status_code == 302
    old.refresh_from_db()
    assert old.line1 == "41 Mill Lane"
    current = child.addresses.get(lived_to__isnull=True)
    assert "Date they moved out" not in page(
        alice_client, reverse("people:address_correct", args=[child.pk, current.pk])
    )


def test_an_address_without_a_move_in_date_is_refused(child, alice_client):
    r = alice_client.post(reverse("people:address_add", args=[child.pk]), {"line1": "2 High Street"})
    assert "Enter the date they moved in" in r.content.decode()
    assert child.addresses.count() == 1


def test_who_may_change_identifiers_and_addresses(child, bob, support, team_a, charlie):
    analyst = make_user("pat.analyst@example.test", team_a, Role.PERFORMANCE)
    iro = make_user("ira.iro@example.test", team_a, Role.INDEPENDENT_REVIEWING_OFFICER)
    add_upn = reverse("people:identifier_add", args=[child.pk])
    add_address = reverse("people:address_add", args=[child.pk])
    assert client_for(bob).get(add_upn).status_code == 403  # a colleague in another team, with no part in the case
    hold(child, bob.memberships.get().team)
    assert client_for(bob).get(add_upn).status_code == 200  # once their team holds it
    assert client_for(support).get(add_address).status_code == 200
    assert client_for(analyst).get(add_upn).status_code == 200  # the data quality list's link
    assert client_for(analyst).get(add_address).status_code == 403
    assert client_for(iro).get(add_upn).status_code == 403
    assert client_for(charlie).get(add_upn).status_code == 403
    hidden = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True)
    assert client_for(bob).get(reverse("people:identifier_add", args=[hidden.pk])).status_code == 404


def test_the_data_quality_link_for_a_missing_upn_lands_where_the_upn_is_added(child, team_a):
    analyst = make_user("pat.analyst@example.test", team_a, Role.PERFORMANCE)
    fix = where_to_fix(
        Issue(rule="8510", message="", child_id=str(child.pk), table="ChildIdentifiers", fields=("UPN",))
    )
    c = client_for(analyst)
    html = page(c, fix.url)
    assert "Add an identifier" in html and 'value="upn" checked' in html
    r = c.post(fix.url, {"type": "upn", "value": UPN})
    assert r.status_code == 302
    assert child.identifiers.filter(type="upn", value=UPN).exists()
    # With a UPN already recorded, the same link offers to correct it.
    html = page(c, fix.url)
    assert "already has a Unique pupil number" in html
    assert reverse("people:identifier_correct", args=[child.pk, child.identifiers.get(type="upn").pk]) in html


def test_a_relationship_is_added_by_searching_for_the_other_person(child, alice_client):
    mum = person("Sarah", "Hughes", date(1988, 5, 2))
    url = reverse("people:relationship_add", args=[child.pk])
    html = page(alice_client, url)
    assert "Find the other person" in html and "record number" not in html.lower().split("find the other person")[0]
    html = page(alice_client, url, q="Sara Hughs")  # a typo in each name
    assert f'name="other" value="{mum.pk}"' in html and "Choose" in html
    assert f'name="other" value="{child.pk}"' not in html
    html = page(alice_client, url, other=mum.pk)
    assert "What is Sarah Hughes to Amelia Hughes?" in html
    r = alice_client.post(url, {"other": mum.pk, "type": "parent", "parental_responsibility": "on", "lives_with": "on"})
    assert r.status_code == 302
    # "Sarah is Amelia's parent": on Amelia's record Sarah is her parent, with parental responsibility.
    rel = Relationship.objects.get(person=child, other=mum)
    assert (rel.type, rel.parental_responsibility) == ("parent", True)
    assert Relationship.objects.get(person=mum, other=child).type == "child"
    assert AuditEvent.objects.filter(action="search", context__kind="name").exists()


def test_a_relationship_search_by_nhs_number(child, alice_client):
    dad = person("Tom", "Hughes", date(1985, 1, 1), nhs_number="4010232137")
    html = page(alice_client, reverse("people:relationship_add", args=[child.pk]), q="401 023 2137")
    assert f'name="other" value="{dad.pk}"' in html


def test_an_implausible_relationship_is_refused_and_an_unusual_one_is_confirmed(child, alice_client):
    url = reverse("people:relationship_add", args=[child.pk])
    leo = person("Leo", "Hughes", date(2019, 1, 1))
    r = alice_client.post(url, {"other": leo.pk, "type": "parent"})
    html = r.content.decode()
    assert "There is a problem" in html and "A parent cannot be younger than their child" in html
    jade = person("Jade", "Hughes", date(2001, 1, 1))
    r = alice_client.post(url, {"other": jade.pk, "type": "parent"})
    html = r.content.decode()
    assert "Is Jade Hughes really Amelia Hughes&#x27;s parent?" in html
    assert 'name="confirm"' in html
    assert not Relationship.objects.exists()
    r = alice_client.post(url, {"other": jade.pk, "type": "parent", "confirm": "on"})
    assert r.status_code == 302
    assert Relationship.objects.filter(person=child, other=jade, type="parent").exists()


def test_a_new_person_is_added_from_the_relationship_page_and_comes_back(child, alice_client):
    url = reverse("people:relationship_add", args=[child.pk])
    html = page(alice_client, url, q="Nobody Likethis")
    create = reverse("people:create") + f"?relationship_for={child.pk}"
    assert create in html
    html = page(alice_client, create)
    assert f'name="relationship_for" value="{child.pk}"' in html
    r = alice_client.post(
        create,
        {
            "given_name": "Gwen",
            "family_name": "Parry",
            "sex": "F",
            "relationship_for": child.pk,
            "date_of_birth_0": "1",
            "date_of_birth_1": "1",
            "date_of_birth_2": "1960",
        },
    )
    gwen = Person.objects.get(family_name="Parry")
    assert r.status_code == 302 and r["Location"] == f"{url}?other={gwen.pk}"
    assert "What is Gwen Parry to Amelia Hughes?" in page(alice_client, r["Location"])


def test_the_search_page_takes_numbers_and_postcodes(child, alice_client):
    url = reverse("people:search")
    for q in ("943 476 5919", "ls1 1aa", str(child.pk)):
        html = page(alice_client, url, q=q)
        assert "Amelia Hughes" in html, q
        assert "not known on one side" not in html
    assert "Nobody you may see has the NHS number 401 023 2137" in page(alice_client, url, q="4010232137")
    assert "12 digits is not an NHS number" in page(alice_client, url, q="123456789012")


def test_the_api_search_takes_the_same_box(child, alice_client):
    r = alice_client.get("/api/v1/people/search", {"q": "943 476 5919"})
    assert r.status_code == 200 and r.json()[0]["id"] == child.pk
    assert alice_client.get("/api/v1/people/search", {"name": "LS1 1AA"}).json()[0]["id"] == child.pk
    assert alice_client.get("/api/v1/people/search", {"q": "12345678901"}).status_code == 422


def test_ages_read_as_people_say_them(alice, alice_client):
    today = timezone.localdate()
    baby = person("Ava", "Little", today - timedelta(days=310))
    html = page(alice_client, reverse("people:detail", args=[baby.pk]))
    assert "(10 months)" in html and "years)" not in html
    html = page(alice_client, reverse("people:search"), q="Ava Little")
    assert "(10 months)" in html
