"""Offline working (issue 13): devices, the change log the pull reads, the mutations a push applied, and conflicts.

The change log (`Change`) and the record versions (`RecordVersion`) are written by database triggers on the synced
tables (migration 0002), never by Python: every insert or update of a person, their names, addresses, identifiers
and warnings, a relationship, a chronology entry, a case note, a visit, a task, a plan, a form response or definition
and a conflict adds a row stamped with the writing transaction's id (`pg_current_xact_id()`) and bumps the record's
version. The pull serves only rows whose transaction id is below the oldest transaction still running, so a row
committed late is never skipped (docs/sync-protocol.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Device(models.Model):
    """A browser a user registered for offline working. Its id is sent with every sync call (X-Casework-Device).
    Revoked, never deleted: a revoked device (or one whose user is disabled) is told to wipe itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sync_devices")
    name = models.CharField(max_length=100)
    registered_at = models.DateTimeField(auto_now_add=True)
    # The last time the user proved who they are online from this device (their session's sign-in).
    authenticated_at = models.DateTimeField()
    last_sync_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)
    # The change-log position (txid, change id) of the cursor this device last sent (or was given, on a first
    # download): it holds everything before it, so the change log may be pruned up to the lowest of the active
    # devices' positions (sync.prune). Null until its first pull.
    pulled_txid = models.BigIntegerField(null=True, blank=True)
    pulled_change = models.BigIntegerField(null=True, blank=True)
    # The scope snapshot that cursor named: older snapshots of this device are never asked for again.
    pulled_snapshot = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["user", "-registered_at"], name="sync_device_user")]

    def __str__(self) -> str:
        return self.name


class ScopeSnapshot(models.Model):
    """The people a device holds after applying a pull: the cursor names one, so a lost or repeated answer is
    answered again from what the device really holds (a person joining the scope is sent whole, one leaving it is
    evicted)."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="+")
    person_ids = ArrayField(models.BigIntegerField(), default=list)
    # Of those, the people still to be sent whole (a first download: all of them; a child allocated later: them).
    sending = ArrayField(models.BigIntegerField(), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Scope {self.pk} of device {self.device_id}"


class Change(models.Model):
    """One record written by one transaction (filled by triggers; see the module's docstring)."""

    id = models.BigAutoField(primary_key=True)
    txid = models.BigIntegerField()
    type = models.CharField(max_length=30)
    record_id = models.CharField(max_length=60)
    person_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["txid", "id"], name="sync_change_cursor"),
            models.Index(fields=["person_id", "txid", "id"], name="sync_change_person"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.record_id} in transaction {self.txid}"


class RecordVersion(models.Model):
    """A record's version: 0 before it was first changed after offline working began, then one more for every write
    (filled by triggers). A device's edit names the version it started from."""

    type = models.CharField(max_length=30)
    record_id = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["type", "record_id"], name="sync_version_unique")]

    def __str__(self) -> str:
        return f"{self.type} {self.record_id} version {self.version}"


class MutationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    MERGED = "merged", "Merged"
    CONFLICT = "conflict", "Conflict"
    REJECTED = "rejected", "Rejected"


class Mutation(models.Model):
    """A device's change, kept with its result: a retried mutation is answered with this, never applied twice."""

    id = models.UUIDField(primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=30)
    action = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=MutationStatus.choices)
    result = models.JSONField(default=dict)
    made_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="sync_mutation_received")]

    def __str__(self) -> str:
        return f"{self.action} {self.type}: {self.status}"


class Resolution(models.TextChoices):
    DEVICE = "device", "Kept the value from the device"
    SERVER = "server", "Kept the value in Casework"
    OTHER = "other", "Entered another value"


class Conflict(models.Model):
    """A field a device changed offline that someone else had changed on the server since the device's copy: both
    values are kept until a person chooses (sync.services.conflict_resolve). Nothing is overwritten silently."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mutation_id = models.UUIDField()
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=30)
    record_id = models.CharField(max_length=60)
    field = models.CharField(max_length=60)
    base_value = models.JSONField(null=True, blank=True)
    device_value = models.JSONField(null=True, blank=True)
    server_value = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_value = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="sync_conflict_open", condition=Q(resolved_at=None))
        ]

    def __str__(self) -> str:
        return f"Conflict over {self.field} of {self.record_type} {self.record_id}"


class PruneMark(models.Model):
    """One pruning of the change log (sync.prune): every change before (txid, change_id) was deleted. A cursor behind
    the newest mark is answered with a reset (the device downloads its scope again), so nothing a device still needs
    is lost silently. Kept, with what was deleted, as the history of the pruning."""

    txid = models.BigIntegerField()
    change_id = models.BigIntegerField()
    pruned_at = models.DateTimeField(auto_now_add=True)
    changes_deleted = models.PositiveBigIntegerField(default=0)
    mutations_deleted = models.PositiveBigIntegerField(default=0)
    snapshots_deleted = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Change log pruned before transaction {self.txid}, change {self.change_id}"
