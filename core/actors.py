"""Who does something: the signed-in user, or None for the system (the seed, imports, commands).

`Actor` is the type of every service's `actor` argument. A view passes `request.user`, which may be an anonymous
user when a page is open to everyone; services store `actor_or_none(actor)` on rows and in the audit log, so an
anonymous or system actor is stored as nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # a type only: core does not depend on accounts at run time
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

Actor: TypeAlias = "User | AnonymousUser | None"


def actor_or_none(actor: Actor) -> User | None:
    """The user to store as having done something, or None for the system or an anonymous visitor."""
    if actor is not None and actor.is_authenticated:
        return actor
    return None
