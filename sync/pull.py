"""The pull: what a device must apply to hold its scope as the server has it (docs/sync-protocol.md).

Two modes, named by the cursor (opaque to the app; checked here):
- **sending** `d.<snapshot>.<txid>.<change id>.<kind>.<row id>`: records of the people the device does not hold yet
  (the whole scope on a first download; a child newly allocated later), paged in KINDS order then row id. The
  change position is kept, so nothing written meanwhile is missed.
- **changes** `c.<snapshot>.<txid>.<change id>`: change-log rows after that position, for the people the device
  holds, served only below `pg_snapshot_xmin(pg_current_snapshot())`: a transaction that started earlier but commits
  later has a smaller txid than rows already served only if it was still running, and then nothing at or above its
  txid has been served yet. Each changed record is sent as it is now (upsert), or, when it has left the scope (a task
  done, a plan ended, a draft submitted), as an eviction; a person who left the scope is evicted whole.

The snapshot (sync.models.ScopeSnapshot) is the set of people the device holds once it has applied the answer the
cursor came with; a lost or repeated answer is answered again from it, so dropped, repeated and reordered pulls
neither lose nor duplicate anything (tests/test_sync_state_machine.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import access
from core.errors import RuleError
from people.services import people_list_view_record

from . import prune, records
from .models import Change, Device, ScopeSnapshot

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
BAD_CURSOR = "The cursor is not one this device was given: start again without a cursor (a first download)"


@dataclass
class Cursor:
    mode: str  # "d" sending people whole, "c" changes
    snapshot: int
    txid: int
    change_id: int
    kind: int = 0
    row: int = 0

    def text(self) -> str:
        if self.mode == "d":
            return f"d.{self.snapshot}.{self.txid}.{self.change_id}.{self.kind}.{self.row}"
        return f"c.{self.snapshot}.{self.txid}.{self.change_id}"


@dataclass
class PullAnswer:
    cursor: str
    has_more: bool
    upserts: list[dict[str, Any]] = field(default_factory=list)
    evictions: list[dict[str, Any]] = field(default_factory=list)
    scope_checksum: str = ""
    reset: bool = False
    server_time: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "cursor": self.cursor,
            "has_more": self.has_more,
            "upserts": self.upserts,
            "evictions": self.evictions,
            "scope_checksum": self.scope_checksum,
            "server_time": self.server_time,
        }
        if self.reset:
            out["reset"] = True
        return out


def parse_cursor(text: str, device: Device) -> tuple[Cursor, ScopeSnapshot]:
    parts = text.split(".")
    try:
        if parts[0] == "d" and len(parts) == 6:
            cursor = Cursor("d", *(int(p) for p in parts[1:]))
        elif parts[0] == "c" and len(parts) == 4:
            cursor = Cursor("c", *(int(p) for p in parts[1:]))
        else:
            raise ValueError(text)
    except ValueError as e:
        raise RuleError({"cursor": BAD_CURSOR}) from e
    numbers = (cursor.snapshot, cursor.txid, cursor.change_id, cursor.row)
    if not 0 <= cursor.kind < len(records.KINDS) or min(numbers) < 0 or max(numbers) >= 2**63:
        raise RuleError({"cursor": BAD_CURSOR})
    snapshot = ScopeSnapshot.objects.filter(pk=cursor.snapshot, device=device).first()
    if snapshot is None:
        raise RuleError({"cursor": BAD_CURSOR})
    return cursor, snapshot


def oldest_running() -> int:
    """pg_snapshot_xmin(pg_current_snapshot()): every transaction with a smaller id has finished."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return int(cur.fetchone()[0])


def _snapshot(device: Device, holds: list[int], sending: list[int]) -> ScopeSnapshot:
    return ScopeSnapshot.objects.create(device=device, person_ids=sorted(set(holds)), sending=sorted(set(sending)))


