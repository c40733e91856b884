"""Correcting a visit in a real browser: the social worker who recorded it corrects it, with a reason, and sees the
earlier version kept; a colleague in the same team is not offered Correct, and going to the page by its address is
refused in words. axe on every page. Screenshots land in $CASEWORK_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from casework.tests.browser import assert_accessible, sign_in
from conftest import make_user
from people.tests.factories import person
from recording import services
from recording.models import ChronologyEntry, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def shot(page, name: str) -> None:
    if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_the_author_corrects_a_visit_and_a_colleague_is_not_offered_it(
    allow_audit_flush, live_server, alice, team_a, browser_page
):
    colleague = make_user("carl.colleague@example.test", team_a, Role.SOCIAL_WORKER)
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    services.visit_record(
        actor=alice, person=child, occurred_at=timezone.now() - timedelta(days=1), visit_type="home",
        child_seen=True, seen_alone=False, notes="Amelia was seen with mum in the kitchen.",
    )  # fmt: skip
    entry = ChronologyEntry.objects.get(person=child)
    page, base = browser_page, live_server.url
    entry_url = f"{base}/people/{child.pk}/chronology/{entry.pk}"

    sign_in(page, base, alice.email)
    page.goto(entry_url)
    page.get_by_role("link", name="Correct this visit").click()
    page.wait_for_url(f"{entry_url}/correct")
    assert_accessible(page)
    page.get_by_role("button", name="Save the correction").click()  # no reason, nothing changed
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Enter why the visit is being corrected" in page.content()
    assert_accessible(page)
    shot(page, "visit-correct-errors")
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    page.get_by_label("Why are you correcting it?").fill("Amelia was seen alone in her room after mum left")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url(entry_url)
    text = page.content()
    assert "Visit corrected. The earlier version is kept below." in text
    assert "Home visit: child seen alone" in text and "Amelia was seen alone in her room after mum left" in text
    page.get_by_text("As written on").first.click()
    assert page.get_by_text("Home visit: child seen, not alone").is_visible()
    assert_accessible(page)
    shot(page, "visit-corrected")
    assert Visit.objects.get().seen_alone

    sign_in(page, base, colleague.email)
    page.goto(entry_url)
    assert page.get_by_role("link", name="Correct this visit").count() == 0
    page.goto(f"{entry_url}/correct")
    assert "Only the person who recorded this visit, or a manager of the team holding the case" in page.content()
    assert_accessible(page)
    shot(page, "visit-correct-refused")
