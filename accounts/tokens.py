"""API tokens for integrations and service users: issued by an administrator, stored hashed, shown once, revocable.

A token acts as its user. It is not a way around the access rule: a request made with one has `request.user` set to
the token's user (accounts.api_auth.ApiTokenMiddleware), so every check that pages and endpoints make of a user
(`accounts.access`) applies unchanged; a token's scopes can only narrow what the user may do, never widen it.

The secret is "cw_" and 43 URL-safe characters (256 random bits from `secrets`); only its SHA-256 is stored, with
its first characters (`prefix`) so that people can tell tokens apart in lists. A lost token cannot be shown again:
revoke it and issue another.

Scopes, by route (`required_scope`): reading (GET, HEAD, OPTIONS) needs `read`; any change needs `record`; the
returns endpoints (/api/v1/returns/...) need `returns` whatever the method; `sync` is kept for the offline app
(/api/v1/sync/...).

Services (`token_issue`, `token_revoke`) audit in the same transaction as their change; `token_authenticate`
audits every refusal as a failed sign-in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError

from . import access
from .access import Can
from .models import ApiToken, TokenScope, User

TOKEN_START = "cw_"  # noqa: S105 (how every token starts, not a secret)
# Characters of the secret kept in `prefix`: "cw_" and five more, enough to tell tokens apart, far too few to guess.
PREFIX_LENGTH = 8
MIN_DAYS = 1
MAX_DAYS = 365
DEFAULT_DAYS = 30
MAX_NAME = 120
# A token's last use is written at most this often: an integration calling many times a second costs no more writes.
LAST_USED_EVERY = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Routes whose scope does not follow the method: (/api/v<n>/<first part of the route>, scope).
ROUTE_SCOPES = (
    (re.compile(r"^/api/v\d+/returns(/|$)"), TokenScope.RETURNS),
    (re.compile(r"^/api/v\d+/sync(/|$)"), TokenScope.SYNC),
)
SCOPES_IN_WORDS = "read, record, returns or sync"
OBJECT_TYPE = "api_token"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def required_scope(method: str, path: str) -> TokenScope:
    """The scope a token needs for this request: the route's own (returns, sync), else `read` to read and `record`
    to change anything."""
    for pattern, scope in ROUTE_SCOPES:
        if pattern.match(path):
            return scope
    return TokenScope.READ if method.upper() in SAFE_METHODS else TokenScope.RECORD


def scope_refusal(scope: str) -> str:
    """What a client is told when its token lacks `scope` (403)."""
    return (
        f'This API token does not have the "{scope}" scope ({TokenScope(scope).label.lower()}), which this request '
        "needs. Ask an administrator for a token with that scope."
    )


def _ordered_scopes(scopes: list[str]) -> list[str]:
    return [s.value for s in TokenScope if s.value in scopes]


def token_errors(*, user: User | None, name: str, scopes: list[str], days: Any) -> dict[str, str]:
    """Every reason the token cannot be issued as asked, by field (empty: it can)."""
    errors: dict[str, str] = {}
    if user is None:
        errors["user"] = "Enter the email address of the user or service account the token is for"
    elif not user.is_active:
        errors["user"] = f"{user.email}'s account is disabled: a token cannot be issued to it"
    if not name.strip():
        errors["name"] = "Enter a name for the token that says what will use it, like “Case management integration”"
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = f"The token's name must be {MAX_NAME} characters or fewer"
    unknown = [s for s in scopes if s not in TokenScope.values]
    if unknown:
        errors["scopes"] = f"“{unknown[0]}” is not a scope: choose from {SCOPES_IN_WORDS}"
    elif not scopes:
        errors["scopes"] = "Select what the token may do: read, record, returns or sync"
    if isinstance(days, bool) or not isinstance(days, int):
        errors["days"] = f"Enter the number of days the token lasts, from {MIN_DAYS} to {MAX_DAYS}"
    elif not MIN_DAYS <= days <= MAX_DAYS:
        errors["days"] = f"A token must expire in {MIN_DAYS} to {MAX_DAYS} days"
    return errors


def _require_administrator(actor: Actor) -> None:
    # The command line acts as the system (None): whoever runs it already holds the server.
    if actor is not None and not access.may(actor, Can.ADMINISTER):
        raise PermissionDenied("Only administrators can manage API tokens")


@transaction.atomic
def token_issue(*, actor: Actor, user: User | None, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Issue a token to `user` (a person or a service account) for `days` days, returning the token and its secret,
    which is not stored and cannot be shown again. Only administrators (PermissionDenied), or the command line
    (actor None). Raises RuleError for a missing name, an unknown or missing scope, days outside 1 to 365 or a
    disabled user. Audited (create) with the token's id, user, name, scopes and expiry, never the secret."""
    _require_administrator(actor)
    errors = token_errors(user=user, name=name, scopes=scopes, days=days)
    if errors:
        raise RuleError(errors)
    assert user is not None
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scopes=_ordered_scopes(scopes),
        prefix=secret[:PREFIX_LENGTH],
        token_hash=token_hash(secret),
        created_by=actor_or_none(actor),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=OBJECT_TYPE,
        object_id=str(token.pk),
        changes={
            "new": {
                "user": user.pk,
                "name": token.name,
                "scopes": token.scopes,
                "prefix": token.prefix,
                "expires_at": token.expires_at,
            }
        },
        context={"api_token_id": token.pk},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken, reason: str) -> ApiToken:
    """Revoke a token: from now on it answers 401. Only administrators (PermissionDenied), or the command line.
    Raises RuleError without a reason, or for a token already revoked. Audited (close) with the reason."""
    _require_administrator(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise RuleError(
            {"token": f"This token was already revoked on {long_date(timezone.localdate(token.revoked_at))}"}
        )
    if not reason.strip():
        raise RuleError({"reason": "Enter why the token is being revoked"})
    token.revoked_at = timezone.now()
    token.revoked_by = actor_or_none(actor)
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        object_type=OBJECT_TYPE,
        object_id=str(token.pk),
        changes={"revoked_at": {"old": None, "new": token.revoked_at}, "reason": reason.strip()},
        context={"api_token_id": token.pk},
    )
    return token


