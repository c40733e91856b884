"""Errors the DfE validators report that the record shows are not errors: the limits of the local tools, verified
child by child against the record, never waived by rule code alone.

The local validators see two years of SSDA903 files; DfE's own system holds every year an authority has sent. So:

- 1001 and 1002 (care leaver information for a young person with no episodes in the two years): the tool's own
  message says it "can only test the current and previous year data ... this check may generate false positives if
  a child had episodes prior to last year's collection". Explained only when the record holds the young person's
  periods of care before the previous collection year and they make a relevant or former relevant child (looked after
  for at least 13 weeks after their 14th birthday, some of it after their 16th), which is what the rules ask.
- SW12STG2 (a social worker episode for every start and end of care): the rule as coded (csc-validator-be-903
  0.1.17) fails any social worker episode that began before the child came into care, even when that worker was
  allocated throughout; its own test marks this case "FAIL but technically think should be fine". Explained only
  when, for every start of care (RNE S) and every end of care (REC not X1) of the child in the year, the record has
  an allocation in progress on that day.
- SW17STG2 ("There is no social worker episode open at 31 March"): coded for every child in the table, it also fails
  a child who left care during the year and whose case then closed, ending their worker's episode, as it should.
  Explained only when the child was not looked after on 31 March and a worker was allocated until their care ended.

- 575 and 577 (a missing period without an end after the placement or the care ended): the tool also fails a child
  who is still missing on 31 March from a placement that has not ended (an open episode is treated as ending on
  31 March). Explained only when the child was looked after on 31 March and the missing period was still open then.

Anything else stays an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dateutil.relativedelta import relativedelta

from cases.models import Allocation, LookedAfterEpisode, MissingEpisode
from core.dates import long_date
from people.models import Person

from .common import CollectionYear
from .validate import Issue

RELEVANT_WEEKS = 13
EXPLAINABLE = frozenset({"1001", "1002", "SW12STG2", "SW17STG2", "575", "577"})


def _looked_after_days(episodes: list[LookedAfterEpisode], since: date, until: date) -> int:
    days = 0
    for e in episodes:
        start, end = max(e.started_on, since), min(e.ended_on or until, until)
        if end >= start:
            days += (end - start).days + 1
    return days


def _care_leaver_reason(cy: CollectionYear, person: Person, episodes: list[LookedAfterEpisode]) -> str | None:
    born = person.date_of_birth
    if born is None or not episodes:
        return None
    previous_start = cy.start - relativedelta(years=1)
    if not any(e.started_on < previous_start for e in episodes):
        return None  # the tool saw all of this child's care: its finding stands
    fourteen, sixteen = born + relativedelta(years=14), born + relativedelta(years=16)
    after_14 = _looked_after_days(episodes, fourteen, cy.end)
    after_16 = _looked_after_days(episodes, sixteen, cy.end)
    if after_14 < RELEVANT_WEEKS * 7 or after_16 == 0:
        return None
    first = min(e.started_on for e in episodes)
    last = max((e.ended_on or cy.end) for e in episodes)
    return (
        f"Looked after from {long_date(first)} to {long_date(last)} ({after_14} days after the 14th birthday, "
        f"{after_16} after the 16th): a former relevant child, whose care began before the two years the tool sees"
    )


def _sw_reason(cy: CollectionYear, episodes: list[LookedAfterEpisode], allocations: list[Allocation]) -> str | None:
    days: list[date] = []
    for i, e in enumerate(episodes):
        if e.reason_new_episode == "S" and cy.contains(e.started_on):
            days.append(e.started_on)
        nxt = episodes[i + 1] if i + 1 < len(episodes) else None
        ends_care = e.ended_on is not None and (nxt is None or nxt.started_on != e.ended_on)
        if ends_care and e.ended_on is not None and cy.contains(e.ended_on):
            days.append(e.ended_on)
    if not days:
        days = [max(cy.start, episodes[0].started_on)] if episodes else []
    if not days:
        return None
    for day in days:
        if not any(a.started_on <= day and (a.ended_on is None or a.ended_on >= day) for a in allocations):
            return None
    return (
        "A social worker was allocated on every day the child came into or left care ("
        + ", ".join(f"{long_date(d)}" for d in days)
        + "): the tool fails a worker allocated before care began"
    )


def _sw_open_reason(
    cy: CollectionYear, episodes: list[LookedAfterEpisode], allocations: list[Allocation]
) -> str | None:
    if not episodes:
        return None
    last = episodes[-1]
    if last.ended_on is None or last.ended_on >= cy.end:
        return None  # looked after on 31 March: a worker's episode must be open
    left = last.ended_on
    if not any(a.started_on <= left and (a.ended_on is None or a.ended_on >= left) for a in allocations):
        return None
    return f"Left care on {long_date(left)}, before 31 March, with a worker allocated until then"


def _still_missing_reason(
    cy: CollectionYear, episodes: list[LookedAfterEpisode], missing: list[MissingEpisode]
) -> str | None:
    in_care = any(e.started_on <= cy.end and (e.ended_on is None or e.ended_on > cy.end) for e in episodes)
    open_then = [m for m in missing if m.started_on <= cy.end and (m.ended_on is None or m.ended_on > cy.end)]
    if not in_care or not open_then:
        return None
    return (
        f"Still looked after on 31 March and missing since {long_date(open_then[0].started_on)}: neither the placement "
        "nor the care had ended (the tool treats an open episode as ending on 31 March)"
    )


def explain(kind: str, year: int, issues: Iterable[Issue]) -> dict[Issue, str]:
    """For each issue that the record shows is a false positive of the local tool, why (in words for the data
    quality page and the README). `kind` is "cin" or "ssda903"; the CIN census has none of these."""
    if kind != "ssda903":
        return {}
    cy = CollectionYear(year)
    candidates = [i for i in issues if i.rule in EXPLAINABLE and i.person_id is not None]
    if not candidates:
        return {}
    person_ids = {i.person_id for i in candidates}
    people = Person.objects.in_bulk(person_ids)
    episodes: dict[int, list[LookedAfterEpisode]] = {}
    for e in LookedAfterEpisode.objects.filter(person_id__in=person_ids).order_by("started_on", "id"):
        episodes.setdefault(e.person_id, []).append(e)
    allocations: dict[int, list[Allocation]] = {}
    for a in Allocation.objects.filter(person_id__in=person_ids):
        allocations.setdefault(a.person_id, []).append(a)
    missing: dict[int, list[MissingEpisode]] = {}
    for m in MissingEpisode.objects.filter(person_id__in=person_ids).order_by("started_on", "id"):
        missing.setdefault(m.person_id, []).append(m)
    out: dict[Issue, str] = {}
    for issue in candidates:
        pid = issue.person_id
        assert pid is not None
        person = people.get(pid)
        if person is None:
            continue
        if issue.rule in ("1001", "1002"):
            reason = _care_leaver_reason(cy, person, episodes.get(pid, []))
        elif issue.rule in ("575", "577"):
            reason = _still_missing_reason(cy, episodes.get(pid, []), missing.get(pid, []))
        elif issue.rule == "SW17STG2":
            reason = _sw_open_reason(cy, episodes.get(pid, []), allocations.get(pid, []))
        else:
            reason = _sw_reason(cy, episodes.get(pid, []), allocations.get(pid, []))
        if reason:
            out[issue] = reason
    return out
