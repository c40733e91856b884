"""What the children's journey says about who has a legitimate relationship with a record: registered with
people.involvement (the table accounts.access reads) in `CasesConfig.ready`, and refreshed by every service that
changes one of these facts (`refresh_for`).

- The allocated worker, from the allocation's start to its end (the access rule adds the grace period).
- The team holding the case: the team of each open referral (CIN episode) and of each allocation; when a case moves
  to another team, the old team's row is *superseded* (no last-team period); when the case closes, the last team's
  row ends and the access rule gives it the last-team period.
- The reviewing officer who chairs the child's reviews and conferences.
- The front door while a contact awaits a decision: every front door team, and whoever recorded the contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Team, TeamKind
from people.involvement import Held, refresh
from people.models import Basis

from .models import Allocation, CINEpisode, Contact, ReviewingOfficerAssignment


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end(day: date | None) -> datetime | None:
    """A relationship that ends on `day` (its last day) ends at the start of the next."""
    return None if day is None else _start(day + timedelta(days=1))


def _teams(person_ids: list[int]) -> list[Held]:
    rows: list[Held] = []
    for episode in CINEpisode.objects.filter(person_id__in=person_ids).only(
        "pk", "person_id", "team_id", "referral_date", "closure_date"
    ):
        rows.append(
            Held(
                person_id=episode.person_id,
                basis=Basis.TEAM,
                source=f"referral:{episode.pk}",
                started_at=_start(episode.referral_date),
                ended_at=_end(episode.closure_date),
                team_id=episode.team_id,
            )
        )
    return rows


def _allocations(person_ids: list[int]) -> list[Held]:
    rows: list[Held] = []
    for allocation in Allocation.objects.filter(person_id__in=person_ids).only(
        "pk", "person_id", "worker_id", "team_id", "started_on", "ended_on"
    ):
        held = Held(
            person_id=allocation.person_id,
            basis=Basis.ALLOCATED,
            source=f"allocation:{allocation.pk}",
            started_at=_start(allocation.started_on),
            ended_at=_end(allocation.ended_on),
            user_id=allocation.worker_id,
        )
        rows += [held, replace(held, basis=Basis.TEAM, user_id=None, team_id=allocation.team_id)]
    return rows


def _supersede(rows: list[Held]) -> list[Held]:
    """A team's ended row is superseded when another team held the case after it ended."""
    result = []
    for row in rows:
        if row.basis == Basis.TEAM and row.ended_at is not None:
            later = any(
                other.basis == Basis.TEAM
                and other.person_id == row.person_id
                and other.team_id != row.team_id
                and (other.ended_at is None or other.ended_at > row.ended_at)
                for other in rows
            )
            if later:
                row = replace(row, superseded=True)
        result.append(row)
    return result


def _reviewing_officers(person_ids: list[int]) -> list[Held]:
    return [
        Held(
            person_id=a.person_id,
            basis=Basis.REVIEWING_OFFICER,
            source=f"iro:{a.pk}",
            started_at=_start(a.started_on),
            ended_at=_end(a.ended_on),
            user_id=a.officer_id,
        )
        for a in ReviewingOfficerAssignment.objects.filter(person_id__in=person_ids).only(
            "pk", "person_id", "officer_id", "started_on", "ended_on"
        )
    ]


def _front_door(person_ids: list[int]) -> list[Held]:
    front_doors = list(Team.objects.filter(kind=TeamKind.FRONT_DOOR).values_list("pk", flat=True))
    rows: list[Held] = []
    for contact in Contact.objects.filter(person_id__in=person_ids).only(
        "pk", "person_id", "received_at", "decided_at", "created_by_id"
    ):
        held = Held(
            person_id=contact.person_id,
            basis=Basis.FRONT_DOOR,
            source=f"contact:{contact.pk}",
            started_at=min(contact.received_at, contact.decided_at or contact.received_at),
            ended_at=contact.decided_at,
        )
        rows.extend(replace(held, team_id=team_id) for team_id in front_doors)
        if contact.created_by_id:
            rows.append(replace(held, user_id=contact.created_by_id))
    return rows


def provide(person_ids: list[int]) -> Iterable[Held]:
    return [
        *_supersede(_teams(person_ids) + _allocations(person_ids)),
        *_reviewing_officers(person_ids),
        *_front_door(person_ids),
    ]


def refresh_for(*person_ids: int) -> None:
    """Call in the transaction of any change to an allocation, a referral, a contact or a reviewing officer."""
    refresh(person_ids)
