from __future__ import annotations

from django import forms

from accounts.models import Team
from core import codes
from core.forms import GovDateField, GovTimeField

from .models import ContactDecision


def _codes(list_name: str, blank: str | None = None) -> list[tuple[str, str]]:
    options = [(c, f"{label}") for c, label in codes.choices(list_name)]
    return [("", blank), *options] if blank else options


class ContactForm(forms.Form):
    day = GovDateField(label="Date received", label_text="Date received")
    at = GovTimeField(label="Time received", required=False, help_text="For example, 09:30")
    source = forms.ChoiceField(
        label="Who is the contact from?",
        choices=lambda: _codes("referral_source", "Select a source"),
        error_messages={"required": "Select who the contact came from"},
    )
    referrer_name = forms.CharField(
        label="Name of the person making contact (optional)", required=False, max_length=150
    )
    referrer_organisation = forms.CharField(label="Their organisation (optional)", required=False, max_length=150)
    concern = forms.CharField(
        label="What is the concern?", widget=forms.Textarea, error_messages={"required": "Enter what the concern is"}
    )


class ContactDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=ContactDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    decision_reason = forms.CharField(
        label="Reason", widget=forms.Textarea, error_messages={"required": "Enter the reason for the decision"}
    )
    team = forms.ModelChoiceField(
        label="Team (for a referral)", queryset=Team.objects.all(), required=False, empty_label="Select a team"
    )
    primary_need = forms.ChoiceField(
        label="Primary need (for a referral)",
        choices=lambda: _codes("primary_need", "Select the primary need"),
        required=False,
    )