@dataclass(frozen=True)
class TokenCheck:
    token: ApiToken | None
    # Why a token was refused, for the audit log only: the client is told the same thing whatever the reason.
    refusal: str = ""


def token_check(raw: str) -> TokenCheck:
    """The token for a secret, or why it is refused: unknown, expired, revoked, or its user disabled. No writes."""
    raw = raw.strip()
    if not raw.startswith(TOKEN_START) or len(raw) > 200:
        return TokenCheck(None, "not a Casework token")
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(raw)).first()
    if token is None:
        return TokenCheck(None, "unknown token")
    if token.revoked_at is not None:
        return TokenCheck(token, "revoked")
    if token.expires_at <= timezone.now():
        return TokenCheck(token, "expired")
    if not token.user.is_active:
        return TokenCheck(token, "user disabled")
    return TokenCheck(token)


def token_authenticate(raw: str) -> ApiToken | None:
    """The token whose secret is `raw`, if it may be used now; None if it is unknown, expired, revoked or its user
    is disabled. A refusal is audited as a failed sign-in (with the token's id and user when known, and the reason);
    a use notes `last_used_at` (at most once a minute)."""
    check = token_check(raw)
    if check.refusal:
        known = check.token
        audit_record(
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            object_type=OBJECT_TYPE if known else "user",
            object_id=str(known.pk) if known else "",
            context={
                "method": "api_token",
                "reason": check.refusal,
                **({"api_token_id": known.pk, "login": known.user.email} if known else {}),
            },
        )
        return None
    token = check.token
    assert token is not None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_status(token: ApiToken) -> str:
    """ "Active", "Expired" or "Revoked", as lists show it."""
    if token.revoked_at is not None:
        return "Revoked"
    if token.expires_at <= timezone.now():
        return "Expired"
    return "Active"


def token_list(*, user: User | None = None) -> QuerySet[ApiToken]:
    """Tokens, newest first, with their user, issuer and revoker (one query)."""
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by").order_by("-created_at", "-pk")
    return tokens.filter(user=user) if user is not None else tokens
