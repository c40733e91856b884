"""Administrators' API token pages (/administration/tokens/): the list never shows a secret; issuing shows it once;
revoking asks for a reason. Everyone else is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiToken, Role, User
from accounts.tokens import token_authenticate, token_issue
from conftest import client_for, make_user
from core.testing import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(team_a) -> User:
    return make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)


def test_only_administrators_reach_the_token_pages(admin, alice, manager):
    token, _ = token_issue(actor=admin, user=alice, name="Finance", scopes=["read"], days=30)
    for url in (
        reverse("api_tokens:index"),
        reverse("api_tokens:issue"),
        reverse("api_tokens:issued", args=[token.pk]),
        reverse("api_tokens:revoke", args=[token.pk]),
    ):
        for outsider in (alice, manager):
            r = client_for(outsider).get(url)
            assert r.status_code == 403, url
            assert "Only administrators can manage API tokens" in r.content.decode()
    r = client_for(manager).post(reverse("api_tokens:revoke", args=[token.pk]), {"reason": "Mine now"})
    assert r.status_code == 403
    assert ApiToken.objects.get().revoked_at is None


def test_issue_then_the_secret_is_shown_once(admin, alice):
    c = client_for(admin)
    page = c.get(reverse("api_tokens:issue")).content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"email": "Alice@Example.test", "name": "Case management", "scopes": ["read", "record"], "days": "90"}
    r = c.post(reverse("api_tokens:issue"), {**data, "idempotency_key": key})
    token = ApiToken.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("api_tokens:issued", args=[token.pk])
    shown = c.get(r["Location"]).content.decode()
    secret = shown.split("<code>")[1].split("</code>")[0]
    assert token_authenticate(secret) == token and token.user == alice and token.scopes == ["read", "record"]
    assert "It will not be shown again" in shown
    again = c.get(r["Location"]).content.decode()
    assert secret not in again and "cannot be shown again" in again
    # The form sent again (Back, then Issue again) issues nothing more and never shows the secret again.
    r = c.post(reverse("api_tokens:issue"), {**data, "idempotency_key": key}, follow=True)
    assert ApiToken.objects.count() == 1 and secret not in r.content.decode()
    listing = c.get(reverse("api_tokens:index")).content.decode()
    assert "Case management" in listing and token.prefix in listing and secret not in listing


def test_issue_with_bad_input_shows_every_error_and_issues_nothing(admin, alice):
    r = client_for(admin).post(reverse("api_tokens:issue"), {"email": "nobody@example.test", "name": "", "days": "500"})
    assert r.status_code == 400
    page = r.content.decode()
    assert "There is a problem" in page
    for words in (
        "No user or service account has the email address nobody@example.test",
        "Enter a name for the token",
        "Select what the token may do",
        "A token must expire in 1 to 365 days",
    ):
        assert words in page
    r = client_for(admin).post(
        reverse("api_tokens:issue"), {"email": "alice@example.test", "name": "X", "scopes": ["read"], "days": "ten"}
    )
    assert "Enter the number of days as a whole number, like 30" in r.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_asks_for_a_reason_then_the_token_stops_working(admin, alice):
    token, secret = token_issue(actor=admin, user=alice, name="Finance", scopes=["read"], days=30)
    c = client_for(admin)
    url = reverse("api_tokens:revoke", args=[token.pk])
    assert "Revoke the token" in c.get(url).content.decode()
    r = c.post(url, {"reason": ""})
    assert r.status_code == 400 and "Enter why the token is being revoked" in r.content.decode()
    assert token_authenticate(secret) == token
    r = c.post(url, {"reason": "Supplier changed"}, follow=True)
    assert "was revoked: it no longer works" in r.content.decode()
    assert token_authenticate(secret) is None
    assert "Revoked" in c.get(reverse("api_tokens:index")).content.decode()
    assert "It no longer works" in c.get(url).content.decode()


def test_the_list_runs_as_many_queries_for_many_tokens_as_for_one(admin, alice, bob):
    c = client_for(admin)
    token_issue(actor=admin, user=alice, name="One", scopes=["read"], days=30)
    c.get(reverse("api_tokens:index"))
    with count_queries() as one:
        c.get(reverse("api_tokens:index"))
    for n in range(5):
        token_issue(actor=admin, user=bob if n % 2 else alice, name=f"Token {n}", scopes=["read"], days=30)
    with count_queries() as six:
        c.get(reverse("api_tokens:index"))
    assert_same_query_count(one, six, labels=("one token", "six tokens"))
