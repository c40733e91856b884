"""Every shipped form (forms/definitions) submitted with a full, realistic response for a child at the right point
of the journey: the structured rows its record target writes through the journey's services, the returns that read
them (CIN census, SSDA903), and a bad answer that comes back on its question and writes nothing.

Amelia Hughes (born 27 March 2015) is referred on Monday 5 January 2026 (the `episode` fixture); the collection year
is 2025-26.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from cases import services as case_services
from cases.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    CoreGroupMeeting,
    LookedAfterReview,
    Section47Enquiry,
    StrategyDiscussion,
    Task,
    TaskKind,
)
from cases.models_looked_after import CareLeaverContact, MissingEpisode
from cases.tests.services.helpers import open_tasks
from cases.tests.services.test_visits import cp_plan
from core.errors import RuleError
from forms import validation
from forms.definition import Form
from forms.models import FormDefinition, FormResponse, ResponseStatus
from forms.services import definitions_load, response_submit
from people.tests.factories import person
from recording.models import CaseNote, ChronologyEntry, Visit
from returns.cin_census import build_cin_census
from returns.ssda903 import FILE_NAMES, build_ssda903

pytestmark = pytest.mark.django_db

LA = "383"


@pytest.fixture
def shipped() -> dict[str, FormDefinition]:
    return {item.definition.name: item.definition for item in definitions_load(actor=None)}


def submit(definition: FormDefinition, actor, child, answers: dict[str, Any]):
    """Submit, after checking the answers are full: every question that shows for them is answered."""
    result = validation.validate(Form(definition.body), answers)
    assert result.errors == {}
    unanswered = [key for key in result.visible if "." not in key and key not in result.answers]
    assert unanswered == [], f"not a full response: {unanswered} unanswered"
    return response_submit(actor=actor, definition=definition, person=child, answers=answers)


def refused(definition: FormDefinition, actor, child, answers: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(RuleError) as e:
        response_submit(actor=actor, definition=definition, person=child, answers=answers)
    assert not FormResponse.objects.filter(definition=definition).exists()
    return e.value.errors


def census_child(child, settings) -> ET.Element:
    settings.CASEWORK_LA_CODE = LA
    census = ET.fromstring(build_cin_census(2026))  # noqa: S314 (our own output)
    for element in census.iter("Child"):
        if element.findtext("ChildIdentifiers/LAchildID") == str(child.pk):
            return element
    raise AssertionError("the child is not in the census")


def assessed(episode, worker, manager, outcome: str = "cin_plan") -> Assessment:
    assessment = case_services.assessment_start(actor=worker, episode=episode, started_on=date(2026, 1, 6))
    case_services.assessment_record(
        actor=worker, assessment=assessment, factors=["3A"], summary="Neglect of basic care", outcome=outcome
    )
    case_services.assessment_submit(actor=worker, assessment=assessment, submitted_on=date(2026, 1, 20))
    return case_services.assessment_authorise(actor=manager, assessment=assessment, authorised_on=date(2026, 1, 21))


# The child and family assessment ----------------------------------------------------------------------------------

LONG = "Amelia is registered with Dr Patel at Hillside Surgery; immunisations are up to date and she is growing well."

ASSESSMENT = {
    "started_on": "2026-01-06",
    "completed_on": "2026-01-30",
    "reason_for_assessment": "A referral from Hillside Primary: Amelia has come to school hungry and in the same "
    "clothes for two weeks, and said there is shouting at home at night.",
    "child_seen": True,
    "child_seen_on": "2026-01-08",
    "child_seen_alone": False,
    "not_seen_alone_reason": "Amelia asked for her teaching assistant to stay with her.",
    "child_not_seen_reason": "dropped: hidden when the child was seen",
    "household_members": [
        {
            "member_name": "Sarah Hughes",
            "member_relationship": "Mother",
            "member_date_of_birth": "1990-06-12",
            "member_parental_responsibility": True,
        },
        {
            "member_name": "Jordan Hughes",
            "member_relationship": "Brother",
            "member_date_of_birth": "2019-09-01",
            "member_parental_responsibility": False,
        },
    ],
    "contributors": [
        {"contributor_name": "Mrs Okafor", "contributor_role": "Class teacher", "contributor_how": "in_person"},
        {"contributor_name": "Dr Patel", "contributor_role": "GP", "contributor_how": "written"},
    ],
    "health": LONG,
    "education": "Attendance is 82% this term; she is behind in reading but enjoys maths.",
    "emotional_behavioural_development": "Withdrawn in class; tearful when asked about home.",
    "identity": "White British; proud of her football team.",
    "family_social_relationships": "Close to her brother and her grandmother in Armley.",
    "social_presentation": "Often in unwashed clothes.",
    "self_care_skills": "Makes breakfast for herself and her brother most days.",
    "developmental_concerns": ["health", "emotional_behavioural"],
    "basic_care": "Food is often short at the end of the week.",
    "ensuring_safety": "Mother has left the children alone in the evening.",
    "emotional_warmth": "Mother is warm and affectionate when well.",
    "stimulation": "Few toys or books at home.",
    "guidance_and_boundaries": "Bedtimes are inconsistent.",
    "stability": "Three moves of home in two years.",
    "parenting_concerns": ["basic_care", "ensuring_safety"],
    "family_history_functioning": "Mother has a history of depression; the children's father left in 2024.",
    "wider_family": "Maternal grandmother lives nearby and offers support.",
    "housing": "Two-bedroom flat with damp in the children's room.",
    "employment": "Mother works part time in a supermarket.",
    "income": "Universal Credit and wages; rent arrears of £600.",
    "social_integration": "Mother has few friends locally.",
    "community_resources": "A family hub within walking distance.",
    "child_wishes_feelings": "Amelia wants to stay at home and wants her mum to be less sad.",
    "how_views_gathered": ["spoke_alone", "direct_work", "other"],
    "how_views_gathered_other": "A three houses drawing with her teaching assistant.",
    "parents_views": "Mother agrees she needs help and wants the family hub's support.",
    "analysis": "Amelia's basic care is neglected when her mother's mental health is poor; the strengths are the "
    "warm relationship and the grandmother's support. Without help the neglect is likely to continue.",
    "significant_harm_suspected": False,
    "factors": ["3A", "4B"],
    "outcome": "cin_plan",
    "recommendation_reasons": "Needs are complex and need a coordinated child in need plan.",
    "summary": "Neglect linked to mother's depression; child in need plan recommended.",
    "shared_with_family": True,
    "shared_on": "2026-01-30",
}


def test_the_assessment_writes_the_assessment_and_the_census_reads_its_factors(
    shipped, alice, manager, episode, settings
):
    child = episode.person
    submitted = submit(shipped["child-and-family-assessment"], alice, child, ASSESSMENT)
    a = Assessment.objects.get(episode=episode)
    assert (a.started_on, a.factors, a.outcome, a.summary, a.submitted_on) == (
        date(2026, 1, 6),
        ["3A", "4B"],
        "cin_plan",
        ASSESSMENT["summary"],
        date(2026, 1, 30),
    )
    assert "child_not_seen_reason" not in submitted.response.answers
    assert submitted.response.records == [{"type": "cases.assessment", "id": a.pk}]
    assert open_tasks(child, TaskKind.ASSESSMENT_AUTHORISATION).count() == 1
    case_services.assessment_authorise(actor=manager, assessment=a, authorised_on=date(2026, 2, 2))
    block = census_child(child, settings).find("CINdetails/Assessments")
    assert block.findtext("AssessmentActualStartDate") == "2026-01-06"
    assert [f.text for f in block.iter("AssessmentFactors")] == ["3A", "4B"]


def test_the_assessment_refuses_a_start_before_the_referral_on_that_question(shipped, alice, episode):
    errors = refused(
        shipped["child-and-family-assessment"], alice, episode.person, ASSESSMENT | {"started_on": "2025-12-01"}
    )
    assert list(errors) == ["started_on"] and "referral" in errors["started_on"]
    assert not Assessment.objects.exists()


# A statutory visit --------------------------------------------------------------------------------------------------

VISIT = {
    "visit_reason": "child_protection",
    "occurred_at": "2026-02-02T16:15:00+00:00",
    "visit_type": "home",
    "announced": False,
    "child_seen": True,
    "seen_alone": True,
    "bedroom_seen": True,
    "people_seen": [{"seen_name": "Sarah Hughes", "seen_relationship": "Mother"}],
    "unknown_adults": False,
    "child_views": "Amelia said tea is better now and she likes the breakfast club.",
    "child_wants_changed": "She wants her own bed rather than sharing with Jordan.",
    "notes": "The flat was warm and there was food in the fridge. Mother was calm and engaged.",
    "home_conditions": "Clean kitchen; damp in the children's room is still being treated.",
    "home_conditions_concern": False,
    "plan_progress": "Mother has started at the family hub's parenting group.",
    "new_concerns": False,
    "actions": [
        {
            "action_what": "Chase the landlord about the damp",
            "action_who": "Social worker",
            "action_by_when": "2026-02-16",
        }
    ],
}


def test_the_visit_records_the_visit_and_completes_the_plans_visit(shipped, alice, episode):
    child = episode.person
    plan = cp_plan(episode, alice)
    due = Task.objects.get(person=child, kind=TaskKind.CP_VISIT, completed_on__isnull=True)
    submitted = submit(shipped["statutory-visit"], alice, child, VISIT)
    visit = Visit.objects.get(person=child)
    assert (visit.visit_type, visit.child_seen, visit.seen_alone, visit.not_seen_reason) == ("home", True, True, "")
    assert visit.notes == VISIT["notes"] and visit.occurred_at.isoformat() == "2026-02-02T16:15:00+00:00"
    assert submitted.records == [visit]
    due.refresh_from_db()
    assert due.completed_on == date(2026, 2, 2)
    assert Task.objects.filter(source_id=plan.pk, kind=TaskKind.CP_VISIT, completed_on__isnull=True).count() == 1
    assert ChronologyEntry.objects.filter(person=child, source_type="visit", source_id=visit.pk).exists()


def test_a_visit_in_which_the_child_was_not_seen_is_not_seen_alone(shipped, alice, child):
    answers = {
        k: v for k, v in VISIT.items() if k not in ("seen_alone", "bedroom_seen", "child_views", "child_wants_changed")
    }
    answers |= {"child_seen": False, "not_seen_reason": "Amelia was at her grandmother's."}
    submit(shipped["statutory-visit"], alice, child, answers)
    visit = Visit.objects.get(person=child)
    assert (visit.child_seen, visit.seen_alone, visit.not_seen_reason) == (
        False,
        False,
        "Amelia was at her grandmother's.",
    )


def test_the_visit_refuses_a_long_reason_and_a_date_before_birth_on_their_questions(shipped, alice, child):
    answers = VISIT | {"child_seen": False, "not_seen_reason": "x" * 301}
    assert refused(shipped["statutory-visit"], alice, child, answers) == {
        "not_seen_reason": "Why the child was not seen must be 300 characters or fewer"
    }
    answers = VISIT | {"occurred_at": "2001-02-02T16:15:00+00:00"}
    assert refused(shipped["statutory-visit"], alice, child, answers) == {
        "occurred_at": "The date is long before the person was born: check the year"
    }
    assert not Visit.objects.exists()


# A case note --------------------------------------------------------------------------------------------------------

NOTE = {
    "note_type": "phone_call",
    "occurred_at": "2026-02-03T09:40:00+00:00",
    "subject": "Call from Hillside Primary",
    "body": "Mrs Okafor rang: Amelia has had breakfast club every day this week and seemed happier.\n\nNo new concerns.",
}


def test_the_case_note_records_the_note_in_the_chronology(shipped, alice, child):
    submitted = submit(shipped["case-note"], alice, child, NOTE)
    note = CaseNote.objects.get(person=child)
    assert (note.note_type, note.subject, note.body) == ("phone_call", NOTE["subject"], NOTE["body"])
    assert submitted.response.records == [{"type": "recording.casenote", "id": note.pk}]
    assert ChronologyEntry.objects.get(person=child, source_type="case_note").title == NOTE["subject"]


def test_the_case_note_refuses_a_future_time_on_its_question(shipped, alice, child):
    errors = refused(shipped["case-note"], alice, child, NOTE | {"occurred_at": "2099-01-01T09:00:00+00:00"})
    assert list(errors) == ["occurred_at"]
    assert not CaseNote.objects.exists()


# A strategy discussion ----------------------------------------------------------------------------------------------

STRATEGY = {
    "held_on": "2026-01-07",
    "how_held": "video",
    "chair": "Dawn Reid, team manager",
    "attendees": [
        {
            "attendee_name": "DC Khan",
            "attendee_role": "Detective constable",
            "attendee_agency": "West Yorkshire Police",
        },
        {"attendee_name": "Nurse Lee", "attendee_role": "School nurse", "attendee_agency": "Leeds Community Health"},
    ],
    "agencies": "Police, health, school, children's social care",
    "agencies_missing": "The GP sent information in writing.",
    "information_shared": "Amelia has a bruise on her arm she says her mother's partner caused.",
    "child_views_known": "Amelia told her teacher she is scared of him.",
    "start_section_47": True,
    "enquiry_type": "joint",
    "police_investigation": True,
    "decision_reasons": "Reasonable cause to suspect physical harm.",
    "immediate_safety": "The partner has agreed to stay away while the enquiry takes place.",
    "parents_informed": True,
    "notes": "Joint visit with the police tomorrow.",
    "actions": [
        {"action_what": "Joint visit", "action_who": "DC Khan and social worker", "action_by_when": "2026-01-08"}
    ],
}


def test_the_strategy_discussion_records_it_and_starts_the_enquiry(shipped, alice, episode):
    submitted = submit(shipped["strategy-discussion"], alice, episode.person, STRATEGY)
    discussion = StrategyDiscussion.objects.get(episode=episode)
    assert (discussion.held_on, discussion.agencies, discussion.start_section_47, discussion.notes) == (
        date(2026, 1, 7),
        STRATEGY["agencies"],
        True,
        STRATEGY["notes"],
    )
    enquiry = Section47Enquiry.objects.get(strategy_discussion=discussion)
    assert enquiry.started_on == date(2026, 1, 7) and enquiry.icpc_due_on == date(2026, 1, 28)
    assert submitted.records == [discussion, enquiry]
    assert open_tasks(episode.person, TaskKind.ICPC).count() == 1


def test_the_strategy_discussion_needs_an_open_referral_and_a_date_after_it(shipped, alice, child, episode):
    errors = refused(shipped["strategy-discussion"], alice, child, STRATEGY | {"held_on": "2026-01-02"})
    assert list(errors) == ["held_on"] and "referral" in errors["held_on"]
    nobody = person("Leo", "Hughes", date(2016, 5, 1))  # no referral at all
    assert refused(shipped["strategy-discussion"], alice, nobody, STRATEGY) == {
        "__all__": "Leo has no open referral: make a referral first (a strategy discussion is held on a referral)"
    }
    assert not StrategyDiscussion.objects.exists()


# A child protection conference --------------------------------------------------------------------------------------

CONFERENCE = {
    "kind": "initial",
    "held_on": "2026-01-26",
    "chair": "Mary Boateng, independent chair",
    "minute_taker": "Tom Price",
    "attendees": [
        {"attendee_name": "Sarah Hughes", "attendee_role": "Mother", "attendance": "attended"},
        {
            "attendee_name": "Mrs Okafor",
            "attendee_role": "Class teacher",
            "attendee_agency": "Hillside Primary",
            "attendance": "report_only",
        },
    ],
    "child_views": "Amelia met the chair before the conference and drew her three houses.",
    "family_views": "Mother accepts there have been problems and wants help.",
    "worries": "Neglect of basic care; the children left alone in the evenings.",
    "strengths": "A warm relationship; the grandmother's support.",
    "child_protection_plan_decided": True,
    "category": "NEG",
    "decision_reasons": "Amelia is likely to suffer significant harm through neglect.",
    "agreed_by_all": True,
    "plan_outline": "Daily breakfast club; the family hub's parenting group; treat the damp.",
    "core_group_members": [
        {"core_member_name": "Sarah Hughes", "core_member_role": "Mother"},
        {"core_member_name": "Mrs Okafor", "core_member_role": "Class teacher"},
    ],
    "first_core_group_on": "2026-02-06",
    "next_review_on": "2026-04-20",
}


def enquiry_needing_a_conference(episode, worker) -> Section47Enquiry:
    case_services.strategy_discussion_record(
        actor=worker, episode=episode, held_on=date(2026, 1, 7), agencies="Police", start_section_47=True
    )
    enquiry = episode.section47_enquiries.get()
    case_services.section47_complete(actor=worker, enquiry=enquiry, completed_on=date(2026, 1, 14), outcome="icpc")
    return enquiry


def test_the_initial_conference_starts_the_plan_with_its_chair_and_the_census_reads_it(
    shipped, alice, episode, settings
):
    child = episode.person
    enquiry_needing_a_conference(episode, alice)
    submitted = submit(shipped["child-protection-conference"], alice, child, CONFERENCE)
    conference = ChildProtectionConference.objects.get(episode=episode)
    assert (conference.kind, conference.held_on, conference.chair, conference.category) == (
        "initial",
        date(2026, 1, 26),
        "Mary Boateng, independent chair",
        "NEG",
    )
    plan = ChildProtectionPlan.objects.get(person=child)
    assert (plan.started_on, plan.initial_category) == (date(2026, 1, 26), "NEG")
    assert submitted.records == [conference, plan]
    details = census_child(child, settings).find("CINdetails")
    assert details.findtext("Section47/DateOfInitialCPC") == "2026-01-26"
    assert details.findtext("ChildProtectionPlans/CPPstartDate") == "2026-01-26"
    assert details.findtext("ChildProtectionPlans/InitialCategoryOfAbuse") == "NEG"


def test_a_review_conference_continues_the_plan_with_a_new_category(shipped, alice, episode, settings):
    child = episode.person
    plan = cp_plan(episode, alice)
    answers = CONFERENCE | {
        "kind": "review",
        "held_on": "2026-03-02",
        "category": "MUL",
        "progress_since_last": "Breakfast club every day; the evenings are still a worry.",
        "first_core_group_on": "2026-03-16",
        "next_review_on": "2026-09-01",
    }
    submit(shipped["child-protection-conference"], alice, child, answers)
    review = ChildProtectionConference.objects.get(kind="review")
    assert (review.plan, review.chair, review.child_protection_plan_decided) == (plan, CONFERENCE["chair"], True)
    plan.refresh_from_db()
    assert plan.latest_category == "MUL" and plan.ended_on is None
    block = census_child(child, settings).find("CINdetails/ChildProtectionPlans")
    assert block.findtext("LatestCategoryOfAbuse") == "MUL"
    assert [d.text for d in block.iter("CPPreviewDate")] == ["2026-03-02"]


def test_a_review_conference_that_ends_the_plan(shipped, alice, episode):
    plan = cp_plan(episode, alice)
    answers = {
        k: v
        for k, v in CONFERENCE.items()
        if k not in ("category", "plan_outline", "core_group_members", "first_core_group_on", "next_review_on")
    }
    answers |= {
        "kind": "review",
        "held_on": "2026-03-02",
        "progress_since_last": "All the plan's outcomes are met.",
        "child_protection_plan_decided": False,
        "end_reason": "The plan's outcomes are met",
        "no_plan_next_steps": "A child in need plan for three months.",
    }
    submit(shipped["child-protection-conference"], alice, episode.person, answers)
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason) == (date(2026, 3, 2), "The plan's outcomes are met")


def test_the_conference_refuses_what_the_journey_does_not_allow_on_the_right_question(shipped, alice, episode):
    child = episode.person
    form = shipped["child-protection-conference"]
    assert refused(form, alice, child, CONFERENCE) == {
        "kind": "Amelia has no section 47 enquiry on an open referral: an initial conference follows one (record "
        "the strategy discussion that starts it first)"
    }
    assert refused(form, alice, child, CONFERENCE | {"kind": "review", "progress_since_last": "Some"}) == {
        "kind": "Amelia has no open child protection plan: a review conference reviews a plan"
    }
    enquiry_needing_a_conference(episode, alice)
    errors = refused(form, alice, child, CONFERENCE | {"held_on": "2026-01-24"})
    assert list(errors) == ["held_on"] and "not a working day" in errors["held_on"]
    assert not ChildProtectionConference.objects.exists() and not ChildProtectionPlan.objects.exists()


# The child protection plan (its core group meeting) -----------------------------------------------------------------

CORE_GROUP = {
    "held_on": "2026-02-05",
    "core_group_members": [
        {"member_name": "Sarah Hughes", "member_role": "Mother", "member_attended": True},
        {"member_name": "Mrs Okafor", "member_role": "Class teacher", "member_attended": False},
    ],
    "notes": "The first core group agreed the plan below.",
    "worries": "Food runs short at the end of the week; the children are left alone.",
    "strengths": "Mother has asked for help; the grandmother visits daily.",
    "outcomes": [{"outcome_what": "Amelia has breakfast every day", "outcome_measure": "School records it daily"}],
    "actions": [
        {
            "action_what": "Refer to the family hub's parenting group",
            "action_who": "Social worker",
            "action_by_when": "2026-02-12",
            "action_status": "not_started",
        }
    ],
    "visit_frequency": "Every 10 working days, at least one unannounced",
    "contingency": "If the children are left alone again, a strategy discussion.",
    "child_views": "Amelia wants breakfast club to carry on.",
    "parents_views": "Mother agrees with the plan.",
    "plan_shared": True,
}


def test_the_plan_records_the_core_group_meeting(shipped, alice, episode):
    child = episode.person
    plan = cp_plan(episode, alice)
    submitted = submit(shipped["child-protection-plan"], alice, child, CORE_GROUP)
    meeting = CoreGroupMeeting.objects.get(plan=plan)
    assert (meeting.held_on, meeting.notes) == (date(2026, 2, 5), CORE_GROUP["notes"])
    assert submitted.records == [meeting]
    assert Task.objects.get(person=child, kind=TaskKind.CORE_GROUP).completed_on == date(2026, 2, 5)


def test_the_plan_needs_an_open_child_protection_plan(shipped, alice, episode):
    assert refused(shipped["child-protection-plan"], alice, episode.person, CORE_GROUP) == {
        "__all__": "Amelia has no open child protection plan: a core group meeting is recorded on a plan"
    }
    cp_plan(episode, alice)
    errors = refused(shipped["child-protection-plan"], alice, episode.person, CORE_GROUP | {"held_on": "2026-01-20"})
    assert list(errors) == ["held_on"] and "plan started" in errors["held_on"]
    assert not CoreGroupMeeting.objects.exists()


# The child in need plan ---------------------------------------------------------------------------------------------

CIN_PLAN = {
    "started_on": "2026-01-22",
    "why_in_need": "Amelia's basic care is neglected when her mother is unwell.",
    "outcomes": [{"outcome_what": "Amelia is fed and clean every day", "outcome_measure": "School and visits"}],
    "actions": [
        {"action_what": "Breakfast club place", "action_who": "Hillside Primary", "action_by_when": "2026-01-26"}
    ],
    "child_views": "Amelia likes the idea of breakfast club.",
    "parents_views": "Mother welcomes the help.",
    "parents_agree": True,
    "visit_frequency": "Every 4 weeks",
    "first_review_on": "2026-04-22",
    "contingency": "A strategy discussion if the children are left alone.",
}


def test_the_child_in_need_plan_starts_the_plan_and_the_census_reads_it(shipped, alice, manager, episode, settings):
    child = episode.person
    assessed(episode, alice, manager)
    submitted = submit(shipped["child-in-need-plan"], alice, child, CIN_PLAN)
    plan = ChildInNeedPlan.objects.get(person=child)
    assert plan.started_on == date(2026, 1, 22) and submitted.records == [plan]
    assert open_tasks(child, TaskKind.CIN_REVIEW).count() == 1
    assert census_child(child, settings).findtext("CINdetails/CINPlanDates/CINPlanStartDate") == "2026-01-22"


def test_the_child_in_need_plan_follows_an_authorised_assessment(shipped, alice, episode):
    assert refused(shipped["child-in-need-plan"], alice, episode.person, CIN_PLAN) == {
        "__all__": "A child in need plan follows an authorised assessment that recommends one"
    }
    assert not ChildInNeedPlan.objects.exists()


# The looked-after review --------------------------------------------------------------------------------------------

LAC_REVIEW = {
    "held_on": "2026-02-02",
    "review_number": "first",
    "reviewing_officer": "Grace Mensah",
    "iro_met_child": True,
    "attendees": [
        {"attendee_name": "Amelia Hughes", "attendee_role": "The child", "attendee_took_part": "attended"},
        {"attendee_name": "Jo Carter", "attendee_role": "Foster carer", "attendee_took_part": "attended"},
    ],
    "participation": "PN1",
    "advocate_offered": True,
    "child_views": "Amelia likes her foster carer's dog and wants to see her brother more.",
    "parents_views": "Mother wants more family time.",
    "carers_views": "Amelia is settling well.",
    "permanence_plan": "Return home if the assessment of mother is positive.",
    "placement": "Foster care with Jo Carter; stable.",
    "health_plan": "Initial health assessment done on 20 January.",
    "education_plan": "Same school; a personal education plan on 10 February.",
    "family_time": "Mother twice a week, supervised; brother at weekends.",
    "identity_plan": "Keeps up football on Saturdays.",
    "care_plan_meets_needs": True,
    "decisions": [
        {
            "decision_what": "Increase sibling time to twice a week",
            "decision_who": "Social worker",
            "decision_by_when": "2026-02-16",
        }
    ],
    "next_review_on": "2026-05-01",
}


def looked_after(child, manager):
    case_services.looked_after_start(
        actor=manager, person=child, started_on=date(2026, 1, 12), legal_status="C1", category_of_need="N1",
        home_postcode="LS1 4AP", placement_type="U6", placement_provider="PR1", placement_postcode="LS6 2AA",
        urn="SC123456",
    )  # fmt: skip


def test_the_looked_after_review_records_it_and_ssda903_reads_it(shipped, alice, manager, child, tmp_path):
    looked_after(child, manager)
    submitted = submit(shipped["looked-after-review"], alice, child, LAC_REVIEW)
    review = LookedAfterReview.objects.get(person=child)
    assert (review.held_on, review.participation) == (date(2026, 2, 2), "PN1") and submitted.records == [review]
    assert open_tasks(child, TaskKind.LAC_REVIEW).get().due_on > date(2026, 2, 2)
    files = build_ssda903(2026, tmp_path / "903")
    with (files.directory / FILE_NAMES["Reviews"]).open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["CHILD"] == str(child.pk)]
    assert [(r["REVIEW"], r["REVIEW_CODE"]) for r in rows] == [("02/02/2026", "PN1")]


def test_the_looked_after_review_refuses_the_under_fours_code_for_a_child_of_ten(shipped, alice, manager, child):
    assert refused(shipped["looked-after-review"], alice, child, LAC_REVIEW) == {
        "__all__": "Amelia has never been looked after: a looked-after review is for a child in care"
    }
    looked_after(child, manager)
    answers = {k: v for k, v in LAC_REVIEW.items() if k not in ("advocate_offered", "child_views")}
    answers |= {"participation": "PN0", "young_child_observations": "Plays happily."}
    assert refused(shipped["looked-after-review"], alice, child, answers) == {
        "participation": "The child was 4 or over at the review: select how the child took part"
    }
    assert not LookedAfterReview.objects.exists()


# The forms with no record target ------------------------------------------------------------------------------------

RETURN_HOME = {
    "missing_from": "2026-02-06",
    "returned_on": "2026-02-07",
    "missing_from_where": "home",
    "reported_to_police": True,
    "times_missing_last_year": 2,
    "interview_offered_on": "2026-02-08",
    "interview_accepted": True,
    "interviewed_on": "2026-02-09",
    "within_72_hours": True,
    "interviewer_name": "Sam Ward",
    "interviewer_role": "independent",
    "child_account": "Amelia went to a friend's house after an argument and stayed the night.",
    "where_stayed": "A friend's house in Bramley",
    "push_factors": ["conflict_at_home"],
    "pull_factors": ["friends"],
    "factors_details": "Arguments with her mother about bedtime.",
    "risks": ["none"],
    "likely_to_go_again": False,
    "child_wants": "To be able to ring her grandmother when things get heated.",
    "shared_with": ["social_worker", "police"],
    "actions": [
        {
            "action_what": "Give Amelia her grandmother's number",
            "action_who": "Social worker",
            "action_by_when": "2026-02-10",
        }
    ],
}

PATHWAY = {
    "plan_date": "2026-02-10",
    "plan_kind": "first",
    "care_leaver_status": "eligible",
    "needs_assessed_on": "2026-02-01",
    "pa_allocated": True,
    "pa_name": "Chris Doyle",
    "pa_contact": "07700 900123",
    "accommodation_type": "E1",
    "address": {"line_1": "12 Hill Road", "line_2": "", "town": "Leeds", "postcode": "LS6 2AA"},
    "staying_put": True,
    "accommodation_plan": "Staying put with her foster carer until 21.",
    "activity": "F2",
    "eet_plan": "College course in health and social care.",
    "national_insurance_number": "QQ 12 34 56 C",
    "registered_with_gp": True,
    "health_summary_given": True,
    "health_plan": "Dentist in March.",
    "income_sources": ["bursary"],
    "weekly_income": 60,
    "has_bank_account": True,
    "money_plan": "Budgeting sessions with the PA.",
    "relationships": "Close to her brother and grandmother.",
    "practical_skills": "Cooks twice a week.",
    "young_person_views": "Wants to stay where she is.",
    "contingency": "Supported lodgings if staying put ends.",
    "actions": [
        {"action_what": "Open a savings account", "action_who": "Young person and PA", "action_by_when": "2026-03-10"}
    ],
    "next_review_on": "2026-08-10",
    "copy_given": True,
}

FAMILY_NETWORK = {
    "held_on": "2026-02-04",
    "meeting_kind": "family_group_conference",
    "coordinator": "Priya Shah",
    "reason": "To plan who can help while mother is unwell.",
    "network": [
        {"network_name": "Margaret Hughes", "network_relationship": "Grandmother", "network_professional": False},
        {"network_name": "Sam Ward", "network_relationship": "Social worker", "network_professional": True},
    ],
    "child_attended": True,
    "child_views": "Amelia wants to stay with her grandmother at weekends.",
    "private_time": True,
    "plan_items": [
        {"plan_what": "Weekend stays with grandmother", "plan_who": "Margaret Hughes", "plan_by_when": "2026-02-07"}
    ],
    "carer_offered": True,
    "carer_details": "Grandmother offers to care for both children if needed.",
    "plan_agreed": True,
    "review_on": "2026-03-04",
}


@pytest.mark.parametrize(
    ("name", "answers"),
    [
        ("return-home-interview", RETURN_HOME),  # for a child who was not looked after: no missing episode
        ("family-network-meeting", FAMILY_NETWORK),
    ],
)
def test_a_form_with_no_record_target_keeps_its_answers_and_writes_nothing_else(shipped, alice, child, name, answers):
    before = ChronologyEntry.objects.count()
    submitted = submit(shipped[name], alice, child, answers)
    response = FormResponse.objects.get(pk=submitted.response.pk)
    assert response.status == ResponseStatus.SUBMITTED and response.answers == answers and response.records == []
    assert ChronologyEntry.objects.count() == before


def test_a_form_with_no_record_target_refuses_a_bad_answer_on_its_question(shipped, alice, child):
    errors = refused(shipped["return-home-interview"], alice, child, RETURN_HOME | {"returned_on": "2026-02-01"})
    assert errors == {
        "returned_on": "Date the child came back must be the same as or after date the child went missing"
    }


# A target no shipped form uses yet: the child in need plan review ---------------------------------------------------


CIN_REVIEW = {
    "held_on": "2026-04-20",
    "attendees": [
        {"attendee_name": "Sarah Hughes", "attendee_role": "Mother"},
        {"attendee_name": "Sam Ward", "attendee_role": "Social worker"},
    ],
    "child_attended": True,
    "child_views": "Amelia says home is calmer and she likes her new school.",
    "progress": "School attendance is up to 96%; the family support worker visits weekly.",
    "plan_needed": False,
    "step_down": "early_help",
    "summary": "The plan's outcomes are met: the family step down to early help.",
}


def test_the_child_in_need_plan_review_records_the_review_and_ends_a_plan_no_longer_needed(
    shipped, alice, manager, episode
):
    assessed(episode, alice, manager)
    plan = case_services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 22))
    submitted = submit(shipped["child-in-need-plan-review"], alice, episode.person, CIN_REVIEW)
    plan.refresh_from_db()
    review = plan.reviews.get()
    assert (review.held_on, review.plan_continues, review.summary) == (date(2026, 4, 20), False, CIN_REVIEW["summary"])
    assert plan.ended_on == date(2026, 4, 20) and submitted.records == [review]


def test_the_child_in_need_plan_review_needs_an_open_plan(shipped, alice, episode):
    assert refused(shipped["child-in-need-plan-review"], alice, episode.person, CIN_REVIEW) == {
        "__all__": "Amelia has no open child in need plan: a review is recorded on a plan"
    }


def test_a_child_in_need_plan_review_from_a_definition_alone(alice, manager, episode, tmp_path):
    import json

    body = {
        "format": 1,
        "name": "cin-review",
        "version": 1,
        "title": "Child in need plan review",
        "subject": "child",
        "record": "cin_plan_review",
        "pages": [
            {
                "id": "review",
                "title": "The review",
                "questions": [
                    {
                        "id": "held_on",
                        "type": "date",
                        "label": "Date of the review",
                        "required": True,
                        "bind": "held_on",
                    },
                    {"id": "needed", "type": "yes_no", "label": "Is the plan still needed?", "bind": "plan_continues"},
                    {"id": "summary", "type": "long_text", "label": "What the review decided", "bind": "summary"},
                ],
            }
        ],
    }
    path = tmp_path / "cin-review.v1.json"
    path.write_text(json.dumps(body))
    (loaded,) = definitions_load(actor=None, paths=[path])
    child = episode.person
    assert refused(loaded.definition, alice, child, {"held_on": "2026-04-20"}) == {
        "__all__": "Amelia has no open child in need plan: a review is recorded on a plan"
    }
    assessed(episode, alice, manager)
    plan = case_services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 22))
    answers = {"held_on": "2026-04-20", "needed": False, "summary": "The family no longer need the plan."}
    submitted = response_submit(actor=alice, definition=loaded.definition, person=child, answers=answers)
    plan.refresh_from_db()
    review = plan.reviews.get()
    assert (review.held_on, review.plan_continues, review.summary) == (date(2026, 4, 20), False, answers["summary"])
    assert plan.ended_on == date(2026, 4, 20) and submitted.records == [review]


# The return home interview and the pathway plan: the SSDA903 return reads what they write -------------------------


def ssda903_rows(tmp_path, table: str, child) -> list[dict[str, str]]:
    files = build_ssda903(2026, tmp_path / "903")
    with (files.directory / FILE_NAMES[table]).open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["CHILD"] == str(child.pk)]


def test_the_return_home_interview_records_the_missing_episode_and_ssda903_reads_it(
    shipped, alice, manager, child, tmp_path
):
    looked_after(child, manager)
    submitted = submit(shipped["return-home-interview"], alice, child, RETURN_HOME)
    (episode,) = MissingEpisode.objects.filter(person=child)
    assert (episode.kind, episode.started_on, episode.ended_on) == ("M", date(2026, 2, 6), date(2026, 2, 7))
    assert (episode.return_interview_offered, episode.return_interview_accepted) == (True, True)
    assert submitted.records == [episode]
    rows = ssda903_rows(tmp_path, "Missing", child)
    assert [(r["MISSING"], r["MIS_START"], r["MIS_END"]) for r in rows] == [("M", "06/02/2026", "07/02/2026")]


def test_the_return_home_interview_ends_the_episode_the_journey_recorded_and_checks_one_already_ended(
    shipped, alice, manager, child
):
    looked_after(child, manager)
    episode = case_services.missing_episode_record(actor=alice, person=child, kind="A", started_on=date(2026, 2, 6))
    declined = RETURN_HOME | {"interview_accepted": False, "declined_reason": "Did not want to talk."}
    declined = {k: v for k, v in declined.items() if k in {"missing_from", "returned_on", "missing_from_where",
                "reported_to_police", "times_missing_last_year", "interview_offered_on", "interview_accepted",
                "declined_reason", "risks", "likely_to_go_again", "shared_with", "actions"}}  # fmt: skip
    submit(shipped["return-home-interview"], alice, child, declined)
    episode.refresh_from_db()
    assert (episode.kind, episode.ended_on, episode.return_interview_accepted) == ("A", date(2026, 2, 7), False)
    # A second form about the same return must agree with what is recorded.
    assert refused_again(shipped["return-home-interview"], alice, child, RETURN_HOME) == {
        "interview_accepted": "Amelia's return was recorded with the return interview offered and not accepted: "
        "answer as it was, or ask for the return to be put right first"
    }
    assert refused_again(shipped["return-home-interview"], alice, child, declined | {"returned_on": "2026-02-08"}) == {
        "returned_on": "Amelia's return was recorded as 7 February 2026: enter that date"
    }


def refused_again(definition: FormDefinition, actor, child, answers: dict[str, Any]) -> dict[str, str]:
    before = FormResponse.objects.count()
    with pytest.raises(RuleError) as e:
        response_submit(actor=actor, definition=definition, person=child, answers=answers)
    assert FormResponse.objects.count() == before
    return e.value.errors


def care_leaver(manager):
    young = person("Jade", "Hughes", date(2008, 3, 1))
    case_services.looked_after_start(
        actor=manager, person=young, started_on=date(2021, 1, 12), legal_status="C2", category_of_need="N1",
        home_postcode="LS1 4AP", placement_type="U6", placement_provider="PR1", placement_postcode="LS6 2AA",
        urn="SC123456",
    )  # fmt: skip
    case_services.looked_after_end(actor=manager, person=young, ended_on=date(2026, 1, 31), reason_ceased="E8")
    return young


def test_the_pathway_plan_records_a_care_leaver_contact_and_ssda903_oc3_reads_it(shipped, alice, manager, tmp_path):
    young = care_leaver(manager)
    submitted = submit(shipped["pathway-plan"], alice, young, PATHWAY)
    (contact,) = CareLeaverContact.objects.filter(person=young)
    assert (contact.contact_on, contact.in_touch, contact.activity, contact.accommodation) == (
        date(2026, 2, 10), "YES", "F2", "E1",
    )  # fmt: skip
    assert submitted.records == [contact] and contact.birthday == 18
    rows = ssda903_rows(tmp_path, "OC3", young)
    assert [(r["IN_TOUCH"], r["ACTIV"], r["ACCOM"]) for r in rows] == [("YES", "F2", "E1")]


def test_a_pathway_plan_while_still_looked_after_keeps_the_plan_with_the_form(shipped, alice, manager, child):
    looked_after(child, manager)
    submitted = submit(shipped["pathway-plan"], alice, child, PATHWAY)
    assert submitted.records == [] and not CareLeaverContact.objects.exists()
