from __future__ import annotations

from django import forms

from core import codes
from core.forms import GovDateField, GovForm

from .models import RelationshipType, Sex, WarningType


def ethnicity_choices() -> list[tuple[str, str]]:
    return [("", "Not recorded"), *codes.choices("ethnicity")]


class SearchForm(GovForm):
    q = forms.CharField(label="Name", required=False, max_length=200)
    dob = GovDateField(label="Date of birth (optional)", label_text="Date of birth", required=False)

    def clean_q(self) -> str:
        q = (self.cleaned_data.get("q") or "").strip()
        if not q:
            raise forms.ValidationError("Enter a name to search for")
        if not any(c.isalpha() for c in q):
            raise forms.ValidationError("Enter a name using letters")
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
    other = forms.IntegerField(
        label="Record number of the other person",
        min_value=1,
        error_messages={
            "required": "Enter the record number of the other person",
            "invalid": "Record number must be a number, like 1234",
            "min_value": "Record number must be a number, like 1234",
        },
    )
    type = forms.ChoiceField(
        label="How are they related?",
        choices=RelationshipType.choices,
        widget=forms.Select,
        error_messages={"required": "Select how they are related"},
    )
    parental_responsibility = forms.BooleanField(label="Has parental responsibility", required=False)
    lives_with = forms.BooleanField(label="They live together", required=False)


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
