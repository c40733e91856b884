from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from accounts.models import Team
from core import codes, limits
from core.forms import GovDateField, GovForm, GovTimeField

from .models import ContactDecision
from .rules import timescales
from .rules.dates import years_to_31_march


def code_choices(list_name: str, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, words) choices of an official code list for a form field, after an optional blank choice."""
    options = [(c, f"{label}") for c, label in codes.choices(list_name)]
    return [("", blank), *options] if blank else options


class ContactForm(GovForm):
    day = GovDateField(label="Date received", label_text="Date received")
    at = GovTimeField(label="Time received", required=False, help_text="For example, 09:30")
    source = forms.ChoiceField(
        label="Who is the contact from?",
        choices=lambda: code_choices("referral_source", "Select a source"),
        error_messages={"required": "Select who the contact came from"},
    )
    referrer_name = forms.CharField(
        label="Name of the person making contact (optional)", required=False, max_length=150
    )
    referrer_organisation = forms.CharField(label="Their organisation (optional)", required=False, max_length=150)
    concern = forms.CharField(
        label="What is the concern?",
        max_length=limits.NOTE,
        widget=forms.Textarea,
        error_messages={"required": "Enter what the concern is"},
    )


class ContactDecisionForm(GovForm):
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
        label="Team (for a referral)",
        queryset=Team.objects.holding_cases(),
        required=False,
        empty_label="Select a team",
        help_text="Only teams that hold cases are listed",
    )
    primary_need = forms.ChoiceField(
        label="Primary need (for a referral)",
        choices=lambda: code_choices("primary_need", "Select the primary need"),
        required=False,
    )


# --- looked-after records: missing, UASC, previous permanence, adoption, health (OC2), care leavers (OC3) ---------
# Fields the services check are optional here, so that one submission shows every problem the service finds, in the
# service's words. The forms only parse: dates, yes/no answers and whole numbers.

YES_NO = [("yes", "Yes"), ("no", "No")]


def flag(value: str | None) -> bool | None:
    """A yes/no radio as the services take it: True, False, or None when not answered (or not applicable)."""
    return {"yes": True, "no": False}.get(value or "")


def _date(label: str, hint: str = "", required: bool = False) -> GovDateField:
    return GovDateField(label=label, label_text=label, help_text=hint or "For example, 27 3 2026", required=required)


def _yes_no(label: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, required=False, help_text=hint)


def _radios(label: str, list_name: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=lambda: code_choices(list_name), widget=forms.RadioSelect, required=False, help_text=hint
    )


def health_years(today: date | None = None, count: int = 4) -> list[tuple[str, str]]:
    """The collection years whose outcomes can be recorded: those ending on a 31 March up to today, newest first."""
    ends = years_to_31_march(today or timezone.localdate(), count)
    return [(end.isoformat(), f"The year to 31 March {end.year}") for end in ends]


class MissingEpisodeForm(GovForm):
    kind = _radios("Was the child missing or away from placement?", "missing_type")
    started_on = _date("Date the child went missing")


class MissingReturnForm(GovForm):
    ended_on = _date("Date the child came back")
    return_interview_offered = _yes_no("Was the child offered a return interview?")
    return_interview_accepted = _yes_no(
        "Did the child accept the return interview?", "Leave this empty if no interview was offered"
    )


class UASCForm(GovForm):
    became_uasc_on = _date("Date the child became an unaccompanied asylum-seeking child")
    ceased_on = _date(
        "Date the status ended (if it has)",
        "For example, when they were granted leave to remain or turned 18. Leave empty if it continues.",
    )


class UASCEndForm(GovForm):
    ceased_on = _date("Date the status ended", "At the latest, the child's 18th birthday", required=True)


class PreviousPermanenceForm(GovForm):
    arrangement = _radios("Before this period of care, did the child have a permanence arrangement?", "prev_perm")
    la_code = forms.CharField(
        label="Authority that arranged it",
        help_text="Its 3-digit code, or WAL, SCO, NIR or NUK outside England. Leave empty if there was none.",
        max_length=20,
        required=False,
    )
    order_date = _date("Date of the order", "Leave empty if there was no arrangement")


class AdoptionDecisionForm(GovForm):
    decided_on = _date("Date of the decision that the child should be placed for adoption")


def adoption_milestone_form(field: str, label: str) -> type[forms.Form]:
    """A form with one date, named as the service names it (placement_order_on, date_matched, placed_on), so the
    service's message lands on the field."""
    return type(f"AdoptionMilestoneForm_{field}", (GovForm,), {field: _date(label)})


