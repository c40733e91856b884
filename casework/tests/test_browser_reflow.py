"""Every role's main pages at 320 pixels wide (WCAG reflow): no sideways scrolling of the page, and axe finds nothing,
in demo mode so that the phase banner is on every page. Screenshots land in $CASEWORK_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cases import services as cases
from cases.services import looked_after as lac
from casework.tests.browser import assert_accessible, page_width, sign_in
from conftest import make_user
from core.site import demo_database_mark
from people.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH = 320
FOSTER = {"placement_type": "U3", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}


def check(page: Any, url: str, name: str) -> str:
    page.goto(url)
    width = page_width(page)
    assert width <= WIDTH, f"{url} is {width} pixels wide at {WIDTH}"
    assert_accessible(page)
    if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
    return page.content()


def test_main_pages_of_every_role_at_320_pixels(
    allow_audit_flush, live_server, settings, team_a, alice, manager, support, browser_page
):
    settings.CASEWORK_DEMO_MODE = True
    demo_database_mark(size="demo", seed=1)
    iro = make_user("ida.iro@example.test", team_a, Role.INDEPENDENT_REVIEWING_OFFICER)
    analyst = make_user("pat.performance@example.test", team_a, Role.PERFORMANCE)
    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    today = timezone.localdate()
    child = person("Amelia", "Hughes-Montgomery-Fitzwilliam", date(2015, 3, 27))
    cases.referral_create(
        actor=manager, person=child, referral_date=today - timedelta(days=60), source="2A", primary_need="N1",
        team=team_a,
    )  # fmt: skip
    cases.allocate(actor=manager, person=child, worker=alice, started_on=today - timedelta(days=59), reason="New")
    lac.looked_after_start(
        actor=manager, person=child, started_on=today - timedelta(days=30), legal_status="C2", category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": WIDTH, "height": 800})

    sign_in(page, base, alice.email)
    caseload = check(page, f"{base}/cases/caseload", "social-worker-caseload")
    assert "Full care order" in caseload and "Foster placement with a relative or friend" in caseload
    assert ">U3<" not in caseload
    record = check(page, f"{base}/people/{child.pk}", "social-worker-record")
    assert "Demo" in record and "Full care order" in record
    check(page, f"{base}/people/search?q=Hughes", "social-worker-search")
    check(page, f"{base}/people/{child.pk}/case-notes/new", "social-worker-case-note")
    refused = check(page, f"{base}/cases/team", "social-worker-refused")
    assert "You cannot do this" in refused and "Record visits" in refused
    assert "Page not found" in check(page, f"{base}/no-such-page", "not-found")
    docs = check(page, f"{base}/api/v1/docs", "api-docs")
    assert "/api/v1/people/{person_id}/case-notes" in docs and "Idempotency-Key" in docs

    sign_in(page, base, manager.email)
    check(page, f"{base}/cases/team", "manager-team")
    check(page, f"{base}/cases/contacts", "manager-contacts")
    check(page, f"{base}/cases/reviews", "manager-reviews")
    check(page, f"{base}/people/{child.pk}/access-log", "manager-access-log")

    sign_in(page, base, support.email)
    check(page, f"{base}/people/new", "support-add-person")
    check(page, f"{base}/cases/people/{child.pk}/contacts/new", "support-contact")

    sign_in(page, base, iro.email)
    check(page, f"{base}/cases/reviews", "iro-reviews")
    check(page, f"{base}/performance/", "iro-performance")

    sign_in(page, base, analyst.email)
    check(page, f"{base}/returns/", "performance-returns")
    check(page, f"{base}/returns/data-quality", "performance-data-quality")

    sign_in(page, base, admin.email)
    check(page, f"{base}/", "administrator-home")
    check(page, f"{base}/people/{child.pk}", "administrator-record")
