"""The choose page's form: what the bundle is for, its title and period, what goes in, and the certificate's details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from core.dates import long_date
from core.forms import GovDateField, GovForm
from forms.models import FormResponse
from recording.models import EntryType

from .models import Purpose
from .selectors import DocumentChoice

THIRD_PARTY_HINT = "Flagged: contains sensitive third-party information. Review it before the bundle is disclosed"


class BundleForm(GovForm):
    purpose = forms.ChoiceField(
        label="What is the bundle for?",
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the bundle is for"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="As it should appear on the cover, for example Care proceedings: evidence of the local authority",
        error_messages={"required": "Enter a title for the bundle"},
    )
    period_from = GovDateField(
        label="Start of the period", label_text="Start of the period", help_text="For example, 1 4 2026"
    )
    period_to = GovDateField(
        label="End of the period", label_text="End of the period", help_text="For example, 30 11 2026"
    )
    entry_types = forms.MultipleChoiceField(
        label="Chronology entries to include (optional)",
        choices=EntryType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to include every type of entry in the period",
        error_messages={"invalid_choice": "Select only types shown in the list"},
    )
    form_response_ids = forms.TypedMultipleChoiceField(
        label="Forms to include (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only forms shown in the list"},
    )
    document_ids = forms.TypedMultipleChoiceField(
        label="Documents to include (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each is included as its archival copy",
        error_messages={"invalid_choice": "Select only documents shown in the list"},
    )
    officer_role = forms.CharField(
        label="Your role", max_length=200, help_text="As the certificate should give it, for example Social worker"
    )
    officer_organisation = forms.CharField(
        label="Organisation whose records these are", max_length=200, help_text="For example, Northshire County Council"
    )

    def __init__(
        self,
        *args: Any,
        responses: Sequence[FormResponse] = (),
        documents: Sequence[DocumentChoice] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_response_ids"].choices = [  # type: ignore[attr-defined]
            (
                r.pk,
                f"{r.definition.title}, submitted {long_date(r.submitted_at.date()) if r.submitted_at else ''}".strip(),
            )
            for r in responses
        ]
        offered = [c for c in documents if c.offered]
        self.fields["document_ids"].choices = [  # type: ignore[attr-defined]
            (c.document.pk, f"{c.document.title}, {long_date(c.document.document_date)}") for c in offered
        ]
        self.choice_hints = {"document_ids": {str(c.document.pk): THIRD_PARTY_HINT for c in offered if c.third_party}}
