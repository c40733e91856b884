"""Retention's page forms: a rule, a legal hold placed or released, a disposal decision."""

from __future__ import annotations

from django import forms

from core import limits
from core.forms import GovDateField, GovForm

from .models import TRIGGER_CHOICES, HoldKind, ReviewOutcome


class RuleForm(GovForm):
    trigger = forms.ChoiceField(
        label="The period counts from",
        choices=TRIGGER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the period counts from"},
    )
    years = forms.IntegerField(
        label="Years to keep the record",
        min_value=1,
        max_value=200,
        error_messages={
            "required": "Enter the number of years",
            "invalid": "Years must be a whole number, like 75",
            "min_value": "Years must be between 1 and 200",
            "max_value": "Years must be between 1 and 200",
        },
    )
    after_death_years = forms.IntegerField(
        label="If the person died before 18, years from the date of death (optional)",
        required=False,
        min_value=1,
        max_value=200,
        error_messages={
            "invalid": "Years after death must be a whole number, like 15",
            "min_value": "Years after death must be between 1 and 200",
            "max_value": "Years after death must be between 1 and 200",
        },
    )
    source = forms.CharField(
        label="Where the rule comes from",
        help_text="The regulation, or the part of the authority's retention schedule",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter where the rule comes from"},
    )


class HoldForm(GovForm):
    kind = forms.ChoiceField(
        label="Why must the record be kept?",
        choices=HoldKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of hold"},
    )
    reason = forms.CharField(
        label="Details",
        help_text="The claim, inquiry or request, and who asked for the hold",
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the record must be kept"},
    )


class ReleaseForm(GovForm):
    reason = forms.CharField(
        label="Why can the hold be released?",
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the hold can be released"},
    )


class DecisionForm(GovForm):
    outcome = forms.ChoiceField(
        label="What should happen to this record?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to dispose of the record or keep it"},
    )
    keep_until = GovDateField(
        label="If kept, keep it until",
        label_text="Date to keep the record until",
        help_text="For example 1 12 2030",
        required=False,
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed to keep the record longer",
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ApproveForm(GovForm):
    pass
