"""Signing in after someone has tried the account, in the browser: the wait, then the banner that tells the user.
At 320 pixels wide, with axe on each page. Screenshots land in $CASEWORK_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.utils import timezone

from accounts.models import SignInThrottle
from casework.tests.browser import assert_accessible, fresh_code, page_width
from conftest import PASSWORD, TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page: Any, name: str) -> None:
    if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def attempt(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_slowed_then_told_of_the_failed_attempts(allow_audit_flush, live_server, alice, browser_page):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 320, "height": 800})
    for guess in ("summer2026", "Summer2026!", "password123"):
        attempt(page, base, alice.email, guess)
    attempt(page, base, alice.email, PASSWORD)
    summary = page.locator(".govuk-error-summary")
    assert "Too many attempts. Wait 1 second and try again" in summary.inner_text()
    assert_accessible(page)
    shot(page, "sign-in-wait")

    SignInThrottle.objects.filter(key=f"account:{alice.email}").update(
        last_failed_at=timezone.now() - timedelta(seconds=5)
    )
    attempt(page, base, alice.email, PASSWORD)
    page.wait_for_url("**/2fa/authenticate/**")
    page.get_by_label("Code").fill(fresh_code(alice.email, pyotp.TOTP(TOTP_SECRET)))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")
    banner = page.get_by_role("region", name="Important")
    assert "There were 3 failed attempts to sign in to your account since you last signed in" in banner.inner_text()
    assert "If this was not you, tell your administrator." in banner.inner_text()
    assert page_width(page) <= 320
    assert_accessible(page)
    shot(page, "sign-in-told")
