"""An administrator issues an API token and revokes it, in a real browser, with axe on every page and at 320 pixels."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, Role
from accounts.tokens import token_authenticate
from casework.tests.browser import assert_accessible, page_width, sign_in
from conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fits(page) -> None:
    width = page_width(page)
    assert width <= 320, f"{page.url} is {width} pixels wide at 320"


def test_an_administrator_issues_a_token_sees_it_once_and_revokes_it(
    allow_audit_flush, live_server, browser_page, team_a
):
    make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    make_user("finance.system@example.test", team_a, Role.SOCIAL_WORKER, mfa=False)
    page = browser_page
    base = live_server.url
    sign_in(page, base, "ada.admin@example.test")
    page.set_viewport_size({"width": 320, "height": 800})

    page.goto(f"{base}/administration/tokens/")
    assert_accessible(page)
    fits(page)
    page.get_by_role("link", name="Issue a token").click()
    assert_accessible(page)
    fits(page)

    # The wrong thing first: nothing filled in but a bad number of days.
    page.get_by_label("Days until it expires").fill("400")
    page.get_by_role("button", name="Issue the token").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the email address of the user or service account" in summary
    assert "A token must expire in 1 to 365 days" in summary
    assert_accessible(page)
    fits(page)

    page.get_by_label("Email address of the user or service account").fill("finance.system@example.test")
    page.get_by_label("Name").fill("Finance system")
    page.get_by_label("Read records").check()
    page.get_by_label("Days until it expires").fill("90")
    page.get_by_role("button", name="Issue the token").click()
    page.wait_for_url("**/issued")
    secret = page.locator("main code").first.inner_text()
    assert token_authenticate(secret) == ApiToken.objects.get()
    assert "It will not be shown again" in page.locator("main").inner_text()
    assert_accessible(page)
    fits(page)
    page.reload()
    assert secret not in page.content()

    page.goto(f"{base}/administration/tokens/")
    assert secret not in page.content()
    page.get_by_role("link", name="Revoke Finance system").click()
    page.get_by_role("button", name="Revoke the token").click()
    assert "Enter why the token is being revoked" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    fits(page)
    page.get_by_label("Why is it being revoked?").fill("The supplier has changed")
    page.get_by_role("button", name="Revoke the token").click()
    page.wait_for_url(f"{base}/administration/tokens/")
    assert "was revoked: it no longer works" in page.locator("main").inner_text()
    assert_accessible(page)
    fits(page)
    assert token_authenticate(secret) is None
