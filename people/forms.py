from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from core import codes
from core.forms import GovDateField, GovForm

from .models import BreakGlassReason, IdentifierType, RelationshipType, Sex, WarningType


def ethnicity_choices() -> list[tuple[str, str]]:
    return [("", "Not recorded"), *codes.choices("ethnicity")]


class SearchForm(GovForm):
    q = forms.CharField(
        label="Name, NHS number, UPN, record number or postcode",
        required=False,
        max_length=200,
        help_text="For example, Amelia Hughes, 943 476 5919 or LS1 1AA",
    )
    dob = GovDateField(label="Date of birth (optional)", label_text="Date of birth", required=False)

    def clean_q(self) -> str:
        q = (self.cleaned_data.get("q") or "").strip()
        if not q:
            raise forms.ValidationError("Enter a name, NHS number, UPN, record number or postcode to search for")
        return q


class FindOtherPersonForm(GovForm):
    """The search on the Add a relationship page: the same search box, without the date of birth."""

    q = forms.CharField(
        label="Find the other person",
        required=False,
        max_length=200,
        help_text="Their name, NHS number, UPN, record number or postcode",
    )

    def clean_q(self) -> str:
        q = (self.cleaned_data.get("q") or "").strip()
        if not q:
            raise forms.ValidationError("Enter the other person's name, NHS number, UPN, record number or postcode")
        return q


class PersonForm(GovForm):
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    middle_names = forms.CharField(label="Middle names", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = GovDateField(
        label="Date of birth", label_text="Date of birth", required=False, help_text="For example, 27 3 2015"
    )
    expected_date_of_birth = GovDateField(
        label="Expected date of birth (unborn child)",
        label_text="Expected date of birth",
        required=False,
        help_text="Only for an unborn child: leave date of birth empty",
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        initial=Sex.UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select male, female or not known"},
    )
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=ethnicity_choices, required=False)
    first_language = forms.CharField(label="First language", required=False, max_length=60)
    nhs_number = forms.CharField(
        label="NHS number (optional)", required=False, max_length=12, help_text="10 digits, like 943 476 5919"
    )
    upn = forms.CharField(label="Unique pupil number (optional)", required=False, max_length=13)
    line1 = forms.CharField(label="Address line 1", required=False, max_length=120)
    line2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=120)
    town = forms.CharField(label="Town or city", required=False, max_length=80)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)


class PersonDetailsForm(GovForm):
    """Changing who someone is: names, dates, sex, gender, ethnicity and language (not identifiers or address)."""

    given_name = forms.CharField(label="First name", required=False, max_length=100)
    middle_names = forms.CharField(label="Middle names", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = GovDateField(label="Date of birth", label_text="Date of birth", required=False)
    date_of_death = GovDateField(label="Date of death", label_text="Date of death", required=False)
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select male, female or not known"},
    )
    gender = forms.CharField(label="Gender (optional)", required=False, max_length=60, help_text="In their own words")
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=ethnicity_choices, required=False)
    first_language = forms.CharField(label="First language", required=False, max_length=60)
    disabilities = forms.MultipleChoiceField(
        label="Disabilities",
        choices=lambda: list(codes.choices("disability")),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all empty if not yet known",
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)


class RelationshipForm(GovForm):
    """How the chosen person (`other`, found by search on the page) is related to the person whose record this is."""

    other = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    type = forms.ChoiceField(
        label="How are they related?",
        choices=[("", "Select how they are related"), *RelationshipType.choices],
        widget=forms.Select,
        error_messages={"required": "Select how they are related"},
    )
    parental_responsibility = forms.BooleanField(label="Has parental responsibility", required=False)
    lives_with = forms.BooleanField(label="They live together", required=False)
    confirm = forms.BooleanField(label="Yes, I have checked: this is right", required=False)

    def __init__(self, *args: object, person_name: str = "", other_name: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if person_name and other_name:
            self.fields["type"].label = f"What is {other_name} to {person_name}?"
            self.fields["type"].help_text = f"For example, {other_name} is {person_name}'s parent, sister or carer"
            self.fields["parental_responsibility"].label = f"{other_name} has parental responsibility for {person_name}"


class IdentifierForm(GovForm):
    type = forms.ChoiceField(
        label="Type of identifier",
        # An imported record's ID is written by the import, not typed in.
        choices=[c for c in IdentifierType.choices if c[0] != IdentifierType.SOURCE],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of identifier"},
    )
    value = forms.CharField(
        label="Identifier",
        max_length=40,
        help_text="An NHS number is 10 digits, like 943 476 5919; a UPN is a letter and 12 characters",
        error_messages={"required": "Enter the identifier"},
    )


class IdentifierCorrectForm(GovForm):
    value = forms.CharField(
        label="The right value", max_length=40, error_messages={"required": "Enter the right value"}
    )
    reason = forms.CharField(
        label="What was wrong (optional)",
        required=False,
        max_length=200,
        help_text="For example, two digits were the wrong way round",
    )


class IdentifierEndForm(GovForm):
    reason = forms.CharField(
        label="Why does it no longer apply?",
        max_length=200,
        help_text="For example, the school gave a new UPN",
        error_messages={"required": "Enter why it no longer applies"},
    )
    ended_on = GovDateField(
        label="Date it ended", label_text="Date it ended", required=False, help_text="Leave empty for today"
    )


class AddressForm(GovForm):
    line1 = forms.CharField(
        label="Address line 1", max_length=120, error_messages={"required": "Enter the first line of the address"}
    )
    line2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=120)
    town = forms.CharField(label="Town or city", required=False, max_length=80)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    lived_from = GovDateField(
        label="Date they moved in",
        label_text="Date they moved in",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date they moved in"},
    )


