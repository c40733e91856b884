"""Writes to users, teams, roles and the access settings. Audited like every other write: each service writes its
audit event (old and new values) in the transaction of its change."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, diff, snapshot
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError

from .models import AccessSettings, ApiToken, Membership, Role, Team, TeamKind, User

logger = logging.getLogger(__name__)


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
def membership_add(
    *,
    actor: Actor,
    user: User,
    team: Team,
    role: str,
    started_on: date | None = None,
    refuse_if_held: bool = False,
) -> Membership:
    """Give a user a role in a team from `started_on` (today by default). If they already hold that role in that team,
    the open membership is returned unchanged (and nothing is audited), or with `refuse_if_held` (an administrator
    adding it by hand) refused."""
    if role not in Role.values:
        raise RuleError({"role": "Select a role"})
    # An open membership (not ended, or ending later) is the one to keep; an ended one is history and stays so.
    today = timezone.localdate()
    open_now = Membership.objects.filter(user=user, team=team, role=role).exclude(ended_on__lt=today).first()
    if open_now is not None and refuse_if_held:
        raise RuleError({"role": f"They already hold this role in {team.name}"})
    if open_now is not None:
        return open_now
    membership = Membership.objects.create(user=user, team=team, role=role, started_on=started_on or today)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="membership",
        object_id=str(membership.pk),
        changes={
            "new": {"user": user.pk, "team": team.name, "role": role, "started_on": membership.started_on.isoformat()}
        },
    )
    return membership


def _end_sessions(user: User) -> int:
    """End every session the user has. A session is not a record: deleting it is the point (ASVS V7)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def _revoke_tokens(*, actor: Actor, user: User) -> int:
    """Revoke the user's API tokens that are still live (revoked, never deleted: they name who used the API)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor_or_none(actor)
    )


@transaction.atomic
def user_disable(*, actor: Actor, user: User, reason: str) -> User:
    """Disable a user: they can no longer sign in, every session they have ends (ASVS V7) and every API token they
    hold is revoked. Audited with the reason and what was ended. Refuses an empty reason, an account already
    disabled, and an administrator's own account."""
    if not reason.strip():
        raise RuleError({"reason": "Enter why the account is being disabled"})
    if len(reason) > 500:
        raise RuleError({"reason": "The reason must be 500 characters or fewer"})
    if not user.is_active:
        raise RuleError("This account is already disabled")
    if actor is not None and actor.is_authenticated and actor.pk == user.pk:
        raise RuleError("You cannot disable your own account. Ask another administrator.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    revoked = _revoke_tokens(actor=actor, user=user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=str(user.pk),
        changes={
            "is_active": {"old": True, "new": False},
            "reason": reason.strip(),
            "sessions_ended": ended,
            "tokens_revoked": revoked,
        },
    )
    return user


@transaction.atomic
def user_enable(*, actor: Actor, user: User) -> User:
    """Let a disabled user sign in again. Their revoked API tokens stay revoked. Audited."""
    if user.is_active:
        raise RuleError("This account is already active")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=str(user.pk),
        changes={"is_active": {"old": False, "new": True}},
    )
    return user


USER_DETAILS = ("first_name", "last_name", "job_title", "phone")


def _details_errors(*, first_name: str, last_name: str, job_title: str, phone: str) -> dict[str, str]:
    errors = {}
    if not first_name.strip():
        errors["first_name"] = "Enter their first name"
    if not last_name.strip():
        errors["last_name"] = "Enter their last name"
    if len(first_name) > 150:
        errors["first_name"] = "First name must be 150 characters or fewer"
    if len(last_name) > 150:
        errors["last_name"] = "Last name must be 150 characters or fewer"
    if len(job_title) > 120:
        errors["job_title"] = "Job title must be 120 characters or fewer"
    if phone.strip() and (len(phone) > 30 or not all(c.isdigit() or c in " +()-" for c in phone.strip())):
        errors["phone"] = "Enter a phone number, like 0116 496 0000 or +44 116 496 0000"
    return errors


@transaction.atomic
def user_update(*, actor: Actor, user: User, first_name: str, last_name: str, job_title: str, phone: str) -> User:
    """Change a user's name, job title and phone number (shown to colleagues as who to contact). Audited with the old
    and new values; nothing is audited when nothing changed."""
    values = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "job_title": job_title.strip(),
        "phone": phone.strip(),
    }
    if errors := _details_errors(**values):
        raise RuleError(errors)
    old = snapshot(user, USER_DETAILS)
    changes = diff(old, values)
    if not changes:
        return user
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=list(changes))
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="user", object_id=str(user.pk), changes=changes)
    return user


# --- invitations: a one-time sign-in link ------------------------------------------------------------------------

INVITE_HOURS = 72
_INVITE_SALT = "casework.accounts.invite"


@dataclass(frozen=True)
class Invitation:
    user: User
    link: str
    expires_at: Any


