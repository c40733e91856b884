"""Search that weighs the evidence, in a real browser with axe: a social worker types an uncommon name with the
year of birth wrong; the one person of that name comes first, above strangers born on the date typed, and each row
says in words what agrees and what differs; at 320 pixels wide the table scrolls in its own region."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest

from casework.tests.browser import assert_accessible, fill_date, page_width, sign_in
from people.match_store import name_frequencies_refresh
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def test_an_uncommon_name_with_the_year_wrong_comes_first_and_says_why(
    allow_audit_flush, live_server, alice, browser_page
):
    tamsin = person("Tamsin", "Featherstonehaugh", date(1935, 4, 12))
    for given, family in (("Jack", "Smith"), ("Olivia", "Jones"), ("Mohammed", "Khan")):
        person(given, family, date(1986, 4, 12))
    name_frequencies_refresh()
    page = browser_page
    sign_in(page, live_server.url, alice.email)
    page.get_by_label("Name, NHS number, UPN, record number or postcode").fill("Tamsin Featherstonehaugh")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/people/search**")
    fill_date(page, "Date of birth", date(1986, 4, 12))
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    rows = page.locator("tbody tr")
    first = rows.nth(0).inner_text()
    assert "Tamsin Featherstonehaugh" in first
    assert "born the same day and month, different year" in first
    assert rows.count() == 4
    assert "Different surname, different given name, same date of birth." in rows.nth(1).inner_text()
    assert page.get_by_role("columnheader", name="What agrees and what differs").count() == 1
    assert_accessible(page)
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "search15-results.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page_width(page) <= 320
    assert_accessible(page)
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "search15-results-320.png"), full_page=True)
    assert tamsin.pk
