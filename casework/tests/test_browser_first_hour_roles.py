"""The first hour of the roles that do not hold cases, in a real browser with axe on every page: business support
(find a child by NHS number, record a contact, file a letter; no visits, no journey steps), the performance team
(dashboards and the data quality fix of a missing UPN; reads records but adds nobody and records nothing) and an
administrator (everything, including the returns and who viewed a record)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from casework.tests.browser import assert_accessible, fill_date, sign_in
from conftest import make_user
from people.models import PersonIdentifier
from people.tests.factories import person
from people.validators import upn_check_letter
from recording.models import CaseNote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]

UPN = upn_check_letter("801200001001") + "801200001001"


def test_business_support_performance_and_administrator_first_hour(
    allow_audit_flush: Any, live_server: Any, team_a: Any, support: Any, browser_page: Any
) -> None:
    today = timezone.localdate()
    child = person("Amelia", "Hughes", today - timedelta(days=9 * 366), nhs_number="9434765919")
    page, base = browser_page, live_server.url

    # Business support: a call comes in about a child; then a letter to file.
    sign_in(page, base, support.email)
    page.get_by_label("Name, NHS number, UPN, record number or postcode").fill("9434765919")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name="Amelia Hughes").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert_accessible(page)
    record = page.content()
    assert "Record a visit" not in record and "Next steps" not in record
    page.get_by_role("link", name="Record a contact").click()
    fill_date(page, "Date received", today)
    page.get_by_label("Who is the contact from?").select_option("6")
    page.get_by_label("What is the concern?").fill("The school nurse called: Amelia has missed three appointments.")
    assert_accessible(page)
    page.get_by_role("button", name="Record contact").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert "missed three appointments" in page.content()
    page.get_by_role("link", name="Add a case note").click()
    page.get_by_label("Letter or email").check()
    fill_date(page, "Date", today)
    page.get_by_label("Subject").fill("Letter from the GP")
    page.get_by_label("Note", exact=True).fill(
        "Dr Patel writes that Amelia's asthma review is booked.\n\nA copy is on file."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save case note").click()
    page.wait_for_url(f"**/people/{child.pk}")
    assert CaseNote.objects.get(person=child).note_type == "correspondence"
    assert "Letter from the GP" in page.content()
    page.goto(f"{base}/cases/people/{child.pk}/visits/new")
    assert "You cannot do this" in page.content()
    assert_accessible(page)

    # The performance team: dashboards, and putting a missing UPN right as the data quality list asks.
    analyst = make_user("pat.analyst@example.test", team_a, Role.PERFORMANCE)
    sign_in(page, base, analyst.email)
    assert "Add a person" not in page.locator("header, nav").first.inner_text()
    page.goto(f"{base}/performance/")
    assert_accessible(page)
    page.goto(f"{base}/people/{child.pk}")
    record = page.content()
    assert "Add a case note" not in record and "Record a contact" not in record
    page.goto(f"{base}/people/{child.pk}/identifiers/new?type=upn")
    assert_accessible(page)
    page.get_by_label("Identifier").fill(UPN)
    page.get_by_role("button", name="Add identifier").click()
    assert PersonIdentifier.objects.filter(person=child, type="upn", value=UPN).exists()
    page.goto(f"{base}/people/new")
    assert "You cannot do this" in page.content()

    # An administrator: the returns and who has viewed the record.
    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    sign_in(page, base, admin.email)
    page.goto(f"{base}/returns/")
    assert_accessible(page)
    page.goto(f"{base}/people/{child.pk}/access-log")
    assert_accessible(page)
    assert support.display_name in page.content() and analyst.display_name in page.content()
