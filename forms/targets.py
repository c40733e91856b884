"""The record targets beyond the assessment: visits, case notes, strategy discussions, conferences, core groups, child
in need plans and their reviews, looked-after reviews. Each is one `register` call (forms/bindings.py imports this
module, so every target is known wherever a definition is checked).

Each `write` finds what the journey's own step acts on (the open referral, the open plan, the latest enquiry) the
way the journey's pages do, refuses in words when the child is not at that point of the journey, and calls the same
service as the page, which applies every rule and writes the chronology, tasks and audit. The services name their
errors by the same field names as the targets, so an error comes back on the bound question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model

from cases import services as case_services
from cases.models import (
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    ConferenceKind,
    LookedAfterEpisode,
    Section47Enquiry,
)
from cases.models_looked_after import MissingEpisode, MissingKind
from cases.services.looked_after.episodes_read import episode_on
from core.actors import Actor
from core.dates import long_date
from core.errors import RuleError
from recording import services as recording_services
from recording.models import CaseNoteType, VisitType

from .bindings import Field, Target, WriteContext, register

if TYPE_CHECKING:
    from people.models import Person


def _name(person: Person) -> str:
    return person.given_name or person.full_name


def _open_referral(person: Person, refusal: str) -> CINEpisode:
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).order_by("-referral_date").first()
    if episode is None:
        raise RuleError(f"{_name(person)} has no open referral: {refusal}")
    return episode


def _open_cp_plan(person: Person, refusal: str, field: str = "__all__") -> ChildProtectionPlan:
    plan = ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).order_by("-started_on").first()
    if plan is None:
        raise RuleError({field: f"{_name(person)} has no open child protection plan: {refusal}"})
    return plan


# A visit ------------------------------------------------------------------------------------------------------------


def visit_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """`cases.services.visit_record`: the visit, and the statutory or child protection visit it completes when the
    child was seen. "Seen alone" is hidden when the child was not seen: it is then no."""
    seen = values.get("child_seen")
    visit = case_services.visit_record(
        actor=actor,
        person=person,
        occurred_at=values.get("occurred_at"),
        visit_type=values.get("visit_type", ""),
        child_seen=seen,
        seen_alone=values.get("seen_alone", False if seen is False else None),
        notes=values.get("notes", ""),
        not_seen_reason=values.get("not_seen_reason", ""),
    )
    return [visit]


VISIT = register(
    Target(
        name="visit",
        title="A visit to the child",
        fields={
            "occurred_at": Field("datetime", label="When the visit took place"),
            "visit_type": Field("single_choice", choices=tuple(VisitType.values), label="The kind of visit"),
            "child_seen": Field("yes_no", label="Whether the child was seen"),
            "seen_alone": Field("yes_no", label="Whether the child was seen alone (no, when not seen)"),
            "not_seen_reason": Field("text", label="Why the child was not seen (at most 300 characters)"),
            "notes": Field("long_text", label="What happened on the visit"),
        },
        required=frozenset({"occurred_at", "visit_type", "child_seen", "notes"}),
        write=visit_write,
    )
)


# A case note --------------------------------------------------------------------------------------------------------


def case_note_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """`recording.services.case_note_create`: the note and its chronology entry."""
    note = recording_services.case_note_create(
        actor=actor,
        person=person,
        occurred_at=values.get("occurred_at"),
        subject=values.get("subject", ""),
        body=values.get("body", ""),
        note_type=values.get("note_type", CaseNoteType.CASE_NOTE),
    )
    return [note]


CASE_NOTE = register(
    Target(
        name="case_note",
        title="A case note",
        fields={
            "occurred_at": Field("datetime", label="When it happened"),
            "note_type": Field("single_choice", choices=tuple(CaseNoteType.values), label="The kind of note"),
            "subject": Field("text", label="The subject (at most 200 characters)"),
            "body": Field("long_text", label="The note"),
        },
        required=frozenset({"occurred_at", "subject", "body"}),
        write=case_note_write,
    )
)


# A strategy discussion ----------------------------------------------------------------------------------------------


def strategy_discussion_write(
    *, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext
) -> list[Model]:
    """`strategy_discussion_record` on the child's open referral; starting a section 47 enquiry opens it."""
    episode = _open_referral(person, "make a referral first (a strategy discussion is held on a referral)")
    discussion = case_services.strategy_discussion_record(
        actor=actor,
        episode=episode,
        held_on=values.get("held_on"),
        agencies=values.get("agencies", ""),
        start_section_47=bool(values.get("start_section_47")),
        notes=values.get("notes", ""),
    )
    written: list[Model] = [discussion]
    enquiry = Section47Enquiry.objects.filter(strategy_discussion=discussion).first()
    if enquiry is not None:
        written.append(enquiry)
    return written


