"""Documents on a person's record, kept as evidence (issue 14; docs/evidence/).

A `Document` is what a worker sees: a letter, a report, a photograph, a court order... about a person (and, at once,
several family members it concerns), with a type, a title, a date and a sensitivity. Its content is a series of
`DocumentVersion`s that never replace each other: each keeps the original bytes as they arrived (in the documents
storage, named by their SHA-256, never overwritten), their SHA-256, size and the format read from the content. The
database refuses any change to what a version says about its bytes, and any deletion (migration 0002).

Each version may have `Rendition`s, made in the background (documents.tasks): a PDF/A-2b archival copy (with the OCR
text kept on the version for search), a thumbnail and page images for viewing in the browser.

A restricted document opens only to those with a `DocumentGrant` (accounts.access.may_see_document). A `FixityCheck`
records each re-hashing of the stored files; `FixityFinding` each file that was missing or altered.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from core.models import TimeStamped


class DocumentType(models.TextChoices):
    LETTER = "letter", "Letter"
    REPORT = "report", "Report"
    PHOTOGRAPH = "photograph", "Photograph"
    COURT_ORDER = "court_order", "Court order"
    MEDICAL_LETTER = "medical_letter", "Medical letter or report"
    EMAIL = "email", "Email"
    ASSESSMENT = "assessment", "Assessment or plan from another agency"
    POLICE = "police", "Police information"
    SCHOOL = "school", "School report or information"
    IDENTITY = "identity", "Identity document or certificate"
    CONSENT = "consent", "Signed consent or agreement"
    OTHER = "other", "Other document"


class Sensitivity(models.TextChoices):
    ORDINARY = "ordinary", "Ordinary"
    THIRD_PARTY = "third_party", "Contains sensitive third-party information"
    RESTRICTED = "restricted", "Restricted"


class CaptureSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded by a worker"
    BUREAU = "bureau", "Scanned by a scanning bureau"


class RenditionStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    NOT_POSSIBLE = "not_possible", "Not possible for this kind of file"
    FAILED = "failed", "Failed"


class Document(TimeStamped):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="documents")
    # Several family members at once; the record it is attached to is `person`.
    concerns = models.ManyToManyField("people.Person", related_name="documents_concerning", blank=True)
    document_type = models.CharField(max_length=20, choices=DocumentType.choices)
    title = models.CharField(max_length=200)
    document_date = models.DateField()
    sensitivity = models.CharField(max_length=20, choices=Sensitivity.choices, default=Sensitivity.ORDINARY)
    # Optionally what else on the record it belongs to.
    cin_episode = models.ForeignKey(
        "cases.CINEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    form_response = models.ForeignKey(
        "forms.FormResponse", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    chronology_entry = models.ForeignKey(
        "recording.ChronologyEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # Why the metadata was last changed (documents.services.document_metadata_change; each change is audited).
    change_reason = models.CharField(max_length=300, blank=True, default="")
    # Bureau imports: the manifest's row key, so a re-run adds nothing.
    import_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["person", "-document_date", "-id"], name="document_person_date")]
        constraints = [
            models.UniqueConstraint(fields=["import_key"], condition=~Q(import_key=""), name="document_import_once")
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    """One version of a document's content: the original bytes, as they arrived, byte for byte."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255)
    # The name in the documents storage (documents.storage): originals/<2 hex>/<sha256>.
    storage_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=120)
    format_description = models.CharField(max_length=300, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why this version was added (empty for the first).
    reason = models.CharField(max_length=300, blank=True)
    # Capture (BS 10008 authenticity): the source, the device and any scanner metadata (operator, resolution, colour,
    # quality check, whether the paper original was kept, the bureau's hash), and the virus scanner's verdict.
    source = models.CharField(max_length=20, choices=CaptureSource.choices, default=CaptureSource.UPLOAD)
    device = models.CharField(max_length=200, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    capture = models.JSONField(default=dict, blank=True)
    scanned_by = models.CharField(max_length=100, blank=True)
    # Renditions (documents.tasks): the status, what went wrong, the OCR or extracted text, the page count.
    rendition_status = models.CharField(max_length=20, choices=RenditionStatus.choices, default=RenditionStatus.WAITING)
    rendition_message = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    text_search = SearchVectorField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    # The last fixity check that re-hashed this version's files (its findings, if any, are FixityFinding rows).
    fixity_checked_at = models.DateTimeField(null=True, blank=True)
    fixity_check = models.ForeignKey("FixityCheck", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["document_id", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_number")]
        indexes = [
            models.Index(fields=["sha256"], name="document_version_sha256"),
            GinIndex(fields=["text_search"], name="document_version_text"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (version {self.number})"


class RenditionKind(models.TextChoices):
    ARCHIVAL = "archival", "Archival copy (PDF/A-2b)"
    THUMBNAIL = "thumbnail", "Thumbnail"
    PAGE = "page", "Page image"
    # A redacted copy for disclosure (documents.redaction): the PDF/A-2b and its page images, tied to its Redaction.
    REDACTED = "redacted", "Redacted copy for disclosure (PDF/A-2b)"
    REDACTED_PAGE = "redacted_page", "Page image of the redacted copy"


class Rendition(models.Model):
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="renditions")
    kind = models.CharField(max_length=20, choices=RenditionKind.choices)
    page = models.PositiveIntegerField(default=0)  # 1... for page images, 0 otherwise
    storage_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=120)
    # How it was made ("ocrmypdf 17.13.0, OCR in English, PDF/A by pikepdf"), for the evidence page.
    method = models.CharField(max_length=300, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)
    # The redaction whose redacted copy this is (kinds REDACTED and REDACTED_PAGE); None for the version's own.
    redaction = models.ForeignKey(
        "Redaction", null=True, blank=True, on_delete=models.PROTECT, related_name="renditions"
    )

    class Meta:
        ordering = ["version_id", "kind", "page"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "page"], condition=Q(redaction__isnull=True), name="rendition_once"
            ),
            models.UniqueConstraint(
                fields=["redaction", "kind", "page"],
                condition=Q(redaction__isnull=False),
                name="rendition_once_per_redaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.version}"


class DocumentGrant(models.Model):
    """Who may open a restricted document (accounts.access.may_see_document). Ended, never deleted."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "user"], condition=Q(ended_at__isnull=True), name="document_grant_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Grant of document {self.document_id} to user {self.user_id}"


class FixityCheck(models.Model):
    """One re-hashing of stored originals and renditions (`casework documents fixity`, the scheduled task)."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sample = models.PositiveIntegerField(null=True, blank=True)  # None: every file
    files_checked = models.PositiveIntegerField(default=0)
    bytes_checked = models.BigIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    altered = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Fixity check {self.pk}"

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.altered == 0


class FixityOutcome(models.TextChoices):
    MISSING = "missing", "Missing"
    ALTERED = "altered", "Altered"


class FixityFinding(models.Model):
    check_run = models.ForeignKey(FixityCheck, on_delete=models.PROTECT, related_name="findings")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="fixity_findings")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    rendition = models.ForeignKey(Rendition, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=FixityOutcome.choices)
    storage_name = models.CharField(max_length=255)
    expected_sha256 = models.CharField(max_length=64)
    found_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.storage_name}"


class ReviewResolution(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected"


class ImportReview(models.Model):
    """A row of a scanning bureau's manifest that matched no one, or several people (documents.importer): kept for a
    person to match by hand, never guessed."""

    manifest = models.CharField(max_length=255)
    row = models.PositiveIntegerField()
    file = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    reason = models.CharField(max_length=500)
    row_data = models.JSONField(default=dict)
    found_at = models.DateTimeField(auto_now_add=True)
    # The manifest's folder when it was read, where the row's file is found again when it is settled.
    folder = models.CharField(max_length=1000, blank=True, default="")
    # Settled on the review page (documents.review_views): imported for the person chosen, or rejected with a reason.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=20, choices=ReviewResolution.choices, blank=True, default="")
    resolution_reason = models.CharField(max_length=500, blank=True, default="")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manifest", "row", "sha256"], name="import_review_once"),
        ]
        indexes = [models.Index(fields=["resolved_at", "id"], name="import_review_open")]

    def __str__(self) -> str:
        return f"{self.manifest} row {self.row}: {self.reason}"


class RedactionStatus(models.TextChoices):
    DRAFT = "draft", "Being marked"
    APPLYING = "applying", "Redacted copy being made"
    DONE = "done", "Redacted copy made"
    FAILED = "failed", "Redacted copy could not be made"


class Redaction(models.Model):
    """Areas of a version's pages to black out before it is disclosed (documents.redaction). Marked while a draft;
    once applied its areas never change: a later redaction supersedes it (`supersedes`), copying its areas. The
    redacted copy is a Rendition (kind REDACTED) tied to it; the original and the archival copy are untouched."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="redactions")
    status = models.CharField(max_length=20, choices=RedactionStatus.choices, default=RedactionStatus.DRAFT)
    message = models.CharField(max_length=500, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version_id", "-id"]

    def __str__(self) -> str:
        return f"Redaction {self.pk} of {self.version}"


class RedactionReason(models.TextChoices):
    THIRD_PARTY = "third_party", "Third-party information"
    OTHER = "other", "Other reason"


class RedactionArea(models.Model):
    """One rectangle to black out: its page (1...) and its place as fractions of the page's width and height from the
    top left corner, with why. An area taken off a draft is marked removed, never deleted."""

    redaction = models.ForeignKey(Redaction, on_delete=models.PROTECT, related_name="areas")
    page = models.PositiveIntegerField()
    x = models.FloatField()
    y = models.FloatField()
    width = models.FloatField()
    height = models.FloatField()
    reason = models.CharField(max_length=20, choices=RedactionReason.choices)
    reason_other = models.CharField(max_length=300, blank=True)
    # How it was marked: "drawn", "entered", or "found" (with the words found, kept in `found_text`).
    method = models.CharField(max_length=20, default="entered")
    found_text = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["page", "y", "x", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(x__gte=0, y__gte=0, width__gt=0, height__gt=0, page__gte=1),
                name="redaction_area_on_page",
            )
        ]

    def __str__(self) -> str:
        return f"Area on page {self.page} of redaction {self.redaction_id}"

    @property
    def why(self) -> str:
        return self.reason_other if self.reason == RedactionReason.OTHER else self.get_reason_display()
