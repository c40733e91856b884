"""The worker's pages: start a form from the record, fill it page by page (drafts saved on every page and by
autosave), add and remove entries, check the answers and submit."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import client_for
from forms.models import FormResponse, ResponseStatus
from forms.services import definitions_load
from forms.views_fill import response_url
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

EXAMPLE = Path("forms/tests/fixtures/example-visit-note.v1.json")


@pytest.fixture
def definition(db):
    (loaded,) = definitions_load(actor=None, paths=[EXAMPLE])
    return loaded.definition


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


@pytest.fixture
def draft(definition, child, alice_client):
    r = alice_client.post(reverse("forms:start", args=[child.pk, definition.name]), {})
    assert r.status_code == 302
    return FormResponse.objects.get(person=child)


def page_url(draft, page):
    return reverse("forms:page", args=[draft.person_id, draft.pk, page])


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def the_visit(seen="yes", **extra):
    d = yesterday()
    return {"visited_on-day": d.day, "visited_on-month": d.month, "visited_on-year": d.year, "seen": seen, **extra}


def test_the_record_offers_fill_in_a_form_and_lists_the_forms_that_fit(definition, child, alice_client):
    record = alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Fill in a form" in record
    page = alice_client.get(reverse("forms:person_forms", args=[child.pk])).content.decode()
    assert definition.title in page and reverse("forms:start", args=[child.pk, definition.name]) in page


def test_starting_makes_a_draft_and_opens_the_first_page(draft, alice_client):
    assert draft.status == ResponseStatus.DRAFT and draft.answers == {}
    page = alice_client.get(page_url(draft, "the-visit")).content.decode()
    assert "Date of visit" in page and "Save and continue" in page and "Save and come back later" in page
    # The questions shown only for an answer not yet given are on the page, hidden (live.js shows them as answered),
    # with what live.js needs: the conditions, and no answer from another page that no condition reads.
    assert 'data-show-key="seen_alone" hidden' in page and 'data-show-key="not_seen_reason" hidden' in page
    assert 'data-show-key="seen">' in page
    assert 'id="form-conditions"' in page and "forms/live.js" in page


def test_a_second_start_on_the_same_day_makes_a_second_draft_and_a_double_click_does_not(
    definition, child, alice_client
):
    url = reverse("forms:start", args=[child.pk, definition.name])

    def start_page():
        page = alice_client.get(url).content.decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
        after = re.search(r'name="after" value="(\d+)"', page).group(1)
        return {"idempotency_key": key, "after": after}

    first = start_page()
    one = alice_client.post(url, first)
    assert alice_client.post(url, first)["Location"] == one["Location"]  # a double click: the same draft
    assert FormResponse.objects.filter(person=child).count() == 1
    two = alice_client.post(url, start_page())  # "Start now" again, later: a new form, not the first one
    assert two["Location"] != one["Location"]
    assert FormResponse.objects.filter(person=child).count() == 2


def test_save_and_continue_keeps_the_answers_and_a_required_error_stays_on_the_page(draft, alice_client):
    r = alice_client.post(page_url(draft, "the-visit"), {"action": "continue", "seen": "yes"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "There is a problem" in page and "Enter date of visit" in page and 'href="#visited_on-day"' in page
    draft.refresh_from_db()
    assert draft.answers == {"seen": True}  # saved, though not yet complete


def test_an_answer_that_brings_up_a_question_shows_it_before_moving_on(draft, alice_client):
    r = alice_client.post(page_url(draft, "the-visit"), {"action": "continue", **the_visit(seen="no")})
    assert r.status_code == 200  # the page again, with the new question and no error for it
    page = r.content.decode()
    assert "Why they were not seen" in page and "There is a problem" not in page
    r = alice_client.post(
        page_url(draft, "the-visit"), {"action": "continue", **the_visit(seen="no"), "not_seen_reason": "Out"}
    )
    assert r.status_code == 302 and r["Location"] == page_url(draft, "what-happened")


def test_a_question_shown_live_is_read_and_checked_and_one_hidden_live_is_not_posted(draft, alice_client):
    # live.js showed "Why they were not seen" as "No" was chosen: it is read, and checked, with the rest of the page.
    r = alice_client.post(
        page_url(draft, "the-visit"), {"action": "continue", **the_visit(seen="no"), "live-conditions": "1"}
    )
    assert r.status_code == 200 and "Enter why they were not seen" in r.content.decode()
    r = alice_client.post(
        page_url(draft, "the-visit"),
        {"action": "continue", **the_visit(seen="no"), "not_seen_reason": "At camp", "live-conditions": "1"},
    )
    assert r.status_code == 302 and r["Location"] == page_url(draft, "what-happened")
    draft.refresh_from_db()
    assert draft.answers["not_seen_reason"] == "At camp"
    # Back, "Yes" now: the reason hides (its input disabled, so not posted) and "seen alone" shows and is answered.
    r = alice_client.post(
        page_url(draft, "the-visit"),
        {"action": "continue", **the_visit(seen="yes"), "seen_alone": "no", "live-conditions": "1"},
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["seen_alone"] is False
    # The other pages, then submit: the hidden reason is not kept.
    alice_client.post(page_url(draft, "what-happened"), {"action": "continue", "observations": "Fine"})
    alice_client.post(page_url(draft, "actions"), {"action": "continue"})
    r = alice_client.post(reverse("forms:check", args=[draft.person_id, draft.pk]), {})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.SUBMITTED
    assert "not_seen_reason" not in draft.answers and draft.answers["seen_alone"] is False


def test_a_form_with_no_conditions_carries_no_live_script(alice_client, child):
    (loaded,) = definitions_load(actor=None, paths=[Path("forms/definitions/case-note.v1.json")])
    r = alice_client.post(reverse("forms:start", args=[child.pk, loaded.definition.name]), {})
    page = alice_client.get(r["Location"]).content.decode()
    body = loaded.definition.body
    has_conditions = "show_if" in json.dumps(body)
    assert ("forms/live.js" in page) == has_conditions


def test_an_impossible_date_is_kept_as_typed_and_refused_in_words(draft, alice_client):
    r = alice_client.post(
        page_url(draft, "the-visit"),
        {
            "action": "continue",
            "visited_on-day": "31",
            "visited_on-month": "2",
            "visited_on-year": "2026",
            "seen": "no",
        },
    )
    assert "Date of visit must be a real date" in r.content.decode()
    assert 'value="31"' in r.content.decode()
    draft.refresh_from_db()
    assert draft.answers["visited_on"] == "2026-02-31"


def test_save_and_come_back_later_goes_to_the_record_and_the_draft_is_listed(draft, alice_client, child, alice):
    r = alice_client.post(page_url(draft, "the-visit"), {"action": "later", "seen": "yes"})
    assert r.status_code == 302 and r["Location"] == reverse("people:detail", args=[child.pk])
    record = alice_client.get(r["Location"]).content.decode()
    assert "Forms in progress" in record and reverse("forms:resume", args=[child.pk, draft.pk]) in record
    caseload = alice_client.get(reverse("cases:caseload")).content.decode()
    assert "Forms in progress" in caseload and "Example: a note of a visit for Amelia Hughes" in caseload
    # Continue opens the first page with something still to answer.
    resumed = alice_client.get(reverse("forms:resume", args=[child.pk, draft.pk]))
    assert resumed["Location"] == page_url(draft, "the-visit")
    assert AuditEvent.objects.filter(action="draft_save", object_id=str(draft.pk)).count() == 2


def test_multiple_choice_keeps_every_choice_and_checkboxes_show_them(definition, child, alice_client):
    # The example has no multiple choice: a code list with "multiple" is the same widget (checkboxes).
    from django.http import QueryDict

    from forms.definition import Form
    from forms.filling import Choices, page_fields, read_page

    form = Form(
        {
            **definition.body,
            "pages": [
                {
                    "id": "p",
                    "title": "P",
                    "questions": [
                        {
                            "id": "present",
                            "type": "multiple_choice",
                            "label": "Who was present",
                            "options": [
                                {"value": "mum", "label": "Mother"},
                                {"value": "dad", "label": "Father"},
                                {"value": "gran", "label": "Grandmother"},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    post = QueryDict(mutable=True)
    post.setlist("present", ["mum", "gran"])
    answers = read_page(form, form.pages()[0], {}, post)
    assert answers == {"present": ["mum", "gran"]}
    (field,) = page_fields(form, form.pages()[0], answers, {}, Choices())
    assert field.widget == "checkboxes" and field.value == {"mum", "gran"}


def test_add_another_and_remove_with_confirmation(draft, alice_client):
    url = page_url(draft, "actions")
    r = alice_client.post(url, {"action": "add:actions"})
    assert r.status_code == 302 and r["Location"] == f"{url}#actions-item-0"
    r = alice_client.post(url, {"action": "add:actions", "actions-0-what": "Referral to CAMHS", "actions-0-who": "SW"})
    draft.refresh_from_db()
    assert draft.answers["actions"] == [{"what": "Referral to CAMHS", "who": "SW"}, {}]
    page = alice_client.get(url).content.decode()
    assert "Action 1" in page and "Action 2" in page and "Add another action" in page
    # Moving on drops the entry left empty.
    alice_client.post(url, {"action": "remove:actions:0", "actions-0-what": "Referral to CAMHS", "actions-0-who": "SW"})
    confirm = alice_client.get(reverse("forms:remove_item", args=[draft.person_id, draft.pk, "actions", "actions", 0]))
    assert "Are you sure you want to remove action 1?" in confirm.content.decode()
    assert "Referral to CAMHS" in confirm.content.decode()
    alice_client.post(
        reverse("forms:remove_item", args=[draft.person_id, draft.pk, "actions", "actions", 0]), {"remove": "yes"}
    )
    draft.refresh_from_db()
    assert draft.answers["actions"] == [{}]


def test_autosave_saves_the_page_without_checking_it(draft, alice_client):
    url = reverse("forms:autosave", args=[draft.person_id, draft.pk, "what-happened"])
    r = alice_client.post(url, {"observations": "Half way through typ", "home_conditions": "good"})
    assert r.status_code == 200 and "saved_at" in r.json()
    draft.refresh_from_db()
    assert draft.answers == {"observations": "Half way through typ", "home_conditions": "good"}
    refused = alice_client.post(url, {"observations": "a\x00b"})
    assert refused.status_code == 400 and "observations" in refused.json()["errors"]


def test_check_your_answers_then_submit(draft, alice_client, child):
    alice_client.post(page_url(draft, "the-visit"), {"action": "continue", **the_visit()})  # brings up "seen alone"
    alice_client.post(page_url(draft, "the-visit"), {"action": "continue", **the_visit(seen_alone="yes")})
    alice_client.post(
        page_url(draft, "what-happened"),
        {"action": "continue", "observations": "Tidy home", "home_conditions": "good"},
    )
    r = alice_client.post(page_url(draft, "actions"), {"action": "continue"})
    check_url = reverse("forms:check", args=[child.pk, draft.pk])
    assert r["Location"] == check_url
    page = alice_client.get(check_url).content.decode()
    d = yesterday()
    assert "Check your answers" in page and f"{d.day} {d:%B %Y}" in page and "Good" in page
    assert f"{page_url(draft, 'what-happened')}#home_conditions-0" in page  # "Change"
    r = alice_client.post(check_url, {})
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.SUBMITTED and draft.sha256
    assert r.status_code == 302 and r["Location"] == response_url(draft)
    # Submitted: the pages send the worker to the submitted form.
    assert alice_client.get(page_url(draft, "the-visit"))["Location"] == response_url(draft)


def test_a_refusal_at_submit_is_listed_on_the_check_page_linking_to_its_question(draft, alice_client, child):
    check_url = reverse("forms:check", args=[child.pk, draft.pk])
    r = alice_client.post(check_url, {})
    page = r.content.decode()
    assert "There is a problem" in page and "Enter date of visit" in page
    assert f"{page_url(draft, 'the-visit')}#visited_on-day" in page
    draft.refresh_from_db()
    assert draft.status == ResponseStatus.DRAFT


def test_who_may_fill_in_a_form(draft, child, bob, manager, support):
    url = page_url(draft, "the-visit")
    assert client_for(bob).get(url).status_code == 403  # no part in the case
    assert client_for(manager).get(url).status_code == 200  # the holding team's manager may finish it
    # A form that writes no structured record (a pathway plan, a return home interview) is practice recorded on the
    # child's journey (accounts.access.form_permission): business support, who record letters and calls, may not.
    assert client_for(support).get(url).status_code == 403


def test_a_page_with_a_repeating_group_asks_the_database_as_often_with_30_entries_as_with_1(draft, alice_client):
    """The page's queries are fixed (the entries are one JSON answer), and the questions that show are worked out once
    for the page, not for each of its parts."""
    from core.testing import assert_query_count
    from forms import validation

    url = page_url(draft, "actions")
    walks = []
    real = validation.visible

    def counted(*args, **kwargs):
        walks.append(1)
        return real(*args, **kwargs)

    for entries in (1, 30):
        draft.answers = {**the_visit(), "actions": [{"what": f"Action {i}", "who": "SW"} for i in range(entries)]}
        draft.save()
        walks.clear()
        validation.visible = counted
        try:
            with assert_query_count(QUERIES_FORM_PAGE):
                page = alice_client.get(url).content.decode()
        finally:
            validation.visible = real
        assert f"Action {entries}<" in page
        assert len(walks) == 1


# What a page asks about its user is one query, and the merge check is in the person's (decision 0030).
QUERIES_FORM_PAGE = 6
