"""Pages of the person index: access for each persona, errors a user sees, audit of views, and query counts."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import client_for
from core.testing import assert_same_query_count, count_queries
from people import services
from people.models import Person, Relationship
from people.tests.factories import person
from recording import services as recording

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


@pytest.fixture
def child(alice):
    c = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    mum = person("Sarah", "Hughes", date(1988, 5, 2))
    services.relationship_create(
        actor=alice, person=mum, other=c, type="parent", parental_responsibility=True, lives_with=True
    )
    services.warning_add(actor=alice, person=c, type="dog", details="Large dog at the address")
    return c


def urls(child):
    return [
        reverse("people:search") + "?q=Amelia",
        reverse("people:detail", args=[child.pk]),
        reverse("people:create"),
        reverse("recording:case_note_add", args=[child.pk]),
        reverse("cases:visit_add", args=[child.pk]),
        reverse("people:access_log", args=[child.pk]),
    ]


def test_signed_out_visitors_are_sent_to_sign_in(child):
    for url in urls(child):
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("account_login")), url


def test_users_without_a_role_get_nothing(child, charlie):
    c = client_for(charlie)
    for url in urls(child):
        assert c.get(url).status_code == 403, url
    home = c.get(reverse("home"))
    assert b"You do not have a role" in home.content


def test_user_without_mfa_is_sent_to_set_it_up(team_a, db):
    from accounts.models import Role
    from conftest import make_user

    user = make_user("nomfa@example.test", team_a, Role.SOCIAL_WORKER, mfa=False)
    r = client_for(user).get(reverse("home"))
    assert r.status_code == 302 and r["Location"] == reverse("mfa_activate_totp")


def test_record_shows_who_they_are_and_the_view_is_audited(child, alice_client, alice):
    r = alice_client.get(reverse("people:detail", args=[child.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    for text in [
        "Amelia Hughes",
        "27 March 2015",
        "9434765919",
        "Dog at address",
        "Sarah Hughes",
        "parental responsibility",
    ]:
        assert text in html
    assert AuditEvent.objects.filter(action="view", person=child, actor=alice).count() == 1


def test_restricted_record_is_not_found_without_a_grant(alice_client):
    secret = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True)
    assert alice_client.get(reverse("people:detail", args=[secret.pk])).status_code == 404


def test_colleague_in_another_team_sees_an_ordinary_record(child, bob):
    assert client_for(bob).get(reverse("people:detail", args=[child.pk])).status_code == 200


def test_only_managers_see_who_viewed_a_record(child, alice_client, manager, alice):
    alice_client.get(reverse("people:detail", args=[child.pk]))
    assert alice_client.get(reverse("people:access_log", args=[child.pk])).status_code == 403
    r = client_for(manager).get(reverse("people:access_log", args=[child.pk]))
    assert r.status_code == 200
    assert alice.display_name in r.content.decode()


def test_chronology_is_newest_first_filterable_and_paginated(child, alice, alice_client):
    now = timezone.now()
    for i in range(30):
        recording.case_note_create(
            actor=alice, person=child, occurred_at=now - timedelta(days=i), subject=f"Note {i}", body="b"
        )
    recording.visit_record(
        actor=alice,
        person=child,
        occurred_at=now - timedelta(days=100),
        visit_type="home",
        child_seen=True,
        seen_alone=False,
        notes="v",
    )
    page1 = alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert page1.index("Note 0") < page1.index("Note 1<") if "Note 1<" in page1 else "Note 0" in page1
    assert "Note 29" not in page1 and "Page 1 of 2" in page1
    page2 = alice_client.get(reverse("people:detail", args=[child.pk]) + "?page=2").content.decode()
    assert "Note 29" in page2
    visits = alice_client.get(reverse("people:detail", args=[child.pk]) + "?type=visit").content.decode()
    assert "Home visit: child seen, not alone" in visits and "Note 0" not in visits
    ranged = alice_client.get(
        reverse("people:detail", args=[child.pk]) + f"?from={(now - timedelta(days=5)).date()}&to={now.date()}"
    ).content.decode()
    assert "Note 5" in ranged and "Note 6<" not in ranged and "Note 20" not in ranged


def _queries_for_record(client, pk):
    with count_queries() as queries:
        assert client.get(reverse("people:detail", args=[pk])).status_code == 200
    return queries


def test_record_page_queries_do_not_grow_with_history(child, alice, alice_client):
    now = timezone.now()
    recording.case_note_create(actor=alice, person=child, occurred_at=now, subject="First", body="b")
    base = _queries_for_record(alice_client, child.pk)
    for i in range(120):
        recording.case_note_create(
            actor=alice, person=child, occurred_at=now - timedelta(hours=i), subject=f"N{i}", body="b"
        )
    sib = person("Leo", "Hughes", date(2017, 1, 1))
    services.relationship_create(actor=alice, person=sib, other=child, type="sibling", lives_with=True)
    services.warning_add(actor=alice, person=child, type="lone_worker")
    assert_same_query_count(base, _queries_for_record(alice_client, child.pk))


def test_search_page_finds_misspelt_names(child, alice_client):
    r = alice_client.get(reverse("people:search"), {"q": "Amelia Hewes"})
    assert "Amelia Hughes" in r.content.decode()
    assert AuditEvent.objects.filter(action="search").exists()


def test_empty_search_shows_a_govuk_error(alice_client):
    r = alice_client.get(reverse("people:search"), {"q": " "})
    html = r.content.decode()
    assert "There is a problem" in html
    assert "Enter a name, NHS number, UPN, record number or postcode to search for" in html
    assert "govuk-form-group--error" in html


def post_person(client, **overrides):
    data = {
        "given_name": "Amelia",
        "family_name": "Hughes",
        "date_of_birth_0": "27",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2015",
        "sex": "F",
        "line1": "14 Mill Lane",
        "postcode": "LS1 1AA",
        **overrides,
    }
    return client.post(reverse("people:create"), data)


def test_adding_someone_who_may_be_known_shows_them_first(child, alice_client):
    r = post_person(alice_client, given_name="Amelia", family_name="Hughs")
    html = r.content.decode()
    assert r.status_code == 200 and "Check for duplicates" in html
    assert reverse("people:detail", args=[child.pk]) in html
    assert Person.objects.filter(family_name="Hughs").count() == 0
    # The user looked and decided it is someone else: the record is created and the pair kept for review.
    r = post_person(alice_client, given_name="Amelia", family_name="Hughs", confirm_new="1", considered=str(child.pk))
    created = Person.objects.get(family_name="Hughs")
    assert r.status_code == 302 and r["Location"] == reverse("people:detail", args=[created.pk])
    from people.models import DuplicateCandidate

    assert DuplicateCandidate.objects.filter(person=created, possible_match=child).exists()


def test_adding_a_new_person_with_no_match(alice_client):
    r = post_person(alice_client, given_name="Zebedee", family_name="Quartermaine")
    assert r.status_code == 302
    assert Person.objects.get(family_name="Quartermaine").current_postcode == "LS1 1AA"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "9434765918"}, "check digit"),
        ({"date_of_birth_2": str(date.today().year + 1)}, "Date of birth must be today or in the past"),
        ({"date_of_birth_1": "13"}, "Date of birth must be a real date"),
        ({"date_of_birth_1": ""}, "Date of birth must include a month"),
        ({"postcode": "NOT A CODE"}, "Enter a real postcode"),
    ],
)
def test_bad_input_gets_a_message_on_the_field_and_saves_nothing(alice_client, overrides, message):
    before = Person.objects.count()
    r = post_person(alice_client, given_name="Zebedee", family_name="Quartermaine", **overrides)
    html = r.content.decode()
    assert r.status_code == 200
    assert "There is a problem" in html and message in html and "govuk-error-message" in html
    assert Person.objects.count() == before


def test_add_case_note_from_the_record(child, alice_client):
    today = timezone.localdate() - timedelta(days=1)
    r = alice_client.post(
        reverse("recording:case_note_add", args=[child.pk]),
        {
            "note_type": "case_note",
            "day_0": today.day,
            "day_1": today.month,
            "day_2": today.year,
            "at": "09:15",
            "subject": "Visit planning",
            "body": "Spoke to mum about the next visit.",
        },
    )
    assert r.status_code == 302
    assert "Visit planning" in alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()


def test_business_support_records_letters_and_calls_but_not_visits(child, support):
    # Issue 9: the demo shows letters recorded by business support; the permissions table agrees.
    assert client_for(support).get(reverse("recording:case_note_add", args=[child.pk])).status_code == 200
    assert client_for(support).get(reverse("cases:visit_add", args=[child.pk])).status_code == 403


def test_a_person_cannot_be_chosen_as_their_own_relative(child, alice_client):
    url = reverse("people:relationship_add", args=[child.pk])
    r = alice_client.post(url, {"other": child.pk, "type": "sibling"})
    assert r.status_code == 302 and r["Location"] == url  # back to finding the other person
    r = alice_client.get(url, {"q": "Amelia Hughes"})
    assert f'name="other" value="{child.pk}"' not in r.content.decode()
    assert not Relationship.objects.filter(person=child, type="sibling").exists()


def test_changing_a_name_from_the_record_keeps_the_old_one(child, alice_client):
    data = {
        "given_name": "Amelia",
        "family_name": "Khan",
        "date_of_birth_0": "27",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2015",
        "sex": "U",
    }
    r = alice_client.post(reverse("people:edit", args=[child.pk]), data)
    assert r.status_code == 302
    html = alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Amelia Khan" in html and "Hughes" in html and "previous name" in html
    event = AuditEvent.objects.filter(person=child, action="update").get()
    assert event.changes["family_name"] == {"old": "Hughes", "new": "Khan"}


def test_death_before_birth_is_refused_on_the_field(child, alice_client):
    data = {
        "given_name": "Amelia",
        "family_name": "Hughes",
        "date_of_birth_0": "27",
        "date_of_birth_1": "3",
        "date_of_birth_2": "2015",
        "date_of_death_0": "1",
        "date_of_death_1": "1",
        "date_of_death_2": "2014",
        "sex": "F",
    }
    r = alice_client.post(reverse("people:edit", args=[child.pk]), data)
    assert "Date of death must be on or after the date of birth" in r.content.decode()
    assert Person.objects.get(pk=child.pk).date_of_death is None