class InviteLinkError(Exception):
    """An invitation link that cannot be used: `reason` is "invalid", "used", "expired", "replaced" or "disabled"."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _invite_fingerprint(user: User) -> str:
    # The unusable password set at each invitation is random, so a link names the invitation it was made for: a new
    # link replaces the old, and setting a password (using the link) ends both.
    return hashlib.sha256(user.password.encode()).hexdigest()[:16]


def _new_invitation(*, actor: Actor, user: User, base_url: str) -> Invitation:
    user.set_unusable_password()
    # The user must set up a second factor when they first sign in (RequireMFAMiddleware), in demo mode too.
    user.mfa_reset_at = timezone.now()
    user.save(update_fields=["password", "mfa_reset_at"])
    token = signing.dumps({"u": user.pk, "f": _invite_fingerprint(user)}, salt=_INVITE_SALT)
    link = base_url.rstrip("/") + reverse("invite_accept", args=[token])
    expires_at = timezone.now() + timedelta(hours=INVITE_HOURS)
    inviter = actor.display_name if actor is not None and actor.is_authenticated else "An administrator"
    body = (
        f"Hello {user.first_name},\n\n{inviter} has given you an account on Casework.\n\n"
        f"Use this link to set your password. It works once, until {long_date(timezone.localtime(expires_at))} "
        f"at {timezone.localtime(expires_at):%H:%M}:\n\n{link}\n\n"
        "You will then set up two-factor authentication with an app on your phone.\n"
        "If you were not expecting this email, tell your IT service desk.\n"
    )

    def send() -> None:
        try:
            send_mail("Your Casework account", body, None, [user.email])
        except Exception:  # the administrator has the link on screen to pass on; a mail failure must not lose it
            logger.exception("The invitation email to user %s could not be sent", user.pk)

    transaction.on_commit(send)
    return Invitation(user=user, link=link, expires_at=expires_at)


@transaction.atomic
def user_invite(
    *,
    actor: Actor,
    email: str,
    first_name: str,
    last_name: str,
    job_title: str = "",
    phone: str = "",
    team: Team,
    role: str,
    base_url: str,
) -> Invitation:
    """Create a user with a first role in a team, and invite them: a signed link, usable once within INVITE_HOURS,
    that lets them set a password (then they must set up a second factor). The link is emailed (on commit) and
    returned, for the administrator to see once and pass on. Audited as the user's creation (no link in the log)."""
    email = email.strip().lower()
    errors = _details_errors(first_name=first_name, last_name=last_name, job_title=job_title, phone=phone)
    if not email:
        errors["email"] = "Enter their email address"
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = "A user with this email address already exists"
    if role not in Role.values:
        errors["role"] = "Select their role in the team"
    if errors:
        raise RuleError(errors)
    user = User.objects.create_user(
        username=email,
        email=email,
        password=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        job_title=job_title.strip(),
        phone=phone.strip(),
    )
    membership = Membership.objects.create(user=user, team=team, role=role)
    invitation = _new_invitation(actor=actor, user=user, base_url=base_url)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="user",
        object_id=str(user.pk),
        changes={
            "new": {**snapshot(user, ("email", *USER_DETAILS)), "team": team.name, "role": role},
            "membership": membership.pk,
            "invited_until": invitation.expires_at.isoformat(),
        },
    )
    return invitation


@transaction.atomic
def user_invite_again(*, actor: Actor, user: User, base_url: str) -> Invitation:
    """A new invitation link for a user who has not yet set a password (the last link was lost or ran out); the
    earlier link stops working. Audited."""
    if not user.is_active:
        raise RuleError("This account is disabled. Enable it before sending a new link.")
    if user.has_usable_password():
        raise RuleError("This user has already set their password: they sign in as usual")
    invitation = _new_invitation(actor=actor, user=user, base_url=base_url)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=str(user.pk),
        changes={"invited_until": invitation.expires_at.isoformat()},
    )
    return invitation


def invite_check(token: str) -> User:
    """The user an invitation link is for, or InviteLinkError saying why it cannot be used."""
    try:
        payload = signing.loads(token, salt=_INVITE_SALT)
    except signing.BadSignature as e:
        raise InviteLinkError("invalid") from e
    user = User.objects.filter(pk=payload.get("u")).first()
    if user is None:
        raise InviteLinkError("invalid")
    if user.has_usable_password():
        raise InviteLinkError("used")
    if _invite_fingerprint(user) != payload.get("f"):
        raise InviteLinkError("replaced")
    if not user.is_active:
        raise InviteLinkError("disabled")
    try:
        signing.loads(token, salt=_INVITE_SALT, max_age=timedelta(hours=INVITE_HOURS))
    except signing.SignatureExpired as e:
        raise InviteLinkError("expired") from e
    return user


@transaction.atomic
def invite_accept(*, token: str, password: str) -> User:
    """Use an invitation link: set the user's password (checked by the password validators), which also ends the
    link. Raises InviteLinkError for a link that cannot be used, RuleError for a password refused. Audited, with the
    user as the actor."""
    user = invite_check(token)
    user = User.objects.select_for_update().get(pk=user.pk)  # two tabs using the link at once: one wins
    if user.has_usable_password():
        raise InviteLinkError("used")
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise RuleError({"password": " ".join(e.messages)}) from e
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=str(user.pk),
        changes={"password": "set from an invitation link"},
    )
    return user