STRATEGY_DISCUSSION = register(
    Target(
        name="strategy_discussion",
        title="A strategy discussion",
        fields={
            "held_on": Field("date", label="The date of the discussion"),
            "agencies": Field("text", label="The agencies that took part (at most 300 characters)"),
            "start_section_47": Field("yes_no", label="Whether a section 47 enquiry starts"),
            "notes": Field("long_text", also=("text",), label="Notes"),
        },
        required=frozenset({"held_on", "agencies", "start_section_47"}),
        write=strategy_discussion_write,
    )
)


# A child protection conference --------------------------------------------------------------------------------------


def conference_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """An initial conference on the latest section 47 enquiry of the child's open referral
    (`initial_conference_record`), or a review conference of the child's open plan (`review_conference_record`).
    A refusal because the child is not at that point goes on the question that chose the kind of conference."""
    decided = bool(values.get("child_protection_plan_decided"))
    chair = values.get("chair", "")
    if values.get("kind") == ConferenceKind.INITIAL:
        enquiry = (
            Section47Enquiry.objects.filter(episode__person=person, episode__closure_date__isnull=True)
            .order_by("-started_on", "-pk")
            .first()
        )
        if enquiry is None:
            raise RuleError(
                {
                    "kind": f"{_name(person)} has no section 47 enquiry on an open referral: an initial conference "
                    "follows one (record the strategy discussion that starts it first)"
                }
            )
        conference = case_services.initial_conference_record(
            actor=actor,
            enquiry=enquiry,
            held_on=values.get("held_on"),
            plan_needed=decided,
            category=values.get("category", ""),
            chair=chair,
        )
        plan = ChildProtectionPlan.objects.filter(initial_conference=conference).first()
        return [conference, plan] if plan is not None else [conference]
    plan = _open_cp_plan(person, "a review conference reviews a plan", field="kind")
    conference = case_services.review_conference_record(
        actor=actor,
        plan=plan,
        held_on=values.get("held_on"),
        plan_continues=decided,
        category=values.get("category", ""),
        end_reason=values.get("end_reason", ""),
        chair=chair,
    )
    return [conference]


CONFERENCE = register(
    Target(
        name="conference",
        title="A child protection conference (initial or review)",
        fields={
            "kind": Field("single_choice", choices=tuple(ConferenceKind.values), label="Initial or review"),
            "held_on": Field("date", label="The date of the conference (a working day)"),
            "child_protection_plan_decided": Field(
                "yes_no", label="Initial: a plan is needed; review: the plan continues"
            ),
            "category": Field("code_list", code_list="abuse_category", label="The category of abuse or neglect"),
            "end_reason": Field("text", label="Why the plan ends (a review that ends it; at most 200 characters)"),
            "chair": Field("text", label="Who chaired the conference (at most 150 characters)"),
        },
        required=frozenset({"kind", "held_on", "child_protection_plan_decided"}),
        write=conference_write,
    )
)


# A core group meeting -----------------------------------------------------------------------------------------------


def core_group_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """`core_group_record` on the child's open child protection plan."""
    plan = _open_cp_plan(person, "a core group meeting is recorded on a plan")
    meeting = case_services.core_group_record(
        actor=actor, plan=plan, held_on=values.get("held_on"), notes=values.get("notes", "")
    )
    return [meeting]


CORE_GROUP = register(
    Target(
        name="core_group",
        title="A core group meeting of a child protection plan",
        fields={
            "held_on": Field("date", label="The date of the meeting"),
            "notes": Field("long_text", also=("text",), label="Notes"),
        },
        required=frozenset({"held_on"}),
        write=core_group_write,
    )
)


# A child in need plan, and its reviews ------------------------------------------------------------------------------


def cin_plan_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """`cin_plan_start` on the child's open referral (after an authorised assessment that recommended a plan)."""
    episode = _open_referral(person, "a child in need plan follows an assessment on a referral")
    return [case_services.cin_plan_start(actor=actor, episode=episode, started_on=values.get("started_on"))]


CIN_PLAN = register(
    Target(
        name="cin_plan",
        title="A child in need plan",
        fields={"started_on": Field("date", label="The date the plan starts")},
        required=frozenset({"started_on"}),
        write=cin_plan_write,
    )
)


def cin_plan_review_write(
    *, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext
) -> list[Model]:
    """`cin_plan_review_record` on the child's open child in need plan; a plan no longer needed ends that day."""
    plan = ChildInNeedPlan.objects.filter(person=person, ended_on__isnull=True).order_by("-started_on").first()
    if plan is None:
        raise RuleError(f"{_name(person)} has no open child in need plan: a review is recorded on a plan")
    review = case_services.cin_plan_review_record(
        actor=actor,
        plan=plan,
        held_on=values.get("held_on"),
        plan_continues=values.get("plan_continues", True),
        summary=values.get("summary", ""),
    )
    return [review]


CIN_PLAN_REVIEW = register(
    Target(
        name="cin_plan_review",
        title="A child in need plan review",
        fields={
            "held_on": Field("date", label="The date of the review"),
            "plan_continues": Field("yes_no", label="Whether the plan is still needed (yes if not bound)"),
            "summary": Field("long_text", also=("text",), label="What the review found and decided"),
        },
        required=frozenset({"held_on"}),
        write=cin_plan_review_write,
    )
)


