"""Tasks: the statutory and local timescales of the journey, as work with a due date.

A service that starts something with a timescale opens a task (`task_open`) with its due date from
`cases.rules.timescales`; the service that does the thing completes it; ending a plan, a period of care or a case
cancels what is left. Overdue is `due_on < today`, nothing else (`cases.selectors`).

Which team owns a task (whose dashboard shows it) is decided here and nowhere else: `task_team`.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Model

from accounts.models import Membership, Team
from cases.models import Allocation, CINEpisode, Task, TimescalePolicy
from cases.rules.timescales import POLICY_DEFAULTS
from core.actors import Actor, actor_or_none
from people.models import Person


def local_policy(key: str) -> int:
    """A local-policy interval: the authority's setting (TimescalePolicy), or the default the guidance gives."""
    row = TimescalePolicy.objects.filter(key=key).first()
    return row.value if row else POLICY_DEFAULTS[key]


def task_team(person: Person, actor: Actor) -> Team | None:
    """The team that owns a child's tasks: the allocated worker's team; before allocation, the team holding the open
    referral; before any referral (a contact awaiting decision), the team of whoever recorded it."""
    allocation = Allocation.objects.filter(person=person, ended_on__isnull=True).select_related("team").first()
    if allocation is not None:
        return allocation.team
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).select_related("team").first()
    if episode is not None:
        return episode.team
    user = actor_or_none(actor)
    if user is None:
        return None
    membership = Membership.objects.current().filter(user=user).select_related("team").first()
    return membership.team if membership else None


def task_open(person: Person, kind: str, due_on: date, source: Model, *, actor: Actor, statutory: bool = True) -> Task:
    """Open a task due on `due_on` for `source` (the row whose timescale it is). Idempotent: the same kind, source
    and due date give the same task."""
    task, _ = Task.objects.get_or_create(
        kind=kind,
        source_type=source._meta.model_name,
        source_id=source.pk,
        due_on=due_on,
        defaults={"person": person, "team": task_team(person, actor), "statutory": statutory},
    )
    return task


def tasks_complete(kind: str, source: Model, on: date) -> None:
    """Complete the open tasks of `kind` for `source`."""
    Task.objects.filter(
        kind=kind, source_type=source._meta.model_name, source_id=source.pk, completed_on__isnull=True
    ).update(completed_on=on)


def tasks_note(kind: str, source: Model, note: str) -> None:
    """Say on the open tasks of `kind` for `source` what the worker needs to know ("" clears it): an assessment
    returned by the manager says why."""
    Task.objects.open().filter(kind=kind, source_type=source._meta.model_name, source_id=source.pk).update(
        note=note[:500]
    )


def tasks_cancel_for(source: Model, on: date, *, kind: str | None = None) -> None:
    """Cancel what is left of `source`'s tasks (of one kind, or all): the plan or enquiry they belong to ended."""
    qs = Task.objects.filter(
        source_type=source._meta.model_name, source_id=source.pk, completed_on__isnull=True, cancelled_on__isnull=True
    )
    if kind is not None:
        qs = qs.filter(kind=kind)
    qs.update(cancelled_on=on)


def tasks_cancel(person: Person, kinds: tuple[str, ...] | None, on: date) -> None:
    """Cancel the person's open tasks of these kinds (all kinds when None): their case or period of care ended."""
    qs = Task.objects.filter(person=person, completed_on__isnull=True, cancelled_on__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    qs.update(cancelled_on=on)


def tasks_complete_open(person: Person, kind: str, on: date) -> None:
    """Complete the person's open tasks of `kind`, whatever their source."""
    Task.objects.filter(person=person, kind=kind, completed_on__isnull=True, cancelled_on__isnull=True).update(
        completed_on=on
    )
