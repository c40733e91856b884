"""Allocating a child to a worker (SSDA903 social worker episodes)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from accounts.models import Membership, Role
from cases.codes import check_code
from cases.models import Allocation, CINEpisode
from cases.rules.codes import FIRST_CONTACT
from cases.rules.dates import Follows, not_before_errors
from cases.services.kernel import Entry, record_step, require_manager, step_date
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType


@transaction.atomic
def allocate(
    *,
    actor: Actor,
    person: Person,
    worker: Any,
    started_on: date | None,
    reason: str,
    change_reason: str = "",
) -> Allocation:
    """Allocate (or reallocate) a child to a worker, not before the open referral. An unborn child may be allocated
    (pre-birth work), so the allocation may come before the birth. The previous allocation ends the day before, with
    the SSDA903 reason for the change; every allocation is kept as a social worker episode."""
    require_manager(actor, "allocate children to workers")
    referral = CINEpisode.objects.filter(person=person, closure_date__isnull=True).first()
    errors = step_date(
        started_on,
        "started_on",
        "allocation date",
        Follows("the referral", referral.referral_date if referral else None),
    )
    if not reason.strip():
        errors["reason"] = "Enter why the child is allocated to this worker"
    membership = (
        Membership.objects.current().filter(user=worker, role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
        .select_related("team")
        .first()
    )
    if membership is None or not worker.is_active:
        errors["worker"] = "Choose an active social worker or manager"
    if errors:
        raise RuleError(errors)
    assert started_on is not None and membership is not None
    current = Allocation.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    if current is not None:
        if current.worker_id == worker.pk:
            raise RuleError({"worker": f"{person.full_name} is already allocated to {worker.display_name}"})
        errors.update(
            check_code("sw_change_reason", change_reason, "change_reason", "Select why the worker is changing")
        )
        if change_reason == FIRST_CONTACT:
            errors["change_reason"] = (
                "First contact is for a child's first worker or a new start after a gap, not a change of worker: "
                "select why the worker is changing"
            )
        errors.update(
            not_before_errors(
                started_on,
                "started_on",
                "allocation date",
                Follows("the current allocation started", current.started_on, same_day=False),
            )
        )
        if errors:
            raise RuleError(errors)
        current.ended_on = started_on - timedelta(days=1)
        current.end_reason = change_reason
        current.save(update_fields=["ended_on", "end_reason", "modified_at"])
    allocation = Allocation.objects.create(
        person=person,
        worker=worker,
        team=membership.team,
        started_on=started_on,
        reason=reason.strip(),
        created_by=actor_or_none(actor),
    )
    record_step(
        actor=actor,
        obj=allocation,
        person=person,
        on=started_on,
        entry=Entry(EntryType.ALLOCATION, f"Allocated to {worker.display_name} ({membership.team.name})", reason),
        fields=["worker", "team", "started_on", "reason"],
        extra={"previous_ended": bool(current)},
    )
    return allocation
