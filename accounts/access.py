"""The one place that decides who may see what.

Pages, the API, search results, exports and reports all ask here. The rule (security.md, legitimate relationship):
- a signed-in, active user with at least one role in a team may see people's records, except restricted ones;
- a restricted record (adoption, staff as clients, high-profile people) needs an explicit, unexpired grant;
- a user with no role sees nothing, and a signed-out visitor sees nothing.
Allocations (the children's journey) will add to this rule here, not in views.

What each role may *do* is one table, `PERMISSIONS` (role -> what it may do), asked through `may(user, Can.X)` and
`may_for_person(user, Can.X, person)`; the README shows the same table. A user holds the union of their roles.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Membership, Role

if TYPE_CHECKING:
    from people.models import Person


class Can(StrEnum):
    """Something a role may do. The value is how the README and error pages say it."""

    SEE_RECORDS = "see people's records"
    ADD_PEOPLE = "add people and change their details, addresses, relationships and warnings"
    CHANGE_IDENTIFIERS = "add, correct and end identifiers (NHS number, UPN)"
    RECORD_CONTACTS = "record contacts"
    RECORD_CASE_NOTES = "record case notes, letters and calls"
    RECORD_VISITS = "record visits"
    RECORD_JOURNEY = "record the steps of a child's journey"
    MANAGE_CASES = "decide contacts, allocate, authorise assessments, close cases, start and end care"
    SEE_ACCESS_LOG = "see who has viewed a record"
    SEE_REVIEWS_DUE = "see the reviews coming due across the authority"
    SEE_PERFORMANCE = "see the performance dashboards"
    RUN_RETURNS = "produce statutory returns and work through their data quality list"
    CHAIR_REVIEWS = "chair looked-after reviews and child protection conferences"
    REVIEW_BREAK_GLASS = "review break-glass uses of records"
    EXPLAIN_ACCESS = "see why a user could see a record"
    ADMINISTER = "manage users, teams, settings, tokens, grants and declared conflicts"


_PRACTICE = frozenset(
    {Can.SEE_RECORDS, Can.ADD_PEOPLE, Can.CHANGE_IDENTIFIERS}
    | {Can.RECORD_CONTACTS, Can.RECORD_CASE_NOTES, Can.RECORD_VISITS, Can.RECORD_JOURNEY}
)

PERMISSIONS: dict[str, frozenset[Can]] = {
    Role.SOCIAL_WORKER: _PRACTICE,
    Role.TEAM_MANAGER: _PRACTICE
    | {Can.MANAGE_CASES, Can.SEE_ACCESS_LOG, Can.SEE_REVIEWS_DUE, Can.SEE_PERFORMANCE, Can.REVIEW_BREAK_GLASS},
    # Business support: the front door's contacts, new people, and the letters and calls they handle.
    Role.BUSINESS_SUPPORT: frozenset(
        {Can.SEE_RECORDS, Can.ADD_PEOPLE, Can.CHANGE_IDENTIFIERS, Can.RECORD_CONTACTS, Can.RECORD_CASE_NOTES}
    ),
    # Independent reviewing officers record the reviews they chair (journey steps), notes and visits; they read
    # the dashboards that time their reviews.
    Role.INDEPENDENT_REVIEWING_OFFICER: frozenset(
        {Can.SEE_RECORDS, Can.RECORD_CASE_NOTES, Can.RECORD_VISITS, Can.RECORD_JOURNEY, Can.CHAIR_REVIEWS}
        | {Can.SEE_REVIEWS_DUE, Can.SEE_PERFORMANCE}
    ),
    # The performance team reads records (to put data right through the people who own it), dashboards and returns,
    # and puts identifiers right themselves: a missing or wrong UPN is the commonest issue on the data quality list.
    Role.PERFORMANCE: frozenset({Can.SEE_RECORDS, Can.CHANGE_IDENTIFIERS, Can.SEE_PERFORMANCE, Can.RUN_RETURNS}),
    # Information governance: who looked at what and why; reviews break-glass; answers "why could she see this?".
    Role.INFORMATION_GOVERNANCE: frozenset(
        {Can.SEE_RECORDS, Can.SEE_ACCESS_LOG, Can.REVIEW_BREAK_GLASS, Can.EXPLAIN_ACCESS}
    ),
    # Administrators manage users and settings; they read records by the same relationship rule as everyone else.
    Role.ADMINISTRATOR: frozenset(Can) - {Can.CHAIR_REVIEWS},
}


def roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_casework_roles", None)
    if cached is None:
        cached = set(Membership.objects.current().filter(user_id=user.pk).values_list("role", flat=True))
        user._casework_roles = cached
    return set(cached)


def has_any_role(user: Any) -> bool:
    return bool(roles(user))


def may(user: Any, what: Can) -> bool:
    """Whether any of the user's roles may do `what` (PERMISSIONS)."""
    return any(what in PERMISSIONS.get(role, frozenset()) for role in roles(user))


