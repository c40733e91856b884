"""The journey's steps as pages: one form and one service call each, rendered by one view and one template.

Each Step names its form, the page title, what it needs to exist (an open episode, an enquiry, a plan), and how it
calls its service. The services hold every rule; a step only maps form fields to a service's arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Role, Team
from core.forms import GovDateField

from . import services
from .forms import _codes
from .models import (
    Assessment,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    Section47Enquiry,
    Section47Outcome,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes(value: str) -> bool:
    return value == "yes"


def _date(label: str, **kw: Any) -> GovDateField:
    return GovDateField(label=label, label_text=label, **kw)


class ReferralForm(forms.Form):
    referral_date = _date("Referral date")
    source = forms.ChoiceField(label="Referral source", choices=lambda: _codes("referral_source", "Select a source"))
    primary_need = forms.ChoiceField(
        label="Primary need", choices=lambda: _codes("primary_need", "Select the primary need")
    )
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.all(), empty_label="Select a team")


class AllocateForm(forms.Form):
    worker = forms.ModelChoiceField(
        label="Worker",
        queryset=get_user_model()
        .objects.filter(is_active=True, memberships__role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
        .distinct(),
        empty_label="Select a worker",
    )
    started_on = _date("Allocated from")
    reason = forms.CharField(label="Reason for allocation", max_length=300)
    change_reason = forms.ChoiceField(
        label="If the child had a worker, why is it changing?",
        choices=lambda: _codes("sw_change_reason", "Not a change of worker"),
        required=False,
    )


class StartForm(forms.Form):
    started_on = _date("Start date")


class AssessmentRecordForm(forms.Form):
    factors = forms.MultipleChoiceField(
        label="Factors identified", choices=lambda: _codes("assessment_factor"), widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label="Summary of the assessment", widget=forms.Textarea, required=False)
    outcome = forms.ChoiceField(label="Outcome", choices=AssessmentOutcome.choices, widget=forms.RadioSelect)


class OnForm(forms.Form):
    on = _date("Date")


class StrategyForm(forms.Form):
    held_on = _date("Date of the strategy discussion")
    agencies = forms.CharField(label="Agencies that took part", max_length=300)
    start_section_47 = forms.ChoiceField(label="Start a section 47 enquiry?", choices=YES_NO, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)


class S47CompleteForm(forms.Form):
    completed_on = _date("Date the enquiry finished")
    outcome = forms.ChoiceField(label="Outcome", choices=Section47Outcome.choices, widget=forms.RadioSelect)


class ICPCForm(forms.Form):
    held_on = _date("Date of the conference")
    plan_needed = forms.ChoiceField(
        label="Does the child need a child protection plan?", choices=YES_NO, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label="Category of abuse", choices=lambda: _codes("abuse_category", "Select a category"), required=False
    )


class ReviewConferenceForm(forms.Form):
    held_on = _date("Date of the review conference")
    plan_continues = forms.ChoiceField(label="Does the plan continue?", choices=YES_NO, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label="Latest category of abuse (if it changed)",
        choices=lambda: _codes("abuse_category", "No change"),
        required=False,
    )
    end_reason = forms.CharField(label="If the plan ends, why?", required=False, max_length=200)


class CloseForm(forms.Form):
    closure_date = _date("Closure date")
    reason = forms.ChoiceField(label="Reason for closing", choices=lambda: _codes("closure_reason", "Select a reason"))


class EndForm(forms.Form):
    ended_on = _date("End date")


@dataclass
class Step:
    title: str
    form: type[forms.Form]
    needs: str  # what must exist: "person", "episode", "assessment", "enquiry", "cp_plan", "cin_plan"
    run: Callable[[Any, Any, dict[str, Any]], Any]
    manager_only: bool = False
    button: str = "Save"


def _open(model: Any, **filters: Any) -> Any:
    return model.objects.filter(**filters).order_by("-pk").first()


def target(step: Step, person: Any) -> Any:
    """The record a step acts on, or None when it does not exist (the page then says what to do first)."""
    if step.needs == "person":
        return person
    if step.needs == "episode":
        return _open(CINEpisode, person=person, closure_date__isnull=True)
    if step.needs == "assessment":
        return _open(Assessment, episode__person=person, authorised_on__isnull=True)
    if step.needs == "enquiry":
        return _open(Section47Enquiry, episode__person=person, episode__closure_date__isnull=True)
    if step.needs == "cp_plan":
        return _open(ChildProtectionPlan, person=person, ended_on__isnull=True)
    if step.needs == "cin_plan":
        return _open(ChildInNeedPlan, person=person, ended_on__isnull=True)
    raise ValueError(step.needs)


STEPS: dict[str, Step] = {
    "referral": Step(
        "Make a referral", ReferralForm, "person",
        lambda a, p, d: services.referral_create(actor=a, person=p, referral_date=d["referral_date"], source=d["source"], primary_need=d["primary_need"], team=d["team"]),
    ),
    "allocate": Step(
        "Allocate to a worker", AllocateForm, "person",
        lambda a, p, d: services.allocate(actor=a, person=p, worker=d["worker"], started_on=d["started_on"], reason=d["reason"], change_reason=d.get("change_reason") or ""),
        manager_only=True,
    ),
    "assessment-start": Step("Start an assessment", StartForm, "episode", lambda a, e, d: services.assessment_start(actor=a, episode=e, started_on=d["started_on"])),
    "assessment-record": Step(
        "Record the assessment", AssessmentRecordForm, "assessment",
        lambda a, x, d: services.assessment_record(actor=a, assessment=x, factors=d["factors"], summary=d["summary"], outcome=d["outcome"]),
    ),
    "assessment-submit": Step("Submit the assessment", OnForm, "assessment", lambda a, x, d: services.assessment_submit(actor=a, assessment=x, submitted_on=d["on"]), button="Submit for authorisation"),
    "assessment-authorise": Step(
        "Authorise the assessment", OnForm, "assessment", lambda a, x, d: services.assessment_authorise(actor=a, assessment=x, authorised_on=d["on"]), manager_only=True, button="Authorise"
    ),
    "strategy": Step(
        "Record a strategy discussion", StrategyForm, "episode",
        lambda a, e, d: services.strategy_discussion_record(actor=a, episode=e, held_on=d["held_on"], agencies=d["agencies"], start_section_47=_yes(d["start_section_47"]), notes=d["notes"]),
    ),
    "section-47-complete": Step(
        "Record the section 47 outcome", S47CompleteForm, "enquiry",
        lambda a, x, d: services.section47_complete(actor=a, enquiry=x, completed_on=d["completed_on"], outcome=d["outcome"]),
    ),
    "initial-conference": Step(
        "Record the initial child protection conference", ICPCForm, "enquiry",
        lambda a, x, d: services.initial_conference_record(actor=a, enquiry=x, held_on=d["held_on"], plan_needed=_yes(d["plan_needed"]), category=d.get("category") or ""),
    ),
    "core-group": Step("Record a core group meeting", EndForm, "cp_plan", lambda a, x, d: services.core_group_record(actor=a, plan=x, held_on=d["ended_on"])),
    "review-conference": Step(
        "Record a review conference", ReviewConferenceForm, "cp_plan",
        lambda a, x, d: services.review_conference_record(
            actor=a, plan=x, held_on=d["held_on"], plan_continues=_yes(d["plan_continues"]), category=d.get("category") or "", end_reason=d.get("end_reason") or ""
        ),
    ),
    "cin-plan-start": Step("Start a child in need plan", StartForm, "episode", lambda a, e, d: services.cin_plan_start(actor=a, episode=e, started_on=d["started_on"])),
    "cin-plan-end": Step("End the child in need plan", EndForm, "cin_plan", lambda a, x, d: services.cin_plan_end(actor=a, plan=x, ended_on=d["ended_on"])),
    "close": Step(
        "Close the case", CloseForm, "episode", lambda a, e, d: services.episode_close(actor=a, episode=e, closure_date=d["closure_date"], reason=d["reason"]), manager_only=True, button="Close the case"
    ),
}  # fmt: skip

NEEDS_FIRST = {
    "episode": "This child has no open referral: make a referral first.",
    "assessment": "There is no assessment in progress: start one first.",
    "enquiry": "There is no section 47 enquiry: record a strategy discussion that starts one first.",
    "cp_plan": "This child is not on a child protection plan.",
    "cin_plan": "This child has no open child in need plan.",
}
