"""Reads for the administration pages: users, their roles and sign-ins, teams. Each has a fixed query count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from audit.models import AuditAction, AuditEvent

from .models import Membership, Team, User

USERS_SHOWN = 200
SIGN_INS_SHOWN = 10


def users_list(q: str = "") -> tuple[list[User], int]:
    """Users whose name, email, job title or current team matches `q` (all when empty), by name; each with
    `current_memberships` (their current roles, with the team). At most USERS_SHOWN, and how many matched. 3 queries."""
    users: QuerySet[User] = User.objects.all()
    for word in q.split():
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(job_title__icontains=word)
            | Q(memberships__in=Membership.objects.current().filter(team__name__icontains=word))
        )
    users = users.distinct()
    total = users.count()
    shown: list[User] = list(
        users.order_by("last_name", "first_name", "email").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.current().select_related("team").order_by("team__name", "role"),
                to_attr="current_memberships",
            )
        )[:USERS_SHOWN]
    )
    return shown, total


@dataclass
class UserPage:
    user: User
    memberships: list[Membership]
    has_second_factor: bool
    second_factors: list[str]
    invited: bool  # invited and has not yet set a password
    sign_ins: list[AuditEvent]
    failures: list[AuditEvent]


def user_page(user: User) -> UserPage:
    """What an administrator sees about a user: every membership (current and ended, newest first), their second
    factors, and their recent sign-ins and failed sign-ins (from the audit log). 4 queries."""
    from allauth.mfa.models import Authenticator

    memberships = list(user.memberships.select_related("team").order_by("-started_on", "-pk"))
    factors = sorted(
        {
            Authenticator.Type(t).label
            for t in Authenticator.objects.filter(user=user).values_list("type", flat=True)
            if t != Authenticator.Type.RECOVERY_CODES
        }
    )
    sign_ins = list(
        AuditEvent.objects.filter(actor=user, action=AuditAction.SIGN_IN).order_by("-occurred_at")[:SIGN_INS_SHOWN]
    )
    # A failed sign-in has no actor: it names the account by what was typed (and, where known, its id).
    failures = list(
        AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
        .filter(Q(object_id=str(user.pk)) | Q(context__login__iexact=user.email))
        .order_by("-occurred_at")[:SIGN_INS_SHOWN]
    )
    return UserPage(
        user=user,
        memberships=memberships,
        has_second_factor=bool(factors),
        second_factors=factors,
        invited=not user.has_usable_password(),
        sign_ins=sign_ins,
        failures=failures,
    )


def teams_list() -> list[Any]:
    """Every team with the number of people who hold a role in it today. 1 query."""
    today = timezone.localdate()
    current = Q(memberships__started_on__lte=today) & (
        Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=today)
    )
    return list(
        Team.objects.annotate(people=Count("memberships__user", filter=current, distinct=True)).order_by("name")
    )


def team_members(team: Team) -> list[Membership]:
    """A team's memberships, current first, then ended, each with its user. 1 query."""
    rows = list(team.memberships.select_related("user").order_by("user__last_name", "user__first_name", "role"))
    return rows
