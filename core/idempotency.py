"""One-time keys, so that a request that creates something is answered once and only once.

A page's form carries a key issued with it (a hidden field, `FIELD`, rendered by `{% once_key form %}`); an API client
sends an `Idempotency-Key` header. The request claims the key in the same transaction as the record it writes and
stores its answer with it (a form's redirect, an endpoint's status and body). A resubmission (Back and Save again, a
client's retry after a lost answer) finds the key already used and gets that answer, not a second record.

Back does not always bring the key back: a browser that fetches the form page again (Chromium does, for a page it
may not keep) puts back what was typed in its text boxes but not a hidden input's value, so the old text comes back
with a fresh key. So a form's submission is also kept as a `fingerprint` (a hash of its path and fields, key and CSRF
token left out), and a form sent again with a fresh key but exactly the same fields within `SAME_FORM_WITHIN` is
answered as the same submission. Recording exactly the same note twice on purpose (same time, subject and text) is
not something a social worker does.

Two submissions at the same moment are settled by the unique constraint on (user, key): the second INSERT waits for
the first transaction, then fails, and the second request reads the answer the first committed. A request that saves
nothing (a form with errors, an endpoint's 4xx) gives its key back, so the corrected submission can use it.

Forms: `core.views.handle_form(..., once=True)`. API: `IdempotencyKeyMiddleware` (any POST with the header). The
request body is not compared: a key belongs to one submission, and a client that reuses one for another path is told
so (422).

Keys are kept for `KEEP_FOR` (the day in which a resubmission is recognised) and then deleted by
`idempotency_keys_purge`: `casework worker` runs it when it starts and then daily (core.tasks), and
`casework idempotency_purge` runs it by hand. A key is not a record: it holds only the answer a request gave (a
redirect, an API answer already returned); the record it made, and its audit event, stay.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone

from .models import IdempotencyKey

if TYPE_CHECKING:  # a type only: core does not depend on accounts at run time
    from accounts.models import User

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
ALREADY_SAVED = "This was already saved"
SAME_FORM_WITHIN = timedelta(hours=24)
# How long a used key is kept: its window (a form sent again within SAME_FORM_WITHIN), then it is purged.
KEEP_FOR = SAME_FORM_WITHIN
_NOT_CONTENT = {FIELD, "csrfmiddlewaretoken"}
_VALID = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces, as in the IETF draft's examples


def new_key() -> str:
    """A key for a form about to be shown: 32 random URL-safe characters."""
    return secrets.token_urlsafe(24)


def is_valid_key(key: str) -> bool:
    return bool(_VALID.match(key))


def fingerprint(path: str, data: QueryDict) -> str:
    """A form's submission, hashed: its path and every field as sent, except the key and the CSRF token."""
    fields = sorted((k, sorted(data.getlist(k))) for k in data if k not in _NOT_CONTENT)
    return hashlib.sha256(json.dumps([path, fields]).encode()).hexdigest()


def idempotency_key_claim(*, user: User, key: str, scope: str, fingerprint: str = "") -> IdempotencyKey | None:
    """Claim `key` for this request, inside the caller's transaction. None: claimed now; go on, then call
    `idempotency_key_complete` (or `idempotency_key_release`) before the transaction ends. Otherwise the key's row,
    as an earlier request left it: answer with what it stored (check its `scope` first).

    If another transaction holds the same key uncommitted, this waits for it (the unique index), then returns its
    row; if that one rolled back, the key is claimed here."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key, scope=scope[:300], fingerprint=fingerprint)
    except IntegrityError:
        return IdempotencyKey.objects.get(user=user, key=key)
    return None


def idempotency_key_find(*, user: User, key: str, fingerprint: str = "") -> IdempotencyKey | None:
    """The row of a key already used (committed), or else of the same form sent within SAME_FORM_WITHIN with
    another key (`fingerprint`), if any: no lock, no write."""
    found = IdempotencyKey.objects.filter(user=user, key=key).first()
    if found is None and fingerprint:
        found = (
            IdempotencyKey.objects.filter(
                user=user, fingerprint=fingerprint, created_at__gte=timezone.now() - SAME_FORM_WITHIN
            )
            .exclude(location="")
            .order_by("-created_at")
            .first()
        )
    return found


def idempotency_key_complete(
    *,
    user: User,
    key: str,
    location: str = "",
    status_code: int | None = None,
    content_type: str = "",
    body: str = "",
) -> None:
    """Store the answer the request gave with its claimed key (same transaction as the record it made)."""
    IdempotencyKey.objects.filter(user=user, key=key).update(
        location=location[:500], status_code=status_code, content_type=content_type[:100], body=body
    )


def idempotency_key_release(*, user: User, key: str) -> None:
    """Give a claimed key back: the request saved nothing, so the same key may be used again."""
    IdempotencyKey.objects.filter(user=user, key=key).delete()


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete the keys older than KEEP_FOR; returns how many. Deleting is right here, and no audit event is written:
    a key is not part of anyone's record (the note, visit or person it made stays, with its own audit event), only
    the answer a request gave so that a resubmission within the day is answered with it. A key claimed by a request
    still running is younger than KEEP_FOR, so it is never taken from under it."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _error(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": {HEADER: message}}, status=422)


class IdempotencyKeyMiddleware:
    """A POST with an `Idempotency-Key` header from a signed-in user runs once: a repeat with the same key is answered
    with the first answer (its status and body, and `Idempotent-Replayed: true`). Only 2xx answers are kept; after an
    error the key may be used again. Sits after AuthenticationMiddleware; wraps the view's transaction in its own so
    the key and the record commit together."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        if request.method != "POST" or key is None or user is None or not user.is_authenticated:
            return self.get_response(request)
        if not is_valid_key(key):
            return _error(f"{HEADER} must be 1 to 255 letters, digits or symbols, with no spaces")
        scope = f"{request.method} {request.path}"
        with transaction.atomic():
            earlier = idempotency_key_claim(user=user, key=key, scope=scope)
            if earlier is not None:
                if earlier.scope != scope:
                    return _error(f"This {HEADER} was used for another request: use a new key for each request")
                replay = HttpResponse(
                    earlier.body, status=earlier.status_code or 200, content_type=earlier.content_type or None
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = self.get_response(request)
            if 200 <= response.status_code < 300 and not response.streaming:
                idempotency_key_complete(
                    user=user,
                    key=key,
                    status_code=response.status_code,
                    content_type=response.get("Content-Type", ""),
                    body=response.content.decode(response.charset or "utf-8"),
                )
            else:
                idempotency_key_release(user=user, key=key)
            return response
