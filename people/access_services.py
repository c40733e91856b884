"""Writes that change who may see a record: grants, break-glass and declared conflicts. Each is audited in its own
transaction and, where it opens or closes a record to someone, writes or ends its Involvement row (the table the
access rule reads). The rule itself is accounts.access."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.access import Can
from accounts.models import Membership, Notification, Role, User
from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError

from .models import (
    Basis,
    BreakGlass,
    BreakGlassReason,
    BreakGlassReview,
    DeclaredConflict,
    Involvement,
    Person,
    RestrictedAccessGrant,
)

log = logging.getLogger(__name__)

MAX_GRANT_DAYS = 366


def _require(actor: Actor, what: Can, message: str) -> None:
    """The system (actor None: a command run at the server, the seed) may; a user needs `what`."""
    if actor is not None and not access.may(actor, what):
        raise PermissionDenied(message)


def _open_conflict(user: User, person: Person) -> DeclaredConflict | None:
    return DeclaredConflict.objects.filter(user=user, person=person, withdrawn_at__isnull=True).first()


# Grants ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def access_grant_create(
    *, actor: Actor, person: Person, user: User, reason: str, expires_at: datetime | None
) -> RestrictedAccessGrant:
    """Let one user see one record (the only way into a restricted record) until `expires_at`. Administrators only."""
    _require(actor, Can.ADMINISTER, "Only administrators grant access to records")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter why this person needs to see the record"
    elif len(reason) > 300:
        errors["reason"] = "The reason must be 300 characters or fewer"
    now = timezone.now()
    if expires_at is None:
        errors["expires_at"] = "Enter the date the access ends"
    elif expires_at <= now:
        errors["expires_at"] = "The date the access ends must be in the future"
    elif expires_at > now + timedelta(days=MAX_GRANT_DAYS):
        errors["expires_at"] = "Access can be granted for at most a year; grant it again when it ends"
    if not user.is_active:
        errors["user"] = f"{user.display_name}'s account is disabled"
    elif _open_conflict(user, person):
        errors["user"] = f"{user.display_name} has declared a conflict with this person: withdraw it first"
    if errors:
        raise RuleError(errors)
    assert expires_at is not None
    grant = RestrictedAccessGrant.objects.create(
        person=person,
        user=user,
        reason=reason,
        expires_at=expires_at,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    Involvement.objects.create(
        person=person,
        user=user,
        basis=Basis.GRANT,
        source=f"grant:{grant.pk}",
        started_at=now,
        ended_at=expires_at,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="access_grant",
        object_id=str(grant.pk),
        person_id=person.pk,
        changes={"new": {"user": user.pk, "reason": reason, "expires_at": expires_at.isoformat()}},
    )
    return grant


@transaction.atomic
def access_grant_revoke(*, actor: Actor, grant: RestrictedAccessGrant, reason: str) -> RestrictedAccessGrant:
    _require(actor, Can.ADMINISTER, "Only administrators revoke access to records")
    reason = (reason or "").strip()
    if not reason:
        raise RuleError({"reason": "Enter why the access is being revoked"})
    grant = RestrictedAccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise RuleError({"reason": "This access was already revoked"})
    now = timezone.now()
    who = actor_or_none(actor)
    grant.revoked_at, grant.revoked_by, grant.revoke_reason, grant.modified_by = now, who, reason[:300], who
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "modified_by", "modified_at"])
    Involvement.objects.filter(source=f"grant:{grant.pk}", person_id=grant.person_id).update(ended_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="access_grant",
        object_id=str(grant.pk),
        person_id=grant.person_id,
        changes={"revoked_at": {"old": None, "new": now.isoformat()}, "reason": reason},
    )
    return grant


# Break-glass ----------------------------------------------------------------------------------------------------


def holding_team_id(person: Person) -> int | None:
    """The team holding the person's case now (the allocation's team first), or else the team that last held it."""
    rows = Involvement.objects.filter(person=person, basis=Basis.TEAM, team__isnull=False, superseded=False)
    held = sorted(rows.filter(ended_at__isnull=True), key=lambda r: (not r.source.startswith("allocation"), r.source))
    chosen = held[0] if held else rows.exclude(ended_at__isnull=True).order_by("-ended_at").first()
    return chosen.team_id if chosen else None


@transaction.atomic
def break_glass_open(*, actor: Actor, person: Person, reason: str, details: str) -> BreakGlass:
    """Open a record the user has no relationship with, for the authority's break-glass period, giving a reason.
    Its own audit event; the holding team's managers are told. Never for a restricted record or a declared
    conflict."""
    user = actor_or_none(actor)
    if user is None or not access.may(user, Can.SEE_RECORDS):
        raise PermissionDenied("Your role does not see records")
    if person.is_restricted:
        raise PermissionDenied("This record is restricted: it cannot be opened by break-glass")
    if _open_conflict(user, person):
        raise PermissionDenied("You have declared a conflict with this person: the record stays closed to you")
    if access.can_view_person(user, person):
        raise RuleError({"reason": "You can already see this record"})
    errors: dict[str, str] = {}
    if reason not in BreakGlassReason.values:
        errors["reason"] = "Select why you need to open this record"
    details = (details or "").strip()
    if not details:
        errors["details"] = "Explain why you need to see this record now"
    elif len(details) > 2000:
        errors["details"] = "The explanation must be 2,000 characters or fewer"
    if errors:
        raise RuleError(errors)
    now = timezone.now()
    hours = access.access_settings(actor).break_glass_hours
    team_id = holding_team_id(person)
    glass = BreakGlass.objects.create(
        person=person,
        user=user,
        reason=reason,
        details=details,
        started_at=now,
        ends_at=now + timedelta(hours=hours),
        holding_team_id=team_id,
    )
    Involvement.objects.create(
        person=person,
        user=user,
        basis=Basis.BREAK_GLASS,
        source=f"break_glass:{glass.pk}",
        started_at=now,
        ended_at=glass.ends_at,
    )
    audit_record(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        object_type="break_glass",
        object_id=str(glass.pk),
        person_id=person.pk,
        changes={
            "new": {
                "reason": reason,
                "details": details,
                "ends_at": glass.ends_at.isoformat(),
                "holding_team": team_id,
            }
        },
    )
    _tell_managers(glass)
    access.forget(actor)
    return glass


def reviewers_of(glass: BreakGlass) -> list[User]:
    """Who is told of a break-glass: the current managers of the holding team (none: information governance)."""
    role_team = (
        {"role": Role.TEAM_MANAGER, "team_id": glass.holding_team_id}
        if glass.holding_team_id
        else {"role": Role.INFORMATION_GOVERNANCE}
    )
    ids = Membership.objects.current().filter(user__is_active=True, **role_team).values("user_id")
    return list(User.objects.filter(pk__in=ids).exclude(pk=glass.user_id))


def _tell_managers(glass: BreakGlass) -> None:
    who = glass.user.display_name
    subject = f"{who} opened a record by break-glass"
    started = timezone.localtime(glass.started_at)
    body = (
        f"{who} opened the record of {glass.person.full_name} on {long_date(started.date())} at "
        f"{started:%H:%M}, giving the reason \u201c{glass.get_reason_display()}\u201d: {glass.details}\n\n"
        "Review it: was it justified?"
    )
    url = reverse("people:break_glass_review", args=[glass.pk])
    managers = reviewers_of(glass)
    Notification.objects.bulk_create([Notification(user=m, subject=subject, body=body, url=url) for m in managers])
    addresses = [m.email for m in managers if m.email]
    if addresses and getattr(settings, "CASEWORK_NOTIFY_BY_EMAIL", False):

        def send() -> None:
            try:
                send_mail(subject, f"{body}\n\n{settings.CASEWORK_BASE_URL}{url}", None, addresses)
            except Exception:  # mail is a courtesy: the in-app notification is the record
                log.exception("Could not e-mail the break-glass notification %s", glass.pk)

        transaction.on_commit(send)


@transaction.atomic
def break_glass_review(*, actor: Actor, glass: BreakGlass, outcome: str, notes: str) -> BreakGlass:
    """Mark a break-glass justified, or refer it to information governance. Managers review their team's;
    information governance any."""
    if not may_review(actor, glass):
        raise PermissionDenied("You cannot review this break-glass")
    if glass.user_id == getattr(actor, "pk", None):
        raise PermissionDenied("You cannot review your own break-glass")
    errors: dict[str, str] = {}
    if outcome not in (BreakGlassReview.JUSTIFIED, BreakGlassReview.REFERRED):
        errors["outcome"] = "Select whether it was justified or is referred to information governance"
    notes = (notes or "").strip()
    if outcome == BreakGlassReview.REFERRED and not notes:
        errors["notes"] = "Say why you are referring it"
    if errors:
        raise RuleError(errors)
    glass = BreakGlass.objects.select_for_update().get(pk=glass.pk)
    old = glass.review
    if old == BreakGlassReview.REFERRED and not governs(actor):
        raise PermissionDenied("This break-glass was referred to information governance: they review it now")
    if old == BreakGlassReview.JUSTIFIED or (old == outcome):
        raise RuleError({"outcome": f"This break-glass was already reviewed: {glass.get_review_display().lower()}"})
    glass.review, glass.reviewed_by, glass.reviewed_at = outcome, actor_or_none(actor), timezone.now()
    glass.review_notes = notes
    glass.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_notes"])
    # The reviewer's own notification of it has been acted on.
    if glass.reviewed_by is not None:
        Notification.objects.filter(
            user=glass.reviewed_by, url=reverse("people:break_glass_review", args=[glass.pk]), read_at=None
        ).update(read_at=glass.reviewed_at)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="break_glass",
        object_id=str(glass.pk),
        person_id=glass.person_id,
        changes={"review": {"old": old, "new": outcome}, "notes": notes},
    )
    return glass


def governs(user: Actor) -> bool:
    """Information governance (and administrators): they review every team's break-glass, and what managers refer."""
    return bool(access.roles(user) & {Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR})


