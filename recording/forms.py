from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from core import limits
from core.dates import age_text
from core.forms import GovDateField, GovForm, GovTimeField
from people.models import Person

from .models import CaseNoteType, VisitType

YES_NO = [("yes", "Yes"), ("no", "No")]


class AlsoForMixin(GovForm):
    """ "Also record this for": the person's siblings and the children they live with (`children`, already limited
    to those the user may record for), as checkboxes; `cleaned_data["also_for"]` is the list of those ticked."""

    also_for = forms.TypedMultipleChoiceField(
        label="Also record this for",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each child ticked gets their own copy in their chronology, linked to this one",
        error_messages={"invalid_choice": "Select only children shown in the list"},
    )

    def __init__(self, *args: Any, children: Sequence[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.children = {c.pk: c for c in children}
        self.fields["also_for"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.full_name} ({age_text(c.date_of_birth, today)})" if c.date_of_birth else c.full_name)
            for c in children
        ]

    def clean_also_for(self) -> list[Person]:
        return [self.children[pk] for pk in self.cleaned_data.get("also_for") or [] if pk in self.children]


class CaseNoteForm(AlsoForMixin):
    note_type = forms.ChoiceField(
        label="Type of note",
        choices=CaseNoteType.choices,
        initial="case_note",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of note"},
    )
    day = GovDateField(label="Date", label_text="Date", help_text="When it happened, for example 14 3 2026")
    at = GovTimeField(label="Time (optional)", required=False, help_text="For example, 14:30")
    subject = forms.CharField(label="Subject", max_length=200, error_messages={"required": "Enter a subject"})
    body = forms.CharField(
        label="Note", max_length=limits.NOTE, widget=forms.Textarea, error_messages={"required": "Enter the note"}
    )


class VisitForm(AlsoForMixin):
    visit_type = forms.ChoiceField(
        label="Type of visit",
        choices=VisitType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of visit"},
    )
    day = GovDateField(label="Date of the visit", label_text="Date of the visit")
    at = GovTimeField(label="Time (optional)", required=False, help_text="For example, 14:30")
    child_seen = forms.ChoiceField(
        label="Was the child seen?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child was seen"},
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?", choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    not_seen_reason = forms.CharField(label="If not seen, why not?", required=False, max_length=300)
    notes = forms.CharField(
        label="What happened",
        max_length=limits.NOTE,
        widget=forms.Textarea,
        error_messages={"required": "Enter what happened on the visit"},
    )


class CaseNoteCorrectionForm(GovForm):
    """Correcting a case note: the note as it should read, and why."""

    note_type = CaseNoteForm.base_fields["note_type"]
    day = CaseNoteForm.base_fields["day"]
    at = CaseNoteForm.base_fields["at"]
    subject = CaseNoteForm.base_fields["subject"]
    body = CaseNoteForm.base_fields["body"]
    reason = forms.CharField(
        label="Why are you correcting it?",
        max_length=300,
        help_text="For example, the wrong date, or a name spelt wrongly. The earlier version is kept.",
        error_messages={"required": "Enter why the note is being corrected"},
    )


class VisitCorrectionForm(GovForm):
    """Correcting a visit: the visit as it should read, and why."""

    visit_type = VisitForm.base_fields["visit_type"]
    day = VisitForm.base_fields["day"]
    at = VisitForm.base_fields["at"]
    child_seen = VisitForm.base_fields["child_seen"]
    seen_alone = VisitForm.base_fields["seen_alone"]
    not_seen_reason = VisitForm.base_fields["not_seen_reason"]
    notes = VisitForm.base_fields["notes"]
    reason = forms.CharField(
        label="Why are you correcting it?",
        max_length=300,
        help_text="For example, the wrong date, or the child was seen alone. The earlier version is kept.",
        error_messages={"required": "Enter why the visit is being corrected"},
    )
