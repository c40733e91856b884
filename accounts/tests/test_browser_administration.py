"""An administrator's work in a real browser, with axe on every page and at 320 pixels: invite a new social worker
(who sets a password with the one-time link and is made to set up a second factor), look at a user's page, reset a
colleague's second factor, and change the settings (a wrong value first). Screenshots land in
$CASEWORK_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from accounts.models import AccessSettings, Role, User
from casework.tests.browser import assert_accessible, page_width, sign_in
from conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH = 320


def look(page: Any, name: str) -> None:
    width = page_width(page)
    assert width <= WIDTH, f"{page.url} is {width} pixels wide at {WIDTH}"
    assert_accessible(page)
    if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_an_administrator_invites_a_user_resets_a_second_factor_and_changes_settings(
    allow_audit_flush: Any, live_server: Any, team_a: Any, alice: Any, browser_page: Any
) -> None:
    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": WIDTH, "height": 800})
    sign_in(page, base, admin.email)

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Administration").click()
    look(page, "admin-index")
    page.get_by_role("link", name="Users").click()
    look(page, "admin-users")
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_role("button", name="Invite user").click()  # nothing filled in
    assert "Enter the first name" in page.content() or "Enter their first name" in page.content()
    look(page, "admin-invite-errors")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Newman")
    page.get_by_label("Email address").fill("nina.newman@example.test")
    page.get_by_label("Job title (optional)").fill("Newly qualified social worker")
    page.get_by_label("Team", exact=True).select_option(label="Team A")
    page.get_by_label("Social worker", exact=True).check()
    page.get_by_role("button", name="Invite user").click()
    page.wait_for_url("**/invited")
    look(page, "admin-invited")
    link = page.locator("#invitation-link").inner_text()
    assert link.startswith(f"{base}/accounts/invitation/")
    page.get_by_role("link", name=re.compile("Go to Nina Newman")).click()
    assert "Invited: they have not set a password yet" in page.content()
    look(page, "admin-user-invited")

    # A colleague lost her phone: reset Alice's second factor.
    page.goto(f"{base}/administration/users/?q=alice")
    page.get_by_role("link", name="Alice Tester").click()
    look(page, "admin-user")
    page.get_by_role("link", name="Reset their second factor").click()
    look(page, "admin-reset-confirm")
    page.get_by_role("button", name="Reset second factor").click()
    assert "second factor is reset" in page.content()
    assert "Not set up" in page.content()
    look(page, "admin-user-reset")
    assert not Authenticator.objects.filter(user=alice).exists()

    # Settings: a break-glass of 30 hours is refused, 2 hours is saved.
    page.goto(f"{base}/administration/settings")
    page.get_by_label("Break-glass time, in hours").fill("30")
    page.get_by_role("button", name="Save settings").click()
    assert "The break-glass time must be between 1 and 24 hours" in page.content()
    look(page, "admin-settings-error")
    page.get_by_label("Break-glass time, in hours").fill("2")
    page.get_by_role("button", name="Save settings").click()
    assert "The settings are saved" in page.content()
    assert AccessSettings.objects.get(pk=1).break_glass_hours == 2

    # Nina uses her link: a password, then signing in takes her to setting up a second factor; the link is spent.
    page.context.clear_cookies()
    page.goto(link)
    look(page, "invite-accept")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill("nina.newman@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # allauth asks for the password again before a second factor is set up ("Confirm access").
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)"))
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/2fa/totp/activate/**")
    look(page, "invite-then-totp")
    page.goto(f"{base}/")  # nowhere else until a second factor is set up
    assert "/2fa/totp/activate" in page.url
    assert User.objects.get(email="nina.newman@example.test").has_usable_password()
    page.context.clear_cookies()
    page.goto(link)
    assert "This link has already been used" in page.content()
    look(page, "invite-used")
