"""Shared steps for the service tests: a time on a day, open tasks, an authorised assessment, a section 47 enquiry,
and a period of care in a foster placement."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from cases import services
from cases.models import LookedAfterEpisode, Task

FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}
HOME = "LS1 4AP"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def open_tasks(who, kind):
    return Task.objects.filter(person=who, kind=kind, completed_on__isnull=True, cancelled_on__isnull=True)


def assess(episode, worker, manager, outcome, day=date(2026, 1, 20)):
    a = services.assessment_start(actor=worker, episode=episode, started_on=date(2026, 1, 6))
    services.assessment_record(actor=worker, assessment=a, factors=["3A"], summary="", outcome=outcome)
    services.assessment_submit(actor=worker, assessment=a, submitted_on=day)
    services.assessment_authorise(actor=manager, assessment=a, authorised_on=day)


def open_enquiry(episode, worker, held_on=date(2026, 3, 3)):
    services.strategy_discussion_record(
        actor=worker, episode=episode, held_on=held_on, agencies="Police, health, school", start_section_47=True
    )
    return episode.section47_enquiries.get()


def start(actor, who, day=date(2025, 12, 24), **kw):
    args = {"legal_status": "C1", "category_of_need": "N1", "home_postcode": HOME, **FOSTER, **kw}
    return services.looked_after_start(actor=actor, person=who, started_on=day, **args)


def chain(who):
    return list(LookedAfterEpisode.objects.filter(person=who).order_by("started_on", "id"))
