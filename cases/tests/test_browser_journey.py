"""The journey from contact to child protection plan in a real browser, with axe checks on each new page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, fill_date, sign_in
from core.dates import next_working_day
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def test_contact_to_child_protection_plan(
    allow_audit_flush, live_server, support, manager, alice, team_a, browser_page
):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    page, base = browser_page, live_server.url
    day0 = timezone.localdate() - timedelta(days=30)

    sign_in(page, base, support.email)
    page.goto(f"{base}/cases/people/{child.pk}/contacts/new")
    assert_accessible(page)
    fill_date(page, "Date received", day0)
    page.get_by_label("Who is the contact from?").select_option("6")
    page.get_by_label("Their organisation (optional)").fill("Police")
    page.get_by_label("What is the concern?").fill("Police called to a domestic incident; the child was present.")
    page.get_by_role("button", name="Record contact").click()
    page.wait_for_url(f"**/people/{child.pk}")

    sign_in(page, base, manager.email)
    page.goto(f"{base}/cases/contacts")
    assert_accessible(page)
    page.get_by_role("link", name="Decide on the contact about Amelia Hughes").click()
    assert_accessible(page)
    page.get_by_label("Referral to children's social care").check()
    page.get_by_label("Reason").fill("Significant harm suspected")
    page.get_by_label("Team (for a referral)").select_option(label="Team A")
    page.get_by_label("Primary need (for a referral)").select_option("N1")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/cases/contacts")
    page.goto(f"{base}/cases/people/{child.pk}/allocate")
    assert_accessible(page)
    page.get_by_label("Worker", exact=True).select_option(label=f"{alice.display_name}, social worker: 0 children")
    fill_date(page, "Allocated from", day0)
    page.get_by_label("Reason for allocation").fill("New referral")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")

    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{child.pk}")
    assert "Open referral" in page.content()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Next steps").is_visible()  # open, not in a collapsed section
    page.get_by_role("link", name="Record a strategy discussion").click()
    fill_date(page, "Date of the strategy discussion", day0 + timedelta(days=1))
    page.get_by_label("Agencies that took part").fill("Police, health visitor, school")
    page.get_by_role("group", name="Start a section 47 enquiry?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")

    page.goto(f"{base}/cases/people/{child.pk}/section-47-complete")
    fill_date(page, "Date the enquiry finished", day0 + timedelta(days=8))
    page.get_by_label("Initial child protection conference required").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")

    page.goto(f"{base}/cases/people/{child.pk}/initial-conference")
    assert_accessible(page)
    fill_date(page, "Date of the conference", next_working_day(day0 + timedelta(days=14)))  # conferences: working days
    page.get_by_role("group", name="Does the child need a child protection plan?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Select the category of abuse" in page.content()  # the service's rule, on the field
    assert_accessible(page)
    page.get_by_label("Category of abuse").select_option("EMO")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert "Child protection plan" in page.locator("#journey").inner_text()
    assert (
        "Initial child protection conference: child protection plan" in page.locator("#chronology-entries").inner_text()
    )

    page.goto(f"{base}/cases/caseload")
    assert_accessible(page)
    assert "Amelia Hughes" in page.content() and "Child protection plan" in page.content()
