"""A manager authorises or returns a submitted form; a worker reopens a returned one, and corrects a submitted one as
a new version that keeps the old (forms.services: response_authorise, response_return, response_reopen,
response_correct, response_changes)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from cases.models import Assessment, Task, TaskKind
from core.errors import RuleError
from forms.definition import Form
from forms.models import FormDefinition, FormResponse, ResponseStatus
from forms.services import (
    definition_load,
    draft_save,
    response_authorise,
    response_changes,
    response_correct,
    response_history,
    response_reopen,
    response_return,
    response_submit,
)

from .definitions import assessment, minimal

pytestmark = pytest.mark.django_db

GOOD = {
    "started": "2026-01-06",
    "completed": "2026-01-20",
    "health": "Well",
    "factors": ["3A", "4B"],
    "analysis": "Domestic abuse at home",
    "recommendation": "cin_plan",
}


@pytest.fixture
def assessment_form() -> FormDefinition:
    return definition_load(actor=None, form=Form(assessment())).definition


@pytest.fixture
def submitted(alice, episode, assessment_form) -> FormResponse:
    return response_submit(actor=alice, definition=assessment_form, person=episode.person, answers=GOOD).response


def test_a_manager_authorises_the_assessment_and_the_journey_moves_on(manager, submitted):
    response = response_authorise(actor=manager, response=submitted, comments="  A clear analysis. ")
    assert response.status == ResponseStatus.AUTHORISED
    assert (response.decided_by, response.decision_comments) == (manager, "A clear analysis.")
    a = Assessment.objects.get()
    assert a.authorised_by == manager and a.authorisation_comments == "A clear analysis."
    assert not Task.objects.filter(kind=TaskKind.ASSESSMENT_AUTHORISATION, completed_on__isnull=True).exists()
    event = AuditEvent.objects.get(action="response_authorise")
    assert event.object_id == str(response.pk) and event.person_id == response.person_id
    with pytest.raises(RuleError, match="this one is authorised"):
        response_authorise(actor=manager, response=response, comments="")


def test_a_worker_cannot_authorise_and_nobody_authorises_their_own(alice, manager, submitted, episode, assessment_form):
    with pytest.raises(PermissionDenied):
        response_authorise(actor=alice, response=submitted, comments="")
    assert FormResponse.objects.get(pk=submitted.pk).status == ResponseStatus.SUBMITTED
    own = FormResponse.objects.create(
        definition=assessment_form,
        person=episode.person,
        status=ResponseStatus.SUBMITTED,
        submitted_at=submitted.submitted_at,
        submitted_by=manager,
        sha256="0" * 64,
    )
    with pytest.raises(RuleError, match="You submitted this form"):
        response_authorise(actor=manager, response=own, comments="")


def test_a_returned_assessment_is_kept_reopened_as_a_draft_and_sent_again(alice, manager, submitted, episode):
    with pytest.raises(RuleError) as e:
        response_return(actor=manager, response=submitted, reason="  ")
    assert e.value.errors == {"reason": "Enter what the worker needs to change"}
    returned = response_return(actor=manager, response=submitted, reason="Say more about the father")
    assert returned.status == ResponseStatus.RETURNED and returned.decision_comments == "Say more about the father"
    a = Assessment.objects.get()
    assert a.submitted_on is None  # in progress again, through the journey's assessment_return
    task = Task.objects.get(kind=TaskKind.ASSESSMENT, completed_on__isnull=True)
    assert "Say more about the father" in task.note
    # The returned version is kept as it was sent: it is reopened as a new draft.
    with pytest.raises(RuleError, match="reopen it as a new draft"):
        draft_save(actor=alice, definition=returned.definition, person=returned.person, answers={}, response=returned)
    draft = response_reopen(actor=alice, response=returned)
    assert response_reopen(actor=alice, response=returned) == draft  # reopening again continues the same draft
    assert (draft.status, draft.supersedes, draft.answers) == (ResponseStatus.DRAFT, returned, returned.answers)
    again = response_submit(
        actor=alice,
        definition=draft.definition,
        person=draft.person,
        answers=GOOD | {"analysis": "Father seen twice"},
        response=draft,
    ).response
    a.refresh_from_db()
    assert Assessment.objects.count() == 1 and a.summary == "Father seen twice" and a.submitted_on is not None
    assert FormResponse.objects.get(pk=returned.pk).answers == GOOD
    assert [r.pk for r in response_history(returned)] == [submitted.pk, again.pk]
    assert response_authorise(actor=manager, response=again, comments="").status == ResponseStatus.AUTHORISED


def test_a_correction_is_a_new_version_that_keeps_the_old_one(alice, manager, submitted):
    authorised = response_authorise(actor=manager, response=submitted, comments="")
    correction = response_correct(
        actor=alice, response=authorised, answers=GOOD | {"health": "Asthma, well managed"}, reason="Typo in health"
    )
    assert correction.pk != authorised.pk and correction.supersedes == authorised
    assert (correction.status, correction.correction_reason) == (ResponseStatus.SUBMITTED, "Typo in health")
    assert correction.records == authorised.records and correction.sha256 != authorised.sha256
    old = FormResponse.objects.get(pk=authorised.pk)
    assert old.answers == GOOD and old.status == ResponseStatus.AUTHORISED
    changes = response_changes(old, correction)
    assert [(c.label, c.before, c.after) for c in changes] == [("Health", "Well", "Asthma, well managed")]
    event = AuditEvent.objects.get(action="response_correct")
    assert event.changes["reason"] == "Typo in health" and event.changes["changed"] == ["health"]
    with pytest.raises(RuleError, match="has a newer version: correct that one"):
        response_correct(actor=alice, response=old, answers=GOOD, reason="x")
    # The correction goes to the manager; the assessment was already authorised, so nothing else changes.
    assert response_authorise(actor=manager, response=correction, comments="Fine").status == ResponseStatus.AUTHORISED
    with pytest.raises(RuleError, match="A correction cannot be returned"):
        second = response_correct(actor=alice, response=correction, answers=GOOD, reason="Back")
        response_return(actor=manager, response=second, reason="No")


def test_a_correction_cannot_change_what_the_authorised_assessment_holds(alice, manager, submitted):
    authorised = response_authorise(actor=manager, response=submitted, comments="")
    with pytest.raises(RuleError) as e:
        response_correct(actor=alice, response=authorised, answers=GOOD | {"factors": ["3A"]}, reason="Wrong factor")
    assert e.value.errors == {
        "factors": "This answer was written to the child's assessment when the form was submitted, and the child's "
        "assessment cannot be changed by a correction: put it back as it was"
    }
    assert FormResponse.objects.count() == 1 and Assessment.objects.get().factors == ["3A", "4B"]


def test_a_correction_needs_a_reason_a_change_and_valid_answers(alice, manager, submitted):
    with pytest.raises(RuleError, match="waiting for a manager's authorisation"):
        response_correct(actor=alice, response=submitted, answers=GOOD, reason="x")
    authorised = response_authorise(actor=manager, response=submitted, comments="")
    with pytest.raises(RuleError) as e:
        response_correct(actor=alice, response=authorised, answers=GOOD | {"health": ""}, reason="")
    assert e.value.errors == {"health": "Enter health", "correction_reason": "Enter why you are correcting this form"}
    with pytest.raises(RuleError, match="You have not changed any answers"):
        response_correct(actor=alice, response=authorised, answers=GOOD, reason="Nothing")
    assert not AuditEvent.objects.filter(action="response_correct").exists()


def test_a_form_without_authorisation_is_corrected_but_not_authorised(alice, manager, child):
    definition = definition_load(actor=None, form=Form(minimal())).definition
    first = response_submit(actor=alice, definition=definition, person=child, answers={"seen": True}).response
    with pytest.raises(RuleError, match="does not need a manager's authorisation"):
        response_authorise(actor=manager, response=first, comments="")
    corrected = response_correct(
        actor=alice, response=first, answers={"seen": False, "health": "Good"}, reason="Not seen after all"
    )
    assert [(c.question, c.before, c.after) for c in response_changes(first, corrected)] == [
        ("seen", True, False),
        ("health", None, "Good"),
    ]


def test_old_versions_keep_their_definition(alice, child):
    v1 = definition_load(actor=None, form=Form(minimal())).definition
    first = response_submit(actor=alice, definition=v1, person=child, answers={"seen": True}).response
    body = minimal() | {"version": 2}
    body["pages"][0]["questions"][0]["label"] = "Did you see the child?"
    definition_load(actor=None, form=Form(json.loads(json.dumps(body))))
    corrected = response_correct(actor=alice, response=first, answers={"seen": False}, reason="x")
    assert corrected.definition == v1
    assert response_changes(first, corrected)[0].label == "Was the child seen?"


def person_form() -> FormDefinition:
    body = minimal()
    body["pages"][0]["questions"].append({"id": "chair", "type": "person", "label": "Chair"})
    body["pages"][1]["questions"][1]["questions"].append({"id": "who", "type": "person", "label": "Who"})
    return definition_load(actor=None, form=Form(body)).definition


def test_a_person_answer_must_be_someone_the_worker_may_see(alice, bob, team_a_holds):
    from people.tests.factories import person

    definition = person_form()
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    mother = person("Sarah", "Hughes", date(1990, 1, 1))
    with pytest.raises(RuleError) as e:
        response_submit(actor=bob, definition=definition, person=child, answers={"chair": mother.pk})
    with pytest.raises(RuleError) as e:
        response_submit(
            actor=alice,
            definition=definition,
            person=child,
            answers={
                "chair": 999999,
                "actions": [{"what": "Call", "who": mother.pk}, {"what": "Visit", "who": 999998}],
            },
        )
    assert e.value.errors == {
        "chair": "Chair: choose someone on the record whom you may see (record 999999 is not one)",
        "actions.1.who": "Who: choose someone on the record whom you may see (record 999998 is not one)",
    }
    assert not FormResponse.objects.exists()
    first = response_submit(actor=alice, definition=definition, person=child, answers={"chair": mother.pk}).response
    # A correction is held to the same rule.
    with pytest.raises(RuleError) as e:
        response_correct(actor=alice, response=first, answers={"chair": 999999}, reason="Wrong chair")
    assert list(e.value.errors) == ["chair"]
