"""Recording case notes and visits. Each writes its record, a chronology entry and an audit event in one
transaction. Access to record is checked by the caller (accounts.access.may_for_person), for the person and for each
of the people a note or visit is also recorded for. A correction is checked here too (accounts.access.may_correct:
the author, or a manager of the team holding the case), and refused in words to anyone else."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record, snapshot
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people.models import Person

from .models import CaseNote, CaseNoteType, ChronologyEntry, EntryType, Visit, VisitType

SUMMARY_CHARS = 300


def whole_text(text: str) -> str:
    """What was written, as it was written: line breaks kept (Windows and old Mac line ends made plain), trailing
    spaces and surrounding blank lines gone."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def summarise(text: str) -> str:
    """The beginning of `text` for the chronology list: paragraphs and line breaks kept (runs of blank lines become
    one), at most SUMMARY_CHARS characters, cut at a word and marked "…" when there is more. The whole text is kept
    with the entry (`ChronologyEntry.text`) and shown on its page."""
    text = re.sub(r"[ \t]+", " ", whole_text(text))
    text = re.sub(r"\n *", "\n", text).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[: SUMMARY_CHARS - 1]
    if (space := max(cut.rfind(" "), cut.rfind("\n"))) > SUMMARY_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _actor_name(actor: Actor) -> str:
    return getattr(actor, "display_name", "") if getattr(actor, "is_authenticated", False) else "System"


def _also_for_errors(occurred_at: datetime | None, people: Sequence[Person]) -> dict[str, str]:
    """The date checked against each other child's date of birth, as it is for the person's own."""
    for other in people:
        if _check_when(occurred_at, other):
            return {"also_for": f"The date is long before {other.full_name} was born: check the year or untick them"}
    return {}


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
    recorded_with: uuid.UUID | None = None,
) -> ChronologyEntry:
    """Add an entry to a person's chronology. Called by other services inside their transaction. `summary` is the
    whole of what the entry says: it is kept whole (`text`, shown on the entry's page) and its beginning is the
    summary in the list. Entries recorded together for several people share `recorded_with`."""
    return ChronologyEntry.objects.create(
        person=person,
        occurred_at=occurred_at,
        entry_type=entry_type,
        title=title[:200],
        summary=summarise(summary),
        text=whole_text(summary),
        source_type=source_type,
        source_id=source_id,
        recorded_by_name=_actor_name(actor),
        significant=significant,
        recorded_with=recorded_with,
    )


@dataclass(frozen=True)
class NewEntry:
    """One chronology entry for `chronology_add_many`: what `chronology_add` takes, by the person's id."""

    person_id: int
    occurred_at: datetime
    entry_type: str
    title: str
    summary: str
    source_type: str
    source_id: int
    significant: bool = False
    recorded_with: uuid.UUID | None = None


def chronology_add_many(*, actor: Actor, entries: Sequence[NewEntry]) -> list[ChronologyEntry]:
    """`chronology_add` for many entries in one statement (a bulk import), inside the caller's transaction: the same
    title, summary and whole text rules, the same recorder."""
    recorded_by = _actor_name(actor)
    return ChronologyEntry.objects.bulk_create(
        [
            ChronologyEntry(
                person_id=e.person_id,
                occurred_at=e.occurred_at,
                entry_type=e.entry_type,
                title=e.title[:200],
                summary=summarise(e.summary),
                text=whole_text(e.summary),
                source_type=e.source_type,
                source_id=e.source_id,
                recorded_by_name=recorded_by,
                significant=e.significant,
                recorded_with=e.recorded_with,
            )
            for e in entries
        ],
        batch_size=1000,
    )


def _validate_note(
    occurred_at: datetime | None, person: Person, subject: str, body: str, note_type: str
) -> dict[str, str]:
    errors = _check_when(occurred_at, person)
    if note_type not in CaseNoteType.values:
        errors["note_type"] = "Select the type of note"
    if not subject.strip():
        errors["subject"] = "Enter a subject"
    elif len(subject.strip()) > 200:
        errors["subject"] = "Subject must be 200 characters or fewer"
    if not body.strip():
        errors["body"] = "Enter the note"
    return errors


NOTE_FIELDS = ["occurred_at", "note_type", "subject", "body"]


