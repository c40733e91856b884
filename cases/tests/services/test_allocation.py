"""Allocating a child to a worker (cases.services.allocation)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from cases import services
from core.errors import RuleError

pytestmark = pytest.mark.django_db


def test_first_contact_is_not_a_reason_to_change_worker(child, alice, bob, manager):
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="Referral")
    with pytest.raises(RuleError) as e:
        services.allocate(
            actor=manager, person=child, worker=bob, started_on=date(2026, 2, 1), reason="x", change_reason="FCONTA"
        )
    assert "not a change of worker" in e.value.errors["change_reason"]


def test_allocation_keeps_every_social_worker_episode(child, alice, bob, manager):
    first = services.allocate(
        actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="New referral"
    )
    with pytest.raises(PermissionDenied, match="Only a team manager"):
        services.allocate(
            actor=alice, person=child, worker=bob, started_on=date(2026, 2, 1), reason="x", change_reason="LEFTRL"
        )
    with pytest.raises(RuleError) as e:
        services.allocate(actor=manager, person=child, worker=bob, started_on=date(2026, 2, 1), reason="Alice left")
    assert "change_reason" in e.value.errors
    services.allocate(
        actor=manager,
        person=child,
        worker=bob,
        started_on=date(2026, 2, 1),
        reason="Alice left",
        change_reason="LEFTRL",
    )
    first.refresh_from_db()
    assert (first.ended_on, first.end_reason) == (date(2026, 1, 31), "LEFTRL")
    assert child.allocations.count() == 2
    with pytest.raises(RuleError, match="already allocated"):
        services.allocate(
            actor=manager, person=child, worker=bob, started_on=date(2026, 3, 1), reason="x", change_reason="MANAGE"
        )


def test_an_allocation_cannot_start_before_the_referral(episode, alice, manager):
    with pytest.raises(RuleError) as e:
        services.allocate(actor=manager, person=episode.person, worker=alice, started_on=date(2026, 1, 4), reason="x")
    assert e.value.errors == {"started_on": "The allocation date cannot be before the referral (5 January 2026)"}
    services.allocate(actor=manager, person=episode.person, worker=alice, started_on=date(2026, 1, 5), reason="New")


def test_a_reallocation_must_start_after_the_current_allocation(child, alice, bob, manager):
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="Referral")
    with pytest.raises(RuleError) as e:
        services.allocate(
            actor=manager, person=child, worker=bob, started_on=date(2026, 1, 5), reason="x", change_reason="LEFTRL"
        )
    assert e.value.errors["started_on"] == (
        "The allocation date must be after the current allocation started (5 January 2026)"
    )


def test_work_before_the_birth_can_be_recorded_after_it(alice, manager, team_a):
    # Pre-birth work recorded later: the referral and the worker came before the birth, which is now on the record.
    from django.utils import timezone

    from people.tests.factories import person

    today = timezone.localdate()
    baby = person("Baby", "Lord", today - timedelta(days=10))
    services.referral_create(
        actor=manager,
        person=baby,
        referral_date=today - timedelta(days=60),
        source="1B",
        primary_need="N1",
        team=team_a,
    )
    allocation = services.allocate(
        actor=manager, person=baby, worker=alice, started_on=today - timedelta(days=50), reason="Pre-birth assessment"
    )
    assert allocation.started_on < baby.date_of_birth
