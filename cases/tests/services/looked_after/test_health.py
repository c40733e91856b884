"""Health outcomes (OC2) and statutory health assessments (cases.services.looked_after.health)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as la
from cases import services as svc
from cases.models import HealthAssessment, LookedAfterEpisode, Task, TaskKind
from cases.models_looked_after import HealthRecord
from cases.rules import timescales
from cases.tests.services.helpers import FOSTER, open_tasks, start
from core.errors import RuleError
from people.tests.factories import person

pytestmark = pytest.mark.django_db


HEALTHY = {"immunisations": True, "teeth_check": True, "health_assessment": True, "substance_misuse": False}


def test_health_record_for_a_child_of_eleven(child, manager, alice):
    year = date(2026, 3, 31)
    start(manager, child, date(2025, 4, 2))
    with pytest.raises(
        RuleError, match="outcomes are only for children who were"
    ):  # looked after from 2 April: not the whole year
        svc.health_record_for_year(
            actor=alice, person=child, year_ending=year, sdq_score=12, convicted=False, **HEALTHY
        )
    LookedAfterEpisode.objects.filter(person=child).update(started_on=date(2025, 4, 1))
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(actor=alice, person=child, year_ending=year)
    assert set(e.value.errors) == {"sdq_score", "convicted", *HEALTHY}
    for bad, field in [
        ({"sdq_score": 41}, "sdq_score"),
        ({"sdq_score": 12, "sdq_reason": "SDQ2"}, "sdq_reason"),
        ({"sdq_reason": "SDQ1"}, "sdq_reason"),
        ({"sdq_score": 12, "health_check": True}, "health_check"),
    ]:
        with pytest.raises(RuleError) as e:
            svc.health_record_for_year(actor=alice, person=child, year_ending=year, convicted=False, **HEALTHY, **bad)
        assert set(e.value.errors) == {field}
    misuse = {**HEALTHY, "substance_misuse": True}
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(
            actor=alice, person=child, year_ending=year, sdq_score=12, convicted=False, intervention_received=False,
            **misuse,
        )  # fmt: skip
    assert "Select whether an intervention was offered" in e.value.errors["intervention_offered"]
    row = svc.health_record_for_year(
        actor=alice, person=child, year_ending=year, sdq_score=12, convicted=False, intervention_received=False,
        intervention_offered=True, **misuse,
    )  # fmt: skip
    assert row.sdq_score == 12 and row.intervention_offered is True
    again = svc.health_record_for_year(
        actor=alice, person=child, year_ending=year, sdq_reason="SDQ2", convicted=False, **HEALTHY
    )
    assert again.pk == row.pk and again.sdq_score is None and again.intervention_offered is None
    assert AuditEvent.objects.filter(object_type="healthrecord", action="update").exists()
    with pytest.raises(RuleError, match="31 March"):
        svc.health_record_for_year(actor=alice, person=child, year_ending=date(2026, 4, 1), **HEALTHY)


def test_health_record_for_a_child_of_three_has_no_sdq_or_convictions(manager, alice):
    toddler = person("Zara", "Ali", date(2022, 6, 1))
    start(manager, toddler, date(2025, 3, 3))
    year = date(2026, 3, 31)
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(
            actor=alice, person=toddler, year_ending=year, sdq_score=3, convicted=False, **HEALTHY
        )
    assert set(e.value.errors) == {"sdq_score", "convicted", "health_check"}
    assert "only for children aged 4 to 17" in e.value.errors["sdq_score"]
    row = svc.health_record_for_year(actor=alice, person=toddler, year_ending=year, health_check=True, **HEALTHY)
    assert row.health_check is True and row.convicted is None


def test_a_child_who_turned_17_in_the_year_still_has_an_sdq_and_one_aged_18_has_none(manager, alice):
    seventeen = person("Kai", "Brennan", date(2008, 9, 1))  # 17 on 1 September 2025
    start(manager, seventeen, date(2024, 3, 1))
    year = date(2026, 3, 31)
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(actor=alice, person=seventeen, year_ending=year, convicted=False, **HEALTHY)
    assert "Enter the SDQ score, or the reason there is none" in e.value.errors["sdq_score"]
    row = svc.health_record_for_year(
        actor=alice, person=seventeen, year_ending=year, sdq_reason="SDQ1", convicted=False, **HEALTHY
    )  # over 16 at the year's end: SDQ1 is allowed (rule 157)
    assert row.sdq_reason == "SDQ1"
    older = person("Lena", "Brennan", date(2007, 9, 1))  # 18 in September 2025
    start(manager, older, date(2024, 3, 1))
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(
            actor=alice, person=older, year_ending=year, sdq_score=20, convicted=False, **HEALTHY
        )
    assert "only for children aged 4 to 17" in e.value.errors["sdq_score"]


def test_database_keeps_sdq_scores_in_range(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthRecord.objects.create(person=child, year_ending=date(2026, 3, 31), sdq_score=41)
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthRecord.objects.create(person=child, year_ending=date(2026, 3, 30))


def test_health_year_must_have_ended(child, manager, alice):
    start(manager, child, date(2024, 1, 2))
    next_year = date(timezone.localdate().year + 1, 3, 31)
    with pytest.raises(RuleError, match="can be recorded from 31 March"):
        svc.health_record_for_year(actor=alice, person=child, year_ending=next_year, **HEALTHY)


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
