"""Access by legitimate relationship as its users meet it, in a real browser, at 1024 and 320 pixels wide with axe on
every page: a social worker in another team breaks the glass into a child's record and the holding team's manager is
told and reviews it; a worker declares that they know a child; information governance reviews across teams and asks
"why could she see this?"; an administrator grants access to a restricted record, revokes it, and records and
withdraws a conflict for a user. Screenshots land in $CASEWORK_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Notification, Role, Team
from cases import services as cs
from casework.tests.browser import assert_accessible, fill_date, page_width, sign_in
from conftest import make_user
from people.access_services import break_glass_open
from people.models import BreakGlass, BreakGlassReview, DeclaredConflict, RestrictedAccessGrant, WarningType
from people.services import warning_add
from people.tests.factories import person
from recording import services as rec

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def look(page: Any, name: str) -> str:
    """Check the page as it stands at 1024 and at 320 pixels wide: axe finds nothing, nothing scrolls sideways."""
    page.wait_for_load_state("load")
    for width in (1024, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert page_width(page) <= width, f"{page.url} is wider than {width}"
        assert_accessible(page)
        if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
            page.screenshot(path=f"{folder}/access-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})
    return str(page.content())


def held_child(manager: Any, worker: Any, team: Any) -> Any:
    today, now = timezone.localdate(), timezone.now()
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    cs.referral_create(
        actor=manager, person=child, referral_date=today - timedelta(days=20), source="2A", primary_need="N1",
        team=team,
    )  # fmt: skip
    cs.allocate(actor=manager, person=child, worker=worker, started_on=today - timedelta(days=19), reason="New")
    rec.case_note_create(
        actor=worker, person=child, occurred_at=now - timedelta(days=1), subject="Home visit",
        body="Amelia disclosed that her stepfather hits her.",
    )  # fmt: skip
    warning_add(actor=None, person=child, type=WarningType.LONE_WORKER, details="Do not visit alone", review_on=None)
    return child


def test_break_glass_from_the_summary_then_the_managers_review(
    allow_audit_flush, live_server, team_a, team_b, alice, bob, manager, browser_page
):
    manager.phone, alice.phone = "0113 496 0001", "0113 496 0002"
    manager.save(), alice.save()
    child = held_child(manager, alice, team_a)
    page, base = browser_page, live_server.url

    # Bob, a social worker in team B, finds the child: a summary only.
    sign_in(page, base, bob.email)
    page.get_by_label("Name, NHS number, UPN, record number or postcode").fill("Amelia Hughes")
    page.get_by_role("button", name="Search").click()
    assert "Summary only" in look(page, "search-summary-only")
    page.get_by_role("link", name="Amelia Hughes").click()
    summary = look(page, "summary")
    assert "27 March 2015" in summary and "Do not visit alone" in summary
    assert "Alice Tester" in summary and "0113 496 0002" in summary and "alice@example.test" in summary
    assert "Mo Tester" in summary and "Team A" in summary
    assert "stepfather" not in summary and "Home visit" not in summary

    # He breaks the glass: nothing chosen is a clear error, then a reason opens the record.
    page.get_by_role("link", name="Open the record (break-glass)").click()
    form = look(page, "break-glass")
    assert "is at risk of harm now" in form  # each reason has a hint
    page.get_by_role("button", name="Open the record").click()
    errors = look(page, "break-glass-errors")
    assert "There is a problem" in errors and "Select why you need to open this record" in errors
    assert page.title().startswith("Error:")
    assert not BreakGlass.objects.exists()
    page.get_by_label("Safeguarding concern").check()
    page.get_by_label("What do you need it for now?").fill("The police called at 11pm about Amelia's safety tonight.")
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_url(f"**/people/{child.pk}")
    opened = look(page, "opened")
    glass = BreakGlass.objects.get()
    until = timezone.localtime(glass.ends_at)
    assert f"until {until:%H:%M} on {until.day} {until:%B %Y}" in opened
    assert "stepfather" in opened  # the whole record
    page.get_by_role("link", name="Home visit").click()
    assert "stepfather" in look(page, "opened-chronology-entry")
    # Breaking the glass again into a record he can now see only says so.
    page.goto(f"{base}/people/{child.pk}/break-glass")
    page.wait_for_url(f"**/people/{child.pk}")
    assert "You can already see this record" in page.content()
    assert BreakGlass.objects.count() == 1

    # Mo, team A's manager, is told: the header counts it, the notifications page says it, Open goes to the review.
    sign_in(page, base, manager.email)
    header = page.get_by_role("navigation", name="Your account").inner_text()
    assert re.search(r"Notifications\s*1", header)
    page.get_by_role("link", name=re.compile("Notifications")).click()
    notes = look(page, "notifications")
    assert "Bob Tester opened a record by break-glass" in notes and "Safeguarding concern" in notes
    started = timezone.localtime(glass.started_at)
    assert f"on {started.day} {started:%B %Y} at {started:%H:%M}" in notes
    page.get_by_role("button", name=re.compile("^Open")).first.click()
    page.wait_for_url(f"**/people/break-glass/{glass.pk}")
    assert Notification.objects.get(user=manager).read_at is not None
    look(page, "review")
    page.get_by_role("button", name="Record the review").click()
    assert "Select whether it was justified" in look(page, "review-errors")
    page.get_by_label("Yes, it was justified").check()
    page.get_by_role("button", name="Record the review").click()
    listed = look(page, "reviewed")
    assert "break-glass into Amelia Hughes's record is justified" in listed
    assert "No break-glass uses are waiting for review" in listed

    # Another one is referred: the notes are needed, and it leaves Mo's notifications read.
    carol = make_user("carol.sw@example.test", team_b, Role.SOCIAL_WORKER)
    second = break_glass_open(actor=carol, person=child, reason="other", details="I wanted to check something.")
    page.goto(f"{base}/people/break-glass")
    page.get_by_role("link", name=re.compile("Carol Tester")).click()
    page.get_by_label("No, or not sure").check()
    page.get_by_role("button", name="Record the review").click()
    assert "Say why you are referring it" in look(page, "refer-errors")
    page.get_by_label("If you refer it, why?").fill("No reason to look: Carol has no part in the case.")
    page.get_by_role("button", name="Record the review").click()
    second.refresh_from_db()
    assert second.review == BreakGlassReview.REFERRED
    assert not Notification.objects.filter(user=manager, read_at=None).exists()
    # The filters: referred, all; and the referral is information governance's now, not Mo's.
    page.get_by_role("link", name="Referred", exact=True).click()
    referred = look(page, "list-referred")
    assert "Carol Tester" in referred and "Bob Tester" not in referred
    page.get_by_role("link", name="All", exact=True).click()
    every = look(page, "list-all")
    assert "Carol Tester" in every and "Bob Tester" in every
    page.get_by_role("link", name=re.compile("Carol Tester")).click()
    assert "they review it now" in look(page, "referred-for-manager")
    assert page.get_by_role("button", name="Record the review").count() == 0


def test_a_conflict_governance_and_the_administrators_grants(
    allow_audit_flush, live_server, team_a, team_b, alice, bob, manager, browser_page
):
    child = held_child(manager, alice, team_a)
    page, base = browser_page, live_server.url
    governance = make_user("ian.ig@example.test", Team.objects.create(name="Governance"), Role.INFORMATION_GOVERNANCE)
    admin = make_user("ada.admin@example.test", Team.objects.create(name="Systems"), Role.ADMINISTRATOR)
    secret = person("Sam", "Secret", date(2012, 5, 5), is_restricted=True)
    glass = break_glass_open(actor=bob, person=child, reason="duty", details="Out of hours call from the police.")

    # Alice, the allocated worker, finds she knows the family: she declares it from the record.
    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{child.pk}")
    page.get_by_role("link", name="I know this person or their family").click()
    form = look(page, "conflict")
    assert "closed to you, even by break-glass" in form
    page.get_by_role("button", name="Declare it and close the record to me").click()
    assert "Say how you know this person" in look(page, "conflict-errors")
    page.get_by_label("How do you know this person or their family?").fill("Her mother is my neighbour")
    page.get_by_role("button", name="Declare it and close the record to me").click()
    assert "You have declared a conflict" in look(page, "conflict-declared")
    # The record, break-glass and declaring again all say only that it is closed, with no name.
    for step, url in (("record", ""), ("break-glass", "/break-glass"), ("again", "/conflict")):
        page.goto(f"{base}/people/{child.pk}{url}")
        closed = look(page, f"closed-{step}")
        assert "This record is closed to you" in closed and "Amelia" not in closed and "Hughes" not in closed
    page.goto(f"{base}/people/search?q=Amelia+Hughes")
    found = look(page, "closed-search")
    assert "A person you have declared a conflict with" in found and "Amelia" not in found.split("1 person found")[1]
    assert DeclaredConflict.objects.filter(user=alice, person=child).count() == 1
    # Her manager is told, so that the case can pass to someone else (how she knows them is not said).
    told = Notification.objects.get(user=manager, subject__contains="declared a conflict")
    assert "Amelia Hughes" in told.body and "neighbour" not in told.body

    # Information governance: their own home, break-glass across teams, and "why could someone see a record?".
    sign_in(page, base, governance.email)
    home = look(page, "governance-home")
    assert "Information governance" in home and "1 break-glass use waiting for review" in home
    page.get_by_role("link", name="1 break-glass use waiting for review").click()
    assert "Bob Tester" in look(page, "governance-list")
    page.goto(f"{base}/")
    page.get_by_role("link", name="Why could someone see a record?").click()
    page.get_by_label("User's email address").fill("nobody@example.test")
    page.get_by_label("Record number").fill("99999")
    page.get_by_role("button", name="Explain").click()
    wrong = look(page, "explain-wrong")
    assert "No user has this email address" in wrong and "No record has this number" in wrong
    answers = {
        "bob@example.test": "Bob Tester opened the record by break-glass on",
        "mo.manager@example.test": "Mo Tester is in Team A, which holds the case",
        "alice@example.test": "declared a conflict",
        "ada.admin@example.test": "no legitimate relationship",
    }
    for email, expected in answers.items():
        page.get_by_label("User's email address").fill(email)
        page.get_by_label("Record number").fill(str(child.pk))
        # The form reloads the same page: wait for the new answer, not the one before it.
        with page.expect_navigation():
            page.get_by_role("button", name="Explain").click()
        assert expected in look(page, f"explain-{email.split('@')[0]}")
    assert "Out of hours call" not in page.content() and glass.pk

    # The administrator: the access page from Administration, a search that finds the restricted record, a grant.
    sign_in(page, base, admin.email)
    page.goto(f"{base}/administration/")
    page.get_by_role("link", name="Access to records").click()
    look(page, "access-admin")
    page.get_by_label("Find the record").fill("Sam Secret")
    page.get_by_role("button", name="Search").click()
    assert "Restricted" in look(page, "access-admin-found")
    page.get_by_role("link", name="Grant access to Sam Secret's record").click()
    page.get_by_label("Who needs access?").select_option(label="Bob Tester (bob@example.test)")
    page.get_by_label("Why do they need it?").fill("Adoption worker for Sam")
    fill_date(page, "When does the access end?", timezone.localdate() - timedelta(days=1))
    page.get_by_role("button", name="Grant access").click()
    assert "The date the access ends must be in the future" in look(page, "grant-past")
    fill_date(page, "When does the access end?", timezone.localdate() + timedelta(days=400))
    page.get_by_role("button", name="Grant access").click()
    assert "at most a year" in look(page, "grant-too-long")
    ends = timezone.localdate() + timedelta(days=30)
    fill_date(page, "When does the access end?", ends)
    page.get_by_role("button", name="Grant access").click()
    granted = look(page, "granted")
    assert f"Bob Tester may now see Sam Secret's record until {ends.day} {ends:%B %Y}" in granted
    grant = RestrictedAccessGrant.objects.get(person=secret)
    # Revoking asks why, then says what happened.
    page.get_by_role("link", name="Revoke Bob Tester's access").click()
    page.get_by_role("button", name="Revoke access").click()
    assert "Enter why the access is being revoked" in look(page, "revoke-errors")
    page.get_by_label("Why is the access being revoked?").fill("The adoption order is made")
    page.get_by_role("button", name="Revoke access").click()
    assert "Bob Tester can no longer see Sam Secret's record" in look(page, "revoked")
    grant.refresh_from_db()
    assert grant.revoked_at is not None

    # A conflict recorded for a user from the record page: nobody is chosen for them.
    page.goto(f"{base}/people/search?q=Amelia+Hughes")
    page.goto(f"{base}/people/{secret.pk}/access/conflict")
    page.get_by_label("How do they know this person or their family?").fill("A relative")
    page.get_by_role("button", name="Record the conflict").click()
    assert "Choose the user who knows this person" in look(page, "record-conflict-errors")
    page.get_by_label("Who knows this person?").select_option(label="Bob Tester (bob@example.test)")
    page.get_by_role("button", name="Record the conflict").click()
    assert "the record is now closed to Bob Tester" in look(page, "conflict-recorded")
    page.get_by_role("link", name="Withdraw Bob Tester's conflict").click()
    page.get_by_label("Why does the conflict no longer stand?").fill("Recorded by mistake")
    page.get_by_role("button", name="Withdraw the conflict").click()
    assert "Bob Tester's conflict with Sam Secret is withdrawn" in look(page, "conflict-withdrawn")
    # Break-glass into a restricted record by its address finds nothing.
    sign_in(page, base, bob.email)
    response = page.goto(f"{base}/people/{secret.pk}/break-glass")
    assert response.status == 404 and "Sam" not in page.content()
