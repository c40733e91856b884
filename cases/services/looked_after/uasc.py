"""Unaccompanied asylum-seeking children."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record, snapshot
from cases.models_looked_after import (
    UnaccompaniedAsylumSeekingChild,
)
from cases.rules.dates import Follows
from cases.services.kernel import audit_step, date_errors, noon, require_after, require_born
from core.actors import Actor, actor_or_none
from core.dates import birthday, long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def uasc_record(
    *, actor: Actor, person: Person, became_uasc_on: date | None, ceased_on: date | None = None
) -> UnaccompaniedAsylumSeekingChild:
    """Record (or correct) that a child is an unaccompanied asylum-seeking child, and when that ceased (DUC): at the
    latest their 18th birthday."""
    errors = date_errors(became_uasc_on, "became_uasc_on", "date the child became an asylum-seeking child", person)
    if ceased_on is not None:
        errors.update(date_errors(ceased_on, "ceased_on", "date the status ceased", person))
    if errors:
        raise RuleError(errors)
    assert became_uasc_on is not None
    born = require_born(person, "record them as an unaccompanied asylum-seeking child")
    if became_uasc_on >= birthday(born, 18):
        raise RuleError({"became_uasc_on": f"{person.full_name} was 18 by then: only children are UASC"})
    if ceased_on is not None:
        require_after(
            ceased_on,
            "ceased_on",
            "date the status ceased",
            Follows("the child became an asylum-seeking child", became_uasc_on),
        )
        if ceased_on > birthday(born, 18):
            raise RuleError(
                # SSDA903 rule 304
                {"ceased_on": f"The status ceases by the 18th birthday, {long_date(birthday(born, 18))}"}
            )
    row = UnaccompaniedAsylumSeekingChild.objects.select_for_update().filter(person=person).first()
    fields = ["became_uasc_on", "ceased_on"]
    if row is None:
        row = UnaccompaniedAsylumSeekingChild.objects.create(
            person=person,
            became_uasc_on=became_uasc_on,
            ceased_on=ceased_on,
            created_by=actor_or_none(actor),
            modified_by=actor_or_none(actor),
        )
        audit_step(actor, AuditAction.CREATE, row, person.pk, fields)
        title = "Unaccompanied asylum-seeking child"
    else:
        old = snapshot(row, fields)
        row.became_uasc_on = became_uasc_on
        row.ceased_on = ceased_on
        row.modified_by = actor_or_none(actor)
        row.save(update_fields=[*fields, "modified_by", "modified_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="unaccompaniedasylumseekingchild",
            object_id=str(row.pk),
            person_id=person.pk,
            changes={"old": old, "new": snapshot(row, fields)},
        )
        title = "Unaccompanied asylum-seeking child status updated"
    chronology_add(
        person=person,
        occurred_at=noon(became_uasc_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=title,
        summary=f"From {long_date(became_uasc_on)}" + (f" to {long_date(ceased_on)}." if ceased_on else "."),
        source_type="unaccompaniedasylumseekingchild",
        source_id=row.pk,
        actor=actor,
    )
    return row
