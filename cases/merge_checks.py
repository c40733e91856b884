"""What the children's journey says about merging two records (people.merging's hooks, registered in apps.py).

Refused, with the reason: two open looked-after episodes, two open child protection plans, two open
children-in-need episodes (each is one per child, and the returns would report two), two allocated workers, two
unaccompanied asylum-seeking child records, and periods of care that overlap. What each record has open (episodes,
plans, allocated worker, tasks) is shown beside the two records on the duplicate's page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils import timezone

from people.merging import Problem
from people.models import Person

from .models import Allocation, ChildInNeedPlan, ChildProtectionPlan, CINEpisode, LookedAfterEpisode, Task
from .models_looked_after import UnaccompaniedAsylumSeekingChild


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def merge_check(survivor: Person, merged: Person) -> list[Problem]:
    """Five queries."""
    pair = [survivor.pk, merged.pk]
    problems: list[Problem] = []

    def both(qs: object, what: str, fix: str) -> None:
        holders = set(qs.filter(person_id__in=pair).values_list("person_id", flat=True))  # type: ignore[attr-defined]
        if len(holders) == 2:
            problems.append(Problem(f"Both records have {what}: {fix}"))

    both(
        LookedAfterEpisode.objects.filter(ended_on__isnull=True),
        "an open looked-after episode",
        "a child is looked after once. End or correct the wrong episode first",
    )
    both(
        ChildProtectionPlan.objects.filter(ended_on__isnull=True),
        "an open child protection plan",
        "a child has one plan at a time. End the wrong plan first",
    )
    both(
        CINEpisode.objects.filter(closure_date__isnull=True),
        "an open children-in-need episode",
        "a child has one open episode at a time. Close the wrong one first",
    )
    both(
        Allocation.objects.filter(ended_on__isnull=True),
        "an allocated worker",
        "a child has one allocated worker at a time. End the wrong allocation first",
    )
    both(
        UnaccompaniedAsylumSeekingChild.objects.all(),
        "unaccompanied asylum-seeking child details",
        "correct the record that is wrong first",
    )
    if not problems:
        periods = list(
            LookedAfterEpisode.objects.filter(person_id__in=pair).values_list("person_id", "started_on", "ended_on")
        )
        mine = [(s, e) for p, s, e in periods if p == survivor.pk]
        theirs = [(s, e) for p, s, e in periods if p == merged.pk]
        for s1, e1 in mine:
            for s2, e2 in theirs:
                if s1 < (e2 or date.max) and s2 < (e1 or date.max):
                    problems.append(
                        Problem(
                            f"Both records were looked after at the same time (from {_day(max(s1, s2))}): a child "
                            "has one period of care at a time. Correct the wrong episode first"
                        )
                    )
                    return problems
    return problems


def open_work(person_ids: list[int]) -> dict[int, list[str]]:
    """Each person's open work in words: 6 queries whatever the number of people."""
    found: dict[int, list[str]] = defaultdict(list)
    for pid, day in CINEpisode.objects.filter(person_id__in=person_ids, closure_date__isnull=True).values_list(
        "person_id", "referral_date"
    ):
        found[pid].append(f"Open children-in-need episode, referred on {_day(day)}")
    for pid, day in ChildProtectionPlan.objects.filter(person_id__in=person_ids, ended_on__isnull=True).values_list(
        "person_id", "started_on"
    ):
        found[pid].append(f"Child protection plan since {_day(day)}")
    for pid, day in ChildInNeedPlan.objects.filter(person_id__in=person_ids, ended_on__isnull=True).values_list(
        "person_id", "started_on"
    ):
        found[pid].append(f"Child in need plan since {_day(day)}")
    for pid, day in LookedAfterEpisode.objects.filter(person_id__in=person_ids, ended_on__isnull=True).values_list(
        "person_id", "started_on"
    ):
        found[pid].append(f"Looked after, this placement since {_day(day)}")
    for a in Allocation.objects.filter(person_id__in=person_ids, ended_on__isnull=True).select_related("worker"):
        found[a.person_id].append(
            f"Allocated to {a.worker.get_full_name() or a.worker.email} since {_day(a.started_on)}"
        )
    today = timezone.localdate()
    counts: dict[int, list[date]] = defaultdict(list)
    for pid, due in Task.objects.open().filter(person_id__in=person_ids).values_list("person_id", "due_on"):
        counts[pid].append(due)
    for pid, dues in counts.items():
        overdue = sum(1 for d in dues if d < today)
        text = f"{len(dues)} open task{'s' if len(dues) != 1 else ''}, next due {_day(min(dues))}"
        found[pid].append(text + (f" ({overdue} overdue)" if overdue else ""))
    return dict(found)
