"""Keeping the legitimate-relationship table (people.models.Involvement) in step with the record.

accounts.access decides who sees a record from Involvement alone (one indexed condition on any query of people). The
rows come from what the record says: who is allocated, which team holds the case, who chairs the child's reviews, a
contact awaiting a decision. Those facts live in higher apps (cases), so they register a *provider* here (from their
`AppConfig.ready`, like the record page's sections) and call `refresh(person_ids)` in the transaction of every change
to them. Grants and break-glass write their own rows (people.services) and are never touched by refresh.

A family is worked together: the social worker holding a child must see the parents' and siblings' records. So a
person also holds the relationships of the people they are currently related to (allocated, team, reviewing officer
and front door rows, each marked as coming through that relative).

Rows are never deleted: a relationship that no longer holds is ended (`ended_at`), and the access rule applies any
grace period after the end from settings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Basis, Involvement, Person, Relationship


@dataclass(frozen=True)
class Held:
    """A relationship a provider finds in the record: `person_id` is held by `user_id` or `team_id` on `basis`."""

    person_id: int
    basis: str
    source: str
    started_at: datetime
    ended_at: datetime | None = None
    user_id: int | None = None
    team_id: int | None = None
    superseded: bool = False

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        return (self.source, self.user_id, self.team_id)


Provider = Callable[[list[int]], Iterable[Held]]

_providers: list[Provider] = []

# Bases that reach a person through their relatives (a child's worker sees the parents' records).
FAMILY_BASES = frozenset({Basis.ALLOCATED, Basis.TEAM, Basis.REVIEWING_OFFICER, Basis.FRONT_DOOR})
# Bases whose rows are written by their own services, not by providers: refresh leaves them alone.
OWN_ROWS = frozenset({Basis.GRANT, Basis.BREAK_GLASS})


def register(provider: Provider) -> None:
    """Add a provider: given person ids, the relationships their records give (for those people only)."""
    if provider not in _providers:
        _providers.append(provider)


def _own(person_ids: list[int]) -> dict[int, list[Held]]:
    found: dict[int, list[Held]] = defaultdict(list)
    if not person_ids:
        return found
    for provider in _providers:
        for held in provider(person_ids):
            found[held.person_id].append(held)
    return found


def _relatives(person_ids: Iterable[int]) -> dict[int, set[int]]:
    related: dict[int, set[int]] = defaultdict(set)
    rows = Relationship.objects.filter(person_id__in=list(person_ids), ended_on__isnull=True).values_list(
        "person_id", "other_id"
    )
    for person_id, other_id in rows:
        related[person_id].add(other_id)
    return related


def desired(person_ids: Iterable[int]) -> dict[int, dict[tuple[str, int | None, int | None], Held]]:
    """What the Involvement rows of `person_ids` should be, from the providers, including those through relatives."""
    targets = sorted(set(person_ids))
    relatives = _relatives(targets)
    everyone = sorted(set(targets) | {r for rs in relatives.values() for r in rs})
    own = _own(everyone)
    result: dict[int, dict[tuple[str, int | None, int | None], Held]] = {}
    for person_id in targets:
        rows = {h.key: h for h in own.get(person_id, [])}
        for relative in relatives.get(person_id, ()):
            for held in own.get(relative, []):
                if held.basis in FAMILY_BASES:
                    through = replace(held, person_id=person_id, source=f"{held.source}@{relative}"[:60])
                    rows.setdefault(through.key, through)
        result[person_id] = rows
    return result


@transaction.atomic
def refresh(person_ids: Iterable[int], *, with_relatives: bool = True) -> int:
    """Bring the Involvement rows of these people (and, by default, of everyone related to them, whose rows come
    partly through them) into step with their records. Returns how many rows were written. A few queries, whatever
    the number of people."""
    ids = set(person_ids)
    if not ids:
        return 0
    if with_relatives:
        for others in _relatives(ids).values():
            ids |= others
    wanted = desired(ids)
    existing: dict[int, dict[tuple[str, int | None, int | None], Involvement]] = defaultdict(dict)
    for row in Involvement.objects.filter(person_id__in=ids).exclude(basis__in=OWN_ROWS):
        existing[row.person_id][(row.source, row.user_id, row.team_id)] = row
    now = timezone.now()
    to_create: list[Involvement] = []
    to_update: list[Involvement] = []
    for person_id in ids:
        have = existing.get(person_id, {})
        for key, held in wanted.get(person_id, {}).items():
            found = have.get(key)
            if found is None:
                to_create.append(
                    Involvement(
                        person_id=person_id,
                        user_id=held.user_id,
                        team_id=held.team_id,
                        basis=held.basis,
                        source=held.source,
                        started_at=held.started_at,
                        ended_at=held.ended_at,
                        superseded=held.superseded,
                    )
                )
            elif (found.basis, found.started_at, found.ended_at, found.superseded) != (
                held.basis,
                held.started_at,
                held.ended_at,
                held.superseded,
            ):
                found.basis, found.started_at, found.ended_at, found.superseded = (
                    held.basis,
                    held.started_at,
                    held.ended_at,
                    held.superseded,
                )
                to_update.append(found)
        for key, row in have.items():
            if key not in wanted.get(person_id, {}) and (row.ended_at is None or row.ended_at > now):
                row.ended_at = now  # the record no longer gives this relationship: end it, keep the row
                to_update.append(row)
    Involvement.objects.bulk_create(to_create, batch_size=2000)
    Involvement.objects.bulk_update(to_update, ["basis", "started_at", "ended_at", "superseded"], batch_size=2000)
    return len(to_create) + len(to_update)


def refresh_all(*, batch: int = 2000, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every person's rows (after an import, or on an existing database): in batches, each its own
    transaction."""
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), batch):
        written += refresh(ids[start : start + batch], with_relatives=False)
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    return written


# Whoever adds a person may go on working with the record (recording the contact that brought them) for this long.
ADDED_BY_DAYS = 7


def added_by(person_ids: list[int]) -> list[Held]:
    """The person who added a record, for ADDED_BY_DAYS: the front door's own work."""
    return [
        Held(
            person_id=pk,
            basis=Basis.FRONT_DOOR,
            source="added",
            started_at=created_at,
            ended_at=created_at + timedelta(days=ADDED_BY_DAYS),
            user_id=created_by_id,
        )
        for pk, created_by_id, created_at in Person.objects.filter(
            pk__in=person_ids, created_by_id__isnull=False
        ).values_list("pk", "created_by_id", "created_at")
    ]
