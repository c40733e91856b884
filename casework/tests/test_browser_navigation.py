"""The header and the service navigation hold at every width: collapsed into "Menu" below 641 pixels (and so at 200%
zoom of a 1280-pixel screen), on one line from 641 up, for the roles with the most pages (a team manager, an
administrator, information governance, a reviewing officer). The pages a manager's team needs are one item, "My
team", with their links under the navigation; dashboards and returns are "Performance". axe finds nothing.
Screenshots land in $CASEWORK_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from typing import Any

import pytest

from accounts.models import Notification, Role
from casework.tests.browser import assert_accessible, page_width, sign_in
from conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = [320, 375, 640, 641, 700, 760, 1024]
TABLET = 641

ITEMS = "#navigation > .govuk-service-navigation__item"


def lines(page: Any, selector: str) -> int:
    """How many lines the visible elements matching `selector` sit on."""
    tops = page.evaluate(
        """s => Array.from(document.querySelectorAll(s)).filter(e => e.offsetParent !== null)
             .map(e => Math.round(e.getBoundingClientRect().top))""",
        selector,
    )
    return len(set(tops))


def check_widths(page: Any, base: str, path: str, name: str, expected: list[str]) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        page.goto(base + path)
        assert page_width(page) <= width, f"{name} wider than {width}"
        menu = page.locator(".govuk-service-navigation__toggle")
        if width < TABLET:
            assert menu.is_visible(), f"{name} at {width}: no Menu button"
            menu.click()
        else:
            assert not menu.is_visible()
        labels = [t.strip() for t in page.locator(ITEMS).all_inner_texts()]
        assert labels == expected, (name, width, labels)
        if width >= TABLET:
            assert lines(page, ITEMS) == 1, f"{name}: the navigation wraps at {width} pixels"
        # The account links: the sign-out button sits on the line of the link before it.
        account = page.evaluate(
            """() => Array.from(document.querySelectorAll('.cw-header__account-item'))
                 .map(e => [Math.round(e.getBoundingClientRect().top), Math.round(e.getBoundingClientRect().bottom)])"""
        )
        assert abs(account[-1][1] - account[-2][1]) <= 4 or account[-1][0] > account[-2][1] - 2, (name, width, account)
        if width in (320, 700, 1024):
            assert_accessible(page)
        if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
            page.screenshot(path=f"{folder}/nav-{name}-{width}.png")


def test_the_navigation_holds_at_every_width(allow_audit_flush, live_server, team_a, manager, browser_page):
    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    governance = make_user("ivy.governance@example.test", team_a, Role.INFORMATION_GOVERNANCE)
    iro = make_user("ida.iro@example.test", team_a, Role.INDEPENDENT_REVIEWING_OFFICER)
    for user in (manager, admin):
        Notification.objects.create(user=user, subject="A record of your team was opened by break-glass")
    page, base = browser_page, live_server.url

    sign_in(page, base, manager.email)
    team = ["Find a person", "My caseload", "My team", "Performance"]
    check_widths(page, base, "/cases/team", "manager", team)
    # My team holds the team's pages, its links under the navigation, the current one marked.
    page.set_viewport_size({"width": 1024, "height": 700})
    section = page.get_by_role("navigation", name="My team")
    assert section.get_by_role("link").all_inner_texts() == [
        "Team dashboard", "Contacts", "Forms to authorise", "Reviews due", "Break-glass uses"
    ]  # fmt: skip
    section.get_by_role("link", name="Contacts").click()
    page.wait_for_url(f"{base}/cases/contacts")
    assert (
        page.get_by_role("navigation", name="My team")
        .get_by_role("link", name="Contacts")
        .get_attribute("aria-current")
        == "page"
    )
    assert page.locator(ITEMS, has_text="My team").get_by_role("link").get_attribute("aria-current") == "true"
    assert_accessible(page)
    # "Add a person" is on Find a person, after the search.
    page.get_by_role("link", name="Find a person").click()
    page.get_by_role("link", name="Add a person").click()
    page.wait_for_url(f"{base}/people/new")

    sign_in(page, base, admin.email)
    check_widths(page, base, "/performance/", "administrator", [*team, "Administration"])
    page.set_viewport_size({"width": 1024, "height": 700})
    assert page.get_by_role("navigation", name="Performance").get_by_role("link").all_inner_texts() == [
        "Dashboards", "Returns", "Data quality"
    ]  # fmt: skip

    sign_in(page, base, governance.email)
    check_widths(page, base, "/", "information-governance", ["Find a person", "Break-glass", "Retention"])

    sign_in(page, base, iro.email)
    check_widths(
        page, base, "/cases/reviews", "reviewing-officer", ["Find a person", "My reviews", "Reviews due", "Performance"]
    )
