"""Who may fill in which form for whom, and which forms fit a person: asked of accounts.access, never decided in a view.

A form is filled in under the permission of what it writes (`PERMISSION_FOR_RECORD`: a form that records a journey
step needs Can.RECORD_JOURNEY, one that records a visit Can.RECORD_VISITS); a form that writes no structured record
(its answers are kept with the form, like a note) needs Can.RECORD_CASE_NOTES. In every case only for a record the
user may see (`access.may_for_person`). Anyone who may fill in a form for the person may continue its draft (a
colleague can finish a worker's draft; each save is audited with who made it).

Which forms fit: the definition's `subject` (child: under 18, unborn or of unknown age, as the journey decides;
adult: 18 or over; any: everyone).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts import access
from accounts.access import Can
from cases.rules.ages import is_child
from people.models import Person

from .models import FormDefinition

PERMISSION_FOR_RECORD: dict[str | None, Can] = {
    None: Can.RECORD_CASE_NOTES,
    "assessment": Can.RECORD_JOURNEY,
    "visit": Can.RECORD_VISITS,
    "case_note": Can.RECORD_CASE_NOTES,
}


def permission_for(definition: FormDefinition) -> Can:
    """The permission filling in this form needs (a record target not listed: recording the journey)."""
    return PERMISSION_FOR_RECORD.get(definition.body.get("record"), Can.RECORD_JOURNEY)


def may_fill(user: Any, definition: FormDefinition, person: Person) -> bool:
    return access.may_for_person(user, permission_for(definition), person)


def may_fill_any(user: Any, person: Person) -> bool:
    """Whether the user may fill in any form at all for this person (the "Fill in a form" button)."""
    return any(access.may_for_person(user, can, person) for can in set(PERMISSION_FOR_RECORD.values()))


def fits(definition: FormDefinition, person: Person) -> bool:
    subject = definition.body.get("subject", "any")
    if subject == "any":
        return True
    child = is_child(person.date_of_birth, timezone.localdate())
    return child if subject == "child" else not child


def latest_definitions() -> list[FormDefinition]:
    """The newest version of every form, by title: one query."""
    rows = FormDefinition.objects.order_by("name", "-version").distinct("name")
    return sorted(rows, key=lambda d: d.title.lower())


def forms_for(user: Any, person: Person) -> list[FormDefinition]:
    """The forms this user may fill in for this person, newest versions, whose subject fits them: one query."""
    return [d for d in latest_definitions() if fits(d, person) and may_fill(user, d, person)]
