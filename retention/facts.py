"""The facts retention depends on, read from the record for many people at once (a fixed number of queries: one per
kind of fact, whatever the number of people)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Min

from cases.models import ChildInNeedPlan, ChildProtectionPlan, CINEpisode, LookedAfterEpisode
from cases.models_looked_after import AdoptionRecord, CareLeaverContact
from core.dates import age_on
from people.models import Person

from .rules import Facts


def gather(person_ids: list[int]) -> dict[int, Facts]:
    """Facts for each of `person_ids` (7 queries)."""
    if not person_ids:
        return {}
    people = {
        p["pk"]: p
        for p in Person.objects.filter(pk__in=person_ids).values("pk", "date_of_birth", "date_of_death", "created_at")
    }
    closed: dict[int, list[date]] = defaultdict(list)
    open_: set[int] = set()

    lac: dict[int, dict[str, Any]] = {}
    for row in LookedAfterEpisode.objects.filter(person_id__in=person_ids).values(
        "person_id", "started_on", "ended_on"
    ):
        seen = lac.setdefault(row["person_id"], {"open": False, "ended": None})
        if row["ended_on"] is None:
            seen["open"] = True
            open_.add(row["person_id"])
        else:
            seen["ended"] = max(filter(None, [seen["ended"], row["ended_on"]]))
            closed[row["person_id"]].append(row["ended_on"])
    adopted = dict(
        AdoptionRecord.objects.filter(person_id__in=person_ids, adopted_on__isnull=False)
        .values("person_id")
        .annotate(first=Min("adopted_on"))
        .values_list("person_id", "first")
    )
    leavers = set(
        CareLeaverContact.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True).distinct()
    )
    cp: set[int] = set()
    for model in (ChildProtectionPlan, ChildInNeedPlan):
        for pid, ended in model.objects.filter(person_id__in=person_ids).values_list("person_id", "ended_on"):
            if model is ChildProtectionPlan:
                cp.add(pid)
            if ended is None:
                open_.add(pid)
            else:
                closed[pid].append(ended)
    cin: set[int] = set()
    for pid, closure in CINEpisode.objects.filter(person_id__in=person_ids).values_list("person_id", "closure_date"):
        cin.add(pid)
        if closure is None:
            open_.add(pid)
        else:
            closed[pid].append(closure)

    out: dict[int, Facts] = {}
    for pid, p in people.items():
        born, died = p["date_of_birth"], p["date_of_death"]
        added = p["created_at"].date()
        care = lac.get(pid)
        left = care["ended"] if care and not care["open"] else None
        left_at_16 = bool(left and born and age_on(born, left) >= 16)
        out[pid] = Facts(
            born=born,
            died=died,
            added=added,
            looked_after=care is not None,
            left_care_on=left,
            care_leaver=pid in leavers or left_at_16,
            adopted_on=adopted.get(pid),
            child_protection=pid in cp,
            child_in_need=pid in cin,
            case_open=pid in open_,
            closed_on=max(closed[pid]) if closed.get(pid) else None,
            adult=pid not in cin and care is None and bool(born and age_on(born, added) >= 18),
        )
    return out
