"""What kind of database this is: a demo authority made by `casework seed`, or real records.

Demo users (a printed password and TOTP secrets derived from their e-mail addresses, the same on every install) are
safe only on made-up data. So `casework seed` marks the database it fills (`demo_database_mark`, a `DemoDatabase`
row), the demo users are created only where that mark is (`demo.users.ensure_demo_users` refuses anywhere else), and
demo mode, signing in without setting up a second factor and the banner on every page, is on only when the settings
allow it (`CASEWORK_DEMO_MODE`, never in production) *and* the database is marked (`demo_mode`). A database of
imported people has no mark, so `casework serve` on it creates no demo users and changes nobody's roles.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from core.models import DemoDatabase

_REQUEST_ATTRIBUTE = "_casework_demo_mode"


def is_demo_database() -> bool:
    """The database was made by `casework seed`."""
    return DemoDatabase.objects.exists()


def demo_database_mark(*, size: str, seed: int) -> DemoDatabase:
    """Mark the database as a made-up authority (`casework seed`, before it creates anything)."""
    mark = DemoDatabase.objects.first()
    return mark or DemoDatabase.objects.create(size=size, seed=seed)


def remember_demo_mode(request: HttpRequest, found: bool) -> None:
    """Keep for the request whether this is a demo database, found by a query that asked other things too
    (accounts.request_facts), so `demo_mode` does not ask again."""
    setattr(request, _REQUEST_ATTRIBUTE, found)


def demo_mode(request: HttpRequest | None = None) -> bool:
    """Demo mode is on: the settings allow it and this is a demo database. Asked once per request (kept on it);
    never asks the database when the settings do not allow demo mode (production, tests)."""
    if not settings.CASEWORK_DEMO_MODE:
        return False
    if request is None:
        return is_demo_database()
    cached = getattr(request, _REQUEST_ATTRIBUTE, None)
    if cached is None:
        cached = is_demo_database()
        setattr(request, _REQUEST_ATTRIBUTE, cached)
    return bool(cached)
