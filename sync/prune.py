"""Pruning what offline sync keeps (decision 0031): the change log, the mutations' results, old scope snapshots.

**The change log** (`sync.Change`) is needed only between a device's position and now. Each pull records the
position of the cursor the device sent (or, on a first download, the position it was given) on the device
(`Device.pulled_txid`, `pulled_change`): the device holds every change up to it, and a device's cursor only moves
forward. The log may be pruned up to the lowest position of the **active** devices: not removed, their user not
disabled, and synced within the horizon (`CASEWORK_SYNC_PRUNE_DAYS`, default 90). A device that has not synced
for longer does not hold the log back; if it comes back, its cursor is behind the pruned point and the pull answers
`reset` (the protocol's existing reset: the app drops its records, keeps its unsent changes, and downloads its scope
again). Never past the oldest running transaction: nothing is pruned that has not been served.

The pruned point is written first, in its own short transaction (`PruneMark`, with the audit event), and the rows
are deleted after it in batches, each its own transaction, so a long prune never holds back every device's changes.
The pull checks the mark before it reads the log and again after, so a pull racing a prune is answered with a reset,
never with a page that skipped deleted rows.

**Mutation results** (`sync.Mutation`) are what answers a retried push. They are kept `CASEWORK_SYNC_MUTATION_DAYS`
(default 90) after they arrived: far longer than a device can go without signing in online (14 days, after which it
locks and cannot push). A mutation made (by its UUIDv7's time, else `made_at`) longer ago than that and not found is
refused with a reason rather than applied, since its earlier result may have been pruned (sync.push).

**Scope snapshots** a device's cursor can no longer name (older than the one its last pull named) and every snapshot
of a removed device are deleted too.

`casework sync prune [--dry-run]` runs it by hand; `casework worker` runs it daily (sync.tasks).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor

from .models import Change, Device, Mutation, PruneMark, ScopeSnapshot

BATCH = 10_000
TOO_OLD = (
    "This change was made more than {days} days ago, longer than Casework keeps the answers to changes sent from "
    "devices, so it may have been saved already and was not saved again. Check the record and enter it again if it "
    "is missing"
)


def horizon_days() -> int:
    """Days a device may go without syncing before it stops holding the change log back (default 90)."""
    return int(getattr(settings, "CASEWORK_SYNC_PRUNE_DAYS", 90))


def mutation_days() -> int:
    """Days a mutation's result is kept to answer a retried push (default 90)."""
    return int(getattr(settings, "CASEWORK_SYNC_MUTATION_DAYS", 90))


@dataclass
class PruneReport:
    txid: int
    change_id: int
    changes: int
    mutations: int
    snapshots: int
    active_devices: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def watermark() -> tuple[int, int]:
    """The newest pruned point: every change at or before it is gone ((0, 0) when nothing has been pruned)."""
    mark = PruneMark.objects.order_by("-pk").values_list("txid", "change_id").first()
    return (mark[0], mark[1]) if mark else (0, 0)


def behind(position: tuple[int, int]) -> bool:
    """Whether a cursor at `position` needs changes that were pruned (the device must download again)."""
    mark = watermark()
    return mark != (0, 0) and position < mark


def active_devices(now: datetime) -> Any:
    since = now - timedelta(days=horizon_days())
    return Device.objects.filter(revoked_at=None, user__is_active=True).filter(
        Q(last_sync_at__gte=since) | Q(last_sync_at=None, registered_at__gte=since)
    )


