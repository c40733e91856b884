"""Writes to users, teams and roles. Audited like every other write."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor
from core.errors import RuleError

from .models import Membership, Role, Team, TeamKind, User


@transaction.atomic
def team_create(*, actor: Actor, name: str, service_area: str = "children", kind: str = TeamKind.ASSESSMENT) -> Team:
    if not name.strip():
        raise RuleError({"name": "Enter the team's name"})
    if Team.objects.filter(name__iexact=name.strip()).exists():
        raise RuleError({"name": "A team with this name already exists"})
    if kind not in TeamKind.values:
        raise RuleError({"kind": "Select what kind of team it is"})
    team = Team.objects.create(name=name.strip(), service_area=service_area, kind=kind)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="team",
        object_id=str(team.pk),
        changes={"new": {"name": name, "kind": kind}},
    )
    return team


@transaction.atomic
def team_set_kind(*, actor: Actor, team: Team, kind: str) -> Team:
    """Say what kind of team it is (which decides whether it receives referrals). Audited with the old kind."""
    if kind not in TeamKind.values:
        raise RuleError({"kind": "Select what kind of team it is"})
    if team.kind == kind:
        return team
    old = team.kind
    team.kind = kind
    team.save(update_fields=["kind"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="team",
        object_id=str(team.pk),
        changes={"kind": {"old": old, "new": kind}},
    )
    return team


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    team: Team | None = None,
    role: str | None = None,
    job_title: str = "",
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise RuleError({"email": "A user with this email address already exists"})
    if role is not None and role not in Role.values:
        raise RuleError({"role": "Select a role"})
    user = User.objects.create_user(
        username=email,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
    )
    if team is not None and role is not None:
        Membership.objects.create(user=user, team=team, role=role)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="user",
        object_id=str(user.pk),
        changes={"new": {"email": email, "team": team.name if team else None, "role": role}},
    )
    return user


@transaction.atomic
def membership_add(*, actor: Actor, user: User, team: Team, role: str) -> Membership:
    if role not in Role.values:
        raise RuleError({"role": "Select a role"})
    membership, created = Membership.objects.get_or_create(user=user, team=team, role=role)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="membership",
            object_id=str(membership.pk),
            changes={"new": {"user": user.pk, "team": team.name, "role": role}},
        )
    return membership


@transaction.atomic
def user_disable(*, actor: Actor, user: User, reason: str) -> User:
    """Disable a user and end every session they have (ASVS V7: disabling a user ends their sessions)."""
    if not reason.strip():
        raise RuleError({"reason": "Enter why the account is being disabled"})
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()  # a session is not a record: ending it is the point
            ended += 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=str(user.pk),
        changes={"is_active": {"old": True, "new": False}, "reason": reason, "sessions_ended": ended},
    )
    return user
