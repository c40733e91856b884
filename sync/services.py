"""Writes of the sync app: registering and revoking devices, resolving conflicts. Each with its audit event in the
same transaction. (A push's mutations are applied by sync.push through the record's own services.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people import services as people_services
from people.models import Person

from .models import Conflict, Device, Resolution
from .words import FIELD_LABELS, value_words


def reauth_days() -> int:
    """Days a device may go without its user signing in online before it locks (settings, default 14)."""
    return int(getattr(settings, "CASEWORK_SYNC_REAUTH_DAYS", 14))


def idle_lock_minutes() -> int:
    """Minutes of inactivity before the app locks (settings, default 10)."""
    return int(getattr(settings, "CASEWORK_SYNC_IDLE_LOCK_MINUTES", 10))


@transaction.atomic
def device_register(*, actor: Actor, name: str, authenticated_at: datetime | None = None) -> Device:
    """Register a device for the signed-in user, named as they say it ("Sam's iPad"). Audited."""
    user = actor_or_none(actor)
    if user is None:
        raise RuleError("Sign in to register a device")
    name = (name or "").strip()
    if not name:
        raise RuleError({"name": "Enter a name for this device, like “Sam’s work iPad”"})
    if len(name) > 100:
        raise RuleError({"name": "Name must be 100 characters or fewer"})
    device = Device.objects.create(user=user, name=name, authenticated_at=authenticated_at or timezone.now())
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="device", object_id=str(device.pk), changes={"name": name}
    )
    return device


def may_revoke(actor: Actor, device: Device) -> bool:
    """The device's own user, or an administrator."""
    user = actor_or_none(actor)
    return user is not None and (user.pk == device.user_id or access.may(user, access.Can.ADMINISTER))


@transaction.atomic
def device_revoke(*, actor: Actor, device: Device, reason: str = "") -> Device:
    """Remove a device: at its next contact it is told to wipe itself, and it is refused from then on. By its user
    or an administrator. Audited with the reason."""
    if not may_revoke(actor, device):
        raise RuleError("Only the device's user or an administrator can remove a device")
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.revoked_at is not None:
        raise RuleError("This device has already been removed")
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise RuleError({"reason": "Reason must be 300 characters or fewer"})
    device.revoked_at = timezone.now()
    device.revoked_by = actor_or_none(actor)
    device.revoke_reason = reason
    device.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        object_type="device",
        object_id=str(device.pk),
        changes={"name": device.name, "user": device.user_id, "reason": reason},
    )
    return device


# --- checking a device on every sync call ---------------------------------------------------------------------------

WIPE = (
    "This device has been removed from Casework, so everything Casework stored on it is being deleted. Sign in "
    "again to register it, or ask your administrator."
)
DISABLED = (
    "Your Casework account has been disabled, so everything Casework stored on this device is being deleted. Ask "
    "your administrator."
)
SOMEONE_ELSE = (
    "This device is registered to someone else, so everything Casework stored on it is being deleted. Register it "
    "again as yourself."
)
REAUTH = "Sign in to Casework online again: this device has not been signed in to for {days} days, so it is locked."
NO_DEVICE = "Register this device first (POST /api/v1/sync/devices), then send its id in the X-Casework-Device header"
NOT_SIGNED_IN = "Sign in to Casework to sync this device"


@dataclass(frozen=True)
class Refusal:
    """Why a sync call is refused: 401 with `wipe` (the app deletes everything) or `reauth` (the app locks until
    its user signs in online), or a plain 401."""

    detail: str
    wipe: bool = False
    reauth: bool = False


def device_check(*, device_id: str | None, user: Any, signed_in_at: datetime | None) -> Device | Refusal:
    """The device named by a sync call's X-Casework-Device header, if it may sync now. Asked before who is signed
    in, so a revoked device, or one whose user is disabled (whose sessions ended), is still told to wipe itself.
    `signed_in_at`: when the request's session last proved the second factor (None for an API token); it renews the
    device's re-authentication window. 1 query (2 when the window is renewed)."""
    import uuid

    try:
        key = uuid.UUID(str(device_id or ""))
    except ValueError:
        return Refusal(NO_DEVICE)
    device = Device.objects.select_related("user").filter(pk=key).first()
    if device is None:
        return Refusal(NO_DEVICE)
    if device.revoked_at is not None:
        return Refusal(WIPE, wipe=True)
    if not device.user.is_active:
        return Refusal(DISABLED, wipe=True)
    if not getattr(user, "is_authenticated", False):
        return Refusal(NOT_SIGNED_IN)
    if user.pk != device.user_id:
        return Refusal(SOMEONE_ELSE, wipe=True)
    if signed_in_at is not None and signed_in_at > device.authenticated_at:
        device.authenticated_at = signed_in_at
        Device.objects.filter(pk=device.pk).update(authenticated_at=signed_in_at)
    if timezone.now() - device.authenticated_at > timedelta(days=reauth_days()):
        return Refusal(REAUTH.format(days=reauth_days()), reauth=True)
    return device


