"""Access by legitimate relationship (issue 10): who sees a child's full record, who sees the minimal summary,
break-glass, declared conflicts, grants, and `casework access explain`. One module decides (accounts.access); these
tests use the services and pages as users would."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import AccessSettings, Notification, Role, Team, TeamKind
from audit.models import AuditAction, AuditEvent
from cases import services as cs
from cases.models import CINEpisode
from conftest import client_for, make_user
from core.errors import RuleError
from people import access_services
from people.models import BreakGlass, BreakGlassReview, Involvement, WarningType
from people.services import relationship_create, warning_add
from people.tests.factories import grant, person
from recording import services as rec

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()


def held_child(manager, worker, team, **kw):
    """A child referred to `team` and allocated to `worker`, with a case note that tells the story."""
    child = person(**kw)
    cs.referral_create(
        actor=manager, person=child, referral_date=TODAY - timedelta(days=20), source="2A", primary_need="N1", team=team
    )
    cs.allocate(actor=manager, person=child, worker=worker, started_on=TODAY - timedelta(days=19), reason="New")
    rec.case_note_create(
        actor=worker, person=child, occurred_at=NOW - timedelta(days=1), subject="Home visit", body="Disclosed abuse."
    )
    return child


@pytest.fixture
def case(alice, manager, team_a):
    return held_child(manager, alice, team_a)


def full(user, child):
    """As a new request would see it (access memoises on the request's user)."""
    return access.can_view_person(type(user).objects.get(pk=user.pk), child)


def test_the_allocated_worker_and_the_holding_team_see_the_record_and_another_team_sees_a_summary(
    case, alice, manager, bob
):
    assert full(alice, case) and full(manager, case)
    assert not full(bob, case)
    page = client_for(bob).get(reverse("people:detail", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Summary only" in html
    assert "Disclosed abuse" not in html and "Home visit" not in html  # nothing of the story
    assert "Alice Tester" in html  # who to contact: the allocated worker
    # Every page under the record refuses, not only the record page.
    assert client_for(bob).get(reverse("recording:case_note_add", args=[case.pk])).status_code == 403
    assert client_for(bob).get(f"/api/v1/people/{case.pk}").status_code in (403, 404)
    assert AuditEvent.objects.filter(
        actor=bob, person_id=case.pk, action=AuditAction.VIEW, context__section="minimal summary"
    ).exists()


def test_the_summary_shows_warnings_that_protect_staff(case, bob):
    warning_add(actor=None, person=case, type=WarningType.LONE_WORKER, details="Do not visit alone", review_on=None)
    html = client_for(bob).get(reverse("people:detail", args=[case.pk])).content.decode()
    assert "Risk to lone workers" in html and "Do not visit alone" in html


def test_search_marks_records_a_user_may_only_see_the_summary_of(case, alice, bob):
    r = client_for(bob).get(reverse("people:search"), {"q": "Amelia Hughes"})
    html = r.content.decode()
    assert "Amelia" in html and "Summary only" in html
    r = client_for(alice).get(reverse("people:search"), {"q": "Amelia Hughes"})
    assert "Summary only" not in r.content.decode()


def test_an_allocation_that_ends_keeps_the_worker_in_for_the_grace_period_only(case, alice, manager, team_a):
    other = make_user("olu.worker@example.test", team_a, Role.SOCIAL_WORKER)
    cs.allocate(
        actor=manager,
        person=case,
        worker=other,
        started_on=TODAY - timedelta(days=2),
        reason="Caseload",
        change_reason="LEFTRL",
    )
    assert full(other, case)
    row = Involvement.objects.get(person=case, user=alice, basis="allocated")
    assert row.ended_at is not None
    assert access.explain(alice, case).basis in ("allocated", "team")
    # Out of team A and past the grace period: nothing left.
    alice.memberships.update(started_on=TODAY - timedelta(days=100), ended_on=TODAY - timedelta(days=1))
    alice = type(alice).objects.get(pk=alice.pk)
    assert access.explain(alice, case).allowed is False or access.explain(alice, case).basis == "allocated"
    Involvement.objects.filter(pk=row.pk).update(ended_at=NOW - timedelta(days=31))
    alice = type(alice).objects.get(pk=alice.pk)
    assert not full(alice, case)


def test_a_closed_case_stays_with_the_last_team_for_the_configured_period(case, manager, alice, team_a):
    episode = CINEpisode.objects.get(person=case)
    cs.episode_close(actor=manager, episode=episode, closure_date=TODAY, reason="RC8")
    assert full(manager, case)  # within last_team_days
    Involvement.objects.filter(person=case, basis="team").update(ended_at=NOW - timedelta(days=91))
    Involvement.objects.filter(person=case, basis="allocated").update(ended_at=NOW - timedelta(days=91))
    manager = type(manager).objects.get(pk=manager.pk)
    assert not full(manager, case)
    AccessSettings.objects.filter(pk=1).update(last_team_days=120)
    manager = type(manager).objects.get(pk=manager.pk)
    assert full(manager, case)


def test_a_case_moved_to_another_team_leaves_the_old_team_at_once(case, manager, team_b, bob):
    b_manager = make_user("bea.manager@example.test", team_b, Role.TEAM_MANAGER)
    cs.allocate(
        actor=b_manager,
        person=case,
        worker=bob,
        started_on=TODAY - timedelta(days=1),
        reason="Moved",
        change_reason="LEFTRL",
    )
    assert full(bob, case) and full(b_manager, case)
    old_team = Involvement.objects.get(person=case, team__name="Team A", source__startswith="allocation")
    assert old_team.superseded


def test_the_family_of_a_held_child_is_open_to_the_childs_worker(case, alice, bob):
    mother = person("Mary", "Hughes", date(1990, 1, 1))
    assert not full(alice, mother)
    relationship_create(actor=None, person=mother, other=case, type="parent", parental_responsibility=True)
    alice = type(alice).objects.get(pk=alice.pk)
    assert full(alice, mother)
    assert "through a relative" in access.explain(alice, mother).reason
    assert not full(bob, mother)


def test_the_front_door_sees_a_child_while_a_contact_awaits_a_decision(support, manager):
    front_door = Team.objects.create(name="Front door", kind=TeamKind.FRONT_DOOR)
    duty = make_user("dee.duty@example.test", front_door, Role.SOCIAL_WORKER)
    child = person("Zara", "Ali", date(2016, 5, 5))
    assert not full(duty, child)
    contact = cs.contact_record(
        actor=support, person=child, received_at=NOW - timedelta(hours=2), source="1B", concern="School worried"
    )
    assert full(duty, child) and access.explain(duty, child).basis == "front_door"
    assert full(support, child)  # who recorded it
    cs.contact_decide(actor=manager, contact=contact, decision="nfa", reason="Universal services")
    duty = type(duty).objects.get(pk=duty.pk)
    assert not full(duty, child)


def test_the_reviewing_officer_who_chairs_sees_the_child_and_finds_them_in_my_reviews(case, manager, team_b):
    iro = make_user("ira.iro@example.test", team_b, Role.INDEPENDENT_REVIEWING_OFFICER)
    other_iro = make_user("ola.iro@example.test", team_b, Role.INDEPENDENT_REVIEWING_OFFICER)
    assert not full(iro, case)
    cs.reviewing_officer_assign(actor=manager, person=case, officer=iro, started_on=TODAY)
    assert full(iro, case) and access.explain(iro, case).basis == "reviewing_officer"
    assert not full(other_iro, case)
    with pytest.raises(RuleError):
        cs.reviewing_officer_assign(actor=manager, person=case, officer=manager, started_on=TODAY)


def test_break_glass_needs_a_reason_opens_for_a_while_tells_the_manager_and_is_reviewed(case, bob, manager):
    url = reverse("people:break_glass", args=[case.pk])
    c = client_for(bob)
    refused = c.post(url, {"reason": "", "details": ""})
    assert "Select why you need to open this record" in refused.content.decode()
    assert not BreakGlass.objects.exists()
    r = c.post(url, {"reason": "duty", "details": "Police call at 2am about the child"})
    assert r.status_code == 302
    bob = type(bob).objects.get(pk=bob.pk)
    assert full(bob, case) and access.explain(bob, case).basis == "break_glass"
    glass = BreakGlass.objects.get()
    assert glass.ends_at - glass.started_at == timedelta(hours=4)
    assert AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS, actor=bob, person_id=case.pk).exists()
    note = Notification.objects.get(user=manager)
    assert "break-glass" in note.subject and "Police call" in note.body
    # The manager reviews it; bob cannot review his own.
    with pytest.raises(PermissionDenied):
        access_services.break_glass_review(actor=bob, glass=glass, outcome="justified", notes="")
    listed = client_for(manager).get(reverse("people:break_glass_list")).content.decode()
    assert "Bob Tester" in listed
    client_for(manager).post(reverse("people:break_glass_review", args=[glass.pk]), {"outcome": "justified"})
    glass.refresh_from_db()
    assert glass.review == BreakGlassReview.JUSTIFIED and glass.reviewed_by == manager
    # It expires.
    Involvement.objects.filter(basis="break_glass").update(ended_at=NOW - timedelta(minutes=1))
    bob = type(bob).objects.get(pk=bob.pk)
    assert not full(bob, case)


def test_a_restricted_record_never_opens_by_break_glass(alice, manager, team_a, bob):
    secret = held_child(manager, alice, team_a, given="Jordan", family="Blake", is_restricted=True)
    assert not full(alice, secret)  # even the allocated worker needs a grant
    assert client_for(bob).get(reverse("people:detail", args=[secret.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        access_services.break_glass_open(actor=bob, person=secret, reason="duty", details="Urgent")
    grant(secret, alice)
    alice = type(alice).objects.get(pk=alice.pk)
    assert full(alice, secret) and access.explain(alice, secret).basis == "grant"


def test_a_declared_conflict_hides_the_record_even_from_its_worker_and_from_break_glass(case, alice, bob):
    c = client_for(alice)
    r = c.post(reverse("people:conflict_declare", args=[case.pk]), {"connection": "My neighbour's child"})
    assert r.status_code == 302
    alice = type(alice).objects.get(pk=alice.pk)
    assert not full(alice, case)
    page = client_for(alice).get(reverse("people:detail", args=[case.pk]))
    assert page.status_code == 403 and "closed to you" in page.content.decode()
    found = client_for(alice).get(reverse("people:search"), {"q": "Amelia Hughes"}).content.decode()
    assert "declared a conflict" in found and "Amelia" not in found.split("found")[-1]
    with pytest.raises(PermissionDenied):
        access_services.break_glass_open(actor=alice, person=case, reason="duty", details="Urgent")
    assert access.explain(alice, case).as_dict() == {
        "allowed": False,
        "basis": "none",
        "break_glass_available": False,
        "reason": access.explain(alice, case).reason,
    }
    # bob's conflict cannot be recorded by alice
    with pytest.raises(PermissionDenied):
        access_services.conflict_declare(actor=alice, person=case, user=bob, connection="Brother")


def test_explain_from_the_shell_as_json(case, alice, bob):
    out = StringIO()
    call_command("access", "explain", "--user", alice.email, "--person", str(case.pk), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "allowed": True,
        "basis": "allocated",
        "break_glass_available": False,
        "reason": json.loads(out.getvalue())["reason"],
    }
    out = StringIO()
    call_command("access", "explain", "--user", bob.email, "--person", str(case.pk), "--json", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["allowed"] is False and answer["basis"] == "none" and answer["break_glass_available"] is True


def test_grants_are_made_and_revoked_by_administrators_with_a_reason(case, bob, team_a):
    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    c = client_for(bob)
    assert c.get(reverse("people:grant_add", args=[case.pk])).status_code == 403
    a = client_for(admin)
    ends = TODAY + timedelta(days=10)
    r = a.post(
        reverse("people:grant_add", args=[case.pk]),
        {
            "user": bob.pk,
            "reason": "Court report",
            "expires_on_0": ends.day,
            "expires_on_1": ends.month,
            "expires_on_2": ends.year,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    bob = type(bob).objects.get(pk=bob.pk)
    assert full(bob, case) and access.explain(bob, case).basis == "grant"
    g = case.access_grants.get()
    assert AuditEvent.objects.filter(object_type="access_grant", object_id=str(g.pk), actor=admin).count() == 1
    a.post(reverse("people:grant_revoke", args=[g.pk]), {"reason": "Report filed"})
    bob = type(bob).objects.get(pk=bob.pk)
    assert not full(bob, case)


def test_a_user_with_no_role_sees_nothing(case, charlie):
    assert client_for(charlie).get(reverse("people:detail", args=[case.pk])).status_code == 403
    assert access.explain(charlie, case).allowed is False


def test_the_performance_team_puts_a_missing_upn_right_without_seeing_the_story(case):
    performance = Team.objects.create(name="Performance and intelligence", kind=TeamKind.PERFORMANCE)
    analyst = make_user("pat.analyst@example.test", performance, Role.PERFORMANCE)
    c = client_for(analyst)
    assert "Summary only" in c.get(reverse("people:detail", args=[case.pk])).content.decode()
    assert c.get(reverse("recording:case_note_add", args=[case.pk])).status_code == 403
    assert c.get(reverse("people:identifiers", args=[case.pk])).status_code == 200
    r = c.post(reverse("people:identifier_add", args=[case.pk]), {"type": "upn", "value": "H801200001001"})
    assert r.status_code == 302
    assert case.identifiers.filter(type="upn", value="H801200001001").exists()
    secret = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True)
    assert c.get(reverse("people:identifiers", args=[secret.pk])).status_code == 404
