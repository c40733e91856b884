"""Child in need plans and their reviews (cases.services.child_in_need)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import services
from cases.models import ChildInNeedPlanReview, Task, TaskKind
from cases.tests.services.helpers import assess, open_tasks
from core.errors import RuleError
from recording.models import ChronologyEntry

pytestmark = pytest.mark.django_db


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
    with pytest.raises(RuleError, match="The review date must be after the last review"):
        services.cin_plan_review_record(actor=alice, plan=plan, held_on=date(2026, 4, 28))
    services.cin_plan_review_record(actor=alice, plan=plan, held_on=date(2026, 7, 20), plan_continues=False)
    plan.refresh_from_db()
    assert plan.ended_on == date(2026, 7, 20)
    assert not open_tasks(episode.person, TaskKind.CIN_REVIEW).exists()
    assert ChildInNeedPlanReview.objects.filter(plan=plan).count() == 2
    with pytest.raises(RuleError, match="ended on 20 July 2026"):
        services.cin_plan_review_record(actor=alice, plan=plan, held_on=date(2026, 8, 1))


def test_cin_plan_needs_an_authorised_assessment_recommending_it(episode, alice, manager):
    with pytest.raises(RuleError, match="authorised assessment"):
        services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 3, 20))
    a = services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 3, 3))
    services.assessment_record(actor=alice, assessment=a, factors=["3A"], summary="", outcome="cin_plan")
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 3, 16))
    services.assessment_authorise(actor=manager, assessment=a, authorised_on=date(2026, 3, 17))
    plan = services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 3, 20))
    assert Task.objects.get(kind=TaskKind.CIN_REVIEW).due_on == date(2026, 6, 20)
    with pytest.raises(RuleError, match="already has an open child in need plan"):
        services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 3, 21))
    services.cin_plan_end(actor=alice, plan=plan, ended_on=date(2026, 9, 1))
    closed = services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 9, 1), reason="RC7")
    assert closed.closure_date == date(2026, 9, 1)
