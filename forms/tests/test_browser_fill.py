"""Filling in a form in Chromium, as a worker does: from the record, page by page, to check your answers and submit;
every choice of a multiple choice kept; a required error; an answer that hides a question; a session time-out that
loses nothing. axe on every page at 1024 and 320 px. With CASEWORK_SCREENSHOTS=<folder>, the pages are kept there."""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from casework.tests.browser import assert_accessible, fill_date, page_width, sign_in
from forms.definition import Form
from forms.models import FormResponse, ResponseStatus
from forms.services import definition_load
from people.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXAMPLE = Path("forms/tests/fixtures/example-visit-note.v1.json")


def visit_form() -> dict[str, Any]:
    """The example form with a multiple choice question ("Who was present") on its second page."""
    body = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    body["name"], body["title"] = "browser-visit", "Home visit"
    body["pages"][1]["questions"].insert(
        0,
        {
            "id": "present",
            "type": "multiple_choice",
            "label": "Who was present",
            "options": [
                {"value": "mum", "label": "Mother"},
                {"value": "dad", "label": "Father"},
                {"value": "gran", "label": "Grandmother"},
            ],
        },
    )
    body["pages"][1]["questions"][1]["guidance"] = "Say **what you saw**, not what you concluded.\n\n<b>raw</b>"
    return body


def check_page(page: Any, name: str) -> None:
    """axe at 1024 px and at 320 px (nothing wider than the screen), and a screenshot when asked for."""
    for width in (1024, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert page_width(page) <= width, f"{page.url} is wider than {width} px"
        folder = os.environ.get("CASEWORK_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})


def test_fill_in_a_form_from_the_record_to_submit(allow_audit_flush, live_server, alice, team_a_holds, browser_page):
    definition = definition_load(actor=None, form=Form(visit_form())).definition
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    yesterday = timezone.localdate() - timedelta(days=1)
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)

    page.goto(f"{base}/people/{child.pk}")
    page.get_by_role("link", name="Fill in a form").click()
    check_page(page, "choose")
    page.get_by_role("link", name="Home visit").click()
    page.get_by_role("button", name="Start now").click()

    # Page 1: a required error, then an answer that brings up its follow-up question.
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter date of visit" in summary.inner_text() and "Select yes or no" in summary.inner_text()
    check_page(page, "required-error")
    fill_date(page, "Date of visit", yesterday)
    page.get_by_role("group", name="Was the person seen?").get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Why they were not seen").wait_for()
    assert page.get_by_role("group", name="Were they seen alone?").count() == 0  # hidden by "No"
    page.get_by_label("Why they were not seen").fill("Away at school camp")
    page.get_by_role("button", name="Save and continue").click()

    # Page 2: three boxes of a multiple choice, all kept; guidance in a details component, raw HTML not obeyed.
    page.wait_for_url("**/what-happened")
    present = page.get_by_role("group", name="Who was present")
    for who in ("Mother", "Grandmother"):
        present.get_by_label(who, exact=True).check()
    page.get_by_text("Guidance").first.click()
    assert page.locator(".govuk-details__text strong").inner_text() == "what you saw"
    assert page.locator(".govuk-details__text b").count() == 0
    page.get_by_label("Observations").fill("Tidy home; Gran made tea.")
    page.get_by_role("group", name="Home conditions").get_by_label("Good").check()
    check_page(page, "page-2")
    page.get_by_role("button", name="Save and continue").click()
    response = FormResponse.objects.get(person=child, definition=definition)
    assert response.answers["present"] == ["mum", "gran"]
    page.go_back()
    assert page.locator("input[name=present]:checked").evaluate_all("b => b.map(x => x.value)") == ["mum", "gran"]
    page.get_by_role("button", name="Save and continue").click()

    # Page 3: add an action, then on to check your answers.
    page.get_by_role("button", name="Add action").click()
    page.get_by_label("What", exact=True).fill("Visit again after camp")
    page.get_by_label("Who", exact=True).fill("Alice")
    check_page(page, "add-another")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r".*/check(#.*)?$"))  # a redirect keeps the fragment of the page it left
    text = page.locator("main").inner_text()
    assert "Mother\nGrandmother" in text and "Away at school camp" in text and "Visit again after camp" in text
    assert f"{yesterday.day} {yesterday:%B %Y}" in text
    check_page(page, "check-answers")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state("load")
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.answers["present"] == ["mum", "gran"] and "seen_alone" not in response.answers


def test_a_session_time_out_loses_nothing_typed(allow_audit_flush, live_server, alice, team_a_holds, browser_page):
    definition = definition_load(actor=None, form=Form(visit_form())).definition
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)
    page.goto(f"{base}/forms/people/{child.pk}/{definition.name}/start")
    page.get_by_role("button", name="Start now").click()
    response = FormResponse.objects.get(person=child)
    page.goto(f"{base}/forms/people/{child.pk}/drafts/{response.pk}/what-happened")
    page.get_by_label("Observations").fill("A long account, typed just before the time-out.")
    page.get_by_role("group", name="Who was present").get_by_label("Father").check()

    # The session ends (the idle time-out) before autosave has run; the worker then presses Save and continue.
    Session.objects.all().delete()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/accounts/login/**")
    response.refresh_from_db()
    assert "observations" not in response.answers  # the server never got it...

    # ...but signing in again and opening the form puts it back, and saves it.
    sign_in(page, base, alice.email)
    page.goto(f"{base}/cases/caseload")
    page.get_by_role("link", name="Continue").first.click()
    page.wait_for_url("**/the-visit")
    page.goto(f"{base}/forms/people/{child.pk}/drafts/{response.pk}/what-happened")
    assert page.get_by_label("Observations").input_value() == "A long account, typed just before the time-out."
    assert page.get_by_role("group", name="Who was present").get_by_label("Father").is_checked()
    status = page.locator("#autosave-status")
    status.filter(has_text="Saved at").wait_for()
    check_page(page, "restored")
    response.refresh_from_db()
    assert response.answers["observations"] == "A long account, typed just before the time-out."
    assert response.answers["present"] == ["dad"]


