"""A restricted child never shows through its relatives (issue 10), in a real browser with axe: the worker of an
ordinary child whose sibling's record is restricted sees "A person whose record is restricted", without a name or a
link, on the child's record and nothing of the sibling on their caseload; with a grant, the sibling is named."""

from __future__ import annotations

from datetime import date

import pytest

from casework.tests.browser import assert_accessible, page_width, sign_in
from people.services import relationship_create
from people.tests.factories import grant, hold, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_record_of_a_restricted_childs_sibling(allow_audit_flush, live_server, alice, team_a, browser_page):
    child = person("Amelia", "Hughes", date(2015, 3, 27), held_by=team_a)
    secret = person("Zephyrine", "Quillfeather", date(2016, 5, 2), is_restricted=True)
    hold(secret, team_a)
    relationship_create(actor=None, person=secret, other=child, type="sibling")
    page = browser_page
    sign_in(page, live_server.url, alice.email)

    page.goto(f"{live_server.url}/people/{child.pk}")
    family = page.locator("h2:has-text('Family and household') + ul")
    assert "A person whose record is restricted: sibling" in family.inner_text()
    assert family.get_by_role("link").count() == 0
    assert "Quillfeather" not in page.content() and f"/people/{secret.pk}" not in page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    assert page_width(page) <= 320

    grant(secret, alice)
    page.reload()
    assert family.get_by_role("link", name="Zephyrine Quillfeather").is_visible()
