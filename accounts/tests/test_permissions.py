"""One table of what each role may do (accounts.access.PERMISSIONS): the README shows it, and pages follow it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts import access
from accounts.access import Can
from accounts.models import Role
from conftest import client_for, make_user
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def test_the_readme_shows_the_table_the_code_uses():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert access.permissions_table() in readme


@pytest.mark.parametrize(("role", "what"), [(role, what) for role in Role for what in Can])
def test_may_follows_the_table(team_a, role, what):
    user = make_user(f"{role}.x@example.test", team_a, role, mfa=False)
    assert access.may(user, what) == (what in access.PERMISSIONS[role])


def test_business_support_records_letters_but_not_visits_or_journey_steps(support):
    child = person()
    c = client_for(support)
    assert c.get(reverse("recording:case_note_add", args=[child.pk])).status_code == 200
    assert c.get(reverse("cases:visit_add", args=[child.pk])).status_code == 403
    assert c.get(reverse("cases:step", args=[child.pk, "referral"])).status_code == 403


def test_the_performance_team_reads_but_does_not_add_people_or_record_contacts(team_a):
    analyst = make_user("pat.analyst@example.test", team_a, Role.PERFORMANCE)
    child = person()
    c = client_for(analyst)
    assert c.get(reverse("people:detail", args=[child.pk])).status_code == 200
    assert c.get(reverse("people:create")).status_code == 403
    assert c.get(reverse("cases:contact_add", args=[child.pk])).status_code == 403
    assert (
        c.post("/api/v1/people", {"given_name": "A", "family_name": "B"}, content_type="application/json").status_code
        == 403
    )
    page = c.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Record a contact" not in page and "Add a case note" not in page and "Record a visit" not in page


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.SOCIAL_WORKER, True),
        (Role.TEAM_MANAGER, True),
        (Role.BUSINESS_SUPPORT, False),
        (Role.PERFORMANCE, False),
        (Role.INFORMATION_GOVERNANCE, False),
    ],
)
def test_only_those_who_can_hold_cases_see_my_caseload_in_the_navigation(team_a, role, shown):
    user = make_user(f"{role}.nav@example.test", team_a, role)
    page = client_for(user).get(reverse("people:search")).content.decode()
    assert ("My caseload" in page) is shown
