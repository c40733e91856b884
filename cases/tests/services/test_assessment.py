"""The child and family assessment (cases.services.assessment)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

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
    with pytest.raises(PermissionDenied, match="Only a team manager"):
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


def submitted(episode, alice):
    a = services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 6))
    services.assessment_record(actor=alice, assessment=a, factors=["3A"], summary="Found", outcome="cin_plan")
    return services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 1, 20))


def test_a_manager_returns_an_assessment_to_the_worker_with_the_reason(episode, alice, manager):
    from audit.models import AuditEvent
    from recording.models import ChronologyEntry

    a = submitted(episode, alice)
    with pytest.raises(PermissionDenied, match="Only a team manager"):
        services.assessment_return(actor=alice, assessment=a, reason="x", returned_on=date(2026, 1, 21))
    with pytest.raises(RuleError) as e:
        services.assessment_return(actor=manager, assessment=a, reason=" ", returned_on=date(2026, 1, 19))
    assert e.value.errors == {
        "returned_on": "The date it was returned cannot be before the assessment was submitted (20 January 2026)",
        "reason": "Enter what the worker needs to change",
    }
    services.assessment_return(
        actor=manager, assessment=a, reason="Say what the school told you", returned_on=date(2026, 1, 21)
    )
    a.refresh_from_db()
    assert a.status == "In progress" and a.submitted_on is None
    assert not Task.objects.open().filter(kind=TaskKind.ASSESSMENT_AUTHORISATION).exists()
    task = Task.objects.open().get(kind=TaskKind.ASSESSMENT)
    assert task.note == "Returned by Mo Tester on 21 January 2026: Say what the school told you"
    entry = ChronologyEntry.objects.get(title="Assessment returned to the worker")
    assert entry.summary == "Say what the school told you"
    event = AuditEvent.objects.filter(object_type="assessment", action="update").latest("id")
    assert event.changes["returned"] == {"on": "2026-01-21", "reason": "Say what the school told you"}
    # The worker changes it and submits again: the task no longer says it came back; the manager authorises.
    services.assessment_record(actor=alice, assessment=a, factors=["3A", "2B"], summary="More", outcome="cin_plan")
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 1, 22))
    assert Task.objects.open().get(kind=TaskKind.ASSESSMENT).note == ""
    services.assessment_authorise(
        actor=manager, assessment=a, authorised_on=date(2026, 1, 23), comments="Thorough: well done"
    )
    a.refresh_from_db()
    assert a.authorisation_comments == "Thorough: well done"
    assert (
        "Manager's comments: Thorough: well done"
        in ChronologyEntry.objects.get(title__startswith="Assessment auth").summary
    )
    with pytest.raises(RuleError, match="already authorised"):
        services.assessment_return(actor=manager, assessment=a, reason="x")