class AdoptersForm(GovForm):
    foster_care = _yes_no("Are the adopters the child's foster carers?")
    number_of_adopters = forms.TypedChoiceField(
        label="How many adopters are there?",
        choices=[("1", "One"), ("2", "Two")],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    sex_of_adopters = _radios("Adopters' sex", "adopter_sex")
    legal_status_of_adopters = _radios("Adopters' legal status", "adopter_legal_status")


class AdoptionReversedForm(GovForm):
    date_placed_ceased = _date("Date of the decision that the child should no longer be placed for adoption")
    reason_placed_ceased = _radios("Why did the plan change?", "reason_placed_ceased")


class HealthAssessmentForm(GovForm):
    assessed_on = _date("Date of the health assessment")
    assessed_by = forms.CharField(
        label="Who carried it out (optional)",
        help_text="The doctor or nurse, and their service",
        max_length=200,
        required=False,
    )


class HealthRecordForm(GovForm):
    year_ending = forms.TypedChoiceField(
        label="Year",
        choices=lambda: [("", "Select the year"), *health_years()],
        coerce=date.fromisoformat,
        empty_value=None,
        required=False,
        help_text="Only for a child looked after for the whole year, from 1 April to 31 March",
    )
    health_assessment = _yes_no("Was the child's annual health assessment up to date?")
    teeth_check = _yes_no("Was the child's dental check up to date?")
    immunisations = _yes_no("Were the child's immunisations up to date?")
    health_check = _yes_no(
        "Were the child's health promotion checks up to date?", "Only for a child under 5 on 31 March"
    )
    sdq_score = forms.IntegerField(
        label="Strengths and difficulties questionnaire (SDQ) score",
        help_text=f"A whole number from 0 to 40, for a child aged {timescales.SDQ_MIN_AGE} to {timescales.SDQ_MAX_AGE} on 31 March",
        required=False,
        error_messages={"invalid": "Enter the SDQ score as a whole number from 0 to 40"},
    )
    sdq_reason = forms.ChoiceField(
        label="If there is no SDQ score, why not?",
        choices=lambda: code_choices("sdq_reason", "Not needed: there is a score, or no SDQ is due at the child's age"),
        required=False,
    )
    convicted = _yes_no("Was the child convicted of an offence during the year?", "Only for a child aged 10 or over")
    substance_misuse = _yes_no("Was the child identified as having a substance misuse problem?")
    intervention_received = _yes_no(
        "Did the child receive an intervention for it?", "Only if a substance misuse problem was identified"
    )
    intervention_offered = _yes_no(
        "Was an intervention offered?", "Only if the child had a substance misuse problem and did not receive one"
    )


class CareLeaverContactForm(GovForm):
    contact_on = _date("Date of the contact")
    in_touch = _radios("Are you in touch with the young person?", "oc3_in_touch")
    activity = forms.ChoiceField(
        label="Their main activity",
        choices=lambda: code_choices("oc3_activity", "Select their activity"),
        required=False,
        help_text="Not applicable only if they have died or returned home",
    )
    accommodation = forms.ChoiceField(
        label="Where they live, and whether it is suitable",
        choices=lambda: code_choices("oc3_accommodation", "Select their accommodation"),
        required=False,
        help_text="Not applicable only if they have died or returned home",
    )
