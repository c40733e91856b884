"""API tokens: issued by administrators, stored hashed, shown once, revocable, every use audited with the token's id,
and never more than the token's user may see (accounts.tokens, accounts.api_auth)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, Role, User
from accounts.services import user_disable
from accounts.tokens import required_scope, token_authenticate, token_issue, token_revoke
from audit.models import AuditEvent
from conftest import client_for, make_user
from core.errors import RuleError
from people.models import Person
from people.tests.factories import person

# Team A holds every person made here (the token users are in it): tokens act by their user's access rule.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


@pytest.fixture
def admin(team_a) -> User:
    return make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)


def issue(admin: User, user: User, scopes: list[str] | None = None, days: int = 30) -> tuple[ApiToken, str]:
    return token_issue(actor=admin, user=user, name="Case management integration", scopes=scopes or ["read"], days=days)


def bearer(secret: str) -> Client:
    """A client with no session and no cookies: only the token."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", enforce_csrf_checks=True)


# --- issuing and revoking -----------------------------------------------------------------------------------------


def test_only_a_hash_is_stored_and_the_secret_is_recognisable_by_its_start(admin, alice):
    token, secret = issue(admin, alice, ["read", "record"])
    assert secret.startswith("cw_") and len(secret) >= 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.prefix == secret[:8]
    assert token.scopes == ["read", "record"] and token.created_by == admin
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_issuing_is_audited_with_the_token_id_and_never_the_secret(admin, alice):
    token, secret = issue(admin, alice)
    event = AuditEvent.objects.get(object_type="api_token", action="create")
    assert event.actor == admin and event.object_id == str(token.pk)
    assert event.context["api_token_id"] == token.pk
    assert event.changes["new"]["scopes"] == ["read"]
    assert secret not in str(event.changes) and secret not in str(event.context)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"name": "  "}, "name", "Enter a name for the token"),
        ({"scopes": []}, "scopes", "Select what the token may do"),
        ({"scopes": ["read", "everything"]}, "scopes", "“everything” is not a scope: choose from read, record"),
        ({"days": 0}, "days", "A token must expire in 1 to 365 days"),
        ({"days": 366}, "days", "A token must expire in 1 to 365 days"),
        ({"user": None}, "user", "Enter the email address of the user or service account"),
    ],
)
def test_bad_input_is_refused_in_plain_words_and_nothing_is_issued(admin, alice, kwargs, field, words):
    args = {"actor": admin, "user": alice, "name": "Integration", "scopes": ["read"], "days": 30, **kwargs}
    with pytest.raises(RuleError) as e:
        token_issue(**args)
    assert words in e.value.errors[field]
    assert not ApiToken.objects.exists()


def test_a_disabled_user_gets_no_token(admin, alice):
    user_disable(actor=admin, user=alice, reason="Left the authority")
    with pytest.raises(RuleError) as e:
        issue(admin, alice)
    assert "disabled" in e.value.errors["user"]


def test_only_administrators_issue_and_revoke(admin, alice, manager):
    with pytest.raises(PermissionDenied):
        issue(manager, alice)
    token, _ = issue(admin, alice)
    with pytest.raises(PermissionDenied):
        token_revoke(actor=manager, token=token, reason="Not needed")


def test_revoking_needs_a_reason_is_audited_and_cannot_be_done_twice(admin, alice):
    token, secret = issue(admin, alice)
    with pytest.raises(RuleError) as e:
        token_revoke(actor=admin, token=token, reason=" ")
    assert e.value.errors == {"reason": "Enter why the token is being revoked"}
    token_revoke(actor=admin, token=token, reason="The supplier's laptop was stolen")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    event = AuditEvent.objects.get(object_type="api_token", action="close")
    assert event.changes["reason"] == "The supplier's laptop was stolen" and event.context["api_token_id"] == token.pk
    with pytest.raises(RuleError) as e:
        token_revoke(actor=admin, token=token, reason="Again")
    assert "already revoked" in e.value.errors["token"]
    assert token_authenticate(secret) is None