def _oldest_running() -> int:
    """pg_snapshot_xmin(pg_current_snapshot()), as the pull reads it: nothing at or after it has been served."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return int(cur.fetchone()[0])


def prune_point(now: datetime) -> tuple[tuple[int, int], int]:
    """The lowest position an active device holds (never past the oldest running transaction), and how many active
    devices there are. An active device that synced but has no position yet (it last synced before positions were
    kept) holds everything back until it syncs again."""
    point = (_oldest_running(), 0)
    devices = active_devices(now)
    count = 0
    for txid, change, synced in devices.values_list("pulled_txid", "pulled_change", "last_sync_at"):
        count += 1
        if txid is None:
            if synced is not None:
                point = (0, 0)
            continue
        point = min(point, (txid, change))
    return point, count


def _before(point: tuple[int, int]) -> Q:
    return Q(txid__lt=point[0]) | Q(txid=point[0], id__lte=point[1])


def _old_snapshots() -> Q:
    """Snapshots no cursor will name again: older than the one a device's last pull named, or of a removed device."""
    return Q(device__revoked_at__isnull=False) | Q(
        device__pulled_snapshot__isnull=False, pk__lt=F("device__pulled_snapshot")
    )


def sync_prune(*, actor: Actor, dry_run: bool = False, now: datetime | None = None) -> PruneReport:
    """Prune the change log up to the active devices' lowest position, the mutation results past their days, and the
    snapshots no cursor can name (see the module's docstring). Audited; with `dry_run`, counts and changes nothing."""
    now = now or timezone.now()
    point, count = prune_point(now)
    mark = watermark()
    point = max(point, mark)
    kept_since = now - timedelta(days=mutation_days())
    changes = Change.objects.filter(_before(point))
    mutations = Mutation.objects.filter(received_at__lt=kept_since)
    snapshots = ScopeSnapshot.objects.filter(_old_snapshots())
    if dry_run:
        return PruneReport(
            point[0], point[1], changes.count(), mutations.count(), snapshots.count(), count, dry_run=True
        )
    with transaction.atomic():
        prune = PruneMark.objects.create(txid=point[0], change_id=point[1])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="sync_change_log",
            object_id=str(prune.pk),
            changes={"pruned_before": {"txid": point[0], "change_id": point[1]}, "active_devices": count},
        )
    # After the mark is committed: any cursor behind it is answered with a reset, so the rows can go in batches.
    deleted = {
        "changes": _delete_in_batches(Change.objects.filter(_before(point))),
        "mutations": _delete_in_batches(Mutation.objects.filter(received_at__lt=kept_since)),
        "snapshots": _delete_in_batches(ScopeSnapshot.objects.filter(_old_snapshots())),
    }
    PruneMark.objects.filter(pk=prune.pk).update(
        changes_deleted=deleted["changes"],
        mutations_deleted=deleted["mutations"],
        snapshots_deleted=deleted["snapshots"],
    )
    return PruneReport(
        point[0], point[1], deleted["changes"], deleted["mutations"], deleted["snapshots"], count, dry_run=False
    )


def _delete_in_batches(rows: Any) -> int:
    total = 0
    while True:
        with transaction.atomic():
            ids = list(rows.values_list("pk", flat=True)[:BATCH])
            if not ids:
                return total
            n, _ = rows.model.objects.filter(pk__in=ids).delete()
            total += n


def too_old_reason() -> str:
    return TOO_OLD.format(days=mutation_days())


def too_old_to_apply(mutation_id: uuid.UUID, made_at: Any, now: datetime | None = None) -> bool:
    """A mutation not found among the kept results that was made before the results' window: its earlier result
    (if it was sent before) may have been pruned, so it is not applied in case it was saved already. Its time is
    its UUIDv7's, else its `made_at`; without either it is applied."""
    now = now or timezone.now()
    when: datetime | None = None
    if mutation_id.version == 7:
        when = datetime.fromtimestamp((mutation_id.int >> 80) / 1000, tz=UTC)
    elif made_at:
        try:
            when = parse_datetime(str(made_at))
        except ValueError:
            when = None
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when, UTC)
    return when is not None and when < now - timedelta(days=mutation_days())


def pull_position(device: Device, *, txid: int, change_id: int, snapshot: int) -> None:
    """Record on the device the position (and snapshot) of the cursor it sent or was given (the pull calls this)."""
    Device.objects.filter(pk=device.pk).update(
        last_sync_at=timezone.now(), pulled_txid=txid, pulled_change=change_id, pulled_snapshot=snapshot
    )