def may_review(user: Actor, glass: BreakGlass) -> bool:
    """Whether `user` may see and review this break-glass: the holding team's managers, and information
    governance. (Their own break-glass they may see, never review: `break_glass_review` refuses it.)"""
    if not access.may(user, Can.REVIEW_BREAK_GLASS):
        return False
    if governs(user):
        return True
    return glass.holding_team_id in access.team_ids(user)


# Declared conflicts ---------------------------------------------------------------------------------------------


@transaction.atomic
def conflict_declare(*, actor: Actor, person: Person, user: User | None = None, connection: str) -> DeclaredConflict:
    """The user (or an administrator for them) declares they know this person or family. From now the record is
    closed to them, even by break-glass; any grant or break-glass they hold ends."""
    user = user or actor_or_none(actor)
    if user is None:
        raise PermissionDenied("Say who knows this person")
    if user.pk != getattr(actor, "pk", None):
        _require(actor, Can.ADMINISTER, "Only administrators record a conflict for someone else")
    connection = (connection or "").strip()
    if not connection:
        raise RuleError({"connection": "Say how you know this person (for example, a neighbour)"})
    if len(connection) > 200:
        raise RuleError({"connection": "Keep it to 200 characters or fewer"})
    if _open_conflict(user, person):
        raise RuleError({"connection": "A conflict with this person is already declared"})
    had_record = access.visible_people(user).filter(pk=person.pk).exists()
    conflict = DeclaredConflict.objects.create(
        person=person,
        user=user,
        connection=connection,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    now = timezone.now()
    Involvement.objects.filter(
        person=person, user=user, basis__in=[Basis.GRANT, Basis.BREAK_GLASS], ended_at__gt=now
    ).update(ended_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="declared_conflict",
        object_id=str(conflict.pk),
        person_id=person.pk,
        changes={"new": {"user": user.pk, "connection": connection}},
    )
    if had_record:
        _tell_managers_of_conflict(user, person)
    access.forget(user)
    return conflict


def _tell_managers_of_conflict(user: User, person: Person) -> None:
    """Someone who worked on the record can no longer open it: the holding team's managers are told, so that the
    work can pass to someone else. How they know the person is not said (administrators see it)."""
    team_id = holding_team_id(person)
    if team_id is None:
        return
    ids = (
        Membership.objects.current()
        .filter(user__is_active=True, role=Role.TEAM_MANAGER, team_id=team_id)
        .exclude(user_id=user.pk)
        .values("user_id")
    )
    who = user.display_name
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=manager_id["user_id"],
                subject=f"{who} has declared a conflict with a record your team holds",
                body=(
                    f"{who} has declared that they know {person.full_name} or their family, so the record is now "
                    f"closed to them. If they hold work on it (the case is allocated to them, say), pass it to "
                    "someone else."
                ),
                url=reverse("people:detail", args=[person.pk]),
            )
            for manager_id in ids
        ]
    )


@transaction.atomic
def conflict_withdraw(*, actor: Actor, conflict: DeclaredConflict, reason: str) -> DeclaredConflict:
    _require(actor, Can.ADMINISTER, "Only administrators withdraw a declared conflict")
    reason = (reason or "").strip()
    if not reason:
        raise RuleError({"reason": "Enter why the conflict no longer stands"})
    conflict = DeclaredConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.withdrawn_at is not None:
        raise RuleError({"reason": "This conflict was already withdrawn"})
    who = actor_or_none(actor)
    conflict.withdrawn_at, conflict.withdrawn_by, conflict.withdraw_reason = timezone.now(), who, reason[:300]
    conflict.modified_by = who
    conflict.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="declared_conflict",
        object_id=str(conflict.pk),
        person_id=conflict.person_id,
        changes={"withdrawn_at": {"old": None, "new": conflict.withdrawn_at.isoformat()}, "reason": reason},
    )
    return conflict
