"""Session timeouts and the second factor, applied to every request (see accounts.sign_in)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from core.site import demo_mode

from . import request_facts
from .sign_in import second_factor_passed, second_factor_record, session_timeouts

SIGNED_IN_AT = "casework_signed_in_at"
LAST_SEEN_AT = "casework_last_seen_at"
# A request's activity is written to the session when the last one written is at least this old: a session is not
# saved (an UPDATE and a commit) on every page. The idle timeout allows for it, so a session is never ended before
# the idle timeout has passed since its last request, and at most this much after.
LAST_SEEN_STEP_SECONDS = 30


def session_started(session: Any) -> None:
    """A new sign-in's session starts its timeouts now (accounts.receivers), so the first page after signing in has
    nothing to write to it."""
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _has_bearer_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _sign_in_again(request: HttpRequest, query: dict[str, str]) -> HttpResponse:
    """End the session and send the user to sign in (the API answers 401)."""
    logout(request)
    if _is_api(request):
        return JsonResponse({"detail": "Sign in again."}, status=401)
    next_url = request.get_full_path() if request.method == "GET" else "/"
    return redirect(f"{reverse('account_login')}?{urlencode({**query, 'next': next_url})}")


class SessionTimeoutMiddleware:
    """Ends a session after the idle timeout without a request, and after the absolute timeout however active, both
    from AccessSettings (accounts.sign_in.session_timeouts). SESSION_COOKIE_AGE only bounds how long the session row
    lives; these are the timeouts.

    The last request's time is written at most every LAST_SEEN_STEP_SECONDS (the session is saved only when it
    changed: SESSION_SAVE_EVERY_REQUEST is off), and the idle timeout counts from it plus that step: never early."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            request_facts.load(request)  # the settings, roles, unread count... of every page: one query
            limits = session_timeouts(request.user)
            now = time.time()
            started = request.session.get(SIGNED_IN_AT)
            last_seen = request.session.get(LAST_SEEN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - float(started) > limits.absolute_seconds:
                return _sign_in_again(request, {"timeout": "1"})
            if last_seen is not None and now - float(last_seen) > limits.idle_seconds + LAST_SEEN_STEP_SECONDS:
                return _sign_in_again(request, {"timeout": "1"})
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_STEP_SECONDS:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """Outside demo mode (and in it, for a user whose second factor an administrator reset or who was invited), every
    signed-in session must have passed the user's second factor (not merely belong to a
    user who has one), since the user's last second-factor reset:

    - a session that passed it goes on;
    - a user with no authenticator (new, or reset by an administrator) may only set one up, re-enter their password
      for that, or sign out; setting one up (which needs a code from it) counts as passing it;
    - any other session (signed in some other way) is ended and sent to sign in again, with `next`.

    A request with `Authorization: Bearer` is left to the API's token authentication, but never rides on a session
    that has not passed the second factor: for such a request the session's user is taken away.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Demo mode signs in without a second factor, unless an administrator has reset the user's (or invited them).
        demo_exempt = getattr(user, "mfa_reset_at", None) is None and user.is_authenticated and demo_mode(request)
        if not user.is_authenticated or demo_exempt or request.path.startswith("/static/"):
            return self.get_response(request)
        passed = second_factor_passed(request, user)
        known = request_facts.authenticator(user)
        has_authenticator = (known if known is not False else _authenticator(user)) is not None
        if passed and has_authenticator:
            return self.get_response(request)
        if _has_bearer_token(request):
            request.user = AnonymousUser()

            async def anonymous() -> AnonymousUser:
                return AnonymousUser()

            request.auser = anonymous
            return self.get_response(request)
        if has_authenticator:
            return _sign_in_again(request, {})
        # No authenticator: set one up first.
        if request.path.startswith(_setting_up_paths()):
            response = self.get_response(request)
            added = _authenticator(user)
            if added is not None and request.user.is_authenticated:
                second_factor_record(request, user, kind=added[1], authenticator_id=added[0])
            return response
        if _is_api(request):
            return JsonResponse({"detail": "Set up two-factor authentication before using the API."}, status=403)
        return redirect("mfa_activate_totp")


def _setting_up_paths() -> tuple[str, ...]:
    return (reverse("mfa_index"), reverse("account_reauthenticate"), reverse("account_logout"))


def _authenticator(user: object) -> tuple[int, str] | None:
    """The user's TOTP or WebAuthn authenticator (id, type), if they have one. Recovery codes alone do not count."""
    from allauth.mfa.models import Authenticator

    row = (
        Authenticator.objects.filter(
            user_id=getattr(user, "pk", None), type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        )
        .values_list("pk", "type")
        .first()
    )
    return (row[0], row[1]) if row else None
