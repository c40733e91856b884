"""Loading definitions, drafts and submitting, with the assessment target writing the journey's own rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Assessment, Task, TaskKind
from core.errors import RuleError
from core.testing import assert_same_query_count, count_queries
from forms.definition import DefinitionError, Form
from forms.models import FormDefinition, FormResponse, ResponseStatus
from forms.services import definition_load, definitions_load, draft_save, response_submit
from people.tests.factories import person

from .definitions import assessment, minimal

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parent / "fixtures" / "example-visit-note.v1.json"


def write(tmp_path: Path, body: dict, name: str | None = None) -> Path:
    path = tmp_path / (name or f"{body['name']}.v{body['version']}.json")
    path.write_text(json.dumps(body))
    return path


def test_load_is_idempotent_and_audited(tmp_path):
    path = write(tmp_path, minimal())
    (first,) = definitions_load(actor=None, paths=[path])
    assert first.created and first.definition.name == "x" and first.definition.version == 1
    event = AuditEvent.objects.get(action="form_load")
    assert event.object_id == str(first.definition.pk) and event.changes["sha256"] == first.definition.sha256
    (again,) = definitions_load(actor=None, paths=[path])
    assert not again.created and again.definition.pk == first.definition.pk
    assert AuditEvent.objects.filter(action="form_load").count() == 1


def test_a_changed_published_version_is_refused_and_nothing_is_loaded(tmp_path):
    definitions_load(actor=None, paths=[write(tmp_path, minimal())])
    changed = minimal()
    changed["title"] = "X, reworded"
    other = minimal() | {"name": "y"}
    with pytest.raises(DefinitionError) as e:
        definitions_load(actor=None, paths=[write(tmp_path / "..", other, "y.v1.json"), write(tmp_path, changed)])
    assert e.value.problems == [
        f"{tmp_path}/x.v1.json: version 1 of x is already published and differs; publish it as version 2"
    ]
    assert not FormDefinition.objects.filter(name="y").exists()


SHIPPED = {
    "case-note": "case_note",
    "child-and-family-assessment": "assessment",
    "child-in-need-plan": "cin_plan",
    "child-in-need-plan-review": "cin_plan_review",
    "child-protection-conference": "conference",
    "child-protection-plan": "core_group",
    "family-network-meeting": None,
    "looked-after-review": "looked_after_review",
    "pathway-plan": "pathway_plan",  # version 2 (version 1 wrote no record)
    "return-home-interview": "return_home_interview",  # version 2
    "statutory-visit": "visit",
    "strategy-discussion": "strategy_discussion",
}


def test_the_default_folder_loads_every_shipped_form_and_only_those():
    loaded = definitions_load(actor=None)
    assert {item.definition.name: item.definition.body.get("record") for item in loaded} == SHIPPED


def test_a_published_definition_cannot_be_changed_or_deleted_in_the_database(tmp_path):
    (loaded,) = definitions_load(actor=None, paths=[write(tmp_path, minimal())])
    for statement in ("UPDATE forms_formdefinition SET title = 'Y'", "DELETE FROM forms_formdefinition"):
        with (
            pytest.raises(DatabaseError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert FormDefinition.objects.get(pk=loaded.definition.pk).title == "X"


def example_definition() -> FormDefinition:
    return definition_load(actor=None, form=Form(json.loads(EXAMPLE.read_text()))).definition


def test_drafts_keep_partial_answers_and_are_audited(alice):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    definition = example_definition()
    draft = draft_save(actor=alice, definition=definition, person=child, answers={"seen": True})
    assert draft.status == ResponseStatus.DRAFT and draft.author == alice
    draft_save(
        actor=alice, definition=definition, person=child, answers={"seen": True, "observations": "Calm"}, response=draft
    )
    draft.refresh_from_db()
    assert draft.answers == {"seen": True, "observations": "Calm"}
    assert AuditEvent.objects.filter(action="draft_save", person_id=child.pk).count() == 2


def test_a_draft_refuses_what_could_not_be_stored(alice):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    definition = example_definition()
    with pytest.raises(RuleError) as e:
        draft_save(actor=alice, definition=definition, person=child, answers={"observations": "A\x00B", "colour": 1})
    assert e.value.errors == {
        "colour": 'This form has no question "colour"',
        "observations": "Observations must not contain control characters (such as a NUL byte): delete them",
    }
    with pytest.raises(RuleError) as e:
        draft_save(
            actor=alice,
            definition=definition,
            person=child,
            answers={"seen": True, "not_seen_reason": "hidden\x00", "actions": [{"what": "ok"}, {"who": "\x07"}]},
        )
    assert e.value.errors == {
        "not_seen_reason": "Why they were not seen must not contain control characters (such as a NUL byte): delete them",
        "actions.1.who": "Who must not contain control characters (such as a NUL byte): delete them",
    }
    assert not FormResponse.objects.exists()


def test_submit_without_a_record_target_keeps_the_visible_answers_and_their_hash(alice):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    definition = example_definition()
    draft = draft_save(actor=alice, definition=definition, person=child, answers={"seen": False})
    answers = {
        "visited_on": "2026-12-01",
        "seen": True,
        "seen_alone": True,
        "not_seen_reason": "dropped",
        "observations": "Calm\r\nand well",
    }
    submitted = response_submit(actor=alice, definition=definition, person=child, answers=answers, response=draft)
    response = FormResponse.objects.get(pk=draft.pk)
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_by == alice
    assert response.answers == {
        "visited_on": "2026-12-01",
        "seen": True,
        "seen_alone": True,
        "observations": "Calm\nand well",
    }
    import hashlib

    from forms.definition import canonical

    assert response.sha256 == hashlib.sha256(canonical(response.answers)).hexdigest()
    assert submitted.records == [] and response.records == []
    event = AuditEvent.objects.get(action="response_submit")
    assert event.person_id == child.pk and event.changes["sha256"] == response.sha256
    with pytest.raises(RuleError, match="already been submitted"):
        response_submit(actor=alice, definition=definition, person=child, answers=answers, response=draft)


def test_submit_refuses_bad_answers_with_errors_per_question_and_writes_nothing(alice):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    definition = example_definition()
    with pytest.raises(RuleError) as e:
        response_submit(
            actor=alice,
            definition=definition,
            person=child,
            answers={"visited_on": "2099-01-01", "actions": [{"what": "x"}]},
        )
    assert e.value.errors == {
        "visited_on": "Date of visit must be today or in the past",
        "seen": "Select yes or no",
        "observations": "Enter observations",
        "actions.0.who": "Enter who",
    }
    assert not FormResponse.objects.exists()
    assert not AuditEvent.objects.filter(action="response_submit").exists()


@pytest.fixture
def assessment_form(tmp_path) -> FormDefinition:
    (loaded,) = definitions_load(actor=None, paths=[write(tmp_path, assessment())])
    return loaded.definition


GOOD = {
    "started": "2026-01-06",
    "completed": "2026-01-20",
    "health": "Well",
    "factors": ["3A", "4B"],
    "analysis": "Domestic abuse at home",
    "recommendation": "cin_plan",
}


def test_submitting_the_assessment_writes_it_through_the_journeys_services(alice, episode, assessment_form):
    child = episode.person
    draft = draft_save(actor=alice, definition=assessment_form, person=child, answers={"health": "Well"})
    submitted = response_submit(actor=alice, definition=assessment_form, person=child, answers=GOOD, response=draft)
    a = Assessment.objects.get(episode=episode)
    assert (a.started_on, a.factors, a.summary, a.outcome) == (
        date(2026, 1, 6),
        ["3A", "4B"],
        "Domestic abuse at home",
        "cin_plan",
    )
    assert a.submitted_on == date(2026, 1, 20) and a.submitted_by == alice
    assert Task.objects.filter(kind=TaskKind.ASSESSMENT_AUTHORISATION, completed_on__isnull=True).count() == 1
    assert submitted.records == [a]
    response = FormResponse.objects.get(pk=draft.pk)
    assert response.records == [{"type": "cases.assessment", "id": a.pk}]
    assert AuditEvent.objects.get(action="response_submit").changes["records"] == response.records
    # The journey's own audit events came in the same transaction.
    assert AuditEvent.objects.filter(object_type="assessment", object_id=str(a.pk)).count() >= 3


def test_the_assessment_in_progress_is_recorded_and_submitted_after_a_return(alice, manager, episode, assessment_form):
    child = episode.person
    response_submit(actor=alice, definition=assessment_form, person=child, answers=GOOD)
    a = Assessment.objects.get(episode=episode)
    case_services.assessment_return(actor=manager, assessment=a, reason="Say more", returned_on=date(2026, 1, 21))
    again = GOOD | {"completed": "2026-01-22", "analysis": "More said"}
    response_submit(actor=alice, definition=assessment_form, person=child, answers=again)
    a.refresh_from_db()
    assert Assessment.objects.filter(episode=episode).count() == 1
    assert a.summary == "More said" and a.submitted_on == date(2026, 1, 22)


def test_a_service_error_comes_back_on_the_bound_question(alice, episode, assessment_form):
    child = episode.person
    with pytest.raises(RuleError) as e:
        response_submit(actor=alice, definition=assessment_form, person=child, answers=GOOD | {"started": "2026-01-02"})
    assert e.value.errors == {"started": "The start date cannot be before the referral (5 January 2026)"}
    with pytest.raises(RuleError) as e:
        response_submit(actor=alice, definition=assessment_form, person=child, answers=GOOD | {"factors": ["21", "3A"]})
    assert e.value.errors == {"factors": "Factor 21 (no factors identified) cannot be chosen with other factors"}
    # Nothing was kept: not the assessment the first step started, nor a response, nor an event.
    assert not Assessment.objects.exists()
    assert not FormResponse.objects.exists()
    assert not AuditEvent.objects.filter(action="response_submit").exists()


def test_an_error_no_question_binds_is_a_form_level_error(alice, assessment_form):
    child = person("Noah", "Referral", date(2016, 5, 1))
    with pytest.raises(RuleError) as e:
        response_submit(actor=alice, definition=assessment_form, person=child, answers=GOOD)
    assert e.value.errors == {"__all__": "This child has no open referral: make a referral first"}


def test_submit_query_count_does_not_grow_with_a_repeating_group(alice):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    definition = example_definition()
    base = {"visited_on": "2026-12-01", "seen": False, "not_seen_reason": "Out", "observations": "x"}
    action = {"what": "Call", "who": "Sam", "agreed_on": "2026-12-01", "by_when": "2026-12-03"}
    runs = []
    for n in (1, 20):
        with count_queries() as queries:
            response_submit(actor=alice, definition=definition, person=child, answers=base | {"actions": [action] * n})
        runs.append(queries)
    assert_same_query_count(*runs, labels=("1 action", "20 actions"))
