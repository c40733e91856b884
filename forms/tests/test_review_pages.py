"""The submitted form's pages as the worker and the manager use them: read-only answers, Print (PDF), Authorise,
Return to worker, Reopen, Correct this form, the manager's Forms to authorise and the worker's returned forms, and
`casework forms pdf`."""

from __future__ import annotations

import copy
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Notification
from audit.models import AuditEvent
from cases.models import Assessment
from conftest import client_for
from core.printing import pdfa_problems
from forms.definition import Form
from forms.models import FormResponse, ResponseStatus
from forms.services import definition_load, response_authorise, response_return, response_submit

from .definitions import assessment

pytestmark = pytest.mark.django_db

GOOD = {
    "started": "2026-01-06",
    "completed": "2026-01-20",
    "health": "Well, asthma managed",
    "factors": ["3A", "4B"],
    "analysis": "Domestic abuse at home",
    "recommendation": "cin_plan",
}


@pytest.fixture
def submitted(alice, episode, team_a_holds):
    definition = definition_load(actor=None, form=Form(assessment())).definition
    return response_submit(actor=alice, definition=definition, person=episode.person, answers=GOOD).response


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_worker_reads_the_submitted_form(alice, submitted):
    page = client_for(alice).get(reverse("forms:response", args=[submitted.pk]))
    words = text(page)
    assert "Child and family assessment (test)" in words and "Submitted" in words
    assert "Waiting for a manager to authorise it" in words
    assert "Health Well, asthma managed" in words and "Recommendation Child in need plan" in words
    assert "Date started 6 January 2026" in words
    assert f"SHA-256 {submitted.sha256}" in words and "Form Version 1" in words
    assert "Print (PDF)" in words
    # Waiting for the manager: the worker neither authorises nor corrects it.
    assert "Authorise" not in words.replace("authorise it", "") and "Correct this form" not in words
    assert AuditEvent.objects.filter(action="view", person_id=submitted.person_id).exists()


def test_the_manager_authorises_with_comments_after_a_confirmation(manager, submitted):
    c = client_for(manager)
    page = text(c.get(reverse("forms:response", args=[submitted.pk])))
    assert "Authorise" in page and "Return to worker" in page
    confirm = c.get(reverse("forms:response_authorise", args=[submitted.pk]))
    assert "Authorise the child and family assessment (test)" in text(confirm)
    done = c.post(reverse("forms:response_authorise", args=[submitted.pk]), {"comments": "Thorough."}, follow=True)
    words = text(done)
    assert "Child and family assessment (test) authorised" in words and "Authorised by Mo Tester" in words
    assert "Thorough." in words
    assert Assessment.objects.get().authorised_by == manager


def test_the_manager_returns_it_with_a_reason_and_the_worker_is_told(alice, manager, submitted):
    c = client_for(manager)
    empty = c.post(reverse("forms:response_return", args=[submitted.pk]), {"reason": " "})
    assert "There is a problem" in text(empty) and "Enter what the worker needs to change" in text(empty)
    assert FormResponse.objects.get(pk=submitted.pk).status == ResponseStatus.SUBMITTED
    c.post(reverse("forms:response_return", args=[submitted.pk]), {"reason": "Say more about dad"})
    note = Notification.objects.get(user=alice)
    assert "returned the child and family assessment (test) for Amelia Hughes" in note.subject
    worker = client_for(alice)
    listed = text(worker.get(reverse("forms:returned")))
    assert "Child and family assessment (test) for Amelia Hughes" in listed and "Say more about dad" in listed
    page = worker.get(reverse("forms:response", args=[submitted.pk]))
    assert "Returned" in text(page) and "Say more about dad" in text(page) and "Reopen as a draft" in text(page)
    reopened = worker.post(reverse("forms:response_reopen", args=[submitted.pk]))
    assert reopened.status_code == 302
    draft = FormResponse.objects.get(supersedes=submitted)
    assert draft.status == ResponseStatus.DRAFT and draft.answers == GOOD


def test_a_worker_cannot_authorise_or_return(alice, submitted):
    c = client_for(alice)
    assert c.get(reverse("forms:response_authorise", args=[submitted.pk])).status_code == 403
    assert c.post(reverse("forms:response_return", args=[submitted.pk]), {"reason": "x"}).status_code == 403
    assert c.get(reverse("forms:to_authorise")).status_code == 403


def test_forms_to_authorise_lists_the_teams_forms_under_my_team(manager, submitted):
    c = client_for(manager)
    page = c.get(reverse("forms:to_authorise"))
    words = text(page)
    assert "Amelia Hughes" in words and "Child and family assessment (test)" in words and "Alice Tester" in words
    assert 'href="/forms/to-authorise"' in page.content.decode()  # in the My team navigation
    response_authorise(actor=manager, response=submitted, comments="")
    assert "There are no forms waiting for you to authorise" in text(c.get(reverse("forms:to_authorise")))