# --- conflicts ------------------------------------------------------------------------------------------------------


def conflicts_open_for(user: Any) -> Any:
    """Open conflicts a user may see and resolve: their own, and, for a team manager, those on the records of cases
    their teams hold (accounts.access.may_correct decides each one). One query."""
    from django.db.models import Exists, OuterRef, Q

    from people.models import Basis, Involvement

    mine = Q(user_id=user.pk)
    managed = access.managed_team_ids(user)
    if managed:
        now = timezone.now()
        held = Involvement.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=now),
            person_id=OuterRef("person_id"),
            basis=Basis.TEAM,
            team_id__in=managed,
        )
        mine |= Q(Exists(held))
    return (
        Conflict.objects.filter(mine, resolved_at__isnull=True)
        .filter(person__in=access.visible_people(user))
        .select_related("person", "user")
        .order_by("created_at", "pk")
    )


def may_resolve(user: Any, conflict: Conflict) -> bool:
    """The worker whose device made the change, or a manager of a team holding the case; either must be able to
    change the person's details."""
    return access.may_correct(user, conflict.user_id, conflict.person, access.Can.ADD_PEOPLE)


def _server_value(conflict: Conflict) -> Any:
    person = Person.objects.get(pk=conflict.person_id)
    return getattr(person, conflict.field)


@transaction.atomic
def conflict_resolve(*, actor: Actor, conflict: Conflict, keep: str, value: Any = None) -> Conflict:
    """A person chooses: keep the device's value, keep Casework's, or enter another. The record changes through its
    own service (people.services.person_update, audited there); the choice is audited here. Refused when the value
    in Casework has changed again since the conflict was found: look again."""
    conflict = Conflict.objects.select_for_update().select_related("person").get(pk=conflict.pk)
    if conflict.resolved_at is not None:
        raise RuleError("This conflict has already been resolved")
    if not may_resolve(actor, conflict):
        raise RuleError(
            "Only the worker who made the change, or a manager of the team holding the case, can resolve it"
        )
    if keep not in Resolution.values:
        raise RuleError({"keep": "Choose which value to keep"})
    current = _server_value(conflict)
    if current != conflict.server_value:
        raise RuleError(
            f"{FIELD_LABELS.get(conflict.field, conflict.field)} has changed again in Casework since (it is now "
            f"“{value_words(current)}”): look at it again"
        )
    if keep == Resolution.DEVICE:
        chosen = conflict.device_value
    elif keep == Resolution.SERVER:
        chosen = current
    else:
        chosen = _clean_value(conflict.field, value)
    if chosen != current:
        people_services.person_update(actor=actor, person=conflict.person, **{conflict.field: chosen})
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = actor_or_none(actor)
    conflict.resolution = keep
    conflict.resolved_value = chosen
    conflict.save(update_fields=["resolved_at", "resolved_by", "resolution", "resolved_value"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="sync_conflict",
        object_id=str(conflict.pk),
        person_id=conflict.person_id,
        changes={"field": conflict.field, "keep": keep, "value": chosen},
    )
    return conflict


def _clean_value(field: str, value: Any) -> Any:
    """A value a person typed for a person's editable field, checked as the page would."""
    if field == "interpreter_needed":
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in ("yes", "true"):
            return True
        if str(value).strip().lower() in ("no", "false"):
            return False
        raise RuleError({"value": "Interpreter needed must be yes or no"})
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RuleError({"value": "Enter the value as text"})
    text = value.strip()
    maximum = 100 if field == "preferred_name" else 60
    if len(text) > maximum:
        raise RuleError({"value": f"{FIELD_LABELS.get(field, field)} must be {maximum} characters or fewer"})
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        raise RuleError({"value": f"{FIELD_LABELS.get(field, field)} must not contain hidden control characters"})
    return text


def clean_person_value(field: str, value: Any) -> Any:
    """The same check for a device's edit (sync.push)."""
    return _clean_value(field, value)
