"""The push: a device's batch of mutations, each applied through the record's own services (docs/sync-protocol.md).

- The batch is checked whole first (sync.api: its shape, at most MAX_MUTATIONS, ids unique): a bad batch is refused
  whole and nothing is written.
- Each mutation id is kept with its result (sync.models.Mutation): a retried mutation is answered with the stored
  result and never applied twice.
- Creates (case notes, visits, form submissions and drafts) are append-only and never conflict: they go through
  recording's and cases' visit services and forms.services, with the pages' rules and audit.
- Updates name the fields changed and the values the device had (`base`). A field whose value in Casework is no
  longer the base is a conflict (kept in sync.models.Conflict for a person to resolve); the other fields apply.
- Each mutation runs in its own savepoint: a refused one (a rule's reason, or no access) writes nothing of itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from cases import services as cases_services
from core.errors import RuleError
from core.inputs import local_time
from forms import services as forms_services
from forms.models import FormDefinition, FormResponse
from people import services as people_services
from people.models import Person
from recording import services as recording_services

from . import prune, records
from .models import Conflict, Device, Mutation, MutationStatus, RecordVersion
from .services import clean_person_value

MAX_MUTATIONS = 100
CREATES = {"case_note", "visit", "form_submission", "form_draft"}
UPDATES = {"person": records.PERSON_EDITABLE}
NO_PERSON = "This person's record is not on your caseload, so it cannot be changed from this device"


def _result(mutation_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": mutation_id,
        "status": status,
        "record": extra.get("record"),
        "conflict_id": extra.get("conflict_id"),
        "reason": extra.get("reason"),
        "errors": extra.get("errors") or {},
    }


def push(*, device: Device, user: Any, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply a batch (already checked whole), in order; the results in the batch's order."""
    ids = [uuid.UUID(str(m["id"])) for m in mutations]
    done = {m.pk: m for m in Mutation.objects.filter(pk__in=ids)}
    results = []
    for mid, m in zip(ids, mutations, strict=True):
        earlier = done.get(mid)
        if earlier is not None:
            if earlier.user_id == user.pk:
                results.append(earlier.result)
            else:
                results.append(_result(str(mid), MutationStatus.REJECTED, reason="This mutation id has been used"))
            continue
        if prune.too_old_to_apply(mid, m.get("made_at")):
            results.append(_result(str(mid), MutationStatus.REJECTED, reason=prune.too_old_reason()))
            continue
        results.append(_apply_and_keep(device, user, mid, m))
    return results


def _apply_and_keep(device: Device, user: Any, mid: uuid.UUID, m: dict[str, Any]) -> dict[str, Any]:
    try:
        with transaction.atomic():
            result = _apply(device, user, str(mid), m)
            _keep(device, user, mid, m, result)
            return result
    except RuleError as e:
        result = _result(str(mid), MutationStatus.REJECTED, reason=_reason(e), errors=e.errors)
    with transaction.atomic():
        _keep(device, user, mid, m, result)
    return result


def _reason(e: RuleError) -> str:
    messages = list(e.errors.values())
    if len(messages) == 1:
        return str(messages[0])
    return f"There are {len(messages)} problems: " + "; ".join(str(v) for v in messages)


def _keep(device: Device, user: Any, mid: uuid.UUID, m: dict[str, Any], result: dict[str, Any]) -> None:
    made_at = m.get("made_at")
    Mutation.objects.create(
        id=mid,
        device=device,
        user=user,
        type=str(m["type"]),
        action=str(m["action"]),
        status=result["status"],
        result=result,
        made_at=made_at if isinstance(made_at, datetime) else None,
    )


