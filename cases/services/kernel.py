"""What every journey service shares: the time of day a dated step is recorded at, the checks every step makes
(a date that is not in the future, a manager for manager-only steps, a date of birth where age matters), and the tail
every step ends with (its audit event and its chronology entry, in the step's own transaction).

Public names only: the stage modules import these, never each other's private helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils import timezone

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record, snapshot
from cases.rules.ages import not_a_child
from cases.rules.dates import Follows, born, not_before_errors, step_date_errors
from core.actors import Actor
from core.errors import RuleError
from people.models import Person
from recording.services import chronology_add


def today() -> date:
    return timezone.localdate()


def noon(day: date) -> datetime:
    """The time a step recorded by date only stands at in the chronology: midday, local time."""
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=timezone.get_current_timezone())


def require_manager(actor: Actor, what: str) -> None:
    """Manager-only steps (deciding contacts, allocating, authorising, closing, starting and ending care) refuse
    anyone else (`Can.MANAGE_CASES`). The system (actor None: the seed, imports) may do them.

    A refusal by the access rule, not by the input: PermissionDenied, which pages answer 403 and the API 403 with
    the message (a RuleError would be 422, "fix what you sent", which no input can fix)."""
    if actor is not None and not access.may(actor, access.Can.MANAGE_CASES):
        raise PermissionDenied(f"Only a team manager can {what}. Ask your manager to do it.")


def step_date(day: date | None, field: str, label: str, *follows: Follows) -> dict[str, str]:
    """The date rule of every step (cases.rules.dates): {field: message} when `day` is missing, after today, or
    before anything the step follows."""
    return step_date_errors(day, field, label, *follows, today=today())


def not_future(day: date | None, field: str, label: str) -> dict[str, str]:
    """{field: message} when `day` is missing or after today."""
    return step_date(day, field, label)


def date_errors(day: date | None, field: str, label_text: str, person: Person, *follows: Follows) -> dict[str, str]:
    """`step_date`, and not before the person was born."""
    return step_date(day, field, label_text, born(person.full_name, person.date_of_birth), *follows)


def require_after(day: date, field: str, label: str, *follows: Follows) -> None:
    """Refuse `day` when it comes before anything in `follows` (for checks that need what the step follows loaded
    first: the step's own `step_date` already checked it is given and not in the future)."""
    errors = not_before_errors(day, field, label, *follows)
    if errors:
        raise RuleError(errors)


def require_child(person: Person, on: date | None) -> None:
    """Children's work (a contact for the children's front door, a referral, a period of care) is for children
    under 18 and unborn children (cases.rules.ages), on the day of the step (None: the date's own error says so)."""
    refusal = not_a_child(person.full_name, person.date_of_birth, on, today=today()) if on else ""
    if refusal:
        raise RuleError(refusal)


def require_born(person: Person, what: str) -> date:
    if person.date_of_birth is None:
        raise RuleError(f"Record {person.full_name}'s date of birth before you {what}")
    return person.date_of_birth


def audit_step(
    actor: Actor,
    action: AuditAction,
    obj: Model,
    person_id: int,
    fields: list[str],
    extra: dict[str, Any] | None = None,
) -> None:
    """The audit event of a step: the new values of `fields` on `obj` (and `extra`)."""
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        person_id=person_id,
        changes={"new": {**snapshot(obj, fields), **(extra or {})}},
    )


@dataclass(frozen=True)
class Entry:
    """A step's line in the child's chronology."""

    entry_type: str
    title: str
    summary: str = ""
    significant: bool = False


def chronicle(*, actor: Actor, person: Person, obj: Model, on: date | datetime, entry: Entry) -> None:
    """Add the step's entry to the chronology, dated `on` (a date stands at noon)."""
    chronology_add(
        person=person,
        occurred_at=on if isinstance(on, datetime) else noon(on),
        entry_type=entry.entry_type,
        title=entry.title,
        summary=entry.summary,
        source_type=obj._meta.model_name or "",
        source_id=obj.pk,
        actor=actor,
        significant=entry.significant,
    )


def record_step(
    *,
    actor: Actor,
    obj: Model,
    person: Person,
    fields: list[str],
    on: date | datetime,
    entry: Entry,
    action: AuditAction = AuditAction.CREATE,
    extra: dict[str, Any] | None = None,
) -> None:
    """The tail of a step: its chronology entry, then its audit event."""
    chronicle(actor=actor, person=person, obj=obj, on=on, entry=entry)
    audit_step(actor, action, obj, person.pk, fields, extra)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
