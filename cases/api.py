"""The children's journey in the JSON API (/api/v1/cases/...). Every step calls the same service as the pages;
RuleError becomes 422 with a message per field; access is decided by accounts.access as everywhere else."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from accounts.models import Team
from core.errors import RuleError
from core.inputs import Code, LocalDateTime, Note, Reason, Text
from people.api import CreatedOut, ErrorsOut, MessageOut, person_for_api
from people.services import people_list_view_record
from recording.api import also_for_people

from . import selectors, services
from .models import Assessment, ChildInNeedPlan, ChildProtectionPlan, CINEpisode, Contact, Section47Enquiry
from .models_looked_after import AdoptionRecord, HealthRecord, MissingEpisode, UnaccompaniedAsylumSeekingChild
from .rules import timescales
from .rules.looked_after import ADOPTION_MILESTONES, Placement

router = Router(tags=["children's journey"])
# Visits stay under /api/v1/people/{id}/visits: recorded through cases, which completes the statutory visits.
people_router = Router(tags=["people"])


def _visible(request: HttpRequest, model: Any, pk: int, person_path: str = "person_id") -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    person_id = obj
    for part in person_path.split("."):
        person_id = getattr(person_id, part)
    _child(request, person_id)
    return obj


def _team(pk: int | None) -> Team | None:
    if pk is None:
        return None
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise HttpError(422, "No team with that id")
    return team


RESPONSES = {201: CreatedOut, 422: ErrorsOut}


class ContactIn(Schema):
    received_at: LocalDateTime
    source: Code
    concern: Note
    referrer_name: Annotated[str, Text(150)] = ""
    referrer_organisation: Annotated[str, Text(150)] = ""


@router.post("/people/{int:person_id}/contacts", response=RESPONSES, summary="Record a contact (the front door)")
def contact_create(request: HttpRequest, person_id: int, payload: ContactIn) -> Status[dict[str, object]]:
    person = person_for_api(request, person_id)
    if not access.may(request.user, access.Can.RECORD_CONTACTS):
        raise HttpError(403, "Your role cannot record contacts")
    contact = services.contact_record(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": contact.pk})


class DecisionIn(Schema):
    decision: Code = Field(..., description="nfa, early_help or referral")
    reason: Reason
    team_id: int | None = None
    primary_need: Code = ""


class DecisionOut(Schema):
    episode_id: int | None


@router.post(
    "/contacts/{int:contact_id}/decision",
    response={200: DecisionOut, 422: ErrorsOut},
    summary="Decide a contact (managers)",
)
def contact_decide(request: HttpRequest, contact_id: int, payload: DecisionIn) -> dict[str, object]:
    contact = _visible(request, Contact, contact_id)
    episode = services.contact_decide(
        actor=request.user,
        contact=contact,
        decision=payload.decision,
        reason=payload.reason,
        team=_team(payload.team_id),
        primary_need=payload.primary_need,
    )
    return {"episode_id": episode.pk if episode else None}


class ReferralIn(Schema):
    referral_date: date
    source: Code
    primary_need: Code
    team_id: int


@router.post("/people/{int:person_id}/referrals", response=RESPONSES, summary="Open a children-in-need episode")
def referral_create(request: HttpRequest, person_id: int, payload: ReferralIn) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    team = _team(payload.team_id)
    assert team is not None
    episode = services.referral_create(
        actor=request.user,
        person=person,
        referral_date=payload.referral_date,
        source=payload.source,
        primary_need=payload.primary_need,
        team=team,
    )
    return Status(201, {"id": episode.pk})


class AllocationIn(Schema):
    worker_id: int
    started_on: date
    reason: Annotated[str, Text(300)]
    change_reason: Code = ""


@router.post(
    "/people/{int:person_id}/allocations", response=RESPONSES, summary="Allocate or reallocate a child (managers)"
)
def allocate(request: HttpRequest, person_id: int, payload: AllocationIn) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    worker = get_user_model().objects.filter(pk=payload.worker_id).first()
    if worker is None:
        raise HttpError(422, "No worker with that id")
    allocation = services.allocate(
        actor=request.user,
        person=person,
        worker=worker,
        started_on=payload.started_on,
        reason=payload.reason,
        change_reason=payload.change_reason,
    )
    return Status(201, {"id": allocation.pk})


class StartIn(Schema):
    started_on: date


@router.post(
    "/episodes/{int:episode_id}/assessments", response=RESPONSES, summary="Start a child and family assessment"
)
def assessment_start(request: HttpRequest, episode_id: int, payload: StartIn) -> Status[dict[str, object]]:
    episode = _visible(request, CINEpisode, episode_id)
    return Status(
        201, {"id": services.assessment_start(actor=request.user, episode=episode, started_on=payload.started_on).pk}
    )


class AssessmentIn(Schema):
    factors: list[Code]
    summary: Note = ""
    outcome: Code = ""


@router.put(
    "/assessments/{int:assessment_id}", response={200: CreatedOut, 422: ErrorsOut}, summary="Record factors and outcome"
)
def assessment_record(request: HttpRequest, assessment_id: int, payload: AssessmentIn) -> dict[str, object]:
    a = _visible(request, Assessment, assessment_id, "episode.person_id")
    services.assessment_record(actor=request.user, assessment=a, **payload.dict())
    return {"id": a.pk}


class OnIn(Schema):
    on: date | None = None


class AuthoriseIn(Schema):
    on: date | None = None
    comments: Reason = ""


class ReturnIn(Schema):
    on: date | None = None
    reason: Reason


@router.post(
    "/assessments/{int:assessment_id}/submit",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="Submit for authorisation",
)
def assessment_submit(request: HttpRequest, assessment_id: int, payload: OnIn) -> dict[str, object]:
    a = _visible(request, Assessment, assessment_id, "episode.person_id")
    services.assessment_submit(actor=request.user, assessment=a, submitted_on=payload.on)
    return {"id": a.pk}


@router.post(
    "/assessments/{int:assessment_id}/authorise",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="Authorise (managers)",
)
def assessment_authorise(request: HttpRequest, assessment_id: int, payload: AuthoriseIn) -> dict[str, object]:
    a = _visible(request, Assessment, assessment_id, "episode.person_id")
    services.assessment_authorise(actor=request.user, assessment=a, authorised_on=payload.on, comments=payload.comments)
    return {"id": a.pk}


@router.post(
    "/assessments/{int:assessment_id}/return",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="Return to the worker with the reason (managers)",
)
def assessment_return(request: HttpRequest, assessment_id: int, payload: ReturnIn) -> dict[str, object]:
    a = _visible(request, Assessment, assessment_id, "episode.person_id")
    services.assessment_return(actor=request.user, assessment=a, reason=payload.reason, returned_on=payload.on)
    return {"id": a.pk}


class StrategyIn(Schema):
    held_on: date
    agencies: Annotated[str, Text(300)]
    start_section_47: bool
    notes: Note = ""


@router.post(
    "/episodes/{int:episode_id}/strategy-discussions", response=RESPONSES, summary="Record a strategy discussion"
)
def strategy(request: HttpRequest, episode_id: int, payload: StrategyIn) -> Status[dict[str, object]]:
    episode = _visible(request, CINEpisode, episode_id)
    return Status(
        201, {"id": services.strategy_discussion_record(actor=request.user, episode=episode, **payload.dict()).pk}
    )


class S47CompleteIn(Schema):
    completed_on: date
    outcome: Code


@router.post(
    "/section-47-enquiries/{int:enquiry_id}/complete",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="Section 47 outcome",
)
def s47_complete(request: HttpRequest, enquiry_id: int, payload: S47CompleteIn) -> dict[str, object]:
    enquiry = _visible(request, Section47Enquiry, enquiry_id, "episode.person_id")
    services.section47_complete(actor=request.user, enquiry=enquiry, **payload.dict())
    return {"id": enquiry.pk}


class ICPCIn(Schema):
    held_on: date
    plan_needed: bool
    category: Code = ""
    chair: Annotated[str, Text(150)] = ""


@router.post(
    "/section-47-enquiries/{int:enquiry_id}/initial-conference",
    response=RESPONSES,
    summary="Initial child protection conference",
)
def icpc(request: HttpRequest, enquiry_id: int, payload: ICPCIn) -> Status[dict[str, object]]:
    enquiry = _visible(request, Section47Enquiry, enquiry_id, "episode.person_id")
    return Status(
        201, {"id": services.initial_conference_record(actor=request.user, enquiry=enquiry, **payload.dict()).pk}
    )


class HeldIn(Schema):
    held_on: date
    notes: Note = ""


@router.post("/child-protection-plans/{int:plan_id}/core-groups", response=RESPONSES, summary="Core group meeting")
def core_group(request: HttpRequest, plan_id: int, payload: HeldIn) -> Status[dict[str, object]]:
    plan = _visible(request, ChildProtectionPlan, plan_id)
    return Status(201, {"id": services.core_group_record(actor=request.user, plan=plan, **payload.dict()).pk})


class ReviewIn(Schema):
    held_on: date
    plan_continues: bool
    category: Code = ""
    end_reason: Annotated[str, Text(200)] = ""
    chair: Annotated[str, Text(150)] = ""


@router.post(
    "/child-protection-plans/{int:plan_id}/review-conferences", response=RESPONSES, summary="Review conference"
)
def review_conference(request: HttpRequest, plan_id: int, payload: ReviewIn) -> Status[dict[str, object]]:
    plan = _visible(request, ChildProtectionPlan, plan_id)
    return Status(201, {"id": services.review_conference_record(actor=request.user, plan=plan, **payload.dict()).pk})


@router.post("/episodes/{int:episode_id}/child-in-need-plans", response=RESPONSES, summary="Start a child in need plan")
def cin_plan(request: HttpRequest, episode_id: int, payload: StartIn) -> Status[dict[str, object]]:
    episode = _visible(request, CINEpisode, episode_id)
    return Status(
        201, {"id": services.cin_plan_start(actor=request.user, episode=episode, started_on=payload.started_on).pk}
    )


class EndIn(Schema):
    ended_on: date


@router.post(
    "/child-in-need-plans/{int:plan_id}/end",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="End a child in need plan",
)
def cin_plan_end(request: HttpRequest, plan_id: int, payload: EndIn) -> dict[str, object]:
    plan = _visible(request, ChildInNeedPlan, plan_id)
    services.cin_plan_end(actor=request.user, plan=plan, ended_on=payload.ended_on)
    return {"id": plan.pk}


class CinPlanReviewIn(Schema):
    held_on: date | None = Field(None, description="The day the review was held")
    plan_continues: bool = Field(True, description="False when the review decides the plan is no longer needed")
    summary: Note = Field("", description="What the review found and decided")


@router.post(
    "/child-in-need-plans/{int:plan_id}/reviews",
    response=RESPONSES,
    summary="Record a child in need plan review",
    description="Completes the review that was due and makes the next at the authority's interval; a review deciding "
    "the plan is no longer needed ends the plan that day. 422 for a date before the plan, after today, or not after "
    "the last review.",
)
def cin_plan_review(request: HttpRequest, plan_id: int, payload: CinPlanReviewIn) -> Status[dict[str, object]]:
    plan = _visible(request, ChildInNeedPlan, plan_id)
    review = services.cin_plan_review_record(actor=request.user, plan=plan, **payload.dict())
    return Status(201, {"id": review.pk})


class CloseIn(Schema):
    closure_date: date
    reason: Code = Field(..., description="RC1-RC9")


@router.post(
    "/episodes/{int:episode_id}/close", response={200: CreatedOut, 422: ErrorsOut}, summary="Close a case (managers)"
)
def close(request: HttpRequest, episode_id: int, payload: CloseIn) -> dict[str, object]:
    episode = _visible(request, CINEpisode, episode_id)
    services.episode_close(actor=request.user, episode=episode, **payload.dict())
    return {"id": episode.pk}


class CaseloadOut(Schema):
    person_id: int
    name: str
    statuses: list[str]
    next_due: date | None
    next_task: str | None
    overdue: int


@router.get("/caseload", response=list[CaseloadOut], summary="The signed-in worker's caseload")
def caseload(request: HttpRequest) -> list[dict[str, object]]:
    if not access.has_any_role(request.user):
        raise HttpError(403, "You do not have a role in Casework")
    rows = selectors.caseload(request.user)
    people_list_view_record(
        actor=request.user, what="caseload", people=[r.allocation.person_id for r in rows], context={"channel": "api"}
    )
    return [
        {
            "person_id": r.allocation.person_id,
            "name": r.allocation.person.full_name,
            "statuses": r.statuses,
            "next_due": r.next_task.due_on if r.next_task else None,
            "next_task": r.next_task.get_kind_display() if r.next_task else None,
            "overdue": r.overdue,
        }
        for r in rows
    ]


class PlacementIn(Schema):
    placement_type: Code
    placement_provider: Code = ""
    placement_postcode: Annotated[str, Text(8)]
    urn: Code = ""


class LookedAfterStartIn(PlacementIn):
    started_on: date
    legal_status: Code
    category_of_need: Code
    home_postcode: Annotated[str, Text(8)]


@router.post("/people/{int:person_id}/looked-after", response=RESPONSES, summary="Start a period of care (managers)")
def looked_after_start(request: HttpRequest, person_id: int, payload: LookedAfterStartIn) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    episode = services.looked_after_start(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": episode.pk})


class LookedAfterChangeIn(Schema):
    changed_on: date
    legal_status: Code | None = None
    placement: PlacementIn | None = None
    reason_place_change: Code = ""
    same_carers: bool = False


@router.post(
    "/people/{int:person_id}/looked-after/changes", response=RESPONSES, summary="Change of legal status or placement"
)
def looked_after_change(
    request: HttpRequest, person_id: int, payload: LookedAfterChangeIn
) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    p = payload.placement
    placement = Placement(p.placement_type, p.placement_provider, p.placement_postcode, p.urn) if p else None
    episode = services.looked_after_change(
        actor=request.user, person=person, changed_on=payload.changed_on, legal_status=payload.legal_status, placement=placement,
        reason_place_change=payload.reason_place_change, same_carers=payload.same_carers,
    )  # fmt: skip
    return Status(201, {"id": episode.pk})


class LookedAfterEndIn(Schema):
    ended_on: date
    reason_ceased: Code


@router.post(
    "/people/{int:person_id}/looked-after/end",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="End a period of care (managers)",
)
def looked_after_end(request: HttpRequest, person_id: int, payload: LookedAfterEndIn) -> dict[str, object]:
    person = _child(request, person_id)
    return {"id": services.looked_after_end(actor=request.user, person=person, **payload.dict()).pk}


class LookedAfterReviewIn(Schema):
    held_on: date
    participation: Code


@router.post("/people/{int:person_id}/looked-after/reviews", response=RESPONSES, summary="Record a looked-after review")
def looked_after_review(
    request: HttpRequest, person_id: int, payload: LookedAfterReviewIn
) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    return Status(201, {"id": services.lac_review_record(actor=request.user, person=person, **payload.dict()).pk})


# --- looked-after records: missing, UASC, previous permanence, adoption, health (OC2), care leavers (OC3) ---------
# The same services as the step pages (cases.steps). Values the services check are optional here, so that leaving
# one out is answered like any other refusal: 422 with {"detail": ..., "errors": {field: message}}, as is a body that
# is not even the right shape (a date that is not a date): core.api.


ACCESS = {401: MessageOut, 403: MessageOut, 404: MessageOut}
CREATED = {201: CreatedOut, 422: ErrorsOut, **ACCESS}
UPDATED = {200: CreatedOut, 422: ErrorsOut, **ACCESS}
UPSERTED = {200: CreatedOut, 201: CreatedOut, 422: ErrorsOut, **ACCESS}
ACCESS_TEXT = (
    " Answers 401 when not signed in, 403 for a user whose role cannot record for children, 404 for a record the "
    "user may not see or that does not exist, 422 with a message per field when a rule refuses the change (nothing "
    "is saved)."
)


def _child(request: HttpRequest, person_id: int) -> Any:
    """The child, if this user may record for them: 403 for no role (or a role that only reads), 404 if not visible."""
    person = person_for_api(request, person_id)
    if not access.can_record_for_person(request.user, person):
        raise HttpError(403, "Your role cannot record this")
    return person


def _record_of(request: HttpRequest, model: Any, pk: int) -> Any:
    """A looked-after record (missing episode, adoption record) whose child this user may record for."""
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    _child(request, obj.person_id)
    return obj


class MissingEpisodeIn(Schema):
    kind: Code = Field("", description="SSDA903 MISSING: M missing, A away from placement without authorisation")
    started_on: date | None = Field(None, description="MIS_START: the day the child went missing or away")


@router.post(
    "/people/{int:person_id}/missing-episodes",
    response=CREATED,
    summary="Record that a looked-after child is missing or away from placement",
    description="Starts a missing (M) or away-from-placement (A) episode (SSDA903 Missing). The child must have been "
    "looked after that day, not already be missing, and the episode cannot overlap an earlier one." + ACCESS_TEXT,
)
def missing_episode_create(
    request: HttpRequest, person_id: int, payload: MissingEpisodeIn
) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    episode = services.missing_episode_record(
        actor=request.user, person=person, kind=payload.kind, started_on=payload.started_on
    )
    return Status(201, {"id": episode.pk})


class MissingReturnIn(Schema):
    ended_on: date | None = Field(None, description="MIS_END: the day the child came back")
    return_interview_offered: bool | None = None
    return_interview_accepted: bool | None = Field(None, description="Only when an interview was offered")


@router.post(
    "/missing-episodes/{int:episode_id}/return",
    response=UPDATED,
    summary="Record the return of a missing child, with the return interview",
    description="Ends an open missing or away episode: when the child came back, whether a return home interview "
    "was offered and, if so, whether the child accepted it. A return is recorded once." + ACCESS_TEXT,
)
def missing_episode_return(request: HttpRequest, episode_id: int, payload: MissingReturnIn) -> dict[str, object]:
    episode = _record_of(request, MissingEpisode, episode_id)
    services.missing_episode_end(actor=request.user, episode=episode, **payload.dict())
    return {"id": episode.pk}


class UASCIn(Schema):
    became_uasc_on: date | None = Field(None, description="When the child became an unaccompanied asylum seeker")
    ceased_on: date | None = Field(None, description="DUC: when the status ended, at the latest the 18th birthday")


@router.put(
    "/people/{int:person_id}/uasc",
    response=UPSERTED,
    summary="Record or correct unaccompanied asylum-seeking child status",
    description="Sets the child's UASC status (SSDA903 UASC): from when, and when it ended (empty while it "
    "continues). 201 when the status is first recorded, 200 when an existing record is corrected." + ACCESS_TEXT,
)
def uasc_set(request: HttpRequest, person_id: int, payload: UASCIn) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    existed = UnaccompaniedAsylumSeekingChild.objects.filter(person=person).exists()
    row = services.uasc_record(actor=request.user, person=person, **payload.dict())
    return Status(200 if existed else 201, {"id": row.pk})


class PreviousPermanenceIn(Schema):
    arrangement: Code = Field("", description="PREV_PERM: P1 adoption, P2 special guardianship, P3 child "
                             "arrangements order, P4, or Z1 for none")  # fmt: skip
    la_code: Code = Field("", description="LA_PERM: the arranging authority's 3-digit code, or WAL, SCO, NIR, NUK")
    order_date: date | None = Field(None, description="DATE_PERM: the date of the order")


@router.post(
    "/people/{int:person_id}/previous-permanence",
    response=CREATED,
    summary="Record previous permanence for the current period of care",
    description="Whether the child had a permanence arrangement before this period of care (SSDA903 PrevPerm), "
    "which authority arranged it and when. Recorded once per period of care; the order must be before the period "
    "started." + ACCESS_TEXT,
)
def previous_permanence_create(
    request: HttpRequest, person_id: int, payload: PreviousPermanenceIn
) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    row = services.previous_permanence_record(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": row.pk})


class AdoptionDecisionIn(Schema):
    decided_on: date | None = Field(None, description="DATE_INT and DATE_PLACED: the decision to place for adoption")


@router.post(
    "/people/{int:person_id}/adoptions",
    response=CREATED,
    summary="Record the decision that a looked-after child should be placed for adoption",
    description="Opens an adoption record (SSDA903 AD1 and PlacedAdoption). The child must have been looked after "
    "on the day of the decision, and only one decision can be open at a time. The id is the adoption record's, "
    "for the milestones, adopters and reversal below." + ACCESS_TEXT,
)
def adoption_decision_create(
    request: HttpRequest, person_id: int, payload: AdoptionDecisionIn
) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    record = services.adoption_decision_record(actor=request.user, person=person, decided_on=payload.decided_on)
    return Status(201, {"id": record.pk})


class AdoptionMilestoneIn(Schema):
    milestone: Code = Field("", description="placement_order, matched or placed (with the adopters)")
    on: date | None = None


@router.post(
    "/adoptions/{int:adoption_id}/milestones",
    response=UPDATED,
    summary="Record an adoption milestone",
    description="The next step of an open adoption plan: the placement order, the match with the adopters "
    "(DATE_MATCH) or the placement with them, each once, in order and not before the decision. Errors about the "
    "date are reported on `on`. The adoption order itself is recorded by ending the period of care with E11 or "
    "E12." + ACCESS_TEXT,
)
def adoption_milestone(request: HttpRequest, adoption_id: int, payload: AdoptionMilestoneIn) -> dict[str, object]:
    adoption = _record_of(request, AdoptionRecord, adoption_id)
    date_fields = {field for field, _, _ in ADOPTION_MILESTONES.values()}
    try:
        services.adoption_milestone_record(
            actor=request.user, adoption=adoption, milestone=payload.milestone, on=payload.on
        )
    except RuleError as e:
        raise RuleError({("on" if k in date_fields else k): v for k, v in e.errors.items()}) from e
    return {"id": adoption.pk}


class AdoptersIn(Schema):
    foster_care: bool | None = Field(None, description="FOSTER_CARE: the adopters are the child's foster carers")
    number_of_adopters: int | None = Field(None, description="NB_ADOPTR: 1 or 2")
    sex_of_adopters: Code = Field("", description="SEX_ADOPTR: M1, F1, MM, FF or MF")
    legal_status_of_adopters: Code = Field("", description="LS_ADOPTR: L0, L11, L12, L2, L3 or L4")


@router.put(
    "/adoptions/{int:adoption_id}/adopters",
    response=UPDATED,
    summary="Record or correct the adopters' details",
    description="Who is adopting (SSDA903 AD1): whether they are the child's foster carers, one or two adopters, "
    "their sex and legal status, which must agree with each other. Only while the adoption plan is open." + ACCESS_TEXT,
)
def adoption_adopters(request: HttpRequest, adoption_id: int, payload: AdoptersIn) -> dict[str, object]:
    adoption = _record_of(request, AdoptionRecord, adoption_id)
    services.adoption_adopters_record(actor=request.user, adoption=adoption, **payload.dict())
    return {"id": adoption.pk}


class AdoptionReversedIn(Schema):
    date_placed_ceased: date | None = Field(None, description="DATE_PLACED_CEASED: the date of the new decision")
    reason_placed_ceased: Code = Field("", description="REASON_PLACED_CEASED: RD1-RD4")


@router.post(
    "/adoptions/{int:adoption_id}/reversal",
    response=UPDATED,
    summary="Record that a child should no longer be placed for adoption",
    description="Reverses the decision to place for adoption, with the date and the reason. Not after the child "
    "has been adopted, and not before the last milestone." + ACCESS_TEXT,
)
def adoption_reversed(request: HttpRequest, adoption_id: int, payload: AdoptionReversedIn) -> dict[str, object]:
    adoption = _record_of(request, AdoptionRecord, adoption_id)
    services.adoption_decision_reversed(
        actor=request.user, adoption=adoption, ceased_on=payload.date_placed_ceased, reason=payload.reason_placed_ceased
    )
    return {"id": adoption.pk}


class HealthRecordIn(Schema):
    year_ending: date | None = Field(None, description="31 March that ends the collection year")
    sdq_score: int | None = Field(
        None, description=f"SDQ_SCORE 0-40, for ages {timescales.SDQ_MIN_AGE} to {timescales.SDQ_MAX_AGE} on 31 March"
    )
    sdq_reason: Code = Field("", description="SDQ_REASON (SDQ1-SDQ5) when there is no score")
    health_assessment: bool | None = Field(None, description="HEALTH_ASSESSMENT up to date")
    teeth_check: bool | None = Field(None, description="TEETH_CHECK: dental check up to date")
    immunisations: bool | None = Field(None, description="IMMUNISATIONS up to date")
    health_check: bool | None = Field(None, description="HEALTH_CHECK: health promotion checks, under 5 only")
    convicted: bool | None = Field(None, description="CONVICTED during the year, aged 10 or over only")
    substance_misuse: bool | None = Field(None, description="SUBSTANCE_MISUSE problem identified")
    intervention_received: bool | None = Field(None, description="INTERVENTION_RECEIVED, with substance misuse")
    intervention_offered: bool | None = Field(None, description="INTERVENTION_OFFERED, when none was received")


@router.post(
    "/people/{int:person_id}/health-records",
    response=UPSERTED,
    summary="Record a year's health and outcomes (OC2)",
    description="Health assessment, dental check, immunisations, SDQ score or the reason there is none, "
    "convictions and substance misuse for a child looked after continuously for the 12 months to 31 March "
    "(SSDA903 OC2). Which items apply depends on the child's age on 31 March; an item that does not apply is left "
    "empty. 201 for a new year, 200 when a year already recorded is corrected." + ACCESS_TEXT,
)
def health_record(request: HttpRequest, person_id: int, payload: HealthRecordIn) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    year = payload.year_ending
    existed = year is not None and HealthRecord.objects.filter(person=person, year_ending=year).exists()
    row = services.health_record_for_year(actor=request.user, person=person, **payload.dict())
    return Status(200 if existed else 201, {"id": row.pk})


class HealthAssessmentIn(Schema):
    assessed_on: date | None = None
    assessed_by: Annotated[str, Text(200)] = Field("", description="The doctor or nurse, and their service")


@router.post(
    "/people/{int:person_id}/health-assessments",
    response=CREATED,
    summary="Record a looked-after child's statutory health assessment",
    description="The first in a period of care is the initial health assessment (due 20 working days after the "
    "child became looked after), later ones are reviews; each completes the task that was due and makes the next "
    "review due (6-monthly under 5, yearly from 5). The child must have been looked after that day; one assessment "
    "a day." + ACCESS_TEXT,
)
def health_assessment(request: HttpRequest, person_id: int, payload: HealthAssessmentIn) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    row = services.health_assessment_record(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": row.pk})


class CareLeaverContactIn(Schema):
    contact_on: date | None = None
    in_touch: Code = Field("", description="IN_TOUCH: YES, NO, DIED, REFU, NREQ or RHOM")
    activity: Code = Field("", description="ACTIV: F1-G6, or 0 when the young person has died or returned home")
    accommodation: Code = Field("", description="ACCOM: B1-Z2, or 0 when the young person has died or returned home")


@router.post(
    "/people/{int:person_id}/care-leaver-contacts",
    response=CREATED,
    summary="Record contact with a care leaver (OC3)",
    description="Contact with a young person aged 16 to 25 who has left care: whether the authority is in touch, "
    "their activity and accommodation. A contact from 3 months before to 1 month after the 17th to 21st birthday "
    "counts for that birthday in the SSDA903 OC3 return. One contact a day." + ACCESS_TEXT,
)
def care_leaver_contact(
    request: HttpRequest, person_id: int, payload: CareLeaverContactIn
) -> Status[dict[str, object]]:
    person = _child(request, person_id)
    contact = services.care_leaver_contact_record(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": contact.pk})


class VisitIn(Schema):
    occurred_at: LocalDateTime
    visit_type: Code
    child_seen: bool
    seen_alone: bool | None = None
    not_seen_reason: Annotated[str, Text(300)] = ""
    notes: Note
    also_for: list[int] = Field(
        default=[], description="Record the same visit for these siblings or household children (person ids)"
    )


@people_router.post("/{int:person_id}/visits", response={201: CreatedOut, 422: ErrorsOut}, summary="Record a visit")
def visit_create(request: HttpRequest, person_id: int, payload: VisitIn) -> Status[dict[str, object]]:
    person = person_for_api(request, person_id)
    if not access.may_for_person(request.user, access.Can.RECORD_VISITS, person):
        raise HttpError(403, "Your role cannot record visits")
    data = payload.dict()
    also_for = also_for_people(request, person, data.pop("also_for"), access.Can.RECORD_VISITS)
    visit = services.visit_record(actor=request.user, person=person, also_for=also_for, **data)
    return Status(201, {"id": visit.pk})
