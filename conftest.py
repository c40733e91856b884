"""Shared test fixtures: the three personas of every access test, and a person factory.

- alice: social worker in Team A (the allocated worker once allocations exist)
- bob: social worker in Team B (a colleague in another team)
- charlie: signed in, but with no role in any team (an outsider)
- manager: team manager in Team A
All have a TOTP authenticator, since MFA is enforced outside demo mode.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from accounts.models import Role, Team, User
from accounts.services import membership_add

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery staple 42"


def make_user(email: str, team: Team | None, role: str | None, *, mfa: bool = True) -> User:
    first, last = email.split("@")[0].split(".")[0].title(), "Tester"
    user = User.objects.create_user(username=email, email=email, password=PASSWORD, first_name=first, last_name=last)
    if team is not None and role is not None:
        membership_add(actor=None, user=user, team=team, role=role)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def team_a(db: Any) -> Team:
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db: Any) -> Team:
    return Team.objects.create(name="Team B")


@pytest.fixture
def team_a_holds(team_a: Team) -> Any:
    """Team A holds the case of every person `people.tests.factories.person()` makes in the test (for tests about
    something other than who may see a record: use `pytestmark = pytest.mark.usefixtures("team_a_holds")`)."""
    from people.tests.factories import held_by_default

    with held_by_default(team_a):
        yield


@pytest.fixture
def alice(team_a: Team) -> User:
    return make_user("alice@example.test", team_a, Role.SOCIAL_WORKER)


@pytest.fixture
def bob(team_b: Team) -> User:
    return make_user("bob@example.test", team_b, Role.SOCIAL_WORKER)


@pytest.fixture
def charlie(db: Any) -> User:
    return make_user("charlie@example.test", None, None)


@pytest.fixture
def manager(team_a: Team) -> User:
    return make_user("mo.manager@example.test", team_a, Role.TEAM_MANAGER)


@pytest.fixture
def support(team_a: Team) -> User:
    return make_user("bea.support@example.test", team_a, Role.BUSINESS_SUPPORT)


def client_for(user: User) -> Client:
    """A client signed in as `user`, whose session has passed the second factor (as signing in through the pages
    does: accounts.middleware.RequireMFAMiddleware refuses a session that has not)."""
    c = Client()
    c.force_login(user)
    pass_second_factor(c, user)
    return c


def pass_second_factor(client: Client, user: User) -> None:
    """Record in the client's session that it passed the user's second factor (allauth's own session record)."""
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    from accounts.sign_in import second_factor_record

    session = client.session
    request = HttpRequest()
    request.session = session
    authenticator = Authenticator.objects.filter(user=user).first()
    second_factor_record(
        request, user, kind="totp", authenticator_id=authenticator.pk if authenticator is not None else None
    )
    session.save()


@pytest.fixture
def alice_client(alice: User) -> Client:
    return client_for(alice)


@pytest.fixture
def totp_code() -> Any:
    return lambda: pyotp.TOTP(TOTP_SECRET).now()


@pytest.fixture
def allow_audit_flush(transactional_db: Any, django_db_serialized_rollback: Any, django_db_blocker: Any) -> Any:
    """Transactional tests end with Django's flush (TRUNCATE), which the audit table refuses, as it should.
    Tests that need committed data (the live-server browser tests) clear the tables the way only a database
    superuser could: with triggers switched off for the session. They also restore what the migrations loaded
    (serialized rollback), so the next test finds the data migrations' rows, and a flush never leaves content
    types behind for the next serialized test to trip over."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Before the test database is dropped, end sessions left by live-server threads, so the drop succeeds and no
    test databases pile up on a developer's machine."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def browser_page() -> Any:
    """A page in Debian's headless Chromium (Playwright drives it; no browser download)."""
    from casework.tests.browser import launch_page

    yield from launch_page()
