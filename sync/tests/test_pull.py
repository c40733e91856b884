"""The pull: the first download (paged, resumable, compressed), changes since a cursor (a transaction that started
earlier but commits later is still delivered), evictions when a child leaves the caseload, and the scope checksum.

These tests commit (the pull serves only what committed transactions wrote, below the oldest one running; a test
inside one open transaction would see nothing served)."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import timedelta
from typing import Any

import brotli
import pytest
from django.db import connection, transaction
from django.utils import timezone

from people.models import Involvement
from people.tests.factories import person
from recording import services as recording
from sync import records
from sync.models import ScopeSnapshot

from .helpers import DeviceClient

pytestmark = pytest.mark.usefixtures("allow_audit_flush")


def note(child: Any, subject: str = "Visit planned", actor: Any = None) -> Any:
    return recording.case_note_create(
        actor=actor,
        person=child,
        occurred_at=timezone.now() - timedelta(hours=1),
        subject=subject,
        body=f"{subject}: spoke to mum.",
    )


class Store:
    """A device's store, as the app keeps it: records by (type, id), and the cursor."""

    def __init__(self, d: DeviceClient) -> None:
        self.d = d
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.cursor: str | None = None
        self.requests = 0

    def apply(self, body: dict[str, Any]) -> None:
        for r in body["upserts"]:
            self.records[(r["type"], r["id"])] = r
        for e in body["evictions"]:
            if "person_id" in e:
                self.records = {k: v for k, v in self.records.items() if v["person_id"] != e["person_id"]}
            else:
                self.records.pop((e["type"], e["id"]), None)
        self.cursor = body["cursor"]

    def sync(self, limit: int = 500) -> dict[str, Any]:
        while True:
            params: dict[str, Any] = {"limit": limit}
            if self.cursor:
                params["cursor"] = self.cursor
                params["checksum"] = self.checksum()
            r = self.d.pull(**params)
            self.requests += 1
            assert r.status_code == 200, r.content
            body = r.json()
            if body.get("reset"):
                self.records, self.cursor = {}, None
                continue
            self.apply(body)
            if not body["has_more"]:
                return body

    def checksum(self) -> str:
        return records.checksum_of((t, i, r["version"]) for (t, i), r in self.records.items())

    def of(self, type_: str) -> list[dict[str, Any]]:
        return [r for (t, _), r in self.records.items() if t == type_]


def test_the_first_download_pages_through_the_caseload_and_resumes(alice: Any, bob: Any) -> None:
    children = [person(f"Child{i}", "Hughes", held_by=alice) for i in range(3)]
    for child in children:
        for i in range(4):
            note(child, f"Note {i}")
    person("Not", "Mine", held_by=bob)
    d = DeviceClient(alice)
    store = Store(d)
    body = store.sync(limit=7)
    people = store.of("person")
    assert sorted(p["data"]["name"] for p in people) == ["Child0 Hughes", "Child1 Hughes", "Child2 Hughes"]
    assert len(store.of("case_note")) == 12
    assert len(store.of("chronology_entry")) >= 12
    assert body["scope_checksum"] == store.checksum()
    assert store.requests > 3
    # A page answered again (its answer lost on the way) gives the same records: the cursor is resumable.
    first = d.pull(limit=7).json()
    again = d.pull(limit=7, cursor=first["cursor"]).json()
    twice = d.pull(limit=7, cursor=first["cursor"]).json()
    assert again["upserts"] == twice["upserts"] and again["cursor"] == twice["cursor"]


def test_a_record_reads_in_words_with_the_editable_fields_raw(alice: Any) -> None:
    from people.services import person_update

    child = person("Amelia", "Hughes", held_by=alice)
    person_update(actor=None, person=child, preferred_name="Millie", interpreter_needed=True)
    store = Store(DeviceClient(alice))
    store.sync()
    (p,) = store.of("person")
    assert p["id"] == str(child.pk) and p["person_id"] == child.pk and p["version"] >= 1
    assert p["data"]["date_of_birth"] == "27 March 2015"
    assert p["data"]["interpreter_needed"] == "Yes"
    assert p["data"]["editable"] == {
        "preferred_name": "Millie",
        "gender": "",
        "first_language": "",
        "interpreter_needed": True,
    }


def test_nothing_changed_is_one_small_request(alice: Any) -> None:
    child = person(held_by=alice)
    note(child)
    d = DeviceClient(alice)
    store = Store(d)
    store.sync()
    r = d.pull(cursor=store.cursor, checksum=store.checksum())
    body = r.json()
    assert body["upserts"] == [] and body["evictions"] == [] and not body["has_more"] and "reset" not in body
    assert len(r.content) < 1024


def test_changes_since_the_cursor_come_as_upserts(alice: Any) -> None:
    child = person(held_by=alice)
    d = DeviceClient(alice)
    store = Store(d)
    store.sync()
    n = note(child, "After the download")
    body = store.sync()
    assert str(n.pk) in {r["id"] for r in store.of("case_note")}
    assert body["scope_checksum"] == store.checksum()


