"""A social worker's first hour with a record, in a real browser with axe on every page: find a child by NHS
number, open the record, add the missing UPN (after a mistyped one), and add the mother by searching for her by name
(with a typo), after the page refuses a 6-year-old as the parent and asks about a 15-year-old one."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, sign_in
from people.models import Relationship
from people.tests.factories import person
from people.validators import upn_check_letter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]

UPN = upn_check_letter("801200001001") + "801200001001"


def shot(page, name: str) -> None:
    """A screenshot to look at (not compared): tempdir/people9-<name>.png."""
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"people9-{name}.png"), full_page=True)


def test_find_by_nhs_number_add_a_upn_and_a_relationship_by_search(allow_audit_flush, live_server, alice, browser_page):
    today = timezone.localdate()
    child = person("Amelia", "Hughes", today - timedelta(days=310), nhs_number="9434765919")
    mum = person("Sarah", "Hughes", date(1988, 5, 2))
    brother = person("Leo", "Hughes", today - timedelta(days=6 * 366))
    young_aunt = person("Jade", "Hughes", today - timedelta(days=15 * 366))
    person("Emily", "Hughes", date(2015, 8, 1))
    page = browser_page
    base = live_server.url
    sign_in(page, base, alice.email)

    page.get_by_label("Name, NHS number, UPN, record number or postcode").fill("943 476 5919")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/people/search**")
    assert "Searched for the NHS number 943 476 5919" in page.content()
    assert "(10 months)" in page.content()
    assert "not known on one side" not in page.content()
    assert_accessible(page)
    shot(page, "1-search")
    page.get_by_role("link", name="Amelia Hughes").click()

    page.wait_for_url(f"**/people/{child.pk}")
    assert "(10 months)" in page.locator(".cw-identity-bar").inner_text()
    assert_accessible(page)
    shot(page, "2-record")
    page.get_by_role("link", name="Add, correct or end an identifier").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add an identifier").click()
    assert_accessible(page)
    page.get_by_label("Unique pupil number").check()
    page.get_by_label("Identifier").fill(UPN[:-1] + ("1" if UPN[-1] != "1" else "2"))  # one character wrong
    page.get_by_role("button", name="Add identifier").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Enter a valid UPN" in page.content()
    assert_accessible(page)
    shot(page, "3-upn-error")
    page.get_by_label("Identifier").fill(UPN)
    page.get_by_role("button", name="Add identifier").click()
    page.wait_for_url(f"**/people/{child.pk}/identifiers")
    assert UPN in page.locator("#current-identifiers").inner_text()
    assert_accessible(page)
    shot(page, "4-identifiers")

    page.get_by_role("link", name=f"Back to {child.full_name}").click()
    page.get_by_role("link", name="Add a relationship").click()
    assert_accessible(page)
    page.get_by_label("Find the other person").fill("Leo Hughes")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Choose Leo Hughes, record {brother.pk}").click()
    page.wait_for_url(f"**/relationships/new?other={brother.pk}")
    page.get_by_label("What is Leo Hughes to Amelia Hughes?").select_option("parent")
    page.get_by_role("button", name="Add relationship").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "A parent must be at least 12 years older than their child" in page.content()
    assert_accessible(page)
    shot(page, "5-refused")

    page.get_by_role("link", name="Choose someone else").click()
    page.get_by_label("Find the other person").fill(str(young_aunt.pk))  # by record number
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Choose Jade Hughes, record {young_aunt.pk}").click()
    page.wait_for_url(f"**/relationships/new?other={young_aunt.pk}")
    page.get_by_label("What is Jade Hughes to Amelia Hughes?").select_option("parent")
    page.get_by_role("button", name="Add relationship").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Is Jade Hughes really Amelia Hughes's parent?" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Yes, I have checked: this is right").is_visible()
    assert_accessible(page)
    shot(page, "5b-question")
    assert not Relationship.objects.filter(other=young_aunt).exists()

    page.get_by_role("link", name="Choose someone else").click()
    page.get_by_label("Find the other person").fill("Sara Hughs")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=Sara+Hughs**")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    shot(page, "6-choose-320")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name=f"Choose Sarah Hughes, record {mum.pk}").click()
    page.wait_for_url(f"**/relationships/new?other={mum.pk}")
    page.get_by_role("heading", name="Add a relationship").wait_for()
    assert_accessible(page)
    page.get_by_label("What is Sarah Hughes to Amelia Hughes?").select_option("parent")
    page.get_by_label("Sarah Hughes has parental responsibility for Amelia Hughes").check()
    page.get_by_label("They live together").check()
    shot(page, "7-relationship")
    page.get_by_role("button", name="Add relationship").click()

    page.wait_for_url(f"**/people/{child.pk}")
    assert "Relationship with Sarah Hughes added" in page.content()
    family = page.locator("li", has_text="Sarah Hughes").first.inner_text()
    assert "parent, has parental responsibility, lives with them" in family
    assert_accessible(page)
    shot(page, "8-record-after")
    assert Relationship.objects.get(person=child, other=mum).type == "parent"
