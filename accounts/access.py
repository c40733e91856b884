"""The one place that decides who may see what.

Pages, the API, search results, exports and reports all ask here. The rule (security.md, legitimate relationship):
- a signed-in, active user with at least one role in a team may see people's records, except restricted ones;
- a restricted record (adoption, staff as clients, high-profile people) needs an explicit, unexpired grant;
- a user with no role sees nothing, and a signed-out visitor sees nothing.
Allocations (the children's journey) will add to this rule here, not in views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Membership, Role

if TYPE_CHECKING:
    from people.models import Person


def roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_casework_roles", None)
    if cached is None:
        cached = set(Membership.objects.filter(user_id=user.pk).values_list("role", flat=True))
        user._casework_roles = cached
    return set(cached)


def has_any_role(user: Any) -> bool:
    return bool(roles(user))


def is_manager(user: Any) -> bool:
    return bool(roles(user) & {Role.TEAM_MANAGER, Role.ADMINISTRATOR})


def visible_people(user: Any, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """People this user may see, as a filter on `queryset` (all people when None)."""
    from people.models import Person, RestrictedAccessGrant

    qs = queryset if queryset is not None else Person.objects.all()
    if not has_any_role(user):
        return qs.none()
    grant = RestrictedAccessGrant.objects.filter(
        person_id=OuterRef("pk"), user_id=user.pk, revoked_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    return qs.filter(Q(is_restricted=False) | Exists(grant))


def can_view_person(user: Any, person: Person) -> bool:
    return visible_people(user).filter(pk=person.pk).exists()


RECORDING_ROLES = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.INDEPENDENT_REVIEWING_OFFICER}


def can_record_for_person(user: Any, person: Person) -> bool:
    """Recording case notes, visits and journey steps: practitioners, managers and independent reviewing officers
    (who record the reviews they chair); business support records contacts only; the performance team reads."""
    return bool(roles(user) & RECORDING_ROLES) and can_view_person(user, person)


def can_see_access_log(user: Any) -> bool:
    return is_manager(user)


def can_see_performance(user: Any) -> bool:
    """Dashboards of timeliness and caseloads: managers, the performance team and independent reviewing officers
    (who chair the reviews the dashboards time)."""
    return bool(
        roles(user) & {Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.PERFORMANCE, Role.INDEPENDENT_REVIEWING_OFFICER}
    )


def can_see_reviews_due(user: Any) -> bool:
    """The list of looked-after reviews and child protection review conferences coming due, across the authority:
    independent reviewing officers, who chair them, and managers."""
    return bool(roles(user) & {Role.INDEPENDENT_REVIEWING_OFFICER, Role.TEAM_MANAGER, Role.ADMINISTRATOR})


def can_run_returns(user: Any) -> bool:
    """Producing and downloading statutory returns (whole-authority extracts of children's records) and working
    through their data quality list: the performance team and administrators only."""
    return bool(roles(user) & {Role.PERFORMANCE, Role.ADMINISTRATOR})