@transaction.atomic
def case_note_create(
    *,
    actor: Actor,
    person: Person,
    occurred_at: datetime | None,
    subject: str,
    body: str,
    note_type: str = "case_note",
    also_for: Sequence[Person] = (),
) -> CaseNote:
    """Record a case note in `person`'s chronology, and the same note for each of `also_for` (siblings seen
    together): each child's record gets its own note, chronology entry and audit event, the entries linked by one
    `recorded_with`, all in this transaction. Returns `person`'s note. The caller checks that the actor may record
    for every one of them."""
    others = [p for p in dict.fromkeys(also_for) if p.pk != person.pk]
    errors = _validate_note(occurred_at, person, subject, body, note_type)
    errors = {**_also_for_errors(occurred_at, others), **errors}
    if errors:
        raise RuleError(errors)
    assert occurred_at is not None
    actor_ref = actor_or_none(actor)
    together = uuid.uuid4() if others else None
    notes = []
    for who in [person, *others]:
        note = CaseNote.objects.create(
            person=who,
            occurred_at=occurred_at,
            note_type=note_type,
            subject=subject.strip(),
            body=whole_text(body),
            created_by=actor_ref,
            modified_by=actor_ref,
        )
        chronology_add(
            person=who,
            occurred_at=occurred_at,
            entry_type=note_type,
            title=note.subject,
            summary=note.body,
            source_type="case_note",
            source_id=note.pk,
            actor=actor,
            recorded_with=together,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="case_note",
            object_id=str(note.pk),
            person_id=who.pk,
            changes={"new": snapshot(note, NOTE_FIELDS)},
            context={"recorded_with": str(together)} if together else None,
        )
        notes.append(note)
    return notes[0]


def _correction_reason_errors(reason: str, what: str) -> dict[str, str]:
    if not reason.strip():
        return {"reason": f"Enter why the {what} is being corrected"}
    if len(reason.strip()) > 300:
        return {"reason": "The reason must be 300 characters or fewer"}
    return {}


def _kept_time(old: datetime, new: datetime | None) -> datetime | None:
    """The corrected time: the old one when the new one is the same minute (a form gives hours and minutes, so an
    untouched time would otherwise read as a change of its seconds)."""
    if new is not None and old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0):
        return old
    return new


def require_may_correct(actor: Actor, record: CaseNote | Visit) -> None:
    """Refuse a correction by anyone but the author or a manager of the team holding the case (PermissionDenied: 403
    on the page and in the API, with these words). The system (actor None: imports, the seed) may correct."""
    if actor is None:
        return
    what, can = (
        ("visit", access.Can.RECORD_VISITS) if isinstance(record, Visit) else ("note", access.Can.RECORD_CASE_NOTES)
    )
    if not access.may_correct(actor, record.created_by_id, record.person, can):
        raise PermissionDenied(access.CORRECTION_REFUSED.format(what=what))


@transaction.atomic
def case_note_correct(
    *,
    actor: Actor,
    note: CaseNote,
    occurred_at: datetime | None,
    subject: str,
    body: str,
    note_type: str,
    reason: str,
) -> CaseNote:
    """Correct a case note: the note and its chronology entry take the new text; the earlier version stays in the
    row history (CaseNoteEvent), shown on the entry's page as "Corrected on ... by ..." with the reason; the audit
    event holds the old and new values. Refuses a correction without a reason, or one that changes nothing, and
    anyone but the note's author or a manager of the team holding the case (`require_may_correct`)."""
    require_may_correct(actor, note)
    errors = _validate_note(occurred_at, note.person, subject, body, note_type)
    errors.update(_correction_reason_errors(reason, "note"))
    new = {
        "occurred_at": _kept_time(note.occurred_at, occurred_at),
        "note_type": note_type,
        "subject": subject.strip(),
        "body": whole_text(body),
    }
    if not errors and all(getattr(note, k) == v for k, v in new.items()):
        errors["body"] = "Nothing has been changed: change the note, or go back without saving"
    if errors:
        raise RuleError(errors)
    old = snapshot(note, NOTE_FIELDS)
    for k, v in new.items():
        setattr(note, k, v)
    note.correction_reason = reason.strip()
    note.modified_by = actor_or_none(actor)
    note.save(update_fields=[*NOTE_FIELDS, "correction_reason", "modified_by", "modified_at"])
    ChronologyEntry.objects.filter(source_type="case_note", source_id=note.pk).update(
        occurred_at=note.occurred_at,
        entry_type=note.note_type,
        title=note.subject[:200],
        summary=summarise(note.body),
        text=note.body,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="case_note",
        object_id=str(note.pk),
        person_id=note.person_id,
        changes={"old": old, "new": snapshot(note, NOTE_FIELDS)},
        context={"reason": note.correction_reason},
    )
    return note


VISIT_FIELDS = ["occurred_at", "visit_type", "child_seen", "seen_alone", "not_seen_reason", "notes"]

# The hook through which a higher app takes part when a visit is corrected to say the child was seen (cases: the
# statutory visit that was due is completed by it, as if it had been recorded so). Called in the correction's
# transaction with (actor, visit).
_seen_on_correction: list[Callable[[Actor, Visit], None]] = []


def on_visit_corrected_to_seen(hook: Callable[[Actor, Visit], None]) -> None:
    """Register `hook`, called when a visit first recorded as "child not seen" is corrected to "seen"."""
    if hook not in _seen_on_correction:
        _seen_on_correction.append(hook)


def visit_title(visit_type: str, child_seen: bool, seen_alone: bool) -> str:
    """A visit's line in the chronology: "Home visit: child seen alone"."""
    seen = "seen alone" if seen_alone else ("seen, not alone" if child_seen else "not seen")
    label = VisitType(visit_type).label if visit_type in VisitType.values else "Visit"
    return f"{label}: child {seen}"


