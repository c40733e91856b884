"""Administration: users, invitations, roles with dates, second factor resets, settings. Services are audited and
refuse bad input; the pages are for administrators only."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import access, selectors, services
from accounts.models import AccessSettings, ApiToken, Membership, Role, Team, TeamKind, User
from audit.models import AuditAction, AuditEvent
from cases import selectors as case_selectors
from cases.steps import AllocateForm
from conftest import PASSWORD, client_for, make_user
from core.errors import RuleError
from core.site import demo_database_mark
from people.models import BreakGlass, BreakGlassReason
from people.tests.factories import person

pytestmark = pytest.mark.django_db
BASE = "http://testserver/"


@pytest.fixture
def admin(team_a: Team) -> User:
    return make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(admin: User) -> Client:
    return client_for(admin)


def last_event(object_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=object_type).order_by("-id").first()  # type: ignore[return-value]


def invite(admin: User, team: Team, email: str = "nina.new@example.test") -> services.Invitation:
    return services.user_invite(
        actor=admin,
        email=email,
        first_name="Nina",
        last_name="Newman",
        job_title="Social worker",
        phone="0116 496 0000",
        team=team,
        role=Role.SOCIAL_WORKER,
        base_url=BASE,
    )


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


# --- invitations ---------------------------------------------------------------------------------------------------


def test_an_invitation_creates_the_user_with_a_role_emails_a_link_and_is_audited(
    admin, team_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(admin, team_a)
    user = invitation.user
    assert not user.has_usable_password()
    assert access.role_names(user) == ["Social worker"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina.new@example.test"]
    assert invitation.link in mail.outbox[0].body
    event = last_event("user")
    assert event.action == AuditAction.CREATE and event.actor == admin
    assert event.changes["new"]["email"] == "nina.new@example.test"
    assert token_of(invitation.link) not in str(event.changes)  # the link never goes into the log


def test_an_invitation_refuses_a_taken_email_and_missing_names(admin, team_a, alice):
    with pytest.raises(RuleError) as e:
        services.user_invite(
            actor=admin, email="ALICE@example.test", first_name="", last_name="", team=team_a,
            role=Role.SOCIAL_WORKER, base_url=BASE,
        )  # fmt: skip
    assert e.value.errors == {
        "email": "A user with this email address already exists",
        "first_name": "Enter their first name",
        "last_name": "Enter their last name",
    }


def test_the_invitation_link_sets_a_password_once(admin, team_a):
    token = token_of(invite(admin, team_a).link)
    c = Client()
    page = c.get(reverse("invite_accept", args=[token]))
    assert page.status_code == 200 and "Set your password" in page.content.decode()
    short = c.post(reverse("invite_accept", args=[token]), {"password": "short", "password_again": "short"})
    assert short.status_code == 400 and "too short" in short.content.decode()
    assert 'value="short"' not in short.content.decode()  # a password is never sent back
    done = c.post(reverse("invite_accept", args=[token]), {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("account_login")
    user = User.objects.get(email="nina.new@example.test")
    assert user.check_password(PASSWORD)
    again = c.get(reverse("invite_accept", args=[token]))
    assert again.status_code == 410 and "This link has already been used" in again.content.decode()
    reused = c.post(
        reverse("invite_accept", args=[token]),
        {"password": "another long pass 99", "password_again": "another long pass 99"},
    )
    assert reused.status_code == 410
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_the_invitation_link_expires_after_72_hours_and_a_new_link_replaces_the_old(admin, team_a):
    made_at = time.time() - 73 * 3600  # the link was made 73 hours ago
    with mock.patch("django.core.signing.time.time", return_value=made_at):
        invitation = invite(admin, team_a)
    token = token_of(invitation.link)
    page = Client().get(reverse("invite_accept", args=[token]))
    assert page.status_code == 410 and "This link has expired" in page.content.decode()
    newer = services.user_invite_again(actor=admin, user=invitation.user, base_url=BASE)
    old = Client().get(reverse("invite_accept", args=[token]))
    assert "This link has been replaced" in old.content.decode()
    assert Client().get(reverse("invite_accept", args=[token_of(newer.link)])).status_code == 200
    tampered = Client().get(reverse("invite_accept", args=[token_of(newer.link)[:-2] + "xx"]))
    assert "This link does not work" in tampered.content.decode()


def test_an_invited_user_must_set_up_a_second_factor_even_in_demo_mode(admin, team_a, settings):
    settings.CASEWORK_DEMO_MODE = True
    demo_database_mark(size="demo", seed=1)
    user = invite(admin, team_a).user
    user.set_password(PASSWORD)
    user.save()
    response = client_for(user).get("/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_the_invite_page_shows_the_link_once(admin_client, team_a):
    form = admin_client.get(reverse("administration:invite"))
    key = re.search(r'name="once_key" value="([^"]+)"', form.content.decode())
    data = {
        "first_name": "Nina", "last_name": "Newman", "email": "nina.new@example.test", "job_title": "",
        "phone": "", "team": team_a.pk, "role": Role.SOCIAL_WORKER,
    }  # fmt: skip
    if key:
        data["once_key"] = key.group(1)
    response = admin_client.post(reverse("administration:invite"), data)
    user = User.objects.get(email="nina.new@example.test")
    assert response["Location"] == reverse("administration:invited", args=[user.pk])
    first = admin_client.get(response["Location"]).content.decode()
    assert "/accounts/invitation/" in first
    second = admin_client.get(response["Location"]).content.decode()
    assert "/accounts/invitation/" not in second and "shown once" in second


def test_the_invite_page_shows_errors_and_saves_nothing(admin_client):
    response = admin_client.post(reverse("administration:invite"), {"email": "not an email"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in page and "Select the team" in page
    assert not User.objects.filter(email="not an email").exists()


# --- disabling, enabling, details ----------------------------------------------------------------------------------


def test_disabling_a_user_ends_their_sessions_and_revokes_their_tokens(admin, alice):
    c = client_for(alice)
    assert c.get("/").status_code == 200
    token = ApiToken.objects.create(
        user=alice, name="Scanner", prefix="cw_abc", token_hash="x" * 64, expires_at=timezone.now() + timedelta(days=9)
    )
    services.user_disable(actor=admin, user=alice, reason="Left the council")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(alice.pk)]
    assert c.get("/").status_code == 302  # signed out
    event = last_event("user")
    assert event.changes["tokens_revoked"] == 1 and event.changes["sessions_ended"] == 1
    assert event.changes["reason"] == "Left the council"
    assert not access.has_any_role(User.objects.get(pk=alice.pk))


def test_disabling_refuses_no_reason_oneself_and_twice(admin, alice):
    with pytest.raises(RuleError, match="Enter why"):
        services.user_disable(actor=admin, user=alice, reason=" ")
    with pytest.raises(RuleError, match="your own account"):
        services.user_disable(actor=admin, user=admin, reason="Testing")
    services.user_disable(actor=admin, user=alice, reason="Left")
    with pytest.raises(RuleError, match="already disabled"):
        services.user_disable(actor=admin, user=alice, reason="Left")
    services.user_enable(actor=admin, user=alice)
    assert User.objects.get(pk=alice.pk).is_active
    assert last_event("user").changes == {"is_active": {"old": False, "new": True}}


def test_the_disable_page_asks_for_a_reason(admin_client, alice):
    url = reverse("administration:user_disable", args=[alice.pk])
    assert admin_client.get(url).status_code == 200
    empty = admin_client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "Enter why the account is being disabled" in empty.content.decode()
    assert User.objects.get(pk=alice.pk).is_active
    done = admin_client.post(url, {"reason": "Left the council"})
    assert done.status_code == 302 and not User.objects.get(pk=alice.pk).is_active


def test_changing_details_is_audited_with_old_and_new_values(admin, alice):
    services.user_update(
        actor=admin,
        user=alice,
        first_name="Alice",
        last_name="Tester",
        job_title="Senior social worker",
        phone="0116 496 0001",
    )
    assert last_event("user").changes == {
        "job_title": {"old": "", "new": "Senior social worker"},
        "phone": {"old": "", "new": "0116 496 0001"},
    }
    with pytest.raises(RuleError) as e:
        services.user_update(actor=admin, user=alice, first_name="", last_name="T", job_title="", phone="call me")
    assert set(e.value.errors) == {"first_name", "phone"}


# --- memberships ---------------------------------------------------------------------------------------------------


def test_an_ended_membership_gives_no_role_anywhere(admin, alice, manager, team_a):
    today = timezone.localdate()
    for membership in Membership.objects.filter(user__in=[alice, manager]):
        Membership.objects.filter(pk=membership.pk).update(started_on=today - timedelta(days=30))
        membership.refresh_from_db()
        services.membership_end(actor=admin, membership=membership, ended_on=today - timedelta(days=1))
    alice, manager = User.objects.get(pk=alice.pk), User.objects.get(pk=manager.pk)
    assert access.roles(alice) == set() and access.roles(manager) == set()
    assert list(case_selectors.managed_teams(manager)) == []
    assert alice not in AllocateForm().fields["worker"].queryset  # type: ignore[attr-defined]
    assert [u.pk for u in selectors.users_list("Team A")[0]] == [admin.pk]
    event = last_event("membership")
    assert event.changes["ended_on"]["new"] == (today - timedelta(days=1)).isoformat()


def test_ending_a_membership_keeps_it_and_refuses_bad_dates(admin, alice):
    membership = Membership.objects.get(user=alice)
    with pytest.raises(RuleError) as e:
        services.membership_end(actor=admin, membership=membership, ended_on=membership.started_on - timedelta(days=1))
    assert "cannot be before the day it started" in e.value.errors["ended_on"]
    services.membership_end(actor=admin, membership=membership, ended_on=membership.started_on)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_adding_a_role_again_after_it_ended_makes_a_new_membership(admin, alice, team_a):
    today = timezone.localdate()
    old = Membership.objects.get(user=alice)
    Membership.objects.filter(pk=old.pk).update(
        started_on=today - timedelta(days=30), ended_on=today - timedelta(days=2)
    )
    again = services.membership_add(actor=admin, user=alice, team=team_a, role=Role.SOCIAL_WORKER)
    assert again.pk != old.pk and again.ended_on is None
    assert access.roles(User.objects.get(pk=alice.pk)) == {Role.SOCIAL_WORKER}
    with pytest.raises(RuleError, match="already hold this role"):
        services.membership_add(actor=admin, user=alice, team=team_a, role=Role.SOCIAL_WORKER, refuse_if_held=True)


# --- second factor, teams, settings --------------------------------------------------------------------------------


def test_resetting_the_second_factor_removes_authenticators_and_ends_sessions(admin, alice, settings):
    c = client_for(alice)
    assert c.get("/").status_code == 200
    services.mfa_reset(actor=admin, user=alice)
    assert not Authenticator.objects.filter(user=alice).exists()
    alice.refresh_from_db()
    assert alice.mfa_reset_at is not None
    assert c.get("/").status_code == 302
    assert last_event("user").changes["second_factor"] == {"old": ["totp"], "new": []}
    settings.CASEWORK_DEMO_MODE = True  # even in demo mode, they set up a new one before anything else
    demo_database_mark(size="demo", seed=1)
    assert client_for(alice).get("/")["Location"] == reverse("mfa_activate_totp")
    with pytest.raises(RuleError, match="your own"):
        services.mfa_reset(actor=admin, user=admin)


def test_teams_are_renamed_and_given_a_kind_audited(admin, team_a, team_b):
    services.team_update(actor=admin, team=team_a, name="Safeguarding North", kind=TeamKind.SAFEGUARDING)
    assert last_event("team").changes == {
        "name": {"old": "Team A", "new": "Safeguarding North"},
        "kind": {"old": "assessment", "new": "safeguarding"},
    }
    with pytest.raises(RuleError, match="already exists"):
        services.team_update(actor=admin, team=team_b, name="safeguarding north", kind=TeamKind.ASSESSMENT)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"break_glass_hours": 0}, "break_glass_hours", "The break-glass time must be between 1 and 24 hours"),
        ({"break_glass_hours": 25}, "break_glass_hours", "The break-glass time must be between 1 and 24 hours"),
        ({"idle_timeout_minutes": 4}, "idle_timeout_minutes", "The idle timeout must be between 5 and 120 minutes"),
        ({"absolute_timeout_hours": 0}, "absolute_timeout_hours", "The longest session must be between 1 and 24 hours"),
        (
            {"absolute_timeout_hours": 1, "idle_timeout_minutes": 90},
            "absolute_timeout_hours",
            "The longest session cannot be shorter than the idle timeout",
        ),
    ],
)
def test_settings_refuse_values_out_of_bounds(admin, change, field, message):
    values = {
        "allocation_grace_days": 30, "last_team_days": 90, "break_glass_hours": 4, "idle_timeout_minutes": 30,
        "absolute_timeout_hours": 10,
    } | change  # fmt: skip
    with pytest.raises(RuleError) as e:
        services.access_settings_update(actor=admin, **values)
    assert e.value.errors == {field: message}
    assert not AuditEvent.objects.filter(object_type="access_settings").exists()


def test_the_settings_page_saves_and_audits(admin_client, admin):
    url = reverse("administration:settings")
    assert admin_client.get(url).status_code == 200
    data = {
        "allocation_grace_days": "14", "last_team_days": "90", "break_glass_hours": "2",
        "idle_timeout_minutes": "30", "absolute_timeout_hours": "10",
    }  # fmt: skip
    bad = admin_client.post(url, data | {"break_glass_hours": "two"})
    assert bad.status_code == 400 and "The break-glass time must be a whole number of hours" in bad.content.decode()
    assert admin_client.post(url, data).status_code == 302
    assert AccessSettings.objects.get(pk=1).break_glass_hours == 2
    assert last_event("access_settings").changes == {
        "allocation_grace_days": {"old": 30, "new": 14},
        "break_glass_hours": {"old": 4, "new": 2},
    }


# --- pages ---------------------------------------------------------------------------------------------------------


def admin_pages(user: User, team: Team) -> list[str]:
    membership = Membership.objects.filter(user=user).first()
    assert membership is not None
    return [
        reverse("administration:index"),
        reverse("administration:users"),
        reverse("administration:users") + "?q=alice",
        reverse("administration:invite"),
        reverse("administration:user", args=[user.pk]),
        reverse("administration:user_edit", args=[user.pk]),
        reverse("administration:user_disable", args=[user.pk]),
        reverse("administration:mfa_reset", args=[user.pk]),
        reverse("administration:membership_add", args=[user.pk]),
        reverse("administration:membership_end", args=[membership.pk]),
        reverse("administration:teams"),
        reverse("administration:team_create"),
        reverse("administration:team", args=[team.pk]),
        reverse("administration:settings"),
    ]


def test_administrators_see_every_administration_page(admin_client, alice, team_a):
    home = admin_client.get("/").content.decode()
    assert 'href="/administration/"' in home
    for url in admin_pages(alice, team_a):
        assert admin_client.get(url).status_code == 200, url


def test_nobody_else_sees_them(alice_client, alice, manager, team_a):
    assert 'href="/administration/"' not in alice_client.get("/").content.decode()
    for c in (alice_client, client_for(manager)):
        for url in admin_pages(alice, team_a):
            assert c.get(url).status_code == 403, url
        assert c.post(reverse("administration:user_disable", args=[alice.pk]), {"reason": "x"}).status_code == 403
    assert User.objects.get(pk=alice.pk).is_active
    signed_out = Client().get(reverse("administration:users"))
    assert signed_out.status_code == 302


def test_the_user_page_shows_sign_ins_failures_and_break_glass(admin_client, admin, alice, team_a):
    child = person("Amelia", "Hughes")
    now = timezone.now()
    BreakGlass.objects.create(
        person=child, user=alice, reason=BreakGlassReason.DUTY, details="Out of hours call from the police",
        started_at=now, ends_at=now + timedelta(hours=4),
    )  # fmt: skip
    Client().post(reverse("account_login"), {"login": alice.email, "password": "wrong password"})
    page = admin_client.get(reverse("administration:user", args=[alice.pk])).content.decode()
    assert "Amelia Hughes" in page and "Duty or out of hours enquiry" in page and "Waiting for review" in page
    failures = page.split("Recent failed sign-ins")[1].split("</ul>")[0]
    assert timezone.localtime().strftime("%H:%M")[:2] in failures


def test_the_users_list_keeps_its_query_count(admin_client, team_a):
    from core.testing import assert_same_query_count, count_queries

    with count_queries() as few:
        admin_client.get(reverse("administration:users"))
    for i in range(5):
        make_user(f"extra{i}.x@example.test", team_a, Role.SOCIAL_WORKER, mfa=False)
    with count_queries() as many:
        admin_client.get(reverse("administration:users"))
    assert_same_query_count(few, many)


def test_casework_users_invite_prints_the_link_and_refuses_in_words(team_a):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "users", "invite", "--email", "nina.new@example.test", "--first-name", "Nina", "--last-name", "Newman",
        "--team", "team a", "--role", "social_worker", "--base-url", "https://casework.example.test", stdout=out,
    )  # fmt: skip
    assert "https://casework.example.test/accounts/invitation/" in out.getvalue()
    assert access.role_names(User.objects.get(email="nina.new@example.test")) == ["Social worker"]
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "users", "invite", "--email", "nina.new@example.test", "--first-name", "N", "--last-name", "N",
            "--team", "Team A", "--role", "social_worker", stdout=StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="No team is called 'Nowhere'"):
        call_command(
            "users", "invite", "--email", "x@example.test", "--first-name", "N", "--last-name", "N",
            "--team", "Nowhere", "--role", "social_worker", stdout=StringIO(),
        )  # fmt: skip
