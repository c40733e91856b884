from __future__ import annotations

from django import forms

from core.forms import GovDateField, GovForm, GovTimeField

from .models import CaseNoteType, VisitType

YES_NO = [("yes", "Yes"), ("no", "No")]


class CaseNoteForm(GovForm):
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
    body = forms.CharField(label="Note", widget=forms.Textarea, error_messages={"required": "Enter the note"})


class VisitForm(GovForm):
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
        label="What happened", widget=forms.Textarea, error_messages={"required": "Enter what happened on the visit"}
    )