def may_for_person(user: Any, what: Can, person: Person) -> bool:
    """`may`, for a record this user may see."""
    return may(user, what) and can_view_person(user, person)


def what_user_may_do(user: Any) -> list[Can]:
    """Everything the user's roles let them do, in the order of `Can` (the 403 page lists them)."""
    held = roles(user)
    return [what for what in Can if any(what in PERMISSIONS.get(role, frozenset()) for role in held)]


def role_names(user: Any) -> list[str]:
    """The user's roles as people say them ("Social worker"), in the order of `Role`."""
    held = roles(user)
    return [str(role.label) for role in Role if role in held]


def is_manager(user: Any) -> bool:
    """Manager-only steps of the journey: team managers and administrators."""
    return may(user, Can.MANAGE_CASES)


def is_reviewing_officer(user: Any) -> bool:
    """An independent reviewing officer who holds no caseload (no social worker or manager role): their home is the
    reviews they chair."""
    held = roles(user)
    return Role.INDEPENDENT_REVIEWING_OFFICER in held and not held & {Role.SOCIAL_WORKER, Role.TEAM_MANAGER}


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


def can_record_for_person(user: Any, person: Person) -> bool:
    """Recording the steps of a child's journey for this person (the journey panel's steps)."""
    return may_for_person(user, Can.RECORD_JOURNEY, person)


def can_see_access_log(user: Any) -> bool:
    return may(user, Can.SEE_ACCESS_LOG)


def can_see_performance(user: Any) -> bool:
    """Dashboards of timeliness and caseloads: managers, the performance team and independent reviewing officers
    (who chair the reviews the dashboards time)."""
    return may(user, Can.SEE_PERFORMANCE)


def can_see_reviews_due(user: Any) -> bool:
    """The list of looked-after reviews and child protection review conferences coming due, across the authority:
    independent reviewing officers, who chair them, and managers."""
    return may(user, Can.SEE_REVIEWS_DUE)


def can_run_returns(user: Any) -> bool:
    """Producing and downloading statutory returns (whole-authority extracts of children's records) and working
    through their data quality list: the performance team and administrators only."""
    return may(user, Can.RUN_RETURNS)


def permissions_table() -> str:
    """PERMISSIONS as the Markdown table the README shows (a test keeps the two the same)."""
    order = [
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.BUSINESS_SUPPORT,
        Role.INDEPENDENT_REVIEWING_OFFICER,
        Role.PERFORMANCE,
        Role.INFORMATION_GOVERNANCE,
        Role.ADMINISTRATOR,
    ]
    header = "| may | " + " | ".join(Role(r).label for r in order) + " |"
    rule = "| --- |" + " --- |" * len(order)
    rows = [
        f"| {what.value[0].upper()}{what.value[1:]} | "
        + " | ".join("yes" if what in PERMISSIONS[r] else "" for r in order)
        + " |"
        for what in Can
    ]
    return "\n".join([header, rule, *rows])
