"""Looked-after reviews and statutory visits (cases.services.looked_after.reviews_and_visits)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import services as svc
from cases.models import Task, TaskKind
from cases.rules.looked_after import Placement
from cases.services.looked_after.episodes_read import next_statutory_visit_due
from cases.tests.services.helpers import open_tasks, start
from core.errors import RuleError
from people.tests.factories import person
from recording.models import ChronologyEntry

pytestmark = pytest.mark.django_db


def test_reviews_second_within_three_months_then_six(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    assert Task.objects.get(kind=TaskKind.LAC_REVIEW, due_on=date(2026, 1, 26)).completed_on == date(2026, 1, 21)
    assert open_tasks(child, TaskKind.LAC_REVIEW).get().due_on == date(2026, 4, 21)
    svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 4, 14), participation="PN5")
    assert open_tasks(child, TaskKind.LAC_REVIEW).get().due_on == date(2026, 10, 14)
    assert ChronologyEntry.objects.filter(person=child, title="Looked-after review (first)").exists()
    assert AuditEvent.objects.filter(object_type="lookedafterreview", action="create").count() == 2


def test_review_refusals(child, manager, alice):
    with pytest.raises(RuleError) as e:
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    assert "was not looked after" in e.value.errors["held_on"]
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN9")
    assert set(e.value.errors) == {"participation"}
    with pytest.raises(RuleError, match="4 or over at the review: select how the child took part"):
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN0")
    svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    with pytest.raises(RuleError, match="recorded in order"):
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    baby = person("Ava", "Khan", date(2024, 6, 1))
    start(manager, baby, date(2025, 12, 24))
    with pytest.raises(RuleError, match=r"under 4 at the review: select \"child under 4 at the time of the review\""):
        svc.lac_review_record(actor=alice, person=baby, held_on=date(2026, 1, 21), participation="PN1")
    assert svc.lac_review_record(actor=alice, person=baby, held_on=date(2026, 1, 21), participation="PN0")


def test_no_reviews_for_short_breaks(manager, alice):
    respite = person("Ella", "Moss", date(2014, 2, 2))
    start(manager, respite, date(2026, 1, 2), legal_status="V3")
    with pytest.raises(RuleError, match="Reviews are not recorded for a child on short breaks"):
        svc.lac_review_record(actor=alice, person=respite, held_on=date(2026, 1, 3), participation="PN1")


def test_visits_every_six_weeks_in_the_first_year(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    task = svc.statutory_visit_recorded(actor=alice, person=child, visited_on=date(2025, 12, 30))
    assert Task.objects.get(kind=TaskKind.LAC_VISIT, due_on=date(2025, 12, 31)).completed_on == date(2025, 12, 30)
    assert task.due_on == date(2026, 2, 10) and open_tasks(child, TaskKind.LAC_VISIT).get() == task
    assert AuditEvent.objects.filter(object_type="task", action="create", person_id=child.pk).exists()


def test_after_a_year_long_term_placements_are_visited_every_three_months(manager, alice):
    long_term = person("Mia", "Shah", date(2012, 9, 9))
    start(manager, long_term, date(2024, 1, 10), placement_type="U4")
    assert next_statutory_visit_due(long_term, date(2024, 12, 1)) == date(2025, 1, 12)  # first year: 6 weeks
    assert next_statutory_visit_due(long_term, date(2025, 3, 1)) == date(2025, 6, 1)  # then 3 months
    short_term = person("Jack", "Wood", date(2012, 9, 9))
    start(manager, short_term, date(2024, 1, 10), placement_type="U6")
    assert next_statutory_visit_due(short_term, date(2025, 3, 1)) == date(2025, 4, 12)  # otherwise 6 weeks
    assert next_statutory_visit_due(short_term, date(2023, 3, 1)) is None  # not looked after then


def test_a_new_placement_starts_the_visiting_clock_again_but_same_carers_do_not(manager, alice):
    young = person("Finn", "Hale", date(2013, 3, 3))
    start(manager, young, date(2024, 1, 10), placement_type="U6")
    made_long_term = Placement(type="U4", provider="PR1", postcode="LS6 2AA", urn="SC123456")
    svc.looked_after_change(
        actor=alice, person=young, changed_on=date(2025, 2, 3), placement=made_long_term, reason_place_change="CARPL",
        same_carers=True,
    )  # fmt: skip
    assert open_tasks(young, TaskKind.LAC_VISIT).get().due_on == date(2024, 1, 17)  # unchanged: same carers
    assert next_statutory_visit_due(young, date(2025, 3, 1)) == date(2025, 6, 1)  # placement began in 2024
    moved = Placement(type="U4", provider="PR4", postcode="M1 1AE", urn="SC654321")
    svc.looked_after_change(
        actor=alice, person=young, changed_on=date(2025, 4, 7), placement=moved, reason_place_change="CREQB"
    )
    assert open_tasks(young, TaskKind.LAC_VISIT).get().due_on == date(2025, 4, 14)  # within a week of the new one
    assert next_statutory_visit_due(young, date(2025, 5, 1)) == date(2025, 6, 12)  # its first year: 6 weeks


def test_statutory_visit_refused_when_not_looked_after(child, alice, manager):
    with pytest.raises(RuleError) as e:
        svc.statutory_visit_recorded(actor=alice, person=child, visited_on=date(2026, 1, 2))
    assert "no visit was due then" in e.value.errors["visited_on"]
    start(manager, child, date(2025, 12, 24))
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E4A")
    assert svc.statutory_visit_recorded(actor=alice, person=child, visited_on=date(2026, 1, 8)) is None
