"""The child and family assessment (cases.services.assessment)."""

from datetime import date

import pytest

from cases import services
from cases.models import Task, TaskKind
from core.errors import RuleError

pytestmark = pytest.mark.django_db


def test_assessment_order_dates_and_authorisation(child, alice, manager, team_a):
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    with pytest.raises(RuleError, match="before the referral"):
        services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 2))
    a = services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 6))
    assert a.due_on == date(2026, 3, 9)
    with pytest.raises(RuleError, match="already in progress"):
        services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 7))
    with pytest.raises(RuleError, match="Factor 21"):
        services.assessment_record(actor=alice, assessment=a, factors=["21", "3A"], summary="", outcome="cin_plan")
    with pytest.raises(RuleError):
        services.assessment_record(actor=alice, assessment=a, factors=["99Z"], summary="", outcome="cin_plan")
    with pytest.raises(RuleError, match="must be submitted"):
        services.assessment_authorise(actor=manager, assessment=a)
    services.assessment_record(
        actor=alice, assessment=a, factors=["3A", "4B"], summary="Domestic abuse at home", outcome="cin_plan"
    )
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 2, 2))
    with pytest.raises(RuleError, match="submitted"):
        services.assessment_record(actor=alice, assessment=a, factors=["3A"], summary="", outcome="nfa")
    with pytest.raises(RuleError, match="Only a team manager"):
        services.assessment_authorise(actor=alice, assessment=a)
    services.assessment_authorise(actor=manager, assessment=a, authorised_on=date(2026, 2, 3))
    assert Task.objects.get(kind=TaskKind.ASSESSMENT).completed_on == date(2026, 2, 3)
    assert Task.objects.get(kind=TaskKind.ASSESSMENT_AUTHORISATION).completed_on == date(2026, 2, 3)


def test_manager_cannot_authorise_their_own_assessment(child, manager, team_a):
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    a = services.assessment_start(actor=manager, episode=episode, started_on=date(2026, 1, 5))
    services.assessment_record(actor=manager, assessment=a, factors=["21"], summary="", outcome="nfa")
    services.assessment_submit(actor=manager, assessment=a, submitted_on=date(2026, 1, 6))
    with pytest.raises(RuleError, match="another manager"):
        services.assessment_authorise(actor=manager, assessment=a)
