"""cases.services.visits: a visit is recorded through recording, then completes the statutory visit that was due."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Task, TaskKind
from people.tests.factories import person
from recording.models import Visit

pytestmark = pytest.mark.django_db


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
