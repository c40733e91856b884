"""The offline app in a real browser (Debian's Chromium through Playwright): sign in, set up the device with a
passphrase, download the caseload, lock and unlock (a wrong passphrase counted), go offline, reload (the service
worker opens the app), record a visit and fill in the statutory visit form offline, come back online and see them
sent. /api/v1/sync/ is a stub answered through Playwright's routing, to test the screens alone; the same journeys
against the real server are in test_browser_end_to_end.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings

from casework.tests.browser import assert_accessible, page_width, sign_in

from .browser_app import PASSPHRASE, set_up_device, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VISIT_FORM = json.loads((Path(settings.BASE_DIR) / "forms" / "definitions" / "statutory-visit.v1.json").read_text())
CHILD = {
    "type": "person",
    "id": "41",
    "version": 3,
    "person_id": 41,
    "data": {
        "name": "Amelia Hughes",
        "date_of_birth": "27 March 2015",
        "age": "11 years",
        "gender": "Female",
        "nhs_number": "943 476 5919",
        "address": "4 Mill Lane, Sheffield S1 2AB",
        "warnings": ["Large dog at the address"],
        "legal_status": "Child in need",
        "editable": {"phone": "01632 960000"},
    },
}
NOTE = {
    "type": "case_note",
    "id": "900",
    "version": 1,
    "person_id": 41,
    "data": {
        "subject": "Phone call with school",
        "body": "Attendance has improved.",
        "occurred_at": "2026-11-30T10:00:00+00:00",
    },
}


class FakeSync:
    """The sync API as docs/sync-protocol.md (the lead's contract) describes it, in memory."""

    def __init__(self) -> None:
        self.offline = False
        self.pushed: list[dict[str, Any]] = []
        self.requests: list[str] = []

    def __call__(self, route: Any, request: Any) -> None:
        if self.offline:
            route.abort("internetdisconnected")
            return
        path = urlparse(request.url).path.removeprefix("/api/v1/sync")
        self.requests.append(f"{request.method} {path}")
        if path == "/session":
            body: Any = {"csrf_token": "stub-token"}
        elif path == "/devices":
            name = request.post_data_json["name"]
            body = {
                "device_id": "dev-1",
                "name": name,
                "registered_at": "2026-12-06T09:00:00Z",
                "reauth_days": 14,
                "idle_lock_minutes": 10,
            }
        elif path == "/pull":
            upserts = (
                []
                if "cursor" in request.url
                else [
                    CHILD,
                    NOTE,
                    {
                        "type": "form_definition",
                        "id": "statutory-visit.v1",
                        "version": 1,
                        "person_id": None,
                        "data": VISIT_FORM,
                    },
                ]
            )
            body = {
                "cursor": "7",
                "has_more": False,
                "upserts": upserts,
                "evictions": [],
                "scope_checksum": "c0ffee",
                "server_time": "2026-12-06T09:00:00Z",
            }
        elif path == "/push":
            assert request.headers["x-csrftoken"] == "stub-token" and request.headers["x-casework-device"] == "dev-1"
            mutations = request.post_data_json["mutations"]
            self.pushed.extend(mutations)
            body = {
                "results": [
                    {
                        "id": m["id"],
                        "status": "applied",
                        "record": None,
                        "conflict_id": None,
                        "reason": None,
                        "errors": {},
                    }
                    for m in mutations
                ]
            }
        else:
            body = {"detail": "Not found", "errors": {}}
            route.fulfill(status=404, content_type="application/json", body=json.dumps(body))
            return
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


def test_set_up_lock_unlock_and_record_offline(
    allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any, team_a_holds: Any
) -> None:
    page = browser_page
    api = FakeSync()
    page.context.route("**/api/v1/sync/**", api)
    base = live_server.url
    sign_in(page, base, alice.email)

    page.goto(f"{base}/mobile/")
    page.get_by_role("heading", name="Set up this device").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Set up this device").click()  # empty: errors, nothing set up
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter a name for this device" in page.content()
    assert_accessible(page)
    page.get_by_label("Name this device").fill("Alice's work phone")
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Set up this device").click()

    page.get_by_role("heading", name="Your caseload").wait_for()
    page.get_by_role("link", name="Amelia Hughes").wait_for()
    assert_accessible(page)
    shot(page, "caseload")
    assert "POST /devices" in api.requests and "GET /pull" in " ".join(api.requests)

    # Locked: nothing shows without the passphrase; a wrong one is counted.
    page.get_by_role("button", name="Lock").click()
    page.get_by_role("heading", name="Unlock Casework").wait_for()
    assert "Amelia" not in page.content()
    page.get_by_label("Passphrase").fill("not the passphrase")
    page.get_by_role("button", name="Unlock").click()
    page.get_by_text("4 tries left").first.wait_for()
    assert_accessible(page)
    shot(page, "unlock")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    page.get_by_role("heading", name="Your caseload").wait_for()

    # Offline, and the page reloaded: the service worker opens the app, which unlocks from the device alone.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    api.offline = True
    page.context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Unlock Casework").wait_for()
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    page.get_by_role("link", name="Amelia Hughes").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    assert "Large dog at the address" in page.content() and "Phone call with school" in page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page_width(page) <= 320
    shot(page, "child-320")
    page.set_viewport_size({"width": 1024, "height": 800})

    # Change a detail a worker may change, offline: sent later with the value the device had as its base.
    page.get_by_role("link", name="Change these details").click()
    page.get_by_label("Phone").fill("07700 900123")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    assert "07700 900123" in page.content() and "Waiting to sync" in page.content()

    # Record a visit offline: wrong first, then right.
    page.get_by_role("link", name="Record a visit").click()
    page.get_by_role("button", name="Save the visit").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Select the kind of visit" in page.content()
    assert_accessible(page)
    page.get_by_label("Home visit").check()
    page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    page.get_by_label("Notes of the visit").fill("Amelia showed me her room; she is settled.")
    page.get_by_role("button", name="Save the visit").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    assert "Waiting to sync" in page.content()

    # Fill in the statutory visit form offline, page by page.
    page.get_by_role("link", name="Fill in a form").click()
    page.get_by_role("link", name="Statutory visit").click()
    page.get_by_role("heading", name="About the visit").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Child in need").check()
    when = page.get_by_role("group", name="Date and time of the visit")
    today = date.today()
    when.get_by_label("Day").fill(str(today.day))
    when.get_by_label("Month").fill(str(today.month))
    when.get_by_label("Year").fill(str(today.year))
    when.get_by_label("Hour").fill("00")
    when.get_by_label("Minute").fill("05")
    page.get_by_role("group", name="Where did the visit take place?").get_by_label("Office").check()
    page.get_by_role("group", name="Was the visit announced?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Seeing the child").wait_for()
    page.get_by_role("group", name="Was the child seen?").get_by_label("No").check()
    page.get_by_label("Why was the child not seen?").fill("She was at a friend's house")
    shot(page, "form-page")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Who else was seen").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="What happened and what you observed").wait_for()
    page.get_by_label("What happened on the visit, and what did you observe?").fill("Spoke with her mother.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Progress and new worries").wait_for()
    page.get_by_role("group", name="Are there any new worries about the child's safety or wellbeing?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Actions").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert_accessible(page)
    shot(page, "check")
    page.get_by_role("button", name="Submit the form").click()
    page.get_by_text("Form saved to send").wait_for()

    page.get_by_role("link", name="Casework", exact=True).click()
    page.get_by_role("link", name="3 waiting").click()
    page.get_by_role("heading", name="Waiting to sync", exact=True).wait_for()
    assert_accessible(page)
    shot(page, "outbox")
    assert api.pushed == []

    # Back online: sync on the `online` event sends both, with their ids, once.
    api.offline = False
    page.context.set_offline(False)
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Nothing is waiting").wait_for()
    kinds = sorted(m["type"] for m in api.pushed)
    assert kinds == ["form_submission", "person", "visit"], api.pushed
    edit = next(m for m in api.pushed if m["type"] == "person")
    assert edit["action"] == "update" and edit["record_id"] == "41" and edit["base_version"] == 3
    assert edit["fields"] == {"phone": "07700 900123"} and edit["base"] == {"phone": "01632 960000"}
    form = next(m for m in api.pushed if m["type"] == "form_submission")
    assert form["fields"]["form"] == "statutory-visit" and form["fields"]["person_id"] == 41
    assert form["fields"]["answers"]["not_seen_reason"] == "She was at a friend's house"
    assert "child_views" not in form["fields"]["answers"]
    assert len({m["id"] for m in api.pushed}) == 3


def test_a_removed_device_wipes_itself(allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any) -> None:
    page = browser_page
    api = FakeSync()
    page.context.route("**/api/v1/sync/**", api)
    sign_in(page, live_server.url, alice.email)
    set_up_device(page, live_server.url, "Alice's tablet")
    page.get_by_role("link", name="Amelia Hughes").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert page.evaluate("caches.keys().then(k => k.length)") == 1

    # An administrator removed the device: the next contact answers 401 with a wipe instruction.
    def removed(route: Any, request: Any) -> None:
        body = {"detail": "This device has been removed from Casework by an administrator.", "errors": {}, "wipe": True}
        route.fulfill(
            status=401, content_type="application/json", headers={"Clear-Site-Data": '"storage"'}, body=json.dumps(body)
        )

    page.context.unroute("**/api/v1/sync/**")
    page.context.route("**/api/v1/sync/pull**", removed)
    page.get_by_role("button", name="Sync now").click()
    page.get_by_role("heading", name="Casework has been removed from this device").wait_for()
    assert "Amelia" not in page.content()
    assert_accessible(page)
    shot(page, "wiped")
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 0
    assert page.evaluate("caches.keys().then(k => k.length)") == 0
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
