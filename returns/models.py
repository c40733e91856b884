"""What the returns app keeps between runs.

CscApiChildState: for DfE's children's social care API (daily data flow), the SHA-256 of the payload last sent for
each child, so the next run sends only children whose payload changed (the delta rule of
shared/reference/dfe-csc-api.md), and a purge record once when a child leaves the cohort.
"""

from __future__ import annotations

from django.db import models


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
