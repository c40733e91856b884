"""Case notes, visits and the chronology that tells a person's story."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from core.models import TimeStamped
from people.models import Person


class EntryType(models.TextChoices):
    CASE_NOTE = "case_note", "Case note"
    VISIT = "visit", "Visit"
    PHONE_CALL = "phone_call", "Phone call"
    MEETING = "meeting", "Meeting"
    CORRESPONDENCE = "correspondence", "Letter or email"
    WARNING = "warning", "Warning"
    ADDRESS = "address", "Change of address"
    RELATIONSHIP = "relationship", "Relationship"
    RECORD = "record", "Record created"
    CONTACT = "contact", "Contact"
    REFERRAL = "referral", "Referral"
    ALLOCATION = "allocation", "Allocation"
    ASSESSMENT = "assessment", "Assessment"
    STRATEGY = "strategy", "Strategy discussion"
    SECTION_47 = "section_47", "Section 47 enquiry"
    CONFERENCE = "conference", "Child protection conference"
    PLAN = "plan", "Plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    CLOSURE = "closure", "Case closed"
    DOCUMENT = "document", "Document"


class CaseNoteType(models.TextChoices):
    CASE_NOTE = "case_note", "Case note"
    PHONE_CALL = "phone_call", "Phone call"
    MEETING = "meeting", "Meeting"
    CORRESPONDENCE = "correspondence", "Letter or email"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CaseNote(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_notes")
    occurred_at = models.DateTimeField()
    note_type = models.CharField(max_length=20, choices=CaseNoteType.choices, default=CaseNoteType.CASE_NOTE)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Why the note was last corrected (recording.services.case_note_correct); each version in the row history
    # (CaseNoteEvent) keeps the reason that made it.
    correction_reason = models.CharField(max_length=300, blank=True, default="", db_default="")

    def __str__(self) -> str:
        return self.subject


class VisitType(models.TextChoices):
    HOME = "home", "Home visit"
    STATUTORY = "statutory", "Statutory visit"
    SCHOOL = "school", "Visit at school"
    PLACEMENT = "placement", "Visit at placement"
    OFFICE = "office", "Seen at the office"
    OTHER = "other", "Other visit"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Visit(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits")
    occurred_at = models.DateTimeField()
    visit_type = models.CharField(max_length=20, choices=VisitType.choices)
    child_seen = models.BooleanField()
    seen_alone = models.BooleanField(default=False)
    not_seen_reason = models.CharField(max_length=300, blank=True)
    notes = models.TextField()
    # Why the visit was last corrected (recording.services.visit_correct); each version in the row history
    # (VisitEvent) keeps the reason that made it.
    correction_reason = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(seen_alone=False) | Q(child_seen=True), name="visit_seen_alone_only_if_seen"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_type_display()} on {self.occurred_at:%d/%m/%Y}"


class ChronologyEntry(models.Model):
    """One line of a person's chronology. Written by the service that records the event, in its transaction.

    Kept as its own table (not a UNION over sources) so a page of a long history is one indexed query.
    `source_type`/`source_id` point at the record the entry summarises. `text` is the whole of what it says, line
    breaks kept; `summary` is its beginning, for the list. Entries recorded together for several people (a note about
    siblings) share `recorded_with`.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="chronology")
    occurred_at = models.DateTimeField()
    entry_type = models.CharField(max_length=20, choices=EntryType.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)
    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    recorded_by_name = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    significant = models.BooleanField(default=False)
    recorded_with = models.UUIDField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recorded_with"], name="chronology_recorded_with"),
            models.Index(fields=["person", "-occurred_at", "-id"], name="chronology_person_time"),
            models.Index(fields=["person", "entry_type", "-occurred_at"], name="chronology_person_type"),
        ]

    def __str__(self) -> str:
        return self.title
