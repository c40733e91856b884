"""What the returns app keeps between runs.

CscApiChildState: for DfE's children's social care API (daily data flow), the SHA-256 of the payload last sent for
each child, so the next run sends only children whose payload changed (the delta rule of
shared/reference/dfe-csc-api.md), and a purge record once when a child leaves the cohort.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CscApiChildState(models.Model):
    """The last payload DfE's children's social care API accepted for one child."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="+")
    la_child_id = models.CharField(max_length=36)
    payload_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON last sent")
    sent_at = models.DateTimeField()
    purged = models.BooleanField(default=False, help_text="The last record sent was a purge (child left the cohort)")

    class Meta:
        verbose_name = "child's state in the DfE CSC API"

    def __str__(self) -> str:
        return f"{self.la_child_id} {self.payload_sha256[:12]}{' (purged)' if self.purged else ''}"


class ReturnKind(models.TextChoices):
    CIN_CENSUS = "cin", "CIN census"
    SSDA903 = "ssda903", "SSDA903 (children looked after)"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ValidationOutcome(models.TextChoices):
    NOT_YET = "", "Not checked yet"
    CHECKED = "checked", "Checked with DfE's rules"
    NOT_INSTALLED = "not_installed", "Not checked: the DfE validators are not installed"
    FAILED = "failed", "The check could not be completed"


class ReturnRun(models.Model):
    """One request to make a statutory return for a collection year: made in the background by a task
    (returns/tasks.py), which records its progress here as it goes, then the files and the validation result.

    Rows are written only by returns/services.py. Nothing is deleted: a later run for the same return and year
    supersedes an earlier one on the data quality page."""

    kind = models.CharField(max_length=10, choices=ReturnKind.choices)
    year = models.PositiveSmallIntegerField(help_text="The year the collection ends: 2026 for 2025-26")
    with_previous = models.BooleanField(
        default=False, help_text="SSDA903: last year's tables too, so the validator can compare the years"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last change of status or progress")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0, help_text="Overall progress, 0 to 100")
    progress_done = models.PositiveIntegerField(default=0, help_text="Done so far in the current stage")
    progress_total = models.PositiveIntegerField(default=0, help_text="To do in the current stage (0: not counted)")
    stage = models.CharField(max_length=200, blank=True, help_text="What the run is doing now, in words")
    error_message = models.TextField(blank=True, help_text="Why the run failed, in words a user can act on")
    validation = models.CharField(max_length=15, choices=ValidationOutcome.choices, blank=True, default="")
    validation_message = models.TextField(blank=True)
    validator = models.CharField(max_length=120, blank=True, help_text="Validator, version and rule set used")
    rules_checked = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    query_count = models.PositiveIntegerField(default=0)
    children_with_errors = models.PositiveIntegerField(default=0)
    rules_not_run = models.JSONField(default=dict, blank=True, help_text="Rules that crashed on the data: why")
    children = models.PositiveIntegerField(null=True, blank=True, help_text="Children in the return")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["year", "kind", "-finished_at"], name="return_run_latest")]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="return_run_percent_max_100"),
            # One run of a return for a year at a time: a second click does not start it twice.
            models.UniqueConstraint(
                fields=["kind", "year"],
                condition=models.Q(status__in=["queued", "running"]),
                name="return_run_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year_label} ({self.get_status_display().lower()})"

    @property
    def year_label(self) -> str:
        return f"{self.year - 1}-{self.year % 100:02d}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class ReturnFile(models.Model):
    """A file a run wrote under $CASEWORK_DATA_DIR/returns/<run id>/, hashed when written."""

    run = models.ForeignKey(ReturnRun, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=200, help_text="Path relative to the run's folder")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    previous_year = models.BooleanField(default=False)
    is_bundle = models.BooleanField(default=False, help_text="A ZIP of all the run's tables")

    class Meta:
        ordering = ["run", "-is_bundle", "previous_year", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="return_file_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def download_name(self) -> str:
        """The file name a browser saves: the tables of last year say so."""
        base = self.name.rsplit("/", 1)[-1]
        return f"previous-year-{base}" if self.previous_year else base


class DataQualityIssue(models.Model):
    """One failure of a DfE rule found by a run's validation, with the child (when the validator names one) and
    where in the record to put it right. The data quality page lists those of the latest checked run."""

    run = models.ForeignKey(ReturnRun, on_delete=models.PROTECT, related_name="issues")
    rule = models.CharField(max_length=20)
    message = models.TextField()
    severity = models.CharField(
        max_length=10,
        help_text="error, query, or explained: an error the record shows to be a false positive of the local tool",
    )
    child_id = models.CharField(max_length=36, blank=True, help_text="LAchildID or CHILD as the validator gave it")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    table = models.CharField(max_length=40, blank=True, help_text="The return's table or module")
    fields = models.JSONField(default=list, blank=True, help_text="The return's fields, as the validator named them")
    record = models.CharField(max_length=120, blank=True, help_text="The part of the record to fix, in words")
    field_label = models.CharField(max_length=120, blank=True, help_text="The field to fix, in words")
    fix_url = models.CharField(max_length=300, blank=True, help_text="The page where the field is put right")
    evidence = models.TextField(
        blank=True, help_text="For an explained issue: what in the record shows it is not an error (false_positives.py)"
    )

    class Meta:
        ordering = ["run", "rule", "id"]
        indexes = [models.Index(fields=["run", "rule"], name="dq_issue_run_rule")]

    def __str__(self) -> str:
        return f"{self.rule} {self.child_id or 'return'}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"
