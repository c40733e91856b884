"""A social worker's long note about two siblings, in a real browser: written once for both, opened and read to the
end, then Back and Save again, which saves nothing twice. axe on every page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, fill_date, sign_in
from people.services import relationship_create
from people.tests.factories import person
from recording.models import CaseNote, ChronologyEntry

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]

OPENING = "Home visit with Amelia and Tom.\nPresent: Sarah (mum), Amelia, Tom."
MIDDLE = "Both children were seen in their bedrooms, which were warm and tidy. " * 40
ENDING = "Next visit agreed for Friday at 4pm. Mum will ring the school about Tom's reading group."


def test_a_long_note_for_two_siblings_read_to_the_end_and_saved_once(
    allow_audit_flush, live_server, alice, browser_page, tmp_path
):
    amelia = person("Amelia", "Hughes", date(2015, 3, 27))
    tom = person("Tom", "Hughes", date(2017, 6, 1))
    relationship_create(actor=None, person=amelia, other=tom, type="sibling", lives_with=True)
    body = "\n\n".join([OPENING, *[f"Part {i}. {MIDDLE.strip()}" for i in range(1, 7)], ENDING])
    assert 16_000 < len(body) <= 20_000  # a long note, within a case note's maximum (core.limits.NOTE)
    page = browser_page
    base = live_server.url
    sign_in(page, base, alice.email)

    page.goto(f"{base}/people/{amelia.pk}")
    page.get_by_role("link", name="Add a case note").click()
    page.wait_for_url(f"**/people/{amelia.pk}/case-notes/new")
    assert_accessible(page)
    fill_date(page, "Date", timezone.localdate() - timedelta(days=1))
    page.get_by_label("Time (optional)").fill("15:10")
    page.get_by_label("Subject").fill("Home visit: both children seen")
    page.get_by_role("textbox", name="Note").fill(body)
    page.get_by_label("Tom Hughes").check()
    page.screenshot(path=tmp_path / "form.png", full_page=True)
    page.get_by_role("button", name="Save case note").click()

    page.wait_for_url(f"**/people/{amelia.pk}")
    assert "Case note added to the chronologies of Amelia Hughes and Tom Hughes" in page.content()
    entries = page.locator("#chronology-entries")
    assert "Home visit with Amelia and Tom." in entries.inner_text() and ENDING not in entries.inner_text()
    assert_accessible(page)
    entries.screenshot(path=tmp_path / "list.png")
    page.get_by_role("link", name="Read the whole note").first.click()

    page.wait_for_url(f"**/people/{amelia.pk}/chronology/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Home visit: both children seen"
    text = page.locator("#entry-text")
    assert text.locator("p").count() == 8  # every paragraph kept
    text.locator("p").last.scroll_into_view_if_needed()
    assert text.locator("p").last.inner_text() == ENDING
    assert "Also recorded for" in page.content()
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=tmp_path / "entry.png")
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path=tmp_path / "entry-320.png")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Back to the record, Back to the filled form, and Save again: answered with the first, not a second copy.
    page.go_back()
    page.wait_for_url(f"**/people/{amelia.pk}")
    page.go_back()
    page.wait_for_url(f"**/people/{amelia.pk}/case-notes/new")
    if not page.get_by_label("Subject").input_value():  # a browser that does not keep what was typed
        pytest.fail("the form came back empty: Back should return to the filled form")
    page.get_by_role("button", name="Save case note").click()
    page.wait_for_url(f"**/people/{amelia.pk}")
    assert "This was already saved" in page.content()
    assert_accessible(page)
    assert CaseNote.objects.filter(person=amelia).count() == 1
    assert CaseNote.objects.filter(person=tom).count() == 1
    assert ChronologyEntry.objects.filter(person__in=[amelia, tom]).count() == 2

    # Tom's record has his own entry, which links back to Amelia's.
    page.goto(f"{base}/people/{tom.pk}")
    page.get_by_role("link", name="Home visit: both children seen", exact=True).click()
    page.wait_for_url(f"**/people/{tom.pk}/chronology/*")
    assert page.get_by_role("link", name="Amelia Hughes").count() == 1
    assert_accessible(page)
