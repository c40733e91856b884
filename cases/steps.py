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
from . import services_looked_after as lac
from .forms import _codes
from .models import (
    Assessment,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    LookedAfterEpisode,
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


class LookedAfterStartForm(forms.Form):
    started_on = _date("Date the child became looked after")
    legal_status = forms.ChoiceField(
        label="Legal status", choices=lambda: _codes("legal_status", "Select the legal status")
    )
    category_of_need = forms.ChoiceField(
        label="Category of need", choices=lambda: _codes("la_category_of_need", "Select the category of need")
    )
    placement_type = forms.ChoiceField(
        label="Placement type", choices=lambda: _codes("placement_type", "Select the placement type")
    )
    placement_provider = forms.ChoiceField(
        label="Placement provider",
        choices=lambda: _codes("placement_provider", "None (temporary placement)"),
        required=False,
    )
    placement_postcode = forms.CharField(label="Placement postcode", max_length=10)
    urn = forms.CharField(label="Ofsted URN of the placement (if it has one)", max_length=10, required=False)
    home_postcode = forms.CharField(label="Home postcode", max_length=10)


class LookedAfterChangeForm(forms.Form):
    changed_on = _date("Date of the change")
    legal_status = forms.ChoiceField(
        label="New legal status (if it changed)", choices=lambda: _codes("legal_status", "No change"), required=False
    )
    placement_type = forms.ChoiceField(
        label="New placement type (if the placement changed)",
        choices=lambda: _codes("placement_type", "No change"),
        required=False,
    )
    placement_provider = forms.ChoiceField(
        label="New placement provider",
        choices=lambda: _codes("placement_provider", "None or no change"),
        required=False,
    )
    placement_postcode = forms.CharField(label="New placement postcode", max_length=10, required=False)
    urn = forms.CharField(label="Ofsted URN of the new placement", max_length=10, required=False)
    reason_place_change = forms.ChoiceField(
        label="Reason the placement changed",
        choices=lambda: _codes("reason_place_change", "Not a placement change"),
        required=False,
    )
    same_carers = forms.BooleanField(label="The child stays with the same carers", required=False)


class LookedAfterEndForm(forms.Form):
    ended_on = _date("Date the child stopped being looked after")
    reason_ceased = forms.ChoiceField(
        label="Reason", choices=lambda: _codes("reason_episode_ceased", "Select the reason")
    )


class LookedAfterReviewForm(forms.Form):
    held_on = _date("Date of the review")
    participation = forms.ChoiceField(
        label="How the child took part",
        choices=lambda: _codes("review_participation", "Select how the child took part"),
    )


def _placement(d: dict[str, Any]) -> Any:
    from .services_looked_after import Placement

    if not d.get("placement_type"):
        return None
    return Placement(
        d["placement_type"], d.get("placement_provider") or "", d.get("placement_postcode") or "", d.get("urn") or ""
    )


class TransferInForm(forms.Form):
    notified_on = _date("Date we were told")
    from_la_code = forms.CharField(label="The authority the child moved from (3-digit code)", max_length=3)
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.all(), empty_label="Select a team")
    primary_need = forms.ChoiceField(
        label="Primary need", choices=lambda: _codes("primary_need", "Select the primary need")
    )
    on_child_protection_plan = forms.BooleanField(label="The child is on a child protection plan there", required=False)


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
    if step.needs == "looked_after":
        return _open(LookedAfterEpisode, person=person, ended_on__isnull=True)
    raise ValueError(step.needs)


STEPS: dict[str, Step] = {
    "referral": Step(
        "Make a referral", ReferralForm, "person",
        lambda a, p, d: services.referral_create(actor=a, person=p, referral_date=d["referral_date"], source=d["source"], primary_need=d["primary_need"], team=d["team"]),
    ),
    "transfer-in": Step(
        "Record a transfer in from another authority", TransferInForm, "person",
        lambda a, p, d: services.transfer_in(
            actor=a, person=p, notified_on=d["notified_on"], from_la_code=d["from_la_code"].strip(), team=d["team"],
            primary_need=d["primary_need"], on_child_protection_plan=d["on_child_protection_plan"],
        ),
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
    "looked-after-start": Step(
        "Start a period of care", LookedAfterStartForm, "person",
        lambda a, p, d: lac.looked_after_start(
            actor=a, person=p, started_on=d["started_on"], legal_status=d["legal_status"], category_of_need=d["category_of_need"],
            placement_type=d["placement_type"], placement_provider=d.get("placement_provider") or "", placement_postcode=d["placement_postcode"],
            home_postcode=d["home_postcode"], urn=d.get("urn") or "",
        ),
        manager_only=True,
    ),
    "looked-after-change": Step(
        "Record a change of legal status or placement", LookedAfterChangeForm, "looked_after",
        lambda a, e, d: lac.looked_after_change(
            actor=a, person=e.person, changed_on=d["changed_on"], legal_status=d.get("legal_status") or None, placement=_placement(d),
            reason_place_change=d.get("reason_place_change") or "", same_carers=d.get("same_carers", False),
        ),
    ),
    "looked-after-end": Step(
        "End the period of care", LookedAfterEndForm, "looked_after",
        lambda a, e, d: lac.looked_after_end(actor=a, person=e.person, ended_on=d["ended_on"], reason_ceased=d["reason_ceased"]),
        manager_only=True,
    ),
    "looked-after-review": Step(
        "Record a looked-after review", LookedAfterReviewForm, "looked_after",
        lambda a, e, d: lac.lac_review_record(actor=a, person=e.person, held_on=d["held_on"], participation=d["participation"]),
    ),
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
    "looked_after": "This child is not looked after.",
}
