"""Who may fill in which form for whom, and which forms fit a person: asked of accounts.access, never decided in a view.

A form is filled in under the permission of what it writes, decided in one place (`accounts.access.form_permission`:
a form that records a visit needs Can.RECORD_VISITS, a case note Can.RECORD_CASE_NOTES, anything else, including a
form that writes no structured record, Can.RECORD_JOURNEY), and only for a record the user may see
(`access.may_fill_form`). Anyone who may fill in a form for the person may continue its draft (a
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


def permission_for(definition: FormDefinition) -> Can:
    """The permission filling in this form needs: accounts.access decides it from the form's binding target."""
    return access.form_permission(definition.body.get("record"))


def may_fill(user: Any, definition: FormDefinition, person: Person) -> bool:
    return access.may_fill_form(user, definition.body.get("record"), person)


def may_fill_any(user: Any, person: Person) -> bool:
    """Whether the user may fill in any form at all for this person (the "Fill in a form" button)."""
    kinds = {access.form_permission(None), *access.FORM_RECORDS.values()}
    return any(access.may_for_person(user, can, person) for can in kinds)


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
