"""The documents' page forms: upload (one or many files), a new version, details, a grant, and search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from core import limits
from core.dates import age_text
from core.forms import GovDateField, GovForm
from people.models import Person

from .models import DocumentType, Sensitivity

SENSITIVITY_HINTS = {
    Sensitivity.ORDINARY: "Anyone who can see the record can open it",
    Sensitivity.THIRD_PARTY: "It says things about other people (a relative, a neighbour, a referrer). It is flagged "
    "so it is checked before it is shared or disclosed",
    Sensitivity.RESTRICTED: "Only you, and people you or a manager give access to, can open it. Others see only that "
    "a restricted document exists",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; `cleaned_data` is a list of UploadedFile."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _concern_choices(people: Sequence[Person]) -> list[tuple[int, str]]:
    from django.utils import timezone

    today = timezone.localdate()
    return [
        (p.pk, f"{p.full_name} ({age_text(p.date_of_birth, today)})" if p.date_of_birth else p.full_name)
        for p in people
    ]


class DetailsForm(GovForm):
    """Type, title, date, who it concerns, sensitivity: shared by uploading and changing details."""

    document_type = forms.ChoiceField(
        label="Type of document",
        choices=[("", "Choose a type"), *DocumentType.choices],
        error_messages={"required": "Select the type of document"},
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="For example, Paediatric report from Dr Patel. With several files, each file's name is added",
    )
    document_date = GovDateField(
        label="Date of the document",
        label_text="Date of the document",
        help_text="The date it was written, sent or taken, for example 27 11 2026",
    )
    concerns = forms.TypedMultipleChoiceField(
        label="Who else is it about? (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="It is listed on their records too, for those who can see this one",
        error_messages={"invalid_choice": "Select only people shown in the list"},
    )
    sensitivity = forms.ChoiceField(
        label="How sensitive is it?",
        choices=Sensitivity.choices,
        initial=Sensitivity.ORDINARY,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how sensitive the document is"},
    )

    def __init__(self, *args: Any, relatives: Sequence[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.relatives = {p.pk: p for p in relatives}
        self.fields["concerns"].choices = _concern_choices(relatives)  # type: ignore[attr-defined]
        self.choice_hints = {"sensitivity": SENSITIVITY_HINTS}

    def clean_concerns(self) -> list[Person]:
        return [self.relatives[pk] for pk in self.cleaned_data.get("concerns") or [] if pk in self.relatives]


class UploadForm(DetailsForm):
    upload = MultipleFileField(
        label="Files",
        help_text=f"Up to {limits.DOCUMENT_FILES} files, each up to {limits.DOCUMENT_BYTES // (1024 * 1024)} MB: PDF, "
        "pictures (JPEG, PNG, TIFF), emails, text and Office documents",
        error_messages={
            "required": "Select a file to upload",
            "missing": "Select a file to upload",
            "invalid": "Select a file to upload",
            "empty": "The file you selected is empty",
            "contradiction": "Select a file to upload",
            "max_length": "The file's name is too long: rename it and select it again",
        },
    )
    field_order = ["upload", "document_type", "title", "document_date", "concerns", "sensitivity"]

    def clean_upload(self) -> list[Any]:
        files = self.cleaned_data.get("upload") or []
        if len(files) > limits.DOCUMENT_FILES:
            raise forms.ValidationError(f"Select {limits.DOCUMENT_FILES} files or fewer at a time")
        return files


class ChangeForm(DetailsForm):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    reason = forms.CharField(
        label="Why are you changing the details?",
        max_length=300,
        error_messages={"required": "Enter why the details are changing"},
    )


class VersionForm(GovForm):
    upload = forms.FileField(
        label="The new version",
        help_text=f"Up to {limits.DOCUMENT_BYTES // (1024 * 1024)} MB. Earlier versions are kept",
        error_messages={
            "required": "Select the file of the new version",
            "missing": "Select the file of the new version",
            "invalid": "Select the file of the new version",
            "empty": "The file you selected is empty",
            "contradiction": "Select the file of the new version",
            "max_length": "The file's name is too long: rename it and select it again",
        },
    )
    reason = forms.CharField(
        label="Why is there a new version?",
        max_length=300,
        help_text="For example, the signed copy, or the corrected report",
        error_messages={"required": "Enter why there is a new version"},
    )


class GrantForm(GovForm):
    user = forms.TypedChoiceField(
        label="Who needs to open it?", coerce=int, error_messages={"required": "Select who needs to open it"}
    )
    reason = forms.CharField(
        label="Why do they need to?",
        max_length=300,
        error_messages={"required": "Enter why they need to open it"},
    )

    def __init__(self, *args: Any, users: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        self.fields["user"].choices = [("", "Choose a person"), *[(u.pk, u.display_name) for u in users]]  # type: ignore[attr-defined]


class SearchForm(GovForm):
    q = forms.CharField(label="Words in the title or the text", max_length=limits.LINE, required=False)
    document_type = forms.ChoiceField(label="Type", choices=[("", "Any type"), *DocumentType.choices], required=False)
    date_from = GovDateField(label="From (optional)", label_text="From date", required=False)
    date_to = GovDateField(label="To (optional)", label_text="To date", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return data


class ReviewSearchForm(GovForm):
    q = forms.CharField(
        label="Search for the right person",
        help_text="A name, NHS number, UPN, record number or postcode",
        max_length=limits.LINE,
        error_messages={"required": "Enter a name, NHS number, UPN, record number or postcode to search for"},
    )


class ReviewChooseForm(GovForm):
    """Choose who a review-list row is about, among the people its identifiers point to and those a search found."""

    person = forms.TypedChoiceField(
        label="Who is this document about?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person this document is about",
            "invalid_choice": "Select the person this document is about",
        },
    )
    q = forms.CharField(widget=forms.HiddenInput, required=False, max_length=limits.LINE)

    def __init__(self, *args: Any, people: Sequence[tuple[int, str, str]] = (), **kwargs: Any) -> None:
        """`people`: (id, label, hint) for each person who may be chosen."""
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(pk, label) for pk, label, _ in people]  # type: ignore[attr-defined]
        self.choice_hints = {"person": {str(pk): hint for pk, _, hint in people if hint}}


class ReviewRejectForm(GovForm):
    reason = forms.CharField(
        label="Why is this row rejected?",
        help_text="For example: the file is about someone the authority has never worked with, or it was scanned "
        "twice. The bureau's row stays in the report.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why this row is rejected"},
    )


# --- Redaction (documents.redaction_services) -----------------------------------------------------------------------

REDACTION_REASON_HINTS = {
    "third_party": "About someone other than the person asking, who has not agreed to it being shared",
    "other": "For example, information that would put someone at risk of harm",
}


class RedactionReasonForm(GovForm):
    reason = forms.ChoiceField(
        label="Why is it being redacted?",
        choices=[("third_party", "Third-party information"), ("other", "Another reason")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why it is being redacted"},
    )
    reason_other = forms.CharField(
        label="If another reason, what is it?",
        max_length=300,
        required=False,
        error_messages={"max_length": "The reason must be 300 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_hints = {"reason": REDACTION_REASON_HINTS}


class RedactionFindForm(RedactionReasonForm):
    """Find some words in the document's text and redact every place they appear."""

    words = forms.CharField(
        label="Words to find",
        max_length=200,
        help_text="For example, a name. Every place they appear is marked, whatever the capitals",
        error_messages={"required": "Enter the words to find"},
    )
    field_order = ["words", "reason", "reason_other"]


