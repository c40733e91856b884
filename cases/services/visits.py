"""Visits to a child: recorded through recording, then the statutory visits they complete. A visit in which the
child was seen is the statutory visit of a looked-after child and the visit of a child on a child protection plan:
the task that was due is completed and the next one becomes due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import LookedAfterEpisode
from cases.services.looked_after.reviews_and_visits import statutory_visit_recorded
from cases.services.protection import cp_visit_recorded
from core.actors import Actor
from people.models import Person
from recording import services as recording
from recording.models import Visit


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
    """Record a visit (recording.services.visit_record checks and writes it, with its chronology entry and audit
    event) and, when the child was seen, complete the statutory visit that was due and make the next; the same for
    each of `also_for` (siblings visited together, each with their own visit, linked). Returns `person`'s visit. The
    caller checks that the actor may record visits for every one of them."""
    visit = recording.visit_record(
        actor=actor,
        person=person,
        occurred_at=occurred_at,
        visit_type=visit_type,
        child_seen=child_seen,
        seen_alone=seen_alone,
        notes=notes,
        not_seen_reason=not_seen_reason,
        also_for=also_for,
    )
    if visit.child_seen:
        visited_on = timezone.localtime(visit.occurred_at).date()
        for child in dict.fromkeys([person, *also_for]):
            complete_due_visits(actor=actor, person=child, visited_on=visited_on)
    return visit


def complete_due_visits(*, actor: Actor, person: Person, visited_on: date) -> None:
    """The child was seen on `visited_on`: complete the looked-after statutory visit and the child protection visit
    that were due, and make the next."""
    if LookedAfterEpisode.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=visited_on), person=person, started_on__lte=visited_on
    ).exists():
        statutory_visit_recorded(actor=actor, person=person, visited_on=visited_on)
    cp_visit_recorded(actor=actor, person=person, visited_on=visited_on)


def visit_corrected_to_seen(actor: Actor, visit: Visit) -> None:
    """The hook recording calls when a visit is corrected from "not seen" to "seen" (registered in CasesConfig)."""
    complete_due_visits(actor=actor, person=visit.person, visited_on=timezone.localtime(visit.occurred_at).date())