def test_a_transaction_that_started_earlier_but_commits_later_is_still_delivered(alice: Any) -> None:
    """The slow transaction writes first (its id is smaller), the quick one commits first; the pull in between must
    not move its cursor past the slow one's row."""
    child = person(held_by=alice)
    d = DeviceClient(alice)
    store = Store(d)
    store.sync()
    written, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow() -> None:
        try:
            with transaction.atomic():
                note(child, "Slow")
                written.set()
                release.wait(30)
        finally:
            connection.close()
            finished.set()

    thread = threading.Thread(target=slow)
    thread.start()
    assert written.wait(30)
    note(child, "Quick")  # commits now, with a later transaction id
    store.sync()
    subjects = {r["data"]["subject"] for r in store.of("case_note")}
    assert "Slow" not in subjects  # still running: not committed
    assert "Quick" not in subjects  # committed, but above the oldest running transaction: held back, not skipped
    release.set()
    assert finished.wait(30)
    thread.join()
    store.sync()
    assert {r["data"]["subject"] for r in store.of("case_note")} == {"Slow", "Quick"}


def test_a_child_leaving_the_caseload_is_evicted_and_one_joining_is_sent_whole(alice: Any) -> None:
    staying = person("Stay", "Here", held_by=alice)
    leaving = person("Leave", "Soon", held_by=alice)
    note(leaving, "Private to the case")
    d = DeviceClient(alice)
    store = Store(d)
    store.sync()
    assert any(r["person_id"] == leaving.pk for r in store.records.values())
    Involvement.objects.filter(person=leaving, user=alice).update(ended_at=timezone.now() - timedelta(minutes=1))
    joining = person("New", "Allocation")
    note(joining, "Before the allocation")
    Involvement.objects.create(person=joining, user=alice, basis="allocated", source="t:j", started_at=timezone.now())
    body = store.sync()
    held = {r["person_id"] for r in store.records.values()} - {None}
    assert held == {staying.pk, joining.pk}
    assert "Before the allocation" in {r["data"]["subject"] for r in store.of("case_note")}
    assert body["scope_checksum"] == store.checksum()


def test_a_drifted_store_is_told_to_start_again(alice: Any) -> None:
    person(held_by=alice)
    d = DeviceClient(alice)
    store = Store(d)
    store.sync()
    store.records.popitem()  # the device lost a record (a bug, a cleared object store)
    r = d.pull(cursor=store.cursor, checksum=store.checksum()).json()
    assert r["reset"] is True
    store.sync()  # drops the store and downloads again
    assert store.checksum() == d.pull(cursor=store.cursor).json()["scope_checksum"]


def test_a_record_the_device_holds_at_another_version_or_not_at_all_is_told_to_start_again(alice: Any) -> None:
    """The app computes the checksum over its own store (web/mobile/src/store.ts), not the server's last one: a
    record lost, or changed, on the device alone, with nothing in the change log, is caught and comes back."""
    child = person(held_by=alice)
    kept = note(child, "Kept on the server")
    d = DeviceClient(alice)
    store = Store(d)
    body = store.sync()
    last = body["scope_checksum"]
    key = ("case_note", str(kept.pk))
    store.records[key] = {**store.records[key], "version": store.records[key]["version"] + 3}
    assert store.checksum() != last
    assert d.pull(cursor=store.cursor, checksum=store.checksum()).json()["reset"] is True
    # The server's last checksum, claimed by a device that lost the record, would have hidden the loss.
    assert "reset" not in d.pull(cursor=store.cursor, checksum=last).json()
    store.sync()
    assert store.records[key]["data"]["subject"] == "Kept on the server"
    assert store.checksum() == last


def test_the_checksum_a_device_claims_is_a_checksum(alice: Any) -> None:
    person(held_by=alice)
    d = DeviceClient(alice)
    store = Store(d)
    store.sync()
    # A device that found a record it could not decrypt says so with "damaged": the server answers reset.
    assert d.pull(cursor=store.cursor, checksum="damaged").json()["reset"] is True


def test_the_pull_is_compressed_when_the_device_accepts_it(alice: Any) -> None:
    child = person(held_by=alice)
    for i in range(5):
        note(child, f"Note {i}")
    d = DeviceClient(alice)
    plain = d.client.get("/api/v1/sync/pull", headers=d.headers)
    gz = d.client.get("/api/v1/sync/pull", headers={**d.headers, "Accept-Encoding": "gzip"})
    br = d.client.get("/api/v1/sync/pull", headers={**d.headers, "Accept-Encoding": "gzip, br"})
    assert gz["Content-Encoding"] == "gzip" and br["Content-Encoding"] == "br"
    assert json.loads(gzip.decompress(gz.content))["upserts"] == plain.json()["upserts"]
    assert json.loads(brotli.decompress(br.content))["upserts"] == plain.json()["upserts"]
    assert len(br.content) < len(plain.content) / 2


def test_a_cursor_not_given_to_this_device_is_refused(alice: Any, bob: Any) -> None:
    person(held_by=alice)
    a = DeviceClient(alice)
    cursor = a.pull().json()["cursor"]
    b = DeviceClient(bob)
    snapshots = ScopeSnapshot.objects.count()
    for bad in (cursor, "c.1.2", "x.1.2.3", "d.99999.1.1.0.0"):
        r = b.pull(cursor=bad)
        assert r.status_code == 422 and "cursor" in r.json()["errors"], bad
    assert ScopeSnapshot.objects.count() == snapshots