def _int_id(value: Any) -> int | None:
    """A record's number from a device (an int, or digits as text), or None: never one the database cannot hold."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 2**63 else None


def _person(user: Any, person_id: Any, what: access.Can) -> Person:
    pk = _int_id(person_id)
    if pk is None:
        raise RuleError({"person_id": "Say whose record this is (person_id)"})
    person = access.offline_people(user).filter(pk=pk).first() or access.visible_people(user).filter(pk=pk).first()
    if person is None:
        raise RuleError({"person_id": NO_PERSON})
    if not access.may_for_person(user, what, person):
        raise RuleError({"person_id": f"Your role does not let you {what.value} for this person"})
    return person


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    except ValueError:
        moment = None
    if moment is None or not 1900 <= moment.year <= 9000:
        raise RuleError({"occurred_at": "Enter the date and time it happened, like 2026-12-05T14:30:00"})
    return local_time(moment)


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RuleError({name: f"{name.replace('_', ' ').capitalize()} must be text"})
    return value


def _bool(fields: dict[str, Any], name: str) -> bool | None:
    value = fields.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise RuleError({name: f"{name.replace('_', ' ').capitalize()} must be true or false"})


def _built(kind_type: str, obj: Any, user: Any) -> dict[str, Any] | None:
    ctx = records.Context(user=user, today=timezone.localdate())
    person_ids = [obj.pk] if kind_type == "person" else [obj.person_id]
    return records.fetch([(kind_type, str(obj.pk))], person_ids, ctx).get((kind_type, str(obj.pk)))


def _apply(device: Device, user: Any, mid: str, m: dict[str, Any]) -> dict[str, Any]:
    type_, action = m["type"], m["action"]
    fields: dict[str, Any] = m.get("fields") or {}
    if action == "create":
        if type_ not in CREATES:
            raise RuleError({"type": f"A {type_.replace('_', ' ')} cannot be created from a device"})
        return _create(user, mid, type_, fields, m.get("record_id"))
    if type_ not in UPDATES:
        raise RuleError({"type": f"A {type_.replace('_', ' ')} cannot be changed from a device"})
    return _update_person(device, user, mid, m)


def _create(user: Any, mid: str, type_: str, fields: dict[str, Any], record_id: Any) -> dict[str, Any]:
    if type_ == "case_note":
        person = _person(user, fields.get("person_id"), access.Can.RECORD_CASE_NOTES)
        note = recording_services.case_note_create(
            actor=user,
            person=person,
            occurred_at=_when(fields.get("occurred_at")),
            subject=_text(fields, "subject"),
            body=_text(fields, "body"),
            note_type=_text(fields, "note_type") or "case_note",
        )
        return _result(mid, MutationStatus.APPLIED, record=_built("case_note", note, user))
    if type_ == "visit":
        person = _person(user, fields.get("person_id"), access.Can.RECORD_VISITS)
        visit = cases_services.visit_record(
            actor=user,
            person=person,
            occurred_at=_when(fields.get("occurred_at")),
            visit_type=_text(fields, "visit_type"),
            child_seen=_bool(fields, "child_seen"),
            seen_alone=_bool(fields, "seen_alone"),
            notes=_text(fields, "notes"),
            not_seen_reason=_text(fields, "not_seen_reason"),
        )
        return _result(mid, MutationStatus.APPLIED, record=_built("visit", visit, user))
    # Forms: a submission, or a draft saved (a new one, or one the device already holds: record_id).
    definition = _definition(fields)
    record = definition.body.get("record")
    person = _person(user, fields.get("person_id"), access.form_permission(record))
    answers = fields.get("answers")
    if not isinstance(answers, dict):
        raise RuleError({"answers": "Send the form's answers as an object"})
    draft = _draft(user, person, record_id) if record_id else None
    if type_ == "form_submission":
        submitted = forms_services.response_submit(
            actor=user, definition=definition, person=person, answers=answers, response=draft
        )
        return _result(mid, MutationStatus.APPLIED, record={"type": "form_response", "id": str(submitted.response.pk)})
    saved = forms_services.draft_save(actor=user, definition=definition, person=person, answers=answers, response=draft)
    return _result(mid, MutationStatus.APPLIED, record=_built("form_draft", saved, user))


def _definition(fields: dict[str, Any]) -> FormDefinition:
    name, version = fields.get("form"), fields.get("version")
    qs = FormDefinition.objects.filter(name=str(name or ""))
    if version is not None:
        if not isinstance(version, int) or isinstance(version, bool):
            raise RuleError({"version": "The form's version must be a whole number"})
        qs = qs.filter(version=version)
    definition = qs.order_by("-version").first()
    if definition is None:
        raise RuleError({"form": f"There is no form “{name}”" + (f" version {version}" if version else "")})
    return definition


def _draft(user: Any, person: Person, record_id: Any) -> FormResponse:
    draft = FormResponse.objects.filter(pk=_int_id(record_id) or 0, person=person).first()
    if draft is None or draft.author_id != user.pk:
        raise RuleError({"record_id": "There is no such draft of yours for this person"})
    return draft


def _update_person(device: Device, user: Any, mid: str, m: dict[str, Any]) -> dict[str, Any]:
    person = _person(user, m.get("record_id"), access.Can.ADD_PEOPLE)
    fields: dict[str, Any] = m.get("fields") or {}
    base: dict[str, Any] = m.get("base") or {}
    editable = UPDATES["person"]
    unknown = sorted(set(fields) - set(editable))
    if unknown:
        raise RuleError({unknown[0]: f"{unknown[0].replace('_', ' ').capitalize()} cannot be changed from a device"})
    if not fields:
        raise RuleError({"fields": "Say which fields changed"})
    missing = sorted(set(fields) - set(base))
    if missing:
        raise RuleError({missing[0]: "Send the value the device had before the change (base)"})
    wanted = {f: clean_person_value(f, v) for f, v in fields.items()}
    current = Person.objects.select_for_update().get(pk=person.pk)
    version = RecordVersion.objects.filter(type="person", record_id=str(person.pk)).values_list("version", flat=True)
    moved = m.get("base_version") is not None and (version.first() or 0) != m.get("base_version")
    apply: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for f, value in wanted.items():
        server = getattr(current, f)
        if server == value:
            continue  # already so: nothing to do, nothing lost
        if server == base[f]:
            apply[f] = value
            continue
        conflicts.append(
            Conflict.objects.create(
                user=user,
                device=device,
                mutation_id=uuid.UUID(mid),
                person=person,
                record_type="person",
                record_id=str(person.pk),
                field=f,
                base_value=base[f],
                device_value=value,
                server_value=server,
            )
        )
    if apply:
        people_services.person_update(actor=user, person=current, **apply)
    for c in conflicts:
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            object_type="sync_conflict",
            object_id=str(c.pk),
            person_id=person.pk,
            changes={"field": c.field, "device_value": c.device_value, "server_value": c.server_value},
        )
    record = _built("person", current, user)
    if conflicts and not apply:
        status = MutationStatus.CONFLICT
    elif conflicts or moved:
        status = MutationStatus.MERGED
    else:
        status = MutationStatus.APPLIED
    reason = None
    if conflicts:
        names = ", ".join(records.PERSON_EDITABLE[c.field].lower() for c in conflicts)
        reason = f"Someone else changed {names} since this device's copy: both values are kept until you choose"
    return _result(mid, status, record=record, conflict_id=conflicts[0].pk if conflicts else None, reason=reason)
