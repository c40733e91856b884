"""Reads of the person index, each a fixed number of queries whatever the size of the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from audit.models import AuditEvent
from core.dates import age_on

from .models import Person, PersonAddress, PersonIdentifier, PersonName, Relationship, RelationshipType, Warning

# What a page or answer says in place of a person the user may not find (a restricted record without a grant): no
# name, no link, no record number.
RESTRICTED_PERSON = "A person whose record is restricted"


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

    @staticmethod
    def other_findable(r: Relationship) -> bool:
        """Whether the viewer may find the other person of a relationship (person_summary annotates it)."""
        return bool(getattr(r, "other_findable", False))

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


def person_summary(person_id: int | Person, *, viewer: Any) -> PersonSummary:
    """Everything the record's summary shows to `viewer`: 6 queries, 5 when given the person already fetched (the
    record page has it from its access check). Each relationship's `other_findable` says
    whether the viewer may find the other person (accounts.access.findable_people): a restricted relative's name and
    link are shown only to those with a grant."""
    from accounts import access

    # Asked of every relative: the rule as one SQL expression on the relationship's other person (the queryset
    # form, findable_people, took Django milliseconds to build).
    findable = access.findable_expression(viewer, f'"{Relationship._meta.db_table}"."other_id"')
    prefetches = [
        Prefetch("names", queryset=PersonName.objects.order_by("kind", "-used_to", "id")),
        Prefetch("identifiers", queryset=PersonIdentifier.objects.filter(ended_on__isnull=True)),
        Prefetch("addresses", queryset=PersonAddress.objects.order_by("-lived_from", "-id")),
        Prefetch(
            "relationships",
            queryset=Relationship.objects.filter(ended_on__isnull=True)
            .select_related("other")
            .annotate(other_findable=findable)
            .order_by("type", "other__date_of_birth"),
        ),
        Prefetch("warnings", queryset=Warning.objects.filter(ended_on__isnull=True).order_by("review_on")),
    ]
    if isinstance(person_id, Person):
        person = person_id
        prefetch_related_objects([person], *prefetches)
    else:
        person = Person.objects.prefetch_related(*prefetches).get(pk=person_id)
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


def views_by(person: Person, user: Any, limit: int = 20) -> list[AuditEvent]:
    """One user's latest views (and break-glass) of this record, newest first: what information governance looks at
    beside "why could they see it?". One query."""
    return list(
        AuditEvent.objects.filter(
            person=person, actor=user, action__in=[AuditEvent.Action.VIEW, AuditEvent.Action.BREAK_GLASS]
        ).order_by("-occurred_at", "-id")[:limit]
    )


SIBLING_TYPES = (RelationshipType.SIBLING, RelationshipType.HALF_SIBLING)


def children_recorded_with(person: Person, *, visible_to: Any = None) -> list[Person]:
    """The children a note or visit about `person` may also be recorded for: their current siblings and
    half-siblings, and the children who live with them (a household member, a child or step-child, a child cared
    for), under 18 and alive today, youngest last. One query. Who the user may record for is the caller's question
    (accounts.access); `visible_to` keeps only the children whose records that user may see
    (accounts.access.visible_expression), in the same query."""
    from accounts import access

    today = timezone.localdate()
    rows = (
        Relationship.objects.filter(person=person, ended_on__isnull=True, other__date_of_death__isnull=True)
        .filter(Q(type__in=SIBLING_TYPES) | Q(lives_with=True))
        .select_related("other")
        .order_by("other__date_of_birth", "other_id")
    )
    if visible_to is not None:
        seen = access.visible_expression(visible_to, f'"{Relationship._meta.db_table}"."other_id"')
        rows = rows.annotate(other_visible=seen).filter(other_visible=True)
    children: dict[int, Person] = {}
    for r in rows:
        born = r.other.date_of_birth
        if r.other_id != person.pk and born is not None and age_on(born, today) < 18:
            children.setdefault(r.other_id, r.other)
    return list(children.values())


# Warnings that protect staff visiting: shown on the minimal summary to anyone who finds the person.
STAFF_WARNINGS = ("lone_worker", "violence", "weapons", "dog", "infection")


@dataclass
class Contactable:
    """Someone to contact about a person: the allocated worker, or a manager of the team holding the case."""

    name: str
    role: str
    team: str
    phone: str
    email: str


@dataclass
class MinimalSummary:
    """What a colleague without a relationship to the record sees: that the person is known, who to contact, and
    warnings that keep staff safe; nothing of the story."""

    person: Person
    known: bool
    contacts: list[Contactable]
    warnings: list[Warning]


def person_minimal_summary(person: Person) -> MinimalSummary:
    """4 queries."""
    from accounts.models import Membership, Role

    from .models import Basis, Involvement

    rows = list(
        Involvement.objects.filter(person=person, basis__in=[Basis.ALLOCATED, Basis.TEAM], source__contains=":")
        .exclude(source__contains="@")
        .select_related("user", "team")
        .order_by("-started_at")
    )
    open_rows = [r for r in rows if r.ended_at is None]
    contacts: list[Contactable] = []
    team_names: dict[int, str] = {}
    for r in open_rows:
        if r.basis == Basis.ALLOCATED and r.user is not None and r.user.is_active:
            contacts.append(Contactable(r.user.display_name, "Allocated worker", "", r.user.phone, r.user.email))
        elif r.team is not None:
            team_names.setdefault(r.team.pk, r.team.name)
    if not open_rows:  # closed: the team that last held the case
        last = next((r.team for r in rows if r.basis == Basis.TEAM and r.team is not None), None)
        if last is not None:
            team_names[last.pk] = last.name
    managers = (
        Membership.objects.current()
        .filter(team_id__in=list(team_names), role=Role.TEAM_MANAGER, user__is_active=True)
        .select_related("user", "team")
    )
    for m in managers:
        contacts.append(Contactable(m.user.display_name, "Team manager", m.team.name, m.user.phone, m.user.email))
    for c in contacts:
        if not c.team and open_rows:
            c.team = next(iter(team_names.values()), "")
    warnings = list(
        Warning.objects.filter(person=person, ended_on__isnull=True, type__in=STAFF_WARNINGS).order_by("type")
    )
    return MinimalSummary(person=person, known=bool(rows), contacts=contacts, warnings=warnings)