# --- memberships, teams, second factor, settings -----------------------------------------------------------------


@transaction.atomic
def membership_end(*, actor: Actor, membership: Membership, ended_on: date) -> Membership:
    """End a user's role in a team: `ended_on` is the last day they hold it. The membership is kept (it says who held
    what role when). Refuses a membership already ended and a day before it started. Audited."""
    if membership.ended_on is not None and membership.ended_on < timezone.localdate():
        raise RuleError("This role has already ended")
    if ended_on < membership.started_on:
        raise RuleError(
            {
                "ended_on": "The last day in the role cannot be before the day it started "
                f"({long_date(membership.started_on)})"
            }
        )
    old = membership.ended_on
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="membership",
        object_id=str(membership.pk),
        changes={"ended_on": {"old": old.isoformat() if old else None, "new": ended_on.isoformat()}},
        context={"user": membership.user_id, "team": membership.team.name, "role": membership.role},
    )
    return membership


@transaction.atomic
def team_update(*, actor: Actor, team: Team, name: str, kind: str) -> Team:
    """Rename a team or say what kind it is (which decides whether it receives referrals). Audited with the old and
    new values."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Enter the team's name"
    elif len(name) > 120:
        errors["name"] = "The team's name must be 120 characters or fewer"
    elif Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
        errors["name"] = "A team with this name already exists"
    if kind not in TeamKind.values:
        errors["kind"] = "Select what kind of team it is"
    if errors:
        raise RuleError(errors)
    changes = diff(snapshot(team, ("name", "kind")), {"name": name, "kind": kind})
    if not changes:
        return team
    team.name, team.kind = name, kind
    team.save(update_fields=list(changes))
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="team", object_id=str(team.pk), changes=changes)
    return team


@transaction.atomic
def mfa_reset(*, actor: Actor, user: User) -> User:
    """Reset a user's second factor (a lost or replaced phone): remove their authenticators, end their sessions, and
    make them set up a new one when they next sign in (`User.mfa_reset_at`). Audited with what was removed."""
    from allauth.mfa.models import Authenticator

    if actor is not None and actor.is_authenticated and actor.pk == user.pk:
        raise RuleError("You cannot reset your own second factor here. Ask another administrator.")
    authenticators = Authenticator.objects.filter(user=user)
    removed = sorted(str(t) for t in authenticators.values_list("type", flat=True))
    # An authenticator is a credential, not a record: deleting it is the reset (like ending a session). What was
    # removed, when and by whom is in the audit event.
    authenticators.delete()
    user.mfa_reset_at = timezone.now()
    user.save(update_fields=["mfa_reset_at"])
    ended = _end_sessions(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=str(user.pk),
        changes={"second_factor": {"old": removed, "new": []}, "sessions_ended": ended},
    )
    return user


# Each setting: its bounds and how the page names it (the messages say the bounds in words).
SETTINGS_BOUNDS: dict[str, tuple[int, int, str, str]] = {
    "allocation_grace_days": (0, 365, "The allocation grace period", "days"),
    "last_team_days": (0, 365, "The last team's period", "days"),
    "break_glass_hours": (1, 24, "The break-glass time", "hours"),
    "idle_timeout_minutes": (5, 120, "The idle timeout", "minutes"),
    "absolute_timeout_hours": (1, 24, "The longest session", "hours"),
}


def access_settings_get() -> AccessSettings:
    """The authority's access settings (the one row, made with the defaults the first time)."""
    from . import access

    return access.access_settings()


@transaction.atomic
def access_settings_update(
    *,
    actor: Actor,
    allocation_grace_days: int,
    last_team_days: int,
    break_glass_hours: int,
    idle_timeout_minutes: int,
    absolute_timeout_hours: int,
) -> AccessSettings:
    """Change the access and session settings, each within its bounds (SETTINGS_BOUNDS); the longest session may not
    be shorter than the idle timeout. Audited with the old and new values."""
    values = {
        "allocation_grace_days": allocation_grace_days,
        "last_team_days": last_team_days,
        "break_glass_hours": break_glass_hours,
        "idle_timeout_minutes": idle_timeout_minutes,
        "absolute_timeout_hours": absolute_timeout_hours,
    }
    errors = {}
    for name, value in values.items():
        low, high, label, unit = SETTINGS_BOUNDS[name]
        if not low <= value <= high:
            errors[name] = f"{label} must be between {low} and {high} {unit}"
    if "absolute_timeout_hours" not in errors and absolute_timeout_hours * 60 < idle_timeout_minutes:
        errors["absolute_timeout_hours"] = "The longest session cannot be shorter than the idle timeout"
    if errors:
        raise RuleError(errors)
    current = AccessSettings.objects.select_for_update().get_or_create(pk=1)[0]
    changes = diff(snapshot(current, values), values)
    if not changes:
        return current
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="access_settings", object_id="1", changes=changes)
    return current
