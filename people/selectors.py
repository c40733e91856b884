"""Reads of the person index, each a fixed number of queries whatever the size of the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from audit.models import AuditEvent
from core.dates import age_on

from .models import Person, PersonAddress, PersonIdentifier, PersonName, Relationship, RelationshipType, Warning


@dataclass
class PersonSummary:
    person: Person
    names: list[PersonName]
    identifiers: list[Any]
    addresses: list[PersonAddress]
    relationships: list[Relationship]
    warnings: list[Warning]

    @property
    def current_address(self) -> PersonAddress | None:
        return next((a for a in self.addresses if a.lived_to is None), None)

    @property
    def other_names(self) -> list[PersonName]:
        return [n for n in self.names if n.kind != PersonName.Kind.CURRENT]

    @property
    def household(self) -> list[Relationship]:
        return [r for r in self.relationships if r.lives_with and r.ended_on is None]

    @property
    def age(self) -> int | None:
        dob = self.person.date_of_birth
        if dob is None:
            return None
        end = self.person.date_of_death or timezone.localdate()
        return age_on(dob, end)


def person_summary(person_id: int) -> PersonSummary:
    """Everything the record's summary shows: 6 queries."""
    person = Person.objects.prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("kind", "-used_to", "id")),
        Prefetch("identifiers", queryset=PersonIdentifier.objects.filter(ended_on__isnull=True)),
        Prefetch("addresses", queryset=PersonAddress.objects.order_by("-lived_from", "-id")),
        Prefetch(
            "relationships",
            queryset=Relationship.objects.filter(ended_on__isnull=True)
            .select_related("other")
            .order_by("type", "other__date_of_birth"),
        ),
        Prefetch("warnings", queryset=Warning.objects.filter(ended_on__isnull=True).order_by("review_on")),
    ).get(pk=person_id)
    return PersonSummary(
        person=person,
        names=list(person.names.all()),
        identifiers=sorted(person.identifiers.all(), key=lambda i: i.type),
        addresses=list(person.addresses.all()),
        relationships=list(person.relationships.all()),
        warnings=list(person.warnings.all()),
    )


def record_viewers(person: Person, limit: int = 200) -> list[AuditEvent]:
    """Who viewed this record, newest first, with the viewer's name: one query."""
    return list(
        AuditEvent.objects.filter(person=person, action=AuditEvent.Action.VIEW)
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:limit]
    )


SIBLING_TYPES = (RelationshipType.SIBLING, RelationshipType.HALF_SIBLING)


def children_recorded_with(person: Person) -> list[Person]:
    """The children a note or visit about `person` may also be recorded for: their current siblings and
    half-siblings, and the children who live with them (a household member, a child or step-child, a child cared
    for), under 18 and alive today, youngest last. One query. Who the user may record for is the caller's question
    (accounts.access)."""
    today = timezone.localdate()
    rows = (
        Relationship.objects.filter(person=person, ended_on__isnull=True, other__date_of_death__isnull=True)
        .filter(Q(type__in=SIBLING_TYPES) | Q(lives_with=True))
        .select_related("other")
        .order_by("other__date_of_birth", "other_id")
    )
    children: dict[int, Person] = {}
    for r in rows:
        born = r.other.date_of_birth
        if r.other_id != person.pk and born is not None and age_on(born, today) < 18:
            children.setdefault(r.other_id, r.other)
    return list(children.values())
