"""A social worker takes journey steps from the journey panel: each opens its form (the assessment, the strategy
discussion), and the record's "Record a visit" opens the visit form. axe at 1024 and 320 px."""

from __future__ import annotations

import os
from datetime import date

import pytest

from cases import services as case_services
from casework.tests.browser import sign_in
from forms.services import definitions_load
from forms.tests.test_browser_fill import check_page
from people.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_journey_panel_and_the_record_open_the_forms(
    allow_audit_flush, live_server, alice, manager, team_a, team_a_holds, browser_page
):
    definitions_load(actor=None)
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    case_services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    page, base = browser_page, live_server.url
    shots = os.environ.get("CASEWORK_SCREENSHOTS")
    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{child.pk}")
    if shots:
        page.screenshot(path=f"{shots}/journey-panel.png", full_page=True)
    steps = page.get_by_role("list", name="Next steps")
    steps.get_by_role("link", name="Start an assessment").click()
    page.wait_for_url(f"**/forms/people/{child.pk}/child-and-family-assessment/start")
    assert "Child and family assessment" in page.locator("h1").inner_text()
    check_page(page, "journey-assessment-start")

    page.goto(f"{base}/people/{child.pk}")
    page.get_by_role("list", name="Next steps").get_by_role("link", name="strategy").first.click()
    page.wait_for_url(f"**/forms/people/{child.pk}/strategy-discussion/start")

    page.goto(f"{base}/people/{child.pk}")
    page.get_by_role("link", name="Record a visit").click()
    page.wait_for_url(f"**/forms/people/{child.pk}/statutory-visit/start")

    # The short page still answers at its address, and points to the form.
    page.goto(f"{base}/cases/people/{child.pk}/assessment-start")
    assert "This step is recorded with the" in page.locator("main").inner_text()
    check_page(page, "journey-short-page")
