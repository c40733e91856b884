"""29 February through the real services, as the journeys call them: the generator used to move referral dates off
29 February (referral_create failed on the day after a referral dated 29 February) and to skip visits to children born
on 29 February (visit_record failed for them). Both bugs are fixed (core.dates holds the one birthday rule); these
tests keep them fixed, so the generator needs no workaround."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Team, User
from cases import services as cs
from cases.models import CINEpisode
from cases.services import visit_record
from people.tests.factories import person
from recording.models import ChronologyEntry, Visit, VisitType

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def refer(child: Any, day: date, support: User, manager: User, team: Team) -> CINEpisode:
    """A contact the duty manager accepts as a referral on `day`, as demo.journeys.front_door.refer makes it."""
    contact = cs.contact_record(
        actor=support, person=child, received_at=at(day, 9), source="2A", concern="Bruise seen at school"
    )
    episode = cs.contact_decide(
        actor=manager,
        contact=contact,
        decision="referral",
        reason="Threshold met",
        team=team,
        primary_need="N1",
        decided_at=at(day, 11),
    )
    assert episode is not None
    return episode


def close_after_nfa(episode: CINEpisode, worker: User, manager: User, day: date) -> None:
    a = cs.assessment_start(actor=worker, episode=episode, started_on=day)
    cs.assessment_record(actor=worker, assessment=a, factors=["21"], summary="No concerns", outcome="nfa")
    cs.assessment_submit(actor=worker, assessment=a, submitted_on=day)
    cs.assessment_authorise(actor=manager, assessment=a, authorised_on=day)
    cs.episode_close(actor=manager, episode=episode, closure_date=day, reason="RC8")


def test_a_referral_on_29_february_and_the_re_referrals_after_it(
    support: User, alice: User, manager: User, team_a: Team
) -> None:
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    first = refer(child, date(2024, 2, 29), support, manager, team_a)
    assert first.referral_date == date(2024, 2, 29)
    close_after_nfa(first, alice, manager, date(2024, 3, 4))
    # 28 February 2025 is within 12 months of 29 February 2024; 3 March 2026 is not.
    second = refer(child, date(2025, 2, 28), support, manager, team_a)
    assert second.is_re_referral
    close_after_nfa(second, alice, manager, date(2025, 3, 4))
    third = refer(child, date(2026, 3, 3), support, manager, team_a)
    assert not third.is_re_referral


def test_a_transfer_in_notified_on_29_february(manager: User, team_a: Team) -> None:
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    episode = cs.transfer_in(
        actor=manager,
        person=child,
        notified_on=date(2024, 2, 29),
        from_la_code="201",
        team=team_a,
        primary_need="N1",
        on_child_protection_plan=False,
    )
    assert episode.referral_date == date(2024, 2, 29)


@pytest.mark.parametrize("day", [date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)])
def test_a_visit_to_a_child_born_on_29_february(alice: User, day: date) -> None:
    child = person("Leap", "Day", date(2016, 2, 29))
    visit = visit_record(
        actor=alice,
        person=child,
        occurred_at=at(day, 14),
        visit_type=VisitType.HOME,
        child_seen=True,
        seen_alone=True,
        notes="Home visit. The child talked about their birthday.",
    )
    assert Visit.objects.get(person=child).pk == visit.pk
    entry = ChronologyEntry.objects.get(person=child, source_type="visit")
    assert entry.occurred_at.date() == day
