"""The offline app walked as its users would, in Debian's Chromium against the real server, at 320 and 1024 pixels:
set up, download, a child's documents (opened online, read again offline; one never opened says it is not
downloaded), the wrong passphrase, Back after submitting a form offline; and the web's "Your devices" and conflicts
pages as a social worker and as a manager. Screenshots go to the temporary folder (mobile-walk-*.png) to look at.
(Safari and iOS cannot be tried here: there is no WebKit build on this machine.)"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from casework.tests.browser import assert_accessible, page_width, sign_in
from people.services import person_update
from people.tests.factories import hold, person

from .browser_app import fill_in_statutory_visit, open_app, require_bundle, shot, unlock
from .helpers import DeviceClient
from .test_documents import add, documents_storage  # noqa: F401 (the documents' storage, for this module too)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def pages_shown(page: Any) -> None:
    """Wait until the document's first page is drawn (wait_for_function would need eval, which the CSP forbids)."""
    page.locator("#document-pages img").first.wait_for()
    for _ in range(100):
        if page.evaluate("document.querySelector('#document-pages img').naturalWidth") > 0:
            return
        page.wait_for_timeout(100)
    shot(page, "walk-not-drawn")
    src = page.evaluate("document.querySelector('#document-pages img').src.slice(0, 80)")
    raise AssertionError(f"the document's page was not drawn: {getattr(page, 'csp_blocked', [])} {src}")


def fits(page: Any, width: int) -> None:
    assert page_width(page) <= width, f"{page.url} is wider than {width} pixels"
    assert_accessible(page)


def test_walk_the_app_and_the_sync_pages_at_320_and_1024_pixels(
    allow_audit_flush: Any, live_server: Any, alice: Any, manager: Any, team_a: Any, browser_page: Any
) -> None:
    from forms.services import definitions_load

    require_bundle()
    definitions_load(actor=None)
    amelia = person("Amelia", "Hughes", date(2015, 3, 27), held_by=alice)
    hold(amelia, team_a)  # the team holds the case: its manager sees the worker's conflicts
    letter = add(amelia, "Letter from the health visitor", sensitivity="third_party")
    add(amelia, "School attendance report")
    # A conflict for the web's pages: Alice's other device changed a detail someone else had changed.
    person_update(actor=None, person=amelia, preferred_name="Mel")
    other = DeviceClient(alice, None)
    other.pull()
    m = {"id": str(uuid.uuid4()), "type": "person", "action": "update", "record_id": str(amelia.pk),
         "fields": {"preferred_name": "Millie"}, "base": {"preferred_name": ""}}  # fmt: skip
    assert other.push([m]).json()["results"][0]["status"] == "conflict"

    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 320, "height": 700})
    open_app(page, base, alice, "Alice's work phone")
    page.get_by_role("link", name="Amelia Hughes").wait_for()
    fits(page, 320)
    shot(page, "walk-320-caseload")

    # The child's documents: details only, until one is opened.
    page.get_by_role("link", name="Amelia Hughes").click()
    page.locator("#documents").wait_for()
    fits(page, 320)
    shot(page, "walk-320-child")
    assert "Sensitive third-party information" in page.locator("#documents").inner_text()
    page.get_by_role("link", name="Letter from the health visitor").click()
    pages_shown(page)
    fits(page, 320)
    shot(page, "walk-320-document")

    # Offline: the one opened reads from the device; the other is not downloaded.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    page.get_by_role("link", name="Back").click()
    page.get_by_text("On this device", exact=True).wait_for()
    page.get_by_role("link", name="School attendance report").click()
    page.get_by_text("Not downloaded: connect to open it.").wait_for()
    fits(page, 320)
    shot(page, "walk-320-not-downloaded")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Letter from the health visitor").click()
    pages_shown(page)
    assert "Kept on this device since" in page.content()

    # Back after submitting a form offline: nothing is sent twice, and the page says where the form is.
    page.get_by_role("link", name="Back").click()
    fill_in_statutory_visit(page)
    page.get_by_role("button", name="Submit the form").click()
    page.get_by_text("Form saved to send").wait_for()
    page.go_back()
    page.get_by_role("heading", name="There are no answers to check").wait_for()
    fits(page, 320)
    shot(page, "walk-320-back-after-submit")
    assert page.get_by_role("button", name="Submit the form").count() == 0
    page.go_back()
    page.get_by_role("heading", name="There are no answers to check").wait_for()

    # The wrong passphrase.
    page.evaluate("location.hash = '#/'")
    page.get_by_role("button", name="Lock").click()
    page.get_by_label("Passphrase").fill("kettle orchard lanterns")
    page.get_by_role("button", name="Unlock").click()
    page.get_by_text("4 tries left").first.wait_for()
    fits(page, 320)
    shot(page, "walk-320-wrong-passphrase")
    unlock(page)
    page.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Conflicts").first.wait_for()

    # The same screens at 1024 pixels.
    page.set_viewport_size({"width": 1024, "height": 800})
    page.evaluate(f"location.hash = '#/child/{amelia.pk}'")
    page.locator("#documents").wait_for()
    fits(page, 1024)
    shot(page, "walk-1024-child")
    page.evaluate(f"location.hash = '#/child/{amelia.pk}/document/{letter.pk}'")
    pages_shown(page)
    shot(page, "walk-1024-document")
    page.evaluate("location.hash = '#/conflicts'")
    page.get_by_role("heading", name="Conflicts to resolve").wait_for()
    fits(page, 1024)
    shot(page, "walk-1024-app-conflicts")

    # The web's pages, as the social worker and as her manager, at both widths.
    for who, user in (("worker", alice), ("manager", manager)):
        sign_in(page, base, user.email)
        for width in (320, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}/sync/devices/")
            fits(page, width)
            shot(page, f"walk-{width}-{who}-devices")
            page.goto(f"{base}/sync/conflicts/")
            fits(page, width)
            shot(page, f"walk-{width}-{who}-conflicts")
        assert "Millie" in page.content(), who  # the manager of the team holding the case sees the worker's conflict
