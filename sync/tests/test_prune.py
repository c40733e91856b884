"""Pruning (sync.prune, decision 0031): the change log goes up to the lowest position of the active devices; a device
behind the pruned point is told to download again and converges; one ahead of it is unaffected; push results are
kept 90 days and an older unseen change is refused rather than risk saving it twice. These tests commit (see
test_pull)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from people.tests.factories import person
from recording.models import CaseNote
from sync import prune
from sync.models import Change, Device, Mutation, PruneMark, ScopeSnapshot

from .helpers import DeviceClient
from .test_pull import Store, note
from .test_push import case_note

pytestmark = pytest.mark.usefixtures("allow_audit_flush")


def uuid7(days_ago: float) -> str:
    ms = int((timezone.now() - timedelta(days=days_ago)).timestamp() * 1000)
    value = (ms << 80) | (0x7 << 76) | (random.getrandbits(12) << 64) | (0b10 << 62) | random.getrandbits(62)
    return str(uuid.UUID(int=value))


def caught_up(store: Store) -> None:
    """Sync, then sync again: the server knows a device holds an answer only when its cursor comes back."""
    store.sync()
    store.sync()


def away(device: Any, days: int) -> None:
    """The device last synced `days` ago."""
    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now() - timedelta(days=days))


def test_a_device_behind_the_pruned_point_downloads_again_and_converges_and_one_ahead_is_unaffected(
    alice: Any,
) -> None:
    child = person(held_by=alice)
    ahead, behind = Store(DeviceClient(alice, None)), Store(DeviceClient(alice, None))
    ahead.sync(), behind.sync()
    while_away = note(child, "Written while the tablet was in a drawer")
    caught_up(ahead)
    away(behind.d.device, days=prune.horizon_days() + 1)  # no longer holds the log back

    report = prune.sync_prune(actor=None)

    assert report.changes > 0 and report.active_devices == 1
    assert not Change.objects.filter(type="case_note", record_id=str(while_away.pk)).exists()
    event = AuditEvent.objects.filter(object_type="sync_change_log").latest("id")
    assert event.changes["pruned_before"] == {"txid": report.txid, "change_id": report.change_id}
    # The device behind is told to start again (the protocol's reset), and ends holding what the server holds.
    r = behind.d.pull(cursor=behind.cursor, checksum=behind.checksum()).json()
    assert r["reset"] is True and r["upserts"] == []
    body = behind.sync()
    assert ("case_note", str(while_away.pk)) in behind.records
    assert body["scope_checksum"] == behind.checksum()
    # The one ahead goes on from its cursor as before: no reset, and the next change comes as a change.
    later = note(child, "After the prune")
    r = ahead.d.pull(cursor=ahead.cursor, checksum=ahead.checksum()).json()
    assert "reset" not in r and ("case_note", str(later.pk)) in {(u["type"], u["id"]) for u in r["upserts"]}


def test_an_active_device_holds_the_log_back_and_gets_its_changes(alice: Any) -> None:
    child = person(held_by=alice)
    ahead, behind = Store(DeviceClient(alice, None)), Store(DeviceClient(alice, None))
    ahead.sync(), behind.sync()
    away(behind.d.device, days=prune.horizon_days() - 1)  # still active
    waiting = note(child, "Waiting for the device that has not synced")
    ahead.sync()

    prune.sync_prune(actor=None)

    assert Change.objects.filter(type="case_note", record_id=str(waiting.pk)).exists()
    r = behind.d.pull(cursor=behind.cursor, checksum=behind.checksum()).json()
    assert "reset" not in r and str(waiting.pk) in {u["id"] for u in r["upserts"]}


def test_a_removed_or_disabled_users_device_does_not_hold_the_log_back(alice: Any, bob: Any) -> None:
    child = person(held_by=alice)
    mine, bobs = Store(DeviceClient(alice, None)), Store(DeviceClient(bob, None))
    mine.sync(), bobs.sync()
    written = note(child)
    caught_up(mine)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    prune.sync_prune(actor=None)
    assert not Change.objects.filter(type="case_note", record_id=str(written.pk)).exists()


def test_a_dry_run_counts_and_deletes_nothing(alice: Any) -> None:
    child = person(held_by=alice)
    note(child)
    before = Change.objects.count()
    report = prune.sync_prune(actor=None, dry_run=True)
    assert report.dry_run and report.changes == before > 0  # no device at all: everything served may go
    assert Change.objects.count() == before and not PruneMark.objects.exists()


def test_a_prune_while_a_pull_reads_the_log_answers_a_reset(alice: Any, monkeypatch: Any) -> None:
    child = person(held_by=alice)
    store = Store(DeviceClient(alice, None))
    store.sync()
    note(child)
    checks = iter([False, True])  # not pruned when the pull starts; pruned by the time it has read the log
    monkeypatch.setattr(prune, "behind", lambda position: next(checks))
    r = store.d.pull(cursor=store.cursor, checksum=store.checksum()).json()
    assert r["reset"] is True and r["upserts"] == []


def test_snapshots_no_cursor_can_name_go_and_the_current_one_stays(alice: Any) -> None:
    person(held_by=alice)
    store = Store(DeviceClient(alice, None))
    store.sync()
    store.records, store.cursor = {}, None
    store.sync()  # a second download: a newer snapshot; the first is never named again
    current = Device.objects.get(pk=store.d.device.pk).pulled_snapshot
    prune.sync_prune(actor=None)
    assert list(ScopeSnapshot.objects.filter(device=store.d.device).values_list("pk", flat=True)) == [current]
    r = store.d.pull(cursor=store.cursor, checksum=store.checksum())
    assert r.status_code == 200 and "reset" not in r.json()


def test_push_results_are_kept_90_days_and_an_older_unseen_change_is_refused_not_saved(alice: Any) -> None:
    child = person(held_by=alice)
    d = DeviceClient(alice)
    recent, old = case_note(child, "Recent"), case_note(child, "Old")
    assert d.push([recent, old]).status_code == 200
    Mutation.objects.filter(pk=old["id"]).update(received_at=timezone.now() - timedelta(days=91))
    report = prune.sync_prune(actor=None)
    assert report.mutations == 1
    assert list(Mutation.objects.values_list("pk", flat=True)) == [uuid.UUID(recent["id"])]
    # A retry of the recent one is answered from its kept result: one case note, not two.
    assert d.push([recent]).json()["results"][0]["status"] == "applied"
    assert CaseNote.objects.filter(subject="Recent").count() == 1
    # A change made 91 days ago that Casework has no result for is refused with the reason, and nothing is saved.
    stale = {**case_note(child, "Made long ago"), "id": uuid7(days_ago=91)}
    (result,) = d.push([stale]).json()["results"]
    assert result["status"] == "rejected" and "more than 90 days ago" in result["reason"]
    assert not CaseNote.objects.filter(subject="Made long ago").exists()
    fresh = {**case_note(child, "Made today"), "id": uuid7(days_ago=0)}
    assert d.push([fresh]).json()["results"][0]["status"] == "applied"


def test_the_command_and_the_daily_task(alice: Any, capsys: Any) -> None:
    from sync import tasks

    note(person(held_by=alice))
    call_command("sync", "prune", "--dry-run")
    assert "Would delete" in capsys.readouterr().out and not PruneMark.objects.exists()
    call_command("sync", "prune")
    assert capsys.readouterr().out.startswith("Deleted ")
    assert PruneMark.objects.count() == 1
    assert tasks.worker_started() is True
    assert tasks.worker_started() is False  # a second worker queues no second prune
