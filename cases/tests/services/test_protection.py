"""Strategy discussion to child protection plan and back out (cases.services.protection)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from cases import services
from cases.models import ChildProtectionPlan, Task, TaskKind
from cases.tests.services.helpers import open_enquiry
from core.errors import RuleError

pytestmark = pytest.mark.django_db


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


def test_initial_conference_due_fifteen_working_days_from_strategy_across_easter(episode, alice):
    enquiry = open_enquiry(episode, alice, date(2026, 3, 27))
    assert enquiry.icpc_due_on == date(2026, 4, 21)  # Good Friday and Easter Monday skipped
    assert Task.objects.get(kind=TaskKind.ICPC).due_on == date(2026, 4, 21)


def test_strategy_discussion_before_referral_is_refused(episode, alice):
    with pytest.raises(RuleError, match="before the referral"):
        services.strategy_discussion_record(
            actor=alice,
            episode=episode,
            held_on=episode.referral_date - timedelta(days=1),
            agencies="Police",
            start_section_47=True,
        )


def test_no_plan_without_its_conference_and_enquiry_outcome(episode, alice):
    enquiry = open_enquiry(episode, alice)
    with pytest.raises(RuleError, match="needs an initial conference"):
        services.initial_conference_record(
            actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=True, category="NEG"
        )
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 3, 10), outcome="icpc")
    with pytest.raises(RuleError) as e:
        services.initial_conference_record(
            actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=True, category="XYZ"
        )
    assert "category" in e.value.errors


def test_plan_starts_at_conference_with_its_tasks(episode, alice):
    enquiry = open_enquiry(episode, alice)
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 3, 10), outcome="icpc")
    services.initial_conference_record(
        actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=True, category="NEG"
    )
    plan = ChildProtectionPlan.objects.get()
    assert (plan.started_on, plan.initial_category, plan.latest_category) == (date(2026, 3, 20), "NEG", "NEG")
    due = dict(Task.objects.filter(source_type="childprotectionplan").values_list("kind", "due_on"))
    assert due[TaskKind.CORE_GROUP] == date(2026, 4, 7)  # 10 working days: Good Friday and Easter Monday skipped
    assert due[TaskKind.CP_REVIEW] == date(2026, 6, 20)  # within 3 months
    assert due[TaskKind.CP_VISIT] == date(2026, 4, 7)  # 10 working days, the default local interval
    assert Task.objects.get(kind=TaskKind.ICPC).completed_on == date(2026, 3, 20)
    with pytest.raises(RuleError, match="already recorded"):
        services.initial_conference_record(
            actor=alice, enquiry=enquiry, held_on=date(2026, 3, 23), plan_needed=True, category="NEG"
        )


def test_two_open_plans_are_impossible_even_in_the_database(episode, alice):
    enquiry = open_enquiry(episode, alice)
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 3, 10), outcome="icpc")
    conference = services.initial_conference_record(
        actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=True, category="NEG"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildProtectionPlan.objects.create(
            episode=episode,
            person=episode.person,
            initial_conference=conference,
            started_on=date(2026, 3, 21),
            initial_category="PHY",
            latest_category="PHY",
        )


def test_review_conferences_then_plan_ends_and_case_closes(episode, alice, manager):
    enquiry = open_enquiry(episode, alice)
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 3, 10), outcome="icpc")
    services.initial_conference_record(
        actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=True, category="NEG"
    )
    plan = ChildProtectionPlan.objects.get()
    services.core_group_record(actor=alice, plan=plan, held_on=date(2026, 4, 1))
    with pytest.raises(RuleError, match=r"must be after the initial conference \(20 March 2026\)"):
        services.review_conference_record(actor=alice, plan=plan, held_on=date(2026, 3, 20), plan_continues=True)
    services.review_conference_record(
        actor=alice, plan=plan, held_on=date(2026, 6, 10), plan_continues=True, category="EMO"
    )
    with pytest.raises(RuleError, match=r"must be after the last conference \(10 June 2026\)"):
        services.review_conference_record(actor=alice, plan=plan, held_on=date(2026, 6, 10), plan_continues=True)
    plan.refresh_from_db()
    assert plan.latest_category == "EMO" and plan.initial_category == "NEG"
    assert Task.objects.filter(kind=TaskKind.CP_REVIEW, completed_on__isnull=True).get().due_on == date(2026, 12, 10)
    with pytest.raises(RuleError, match="why the plan is ending"):
        services.review_conference_record(actor=alice, plan=plan, held_on=date(2026, 9, 1), plan_continues=False)
    services.review_conference_record(
        actor=alice, plan=plan, held_on=date(2026, 9, 1), plan_continues=False, end_reason="Risks reduced"
    )
    plan.refresh_from_db()
    assert plan.ended_on == date(2026, 9, 1)
    assert not Task.objects.filter(
        source_type="childprotectionplan", completed_on__isnull=True, cancelled_on__isnull=True
    ).exists()
    # The assessment is still open: closure says what to do first.
    services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 3, 3))
    with pytest.raises(RuleError, match="complete and authorise the assessment"):
        services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 9, 2), reason="RC7")


def test_a_conference_records_its_chair_from_the_service_and_the_page(episode, alice):
    from django.urls import reverse

    from conftest import client_for

    services.strategy_discussion_record(
        actor=alice, episode=episode, held_on=date(2026, 1, 7), agencies="Police", start_section_47=True
    )
    enquiry = episode.section47_enquiries.get()
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 1, 14), outcome="icpc")
    with pytest.raises(RuleError) as e:
        services.initial_conference_record(
            actor=alice, enquiry=enquiry, held_on=date(2026, 1, 26), plan_needed=False, chair="x" * 151
        )
    assert e.value.errors == {"chair": "The chair's name must be 150 characters or fewer"}
    url = reverse("cases:step", args=[episode.person.pk, "initial-conference"])
    r = client_for(alice).post(
        url, {"held_on_0": 26, "held_on_1": 1, "held_on_2": 2026, "plan_needed": "yes", "category": "NEG",
              "chair": " Mary Boateng "},
    )  # fmt: skip
    assert r.status_code == 302
    conference = enquiry.conferences.get()
    assert conference.chair == "Mary Boateng"
    plan = ChildProtectionPlan.objects.get()
    with pytest.raises(RuleError) as e:
        services.review_conference_record(
            actor=alice, plan=plan, held_on=date(2026, 3, 2), plan_continues=False, end_reason="x" * 201
        )
    assert e.value.errors == {"end_reason": "Why the plan is ending must be 200 characters or fewer"}
    review = services.review_conference_record(
        actor=alice, plan=plan, held_on=date(2026, 3, 2), plan_continues=True, chair="Mary Boateng"
    )
    assert review.chair == "Mary Boateng"


def test_the_agencies_of_a_strategy_discussion_fit_the_record(episode, alice):
    with pytest.raises(RuleError) as e:
        services.strategy_discussion_record(
            actor=alice, episode=episode, held_on=date(2026, 1, 7), agencies="Police, " * 50, start_section_47=False
        )
    assert e.value.errors == {"agencies": "The agencies that took part must be 300 characters or fewer"}
