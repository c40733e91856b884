"""The journey's steps as pages: one form and one service call each, rendered by one view and one template.

Each Step names its form, the page title, what it needs to exist (an open episode, an enquiry, a plan), and how it
calls its service. The services hold every rule; a step only maps form fields to a service's arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from accounts import access
from accounts.models import Membership, Role, Team
from core import limits
from core.errors import RuleError
from core.forms import GovDateField, GovForm

from . import forms as f
from . import selectors, services
from .forms import code_choices, flag
from .models import (
    Allocation,
    Assessment,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    LookedAfterEpisode,
    Section47Enquiry,
    Section47Outcome,
)
from .models_looked_after import AdoptionRecord, MissingEpisode, UnaccompaniedAsylumSeekingChild
from .rules.ages import Who, not_a_child, step_is_for
from .rules.codes import FIRST_CONTACT

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes(value: str) -> bool:
    return value == "yes"


def _date(label: str, **kw: Any) -> GovDateField:
    return GovDateField(label=label, label_text=label, **kw)


class ReferralForm(GovForm):
    referral_date = _date("Referral date")
    source = forms.ChoiceField(
        label="Referral source", choices=lambda: code_choices("referral_source", "Select a source")
    )
    primary_need = forms.ChoiceField(
        label="Primary need", choices=lambda: code_choices("primary_need", "Select the primary need")
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.holding_cases(),
        empty_label="Select a team",
        help_text="Only teams that hold cases are listed",
    )


class WorkerChoiceField(forms.ModelChoiceField):
    """A worker, labelled with their caseload: "Sam Okafor, social worker: 12 children"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.caseloads: dict[int, tuple[str, int]] = {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        role, count = self.caseloads.get(obj.pk, ("", 0))
        children = f"{count} child" + ("" if count == 1 else "ren")
        return f"{obj.display_name}, {role.lower()}: {children}" if role else obj.display_name


class AllocateForm(GovForm):
    worker = WorkerChoiceField(
        label="Worker",
        queryset=get_user_model().objects.none(),  # set for each form: who holds a role today
        empty_label="Select a worker",
        help_text="The team's workers, with the number of children each has now",
    )
    started_on = _date("Allocated from", error_messages={"required": "Enter the date the allocation starts"})
    reason = forms.CharField(label="Reason for allocation", max_length=300)
    change_reason = forms.ChoiceField(
        label="If the child had a worker, why is it changing?",
        # FCONTA (first contact) marks a first worker, never a change: the service refuses it here.
        choices=lambda: [
            c for c in code_choices("sw_change_reason", "Not a change of worker") if c[0] != FIRST_CONTACT
        ],
        required=False,
    )

    def __init__(self, *args: Any, workers: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, WorkerChoiceField)
        # Workers who hold a practice role today: an ended membership makes nobody a worker.
        holding = Membership.objects.current().filter(role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
        field.queryset = get_user_model().objects.filter(is_active=True, pk__in=holding.values("user_id"))
        if workers is not None:  # the team's workers, in order (selectors.team_workers)
            order = [w["user"].pk for w in workers]
            field.caseloads = {w["user"].pk: (w["role"], w["caseload"]) for w in workers}
            field.queryset = get_user_model().objects.filter(pk__in=order).order_by("last_name", "first_name", "pk")


def _display_name(user: Any) -> str:
    return str(user.display_name)


class ReviewingOfficerForm(GovForm):
    officer = forms.ModelChoiceField(
        label="Reviewing officer",
        queryset=get_user_model().objects.none(),
        empty_label="Select a reviewing officer",
        error_messages={"required": "Choose an independent reviewing officer"},
    )
    started_on = _date("Chairs from", error_messages={"required": "Enter the date they start chairing"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import Membership

        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        officers = Membership.objects.current().filter(role=Role.INDEPENDENT_REVIEWING_OFFICER).values("user_id")
        field.queryset = (
            get_user_model().objects.filter(is_active=True, pk__in=officers).order_by("last_name", "first_name")
        )
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]


def allocation_teams(user: Any, person: Any) -> Any:
    """The team whose workers a child can be allocated to: the team holding the child's open referral, else the
    team of the current allocation, else the teams the allocating manager manages."""
    referral = CINEpisode.objects.filter(person=person, closure_date__isnull=True).values_list("team_id", flat=True)
    if referral:
        return Team.objects.filter(pk__in=referral)
    current = Allocation.objects.filter(person=person, ended_on__isnull=True).values_list("team_id", flat=True)
    if current:
        return Team.objects.filter(pk__in=current)
    return selectors.managed_teams(user)


def allocate_form_kwargs(user: Any, person: Any) -> dict[str, Any]:
    return {"workers": selectors.team_workers(allocation_teams(user, person))}


class AuthoriseForm(GovForm):
    decision = forms.ChoiceField(
        label="What do you decide?",
        choices=[("authorise", "Authorise the assessment"), ("return", "Return it to the worker")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you authorise the assessment or return it to the worker"},
    )
    on = _date("Date", error_messages={"required": "Enter the date of your decision"})
    comments = forms.CharField(
        label="Comments",
        help_text="Your comments on the assessment. If you return it, say what the worker needs to change.",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )


def _authorise(actor: Any, assessment: Any, d: dict[str, Any]) -> Any:
    if d["decision"] == "return":
        return services.assessment_return(
            actor=actor, assessment=assessment, reason=d.get("comments") or "", returned_on=d["on"]
        )
    return services.assessment_authorise(
        actor=actor, assessment=assessment, authorised_on=d["on"], comments=d.get("comments") or ""
    )


class StartForm(GovForm):
    started_on = _date("Start date")


class AssessmentRecordForm(GovForm):
    factors = forms.MultipleChoiceField(
        label="Factors identified",
        choices=lambda: code_choices("assessment_factor"),
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label="Summary of the assessment", max_length=limits.NOTE, widget=forms.Textarea, required=False
    )
    outcome = forms.ChoiceField(label="Outcome", choices=AssessmentOutcome.choices, widget=forms.RadioSelect)


class OnForm(GovForm):
    on = _date("Date")


class StrategyForm(GovForm):
    held_on = _date("Date of the strategy discussion")
    agencies = forms.CharField(label="Agencies that took part", max_length=300)
    start_section_47 = forms.ChoiceField(label="Start a section 47 enquiry?", choices=YES_NO, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", max_length=limits.NOTE, widget=forms.Textarea, required=False)


class S47CompleteForm(GovForm):
    completed_on = _date("Date the enquiry finished")
    outcome = forms.ChoiceField(label="Outcome", choices=Section47Outcome.choices, widget=forms.RadioSelect)


class ICPCForm(GovForm):
    held_on = _date("Date of the conference")
    chair = forms.CharField(label="Name of the chair", max_length=150, required=False)
    plan_needed = forms.ChoiceField(
        label="Does the child need a child protection plan?", choices=YES_NO, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label="Category of abuse", choices=lambda: code_choices("abuse_category", "Select a category"), required=False
    )


class CinPlanReviewForm(GovForm):
    held_on = _date("Date of the review")
    plan_continues = forms.ChoiceField(
        label="Is the child in need plan still needed?", choices=YES_NO, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="What the review found and decided", max_length=limits.NOTE, widget=forms.Textarea, required=False
    )


class ReviewConferenceForm(GovForm):
    held_on = _date("Date of the review conference")
    chair = forms.CharField(label="Name of the chair", max_length=150, required=False)
    plan_continues = forms.ChoiceField(label="Does the plan continue?", choices=YES_NO, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label="Latest category of abuse (if it changed)",
        choices=lambda: code_choices("abuse_category", "No change"),
        required=False,
    )
    end_reason = forms.CharField(label="If the plan ends, why?", required=False, max_length=200)


class LookedAfterStartForm(GovForm):
    started_on = _date("Date the child became looked after")
    legal_status = forms.ChoiceField(
        label="Legal status", choices=lambda: code_choices("legal_status", "Select the legal status")
    )
    category_of_need = forms.ChoiceField(
        label="Category of need", choices=lambda: code_choices("la_category_of_need", "Select the category of need")
    )
    placement_type = forms.ChoiceField(
        label="Placement type", choices=lambda: code_choices("placement_type", "Select the placement type")
    )
    placement_provider = forms.ChoiceField(
        label="Placement provider",
        choices=lambda: code_choices("placement_provider", "None (temporary placement)"),
        required=False,
    )
    placement_postcode = forms.CharField(label="Placement postcode", max_length=10)
    urn = forms.CharField(label="Ofsted URN of the placement (if it has one)", max_length=10, required=False)
    home_postcode = forms.CharField(label="Home postcode", max_length=10)


class LookedAfterChangeForm(GovForm):
    changed_on = _date("Date of the change")
    legal_status = forms.ChoiceField(
        label="New legal status (if it changed)",
        choices=lambda: code_choices("legal_status", "No change"),
        required=False,
    )
    placement_type = forms.ChoiceField(
        label="New placement type (if the placement changed)",
        choices=lambda: code_choices("placement_type", "No change"),
        required=False,
    )
    placement_provider = forms.ChoiceField(
        label="New placement provider",
        choices=lambda: code_choices("placement_provider", "None or no change"),
        required=False,
    )
    placement_postcode = forms.CharField(label="New placement postcode", max_length=10, required=False)
    urn = forms.CharField(label="Ofsted URN of the new placement", max_length=10, required=False)
    reason_place_change = forms.ChoiceField(
        label="Reason the placement changed",
        choices=lambda: code_choices("reason_place_change", "Not a placement change"),
        required=False,
    )
    same_carers = forms.BooleanField(label="The child stays with the same carers", required=False)


class LookedAfterEndForm(GovForm):
    ended_on = _date("Date the child stopped being looked after")
    reason_ceased = forms.ChoiceField(
        label="Reason", choices=lambda: code_choices("reason_episode_ceased", "Select the reason")
    )


class LookedAfterReviewForm(GovForm):
    held_on = _date("Date of the review")
    participation = forms.ChoiceField(
        label="How the child took part",
        choices=lambda: code_choices("review_participation", "Select how the child took part"),
    )


def _placement(d: dict[str, Any]) -> Any:
    from .rules.looked_after import Placement

    if not d.get("placement_type"):
        return None
    return Placement(
        d["placement_type"], d.get("placement_provider") or "", d.get("placement_postcode") or "", d.get("urn") or ""
    )


class TransferInForm(GovForm):
    notified_on = _date("Date we were told")
    from_la_code = forms.CharField(label="The authority the child moved from (3-digit code)", max_length=3)
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.holding_cases(),
        empty_label="Select a team",
        help_text="Only teams that hold cases are listed",
    )
    primary_need = forms.ChoiceField(
        label="Primary need", choices=lambda: code_choices("primary_need", "Select the primary need")
    )
    on_child_protection_plan = forms.BooleanField(label="The child is on a child protection plan there", required=False)


class CloseForm(GovForm):
    closure_date = _date("Closure date")
    reason = forms.ChoiceField(
        label="Reason for closing", choices=lambda: code_choices("closure_reason", "Select a reason")
    )


class EndForm(GovForm):
    ended_on = _date("End date")


@dataclass
class Step:
    title: str
    form: type[forms.Form]
    needs: Needs  # what the step acts on, and what to do first when it does not exist
    run: Callable[[Any, Any, dict[str, Any]], Any]
    manager_only: bool = False
    button: str = "Save"
    initial: Callable[[Any], dict[str, Any]] | None = None  # values to start the form with, from the target
    about: Callable[[Any], str] | None = None  # a sentence above the form saying what the step acts on
    hint: str = ""  # what the step is for, under the heading
    who: Who = Who.CHILDREN  # whom the step is for (cases.rules.ages): starting children's work by default
    form_kwargs: Callable[[Any, Any], dict[str, Any]] | None = None  # (user, person) -> the form's choices
    rename: dict[str, str] | None = None  # service error fields -> form fields


def _open(model: Any, **filters: Any) -> Any:
    return model.objects.filter(**filters).order_by("-pk").first()


# --- what a step acts on: each a named function of the person, and what to do first when it does not exist ----------


@dataclass(frozen=True)
class Needs:
    """What a step acts on: `find(person)` returns it, or None when it does not exist yet, and the page then says
    `missing` (what to do first)."""

    find: Callable[[Any], Any]
    missing: str = ""


def the_person(person: Any) -> Any:
    return person


def open_referral(person: Any) -> CINEpisode | None:
    return _open(CINEpisode, person=person, closure_date__isnull=True)


def assessment_in_progress(person: Any) -> Assessment | None:
    return _open(Assessment, episode__person=person, authorised_on__isnull=True)


def open_enquiry(person: Any) -> Section47Enquiry | None:
    return _open(Section47Enquiry, episode__person=person, episode__closure_date__isnull=True)


def open_cp_plan(person: Any) -> ChildProtectionPlan | None:
    return _open(ChildProtectionPlan, person=person, ended_on__isnull=True)


def open_cin_plan(person: Any) -> ChildInNeedPlan | None:
    return _open(ChildInNeedPlan, person=person, ended_on__isnull=True)


def open_period_of_care(person: Any) -> LookedAfterEpisode | None:
    return _open(LookedAfterEpisode, person=person, ended_on__isnull=True)


def ever_looked_after(person: Any) -> Any:
    return person if LookedAfterEpisode.objects.filter(person=person).exists() else None


def open_missing_episode(person: Any) -> MissingEpisode | None:
    return _open(MissingEpisode, person=person, ended_on__isnull=True)


def uasc_status(person: Any) -> UnaccompaniedAsylumSeekingChild | None:
    return UnaccompaniedAsylumSeekingChild.objects.filter(person=person).first()


def open_adoption_decision(person: Any) -> AdoptionRecord | None:
    return _open(AdoptionRecord, person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True)


def care_leaver(person: Any) -> Any:
    episodes = LookedAfterEpisode.objects.filter(person=person)
    left = episodes.exists() and not episodes.filter(ended_on__isnull=True).exists()
    return person if left else None


PERSON = Needs(the_person)
REFERRAL = Needs(open_referral, "This child has no open referral: make a referral first.")
ASSESSMENT = Needs(assessment_in_progress, "There is no assessment in progress: start one first.")
ENQUIRY = Needs(open_enquiry, "There is no section 47 enquiry: record a strategy discussion that starts one first.")
CP_PLAN = Needs(open_cp_plan, "This child is not on a child protection plan.")
CIN_PLAN = Needs(open_cin_plan, "This child has no open child in need plan.")
LOOKED_AFTER = Needs(open_period_of_care, "This child is not looked after.")
BEEN_LOOKED_AFTER = Needs(
    ever_looked_after, "This child has never been looked after: a manager starts a period of care first."
)
MISSING = Needs(open_missing_episode, "The child is not recorded as missing or away from placement now.")
UASC = Needs(uasc_status, "This child is not recorded as an unaccompanied asylum-seeking child: record that first.")
ADOPTION = Needs(
    open_adoption_decision, "There is no open decision to place this child for adoption: record the decision first."
)
CARE_LEAVER = Needs(
    care_leaver, "Only a young person who has left care is a care leaver: for a looked-after child record a visit."
)


def target(step: Step, person: Any) -> Any:
    """The record a step acts on, or None when it does not exist (the page then says `step.needs.missing`)."""
    return step.needs.find(person)


STEPS: dict[str, Step] = {
    "referral": Step(
        "Make a referral", ReferralForm, PERSON,
        lambda a, p, d: services.referral_create(actor=a, person=p, referral_date=d["referral_date"], source=d["source"], primary_need=d["primary_need"], team=d["team"]),
    ),
    "transfer-in": Step(
        "Record a transfer in from another authority", TransferInForm, PERSON,
        lambda a, p, d: services.transfer_in(
            actor=a, person=p, notified_on=d["notified_on"], from_la_code=d["from_la_code"].strip(), team=d["team"],
            primary_need=d["primary_need"], on_child_protection_plan=d["on_child_protection_plan"],
        ),
    ),
    "allocate": Step(
        "Allocate to a worker", AllocateForm, PERSON,
        lambda a, p, d: services.allocate(actor=a, person=p, worker=d["worker"], started_on=d["started_on"], reason=d["reason"], change_reason=d.get("change_reason") or ""),
        manager_only=True, who=Who.CARE_LEAVERS, form_kwargs=allocate_form_kwargs,
    ),
    "reviewing-officer": Step(
        "Choose the reviewing officer", ReviewingOfficerForm, PERSON,
        lambda a, p, d: services.reviewing_officer_assign(actor=a, person=p, officer=d["officer"], started_on=d["started_on"]),
        manager_only=True, who=Who.CARE_LEAVERS,
    ),
    "assessment-start": Step("Start an assessment", StartForm, REFERRAL, lambda a, e, d: services.assessment_start(actor=a, episode=e, started_on=d["started_on"])),
    "assessment-record": Step(
        "Record the assessment", AssessmentRecordForm, ASSESSMENT,
        lambda a, x, d: services.assessment_record(actor=a, assessment=x, factors=d["factors"], summary=d["summary"], outcome=d["outcome"]),
        initial=lambda x: {"factors": x.factors, "summary": x.summary, "outcome": x.outcome},  # what is recorded so far
        who=Who.ANYONE,
    ),
    "assessment-submit": Step("Submit the assessment", OnForm, ASSESSMENT, lambda a, x, d: services.assessment_submit(actor=a, assessment=x, submitted_on=d["on"]), button="Submit for authorisation", who=Who.ANYONE, rename={"submitted_on": "on"}),
    "assessment-authorise": Step(
        "Authorise the assessment", AuthoriseForm, ASSESSMENT, _authorise, manager_only=True, button="Save the decision",
        about=lambda x: f"Submitted on {_day(x.submitted_on)}{' by ' + x.submitted_by.display_name if x.submitted_by else ''}. Outcome recommended: {x.get_outcome_display().lower() or 'none'}.",
        who=Who.ANYONE, rename={"authorised_on": "on", "returned_on": "on", "reason": "comments"},
    ),
    "strategy": Step(
        "Record a strategy discussion", StrategyForm, REFERRAL,
        lambda a, e, d: services.strategy_discussion_record(actor=a, episode=e, held_on=d["held_on"], agencies=d["agencies"], start_section_47=_yes(d["start_section_47"]), notes=d["notes"]),
    ),
    "section-47-complete": Step(
        "Record the section 47 outcome", S47CompleteForm, ENQUIRY,
        lambda a, x, d: services.section47_complete(actor=a, enquiry=x, completed_on=d["completed_on"], outcome=d["outcome"]), who=Who.ANYONE,
    ),
    "initial-conference": Step(
        "Record the initial child protection conference", ICPCForm, ENQUIRY,
        lambda a, x, d: services.initial_conference_record(actor=a, enquiry=x, held_on=d["held_on"], plan_needed=_yes(d["plan_needed"]), category=d.get("category") or "", chair=d.get("chair") or ""),
    ),
    "core-group": Step("Record a core group meeting", EndForm, CP_PLAN, lambda a, x, d: services.core_group_record(actor=a, plan=x, held_on=d["ended_on"]), who=Who.ANYONE),
    "review-conference": Step(
        "Record a review conference", ReviewConferenceForm, CP_PLAN,
        lambda a, x, d: services.review_conference_record(
            actor=a, plan=x, held_on=d["held_on"], plan_continues=_yes(d["plan_continues"]), category=d.get("category") or "", end_reason=d.get("end_reason") or "",
            chair=d.get("chair") or "",
        ), who=Who.ANYONE,
    ),
    "cin-plan-start": Step("Start a child in need plan", StartForm, REFERRAL, lambda a, e, d: services.cin_plan_start(actor=a, episode=e, started_on=d["started_on"])),
    "cin-plan-review": Step(
        "Record a child in need plan review", CinPlanReviewForm, CIN_PLAN,
        lambda a, x, d: services.cin_plan_review_record(
            actor=a, plan=x, held_on=d["held_on"], plan_continues=_yes(d["plan_continues"]), summary=d["summary"]
        ), who=Who.ANYONE,
    ),
    "cin-plan-end": Step("End the child in need plan", EndForm, CIN_PLAN, lambda a, x, d: services.cin_plan_end(actor=a, plan=x, ended_on=d["ended_on"]), who=Who.ANYONE),
    "looked-after-start": Step(
        "Start a period of care", LookedAfterStartForm, PERSON,
        lambda a, p, d: services.looked_after_start(
            actor=a, person=p, started_on=d["started_on"], legal_status=d["legal_status"], category_of_need=d["category_of_need"],
            placement_type=d["placement_type"], placement_provider=d.get("placement_provider") or "", placement_postcode=d["placement_postcode"],
            home_postcode=d["home_postcode"], urn=d.get("urn") or "",
        ),
        manager_only=True,
    ),
    "looked-after-change": Step(
        "Record a change of legal status or placement", LookedAfterChangeForm, LOOKED_AFTER,
        lambda a, e, d: services.looked_after_change(
            actor=a, person=e.person, changed_on=d["changed_on"], legal_status=d.get("legal_status") or None, placement=_placement(d),
            reason_place_change=d.get("reason_place_change") or "", same_carers=d.get("same_carers", False),
        ), who=Who.ANYONE,
    ),
    "looked-after-end": Step(
        "End the period of care", LookedAfterEndForm, LOOKED_AFTER,
        lambda a, e, d: services.looked_after_end(actor=a, person=e.person, ended_on=d["ended_on"], reason_ceased=d["reason_ceased"]),
        manager_only=True, who=Who.ANYONE,
    ),
    "looked-after-review": Step(
        "Record a looked-after review", LookedAfterReviewForm, LOOKED_AFTER,
        lambda a, e, d: services.lac_review_record(actor=a, person=e.person, held_on=d["held_on"], participation=d["participation"]), who=Who.ANYONE,
    ),
    "close": Step(
        "Close the case", CloseForm, REFERRAL, lambda a, e, d: services.episode_close(actor=a, episode=e, closure_date=d["closure_date"], reason=d["reason"]), manager_only=True, button="Close the case", who=Who.ANYONE),
}  # fmt: skip


# --- looked-after records -----------------------------------------------------------------------------------------


def _day(d: date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else ""


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _adoption_so_far(x: AdoptionRecord) -> str:
    done = [
        (words, day)
        for words, day in (
            ("decision to place for adoption", x.date_should_be_placed),
            ("placement order", x.placement_order_on),
            ("matched with the adopters", x.date_matched),
            ("placed with the adopters", x.placed_on),
        )
        if day is not None
    ]
    return "Recorded so far: " + "; ".join(f"{words} {_day(day)}" for words, day in done) + "."


def _uasc_initial(p: Any) -> dict[str, Any]:
    row = UnaccompaniedAsylumSeekingChild.objects.filter(person=p).first()
    return {"became_uasc_on": row.became_uasc_on, "ceased_on": row.ceased_on} if row else {}


def _adopters_initial(x: AdoptionRecord) -> dict[str, Any]:
    return {
        "foster_care": _yes_no(x.foster_care),
        "number_of_adopters": x.number_of_adopters,
        "sex_of_adopters": x.sex_of_adopters,
        "legal_status_of_adopters": x.legal_status_of_adopters,
    }


def _health(a: Any, p: Any, d: dict[str, Any]) -> Any:
    flags = (
        "convicted", "health_check", "immunisations", "teeth_check", "health_assessment", "substance_misuse",
        "intervention_received", "intervention_offered",
    )  # fmt: skip
    return services.health_record_for_year(
        actor=a, person=p, year_ending=d["year_ending"], sdq_score=d["sdq_score"], sdq_reason=d["sdq_reason"],
        **{name: flag(d[name]) for name in flags},
    )  # fmt: skip


def _milestone(milestone: str, date_field: str, title: str, label: str) -> Step:
    return Step(
        title, f.adoption_milestone_form(date_field, label), ADOPTION,
        lambda a, x, d: services.adoption_milestone_record(actor=a, adoption=x, milestone=milestone, on=d[date_field]),
        about=_adoption_so_far,
    )  # fmt: skip


STEPS.update({
    "missing-start": Step(
        "Record that the child is missing or away from placement", f.MissingEpisodeForm, BEEN_LOOKED_AFTER,
        lambda a, p, d: services.missing_episode_record(actor=a, person=p, kind=d["kind"], started_on=d["started_on"]),
        hint="Away from placement means the child's whereabouts are known but they are not where they should be.",
    ),
    "missing-return": Step(
        "Record the child's return", f.MissingReturnForm, MISSING,
        lambda a, m, d: services.missing_episode_end(
            actor=a, episode=m, ended_on=d["ended_on"], return_interview_offered=flag(d["return_interview_offered"]),
            return_interview_accepted=flag(d["return_interview_accepted"]),
        ),
        about=lambda m: f"{m.get_kind_display()} since {_day(m.started_on)}.", who=Who.ANYONE,
    ),
    "uasc": Step(
        "Record unaccompanied asylum-seeking child status", f.UASCForm, PERSON,
        lambda a, p, d: services.uasc_record(actor=a, person=p, became_uasc_on=d["became_uasc_on"], ceased_on=d["ceased_on"]),
        initial=_uasc_initial,
    ),
    "uasc-end": Step(
        "Record the end of unaccompanied asylum-seeking child status", f.UASCEndForm, UASC,
        lambda a, u, d: services.uasc_record(actor=a, person=u.person, became_uasc_on=u.became_uasc_on, ceased_on=d["ceased_on"]),
        about=lambda u: f"An unaccompanied asylum-seeking child since {_day(u.became_uasc_on)}.", who=Who.ANYONE,
    ),
    "previous-permanence": Step(
        "Record previous permanence", f.PreviousPermanenceForm, BEEN_LOOKED_AFTER,
        lambda a, p, d: services.previous_permanence_record(
            actor=a, person=p, arrangement=d["arrangement"], la_code=d["la_code"], order_date=d["order_date"]
        ),
        hint="Whether the child was adopted, or under a special guardianship or child arrangements order, before "
        "this period of care.",
    ),
    "adoption-decision": Step(
        "Record the decision to place for adoption", f.AdoptionDecisionForm, BEEN_LOOKED_AFTER,
        lambda a, p, d: services.adoption_decision_record(actor=a, person=p, decided_on=d["decided_on"]),
        hint="The agency decision maker's decision that the child should be placed for adoption.",
    ),
    "adoption-placement-order": _milestone(
        "placement_order", "placement_order_on", "Record the placement order", "Date the placement order was made"
    ),
    "adoption-matched": _milestone(
        "matched", "date_matched", "Record the match with the adopters", "Date the child was matched with the adopters"
    ),
    "adoption-placed": _milestone(
        "placed", "placed_on", "Record the placement with the adopters", "Date the child went to live with the adopters"
    ),
    "adoption-adopters": Step(
        "Record the adopters' details", f.AdoptersForm, ADOPTION,
        lambda a, x, d: services.adoption_adopters_record(
            actor=a, adoption=x, foster_care=flag(d["foster_care"]), number_of_adopters=d["number_of_adopters"],
            sex_of_adopters=d["sex_of_adopters"], legal_status_of_adopters=d["legal_status_of_adopters"],
        ),
        initial=_adopters_initial, about=_adoption_so_far,
    ),
    "adoption-reversed": Step(
        "Record that the child should no longer be placed for adoption", f.AdoptionReversedForm, ADOPTION,
        lambda a, x, d: services.adoption_decision_reversed(
            actor=a, adoption=x, ceased_on=d["date_placed_ceased"], reason=d["reason_placed_ceased"]
        ),
        about=_adoption_so_far,
    ),
    "health-assessment": Step(
        "Record a statutory health assessment", f.HealthAssessmentForm, BEEN_LOOKED_AFTER,
        lambda a, p, d: services.health_assessment_record(actor=a, person=p, assessed_on=d["assessed_on"], assessed_by=d["assessed_by"]),
        hint="The first in a period of care is the initial health assessment; later ones are reviews.",
    ),
    "health": Step(
        "Record health and outcomes for the year", f.HealthRecordForm, BEEN_LOOKED_AFTER, _health,
        initial=lambda p: {"year_ending": f.health_years()[0][0]},
        hint="For a child looked after for the whole year to 31 March. Recording a year again corrects it.",
    ),
    "care-leaver-contact": Step(
        "Record contact with a care leaver", f.CareLeaverContactForm, CARE_LEAVER,
        lambda a, p, d: services.care_leaver_contact_record(
            actor=a, person=p, contact_on=d["contact_on"], in_touch=d["in_touch"], activity=d["activity"],
            accommodation=d["accommodation"],
        ),
        who=Who.CARE_LEAVERS,
        hint="Contact from 3 months before to 1 month after the 17th to 21st birthdays counts for the return.",
    ),
})  # fmt: skip


# --- who may take a step, for whom ------------------------------------------------------------------------------------


def been_looked_after(person: Any) -> bool:
    return LookedAfterEpisode.objects.filter(person=person).exists()


def not_for_this_person(step: Step, person: Any, today: date, *, looked_after_before: bool | None = None) -> str:
    """Why `step` is not for `person` now (cases.rules.ages), or "" when it is: children's work is for children under
    18 and unborn children, leaving-care work for care leavers under 25, finishing open work for anyone.
    `looked_after_before`: whether the person has ever been looked after, when the caller knows (else one query)."""
    born = person.date_of_birth
    if step_is_for(step.who, date_of_birth=born, been_looked_after=False, today=today):
        return ""
    if looked_after_before is None and step.who == Who.CARE_LEAVERS:
        looked_after_before = been_looked_after(person)
    if step.who == Who.CARE_LEAVERS and step_is_for(
        step.who, date_of_birth=born, been_looked_after=bool(looked_after_before), today=today
    ):
        return ""
    if step.who == Who.CARE_LEAVERS:
        return f"{person.full_name} is not a care leaver under 25, so there is nothing to record here."
    return not_a_child(person.full_name, born, today, today=today)


def user_may_take(step: Step, user: Any) -> bool:
    """Manager-only steps need Can.MANAGE_CASES (accounts.access): a social worker is never offered them."""
    return not step.manager_only or access.may(user, access.Can.MANAGE_CASES)


def offered_steps(
    actions: list[tuple[str, str]], user: Any, person: Any, today: date, *, looked_after_before: bool | None = None
) -> list[tuple[str, str]]:
    """The journey panel's steps that this user may take for this person now: the panel offers nothing the step's
    page would refuse. `looked_after_before` as for `not_for_this_person` (the panel knows it)."""
    out = []
    for slug, label in actions:
        step = STEPS.get(slug)
        if step is None or (
            user_may_take(step, user)
            and not not_for_this_person(step, person, today, looked_after_before=looked_after_before)
        ):
            out.append((slug, label))
    return out


def refuse_if_not_for(step: Step, person: Any, today: date) -> None:
    message = not_for_this_person(step, person, today)
    if message:
        raise RuleError(message)