# A looked-after review ----------------------------------------------------------------------------------------------


def looked_after_review_write(
    *, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext
) -> list[Model]:
    """`lac_review_record`: the review, how the child took part, and the next review due."""
    if not LookedAfterEpisode.objects.filter(person=person).exists():
        raise RuleError(f"{_name(person)} has never been looked after: a looked-after review is for a child in care")
    review = case_services.lac_review_record(
        actor=actor, person=person, held_on=values.get("held_on"), participation=values.get("participation", "")
    )
    return [review]


LOOKED_AFTER_REVIEW = register(
    Target(
        name="looked_after_review",
        title="A looked-after review",
        fields={
            "held_on": Field("date", label="The date of the review"),
            "participation": Field(
                "code_list", code_list="review_participation", label="How the child took part (SSDA903)"
            ),
        },
        required=frozenset({"held_on", "participation"}),
        write=looked_after_review_write,
    )
)


# A return home interview ---------------------------------------------------------------------------------------------


def _interview_words(offered: bool | None, accepted: bool | None) -> str:
    if not offered:
        return "not offered"
    return "accepted" if accepted else "offered and not accepted"


def return_home_interview_write(
    *, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext
) -> list[Model]:
    """For a child looked after when they went missing, the SSDA903 Missing episode: recorded (as missing) if the
    journey has not recorded it yet, and ended on the date they came back with the interview offered and accepted or
    not (`missing_episode_record`, `missing_episode_end`). A return the journey already recorded is checked against
    the form, not changed. A child who was not looked after has no such episode: the interview is kept with the form."""
    started_on, returned_on = values.get("missing_from"), values.get("returned_on")
    if started_on is None or episode_on(person, started_on) is None:
        return []
    offered = values.get("interview_offered_on") is not None
    accepted = values.get("interview_accepted") if offered else None
    episode = MissingEpisode.objects.filter(person=person, started_on=started_on).first()
    if episode is None:
        episode = case_services.missing_episode_record(
            actor=actor, person=person, kind=MissingKind.MISSING, started_on=started_on
        )
    if episode.ended_on is None:
        return [
            case_services.missing_episode_end(
                actor=actor,
                episode=episode,
                ended_on=returned_on,
                return_interview_offered=offered,
                return_interview_accepted=accepted,
            )
        ]
    if episode.ended_on != returned_on:
        raise RuleError(
            {"returned_on": f"{_name(person)}'s return was recorded as {long_date(episode.ended_on)}: enter that date"}
        )
    if (episode.return_interview_offered, episode.return_interview_accepted) != (offered, accepted):
        recorded = _interview_words(episode.return_interview_offered, episode.return_interview_accepted)
        raise RuleError(
            {
                "interview_accepted": f"{_name(person)}'s return was recorded with the return interview {recorded}: "
                "answer as it was, or ask for the return to be put right first"
            }
        )
    return [episode]


RETURN_HOME_INTERVIEW = register(
    Target(
        name="return_home_interview",
        title="A return home interview (the SSDA903 Missing episode of a looked-after child)",
        fields={
            "missing_from": Field("date", label="The date the child went missing (MIS_START)"),
            "returned_on": Field("date", label="The date the child came back (MIS_END)"),
            "interview_offered_on": Field("date", label="The date the interview was offered (offered when answered)"),
            "interview_accepted": Field("yes_no", label="Whether the child accepted the interview"),
        },
        required=frozenset({"missing_from", "returned_on"}),
        write=return_home_interview_write,
        record_words="the child's missing episode",
    )
)


# A pathway plan ------------------------------------------------------------------------------------------------------


def pathway_plan_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """For a care leaver (no longer looked after), the plan's meeting is a contact in touch, with their activity and
    accommodation: `care_leaver_contact_record`, which SSDA903 OC3 reads around their 17th to 21st birthdays. An
    eligible child still looked after has no care leaver contact: the plan is kept with the form."""
    plan_date = values.get("plan_date")
    if plan_date is not None and episode_on(person, plan_date) is not None:
        return []
    contact = case_services.care_leaver_contact_record(
        actor=actor,
        person=person,
        contact_on=plan_date,
        in_touch="YES",
        activity=values.get("activity", ""),
        accommodation=values.get("accommodation", ""),
    )
    return [contact]


PATHWAY_PLAN = register(
    Target(
        name="pathway_plan",
        title="A pathway plan (a care leaver contact for SSDA903 OC3)",
        fields={
            "plan_date": Field("date", label="The date of the plan (the contact's date)"),
            "activity": Field("code_list", code_list="oc3_activity", label="The young person's activity (ACTIV)"),
            "accommodation": Field(
                "code_list", code_list="oc3_accommodation", label="The young person's accommodation (ACCOM)"
            ),
        },
        required=frozenset({"plan_date", "activity", "accommodation"}),
        write=pathway_plan_write,
        record_words="the care leaver contact",
    )
)
