"""The push: creates through the pages' services, per-field merge and conflicts, idempotent retries, and batches
refused whole."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from people.models import Person
from people.services import person_update
from people.tests.factories import person
from recording.models import CaseNote, ChronologyEntry, Visit
from sync.models import Conflict, Mutation
from sync.services import conflict_resolve

from .helpers import DeviceClient

pytestmark = pytest.mark.django_db


def mid() -> str:
    return str(uuid.uuid4())


def case_note(child: Any, subject: str = "Home visit follow-up", **extra: Any) -> dict[str, Any]:
    return {
        "id": mid(),
        "type": "case_note",
        "action": "create",
        "fields": {
            "person_id": child.pk,
            "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "subject": subject,
            "body": "Spoke to Amelia and her mum in the kitchen.",
            **extra,
        },
        "made_at": timezone.now().isoformat(),
    }


def edit(child: Any, fields: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": mid(),
        "type": "person",
        "action": "update",
        "record_id": str(child.pk),
        "fields": fields,
        "base": base,
    }


def test_a_case_note_recorded_offline_is_written_through_the_service_with_its_chronology_and_audit(alice: Any) -> None:
    child = person(held_by=alice)
    d = DeviceClient(alice)
    m = case_note(child)
    r = d.push([m])
    assert r.status_code == 200, r.content
    (result,) = r.json()["results"]
    assert result["status"] == "applied" and result["id"] == m["id"]
    note = CaseNote.objects.get(person=child)
    assert result["record"]["id"] == str(note.pk) and result["record"]["data"]["subject"] == "Home visit follow-up"
    assert ChronologyEntry.objects.filter(person=child, source_type="case_note", source_id=note.pk).exists()
    assert AuditEvent.objects.filter(object_type="case_note", object_id=str(note.pk)).exists()


def test_a_retried_batch_is_answered_not_applied_twice(alice: Any) -> None:
    child = person(held_by=alice)
    d = DeviceClient(alice)
    batch = [case_note(child, "One"), case_note(child, "Two")]
    first = d.push(batch).json()
    again = d.push(list(reversed(batch))).json()
    assert CaseNote.objects.filter(person=child).count() == 2
    assert {r["id"]: r for r in first["results"]} == {r["id"]: r for r in again["results"]}
    assert Mutation.objects.count() == 2


def test_a_visit_goes_through_the_journeys_visit_service(alice: Any) -> None:
    child = person(held_by=alice)
    m = {
        "id": mid(),
        "type": "visit",
        "action": "create",
        "fields": {
            "person_id": child.pk,
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "visit_type": "home",
            "child_seen": True,
            "seen_alone": True,
            "notes": "Seen in her bedroom.",
        },
    }
    (result,) = DeviceClient(alice).push([m]).json()["results"]
    assert result["status"] == "applied", result
    assert Visit.objects.get(person=child).child_seen


def test_a_refused_mutation_says_why_writes_nothing_and_the_others_apply(alice: Any) -> None:
    child = person(held_by=alice)
    future = case_note(child, "Tomorrow")
    future["fields"]["occurred_at"] = (timezone.now() + timedelta(days=2)).isoformat()
    ok = case_note(child, "Today")
    results = DeviceClient(alice).push([future, ok]).json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["reason"] and results[0]["errors"]
    assert results[1]["status"] == "applied"
    assert list(CaseNote.objects.values_list("subject", flat=True)) == ["Today"]


def test_a_child_not_on_the_caseload_is_refused(alice: Any, bob: Any) -> None:
    child = person(held_by=bob)
    (result,) = DeviceClient(alice).push([case_note(child)]).json()["results"]
    assert result["status"] == "rejected" and "caseload" in result["reason"]
    assert not CaseNote.objects.exists()


def test_fields_nobody_else_changed_merge_and_a_field_changed_on_both_sides_is_a_conflict(
    alice: Any, manager: Any
) -> None:
    child = person(held_by=alice)
    d = DeviceClient(alice)
    # On the server meanwhile: the preferred name changed.
    person_update(actor=manager, person=child, preferred_name="Mel")
    m = edit(
        child,
        {"preferred_name": "Millie", "first_language": "Welsh"},
        {"preferred_name": "", "first_language": ""},
    )
    (result,) = d.push([m]).json()["results"]
    assert result["status"] == "merged" and result["conflict_id"]
    assert "preferred name" in result["reason"]
    child.refresh_from_db()
    assert child.first_language == "Welsh"  # merged
    assert child.preferred_name == "Mel"  # nothing overwritten silently
    c = Conflict.objects.get(pk=result["conflict_id"])
    assert (c.device_value, c.server_value, c.base_value) == ("Millie", "Mel", "")
    # A person chooses: the device's value.
    conflict_resolve(actor=alice, conflict=c, keep="device")
    assert Person.objects.get(pk=child.pk).preferred_name == "Millie"
    assert Conflict.objects.get(pk=c.pk).resolved_at is not None


def test_an_edit_with_only_conflicting_fields_is_a_conflict_and_one_nobody_else_touched_applies(alice: Any) -> None:
    child = person(held_by=alice)
    d = DeviceClient(alice)
    (ok,) = d.push([edit(child, {"gender": "Girl"}, {"gender": ""})]).json()["results"]
    assert ok["status"] == "applied"
    person_update(actor=None, person=child, gender="Female")
    (clash,) = d.push([edit(child, {"gender": "Girl, she says"}, {"gender": "Girl"})]).json()["results"]
    assert clash["status"] == "conflict"
    assert Person.objects.get(pk=child.pk).gender == "Female"


def test_the_manager_of_the_team_holding_the_case_may_resolve_and_a_colleague_may_not(
    alice: Any, manager: Any, bob: Any, team_a: Any
) -> None:
    from core.errors import RuleError
    from people.tests.factories import hold

    child = person(held_by=alice)
    hold(child, team_a)
    person_update(actor=None, person=child, preferred_name="Mel")
    d = DeviceClient(alice)
    (result,) = d.push([edit(child, {"preferred_name": "Millie"}, {"preferred_name": ""})]).json()["results"]
    c = Conflict.objects.get(pk=result["conflict_id"])
    with pytest.raises(RuleError):
        conflict_resolve(actor=bob, conflict=c, keep="device")
    conflict_resolve(actor=manager, conflict=c, keep="other", value="Amelia (Millie)")
    assert Person.objects.get(pk=child.pk).preferred_name == "Amelia (Millie)"


def test_resolving_through_the_api(alice: Any) -> None:
    child = person(held_by=alice)
    person_update(actor=None, person=child, preferred_name="Mel")
    d = DeviceClient(alice)
    (result,) = d.push([edit(child, {"preferred_name": "Millie"}, {"preferred_name": ""})]).json()["results"]
    r = d.post(f"/api/v1/sync/conflicts/{result['conflict_id']}/resolve", {"keep": "server"})
    assert r.status_code == 200 and r.json()["resolved"]
    assert Person.objects.get(pk=child.pk).preferred_name == "Mel"
    r = d.post(f"/api/v1/sync/conflicts/{result['conflict_id']}/resolve", {"keep": "server"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("batch", "words"),
    [
        ({"mutations": "not a list"}, "list"),
        ({}, "mutations"),
        ({"mutations": [{"id": "x", "type": "case_note", "action": "create"}]}, "id"),
        ({"mutations": [{"id": str(uuid.uuid4()), "type": "task", "action": "create"}]}, "type"),
        ({"mutations": [{"id": str(uuid.uuid4()), "type": "case_note", "action": "delete"}]}, "action"),
    ],
)
def test_a_malformed_batch_is_refused_whole(alice: Any, batch: dict[str, Any], words: str) -> None:
    child = person(held_by=alice)
    good = case_note(child)
    if isinstance(batch.get("mutations"), list):
        batch["mutations"] = [good, *batch["mutations"]]
    r = DeviceClient(alice).post("/api/v1/sync/push", batch)
    assert r.status_code == 422, r.content
    assert r.json()["detail"] and words in str(r.json()["errors"]).lower() + r.json()["detail"].lower()
    assert not CaseNote.objects.exists() and not Mutation.objects.exists()


def test_more_than_100_mutations_are_refused_whole_with_the_reason(alice: Any) -> None:
    child = person(held_by=alice)
    r = DeviceClient(alice).push([case_note(child, f"Note {i}") for i in range(101)])
    assert r.status_code == 422
    assert "at most 100" in r.json()["detail"] and "101" in r.json()["detail"]
    assert not CaseNote.objects.exists()


def test_a_repeated_id_or_a_hidden_control_character_refuses_the_batch(alice: Any) -> None:
    child = person(held_by=alice)
    m = case_note(child)
    r = DeviceClient(alice).push([m, m])
    assert r.status_code == 422 and "own id" in r.json()["detail"]
    bad = case_note(child, "Null\x00byte")
    r = DeviceClient(alice).push([case_note(child), bad])
    assert r.status_code == 422 and "control characters" in r.json()["detail"]
    assert not CaseNote.objects.exists()


def test_a_batch_over_the_size_limit_is_refused_whole(alice: Any) -> None:
    child = person(held_by=alice)
    big = [case_note(child, f"Note {i}", body="x" * 19_000) for i in range(40)]  # about 760 KB
    r = DeviceClient(alice).push(big)
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    assert not CaseNote.objects.exists()


def test_a_form_drafted_offline_then_submitted_goes_through_the_forms_services(alice: Any) -> None:
    import json
    from pathlib import Path

    from forms.definition import Form
    from forms.models import FormResponse, ResponseStatus
    from forms.services import definition_load

    definition = definition_load(
        actor=None, form=Form(json.loads(Path("forms/tests/fixtures/example-visit-note.v1.json").read_text()))
    ).definition
    child = person(held_by=alice)
    d = DeviceClient(alice)
    base = {"form": definition.name, "version": definition.version, "person_id": child.pk}
    draft = {"id": mid(), "type": "form_draft", "action": "create", "fields": {**base, "answers": {"seen": True}}}
    (saved,) = d.push([draft]).json()["results"]
    assert saved["status"] == "applied" and saved["record"]["type"] == "form_draft", saved
    answers = {"visited_on": "2026-01-06", "seen": True, "seen_alone": True, "observations": "Calm and chatty."}
    submit = {"id": mid(), "type": "form_submission", "action": "create", "record_id": saved["record"]["id"],
              "fields": {**base, "answers": answers}}  # fmt: skip
    (done,) = d.push([submit]).json()["results"]
    assert done["status"] == "applied", done
    response = FormResponse.objects.get(pk=int(saved["record"]["id"]))
    assert response.status == ResponseStatus.SUBMITTED and response.answers["observations"] == "Calm and chatty."
    # Missing answers: rejected with the form's own message per question, nothing written.
    bad = {"id": mid(), "type": "form_submission", "action": "create", "fields": {**base, "answers": {}}}
    (refused,) = d.push([bad]).json()["results"]
    assert refused["status"] == "rejected" and refused["errors"]
    assert FormResponse.objects.filter(person=child).count() == 1
