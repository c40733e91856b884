"""Who is asking, for the API: `Authorization: Bearer cw_...` besides the signed-in session.

`ApiTokenMiddleware` is the one place a bearer token is checked, for every path under /api/:
- a bad, expired or revoked token (or a disabled user's) answers 401 JSON with a plain message, and is audited as a
  failed sign-in (accounts.tokens.token_authenticate);
- a good token without the scope the request needs (accounts.tokens.required_scope: read to read, record to change,
  returns for the returns endpoints, sync for the offline app's) answers 403 JSON naming the missing scope;
- otherwise the request acts as the token's user: `request.user` is that user, so every access check applies as it
  would to the user signed in (a token never sees more than its user), and every audit event written during the
  request carries the token's id in its context (`api_token_id`), as does the row history (pghistory).

A bearer request needs no session and no CSRF token (a browser never sends the header by itself, so a forged form
cannot use it). It is not asked for a second factor: it carries no session, so the session and MFA middleware (which
sit before this one) never see a user. The token stands in for the second factor: it is issued by an administrator,
who signed in with one, to a user or service account, and it is a 256-bit secret that expires.

`ApiTokenAuth` is the django-ninja side: it accepts the request the middleware let through, and puts the bearer
scheme into the OpenAPI description beside the session cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import HttpBearer

from audit.context import current

from .tokens import required_scope, scope_refusal, token_authenticate

API_PREFIX = "/api/"
BEARER = "bearer "
NOT_VALID = (
    "The API token is not valid: it may be mistyped, expired or revoked, or its user disabled. "
    "Ask an administrator for a new one."
)


def bearer_secret(request: HttpRequest) -> str | None:
    """The secret of an `Authorization: Bearer ...` header, or None if the request has none."""
    header = request.headers.get("Authorization", "")
    if header[: len(BEARER)].lower() != BEARER:
        return None
    return header[len(BEARER) :].strip()


class ApiTokenMiddleware:
    """Bearer tokens under /api/ (see the module's docstring). Sits after the audit context middleware, so failed and
    successful uses are audited with the request's address, and before the idempotency middleware, which then keys
    a token's POSTs by its user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        secret = bearer_secret(request)
        if secret is None:
            return self.get_response(request)
        token = token_authenticate(secret)
        if token is None:
            response = JsonResponse({"detail": NOT_VALID}, status=401)
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        scope = required_scope(request.method or "GET", request.path)
        if scope not in token.scopes:
            response = JsonResponse({"detail": scope_refusal(scope), "missing_scope": scope.value}, status=403)
            response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{scope.value}"'
            return response
        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        pghistory.context(api_token_id=token.pk)
        context = current.set({**(current.get() or {}), "api_token_id": token.pk})
        try:
            return self.get_response(request)
        finally:
            current.reset(context)


class ApiTokenAuth(HttpBearer):
    """django-ninja's side of bearer tokens: the request's token was checked by ApiTokenMiddleware, which also
    refused a bad one; here it is only accepted (and described in the OpenAPI schema as the "bearer" scheme)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        checked = getattr(request, "api_token", None)
        if checked is None:
            return None
        return request.user
