"""Every way in passes the second factor: the session must have passed it, not merely belong to a user who has one.

Found by probing: with demo mode off, a superuser with TOTP signed in with the password alone at /admin/login/ and
then read /people/ID, the API and /returns/, because the check was "has an authenticator".
"""

from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from conftest import PASSWORD, client_for, make_user, pass_second_factor
from core.site import demo_database_mark
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def password_only(user) -> Client:
    """A session signed in without the second factor (as /admin/login/ did)."""
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def child(team_a):
    return person("Amelia", "Hughes", date(2015, 3, 27), held_by=team_a)  # the superuser's team holds the case


@pytest.fixture
def superuser(team_a):
    user = make_user("sam.super@example.test", team_a, Role.ADMINISTRATOR)
    user.is_superuser = user.is_staff = True
    user.save()
    return user


def test_there_is_no_django_admin_to_sign_in_through(superuser):
    c = Client()
    assert c.get("/admin/login/").status_code == 404
    r = c.post("/admin/login/", {"username": superuser.email, "password": PASSWORD})
    assert r.status_code == 404 and "_auth_user_id" not in c.session
    # Nor any page of it, such as the one that showed a TOTP secret in plain text.
    authenticator = Authenticator.objects.get(user=superuser)
    assert client_for(superuser).get(f"/admin/mfa/authenticator/{authenticator.pk}/change/").status_code == 404
    assert not [p for p in get_resolver().url_patterns if str(p.pattern).startswith("admin/")]


@pytest.mark.parametrize("path", ["/people/{id}", "/returns/", "/"])
def test_a_session_that_did_not_pass_the_second_factor_is_sent_to_sign_in_again(superuser, child, path):
    c = password_only(superuser)
    url = path.format(id=child.pk)
    r = c.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("account_login")) and "next=" in r["Location"]
    assert "_auth_user_id" not in c.session  # the session was ended
    assert c.get(url).status_code == 302


def test_the_api_refuses_a_session_that_did_not_pass_the_second_factor(superuser, child):
    r = password_only(superuser).get(f"/api/v1/people/{child.pk}")
    assert r.status_code == 401 and r["Content-Type"].startswith("application/json")


def test_a_session_that_passed_the_second_factor_goes_on(superuser, child):
    c = client_for(superuser)
    assert c.get(f"/people/{child.pk}").status_code == 200
    assert c.get(f"/api/v1/people/{child.pk}").status_code == 200
    assert c.get("/returns/").status_code == 200


def test_signing_in_through_the_pages_passes_the_second_factor(superuser, child, totp_code):
    c = Client()
    c.post(reverse("account_login"), {"login": superuser.email, "password": PASSWORD})
    c.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert c.get(f"/people/{child.pk}").status_code == 200
    assert c.get(f"/api/v1/people/{child.pk}").status_code == 200


def test_a_session_from_before_a_second_factor_reset_has_not_passed_it(alice, child):
    c = client_for(alice)
    assert c.get(f"/people/{child.pk}").status_code == 200
    # An administrator resets her second factor (her authenticators are removed).
    Authenticator.objects.filter(user=alice).delete()
    alice.mfa_reset_at = timezone.now()
    alice.save()
    r = c.get(f"/people/{child.pk}")
    assert r.status_code == 302 and r["Location"] == reverse("mfa_activate_totp")
    assert c.get(f"/api/v1/people/{child.pk}").status_code == 403


def test_a_reset_counts_even_when_an_authenticator_is_left(alice, child):
    c = client_for(alice)
    alice.mfa_reset_at = timezone.now() + timedelta(seconds=1)
    alice.save()
    r = c.get(f"/people/{child.pk}")
    assert r.status_code == 302 and r["Location"].startswith(reverse("account_login"))
    # A session that passes it after the reset goes on.
    alice.mfa_reset_at = timezone.now() - timedelta(seconds=5)
    alice.save()
    assert client_for(alice).get(f"/people/{child.pk}").status_code == 200


def test_a_bearer_token_request_is_left_to_the_api_but_never_rides_on_a_half_signed_in_session(superuser, child):
    c = password_only(superuser)
    r = c.get(f"/api/v1/people/{child.pk}", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    # Not redirected to a sign-in page; the API's own authentication answers, and the session does not count.
    assert r.status_code == 401 and r["Content-Type"].startswith("application/json")
    assert "_auth_user_id" in c.session  # the session is left alone for the pages, which still refuse it
    assert c.get(f"/people/{child.pk}").status_code == 302


def test_a_user_who_removes_their_authenticator_must_set_one_up_again(alice, child):
    c = client_for(alice)
    Authenticator.objects.filter(user=alice).delete()
    r = c.get(f"/people/{child.pk}")
    assert r.status_code == 302 and r["Location"] == reverse("mfa_activate_totp")


def test_demo_mode_signs_in_without_a_second_factor(settings, alice, child):
    settings.CASEWORK_DEMO_MODE = True
    demo_database_mark(size="demo", seed=1)  # a database `casework seed` made
    page = password_only(alice).get(f"/people/{child.pk}")
    assert page.status_code == 200
    assert "This is a demonstration authority" in page.content.decode()


def test_demo_mode_is_off_on_a_database_the_seed_did_not_make(settings, alice, child):
    """Demo settings on a database of real records (imported people): every user sets up a second factor, and no
    page says the records are made up."""
    settings.CASEWORK_DEMO_MODE = True
    assert password_only(alice).get(f"/people/{child.pk}").status_code == 302  # the second factor first
    c = password_only(alice)
    pass_second_factor(c, alice)
    assert "This is a demonstration authority" not in c.get(f"/people/{child.pk}").content.decode()


def test_the_tests_sign_in_helper_passes_the_second_factor(alice, child):
    c = password_only(alice)
    pass_second_factor(c, alice)
    assert c.get(f"/people/{child.pk}").status_code == 200
