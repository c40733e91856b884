"""The assessment page in Chromium: three factors ticked are three saved and shown ticked again; axe finds nothing.
With CASEWORK_SCREENSHOTS=<folder>, the page after saving is kept as assessment-factors.png there."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from cases import services
from cases.models import Assessment
from casework.tests.browser import assert_accessible, sign_in
from core import codes
from people.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_three_factors_ticked_in_the_browser_stay_ticked(
    allow_audit_flush, live_server, alice, manager, team_a, browser_page
):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2025, 6, 2), source="2A", primary_need="N1", team=team_a
    )
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2025, 6, 2), reason="New referral")
    assessment = services.assessment_start(actor=alice, episode=episode, started_on=date(2025, 6, 3))
    labels = dict(codes.choices("assessment_factor"))
    three = ["2A", "3A", "4B"]

    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)
    url = f"{base}/cases/people/{child.pk}/assessment-record"
    page.goto(url)
    assert_accessible(page)
    factors = page.get_by_role("group", name="Factors identified")
    for code in three:
        factors.get_by_label(labels[code], exact=True).check()
    page.get_by_label("Summary of the assessment").fill("Neglect; domestic abuse in the home.")
    page.get_by_role("group", name="Outcome").get_by_label("Child in need plan").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert Assessment.objects.get(pk=assessment.pk).factors == three

    page.goto(url)
    checked = page.locator("input[name=factors]:checked")
    assert sorted(checked.evaluate_all("boxes => boxes.map(b => b.value)")) == three
    assert page.get_by_role("group", name="Outcome").get_by_label("Child in need plan").is_checked()
    assert_accessible(page)
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.get_by_label(labels["4B"], exact=True).scroll_into_view_if_needed()
        page.screenshot(path=str(Path(folder) / "assessment-factors.png"), full_page=False)