def live_form() -> dict[str, Any]:
    """Conditions on every kind of input: radios (yes/no), checkboxes, a date, and a repeating group's own question."""
    return {
        "format": 1,
        "name": "browser-live",
        "version": 1,
        "title": "Live conditions",
        "subject": "any",
        "pages": [
            {
                "id": "one",
                "title": "The visit",
                "questions": [
                    {"id": "seen", "type": "yes_no", "label": "Was the child seen?", "required": True},
                    {
                        "id": "seen_alone",
                        "type": "yes_no",
                        "label": "Were they seen alone?",
                        "required": True,
                        "show_if": {"==": [{"var": "seen"}, True]},
                    },
                    {
                        "id": "reason",
                        "type": "text",
                        "label": "Why they were not seen",
                        "required": True,
                        "show_if": {"==": [{"var": "seen"}, False]},
                    },
                    {
                        "id": "present",
                        "type": "multiple_choice",
                        "label": "Who was present",
                        "options": [{"value": "mum", "label": "Mother"}, {"value": "dad", "label": "Father"}],
                    },
                    {
                        "id": "dad_said",
                        "type": "text",
                        "label": "What the father said",
                        "show_if": {"in": ["dad", {"var": "present"}]},
                    },
                    {"id": "visited_on", "type": "date", "label": "Date of visit"},
                    {
                        "id": "why_late",
                        "type": "text",
                        "label": "Why this is recorded late",
                        "show_if": {"<": [{"var": "visited_on"}, "2020-01-01"]},
                    },
                    {
                        "id": "actions",
                        "type": "group",
                        "label": "Actions",
                        "repeats": True,
                        "max": 5,
                        "item_label": "Action",
                        "questions": [
                            {"id": "what", "type": "text", "label": "What"},
                            {"id": "done", "type": "yes_no", "label": "Done already?"},
                            {
                                "id": "done_on",
                                "type": "date",
                                "label": "Date done",
                                "show_if": {"==": [{"var": "done"}, True]},
                            },
                        ],
                    },
                ],
            }
        ],
    }


def test_questions_show_and_hide_as_the_worker_answers(
    allow_audit_flush, live_server, alice, team_a_holds, browser_page
):
    definition = definition_load(actor=None, form=Form(live_form())).definition
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    page, base = browser_page, live_server.url
    shots = os.environ.get("CASEWORK_SCREENSHOTS")
    sign_in(page, base, alice.email)
    page.goto(f"{base}/forms/people/{child.pk}/{definition.name}/start")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/one")
    url = page.url
    reason = page.get_by_label("Why they were not seen")
    alone = page.get_by_role("group", name="Were they seen alone?")
    assert not reason.is_visible() and not alone.is_visible()

    # Radios: "No" brings up the reason at once (no reload), "Yes" swaps it for "seen alone".
    page.get_by_role("group", name="Was the child seen?").get_by_label("No").check()
    reason.wait_for(state="visible")
    assert page.url == url and not alone.is_visible()
    reason.fill("Away at school camp")
    page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    alone.wait_for(state="visible")
    assert not reason.is_visible() and reason.is_disabled()
    alone.get_by_label("No").check()

    # Checkboxes: ticking "Father" shows what he said; unticking hides it.
    said = page.get_by_label("What the father said")
    page.get_by_role("group", name="Who was present").get_by_label("Father").check()
    said.wait_for(state="visible")
    page.get_by_role("group", name="Who was present").get_by_label("Father").uncheck()
    said.wait_for(state="hidden")
    page.get_by_role("group", name="Who was present").get_by_label("Mother").check()

    # A date: one before 2020 asks why it is recorded late, as it is typed.
    late = page.get_by_label("Why this is recorded late")
    fill_date(page, "Date of visit", date(2019, 6, 1))
    late.wait_for(state="visible")
    fill_date(page, "Date of visit", timezone.localdate() - timedelta(days=1))
    late.wait_for(state="hidden")
    if shots:
        page.screenshot(path=f"{shots}/live-radios-checkboxes-date.png", full_page=True)

    # A repeating group: an action's own "Done already?" shows its date.
    page.get_by_role("button", name="Add action").click()
    page.get_by_label("What (optional)").fill("Referral to CAMHS")
    done_on = page.get_by_role("group", name="Date done")
    assert not done_on.is_visible()
    page.get_by_role("group", name="Done already?").get_by_label("Yes").check()
    done_on.wait_for(state="visible")
    fill_date(page, "Date done", timezone.localdate() - timedelta(days=1))
    check_page(page, "live")
    if shots:
        page.screenshot(path=f"{shots}/live-group.png", full_page=True)

    # Submit: the reason typed and then hidden is not kept.
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r".*/check(#.*)?$"))
    assert "Away at school camp" not in page.locator("main").inner_text()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state("load")
    response = FormResponse.objects.get(person=child, definition=definition)
    assert response.status == ResponseStatus.SUBMITTED
    assert "reason" not in response.answers and response.answers["seen_alone"] is False
    assert response.answers["present"] == ["mum"] and "dad_said" not in response.answers
    assert response.answers["actions"][0]["done"] is True and "done_on" in response.answers["actions"][0]
