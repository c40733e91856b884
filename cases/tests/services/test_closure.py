"""Closing a case (cases.services.closure)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import services
from cases import services as la
from cases.models import Allocation
from cases.tests.services.helpers import FOSTER, assess, open_enquiry
from core.errors import RuleError
from people.tests.factories import person

pytestmark = pytest.mark.django_db


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


def test_closure_is_refused_while_work_is_open(child, alice, manager, team_a):
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 6))
    with pytest.raises(RuleError, match="complete and authorise the assessment"):
        services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 1, 20), reason="RC8")
    with pytest.raises(RuleError) as e:
        services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 1, 20), reason="RC99")
    assert "reason" in e.value.errors


def test_closure_refused_while_a_plan_is_open(episode, alice, manager):
    enquiry = open_enquiry(episode, alice)
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 3, 10), outcome="icpc")
    services.initial_conference_record(
        actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=True, category="NEG"
    )
    with pytest.raises(RuleError, match="end the child protection plan"):
        services.episode_close(actor=manager, episode=episode, closure_date=date(2026, 4, 1), reason="RC7")