def test_the_worker_corrects_an_authorised_form_and_sees_what_changed(alice, manager, submitted):
    response_authorise(actor=manager, response=submitted, comments="")
    c = client_for(alice)
    url = reverse("forms:response_correct", args=[submitted.pk])
    form = text(c.get(url))
    assert "Correct the child and family assessment (test)" in form and "Why are you correcting this form?" in form
    post = {
        "started_0": "6",
        "started_1": "1",
        "started_2": "2026",
        "completed_0": "20",
        "completed_1": "1",
        "completed_2": "2026",
        "health": "Well; asthma reviewed in March",
        "factors": ["3A", "4B"],
        "analysis": "Domestic abuse at home",
        "recommendation": "cin_plan",
    }
    refused = text(c.post(url, post))
    assert "Enter why you are correcting this form" in refused
    # The answers the assessment holds are not offered: they are kept as they were, whatever is sent.
    assert "These answers are kept as they were" in form and "Factors identified" in form
    assert 'name="factors"' not in c.get(url).content.decode()
    done = c.post(url, post | {"correction_reason": "The asthma review was missed"}, follow=True)
    words = text(done)
    correction = FormResponse.objects.get(supersedes=submitted)
    assert done.redirect_chain[-1][0] == reverse("forms:response", args=[correction.pk])
    assert "What changed from the earlier version" in words
    assert "Health Before: Well, asthma managed After: Well; asthma reviewed in March" in words
    assert "Why it was corrected The asthma review was missed" in words and "Corrected by Alice Tester" in words
    assert "Versions" in words
    old = text(c.get(reverse("forms:response", args=[submitted.pk])))
    assert "This is an earlier version" in old and "Well, asthma managed" in old


def test_print_is_a_pdfa_with_the_hash_and_audited(alice, submitted):
    got = client_for(alice).get(reverse("forms:response_pdf", args=[submitted.pk]))
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"] == f'attachment; filename="test-assessment-{submitted.pk}.pdf"'
    assert pdfa_problems(got.content, sha256=submitted.sha256) == []
    assert AuditEvent.objects.get(action="print").object_id == str(submitted.pk)


def test_casework_forms_pdf(submitted, tmp_path):
    out = StringIO()
    call_command("forms", "pdf", str(submitted.pk), "--out", str(tmp_path / "a.pdf"), stdout=out)
    assert f"to {tmp_path / 'a.pdf'}" in out.getvalue()
    assert pdfa_problems((tmp_path / "a.pdf").read_bytes(), sha256=submitted.sha256) == []
    with pytest.raises(CommandError, match="There is no form response 999999"):
        call_command("forms", "pdf", "999999", "--out", str(tmp_path / "b.pdf"))


def test_a_response_made_under_version_1_still_renders_after_version_2(alice, submitted):
    child = submitted.person
    plain = assessment() | {"name": "plain-assessment", "authorisation": False}
    del plain["record"]
    for page in plain["pages"]:
        for q in page["questions"]:
            q.pop("bind", None)
    v1 = definition_load(actor=None, form=Form(plain)).definition
    body = copy.deepcopy(v1.body)
    body["version"] = 2
    body["pages"][1]["questions"][0]["label"] = "Health and development"
    first = response_submit(actor=alice, definition=v1, person=child, answers=GOOD).response
    definition_load(actor=None, form=Form(body))
    words = text(client_for(alice).get(reverse("forms:response", args=[first.pk])))
    assert "Health Well, asthma managed" in words and "Health and development" not in words
    pdf = client_for(alice).get(reverse("forms:response_pdf", args=[first.pk])).content
    assert pdfa_problems(pdf, sha256=first.sha256) == []


def test_a_returned_form_reopened_twice_continues_one_draft(alice, manager, submitted):
    response_return(actor=manager, response=submitted, reason="More")
    c = client_for(alice)
    c.post(reverse("forms:response_reopen", args=[submitted.pk]))
    c.post(reverse("forms:response_reopen", args=[submitted.pk]))
    assert FormResponse.objects.filter(supersedes=submitted).count() == 1