def _validate_visit(
    occurred_at: datetime | None,
    person: Person,
    visit_type: str,
    child_seen: bool | None,
    seen_alone: bool | None,
    not_seen_reason: str,
    notes: str,
) -> dict[str, str]:
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
    elif child_seen is False and len(not_seen_reason.strip()) > 300:
        errors["not_seen_reason"] = "Why the child was not seen must be 300 characters or fewer"
    if not notes.strip():
        errors["notes"] = "Enter what happened on the visit"
    return errors


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
    also_for: Sequence[Person] = (),
) -> Visit:
    """Record a visit: when, what kind, whether the child was seen and seen alone, and what happened; for each of
    `also_for` too (siblings visited together, the same answers for each), each child's visit with its own chronology
    entry and audit event, linked by one `recorded_with`. Returns `person`'s visit. For a child, call
    `cases.services.visit_record`, which records the visits through this and then the statutory visit tasks they
    complete (a looked-after child's, a child protection plan's)."""
    others = [p for p in dict.fromkeys(also_for) if p.pk != person.pk]
    errors = _validate_visit(occurred_at, person, visit_type, child_seen, seen_alone, not_seen_reason, notes)
    errors = {**_also_for_errors(occurred_at, others), **errors}
    if errors:
        raise RuleError(errors)
    assert occurred_at is not None
    actor_ref = actor_or_none(actor)
    together = uuid.uuid4() if others else None
    visits = []
    for who in [person, *others]:
        visit = Visit.objects.create(
            person=who,
            occurred_at=occurred_at,
            visit_type=visit_type,
            child_seen=bool(child_seen),
            seen_alone=bool(seen_alone) if child_seen else False,
            not_seen_reason=not_seen_reason.strip() if not child_seen else "",
            notes=whole_text(notes),
            created_by=actor_ref,
            modified_by=actor_ref,
        )
        chronology_add(
            person=who,
            occurred_at=occurred_at,
            entry_type=EntryType.VISIT,
            title=visit_title(visit.visit_type, visit.child_seen, visit.seen_alone),
            summary=visit.notes,
            source_type="visit",
            source_id=visit.pk,
            actor=actor,
            significant=not visit.child_seen,
            recorded_with=together,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="visit",
            object_id=str(visit.pk),
            person_id=who.pk,
            changes={"new": snapshot(visit, VISIT_FIELDS)},
            context={"recorded_with": str(together)} if together else None,
        )
        visits.append(visit)
    return visits[0]


@transaction.atomic
def visit_correct(
    *,
    actor: Actor,
    visit: Visit,
    occurred_at: datetime | None,
    visit_type: str,
    child_seen: bool | None,
    seen_alone: bool | None,
    notes: str,
    not_seen_reason: str = "",
    reason: str,
) -> Visit:
    """Correct a visit, as `case_note_correct` corrects a note: the visit and its chronology entry take the new
    answers; the earlier version stays in the row history (VisitEvent), shown on the entry's page with who corrected
    it, when and why; the audit event holds the old and new values. Refuses a correction without a reason, one that
    changes nothing, and anyone but the visit's author or a manager of the team holding the case.

    A visit first recorded as "not seen" and corrected to "seen" counts as the visit that was due: the hooks
    registered with `on_visit_corrected_to_seen` complete it (cases). A correction never reopens a completed task:
    the task's history is the record of what was done when."""
    require_may_correct(actor, visit)
    errors = _validate_visit(occurred_at, visit.person, visit_type, child_seen, seen_alone, not_seen_reason, notes)
    errors.update(_correction_reason_errors(reason, "visit"))
    new = {
        "occurred_at": _kept_time(visit.occurred_at, occurred_at),
        "visit_type": visit_type,
        "child_seen": bool(child_seen),
        "seen_alone": bool(seen_alone) if child_seen else False,
        "not_seen_reason": not_seen_reason.strip() if not child_seen else "",
        "notes": whole_text(notes),
    }
    if not errors and all(getattr(visit, k) == v for k, v in new.items()):
        errors["notes"] = "Nothing has been changed: change the visit, or go back without saving"
    if errors:
        raise RuleError(errors)
    old = snapshot(visit, VISIT_FIELDS)
    now_seen = new["child_seen"] and not visit.child_seen
    for k, v in new.items():
        setattr(visit, k, v)
    visit.correction_reason = reason.strip()
    visit.modified_by = actor_or_none(actor)
    visit.save(update_fields=[*VISIT_FIELDS, "correction_reason", "modified_by", "modified_at"])
    ChronologyEntry.objects.filter(source_type="visit", source_id=visit.pk).update(
        occurred_at=visit.occurred_at,
        title=visit_title(visit.visit_type, visit.child_seen, visit.seen_alone),
        summary=summarise(visit.notes),
        text=visit.notes,
        significant=not visit.child_seen,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="visit",
        object_id=str(visit.pk),
        person_id=visit.person_id,
        changes={"old": old, "new": snapshot(visit, VISIT_FIELDS)},
        context={"reason": visit.correction_reason},
    )
    if now_seen:
        for hook in _seen_on_correction:
            hook(actor, visit)
    return visit
