"""A team manager's and a reviewing officer's first hour in a real browser (issue 9, items 6, 10, 16, 18, 19): the
contact queue sorted by urgency with RAG and ages, a decision that can only refer to a team that holds cases, an
allocation from the team's sorted list with caseloads, an assessment returned with comments and then authorised,
and "My reviews". axe on every page; screenshots in $CASEWORK_SCREENSHOTS (default /tmp) to look at."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, Team, TeamKind
from cases import services
from cases.models import Assessment, Task, TaskKind
from cases.tests.services.helpers import start
from casework.tests.browser import assert_accessible, fill_date, sign_in
from conftest import make_user
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]
SHOTS = os.environ.get("CASEWORK_SCREENSHOTS", tempfile.gettempdir())


def shot(page, name):
    page.screenshot(path=f"{SHOTS}/first-hour-{name}.png", full_page=True)


def test_a_team_managers_first_hour(allow_audit_flush, live_server, alice, manager, team_a, browser_page):
    page, base = browser_page, live_server.url
    today = timezone.localdate()
    Team.objects.create(name="Performance and Intelligence", kind=TeamKind.PERFORMANCE)
    make_user("zoe.worker@example.test", team_a, Role.SOCIAL_WORKER)
    now = timezone.now()
    baby = person("Ruby", "Hughes", today - timedelta(days=300))
    older = person("Leo", "Hughes", date(2014, 2, 3))
    later = person("Mia", "Hughes", date(2019, 7, 1))
    for child in (later, baby, older):
        services.contact_record(actor=alice, person=child, received_at=now, source="1B", concern="Bruising seen")
    due = {baby.pk: today - timedelta(days=2), older.pk: today, later.pk: today + timedelta(days=1)}
    for task in Task.objects.filter(kind=TaskKind.CONTACT_DECISION):
        task.due_on = due[task.person_id]
        task.save()
    # Another child already allocated to Alice, so the allocation list shows a caseload.
    kid = person("Ava", "Jones", date(2016, 5, 5))
    services.referral_create(
        actor=manager, person=kid, referral_date=today - timedelta(days=40), source="1B", primary_need="N1", team=team_a
    )
    services.allocate(actor=manager, person=kid, worker=alice, started_on=today - timedelta(days=40), reason="New")

    sign_in(page, base, manager.email)
    page.goto(f"{base}/cases/contacts")
    assert_accessible(page)
    shot(page, "1-contact-queue")
    rows = page.locator("tbody tr")
    assert [rows.nth(i).locator("td").nth(1).locator("a").inner_text() for i in range(3)] == [
        "Ruby Hughes",
        "Leo Hughes",
        "Mia Hughes",
    ]
    assert "Red: overdue" in rows.nth(0).inner_text() and "9 months" in rows.nth(0).inner_text()
    assert "Amber: due today" in rows.nth(1).inner_text() and "Green" in rows.nth(2).inner_text()
    assert "3 waiting: 1 overdue, 1 due today." in page.content()

    page.get_by_role("link", name="Decide on the contact about Ruby Hughes").click()
    assert_accessible(page)
    options = page.get_by_label("Team (for a referral)").locator("option").all_inner_texts()
    assert "Team A" in options and "Performance and Intelligence" not in options
    page.get_by_label("Referral to children's social care").check()
    page.get_by_label("Reason").fill("Bruising on a non-mobile baby: significant harm suspected")
    page.get_by_label("Team (for a referral)").select_option(label="Team A")
    page.get_by_label("Primary need (for a referral)").select_option("N1")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/cases/contacts")
    assert "2 waiting: 0 overdue, 1 due today." in page.content()

    page.goto(f"{base}/people/{baby.pk}")
    assert_accessible(page)
    shot(page, "2-record-manager")
    page.get_by_role("link", name="Allocate to a worker").click()
    assert_accessible(page)
    workers = page.get_by_label("Worker", exact=True).locator("option").all_inner_texts()
    assert workers == [
        "Select a worker",
        "Alice Tester, social worker: 1 child",
        "Mo Tester, team manager: 0 children",
        "Zoe Tester, social worker: 0 children",
    ]
    shot(page, "3-allocate")
    page.get_by_label("Worker", exact=True).select_option(label="Alice Tester, social worker: 1 child")
    fill_date(page, "Allocated from", today - timedelta(days=1))  # before the referral (today): refused
    page.get_by_label("Reason for allocation").fill("New referral")
    page.get_by_role("button", name="Save").click()
    assert "The allocation date cannot be before the referral" in page.content()
    assert_accessible(page)
    fill_date(page, "Allocated from", today)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{baby.pk}")

    # Alice assesses and submits; the manager returns it with comments, then authorises the resubmission.
    episode = baby.cin_episodes.get()
    a = services.assessment_start(actor=alice, episode=episode, started_on=today)
    services.assessment_record(actor=alice, assessment=a, factors=["2B"], summary="Seen at home", outcome="cin_plan")
    services.assessment_submit(actor=alice, assessment=a, submitted_on=today)
    page.goto(f"{base}/cases/team")
    assert_accessible(page)
    shot(page, "4-team-dashboard")
    page.goto(f"{base}/people/{baby.pk}")
    page.get_by_role("link", name="Authorise the assessment").click()
    assert_accessible(page)
    page.get_by_label("Return it to the worker").check()
    fill_date(page, "Date", today)
    page.get_by_role("button", name="Save the decision").click()
    assert "Enter what the worker needs to change" in page.content()
    assert_accessible(page)
    shot(page, "5-return-error")
    page.get_by_label("Comments").fill("Add what the health visitor said about the bruising")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url(f"**/people/{baby.pk}")
    assert Assessment.objects.get(pk=a.pk).status == "In progress"

    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{baby.pk}")
    assert_accessible(page)
    shot(page, "6-record-worker-after-return")
    html = page.content()
    assert "Add what the health visitor said about the bruising" in html
    assert "Authorise the assessment" not in page.locator("#journey").inner_text()
    page.goto(f"{base}/cases/caseload")
    assert_accessible(page)
    assert "Authorise assessment" not in page.content()
    a.refresh_from_db()
    services.assessment_submit(actor=alice, assessment=a, submitted_on=today)

    time.sleep(31 - time.time() % 30)  # a fresh one-time code: allauth refuses the same code twice
    sign_in(page, base, manager.email)
    page.goto(f"{base}/people/{baby.pk}")
    page.get_by_role("link", name="Authorise the assessment").click()
    page.get_by_label("Authorise the assessment").check()
    fill_date(page, "Date", today)
    page.get_by_label("Comments").fill("Thorough. Plan agreed.")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url(f"**/people/{baby.pk}")
    assert Assessment.objects.get(pk=a.pk).authorisation_comments == "Thorough. Plan agreed."
    page.goto(f"{base}/cases/team")
    page.locator(f"a[href='/cases/caseload/{alice.pk}']").first.click()
    page.wait_for_url(f"**/cases/caseload/{alice.pk}")
    assert_accessible(page)
    shot(page, "7-worker-caseload")
    assert "Ruby Hughes" in page.content() and "Ava Jones" in page.content()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{base}/cases/contacts")
    assert_accessible(page)
    shot(page, "8-contact-queue-320")


def test_a_reviewing_officers_home_is_my_reviews(allow_audit_flush, live_server, manager, browser_page):
    page, base = browser_page, live_server.url
    unit = Team.objects.create(name="Safeguarding and Reviewing Unit", kind=TeamKind.REVIEWING)
    iro = make_user("iris.iro@example.test", unit, Role.INDEPENDENT_REVIEWING_OFFICER)
    eve = person("Eve", "Evans", date(2016, 1, 1))
    start(manager, eve, timezone.localdate() - timedelta(days=12))
    services.reviewing_officer_assign(actor=manager, person=eve, officer=iro, started_on=timezone.localdate())
    sign_in(page, base, iro.email)
    page.get_by_role("link", name="My reviews").click()
    page.wait_for_url("**/cases/caseload")
    assert_accessible(page)
    shot(page, "9-my-reviews")
    assert page.get_by_role("heading", level=1).inner_text() == "My reviews"
    assert "Eve Evans" in page.content() and "Looked-after review" in page.content()
