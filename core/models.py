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