def pull(
    *, device: Device, user: Any, cursor_text: str | None, limit: int = DEFAULT_LIMIT, checksum: str | None = None
) -> PullAnswer:
    """One page of what the device must apply (see the module's docstring). Refuses a cursor it did not give this
    device (RuleError). Audited as one view of the people whose records it sent."""
    limit = max(1, min(limit, MAX_LIMIT))
    xmin = oldest_running()  # before this request writes anything
    ctx = records.Context(user=user, today=timezone.localdate())
    scope = sorted(access.offline_people(user).values_list("pk", flat=True))
    with transaction.atomic():
        if cursor_text and _pruned_past(cursor_text):
            return _reset()
        if cursor_text:
            cursor, snapshot = parse_cursor(cursor_text, device)
        else:
            snapshot = _snapshot(device, scope, scope)
            cursor = Cursor("d", snapshot.pk, xmin, 0)
        held = {"txid": cursor.txid, "change_id": cursor.change_id, "snapshot": snapshot.pk}
        answer = PullAnswer(cursor="", has_more=False, server_time=timezone.now().isoformat())
        if cursor.mode == "c":
            cursor, snapshot = _changes(device, cursor, snapshot, scope, xmin, limit, ctx, answer)
        if cursor.mode == "d":
            cursor = _sending(cursor, snapshot, limit, ctx, answer)
        answer.cursor = cursor.text()
        if not answer.has_more:
            answer.scope_checksum = records.scope_checksum(snapshot.person_ids, ctx)
            nothing_sent = not answer.upserts and not answer.evictions
            if checksum and nothing_sent and checksum != answer.scope_checksum and not _pending(cursor, snapshot):
                answer.reset = True
        if cursor_text and _pruned_past(cursor_text):  # a prune that ran while this read the log
            transaction.set_rollback(True)
            return _reset()
        prune.pull_position(device, **held)
        sent = {r["person_id"] for r in answer.upserts if r["person_id"] is not None}
        if sent:
            people_list_view_record(actor=user, what="offline device", people=sent, context={"device": str(device.pk)})
    return answer


def _pruned_past(cursor_text: str) -> bool:
    """Whether the change log was pruned past this cursor's position (the device must download again)."""
    parts = cursor_text.split(".")
    if len(parts) < 4 or not (parts[2].isdigit() and parts[3].isdigit()):
        return False  # not a cursor at all: parse_cursor says so
    return prune.behind((int(parts[2]), int(parts[3])))


def _reset() -> PullAnswer:
    """The answer to a cursor the pruned change log can no longer serve: start again (the protocol's reset)."""
    return PullAnswer(cursor="", has_more=False, reset=True, server_time=timezone.now().isoformat())


def _pending(cursor: Cursor, snapshot: ScopeSnapshot) -> bool:
    """Whether changes past the cursor exist that are not served yet (written by transactions younger than one still
    running): the device's checksum cannot match until they are, and that is no reason to start again."""
    after = Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, id__gt=cursor.change_id)
    people = Q(person_id__in=snapshot.person_ids) | Q(person_id__isnull=True)
    return cursor.mode == "d" or Change.objects.filter(after).filter(people).exists()


def _sending(cursor: Cursor, snapshot: ScopeSnapshot, limit: int, ctx: records.Context, answer: PullAnswer) -> Cursor:
    """Records of the people the device is being sent whole, from the cursor's place, up to `limit`."""
    room = limit
    kind, row = cursor.kind, cursor.row
    people = list(snapshot.sending)
    while kind < len(records.KINDS) and room > 0:
        if records.KINDS[kind].type == "form_definition" and snapshot.person_ids != snapshot.sending:
            kind, row = kind + 1, 0  # a child joining later: the device has the forms already
            continue
        got = records.page(kind, people, row, room, ctx)
        answer.upserts.extend(r for _, r in got)
        room -= len(got)
        if len(got) and room == 0:
            row = got[-1][0]
            break
        kind, row = kind + 1, 0
    if kind < len(records.KINDS):
        answer.has_more = True
        return Cursor("d", snapshot.pk, cursor.txid, cursor.change_id, kind, row)
    # Sent whole: from now on, the changes since the position kept (some already sent: upserts are idempotent).
    answer.has_more = True
    return Cursor("c", snapshot.pk, cursor.txid, cursor.change_id)


def _changes(
    device: Device,
    cursor: Cursor,
    snapshot: ScopeSnapshot,
    scope: list[int],
    xmin: int,
    limit: int,
    ctx: records.Context,
    answer: PullAnswer,
) -> tuple[Cursor, ScopeSnapshot]:
    held, now = set(snapshot.person_ids), set(scope)
    left, joined = sorted(held - now), sorted(now - held)
    if left or joined:
        answer.evictions.extend({"person_id": p} for p in left)
        snapshot = _snapshot(device, sorted(now), joined)
        if joined:
            answer.has_more = True
            return Cursor("d", snapshot.pk, cursor.txid, cursor.change_id), snapshot
        cursor = Cursor("c", snapshot.pk, cursor.txid, cursor.change_id)
    keep = sorted(held & now)
    after = Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, id__gt=cursor.change_id)
    rows = list(
        Change.objects.filter(after, txid__lt=xmin)
        .filter(Q(person_id__in=keep) | Q(person_id__isnull=True))
        .order_by("txid", "id")
        .values_list("txid", "id", "type", "record_id")[:limit]
    )
    if not rows:
        return cursor, snapshot
    keys = list(dict.fromkeys((t, r) for _, _, t, r in rows))
    found = records.fetch(keys, keep, ctx)
    for key in keys:
        if key in found:
            answer.upserts.append(found[key])
        else:
            answer.evictions.append({"type": key[0], "id": key[1]})
    answer.has_more = len(rows) == limit
    last = rows[-1]
    return Cursor("c", snapshot.pk, last[0], last[1]), snapshot
