"""Signing in: password and a second factor, throttling, timeouts, and ending sessions."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LAST_SEEN_AT, LAST_SEEN_STEP_SECONDS, SIGNED_IN_AT
from accounts.models import AccessSettings, SignInThrottle
from accounts.services import user_disable
from audit.models import AuditEvent
from conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_sign_in_needs_password_then_a_totp_code(alice, totp_code):
    c = Client()
    r = sign_in(c, alice.email)
    assert r.status_code == 302 and r["Location"] == reverse("mfa_authenticate")
    assert c.get(reverse("home")).status_code == 302  # not signed in yet
    r = c.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert r.status_code == 200 and "Incorrect code" in r.content.decode()
    r = c.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert r.status_code == 302
    assert c.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="sign_in", actor=alice).exists()


def test_self_sign_up_is_closed(db):
    r = Client().get(reverse("account_signup"))
    assert "Sign up closed" in r.content.decode() or r.status_code in (403, 404)


# --- throttling: slowed, never locked out ---------------------------------------------------------------------------


def wait_out(key: str) -> None:
    """Time passes: the last failure was long enough ago for any delay."""
    SignInThrottle.objects.filter(key=key).update(last_failed_at=timezone.now() - timedelta(minutes=2))


def test_failed_sign_ins_are_audited_and_slowed_without_checking_the_password(alice):
    c = Client()
    for _ in range(3):
        assert sign_in(c, alice.email, "wrong password").status_code == 200
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 3
    assert AuditEvent.objects.filter(action="sign_in_failed").first().context["login"] == alice.email
    # The fourth try straight away is refused even with the right password, and is not checked or counted.
    r = sign_in(c, alice.email)
    assert r.status_code == 200
    assert "Too many attempts. Wait 1 second and try again" in r.content.decode()
    assert 'class="govuk-error-summary"' in r.content.decode()
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 3
    assert SignInThrottle.objects.get(key=f"account:{alice.email}").failures == 3


def test_the_delay_grows_but_the_real_user_is_never_locked_out(alice):
    c = Client()
    key = f"account:{alice.email}"
    for _ in range(3):
        sign_in(c, alice.email, "wrong password")
    waits = []
    for _ in range(8):
        r = sign_in(c, alice.email)
        waits.append(r.content.decode().split("Too many attempts. Wait ")[1].split(" and try again")[0])
        wait_out(key)
        sign_in(c, alice.email, "wrong password")
    assert waits == ["1 second", "2 seconds", "4 seconds", "8 seconds", "16 seconds", "32 seconds", "60 seconds",
                     "60 seconds"]  # fmt: skip
    # After the wait, the right password goes on to the second factor.
    wait_out(key)
    r = sign_in(c, alice.email)
    assert r.status_code == 302 and r["Location"] == reverse("mfa_authenticate")


def test_anyone_trying_someone_elses_account_cannot_lock_them_out(alice):
    attacker, user = Client(), Client()
    for _ in range(3):
        sign_in(attacker, alice.email, "guess", REMOTE_ADDR="203.0.113.9")
    # From her own desk, seconds later: a short wait, not a 15-minute lockout.
    r = sign_in(user, alice.email, REMOTE_ADDR="10.0.0.5")
    assert "Wait 1 second" in r.content.decode()
    wait_out(f"account:{alice.email}")
    assert sign_in(user, alice.email, REMOTE_ADDR="10.0.0.5").status_code == 302


def test_an_address_guessing_many_accounts_is_slowed_and_x_forwarded_for_is_not_believed(alice):
    c = Client()
    for n in range(20):
        # A different account each time (none reaches its own limit), each claiming a different address.
        sign_in(c, f"someone{n}@example.test", "guess", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}")
    assert SignInThrottle.objects.get(key="ip:203.0.113.9").failures == 20
    assert not SignInThrottle.objects.filter(key__startswith="ip:10.1.1.").exists()
    r = sign_in(c, alice.email, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert "Too many attempts. Wait 1 second and try again" in r.content.decode()
    # Alice at another address is not held up by it.
    assert sign_in(Client(), alice.email, REMOTE_ADDR="10.0.0.5").status_code == 302


def test_an_address_is_forgotten_an_hour_after_its_last_failure(alice):
    SignInThrottle.objects.create(
        key="ip:203.0.113.9", failures=40, last_failed_at=timezone.now() - timedelta(minutes=61)
    )
    assert sign_in(Client(), alice.email, REMOTE_ADDR="203.0.113.9").status_code == 302
    sign_in(Client(), "someone@example.test", "guess", REMOTE_ADDR="203.0.113.9")
    assert SignInThrottle.objects.get(key="ip:203.0.113.9").failures == 1


def test_the_user_is_told_of_failed_attempts_when_they_next_sign_in(alice, totp_code):
    c = Client()
    sign_in(c, alice.email, "guess one")
    sign_in(c, alice.email.upper(), "guess two")
    last = SignInThrottle.objects.get(key=f"account:{alice.email}").last_failed_at
    assert sign_in(c, alice.email).status_code == 302
    r = c.post(reverse("mfa_authenticate"), {"code": totp_code()}, follow=True)
    page = r.content.decode()
    when = timezone.localtime(last)
    assert (
        "There were 2 failed attempts to sign in to your account since you last signed in, the last on "
        f"{when.day} {when:%B %Y} at {when:%H:%M}. If this was not you, tell your administrator."
    ) in page
    assert "govuk-notification-banner" in page
    # Told once; the count starts again.
    assert not SignInThrottle.objects.filter(key=f"account:{alice.email}").exists()
    assert "failed attempts" not in c.get(reverse("home")).content.decode()


# --- timeouts, from the administrators' settings --------------------------------------------------------------------


def test_access_settings_are_created_with_their_defaults_when_missing(alice):
    AccessSettings.objects.all().delete()
    assert client_for(alice).get(reverse("home")).status_code == 200
    row = AccessSettings.objects.get(pk=1)
    assert (row.idle_timeout_minutes, row.absolute_timeout_hours) == (30, 10)


def age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_sessions_end_after_the_absolute_timeout_however_active(alice):
    AccessSettings.objects.update_or_create(pk=1, defaults={"absolute_timeout_hours": 2})
    c = client_for(alice)
    assert c.get(reverse("home")).status_code == 200
    age_session(c, **{SIGNED_IN_AT: 2 * 60 * 60 - 60})
    assert c.get(reverse("home")).status_code == 200
    age_session(c, **{SIGNED_IN_AT: 2 * 60 * 60 + 1})
    r = c.get(reverse("home"))
    assert r.status_code == 302 and "timeout=1" in r["Location"]
    assert c.get(reverse("home")).status_code == 302


def test_sessions_end_after_the_idle_timeout(alice):
    AccessSettings.objects.update_or_create(pk=1, defaults={"idle_timeout_minutes": 10})
    c = client_for(alice)
    assert c.get(reverse("home")).status_code == 200
    age_session(c, **{LAST_SEEN_AT: 9 * 60})
    assert c.get(reverse("home")).status_code == 200  # and that request counts as activity
    age_session(c, **{LAST_SEEN_AT: 11 * 60})
    key = c.session.session_key
    r = c.get(reverse("home"))
    assert r.status_code == 302 and "timeout=1" in r["Location"]
    assert not Session.objects.filter(session_key=key).exists()
    # The API says so in JSON rather than redirecting.
    c = client_for(alice)
    age_session(c, **{LAST_SEEN_AT: 11 * 60})
    assert c.get("/api/v1/cases/caseload").status_code == 401


def test_the_session_row_outlives_any_timeout_an_administrator_sets(settings):
    # The timeouts are AccessSettings; SESSION_COOKIE_AGE must not cut a session shorter than they allow: the row
    # lives 24 hours from its last save, the longest session an administrator may set (accounts.services).
    from accounts.services import SETTINGS_BOUNDS

    longest = SETTINGS_BOUNDS["absolute_timeout_hours"][1] * 60 * 60
    assert longest <= settings.SESSION_COOKIE_AGE
    assert SETTINGS_BOUNDS["idle_timeout_minutes"][1] * 60 < settings.SESSION_COOKIE_AGE
    assert settings.CASEWORK_SESSION_IDLE_SECONDS == 30 * 60  # the fallback without a database


def test_a_page_saves_the_session_only_when_its_activity_is_worth_writing(alice):
    # Each request's time is written at most every LAST_SEEN_STEP_SECONDS: pages in between cost no UPDATE.
    from core.testing import count_queries

    c = client_for(alice)
    assert c.get(reverse("home")).status_code == 200
    with count_queries() as queries:
        assert c.get(reverse("home")).status_code == 200
    assert not any(q.startswith("UPDATE") and "django_session" in q for q in queries.statements), queries.listing()
    age_session(c, **{LAST_SEEN_AT: LAST_SEEN_STEP_SECONDS + 1})
    before = c.session[LAST_SEEN_AT]
    assert c.get(reverse("home")).status_code == 200
    assert c.session[LAST_SEEN_AT] > before + LAST_SEEN_STEP_SECONDS


def test_the_idle_timeout_is_never_early(alice):
    # The last request may be up to LAST_SEEN_STEP_SECONDS after the time written: the timeout allows for it.
    AccessSettings.objects.update_or_create(pk=1, defaults={"idle_timeout_minutes": 10})
    c = client_for(alice)
    assert c.get(reverse("home")).status_code == 200
    age_session(c, **{LAST_SEEN_AT: 10 * 60 + LAST_SEEN_STEP_SECONDS - 1})
    assert c.get(reverse("home")).status_code == 200
    age_session(c, **{LAST_SEEN_AT: 10 * 60 + LAST_SEEN_STEP_SECONDS + 1})
    assert c.get(reverse("home")).status_code == 302


def test_disabling_a_user_ends_their_sessions(alice, manager):
    c = client_for(alice)
    assert c.get(reverse("home")).status_code == 200
    user_disable(actor=manager, user=alice, reason="Left the authority")
    assert c.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="update", object_type="user", object_id=str(alice.pk)).exists()


def test_sign_out_ends_the_session_on_the_server(alice):
    c = client_for(alice)
    key = c.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    c.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert c.get(reverse("home")).status_code == 302


def test_a_user_without_a_second_factor_sets_one_up_and_is_then_signed_in(team_a):
    import pyotp

    newcomer = make_user("nia.new@example.test", team_a, "social_worker", mfa=False)
    c = Client()
    assert sign_in(c, newcomer.email).status_code == 302
    r = c.get(reverse("home"))
    assert r.status_code == 302 and r["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a second factor is added.
    r = c.get(reverse("mfa_activate_totp"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("account_reauthenticate"))
    c.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    r = c.get(reverse("mfa_activate_totp"))
    secret = r.context["form"].secret
    r = c.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302
    assert c.get(reverse("home")).status_code == 200
