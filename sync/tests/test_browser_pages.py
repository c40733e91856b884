"""The sync pages in Chromium, as a worker uses them: Your devices, then Changes to check, choosing a value; at 320
pixels and with axe."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from casework.tests.browser import assert_accessible, page_width, sign_in
from people.models import Person
from people.services import person_update
from people.tests.factories import person

from .helpers import DeviceClient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_worker_checks_their_devices_and_resolves_a_conflict(
    allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any, tmp_path: Any
) -> None:
    shots = Path(os.environ.get("CASEWORK_SCREENSHOTS", str(tmp_path)))
    child = person("Amelia", "Hughes", held_by=alice)
    person_update(actor=None, person=child, preferred_name="Mel")
    d = DeviceClient(alice, None)
    d.pull()
    m = {"id": str(uuid.uuid4()), "type": "person", "action": "update", "record_id": str(child.pk),
         "fields": {"preferred_name": "Millie"}, "base": {"preferred_name": ""}}  # fmt: skip
    assert d.push([m]).json()["results"][0]["status"] == "conflict"
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, base, alice.email)
    page.get_by_role("link", name="Your devices").click()
    page.wait_for_url("**/sync/devices/")
    assert "Work iPad" in page.content()
    assert page_width(page) <= 320
    assert_accessible(page)
    page.screenshot(path=shots / "sync-devices.png", full_page=True)
    page.get_by_role("link", name="see the changes to check").click()
    page.wait_for_url("**/sync/conflicts/")
    assert_accessible(page)
    # The wrong thing first: no choice.
    page.get_by_role("button", name="Keep this").click()
    assert "Choose which value to keep" in page.content()
    assert_accessible(page)
    page.screenshot(path=shots / "sync-conflict-error.png", full_page=True)
    page.get_by_label("The device’s: Millie").check()
    page.get_by_role("button", name="Keep this").click()
    assert "is resolved" in page.content()
    assert page_width(page) <= 320
    page.screenshot(path=shots / "sync-conflicts.png", full_page=True)
    assert Person.objects.get(pk=child.pk).preferred_name == "Millie"
