"""cases.services.visits: a visit is recorded through recording, then completes the statutory visit that was due."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import ChildProtectionPlan, Task, TaskKind
from cases.services import visit_record
from cases.tests.services.helpers import at, open_tasks
from people.tests.factories import person
from recording.models import Visit, VisitType

pytestmark = pytest.mark.django_db


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


def test_seeing_a_looked_after_child_makes_the_next_statutory_visit_due(alice, manager):

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    start = timezone.localdate() - timedelta(days=20)
    services.looked_after_start(
        actor=manager, person=child, started_on=start, legal_status="C1", category_of_need="N1", home_postcode="LS1 4AP",
        placement_type="U6", placement_provider="PR1", placement_postcode="LS6 2AA", urn="SC123456",
    )  # fmt: skip
    first = Task.objects.get(person=child, kind=TaskKind.LAC_VISIT)
    services.visit_record(
        actor=alice, person=child, occurred_at=timezone.now() - timedelta(days=1), visit_type="placement",
        child_seen=True, seen_alone=True, notes="Settling in well",
    )  # fmt: skip
    first.refresh_from_db()
    assert first.completed_on is not None
    nxt = Task.objects.get(person=child, kind=TaskKind.LAC_VISIT, completed_on__isnull=True)
    assert nxt.due_on > timezone.localdate()
    # A visit from before the child was looked after is recorded as usual and makes no statutory visit task.
    services.visit_record(
        actor=alice, person=child, occurred_at=timezone.now() - timedelta(days=200), visit_type="home",
        child_seen=True, seen_alone=False, notes="Earlier visit",
    )  # fmt: skip
    assert Task.objects.filter(person=child, kind=TaskKind.LAC_VISIT, completed_on__isnull=True).count() == 1


def test_a_visit_in_which_the_child_was_not_seen_completes_nothing(alice, manager):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    services.looked_after_start(
        actor=manager, person=child, started_on=timezone.localdate() - timedelta(days=20), legal_status="C1",
        category_of_need="N1", home_postcode="LS1 4AP", placement_type="U6", placement_provider="PR1",
        placement_postcode="LS6 2AA", urn="SC123456",
    )  # fmt: skip
    visit = services.visit_record(
        actor=alice, person=child, occurred_at=timezone.now() - timedelta(days=1), visit_type="placement",
        child_seen=False, seen_alone=False, notes="Nobody home", not_seen_reason="Out at school trip",
    )  # fmt: skip
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert Task.objects.get(person=child, kind=TaskKind.LAC_VISIT).completed_on is None


@pytest.mark.usefixtures("team_a_holds")
def test_a_visit_corrected_from_not_seen_to_seen_completes_the_visit_that_was_due(alice, manager):
    """The worker ticked "not seen" by mistake and corrects it: the correction counts as the statutory visit; a
    correction that changes something else on a seen visit makes no second one."""
    from recording.services import visit_correct

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    services.looked_after_start(
        actor=manager, person=child, started_on=timezone.localdate() - timedelta(days=20), legal_status="C1",
        category_of_need="N1", home_postcode="LS1 4AP", placement_type="U6", placement_provider="PR1",
        placement_postcode="LS6 2AA", urn="SC123456",
    )  # fmt: skip
    visit = services.visit_record(
        actor=alice, person=child, occurred_at=timezone.now() - timedelta(days=1), visit_type="placement",
        child_seen=False, seen_alone=False, notes="Settling in", not_seen_reason="Asleep",
    )  # fmt: skip
    assert Task.objects.get(person=child, kind=TaskKind.LAC_VISIT).completed_on is None
    visit_correct(
        actor=alice, visit=visit, occurred_at=visit.occurred_at, visit_type="placement", child_seen=True, seen_alone=True,
        notes="Settling in", reason="I ticked not seen by mistake",
    )  # fmt: skip
    assert Task.objects.filter(person=child, kind=TaskKind.LAC_VISIT, completed_on__isnull=False).count() == 1
    assert Task.objects.filter(person=child, kind=TaskKind.LAC_VISIT, completed_on__isnull=True).count() == 1
    visit_correct(
        actor=alice, visit=visit, occurred_at=visit.occurred_at, visit_type="placement", child_seen=True, seen_alone=True,
        notes="Settling in well", reason="Clearer notes",
    )  # fmt: skip
    assert Task.objects.filter(person=child, kind=TaskKind.LAC_VISIT).count() == 2


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


def test_why_a_child_was_not_seen_fits_the_record(alice, child):
    from core.errors import RuleError

    with pytest.raises(RuleError) as e:
        visit_record(
            actor=alice, person=child, occurred_at=at(date(2026, 2, 2)), visit_type=VisitType.HOME, child_seen=False,
            seen_alone=False, notes="Nobody home", not_seen_reason="x" * 301,
        )  # fmt: skip
    assert e.value.errors == {"not_seen_reason": "Why the child was not seen must be 300 characters or fewer"}
    assert not Visit.objects.exists()
