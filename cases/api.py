"""The children's journey in the JSON API (/api/v1/cases/...). Every step calls the same service as the pages;
RuleError becomes 422 with a message per field; access is decided by accounts.access as everywhere else."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from accounts.models import Team
from people.api import _person

from . import selectors, services
from .models import Assessment, ChildInNeedPlan, ChildProtectionPlan, CINEpisode, Contact, Section47Enquiry

router = Router(tags=["children's journey"])


class CreatedOut(Schema):
    id: int


class ErrorsOut(Schema):
    errors: dict[str, str]


def _visible(request: HttpRequest, model: Any, pk: int, person_path: str = "person_id") -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found")
    person_id = obj
    for part in person_path.split("."):
        person_id = getattr(person_id, part)
    _person(request, person_id)
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
    received_at: datetime
    source: str
    concern: str
    referrer_name: str = ""
    referrer_organisation: str = ""


@router.post("/people/{int:person_id}/contacts", response=RESPONSES, summary="Record a contact (the front door)")
def contact_create(request: HttpRequest, person_id: int, payload: ContactIn) -> Status[dict[str, object]]:
    person = _person(request, person_id)
    contact = services.contact_record(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": contact.pk})


class DecisionIn(Schema):
    decision: str = Field(..., description="nfa, early_help or referral")
    reason: str
    team_id: int | None = None
    primary_need: str = ""


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
    source: str
    primary_need: str
    team_id: int


@router.post("/people/{int:person_id}/referrals", response=RESPONSES, summary="Open a children-in-need episode")
def referral_create(request: HttpRequest, person_id: int, payload: ReferralIn) -> Status[dict[str, object]]:
    person = _person(request, person_id)
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
    reason: str
    change_reason: str = ""


@router.post(
    "/people/{int:person_id}/allocations", response=RESPONSES, summary="Allocate or reallocate a child (managers)"
)
def allocate(request: HttpRequest, person_id: int, payload: AllocationIn) -> Status[dict[str, object]]:
    person = _person(request, person_id)
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
    factors: list[str]
    summary: str = ""
    outcome: str = ""


@router.put(
    "/assessments/{int:assessment_id}", response={200: CreatedOut, 422: ErrorsOut}, summary="Record factors and outcome"
)
def assessment_record(request: HttpRequest, assessment_id: int, payload: AssessmentIn) -> dict[str, object]:
    a = _visible(request, Assessment, assessment_id, "episode.person_id")
    services.assessment_record(actor=request.user, assessment=a, **payload.dict())
    return {"id": a.pk}


class OnIn(Schema):
    on: date | None = None


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
def assessment_authorise(request: HttpRequest, assessment_id: int, payload: OnIn) -> dict[str, object]:
    a = _visible(request, Assessment, assessment_id, "episode.person_id")
    services.assessment_authorise(actor=request.user, assessment=a, authorised_on=payload.on)
    return {"id": a.pk}


class StrategyIn(Schema):
    held_on: date
    agencies: str
    start_section_47: bool
    notes: str = ""


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
    outcome: str


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
    category: str = ""


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
    notes: str = ""


@router.post("/child-protection-plans/{int:plan_id}/core-groups", response=RESPONSES, summary="Core group meeting")
def core_group(request: HttpRequest, plan_id: int, payload: HeldIn) -> Status[dict[str, object]]:
    plan = _visible(request, ChildProtectionPlan, plan_id)
    return Status(201, {"id": services.core_group_record(actor=request.user, plan=plan, **payload.dict()).pk})


class ReviewIn(Schema):
    held_on: date
    plan_continues: bool
    category: str = ""
    end_reason: str = ""


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


class CloseIn(Schema):
    closure_date: date
    reason: str = Field(..., description="RC1-RC9")


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
    return [
        {
            "person_id": r.allocation.person_id,
            "name": r.allocation.person.full_name,
            "statuses": r.statuses,
            "next_due": r.next_task.due_on if r.next_task else None,
            "next_task": r.next_task.get_kind_display() if r.next_task else None,
            "overdue": r.overdue,
        }
        for r in selectors.caseload(request.user)
    ]


class PlacementIn(Schema):
    placement_type: str
    placement_provider: str = ""
    placement_postcode: str
    urn: str = ""


class LookedAfterStartIn(PlacementIn):
    started_on: date
    legal_status: str
    category_of_need: str
    home_postcode: str


@router.post("/people/{int:person_id}/looked-after", response=RESPONSES, summary="Start a period of care (managers)")
def looked_after_start(request: HttpRequest, person_id: int, payload: LookedAfterStartIn) -> Status[dict[str, object]]:
    from . import services_looked_after as lac

    person = _person(request, person_id)
    episode = lac.looked_after_start(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": episode.pk})


class LookedAfterChangeIn(Schema):
    changed_on: date
    legal_status: str | None = None
    placement: PlacementIn | None = None
    reason_place_change: str = ""
    same_carers: bool = False


@router.post(
    "/people/{int:person_id}/looked-after/changes", response=RESPONSES, summary="Change of legal status or placement"
)
def looked_after_change(
    request: HttpRequest, person_id: int, payload: LookedAfterChangeIn
) -> Status[dict[str, object]]:
    from . import services_looked_after as lac

    person = _person(request, person_id)
    p = payload.placement
    placement = lac.Placement(p.placement_type, p.placement_provider, p.placement_postcode, p.urn) if p else None
    episode = lac.looked_after_change(
        actor=request.user, person=person, changed_on=payload.changed_on, legal_status=payload.legal_status, placement=placement,
        reason_place_change=payload.reason_place_change, same_carers=payload.same_carers,
    )  # fmt: skip
    return Status(201, {"id": episode.pk})


class LookedAfterEndIn(Schema):
    ended_on: date
    reason_ceased: str


@router.post(
    "/people/{int:person_id}/looked-after/end",
    response={200: CreatedOut, 422: ErrorsOut},
    summary="End a period of care (managers)",
)
def looked_after_end(request: HttpRequest, person_id: int, payload: LookedAfterEndIn) -> dict[str, object]:
    from . import services_looked_after as lac

    person = _person(request, person_id)
    return {"id": lac.looked_after_end(actor=request.user, person=person, **payload.dict()).pk}


class LookedAfterReviewIn(Schema):
    held_on: date
    participation: str


@router.post("/people/{int:person_id}/looked-after/reviews", response=RESPONSES, summary="Record a looked-after review")
def looked_after_review(
    request: HttpRequest, person_id: int, payload: LookedAfterReviewIn
) -> Status[dict[str, object]]:
    from . import services_looked_after as lac

    person = _person(request, person_id)
    return Status(201, {"id": lac.lac_review_record(actor=request.user, person=person, **payload.dict()).pk})
