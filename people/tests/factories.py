from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.models import Team, User
from people import services
from people.models import Basis, Involvement, Person

# Teams or users that hold every person `person()` makes, inside `held_by_default` (the `team_a_holds` fixture).
_default_holders: list[Team | User] = []


def person(
    given: str = "Amelia",
    family: str = "Hughes",
    dob: date | None = date(2015, 3, 27),
    *,
    held_by: Team | User | None = None,
    **kw: Any,
) -> Person:
    """A person made through the real service, so search keys and audit are exactly as in production. `held_by` (or,
    inside `held_by_default`, those holders) gets a legitimate relationship with the record, as a case held by a team
    or allocated to a worker would give."""
    made = services.person_create(actor=None, given_name=given, family_name=family, date_of_birth=dob, **kw)
    for holder in [held_by] if held_by is not None else _default_holders:
        hold(made, holder)
    return made


def hold(person: Person, holder: Team | User) -> Involvement:
    """Give a team (or a user) a legitimate relationship with `person`, as holding their case would."""
    if isinstance(holder, Team):
        return Involvement.objects.create(
            person=person, team=holder, basis=Basis.TEAM, source=f"test:team:{holder.pk}", started_at=timezone.now()
        )
    return Involvement.objects.create(
        person=person, user=holder, basis=Basis.ALLOCATED, source=f"test:user:{holder.pk}", started_at=timezone.now()
    )


@contextmanager
def held_by_default(*holders: Team | User) -> Iterator[None]:
    _default_holders.extend(holders)
    try:
        yield
    finally:
        del _default_holders[: len(holders)]


def grant(person: Person, user: User, reason: str = "Adoption worker", days: int = 30) -> Any:
    """An explicit grant, through the real service (as the system)."""
    from datetime import timedelta

    from people.access_services import access_grant_create

    return access_grant_create(
        actor=None, person=person, user=user, reason=reason, expires_at=timezone.now() + timedelta(days=days)
    )