def every_type_form() -> dict:
    """A form with no record target and an answer of every type the correction page must take."""
    return {
        "format": 1,
        "name": "every-type",
        "version": 1,
        "title": "Every type",
        "subject": "child",
        "pages": [
            {
                "id": "one",
                "title": "One",
                "questions": [
                    {"id": "met_at", "type": "datetime", "label": "When you met"},
                    {"id": "with", "type": "person", "label": "Who you met"},
                    {"id": "where", "type": "address", "label": "Where"},
                    {"id": "seen", "type": "yes_no", "label": "Was the child seen?"},
                    {"id": "why_not", "type": "text", "label": "Why not", "show_if": {"==": [{"var": "seen"}, False]}},
                ],
            },
            {
                "id": "two",
                "title": "Two",
                "questions": [
                    {
                        "id": "actions",
                        "type": "group",
                        "label": "Actions",
                        "repeats": True,
                        "item_label": "Action",
                        "questions": [
                            {"id": "what", "type": "text", "label": "What", "required": True},
                            {"id": "by_when", "type": "date", "label": "By when"},
                        ],
                    }
                ],
            },
        ],
    }


def test_a_correction_takes_every_answer_type(team_a_holds, alice, child):
    from people.tests.factories import person

    other = person("Sarah", "Hughes", date(1990, 1, 1))
    definition = definition_load(actor=None, form=Form(every_type_form())).definition
    first = response_submit(
        actor=alice,
        definition=definition,
        person=child,
        answers={
            "met_at": "2026-02-03T10:30:00+00:00",
            "with": other.pk,
            "where": {"line_1": "1 High Street", "town": "Leeds", "postcode": "LS1 1AA"},
            "seen": True,
            "actions": [{"what": "Call school", "by_when": "2026-02-10"}, {"what": "Visit again"}],
        },
    ).response
    c = client_for(alice)
    url = reverse("forms:response_correct", args=[first.pk])
    page = c.get(url).content.decode()
    for name in ("met_at-day", "met_at-time", "with-record", "where-line_1", "actions-0-what", "actions-1-by_when-day"):
        assert f'name="{name}"' in page, name
    assert 'value="10:30"' in page and 'value="1 High Street"' in page and 'value="Call school"' in page
    post = {
        "met_at-day": "4",
        "met_at-month": "2",
        "met_at-year": "2026",
        "met_at-time": "2:15pm",
        "with": "other",
        "with-record": str(other.pk),
        "where-line_1": "2 Low Street",
        "where-town": "Leeds",
        "where-postcode": "LS2 2BB",
        "seen": "no",
        "why_not": "Asleep",
        "actions-0-what": "Call the school nurse",
        "actions-0-by_when-day": "10",
        "actions-0-by_when-month": "2",
        "actions-0-by_when-year": "2026",
        "actions-1-what": "Visit again",
    }
    # Adding an entry shows it, saving nothing yet.
    added = c.post(url, post | {"action": "add:actions"})
    assert added.status_code == 200 and 'name="actions-2-what"' in added.content.decode()
    assert not FormResponse.objects.filter(supersedes=first).exists()
    # No reason: refused, with what was typed kept.
    refused = c.post(url, post).content.decode()
    assert "Enter why you are correcting this form" in refused and 'value="2 Low Street"' in refused
    r = c.post(url, post | {"correction_reason": "Wrong visit written up"})
    assert r.status_code == 302
    correction = FormResponse.objects.get(supersedes=first)
    assert correction.answers["met_at"].startswith("2026-02-04T14:15:00")
    assert correction.answers["with"] == other.pk
    assert correction.answers["where"] == {"line_1": "2 Low Street", "town": "Leeds", "postcode": "LS2 2BB"}
    assert correction.answers["seen"] is False and correction.answers["why_not"] == "Asleep"
    assert correction.answers["actions"] == [
        {"what": "Call the school nurse", "by_when": "2026-02-10"},
        {"what": "Visit again"},
    ]
    # Removing an entry, then saving: the correction of the correction has one action.
    url = reverse("forms:response_correct", args=[correction.pk])
    again = {k: v for k, v in post.items() if not k.startswith("actions-1")}
    removed = c.post(url, post | {"action": "remove:actions:1"}).content.decode()
    assert 'name="actions-1-what"' not in removed
    r = c.post(url, again | {"correction_reason": "One action only"})
    assert r.status_code == 302
    assert FormResponse.objects.get(supersedes=correction).answers["actions"] == [
        {"what": "Call the school nurse", "by_when": "2026-02-10"}
    ]


def test_a_correction_refuses_a_person_the_worker_may_not_see(team_a_holds, alice, child):
    definition = definition_load(actor=None, form=Form(every_type_form())).definition
    first = response_submit(actor=alice, definition=definition, person=child, answers={"seen": True}).response
    url = reverse("forms:response_correct", args=[first.pk])
    page = client_for(alice).post(
        url, {"seen": "yes", "with": "other", "with-record": "999999", "correction_reason": "Add who"}
    )
    assert page.status_code == 200
    assert "Who you met: choose someone on the record whom you may see" in page.content.decode()
    assert 'href="#with-0"' in page.content.decode()
    assert not FormResponse.objects.filter(supersedes=first).exists()
