"""Sign-in and sign-out audit events, the sign-in throttle's counts, and telling a user of failed attempts to sign in
to their account. Django's auth signals are the only hook for these; the event is written in the request's
transaction (core.middleware.AtomicWritesMiddleware: sign-in and sign-out are POSTs)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditAction
from audit.services import audit_record

from .middleware import session_started
from .sign_in import sign_in_failure_record, sign_in_succeeded


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.SIGN_IN, object_type="user", object_id=str(user.pk))
    if request is not None and hasattr(request, "session"):
        session_started(request.session)
    failed = sign_in_succeeded(user=user)
    if failed is not None and request is not None:
        messages.warning(request, failed.message(), fail_silently=True)  # the next page's notification banner


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.SIGN_OUT, object_type="user", object_id=str(user.pk))


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    login = str(credentials.get("email") or credentials.get("username") or "")[:200]
    audit_record(
        actor=None, action=AuditAction.SIGN_IN_FAILED, object_type="user", object_id="", context={"login": login}
    )
    if login:
        sign_in_failure_record(request=request, login=login)
