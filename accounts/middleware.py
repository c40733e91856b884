"""Session timeouts and the MFA requirement, applied to every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "casework_signed_in_at"


class SessionTimeoutMiddleware:
    """Ends a session 10 hours after sign-in, however active (the idle timeout is SESSION_COOKIE_AGE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - float(started) > settings.CASEWORK_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('account_login')}?timeout=1")
        return self.get_response(request)


class RequireMFAMiddleware:
    """Outside demo mode, a signed-in user without a second factor can only set one up or sign out. In demo mode too
    when an administrator has reset their second factor or invited them (`User.mfa_reset_at`)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and (not settings.CASEWORK_DEMO_MODE or getattr(user, "mfa_reset_at", None) is not None)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not _has_mfa(request)
        ):
            if request.path.startswith("/api/"):
                return HttpResponse(
                    '{"detail": "Set up two-factor authentication before using the API."}',
                    status=403,
                    content_type="application/json",
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_mfa(request: HttpRequest) -> bool:
    cached = getattr(request, "_casework_has_mfa", None)
    if cached is None:
        from allauth.mfa.models import Authenticator

        cached = Authenticator.objects.filter(
            user_id=request.user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
        request._casework_has_mfa = cached  # type: ignore[attr-defined]
    return bool(cached)
