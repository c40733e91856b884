"""Form definitions (immutable, numbered versions loaded from forms/definitions/) and the responses made with them.

A definition is written once by `forms.services.definition_load` and never changed: a database trigger refuses any
UPDATE or DELETE. A response is pinned to the version it was made with, so an old response keeps rendering with the
questions it answered."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q


class FormDefinition(models.Model):
    name = models.CharField(max_length=80, help_text="The form's slug, stable across versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.JSONField(help_text="The whole definition (docs/forms-format.md)")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON of the body")
    loaded_at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        ordering = ["name", "version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="form_definition_version_unique")]
        triggers = [
            pgtrigger.Protect(name="form_definition_immutable", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    AUTHORISED = "authorised", "Authorised"
    RETURNED = "returned", "Returned to the worker"


class FormResponse(models.Model):
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="responses")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="form_responses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="form_responses"
    )
    status = models.CharField(max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A correction is a new response that supersedes the one it corrects (the old one is kept as it was).
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the canonical answers when submitted")
    # What submitting wrote through the binding target: [{"type": "cases.assessment", "id": 12}, ...].
    records = models.JSONField(default=list, blank=True)
    # Why this response corrects the one it supersedes (a correction); blank for a first submission or a draft
    # reopened after a return.
    correction_reason = models.TextField(blank=True)
    # The manager's decision on a form that needs authorisation.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_comments = models.TextField(blank=True, help_text="The manager's comments, or why it was returned")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="form_response_person"),
            models.Index(fields=["author", "status"], name="form_response_author_status"),
            models.Index(fields=["status", "definition"], name="form_response_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ResponseStatus.DRAFT) | (Q(submitted_at__isnull=False) & ~Q(sha256="")),
                name="form_response_submitted_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} response {self.pk} ({self.status})"