class AddressCorrectForm(AddressForm):
    lived_to = GovDateField(label="Date they moved out", label_text="Date they moved out", required=False)

    def __init__(self, *args: object, current: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lived_from"].required = False
        self.fields["lived_from"].help_text = ""
        if current:  # the current address has no end: moving out is adding a new address
            del self.fields["lived_to"]


class WarningForm(GovForm):
    type = forms.ChoiceField(
        label="Type of warning",
        choices=WarningType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of warning"},
    )
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea)
    review_on = GovDateField(
        label="Review by",
        label_text="Review date",
        required=False,
        help_text="Leave empty for 6 months from today",
    )


class BreakGlassForm(GovForm):
    reason = forms.ChoiceField(
        label="Why do you need to open this record?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you need to open this record"},
    )
    details = forms.CharField(
        label="What do you need it for now?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The team's manager and information governance will read this. For example, the police called "
        "out of hours about the child's safety tonight",
        error_messages={"required": "Explain why you need to see this record now"},
    )
    choice_hints = {
        "reason": {
            BreakGlassReason.DUTY: "A call or a visit out of hours, or on duty, that cannot wait for the team",
            BreakGlassReason.SAFEGUARDING: "You are worried that the child, or someone else, is at risk of harm now",
            BreakGlassReason.COURT: "A court hearing, a solicitor or the police need something from the record",
            BreakGlassReason.OTHER: "Say what it is below",
        }
    }


class ConflictForm(GovForm):
    connection = forms.CharField(
        label="How do you know this person or their family?",
        max_length=200,
        help_text="For example, a neighbour, a relative, or a friend's child",
        error_messages={"required": "Say how you know this person (for example, a neighbour)"},
    )


def _user_label(user: Any) -> str:
    return f"{user.display_name} ({user.email})"


def _active_users() -> Any:
    from accounts.models import User

    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")


class ConflictRecordForm(GovForm):
    """An administrator records a conflict for a user: who, and how they know the person."""

    user: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Who knows this person?",
        queryset=None,
        empty_label="Choose a user",
        error_messages={"required": "Choose the user who knows this person", "invalid_choice": "Choose a user"},
    )
    connection = forms.CharField(
        label="How do they know this person or their family?",
        max_length=200,
        help_text="For example, a neighbour, a relative, or a friend's child",
        error_messages={"required": "Say how they know this person (for example, a neighbour)"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _active_users()
        field.label_from_instance = _user_label  # type: ignore[method-assign,assignment]


class BreakGlassReviewForm(GovForm):
    outcome = forms.ChoiceField(
        label="Was it justified?",
        choices=[
            ("justified", "Yes, it was justified"),
            ("referred", "No, or not sure: refer it to information governance"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it was justified"},
    )
    # Not a conditional reveal under "refer": GOV.UK Frontend marks a revealing radio aria-expanded, which axe refuses
    # on a radio.
    notes = forms.CharField(
        label="If you refer it, why?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Information governance will read this",
    )


class BreakGlassResolveForm(GovForm):
    """Information governance closes a referred break-glass as justified after all (a referral stays open until
    then)."""

    outcome = forms.CharField(widget=forms.HiddenInput, initial="justified")
    notes = forms.CharField(
        label="What did you find?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, the worker was on duty and the call is in the duty log",
    )


class GrantForm(GovForm):
    user: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Who needs access?",
        queryset=None,
        empty_label="Choose a user",
        error_messages={"required": "Choose who needs access", "invalid_choice": "Choose who needs access"},
    )
    reason = forms.CharField(
        label="Why do they need it?",
        max_length=300,
        help_text="For example, adoption worker for the child",
        error_messages={"required": "Enter why this person needs to see the record"},
    )
    expires_on = GovDateField(
        label="When does the access end?",
        label_text="The date the access ends",
        help_text="At most a year from today",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]
        example = timezone.localdate() + timedelta(days=90)
        self.fields[
            "expires_on"
        ].help_text = f"At most a year from today. For example, {example.day} {example.month} {example.year}"
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _active_users()
        field.label_from_instance = _user_label  # type: ignore[method-assign,assignment]


class ReasonForm(GovForm):
    reason = forms.CharField(label="Reason", max_length=300, error_messages={"required": "Enter the reason"})

    def __init__(self, *args: Any, label: str = "Reason", error: str = "Enter the reason", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = error


class ExplainForm(GovForm):
    email = forms.EmailField(
        label="User's email address", error_messages={"required": "Enter the user's email address"}
    )
    person = forms.IntegerField(
        label="Record number", min_value=1, error_messages={"required": "Enter the record number"}
    )
