"""A manager returns and then authorises a child and family assessment, and the worker corrects it, in Chromium at
1024 and 320 pixels wide; axe finds nothing on any page. Screenshots go to CASEWORK_SCREENSHOTS (default: not kept)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cases import services as case_services
from cases.models import Assessment
from casework.tests.browser import assert_accessible, page_width, sign_in
from core.printing import pdfa_problems
from forms.definition import Form
from forms.models import FormResponse, ResponseStatus
from forms.services import definition_load, response_reopen, response_submit
from people.tests.factories import person

from .definitions import assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GOOD = {
    "started": "2026-01-06",
    "completed": "2026-01-20",
    "health": "Well, asthma managed",
    "factors": ["3A", "4B"],
    "analysis": "Domestic abuse at home",
    "recommendation": "cin_plan",
}


def check(page: Any, name: str) -> None:
    """axe at 1024 and 320 pixels, nothing wider than the window at 320, and a screenshot of each if asked."""
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    for width in (1024, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert page_width(page) <= width, f"{name} is wider than {width} pixels"
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})


def test_a_manager_returns_then_authorises_and_the_worker_corrects(
    allow_audit_flush, live_server, alice, manager, team_a, browser_page
):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    case_services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    case_services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="New")
    definition = definition_load(actor=None, form=Form(assessment())).definition
    first = response_submit(actor=alice, definition=definition, person=child, answers=GOOD).response
    page, base = browser_page, live_server.url

    # The manager finds it under My team, and returns it: first without a reason (refused), then with one.
    sign_in(page, base, manager.email)
    page.get_by_role("link", name="My team").first.click()
    page.get_by_role("link", name="Forms to authorise").click()
    check(page, "forms-to-authorise")
    page.get_by_role("link", name="Child and family assessment (test) for Amelia Hughes").click()
    check(page, "form-submitted")
    page.get_by_role("link", name="Return to worker").click()
    page.get_by_role("button", name="Return to worker").click()
    assert page.get_by_role("link", name="Enter what the worker needs to change").is_visible()
    check(page, "form-return-error")
    page.get_by_label("What the worker needs to change").fill("Say more about the father's part")
    page.get_by_role("button", name="Return to worker").click()
    page.get_by_text("Returned by").wait_for()
    assert "Say more about the father" in page.locator("#return-reason").inner_text()
    check(page, "form-returned")
    assert Assessment.objects.get().submitted_on is None

    # The worker sends it again (the filling-in pages are fill12's); the manager authorises it with comments.
    draft = response_reopen(actor=alice, response=first)
    again = response_submit(
        actor=alice, definition=definition, person=child, answers=GOOD | {"analysis": "Father seen"}, response=draft
    ).response
    page.goto(f"{base}/forms/to-authorise")
    page.get_by_role("link", name="Child and family assessment (test) for Amelia Hughes").click()
    page.get_by_role("link", name="Authorise").click()
    check(page, "form-authorise")
    page.get_by_label("Comments (optional)").fill("A clear analysis.")
    page.get_by_role("button", name="Authorise").click()
    page.get_by_text("Authorised by").wait_for()
    check(page, "form-authorised")
    assert FormResponse.objects.get(pk=again.pk).status == ResponseStatus.AUTHORISED
    assert Assessment.objects.get().authorised_by == manager

    # The worker corrects the health answer, with the reason; the page shows what changed, by whom and why.
    sign_in(page, base, alice.email)
    page.goto(f"{base}/forms/responses/{again.pk}/")
    page.get_by_role("link", name="Correct this form").click()
    page.get_by_label("Health", exact=True).fill("Well; asthma reviewed in March")
    page.get_by_role("button", name="Save the correction").click()
    assert page.get_by_role("link", name="Enter why you are correcting this form").is_visible()
    check(page, "form-correct-error")
    page.get_by_label("Why are you correcting this form?").fill("The asthma review was missed")
    page.get_by_role("button", name="Save the correction").click()
    page.get_by_role("heading", name="What changed from the earlier version").wait_for()
    check(page, "form-corrected")
    correction = FormResponse.objects.get(supersedes=again)
    assert correction.answers["health"] == "Well; asthma reviewed in March"
    assert FormResponse.objects.get(pk=again.pk).answers["health"] == "Well, asthma managed"

    # Print (PDF): a PDF/A download carrying the hash of this version.
    with page.expect_download() as download:
        page.get_by_role("link", name="Print (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"test-assessment-{correction.pk}.pdf"
    assert pdfa_problems(pdf, sha256=correction.sha256) == []


def test_a_correction_of_every_answer_type_in_the_browser(
    allow_audit_flush, live_server, alice, team_a_holds, browser_page
):
    """Dates and times, a person, an address, an "add another" entry, and a question that shows as the answer
    changes, corrected on the page; the new version holds them."""
    from datetime import date

    from forms.definition import Form
    from forms.services import definition_load, response_submit
    from forms.tests.test_review_pages import every_type_form
    from people.tests.factories import person

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    mother = person("Sarah", "Hughes", date(1990, 1, 1))
    definition = definition_load(actor=None, form=Form(every_type_form())).definition
    first = response_submit(
        actor=alice,
        definition=definition,
        person=child,
        answers={"met_at": "2026-02-03T10:30:00+00:00", "seen": True, "actions": [{"what": "Call school"}]},
    ).response
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)
    page.goto(f"{base}/forms/responses/{first.pk}/")
    page.get_by_role("link", name="Correct this form").click()
    page.get_by_role("group", name="When you met").get_by_label("Time").fill("2:15pm")
    who = page.get_by_role("group", name="Who you met")
    who.get_by_label("Someone else on the record").check()
    who.get_by_label("Record number").fill(str(mother.pk))
    page.get_by_label("Address line 1").fill("2 Low Street")
    page.get_by_label("Town or city").fill("Leeds")
    why_not = page.get_by_label("Why not (optional)")
    assert not why_not.is_visible()
    page.get_by_role("group", name="Was the child seen?").get_by_label("No").check()
    why_not.wait_for(state="visible")  # shown as the answer changes, no reload
    why_not.fill("Asleep")
    page.get_by_label("What", exact=True).fill("Call the school nurse")
    page.get_by_label("Why are you correcting this form?").fill("Wrong visit written up")
    check(page, "form-correct-every-type")
    page.get_by_role("button", name="Save the correction").click()
    page.get_by_text("What changed from the earlier version").wait_for()
    check(page, "form-corrected-every-type")
    correction = FormResponse.objects.get(supersedes=first)
    assert correction.answers["met_at"].startswith("2026-02-03T14:15:00")
    assert correction.answers["with"] == mother.pk and correction.answers["where"]["line_1"] == "2 Low Street"
    assert correction.answers["seen"] is False and correction.answers["why_not"] == "Asleep"
    assert correction.answers["actions"] == [{"what": "Call the school nurse"}]
