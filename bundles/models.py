"""Court and conference bundles (issue 14): one PDF/A-2b file made from a person's record for a period: an index, the
chronology, chosen form responses and documents as numbered exhibits, paginated continuously, with a manifest of
every exhibit's SHA-256 and a certificate (Civil Evidence Act 1995 section 9) signed by the officer producing it.

A `Bundle` is kept once made, never overwritten (a new one is a new bundle); its file is stored in the documents
storage under `bundles/<id>/`, named by its own SHA-256. `Exhibit` rows are its manifest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Purpose(models.TextChoices):
    COURT = "court", "Court proceedings"
    CONFERENCE = "conference", "Child protection conference"
    OTHER = "other", "Other"


class BundleStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Could not be made"


class ExhibitKind(models.TextChoices):
    CHRONOLOGY = "chronology", "Chronology"
    FORM = "form", "Form"
    DOCUMENT = "document", "Document"


class Bundle(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="bundles")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    title = models.CharField(max_length=200)
    period_from = models.DateField()
    period_to = models.DateField()
    # What was asked for: the chronology's entry types (empty: every type), form responses and documents by id.
    entry_types = models.JSONField(default=list, blank=True)
    form_response_ids = models.JSONField(default=list, blank=True)
    document_ids = models.JSONField(default=list, blank=True)
    # The officer producing it, for the certificate: the signed-in user (who passed the second factor), in words.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer_name = models.CharField(max_length=200)
    officer_role = models.CharField(max_length=200)
    officer_organisation = models.CharField(max_length=200)
    signed_on = models.DateField()
    second_factor = models.BooleanField(default=False)  # the officer's session had passed the second factor
    requested_at = models.DateTimeField(auto_now_add=True)
    # Progress (bundles.tasks), each update in its own short transaction.
    status = models.CharField(max_length=20, choices=BundleStatus.choices, default=BundleStatus.WAITING)
    stage = models.CharField(max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error_message = models.CharField(max_length=1000, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The file, once made.
    storage_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    front_pages = models.PositiveIntegerField(null=True, blank=True)
    flagged = models.PositiveIntegerField(default=0)  # exhibits holding sensitive third-party information

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["person", "-requested_at"], name="bundle_person_time")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (BundleStatus.DONE, BundleStatus.FAILED)

    @property
    def file_name(self) -> str:
        return f"bundle-{self.pk}-person-{self.person_id}.pdf"


class Exhibit(models.Model):
    """One exhibit of a bundle and its line of the manifest."""

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="exhibits")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=10)  # "A1", "B2", "C3"
    kind = models.CharField(max_length=20, choices=ExhibitKind.choices)
    title = models.CharField(max_length=300)
    dated = models.DateField(null=True, blank=True)
    form_response = models.ForeignKey(
        "forms.FormResponse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_version = models.ForeignKey(
        "documents.DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rendition = models.ForeignKey(
        "documents.Rendition", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sensitivity = models.CharField(max_length=20, blank=True)  # a document's, when it was put in
    third_party = models.BooleanField(default=False)  # flagged for review before disclosure
    restricted = models.BooleanField(default=False)
    # Hashes: of the file the exhibit was made from (the disclosure copy, the form's print, the chronology's print),
    # of what it records (a document version's original bytes; a form response's canonical answers), and of its pages
    # as they are in the bundle (bundles.assembly.pages_digest).
    source_sha256 = models.CharField(max_length=64)
    record_sha256 = models.CharField(max_length=64, blank=True)
    pages_sha256 = models.CharField(max_length=64, blank=True)
    first_page = models.PositiveIntegerField(null=True, blank=True)
    last_page = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["bundle_id", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle", "number"], name="exhibit_number_once")]

    def __str__(self) -> str:
        return f"Exhibit {self.number}: {self.title}"
