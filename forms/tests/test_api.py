"""Forms in /api/v1/: definitions, a person's drafts and responses, submitting with errors per question, FHIR.
(Who may reach each route, for every kind of user, is casework/tests/access_matrix.py's.)"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from cases.models import Assessment
from conftest import client_for
from forms import fhir
from forms.definition import Form
from forms.models import FormDefinition, FormResponse, ResponseStatus
from forms.services import definition_load, definitions_load, response_submit

from .definitions import assessment

pytestmark = pytest.mark.django_db

EXAMPLE = Path("forms/tests/fixtures/example-visit-note.v1.json")
VISIT = {"visited_on": "2026-01-06", "seen": True, "seen_alone": True, "observations": "Calm and chatty."}


@pytest.fixture
def example() -> FormDefinition:
    return definition_load(actor=None, form=Form(json.loads(EXAMPLE.read_text()))).definition


@pytest.fixture
def held_child(child, alice, manager, team_a, episode):
    """Amelia, whose referral Team A holds (Alice's team, the manager's): they see her full record."""
    from cases import services

    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="New")
    return child


def api(client: Client, method: str, url: str, body: Any = None) -> Any:
    call = getattr(client, method)
    return call(url, json.dumps(body), content_type="application/json") if body is not None else call(url)


def test_definitions_list_each_form_with_its_latest_version(alice, example, tmp_path):
    later = json.loads(EXAMPLE.read_text()) | {"version": 2, "title": "Example, version 2"}
    (tmp_path / "example-visit-note.v2.json").write_text(json.dumps(later))
    definitions_load(actor=None, paths=[tmp_path / "example-visit-note.v2.json"])
    c = client_for(alice)
    listed = api(c, "get", "/api/v1/forms/definitions").json()
    assert listed == [
        {
            "name": "example-visit-note",
            "title": "Example, version 2",
            "version": 2,
            "versions": [1, 2],
            "subject": "any",
            "record": None,
            "authorisation": False,
        }
    ]
    latest = api(c, "get", "/api/v1/forms/definitions/example-visit-note").json()
    assert latest["version"] == 2 and latest["body"]["title"] == "Example, version 2"
    first = api(c, "get", "/api/v1/forms/definitions/example-visit-note/versions/1").json()
    assert first["body"] == example.body and first["sha256"] == example.sha256


def test_an_unknown_form_or_version_is_404_in_words(alice, example):
    c = client_for(alice)
    r = api(c, "get", "/api/v1/forms/definitions/nope")
    assert r.status_code == 404 and "No form is named" in r.json()["detail"]
    r = api(c, "get", "/api/v1/forms/definitions/example-visit-note/versions/7")
    assert r.status_code == 404 and r.json()["detail"].endswith("has no version 7 (it has version 1)")


def test_a_definition_as_fhir(alice, example):
    r = api(client_for(alice), "get", "/api/v1/forms/definitions/example-visit-note/versions/1/fhir")
    assert r.status_code == 200
    assert r.json() == fhir.checked(fhir.questionnaire(example))


def test_a_draft_is_started_saved_read_and_submitted(alice, held_child, example):
    c = client_for(alice)
    base = f"/api/v1/people/{held_child.pk}/forms"
    r = api(c, "post", f"{base}/drafts", {"form": "example-visit-note", "answers": {"seen": True}})
    assert r.status_code == 201, r.content
    draft = r.json()
    assert (draft["status"], draft["version"], draft["answers"], draft["author"]) == (
        "draft",
        1,
        {"seen": True},
        alice.get_full_name(),
    )
    r = api(c, "put", f"{base}/drafts/{draft['id']}", {"answers": VISIT})
    assert r.status_code == 200 and r.json()["answers"] == VISIT
    assert [d["id"] for d in api(c, "get", f"{base}/drafts").json()] == [draft["id"]]
    assert api(c, "get", f"{base}/drafts/{draft['id']}").json()["answers"] == VISIT
    r = api(c, "post", f"{base}/drafts/{draft['id']}/submit", {})
    assert r.status_code == 200, r.content
    done = r.json()
    assert done["status"] == "submitted" and done["sha256"] and done["submitted_by"] == alice.get_full_name()
    assert api(c, "get", f"{base}/drafts").json() == []
    # A submitted form is no longer a draft: it cannot be saved over.
    assert api(c, "put", f"{base}/drafts/{draft['id']}", {"answers": {}}).status_code == 404
    assert api(c, "get", f"{base}/responses/{draft['id']}").json()["answers"] == VISIT
    actions = list(
        AuditEvent.objects.filter(person_id=held_child.pk, action__in=["draft_save", "response_submit"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["draft_save", "draft_save", "response_submit"]


def test_refused_answers_are_422_per_question_and_nothing_is_saved(alice, held_child, example):
    c = client_for(alice)
    url = f"/api/v1/people/{held_child.pk}/forms/responses"
    before = AuditEvent.objects.count()
    r = api(
        c,
        "post",
        url,
        {"form": "example-visit-note", "answers": {"visited_on": "2099-01-01", "actions": [{"what": "x"}]}},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "visited_on": "Date of visit must be today or in the past",
        "seen": "Select yes or no",
        "observations": "Enter observations",
        "actions.0.who": "Enter who",
    }
    assert not FormResponse.objects.exists() and AuditEvent.objects.count() == before


def test_a_draft_refuses_what_cannot_be_stored_and_an_unknown_form(alice, held_child, example):
    c = client_for(alice)
    url = f"/api/v1/people/{held_child.pk}/forms/drafts"
    r = api(c, "post", url, {"form": "example-visit-note", "answers": {"observations": "A\u0000B"}})
    assert r.status_code == 422 and "control characters" in r.json()["errors"]["observations"]
    r = api(c, "post", url, {"form": "nope", "answers": {}})
    assert r.status_code == 422 and r.json()["errors"] == {
        "form": 'No form is named "nope" (casework forms list shows the forms loaded)'
    }
    r = api(c, "post", url, {"form": "example-visit-note", "version": 4, "answers": {}})
    assert r.status_code == 422 and "no version 4" in r.json()["errors"]["version"]
    assert not FormResponse.objects.exists()


def test_submitting_a_bound_form_writes_the_record_through_the_journey(alice, held_child, episode, tmp_path):
    path = tmp_path / "test-assessment.v1.json"
    path.write_text(json.dumps(assessment()))
    definitions_load(actor=None, paths=[path])
    answers = {
        "started": "2026-01-06",
        "health": "Well",
        "factors": ["3A"],
        "recommendation": "cin_plan",
    }
    r = api(
        client_for(alice),
        "post",
        f"/api/v1/people/{held_child.pk}/forms/responses",
        {"form": "test-assessment", "answers": answers},
    )
    assert r.status_code == 201, r.content
    a = Assessment.objects.get(episode=episode)
    assert r.json()["records"] == [{"type": "cases.assessment", "id": a.pk}] and a.outcome == "cin_plan"
    # The journey's rule comes back on the bound question: the assessment in progress started on the 6th.
    r = api(
        client_for(alice),
        "post",
        f"/api/v1/people/{held_child.pk}/forms/responses",
        {"form": "test-assessment", "answers": answers | {"started": "2026-01-07"}},
    )
    assert r.status_code == 422, r.content
    assert r.json()["errors"] == {
        "started": "The assessment in progress for this referral started on 6 January 2026: enter that date"
    }
    assert FormResponse.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1


def test_business_support_cannot_fill_in_a_journey_form(support, held_child, example):
    r = api(
        client_for(support),
        "post",
        f"/api/v1/people/{held_child.pk}/forms/drafts",
        {"form": "example-visit-note", "answers": {}},
    )
    assert r.status_code == 403 and "record the steps of a child's journey" in r.json()["detail"]
    assert not FormResponse.objects.exists()


def test_another_persons_response_is_not_found(alice, held_child, example):
    from people.tests.factories import person

    other = person("Ben", "Jones", date(2014, 1, 1), held_by=alice)
    elsewhere = response_submit(actor=alice, definition=example, person=other, answers=VISIT).response
    c = client_for(alice)
    for url in (
        f"/api/v1/people/{held_child.pk}/forms/responses/{elsewhere.pk}",
        f"/api/v1/people/{held_child.pk}/forms/responses/{elsewhere.pk}/fhir",
        f"/api/v1/people/{held_child.pk}/forms/drafts/{elsewhere.pk}",
    ):
        assert api(c, "get", url).status_code == 404, url


def test_a_response_as_fhir_is_audited(alice, held_child, example):
    response = response_submit(actor=alice, definition=example, person=held_child, answers=VISIT).response
    r = api(client_for(alice), "get", f"/api/v1/people/{held_child.pk}/forms/responses/{response.pk}/fhir")
    assert r.status_code == 200
    body = r.json()
    assert body["resourceType"] == "QuestionnaireResponse" and body["status"] == "completed"
    assert body["questionnaire"].endswith("/fhir/Questionnaire/example-visit-note|1")
    assert AuditEvent.objects.filter(
        action="view", person_id=held_child.pk, context__section=f"form response {response.pk} (FHIR)"
    )


def test_the_openapi_documents_each_forms_route_with_its_errors(alice):
    schema = client_for(alice).get("/api/v1/openapi.json").json()
    submit = schema["paths"]["/api/v1/people/{person_id}/forms/responses"]["post"]
    assert {"201", "401", "403", "404", "422"} <= set(submit["responses"])
    assert "per question id" in submit["description"]
    draft = schema["paths"]["/api/v1/people/{person_id}/forms/drafts/{draft_id}"]
    assert {"200", "401", "403", "404", "422"} <= set(draft["put"]["responses"])
    assert {"200", "401", "403", "404"} <= set(draft["get"]["responses"])
    version = schema["paths"]["/api/v1/forms/definitions/{name}/versions/{version}"]["get"]
    assert {"200", "401", "403", "404"} <= set(version["responses"])


@pytest.fixture
def submitted_assessment(alice, held_child, episode, tmp_path) -> FormResponse:
    path = tmp_path / "test-assessment.v1.json"
    path.write_text(json.dumps(assessment()))
    (loaded,) = definitions_load(actor=None, paths=[path])
    answers = {"started": "2026-01-06", "health": "Well", "factors": ["3A"], "recommendation": "cin_plan"}
    return response_submit(actor=alice, definition=loaded.definition, person=held_child, answers=answers).response


def test_a_manager_authorises_a_submitted_form_and_the_assessment_with_it(manager, alice, submitted_assessment):
    url = f"/api/v1/people/{submitted_assessment.person_id}/forms/responses/{submitted_assessment.pk}"
    refused = api(client_for(alice), "post", f"{url}/authorise", {"comments": "Fine"})
    assert refused.status_code == 403 and "Only a team manager" in refused.json()["detail"]
    r = api(client_for(manager), "post", f"{url}/authorise", {"comments": "A clear analysis"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["decided_by"], body["decision_comments"]) == (
        "authorised",
        manager.get_full_name(),
        "A clear analysis",
    )
    assert Assessment.objects.get(pk=submitted_assessment.records[0]["id"]).authorised_on is not None
    again = api(client_for(manager), "post", f"{url}/authorise", {"comments": ""})
    assert again.status_code == 422 and "this one is authorised" in again.json()["errors"]["__all__"]


def test_a_returned_form_is_reopened_by_the_worker_as_a_new_draft(manager, alice, submitted_assessment):
    person = submitted_assessment.person_id
    url = f"/api/v1/people/{person}/forms/responses/{submitted_assessment.pk}"
    no_reason = api(client_for(manager), "post", f"{url}/return", {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json()["errors"] == {
        "reason": "Enter what the worker needs to change"
    }
    r = api(client_for(manager), "post", f"{url}/return", {"reason": "Say more about school"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    reopened = api(client_for(alice), "post", f"{url}/reopen")
    assert reopened.status_code == 201, reopened.content
    draft = reopened.json()
    assert draft["status"] == "draft" and draft["supersedes"] == submitted_assessment.pk
    assert draft["answers"] == submitted_assessment.answers
    listed = api(client_for(alice), "get", f"/api/v1/people/{person}/forms/drafts").json()
    assert [d["id"] for d in listed] == [draft["id"]]
    # The returned form itself is kept as it was sent: it is not a draft to save over.
    put = api(
        client_for(alice), "put", f"/api/v1/people/{person}/forms/drafts/{submitted_assessment.pk}", {"answers": {}}
    )
    assert put.status_code == 404


def test_a_submitted_form_is_corrected_and_printed_through_the_api(alice, bob, example, held_child):
    answers = {"visited_on": "2026-02-02", "seen": False, "not_seen_reason": "Out", "observations": "Tidy"}
    first = response_submit(actor=alice, definition=example, person=held_child, answers=answers).response
    url = f"/api/v1/people/{held_child.pk}/forms/responses/{first.pk}"
    c = client_for(alice)
    refused = api(c, "post", f"{url}/corrections", {"answers": answers, "reason": ""})
    assert refused.status_code == 422 and "correction_reason" in refused.json()["errors"]
    done = api(c, "post", f"{url}/corrections", {"answers": answers | {"observations": "Untidy"}, "reason": "Misread"})
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["supersedes"] == first.pk and body["correction_reason"] == "Misread"
    assert body["answers"]["observations"] == "Untidy"
    assert FormResponse.objects.get(pk=first.pk).answers["observations"] == "Tidy"  # the old version is kept
    pdf = c.get(f"{url}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="print", person_id=held_child.pk).exists()
    # The same access rule as the pages: someone with no part in the case is refused both.
    other = client_for(bob)
    assert api(other, "post", f"{url}/corrections", {"answers": answers, "reason": "x"}).status_code in (403, 404)
    assert other.get(f"{url}/pdf").status_code in (403, 404)
