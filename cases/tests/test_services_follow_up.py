"""What keeps a plan or a period of care on time after it starts: child in need plan reviews, visits to children on
child protection plans, statutory health assessments; and what a decision or a closure leaves behind (the decision's
time, the allocation)."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases import services as la
from cases.models import (
    Allocation,
    ChildInNeedPlanReview,
    ChildProtectionPlan,
    HealthAssessment,
    Task,
    TaskKind,
)
from cases.rules import timescales
from cases.services import visit_record
from cases.services.kernel import ordinal
from core.errors import RuleError
from people.tests.factories import person
from recording.models import ChronologyEntry, VisitType

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def open_tasks(who, kind):
    return Task.objects.filter(person=who, kind=kind, completed_on__isnull=True, cancelled_on__isnull=True)


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


@pytest.fixture
def episode(child, manager, team_a):
    return services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )


def assess(episode, worker, manager, outcome, day=date(2026, 1, 20)):
    a = services.assessment_start(actor=worker, episode=episode, started_on=date(2026, 1, 6))
    services.assessment_record(actor=worker, assessment=a, factors=["3A"], summary="", outcome=outcome)
    services.assessment_submit(actor=worker, assessment=a, submitted_on=day)
    services.assessment_authorise(actor=manager, assessment=a, authorised_on=day)


# --- child in need plan reviews ---------------------------------------------------------------------------------


def test_cin_plan_review_completes_the_due_review_and_makes_the_next(episode, alice, manager):
    assess(episode, alice, manager, "cin_plan")
    plan = services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 21))
    assert open_tasks(episode.person, TaskKind.CIN_REVIEW).get().due_on == date(2026, 4, 21)
    for bad, field in [
        (date(2026, 1, 20), "held_on"),  # before the plan
        (date(2099, 1, 1), "held_on"),  # in the future
        (None, "held_on"),
    ]:
        with pytest.raises(RuleError) as e:
            services.cin_plan_review_record(actor=alice, plan=plan, held_on=bad)
        assert field in e.value.errors
    review = services.cin_plan_review_record(
        actor=alice, plan=plan, held_on=date(2026, 4, 28), summary="Attendance better; actions carried forward."
    )
    assert review.summary == "Attendance better; actions carried forward." and review.plan_continues
    reviews = Task.objects.filter(kind=TaskKind.CIN_REVIEW).order_by("due_on")
    assert [(t.due_on, t.completed_on) for t in reviews] == [
        (date(2026, 4, 21), date(2026, 4, 28)),  # done a week late: the dashboards count it late
        (date(2026, 7, 28), None),  # the next, 3 months from the review (the default local interval)
    ]
    assert ChronologyEntry.objects.get(source_type="childinneedplanreview").title == (
        "Child in need plan review: plan continues"
    )
    assert AuditEvent.objects.filter(object_type="childinneedplanreview", action="create").exists()
    with pytest.raises(RuleError, match="after the last one"):
        services.cin_plan_review_record(actor=alice, plan=plan, held_on=date(2026, 4, 28))
    services.cin_plan_review_record(actor=alice, plan=plan, held_on=date(2026, 7, 20), plan_continues=False)
    plan.refresh_from_db()
    assert plan.ended_on == date(2026, 7, 20)
    assert not open_tasks(episode.person, TaskKind.CIN_REVIEW).exists()
    assert ChildInNeedPlanReview.objects.filter(plan=plan).count() == 2
    with pytest.raises(RuleError, match="ended on 20 July 2026"):
        services.cin_plan_review_record(actor=alice, plan=plan, held_on=date(2026, 8, 1))


# --- visits to children on child protection plans ---------------------------------------------------------------


def cp_plan(episode, worker):
    services.strategy_discussion_record(
        actor=worker, episode=episode, held_on=date(2026, 1, 7), agencies="Police", start_section_47=True
    )
    enquiry = episode.section47_enquiries.get()
    services.section47_complete(actor=worker, enquiry=enquiry, completed_on=date(2026, 1, 14), outcome="icpc")
    services.initial_conference_record(
        actor=worker, enquiry=enquiry, held_on=date(2026, 1, 26), plan_needed=True, category="NEG"
    )
    return ChildProtectionPlan.objects.get(person=episode.person)


def visit(worker, child, day, seen=True):
    return visit_record(
        actor=worker, person=child, occurred_at=at(day), visit_type=VisitType.HOME, child_seen=seen,
        seen_alone=seen, notes="Home visit", not_seen_reason="" if seen else "Nobody answered",
    )  # fmt: skip


def test_visit_to_a_child_on_a_plan_completes_the_due_visit_and_makes_the_next(episode, alice):
    child = episode.person
    cp_plan(episode, alice)
    assert open_tasks(child, TaskKind.CP_VISIT).get().due_on == date(2026, 2, 9)  # 10 working days
    visit(alice, child, date(2026, 2, 3), seen=False)  # the child was not seen: it does not count
    assert open_tasks(child, TaskKind.CP_VISIT).get().due_on == date(2026, 2, 9)
    visit(alice, child, date(2026, 2, 5))
    done = Task.objects.filter(kind=TaskKind.CP_VISIT).order_by("due_on")
    assert [(t.due_on, t.completed_on) for t in done] == [
        (date(2026, 2, 9), date(2026, 2, 5)),
        (date(2026, 2, 19), None),  # 10 working days after Thursday 5 February
    ]
    visit(alice, child, date(2026, 2, 4))  # an earlier visit written up late: the next due date stays
    assert open_tasks(child, TaskKind.CP_VISIT).get().due_on == date(2026, 2, 19)


def test_visit_before_or_without_a_plan_makes_no_plan_visit_task(episode, alice):
    child = episode.person
    visit(alice, child, date(2026, 1, 10))
    assert not Task.objects.filter(kind=TaskKind.CP_VISIT).exists()


# --- statutory health assessments -------------------------------------------------------------------------------

FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}


def test_initial_then_review_health_assessments(manager, alice):
    toddler = person("Ruby", "Cole", date(2022, 5, 10))
    la.looked_after_start(
        actor=manager, person=toddler, started_on=date(2025, 12, 1), legal_status="C2", category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    # 20 working days from Monday 1 December 2025: 17 to Christmas Eve, Christmas and Boxing Day skipped, 31st the 20th
    assert open_tasks(toddler, TaskKind.LAC_HEALTH_ASSESSMENT).get().due_on == date(2025, 12, 31)
    with pytest.raises(RuleError, match="was not looked after on 20 November 2025"):
        la.health_assessment_record(actor=alice, person=toddler, assessed_on=date(2025, 11, 20))
    first = la.health_assessment_record(
        actor=alice, person=toddler, assessed_on=date(2026, 1, 8), assessed_by="Community paediatrician"
    )
    assert first.kind == "initial"
    iha = Task.objects.get(person=toddler, kind=TaskKind.LAC_HEALTH_ASSESSMENT)
    assert iha.completed_on == date(2026, 1, 8)  # late: due 31 December
    assert open_tasks(toddler, TaskKind.LAC_HEALTH_REVIEW).get().due_on == date(2026, 7, 8)  # 6 months: under 5
    with pytest.raises(RuleError, match="already recorded"):
        la.health_assessment_record(actor=alice, person=toddler, assessed_on=date(2026, 1, 8))
    second = la.health_assessment_record(actor=alice, person=toddler, assessed_on=date(2026, 7, 1))
    assert second.kind == "review"
    # Turned 5 in May 2027? Not yet: 4 on 1 July 2026, so the next is 6 months on again.
    assert open_tasks(toddler, TaskKind.LAC_HEALTH_REVIEW).get().due_on == date(2027, 1, 1)
    assert HealthAssessment.objects.filter(person=toddler).count() == 2
    assert AuditEvent.objects.filter(object_type="healthassessment", action="create").count() == 2
    la.looked_after_end(actor=manager, person=toddler, ended_on=date(2026, 8, 1), reason_ceased="E13")
    assert not open_tasks(toddler, TaskKind.LAC_HEALTH_REVIEW).exists()


def test_review_health_assessments_are_yearly_from_five():
    assert timescales.review_health_assessment_due(date(2015, 3, 27), date(2026, 2, 1)) == date(2027, 2, 1)
    assert timescales.review_health_assessment_due(date(2021, 3, 27), date(2026, 2, 1)) == date(2026, 8, 1)


# --- decisions and closures -------------------------------------------------------------------------------------


def test_a_decision_made_earlier_is_recorded_with_its_time(child, support, manager, team_a):
    c = services.contact_record(
        actor=support, person=child, received_at=at(date(2026, 1, 5), 9), source="6", concern="Police call-out"
    )
    with pytest.raises(RuleError, match="before the contact came in"):
        services.contact_decide(
            actor=manager, contact=c, decision="nfa", reason="Advice given", decided_at=at(date(2026, 1, 5), 8)
        )
    with pytest.raises(RuleError, match="now or in the past"):
        services.contact_decide(
            actor=manager, contact=c, decision="nfa", reason="Advice given", decided_at=at(date(2099, 1, 1))
        )
    services.contact_decide(
        actor=manager, contact=c, decision="nfa", reason="Advice given", decided_at=at(date(2026, 1, 6), 16)
    )
    c.refresh_from_db()
    assert timezone.localtime(c.decided_at) == at(date(2026, 1, 6), 16)
    assert Task.objects.get(kind=TaskKind.CONTACT_DECISION).completed_on == date(2026, 1, 6)


def test_closing_a_case_ends_the_allocation(episode, alice, manager):
    child = episode.person
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 6), reason="New referral")
    assess(episode, alice, manager, "nfa")
    services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 1, 21), reason="RC8")
    allocation = Allocation.objects.get(person=child)
    assert allocation.ended_on == date(2026, 1, 21)
    event = AuditEvent.objects.get(object_type="cinepisode", action="close")
    assert event.changes["allocation_ended_on"]["new"] == "2026-01-21"


def test_a_care_leaver_keeps_their_worker_when_the_case_closes(alice, manager, team_a):
    young = person("Kai", "Brennan", date(2008, 1, 15))
    episode = services.referral_create(
        actor=manager, person=young, referral_date=date(2024, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    services.allocate(actor=manager, person=young, worker=alice, started_on=date(2024, 1, 5), reason="Referral")
    la.looked_after_start(
        actor=manager, person=young, started_on=date(2024, 1, 8), legal_status="V2", category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    a = services.assessment_start(actor=alice, episode=episode, started_on=date(2024, 1, 8))
    services.assessment_record(actor=alice, assessment=a, factors=["3A"], summary="", outcome="cin_plan")
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2024, 2, 1))
    services.assessment_authorise(actor=manager, assessment=a, authorised_on=date(2024, 2, 2))
    la.looked_after_end(actor=manager, person=young, ended_on=date(2026, 1, 15), reason_ceased="E5")
    services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 1, 15), reason="RC7")
    assert Allocation.objects.get(person=young).ended_on is None  # now their personal adviser


def test_first_contact_is_not_a_reason_to_change_worker(child, alice, bob, manager):
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="Referral")
    with pytest.raises(RuleError) as e:
        services.allocate(
            actor=manager, person=child, worker=bob, started_on=date(2026, 2, 1), reason="x", change_reason="FCONTA"
        )
    assert "not a change of worker" in e.value.errors["change_reason"]


def test_care_leaver_contact_titles_use_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 17, 21, 22, 23)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "17th", "21st", "22nd", "23rd",
    ]  # fmt: skip


# --- the review as a page ---------------------------------------------------------------------------------------


def test_cin_plan_review_page_from_the_record(episode, alice, manager):
    from django.urls import reverse

    from cases.tests.test_looked_after_pages import errors, post, record
    from conftest import client_for

    child = episode.person
    assess(episode, alice, manager, "cin_plan")
    services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 21))
    c = client_for(alice)
    assert f'href="{reverse("cases:step", args=[child.pk, "cin-plan-review"])}"' in record(c, child)
    summary = errors(post(c, child, "cin-plan-review", held_on=date(2026, 1, 1), plan_continues="yes"))
    assert "cannot be before the plan started" in summary
    assert not ChildInNeedPlanReview.objects.exists()
    r = post(c, child, "cin-plan-review", held_on=date(2026, 4, 20), plan_continues="yes", summary="Going well")
    assert r.status_code == 302
    assert ChildInNeedPlanReview.objects.get().summary == "Going well"
    assert "Child in need plan review: plan continues" in record(c, child)


def test_cin_plan_review_through_the_api(episode, alice, manager, charlie):
    import json

    from conftest import client_for

    assess(episode, alice, manager, "cin_plan")
    plan = services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 21))
    url = f"/api/v1/cases/child-in-need-plans/{plan.pk}/reviews"

    def post(user, body):
        return client_for(user).post(url, json.dumps(body), content_type="application/json")

    r = post(alice, {"held_on": "2026-01-01"})
    assert r.status_code == 422 and "held_on" in r.json()["errors"]
    assert post(charlie, {"held_on": "2026-04-20"}).status_code == 403
    r = post(alice, {"held_on": "2026-04-20", "summary": "Going well"})
    assert r.status_code == 201
    assert ChildInNeedPlanReview.objects.get(pk=r.json()["id"]).summary == "Going well"
    assert (
        "/api/v1/cases/child-in-need-plans/{plan_id}/reviews"
        in client_for(alice).get("/api/v1/openapi.json").content.decode()
    )


# --- what DfE's rules refuse, refused at the door ----------------------------------------------------------------


def test_initial_conference_on_a_weekend_or_bank_holiday_is_refused(episode, alice):
    services.strategy_discussion_record(
        actor=alice, episode=episode, held_on=date(2026, 1, 7), agencies="Police", start_section_47=True
    )
    enquiry = episode.section47_enquiries.get()
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 1, 14), outcome="icpc")
    for day in (date(2026, 1, 24), date(2026, 4, 6)):  # a Saturday; Easter Monday
        with pytest.raises(RuleError) as e:
            services.initial_conference_record(
                actor=alice, enquiry=enquiry, held_on=day, plan_needed=True, category="NEG"
            )
        assert "not a working day" in e.value.errors["held_on"]
    assert not ChildProtectionPlan.objects.exists()
    services.initial_conference_record(
        actor=alice, enquiry=enquiry, held_on=date(2026, 1, 26), plan_needed=True, category="NEG"
    )


def test_referral_more_than_40_weeks_before_the_expected_birth_is_refused(manager, team_a):
    from datetime import timedelta

    today = timezone.localdate()
    unborn = person("Baby", "Cole", None, expected_date_of_birth=today + timedelta(days=100))
    with pytest.raises(RuleError) as e:
        services.referral_create(
            actor=manager, person=unborn, referral_date=today - timedelta(days=200), source="3E", primary_need="N1",
            team=team_a,
        )  # fmt: skip
    assert "rule 8606" in e.value.errors["referral_date"]
    episode = services.referral_create(
        actor=manager, person=unborn, referral_date=today - timedelta(days=30), source="3E", primary_need="N1",
        team=team_a,
    )  # fmt: skip
    assert episode.referral_date == today - timedelta(days=30)


def test_staying_put_needs_a_foster_placement(manager):
    young = person("Kai", "Brennan", date(2008, 1, 15))
    la.looked_after_start(
        actor=manager, person=young, started_on=date(2024, 1, 8), legal_status="V2", category_of_need="N1",
        home_postcode="LS1 4AP", placement_type="K2", placement_provider="PR4", placement_postcode="LS11 5DR",
        urn="SC654321",
    )  # fmt: skip
    with pytest.raises(RuleError) as e:
        la.looked_after_end(actor=manager, person=young, ended_on=date(2026, 1, 15), reason_ceased="E45")
    assert "rule 516" in e.value.errors["reason_ceased"]
    ended = la.looked_after_end(actor=manager, person=young, ended_on=date(2026, 1, 15), reason_ceased="E5")
    assert ended.reason_ceased == "E5"
