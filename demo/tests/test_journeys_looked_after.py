"""Periods of care as demo.journeys.looked_after makes them, through the real services."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cases.models import LookedAfterEpisode
from core.site import demo_database_mark
from demo.journeys import PROFILES, Candidate, Journeys, ensure_staff
from demo.journeys.base import Kid
from people.tests.factories import person

pytestmark = pytest.mark.django_db


def police_protection_stretches(episodes: list[LookedAfterEpisode], today: date) -> list[tuple[date, date]]:
    """(first day, last day) of each run of police protection (legal status L1) as DfE's rule 361 groups them: L1
    episodes in a row, each ending the day the next begins; an open one runs to `today`."""
    stretches: list[tuple[date, date]] = []
    previous: LookedAfterEpisode | None = None
    for e in episodes:
        end = e.ended_on or today
        joined = previous is not None and previous.legal_status == "L1" and previous.ended_on == e.started_on
        if e.legal_status == "L1":
            if joined and stretches:
                stretches[-1] = (stretches[-1][0], end)
            else:
                stretches.append((e.started_on, end))
        previous = e
    return stretches


def test_police_protection_ends_within_72_hours(db: Any) -> None:
    """Emergency periods of care that start on police protection (L1) move to an emergency protection order (L2)
    or an interim care order (C1) within 3 days, as DfE's rule 361 requires."""
    today = timezone.localdate()
    demo_database_mark(size="demo", seed=1)
    crews = ensure_staff("demo", 10, random.Random(1), lambda _line: None)
    maker = Journeys(today=today, crews=crews, seed=1, profile=PROFILES["demo"], progress=lambda _line: None)
    first_statuses = []
    after_police: set[str] = set()
    for i in range(30):
        child = person("Emergency", f"Child{i}", today - timedelta(days=365 * 9 + i))
        cand = Candidate(child.pk, child.given_name, child.family_name, child.date_of_birth, None, "")
        start = today - timedelta(days=120 + i)

        def into_care(k: Kid, start: date = start) -> None:
            maker.looked_after(k, start, end=None, end_reason="", route="emergency", home="LE1 5WW")

        assert maker.child(cand, crews[0], f"emergency{i}", into_care), maker.refused
        episodes = list(LookedAfterEpisode.objects.filter(person=child).order_by("started_on", "id"))
        first_statuses.append(episodes[0].legal_status)
        for stretch_from, stretch_to in police_protection_stretches(episodes, today):
            assert (stretch_to - stretch_from).days <= 3, (child, stretch_from, stretch_to)
        if episodes[0].legal_status == "L1":
            after_police.add(next(e.legal_status for e in episodes if e.legal_status != "L1"))
    assert first_statuses.count("L1") >= 5  # the check above ran on real police protection
    assert after_police == {"L2", "C1"}


def test_police_protection_stretches_are_grouped_as_dfe_groups_them() -> None:
    def ep(ls: str, frm: date, to: date | None) -> LookedAfterEpisode:
        return LookedAfterEpisode(legal_status=ls, started_on=frm, ended_on=to)

    d = date(2026, 6, 1)
    episodes = [
        ep("L1", d, d + timedelta(days=2)),  # a placement move while in police protection: one stretch of 4 days
        ep("L1", d + timedelta(days=2), d + timedelta(days=4)),
        ep("C1", d + timedelta(days=4), d + timedelta(days=90)),
    ]
    assert police_protection_stretches(episodes, d + timedelta(days=100)) == [(d, d + timedelta(days=4))]
