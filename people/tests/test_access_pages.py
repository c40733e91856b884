"""The access pages as their users meet them (issue 10's walk): what a closed record says, who reviews a referred
break-glass, what managers are told, the administrators' record search, "why could she see this?" in words, and
information governance's home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role, Team
from audit.models import AuditAction, AuditEvent
from cases import services as cs
from conftest import client_for, make_user
from people import access_services
from people.models import BreakGlass, BreakGlassReview, DeclaredConflict
from people.tests.factories import grant, person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def case(alice, manager, team_a):
    """A child referred to team A and allocated to Alice."""
    child = person()
    cs.referral_create(
        actor=manager, person=child, referral_date=TODAY - timedelta(days=20), source="2A", primary_need="N1",
        team=team_a,
    )  # fmt: skip
    cs.allocate(actor=manager, person=child, worker=alice, started_on=TODAY - timedelta(days=19), reason="New")
    return child


@pytest.fixture
def governance(db):
    return make_user("ian.ig@example.test", Team.objects.create(name="Governance"), Role.INFORMATION_GOVERNANCE)


@pytest.fixture
def admin(db):
    return make_user("ada.admin@example.test", Team.objects.create(name="Systems"), Role.ADMINISTRATOR)


def test_once_declared_every_page_of_the_record_says_only_that_it_is_closed(case, alice):
    access_services.conflict_declare(actor=alice, person=case, connection="My neighbour's child")
    c = client_for(alice)
    for name in ("people:detail", "people:break_glass", "people:conflict_declare"):
        page = c.get(reverse(name, args=[case.pk]))
        html = page.content.decode()
        assert page.status_code == 403 and "This record is closed to you" in html, name
        assert "Amelia" not in html and "Hughes" not in html, name
    # Declaring again changes nothing.
    c.post(reverse("people:conflict_declare", args=[case.pk]), {"connection": "Again"})
    assert DeclaredConflict.objects.filter(user=alice, person=case).count() == 1


def test_the_holding_teams_manager_is_told_when_its_worker_declares_a_conflict_but_not_how_they_know_them(
    case, alice, bob, manager
):
    access_services.conflict_declare(actor=alice, person=case, connection="Her mother is my sister")
    told = Notification.objects.get(user=manager)
    assert "Alice Tester" in told.subject and "Amelia Hughes" in told.body and "sister" not in told.body
    assert told.url == reverse("people:detail", args=[case.pk])
    # Someone with no part in the case declaring it changes nothing for the team.
    access_services.conflict_declare(actor=bob, person=case, connection="A friend's child")
    assert Notification.objects.filter(user=manager).count() == 1


def test_breaking_the_glass_into_a_record_you_can_see_only_says_so(case, alice):
    page = client_for(alice).get(reverse("people:break_glass", args=[case.pk]), follow=True)
    assert "You can already see this record" in page.content.decode()
    assert not BreakGlass.objects.exists()


def test_the_notification_says_when_in_words_and_reviewing_it_marks_it_read(case, bob, manager):
    glass = access_services.break_glass_open(actor=bob, person=case, reason="duty", details="A police call")
    note = Notification.objects.get(user=manager)
    started = timezone.localtime(glass.started_at)
    assert f"on {started.day} {started:%B %Y} at {started:%H:%M}" in note.body
    assert "Duty or out of hours enquiry" in note.body
    client_for(manager).post(reverse("people:break_glass_review", args=[glass.pk]), {"outcome": "justified"})
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_referred_break_glass_is_information_governances_to_close(case, bob, manager, governance):
    glass = access_services.break_glass_open(actor=bob, person=case, reason="other", details="Curious")
    access_services.break_glass_review(actor=manager, glass=glass, outcome="referred", notes="No reason to look")
    # The manager who referred it cannot take it back.
    with pytest.raises(PermissionDenied):
        access_services.break_glass_review(actor=manager, glass=glass, outcome="justified", notes="")
    page = client_for(manager).get(reverse("people:break_glass_review", args=[glass.pk])).content.decode()
    assert "they review it now" in page and "Record the review" not in page
    # Information governance closes it.
    page = client_for(governance).get(reverse("people:break_glass_review", args=[glass.pk])).content.decode()
    assert "Mark it justified" in page
    client_for(governance).post(
        reverse("people:break_glass_review", args=[glass.pk]), {"outcome": "justified", "notes": "On duty after all"}
    )
    glass.refresh_from_db()
    assert glass.review == BreakGlassReview.JUSTIFIED and glass.reviewed_by == governance


def test_information_governance_has_its_own_home_and_a_social_worker_finds_a_person(case, bob, governance):
    access_services.break_glass_open(actor=bob, person=case, reason="duty", details="A police call")
    home = client_for(governance).get("/").content.decode()
    assert "Information governance" in home and "1 break-glass use waiting for review" in home
    assert reverse("people:explain") in home
    assert "Find a person" in client_for(bob).get("/").content.decode()


def test_why_could_they_see_it_says_so_in_words_for_each_basis(case, alice, bob, manager, governance, team_a):
    def answer(email: str, record: int) -> str:
        page = client_for(governance).get(reverse("people:explain"), {"email": email, "person": record})
        return page.content.decode()

    allocated = answer(alice.email, case.pk)
    assert "Alice Tester is the allocated worker" in allocated and "Alice Tester is in Team A" in allocated
    assert "Mo Tester is in Team A, which holds the case" in answer(manager.email, case.pk)
    access_services.break_glass_open(actor=bob, person=case, reason="court", details="A solicitor asked")
    broke = answer(bob.email, case.pk)
    assert "Bob Tester opened the record by break-glass on" in broke and "Court or legal" in broke
    assert "Not needed: they can see the record" in broke and "Opened by break-glass" in broke  # their views
    secret = person("Sam", "Secret", is_restricted=True)
    grant(secret, bob, reason="Adoption worker for Sam")
    assert "access on" in answer(bob.email, secret.pk) and "Adoption worker for Sam" in answer(bob.email, secret.pk)
    nobody = answer(governance.email, case.pk)
    assert "no legitimate relationship" in nobody and "They may open it by break-glass" in nobody
    wrong = answer("nobody@example.test", 99999)
    assert "No user has this email address" in wrong and "No record has this number" in wrong


def test_administrators_find_any_record_to_grant_access_even_a_restricted_one(admin, bob):
    secret = person("Sam", "Secret", is_restricted=True)
    page = client_for(admin).get(reverse("people:access_admin"), {"q": "Sam Secret"}).content.decode()
    assert "Sam Secret" in page and "Restricted" in page and reverse("people:grant_add", args=[secret.pk]) in page
    searched = AuditEvent.objects.get(actor=admin, action=AuditAction.SEARCH, object_type="access_admin_search")
    assert searched.context["people"] == [secret.pk]
    assert "Enter a name" in client_for(admin).get(reverse("people:access_admin"), {"q": ""}).content.decode()
    assert client_for(bob).get(reverse("people:access_admin"), {"q": "Sam Secret"}).status_code == 403
    # The record page offers administrators the same.
    held = person("Amelia", "Hughes", held_by=admin)
    record = client_for(admin).get(reverse("people:detail", args=[held.pk])).content.decode()
    assert reverse("people:grant_add", args=[held.pk]) in record
    assert (
        reverse("people:grant_add", args=[held.pk])
        not in client_for(bob).get(reverse("people:detail", args=[held.pk])).content.decode()
    )


def test_recording_a_conflict_for_a_user_chooses_nobody_for_the_administrator(admin, bob):
    secret = person("Sam", "Secret", is_restricted=True)
    url = reverse("people:conflict_record", args=[secret.pk])
    refused = client_for(admin).post(url, {"connection": "A relative"}).content.decode()
    assert "Choose the user who knows this person" in refused and not DeclaredConflict.objects.exists()
    client_for(admin).post(url, {"user": bob.pk, "connection": "A relative"})
    assert DeclaredConflict.objects.get().user == bob


def test_the_administration_index_links_to_access_to_records(admin):
    assert reverse("people:access_admin") in client_for(admin).get(reverse("administration:index")).content.decode()
