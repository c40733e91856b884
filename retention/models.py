"""Retention rules (as data), each person's computed retention, legal holds, disposal reviews and certificates.

Nothing here is deleted: a hold is released (not removed), a review is decided, a disposal leaves its certificate.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from .rules import RetentionClass, Trigger

CLASS_CHOICES = [
    (RetentionClass.ADOPTION.value, "Adoption"),
    (RetentionClass.LOOKED_AFTER.value, "Looked-after child"),
    (RetentionClass.CARE_LEAVER.value, "Care leaver"),
    (RetentionClass.CHILD_PROTECTION.value, "Child protection"),
    (RetentionClass.CHILD_IN_NEED.value, "Child in need"),
    (RetentionClass.ADULT.value, "Adult"),
    (RetentionClass.OTHER.value, "Other (contacts, relatives, no case)"),
]
TRIGGER_CHOICES = [
    (Trigger.BIRTH.value, "Date of birth"),
    (Trigger.ADOPTION_ORDER.value, "Date of the adoption order"),
    (Trigger.CASE_CLOSED.value, "Date the case closed"),
    (Trigger.LAST_ACTIVITY.value, "Last date anything was recorded"),
]


class RetentionRule(models.Model):
    """One class of record's rule: keep for `years` from `trigger` (or `after_death_years` from a death before 18).
    Shipped by migration 0002 with the defaults and their sources; administrators change them on a page."""

    retention_class = models.CharField(max_length=30, choices=CLASS_CHOICES, unique=True)
    trigger = models.CharField(max_length=30, choices=TRIGGER_CHOICES)
    years = models.PositiveSmallIntegerField()
    after_death_years = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=500)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.get_retention_class_display()


class PersonRetention(models.Model):
    """A person's record's class and disposal review date, worked out from the record (retention.services.
    retention_recalculate) whenever a fact it depends on changes. Disposed records keep their row."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="retention")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    retention_class = models.CharField(max_length=30, choices=CLASS_CHOICES)
    trigger_date = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    why = models.CharField(max_length=300)
    calculated_at = models.DateTimeField()
    disposed_at = models.DateTimeField(null=True, blank=True)
    # A reviewer's "keep for a further period" puts the review off until this day.
    kept_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["review_on"], name="retention_due", condition=Q(disposed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Retention of person {self.person_id}"

    @property
    def due_on(self) -> date | None:
        """The review date, put off by a decision to keep the record longer."""
        if self.review_on is None:
            return None
        if self.kept_until and self.kept_until > self.review_on:
            return self.kept_until
        return self.review_on


class HoldKind(models.TextChoices):
    LITIGATION = "litigation", "Litigation"
    INQUIRY = "inquiry", "Inquiry"
    SUBJECT_ACCESS = "subject_access", "Subject access request in progress"
    OTHER = "other", "Other"


class LegalHold(models.Model):
    """A hold on a record's disposal: placed with a reason, released with a reason, never removed."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="legal_holds")
    kind = models.CharField(max_length=20, choices=HoldKind.choices)
    reason = models.TextField()
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["person"], name="legal_hold_active", condition=Q(released_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hold on person {self.person_id}"

    @property
    def active(self) -> bool:
        return self.released_at is None


class ReviewOutcome(models.TextChoices):
    DISPOSE = "dispose", "Dispose of the record"
    KEEP = "keep", "Keep for a further period"


class ReviewStatus(models.TextChoices):
    AWAITING_SECOND = "awaiting_second", "Waiting for a second approval"
    APPROVED = "approved", "Approved"
    KEPT = "kept", "Kept"
    CARRIED_OUT = "carried_out", "Disposed of"
    CANCELLED = "cancelled", "Cancelled by a legal hold"


class DisposalReview(models.Model):
    """A person's decision on a record due for review. A disposal of a record over the threshold
    (retention.services.needs_second_approval) waits for a second, different person's approval."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disposal_reviews")
    retention_class = models.CharField(max_length=30, choices=CLASS_CHOICES)
    review_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    reason = models.TextField(blank=True)
    keep_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    second_at = models.DateTimeField(null=True, blank=True)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    needs_second = models.BooleanField(default=False)
    why_second = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(second_by__isnull=True) | ~Q(second_by=models.F("decided_by")),
                name="disposal_second_is_another_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Disposal review of person {self.person_id}"


class DisposalCertificate(models.Model):
    """What is left of a disposed record: what it was, the rule, who approved and when, every file's SHA-256."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="disposal_certificate")
    review = models.OneToOneField(DisposalReview, on_delete=models.PROTECT, related_name="certificate")
    record_number = models.CharField(max_length=40)
    retention_class = models.CharField(max_length=30, choices=CLASS_CHOICES)
    rule_text = models.CharField(max_length=800)  # the rule as it stood: trigger, years, source
    trigger_date = models.DateField(null=True, blank=True)
    review_on = models.DateField()
    approved_by = models.CharField(max_length=300)  # names as they were, so a later change cannot alter it
    approved_at = models.DateTimeField()
    disposed_at = models.DateTimeField()
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # [{"document": id, "version": n, "sha256": ..., "size": ..., "kind": "original"|rendition kind}]
    files = models.JSONField(default=list)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Disposal certificate for record {self.record_number}"
