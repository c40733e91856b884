"""Business support cleans up a duplicate in a real browser, axe on every page and each page at 320 pixels: open the
list, compare the two records, refuse a pair with different NHS numbers, merge (after a page that says it can be
undone), see the merged record point at the survivor, and undo the merge."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, page_width, sign_in
from people.models import DuplicateCandidate, Person, PersonMerge
from people.services import AddressInput, address_add, warning_add
from people.tests.factories import person
from recording.services import case_note_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def shot(page, name: str) -> None:
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"merge15-{name}.png"), full_page=True)


def narrow(page) -> None:
    """The page at 320 pixels wide scrolls no wider, then back to a desktop width."""
    page.set_viewport_size({"width": 320, "height": 800})
    assert page_width(page) <= 320, page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def test_business_support_merges_a_duplicate_and_undoes_it(
    allow_audit_flush, live_server, support, alice, browser_page
):
    kept = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    twin = person("Amelia", "Hewes", date(2015, 3, 27))
    address_add(actor=None, person=twin, address=AddressInput(line1="4 Elm Row", postcode="LS7 3QB"))
    warning_add(actor=None, person=twin, type="dog", details="Large dog")
    case_note_create(
        actor=alice, person=twin, occurred_at=timezone.now() - timedelta(hours=2), subject="Call", body="Mum rang."
    )
    pair = DuplicateCandidate.objects.create(
        person=kept, possible_match=twin, score=0.93, source="sweep", reasons=["similar name", "same date of birth"]
    )
    other = person("Oliver", "Marsh", date(2016, 1, 1), nhs_number="4010232137")
    other_twin = person("Oliver", "Marsh", date(2016, 1, 1), nhs_number="4505577104")
    DuplicateCandidate.objects.create(person=other, possible_match=other_twin, score=0.8, source="import")

    page = browser_page
    base = live_server.url
    sign_in(page, base, support.email)
    page.get_by_role("link", name="Possible duplicates").click()
    page.wait_for_url("**/people/duplicates")
    assert "2 pairs waiting for review" in page.content()
    assert_accessible(page)
    narrow(page)
    shot(page, "1-list")

    # The wrong thing first: two records with different NHS numbers cannot be merged.
    page.get_by_role("link", name="Oliver Marsh and Oliver Marsh").click()
    assert "different NHS numbers" in page.content()
    assert page.get_by_role("link", name="Keep record").count() == 0
    assert_accessible(page)
    shot(page, "2-refused")
    page.get_by_role("button", name="They are different people").click()
    page.wait_for_url("**/people/duplicates")
    assert "will not be proposed again" in page.content()

    page.get_by_role("link", name="Amelia Hughes and Amelia Hewes").click()
    page.wait_for_url(f"**/people/duplicates/{pair.pk}")
    body = page.content()
    assert "The same on both:" in body and "Date of birth" in body and "Only on record" in body
    assert_accessible(page)
    narrow(page)
    shot(page, "3-compare")
    page.get_by_role("link", name=f"Keep record {kept.pk}, merge record {twin.pk} into it").click()
    page.wait_for_url(f"**/people/merge/{kept.pk}/{twin.pk}")
    assert_accessible(page)
    narrow(page)
    shot(page, "4-choose")
    page.get_by_label(f"Amelia Hewes (record {twin.pk})").check()
    page.get_by_role("button", name="Continue").click()
    assert "You can undo this merge afterwards" in page.content()
    assert_accessible(page)
    narrow(page)
    shot(page, "5-check")
    page.get_by_role("button", name="Merge the records").click()
    page.wait_for_url("**/people/merges/*")
    assert f"Record {twin.pk} was merged into record {kept.pk}" in page.content()
    assert_accessible(page)
    narrow(page)
    shot(page, "6-merged")
    assert Person.objects.get(pk=kept.pk).family_name == "Hewes"

    page.goto(f"{base}/people/{twin.pk}")
    assert "This record was merged" in page.content()
    assert_accessible(page)
    shot(page, "7-tombstone")
    page.get_by_role("link", name="See the merge, or undo it").click()
    page.get_by_role("link", name="Undo this merge").click()
    assert "Nothing has been recorded" in page.content()
    assert_accessible(page)
    narrow(page)
    shot(page, "8-undo")
    page.get_by_role("button", name="Undo the merge").click()
    page.wait_for_url("**/people/merges/*")
    assert "are separate records again" in page.content()
    assert_accessible(page)
    shot(page, "9-undone")
    assert Person.objects.get(pk=kept.pk).family_name == "Hughes"
    assert PersonMerge.objects.get().undone_at is not None
