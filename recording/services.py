"""Recording case notes and visits. Each writes its record, a chronology entry and an audit event in one
transaction. Access is checked by the caller (accounts.access.can_record_for_person)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, snapshot
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people.models import Person

from .models import CaseNote, CaseNoteType, ChronologyEntry, EntryType, Visit, VisitType

SUMMARY_CHARS = 300


def chronology_summary(text: str) -> str:
    """The summary a chronology entry shows for `text`: its whitespace collapsed and, past SUMMARY_CHARS, cut with an
    ellipsis. `chronology_add` stores it; the demo generator, which bulk-loads entries, computes the same."""
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def _actor_name(actor: Actor) -> str:
    return getattr(actor, "display_name", "") if getattr(actor, "is_authenticated", False) else "System"


def _check_when(occurred_at: datetime | None, person: Person) -> dict[str, str]:
    if occurred_at is None:
        return {"occurred_at": "Enter the date and time"}
    if occurred_at > timezone.now() + timedelta(minutes=5):
        return {"occurred_at": "The date and time must be now or in the past"}
    born = person.date_of_birth or person.expected_date_of_birth
    if born and occurred_at.date() < born - timedelta(days=366):
        return {"occurred_at": "The date is long before the person was born: check the year"}
    return {}


def chronology_add(
    *,
    person: Person,
    occurred_at: datetime,
    entry_type: str,
    title: str,
    summary: str,
    source_type: str,
    source_id: int,
    actor: Actor,
    significant: bool = False,
) -> ChronologyEntry:
    """Add an entry to a person's chronology. Called by other services inside their transaction."""
    return ChronologyEntry.objects.create(
        person=person,
        occurred_at=occurred_at,
        entry_type=entry_type,
        title=title[:200],
        summary=chronology_summary(summary),
        source_type=source_type,
        source_id=source_id,
        recorded_by_name=_actor_name(actor),
        significant=significant,
    )


@transaction.atomic
def case_note_create(
    *,
    actor: Actor,
    person: Person,
    occurred_at: datetime | None,
    subject: str,
    body: str,
    note_type: str = "case_note",
) -> CaseNote:
    errors = _check_when(occurred_at, person)
    if note_type not in CaseNoteType.values:
        errors["note_type"] = "Select the type of note"
    if not subject.strip():
        errors["subject"] = "Enter a subject"
    elif len(subject.strip()) > 200:
        errors["subject"] = "Subject must be 200 characters or fewer"
    if not body.strip():
        errors["body"] = "Enter the note"
    if errors:
        raise RuleError(errors)
    assert occurred_at is not None
    actor_ref = actor_or_none(actor)
    note = CaseNote.objects.create(
        person=person,
        occurred_at=occurred_at,
        note_type=note_type,
        subject=subject.strip(),
        body=body.strip(),
        created_by=actor_ref,
        modified_by=actor_ref,
    )
    chronology_add(
        person=person,
        occurred_at=occurred_at,
        entry_type=note_type,
        title=note.subject,
        summary=note.body,
        source_type="case_note",
        source_id=note.pk,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="case_note",
        object_id=str(note.pk),
        person_id=person.pk,
        changes={"new": snapshot(note, ["occurred_at", "note_type", "subject", "body"])},
    )
    return note


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    person: Person,
    occurred_at: datetime | None,
    visit_type: str,
    child_seen: bool | None,
    seen_alone: bool | None,
    notes: str,
    not_seen_reason: str = "",
) -> Visit:
    """Record a visit: when, what kind, whether the child was seen and seen alone, and what happened. For a child,
    call `cases.services.visit_record`, which records the visit through this and then the statutory visit tasks it
    completes (a looked-after child's, a child protection plan's)."""
    errors = _check_when(occurred_at, person)
    if visit_type not in VisitType.values:
        errors["visit_type"] = "Select the type of visit"
    if child_seen is None:
        errors["child_seen"] = "Select whether the child was seen"
    elif child_seen and seen_alone is None:
        errors["seen_alone"] = "Select whether the child was seen alone"
    elif not child_seen and seen_alone:
        errors["seen_alone"] = "A child who was not seen cannot have been seen alone"
    elif child_seen is False and not not_seen_reason.strip():
        errors["not_seen_reason"] = "Enter why the child was not seen"
    if not notes.strip():
        errors["notes"] = "Enter what happened on the visit"
    if errors:
        raise RuleError(errors)
    assert occurred_at is not None
    actor_ref = actor_or_none(actor)
    visit = Visit.objects.create(
        person=person,
        occurred_at=occurred_at,
        visit_type=visit_type,
        child_seen=bool(child_seen),
        seen_alone=bool(seen_alone) if child_seen else False,
        not_seen_reason=not_seen_reason.strip() if not child_seen else "",
        notes=notes.strip(),
        created_by=actor_ref,
        modified_by=actor_ref,
    )
    seen = "seen alone" if visit.seen_alone else ("seen, not alone" if visit.child_seen else "not seen")
    chronology_add(
        person=person,
        occurred_at=occurred_at,
        entry_type=EntryType.VISIT,
        title=f"{visit.get_visit_type_display()}: child {seen}",
        summary=visit.notes,
        source_type="visit",
        source_id=visit.pk,
        actor=actor,
        significant=not visit.child_seen,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="visit",
        object_id=str(visit.pk),
        person_id=person.pk,
        changes={
            "new": snapshot(
                visit, ["occurred_at", "visit_type", "child_seen", "seen_alone", "not_seen_reason", "notes"]
            )
        },
    )
    return visit
