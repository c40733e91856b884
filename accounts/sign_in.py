"""Signing in: the second factor this session passed, the growing delay after failed sign-ins, and the session
timeouts administrators set.

- **Second factor.** allauth records every way a session authenticated (password, mfa) in the session
  (`allauth.account.authentication.get_authentication_records`). A session has passed the second factor when it has
  an "mfa" record made after the user's last second-factor reset (`User.mfa_reset_at`). `RequireMFAMiddleware`
  asks `second_factor_passed` on every request; having an authenticator is not enough.
- **Throttle.** Failed sign-ins are counted per address ("ip:...") and per account ("account:<email>") in
  `SignInThrottle`. After `FREE_ACCOUNT_FAILURES` failures on an account (`FREE_ADDRESS_FAILURES` from an address),
  each further attempt must wait 2^(n - free) seconds after the last failure (at most `MAX_WAIT_SECONDS`); an attempt
  made sooner is refused without checking the password and is not counted. Nobody is ever locked out: the real user
  waits at most a minute. The account's count is cleared when its user signs in, after they are told about the
  failures; an address's count is forgotten an hour after its last failure.
- **Timeouts.** Idle and absolute session timeouts are `AccessSettings` (one row, pk=1), read once per request by
  `SessionTimeoutMiddleware`; the settings constants are used only when there is no database to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest
from django.utils import timezone

from core import client

from .access import access_settings
from .models import SignInThrottle

FREE_ACCOUNT_FAILURES = 3
# An office behind one address has many people mistyping: the address is slowed only well after any one account.
FREE_ADDRESS_FAILURES = 20
MAX_WAIT_SECONDS = 60
ADDRESS_FORGOTTEN_AFTER = timedelta(hours=1)


# --- the second factor ----------------------------------------------------------------------------------------------


def second_factor_passed(request: HttpRequest, user: Any) -> bool:
    """Whether this session passed the user's second factor since it was last reset by an administrator."""
    reset = user.mfa_reset_at.timestamp() if getattr(user, "mfa_reset_at", None) else 0.0
    return any(
        record.get("method") == "mfa" and float(record.get("at") or 0) > reset
        for record in get_authentication_records(request, user)
    )


def second_factor_record(request: HttpRequest, user: Any, *, kind: str, authenticator_id: int | None = None) -> None:
    """Record in the session that the user proved their second factor outside allauth's sign-in step: by setting up
    a new authenticator (which needs a code from it). Same record as allauth's own."""
    record_authentication(request, user, "mfa", type=kind, id=authenticator_id, activated=True)


# --- throttling -----------------------------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The address a request came from (core.client: X-Forwarded-For is believed only from the configured proxies,
    so clients behind one proxy are throttled each on their own address, and no client can choose its own)."""
    return client.client_address(request)


def _keys(request: HttpRequest | None, login: str) -> dict[str, str]:
    keys = {"account": f"account:{login.strip().lower()[:250]}"}
    if request is not None:
        keys["ip"] = f"ip:{client_address(request)}"
    return keys


def _delay(failures: int, free: int) -> int:
    return 0 if failures < free else min(MAX_WAIT_SECONDS, 2 ** (failures - free))


def sign_in_wait_seconds(*, request: HttpRequest, login: str, now: datetime | None = None) -> int:
    """Seconds this address or account must still wait before another attempt (0: go ahead). One query."""
    now = now or timezone.now()
    keys = _keys(request, login)
    wait = 0.0
    for row in SignInThrottle.objects.filter(key__in=keys.values()):
        if row.key.startswith("ip:"):
            if now - row.last_failed_at > ADDRESS_FORGOTTEN_AFTER:
                continue
            delay = _delay(row.failures, FREE_ADDRESS_FAILURES)
        else:
            delay = _delay(row.failures, FREE_ACCOUNT_FAILURES)
        wait = max(wait, delay - (now - row.last_failed_at).total_seconds())
    return max(0, int(wait + 0.999))


def sign_in_failure_record(*, request: HttpRequest | None, login: str, now: datetime | None = None) -> None:
    """Count a failed sign-in against the account and the address (one statement, safe under concurrency). The
    audit event is written by the caller (accounts.receivers)."""
    now = now or timezone.now()
    forgotten = now - ADDRESS_FORGOTTEN_AFTER
    with connection.cursor() as cur:
        for kind, key in _keys(request, login).items():
            cur.execute(
                """
                INSERT INTO accounts_signinthrottle (key, failures, last_failed_at) VALUES (%s, 1, %s)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN %s AND accounts_signinthrottle.last_failed_at < %s THEN 1
                                    ELSE accounts_signinthrottle.failures + 1 END,
                    last_failed_at = EXCLUDED.last_failed_at
                """,
                [key, now, kind == "ip", forgotten],
            )


@dataclass(frozen=True)
class FailedAttempts:
    count: int
    last_at: datetime

    def message(self) -> str:
        when = timezone.localtime(self.last_at)
        attempts = "was 1 failed attempt" if self.count == 1 else f"were {self.count} failed attempts"
        return (
            f"There {attempts} to sign in to your account since you last signed in, the last on "
            f"{when.day} {when:%B %Y} at {when:%H:%M}. If this was not you, tell your administrator."
        )


def sign_in_succeeded(*, user: Any) -> FailedAttempts | None:
    """The user has signed in: clear their account's count and return the failed attempts since they last signed in
    (None if there were none), for the page to tell them."""
    key = _keys(None, user.email)["account"]
    row = SignInThrottle.objects.filter(key=key).first()
    if row is None:
        return None
    row.delete()
    return FailedAttempts(count=row.failures, last_at=row.last_failed_at) if row.failures else None


# --- session timeouts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionTimeouts:
    idle_seconds: int
    absolute_seconds: int


def session_timeouts(user: Any = None) -> SessionTimeouts:
    """The idle and absolute timeouts administrators set (AccessSettings, created with its defaults if missing),
    read once a request when the signed-in `user` is given (the row the access rule reads too: access.access_settings).
    The settings constants are the fallback when the database cannot be asked."""
    try:
        row = access_settings(user)
    except DatabaseError:
        return SessionTimeouts(settings.CASEWORK_SESSION_IDLE_SECONDS, settings.CASEWORK_SESSION_ABSOLUTE_SECONDS)
    return SessionTimeouts(row.idle_timeout_minutes * 60, row.absolute_timeout_hours * 60 * 60)