def _percent(label: str, hint: str, required: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=hint,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": required,
            "invalid": f"{label} must be a number, like 12.5",
            "max_digits": f"{label} must be a number from 0 to 100",
            "max_decimal_places": f"{label} can have at most 2 decimal places",
            "max_whole_digits": f"{label} must be a number from 0 to 100",
        },
    )


class RedactionAreaForm(RedactionReasonForm):
    """One area, as a page and percentages of the page (drawing on the page fills these in)."""

    page = forms.IntegerField(
        label="Page",
        error_messages={"required": "Enter the page number", "invalid": "Page must be a whole number, like 2"},
    )
    x = _percent(
        "From the left (%)",
        "How far across the page the area starts: 0 is the left edge",
        "Enter how far from the left of the page the area starts, as a percentage",
    )
    y = _percent(
        "From the top (%)",
        "How far down the page the area starts: 0 is the top edge",
        "Enter how far from the top of the page the area starts, as a percentage",
    )
    width = _percent(
        "Width (%)",
        "As a percentage of the page's width",
        "Enter the area's width, as a percentage of the page's width",
    )
    height = _percent(
        "Height (%)",
        "As a percentage of the page's height",
        "Enter the area's height, as a percentage of the page's height",
    )
    method = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    field_order = ["page", "x", "y", "width", "height", "reason", "reason_other"]


class RedactionStartForm(GovForm):
    supersedes = forms.IntegerField(required=False, widget=forms.HiddenInput)
