"""The audit log: append-only and hash-chained.

Rows are inserted only by `audit.services.audit_record`. A database trigger fills `sequence`, `prev_hash` and
`hash` under a lock on the chain head, so concurrent transactions cannot fork the chain; other triggers refuse
UPDATE, DELETE and TRUNCATE for every role (see migration 0002). `casework audit verify` recomputes the chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    """What an audit event records. Every audit_record call names one of these."""

    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    CLOSE = "close", "Closed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    BREAK_GLASS = "break_glass", "Opened by break-glass"
    FORM_LOAD = "form_load", "Form definition loaded"
    DRAFT_SAVE = "draft_save", "Form draft saved"
    RESPONSE_SUBMIT = "response_submit", "Form submitted"
    RESPONSE_AUTHORISE = "response_authorise", "Form authorised"
    RESPONSE_RETURN = "response_return", "Form returned to the worker"
    RESPONSE_REOPEN = "response_reopen", "Returned form reopened as a draft"
    RESPONSE_CORRECT = "response_correct", "Form corrected"
    PRINT = "print", "Printed"


class AuditEvent(models.Model):
    Action = AuditAction  # the enumeration, as AuditEvent.Action too

    id = models.BigAutoField(primary_key=True)
    # Position in the hash chain (commit order), set as the inserting transaction commits (migration 0005).
    sequence = models.BigIntegerField(null=True, unique=True, editable=False)
    occurred_at = models.DateTimeField(db_default=models.functions.Now())
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    # The person whose record this event concerns, for "who has viewed this child" and subject access requests.
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    changes = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["person", "-occurred_at"], name="audit_person_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class ChainHead(models.Model):
    """One row: the last event's position and hash. Locked by the commit-time trigger, from the moment a transaction
    that wrote events commits until its commit is done."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain head at {self.last_event_id}"
