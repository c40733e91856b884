"""The pages: Your devices (remove one), the administrator's view of a user's devices, and Changes to check (both
values in words, a choice, for the worker and their manager)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from audit.models import AuditAction, AuditEvent
from conftest import client_for, make_user
from people.models import Person
from people.services import person_update
from people.tests.factories import hold, person
from sync.models import Conflict, Device

from .helpers import DeviceClient

pytestmark = pytest.mark.django_db


def conflict_for(alice: Any, child: Any) -> Conflict:
    person_update(actor=None, person=child, preferred_name="Mel")
    d = DeviceClient(alice)
    m = {"id": str(uuid.uuid4()), "type": "person", "action": "update", "record_id": str(child.pk),
         "fields": {"preferred_name": "Millie"}, "base": {"preferred_name": ""}}  # fmt: skip
    (result,) = d.push([m]).json()["results"]
    return Conflict.objects.get(pk=result["conflict_id"])


def test_your_devices_lists_them_with_their_last_sync_and_removes_one(alice: Any) -> None:
    d = DeviceClient(alice)
    d.pull()
    c = client_for(alice)
    page = c.get("/sync/devices/").content.decode()
    assert "Work iPad" in page and "In use" in page and "Remove" in page
    r = c.post("/sync/devices/", {"device": str(d.device.pk)}, follow=True)
    assert "has been removed" in r.content.decode()
    assert Device.objects.get(pk=d.device.pk).revoked_at is not None
    assert d.pull().json()["wipe"] is True


def test_someone_elses_device_cannot_be_removed_from_your_page(alice: Any, bob: Any) -> None:
    d = DeviceClient(alice)
    r = client_for(bob).post("/sync/devices/", {"device": str(d.device.pk)})
    assert r.status_code == 200 and "There is no such device of yours" in r.content.decode()
    assert Device.objects.get(pk=d.device.pk).revoked_at is None


def test_an_administrator_sees_and_removes_a_users_devices(alice: Any, team_a: Any) -> None:
    admin = make_user("ada.admin@example.test", team_a, "administrator")
    d = DeviceClient(alice)
    c = client_for(admin)
    url = f"/administration/users/{alice.pk}"
    page = c.get(url)
    assert "Offline devices" in page.content.decode() and "Work iPad" in page.content.decode()
    r = c.post("/sync/devices/", {"device": str(d.device.pk), "back": url, "reason": "Removed by an administrator"})
    assert r.status_code == 302 and r["Location"] == url
    assert AuditEvent.objects.filter(action=AuditAction.CLOSE, object_type="device", actor=admin).exists()


def test_changes_to_check_shows_both_values_in_words_and_the_worker_chooses(alice: Any) -> None:
    child = person("Amelia", "Hughes", held_by=alice)
    conflict = conflict_for(alice, child)
    c = client_for(alice)
    page = c.get("/sync/conflicts/").content.decode()
    assert "Preferred name of Amelia Hughes" in page
    assert "Millie" in page and "Mel" in page
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="sync conflicts").last()
    assert event is not None and child.pk in event.context["people"]
    r = c.post("/sync/conflicts/", {"conflict": conflict.pk})
    assert r.status_code == 200 and "Choose which value to keep" in r.content.decode()
    r = c.post("/sync/conflicts/", {"conflict": conflict.pk, "keep": "device"}, follow=True)
    assert "is resolved" in r.content.decode()
    assert Person.objects.get(pk=child.pk).preferred_name == "Millie"
    assert "There are no changes to check" in c.get("/sync/conflicts/").content.decode()


def test_the_manager_of_the_team_holding_the_case_sees_it_and_a_colleague_does_not(
    alice: Any, manager: Any, bob: Any, team_a: Any
) -> None:
    child = person("Amelia", "Hughes", held_by=alice)
    hold(child, team_a)
    conflict_for(alice, child)
    assert "Preferred name of Amelia Hughes" in client_for(manager).get("/sync/conflicts/").content.decode()
    assert "There are no changes to check" in client_for(bob).get("/sync/conflicts/").content.decode()