def test_scope_follows_the_method_and_the_route():
    assert required_scope("GET", "/api/v1/people/1") == "read"
    assert required_scope("HEAD", "/api/v1/people/1") == "read"
    assert required_scope("POST", "/api/v1/people") == "record"
    assert required_scope("DELETE", "/api/v1/people/1/warnings/2") == "record"
    assert required_scope("GET", "/api/v1/returns/runs") == "returns"
    assert required_scope("POST", "/api/v1/sync/changes") == "sync"
    assert required_scope("GET", "/api/v1/returnsish") == "read"


# --- the API with a token -----------------------------------------------------------------------------------------


def test_a_token_acts_as_its_user_and_its_use_is_audited_with_its_id(admin, alice):
    child = person()
    token, secret = issue(admin, alice)
    r = bearer(secret).get(f"/api/v1/people/{child.pk}")
    assert r.status_code == 200, r.content
    assert r.json()["family_name"] == "Hughes"
    view = AuditEvent.objects.get(action="view", person=child)
    assert view.actor == alice and view.context["api_token_id"] == token.pk
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_write_with_a_record_token_needs_no_csrf_and_no_session_and_is_audited_with_its_id(admin, alice):
    token, secret = issue(admin, alice, ["read", "record"])
    r = bearer(secret).post(
        "/api/v1/people",
        {"given_name": "Tobias", "family_name": "Quarrie", "date_of_birth": "2016-01-02"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    created = Person.objects.get(family_name="Quarrie")
    event = AuditEvent.objects.get(action="create", object_type="person", object_id=str(created.pk))
    assert event.actor == alice and event.context["api_token_id"] == token.pk
    assert "sessionid" not in r.cookies


def test_a_token_post_sent_twice_with_the_same_idempotency_key_adds_one_person(admin, alice):
    _, secret = issue(admin, alice, ["read", "record"])
    body = {"given_name": "Tobias", "family_name": "Quarrie", "date_of_birth": "2016-01-02"}
    client = bearer(secret)
    first = client.post("/api/v1/people", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/people", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Person.objects.filter(family_name="Quarrie").count() == 1


def test_a_write_with_a_read_token_is_refused_naming_the_missing_scope(admin, alice):
    _, secret = issue(admin, alice, ["read"])
    r = bearer(secret).post("/api/v1/people", {"given_name": "A", "family_name": "B"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["missing_scope"] == "record"
    assert 'does not have the "record" scope' in r.json()["detail"]
    assert not Person.objects.filter(family_name="B").exists()


def test_a_read_with_a_record_only_token_is_refused(admin, alice):
    child = person()
    _, secret = issue(admin, alice, ["record"])
    r = bearer(secret).get(f"/api/v1/people/{child.pk}")
    assert r.status_code == 403 and r.json()["missing_scope"] == "read"
    assert not AuditEvent.objects.filter(action="view", person=child).exists()


@pytest.mark.parametrize("how", ["unknown", "expired", "revoked", "disabled", "not ours"])
def test_a_bad_token_answers_401_in_plain_words_and_is_audited_as_a_failed_sign_in(admin, alice, how):
    child = person()
    token, secret = issue(admin, alice)
    if how == "unknown":
        secret = secret[:-4] + "AAAA"
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "revoked":
        token_revoke(actor=admin, token=token, reason="No longer used")
    elif how == "disabled":
        user_disable(actor=admin, user=alice, reason="Left the authority")
    else:
        secret = "abc.def.ghi"
    r = bearer(secret).get(f"/api/v1/people/{child.pk}")
    assert r.status_code == 401
    assert r.json()["detail"].startswith("The API token is not valid")
    assert r["WWW-Authenticate"].startswith("Bearer")
    failed = AuditEvent.objects.get(action="sign_in_failed")
    assert failed.context["method"] == "api_token"
    if how in ("expired", "revoked", "disabled"):
        assert failed.context["api_token_id"] == token.pk
        # Disabling a user also revokes their tokens (accounts.services.user_disable).
        assert failed.context["reason"] == {"disabled": "revoked"}.get(how, how)
    assert not AuditEvent.objects.filter(action="view", person=child).exists()


def test_a_token_never_sees_more_than_its_user(admin, alice, charlie):
    """A restricted record without a grant is refused with a token just as with the session; a user with no role
    gets nothing either way."""
    secret_child = person("Jordan", "Blake", is_restricted=True)
    _, alice_secret = issue(admin, alice, ["read", "record", "returns", "sync"])
    assert client_for(alice).get(f"/api/v1/people/{secret_child.pk}").status_code == 404
    assert bearer(alice_secret).get(f"/api/v1/people/{secret_child.pk}").status_code == 404
    found = bearer(alice_secret).get("/api/v1/people/search", {"q": "Jordan Blake"}).json()
    assert secret_child.pk not in [m["id"] for m in found]
    _, charlie_secret = issue(admin, charlie, ["read"])
    assert client_for(charlie).get("/api/v1/people/search", {"q": "Jordan"}).status_code == 403
    assert bearer(charlie_secret).get("/api/v1/people/search", {"q": "Jordan"}).status_code == 403


def test_a_token_user_without_a_second_factor_is_not_sent_to_set_one_up(admin, team_a):
    """A service account never signs in, so it has no authenticator: its token is its credential."""
    service = make_user("case.system@example.test", team_a, Role.SOCIAL_WORKER, mfa=False)
    child = person()
    _, secret = issue(admin, service)
    r = bearer(secret).get(f"/api/v1/people/{child.pk}")
    assert r.status_code == 200, r.content


def test_without_a_token_or_session_the_api_still_answers_401(alice):
    assert Client().get("/api/v1/people/search", {"q": "Amelia"}).status_code == 401


def test_the_openapi_schema_offers_both_the_session_and_a_bearer_token(alice_client):
    schema = alice_client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["ApiTokenAuth"].items()
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_the_api_docs_page_explains_tokens(alice_client):
    page = alice_client.get("/api/v1/docs").content.decode()
    assert "Authorization: Bearer" in page


# --- the command line ---------------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("tokens", *args, stdout=out)
    return out.getvalue()


def test_the_command_line_issues_lists_and_revokes(alice):
    out = run(
        "issue", "--user", "ALICE@example.test", "--name", "Finance system", "--scope", "read", "--scope", "returns"
    )
    secret = next(line for line in out.splitlines() if line.startswith("cw_"))
    assert "will not be shown again" in out
    token = ApiToken.objects.get()
    assert token.scopes == ["read", "returns"] and token.created_by is None and token_authenticate(secret) == token
    listing = run("list", "--user", "alice@example.test")
    assert "Finance system" in listing and "read,returns" in listing and "Active" in listing
    assert secret not in listing
    out = run("revoke", str(token.pk), "--reason", "Replaced")
    assert "no longer works" in out
    assert "Revoked" in run("list")
    assert token_authenticate(secret) is None


def test_the_command_line_refuses_in_plain_words(alice):
    with pytest.raises(CommandError, match="A token must expire in 1 to 365 days"):
        run("issue", "--user", "alice@example.test", "--name", "X", "--days", "400")
    with pytest.raises(CommandError, match="is not a scope"):
        run("issue", "--user", "alice@example.test", "--name", "X", "--scope", "admin")
    with pytest.raises(CommandError, match=r"No user has the email address nobody@example\.test"):
        run("issue", "--user", "nobody@example.test", "--name", "X")
    with pytest.raises(CommandError, match="There is no token 999"):
        run("revoke", "999", "--reason", "X")
    assert not ApiToken.objects.exists()
