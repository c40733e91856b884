"""Shared base models and code lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStamped(models.Model):
    """Who created and last changed a row, and when. Set by services, never by save()."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    modified_at = models.DateTimeField(auto_now=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Code(models.Model):
    """One value of an official code list (CIN census ethnicity, sex, ...), with the years it is valid for.

    Loaded by data migrations; `list_name` groups them. Collection years are the year a return's collection ends
    (2026 for 2025-26); null means open-ended.
    """

    list_name = models.CharField(max_length=40)
    code = models.CharField(max_length=10)
    label = models.CharField(max_length=200)
    source = models.CharField(max_length=200)
    valid_from_year = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_to_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["list_name", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["list_name", "code"], name="code_unique_in_list")]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


class IdempotencyKey(models.Model):
    """A one-time key for a request that creates something: a form's hidden key, or an API client's
    `Idempotency-Key` header. Written in the same transaction as the record it made, with the answer that request
    gave (a form's redirect, an endpoint's status and body), so a resubmission is answered with it instead of making a
    second copy. The unique constraint settles two submissions at the same moment: the second waits for the first to
    commit, then finds its answer. See core.idempotency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=300)
    # A form's submission, hashed (core.idempotency.fingerprint): the same form sent again with a fresh key.
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    location = models.CharField(max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["user", "fingerprint", "created_at"], name="idempotency_fingerprint")]

    def __str__(self) -> str:
        return f"{self.scope} ({self.key})"


class DemoDatabase(models.Model):
    """The mark of a database that `casework seed` made: a made-up authority, never real records. Demo users (with
    their printed password and TOTP secrets) are created only in a database that has this row, and demo mode (signing
    in without setting up a second factor, the banner on every page) is on only there (core.site.demo_mode). At most
    one row; nothing but the seed writes it."""

    marked_at = models.DateTimeField(auto_now_add=True)
    size = models.CharField(max_length=20)
    seed = models.IntegerField()

    def __str__(self) -> str:
        return f"demo database ({self.size}, seed {self.seed})"


class WorkerHeartbeat(models.Model):
    """The task worker's sign of life: each `casework worker` updates its row every few seconds, and /healthz
    (core.health) reports the worker silent when no row is recent. One row per worker process (host and pid)."""

    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%H:%M:%S}"
