"""The foundation journey in a real browser (Debian's Chromium through Playwright), with axe accessibility checks:
sign in with a password and a TOTP code, search with a typo, open the child, add a case note, see it in the
chronology."""

from __future__ import annotations

from datetime import date, timedelta

import pyotp
import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, fresh_code
from conftest import PASSWORD, TOTP_SECRET
from people import services
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def test_sign_in_search_open_record_add_case_note(allow_audit_flush, live_server, alice, browser_page):
    child = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    mum = person("Sarah", "Hughes", date(1988, 5, 2))
    services.relationship_create(actor=alice, person=mum, other=child, type="parent", parental_responsibility=True)
    services.warning_add(actor=alice, person=child, type="dog", details="Large dog at the address")
    person("Emily", "Hughes", date(2015, 8, 1))
    page = browser_page

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.wait_for_url("**/2fa/authenticate/**")
    assert_accessible(page)
    page.get_by_label("Code").fill(fresh_code(alice.email, pyotp.TOTP(TOTP_SECRET)))
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.wait_for_url(f"{live_server.url}/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Amelia Hewes")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/people/search**")
    assert_accessible(page)
    page.get_by_role("link", name="Amelia Hughes").click()

    page.wait_for_url(f"**/people/{child.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == "Amelia Hughes"
    assert "Dog at address" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Add a case note").click()

    assert_accessible(page)
    page.get_by_role("button", name="Save case note").click()  # empty: errors, nothing saved
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Enter a subject" in page.content()
    assert_accessible(page)

    when = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Time (optional)").fill("14:30")
    page.get_by_label("Subject").fill("Phone call with school")
    page.get_by_role("textbox", name="Note").fill("Attendance has improved this term.")
    page.get_by_role("button", name="Save case note").click()

    page.wait_for_url(f"**/people/{child.pk}")
    entries = page.locator("#chronology-entries")
    assert "Phone call with school" in entries.inner_text()
    assert "Case note added to the chronology" in page.content()
    assert_accessible(page)
