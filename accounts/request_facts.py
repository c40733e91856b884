"""What every signed-in page asks about its user before the view runs, asked in one query at the start of the request
(accounts.middleware.SessionTimeoutMiddleware): the access settings (the session timeouts and the access rule's grace
periods), the user's roles and teams, whether they declared a conflict (accounts.access.load_access), their unread
notifications (the layout's count), their authenticator (the second factor's middleware) and, when the settings
allow demo mode, whether this is a demo database (core.site). Each was a query of its own on every page.

Each answer is kept for the request where its one-question form looks for it; a request that changes one of them
(marking a notification read, adding an authenticator) asks again where it needs the new answer."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest

from core import site
from core.models import DemoDatabase

from . import access
from .models import Notification

UNREAD = "_casework_unread_notifications"
AUTHENTICATOR = "_casework_authenticator"


def load(request: HttpRequest) -> None:
    """Ask everything above for the signed-in `request.user` in one query and keep the answers for the request."""
    user = request.user
    extra: dict[str, tuple[str, list[Any]]] = {
        "unread": (
            f'SELECT COUNT(*) FROM "{Notification._meta.db_table}" n '  # noqa: S608  # nosec B608
            "WHERE n.user_id = %s AND n.read_at IS NULL",
            [user.pk],
        ),
        "authenticator": (
            f'SELECT json_build_array(a.id, a.type) FROM "{Authenticator._meta.db_table}" a '  # noqa: S608  # nosec B608
            "WHERE a.user_id = %s AND a.type IN (%s, %s) ORDER BY a.id LIMIT 1",
            [user.pk, Authenticator.Type.TOTP.value, Authenticator.Type.WEBAUTHN.value],
        ),
    }
    if settings.CASEWORK_DEMO_MODE:
        extra["demo"] = (f'SELECT EXISTS (SELECT 1 FROM "{DemoDatabase._meta.db_table}")', [])  # noqa: S608  # nosec B608
    answers = access.load_access(user, extra)
    setattr(user, UNREAD, int(answers["unread"]))
    found = answers["authenticator"]
    setattr(user, AUTHENTICATOR, (int(found[0]), str(found[1])) if found else None)
    if "demo" in answers:
        site.remember_demo_mode(request, bool(answers["demo"]))


def unread_notifications(user: Any) -> int | None:
    """The unread count `load` found for this request's user, or None when it was not asked."""
    return getattr(user, UNREAD, None)


def authenticator(user: Any) -> tuple[int, str] | bool | None:
    """The authenticator `load` found ((id, type) or None), or False when it was not asked."""
    return getattr(user, AUTHENTICATOR, False)
