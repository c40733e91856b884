"""The performance measures: each a function of the period (or date) and a team, counted in SQL by team, in one
query whatever the number of children.

Who may call: the caller checks accounts.access.can_see_performance. The measures count children, not name them, so
restricted records are counted like any other; the only names returned are workers' (caseloads).

How a row finds its team, measure by measure:
- the referral's team (CINEpisode.team) for assessments, initial conferences and re-referrals: the team that took
  the referral does the assessment and the enquiry;
- the task's team (Task.team, set when the journey made the task: the referral's team for conferences and visits on a
  child protection plan, the allocated worker's team for a looked-after child) for reviews and visits;
- the team of the worker the child was allocated to on the date for the counts at a date and for caseloads.
Rows with no team are labelled as such and still count in the totals.

Dates: a period includes both its first and last day. "Today" is the day the figures are made
(django.utils.timezone.localdate), which decides whether something not done yet is already late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import Team
from cases.models import (
    Allocation,
    Assessment,
    ChildProtectionConference,
    CINEpisode,
    ConferenceKind,
    Task,
    TaskKind,
)
from cases.rules.codes import SHORT_BREAKS
from core.replica import read_alias

NO_TEAM = "No team recorded"
NOT_ALLOCATED = "Not allocated"


def percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal place (halves rounded up); None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- shapes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    """How many of a team's `total` met the measure (on time, or a re-referral): `count`."""

    team_id: int | None
    team: str
    count: int
    total: int

    @property
    def others(self) -> int:
        return self.total - self.count

    @property
    def percent(self) -> Decimal | None:
        return percent(self.count, self.total)


@dataclass(frozen=True)
class Shares:
    rows: list[ShareRow]

    @property
    def total(self) -> ShareRow:
        return ShareRow(None, "All teams", sum(r.count for r in self.rows), sum(r.total for r in self.rows))


@dataclass(frozen=True)
class ChildrenRow:
    team_id: int | None
    team: str
    in_need: int
    protection_plan: int
    looked_after: int


@dataclass(frozen=True)
class ChildrenAtDate:
    on: date
    rows: list[ChildrenRow]

    @property
    def total(self) -> ChildrenRow:
        return ChildrenRow(
            None,
            "All teams",
            sum(r.in_need for r in self.rows),
            sum(r.protection_plan for r in self.rows),
            sum(r.looked_after for r in self.rows),
        )


@dataclass(frozen=True)
class WorkerCaseload:
    worker_id: int
    worker: str
    team_id: int
    team: str
    children: int


@dataclass(frozen=True)
class TeamCaseload:
    team_id: int
    team: str
    workers: int
    children: int

    @property
    def average(self) -> Decimal | None:
        """Children per worker with at least one child, to one decimal place."""
        if not self.workers:
            return None
        return (Decimal(self.children) / Decimal(self.workers)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Caseloads:
    on: date
    workers: list[WorkerCaseload]
    teams: list[TeamCaseload] = field(init=False)

    def __post_init__(self) -> None:
        by_team: dict[int, list[WorkerCaseload]] = {}
        for w in self.workers:
            by_team.setdefault(w.team_id, []).append(w)
        teams = [
            TeamCaseload(team_id, ws[0].team, len(ws), sum(w.children for w in ws)) for team_id, ws in by_team.items()
        ]
        object.__setattr__(self, "teams", sorted(teams, key=lambda t: t.team))

    @property
    def total(self) -> TeamCaseload:
        return TeamCaseload(0, "All teams", sum(t.workers for t in self.teams), sum(t.children for t in self.teams))


# --- helpers ------------------------------------------------------------------------------------------------------


def _shares(rows: Iterable[dict[str, Any]], team_id: str, team_name: str) -> Shares:
    return Shares(
        [
            ShareRow(r[team_id], r[team_name] if r[team_id] is not None else NO_TEAM, r["count"], r["total"])
            for r in rows
        ]
    )


def _team_filter(qs: QuerySet[Any], lookup: str, team: Team | None) -> QuerySet[Any]:
    return qs.filter(**{lookup: team}) if team is not None else qs


# --- timeliness in the period -------------------------------------------------------------------------------------


def assessments_on_time(start: date, end: date, team: Team | None = None) -> Shares:
    """Child and family assessments completed within 45 working days of the referral (CIN census; Working Together
    2023, chapter 2).

    Counts every assessment authorised by a manager in the period (`authorised_on`, the CIN census
    AssessmentAuthorisationDate, decides the period). On time: authorised on or before the due date recorded on the
    assessment when it started, 45 working days after the referral date (cases.rules.timescales.assessment_due). Assessments
    still in progress or awaiting authorisation are not counted. Team: the referral's. One query.
    """
    qs = _team_filter(Assessment.objects.filter(authorised_on__range=(start, end)), "episode__team", team)
    rows = (
        qs.values("episode__team_id", "episode__team__name")
        .annotate(total=Count("id"), count=Count("id", filter=Q(authorised_on__lte=F("due_on"))))
        .order_by("episode__team__name")
    )
    return _shares(rows, "episode__team_id", "episode__team__name")


def initial_conferences_on_time(start: date, end: date, team: Team | None = None) -> Shares:
    """Initial child protection conferences held within 15 working days of the strategy discussion at which the
    section 47 enquiry started (Working Together 2023; CIN census).

    Counts every initial conference held in the period (`held_on` decides), whether or not it made a plan. On time:
    held on or before the enquiry's `icpc_due_on`, 15 working days after that strategy discussion
    (cases.rules.timescales.icpc_due). Team: the referral's. One query.
    """
    qs = ChildProtectionConference.objects.filter(
        kind=ConferenceKind.INITIAL, held_on__range=(start, end), enquiry__isnull=False
    )
    rows = (
        _team_filter(qs, "episode__team", team)
        .values("episode__team_id", "episode__team__name")
        .annotate(total=Count("id"), count=Count("id", filter=Q(held_on__lte=F("enquiry__icpc_due_on"))))
        .order_by("episode__team__name")
    )
    return _shares(rows, "episode__team_id", "episode__team__name")


def _tasks_on_time(kind: str, start: date, end: date, team: Team | None, today: date | None) -> Shares:
    """Tasks of `kind` due in the period, and how many were done by their due date.

    A task counts when its due date is in the period and, by today, it was done (at any date), or it was cancelled
    after its due date had passed (missed while it was still due: the plan or period of care ended later), or it is
    still not done and its due date has passed. Not counted: a task cancelled on or before its due date (it stopped
    being due), and one not done whose due date is today or later (it can still be done on time). On time: done on
    or before the due date."""
    today = today or timezone.localdate()
    qs = Task.objects.filter(kind=kind, due_on__range=(start, end)).filter(
        Q(completed_on__isnull=False)
        | Q(cancelled_on__gt=F("due_on"))
        | Q(completed_on__isnull=True, cancelled_on__isnull=True, due_on__lt=today)
    )
    rows = (
        _team_filter(qs, "team", team)
        .values("team_id", "team__name")
        .annotate(total=Count("id"), count=Count("id", filter=Q(completed_on__lte=F("due_on"))))
        .order_by("team__name")
    )
    return _shares(rows, "team_id", "team__name")


def protection_reviews_on_time(
    start: date, end: date, team: Team | None = None, *, today: date | None = None
) -> Shares:
    """Child protection review conferences held on time (Working Together 2023: the first within 3 months of the
    initial conference, then at most every 6 months).

    Counts each review that fell due in the period: the due date in force is the one on the review task the journey
    made (cases.rules.timescales.cp_review_due, from the initial or the last review conference); the due date decides the
    period. On time: the review conference that completed the task was held on or before that date. A review still
    not held once its date has passed counts as late; one that stopped being due before its date (never happens for
    these: a plan ends at a review conference) is not counted. See _tasks_on_time. Team: the task's (the referral's).
    One query.
    """
    return _tasks_on_time(TaskKind.CP_REVIEW, start, end, team, today)


def looked_after_reviews_on_time(
    start: date, end: date, team: Team | None = None, *, today: date | None = None
) -> Shares:
    """Looked-after reviews held on time (Care Planning, Placement and Case Review (England) Regulations 2010, reg 33:
    the first within 20 working days of becoming looked after, the second within 3 months of the first, then at most
    every 6 months).

    Counts each review that fell due in the period, by the due date on the review task the journey made (the due date
    in force decides the period). On time: held on or before it. A review not held once its date has passed counts
    as late, as does one whose period of care ended after the date passed; one whose period of care ended before it
    was due is not counted. See _tasks_on_time. Team: the task's (the allocated worker's when it was made). One query.
    """
    return _tasks_on_time(TaskKind.LAC_REVIEW, start, end, team, today)


def protection_visits_on_time(start: date, end: date, team: Team | None = None, *, today: date | None = None) -> Shares:
    """Visits to children on child protection plans made on time (the authority's interval, TimescalePolicy
    cp_visit_interval: 10 working days unless the authority sets another).

    The first visit is due an interval after the initial conference, each next one an interval after the last visit
    in which the child was seen (cases.services.cp_visit_recorded, called by cases.services.visit_record): each
    is a visit task. Counts the visits that fell due in the period (the task's due date decides); on time when the
    child was seen on or before it. A visit not made once its date has passed counts as late, including one whose
    plan ended after that date; a visit that stopped being due because the plan ended first is not counted. A visit
    in which the child was not seen does not count as a visit. See _tasks_on_time. Team: the task's (the referral's).
    One query.
    """
    return _tasks_on_time(TaskKind.CP_VISIT, start, end, team, today)


def looked_after_visits_on_time(
    start: date, end: date, team: Team | None = None, *, today: date | None = None
) -> Shares:
    """Statutory visits to looked-after children made on time (Care Planning Regulations 2010, reg 28: within a week
    of a placement starting, then at most every 6 weeks in its first year, then every 3 months in a long-term foster
    placement and every 6 weeks otherwise).

    Each statutory visit is a task the journey makes when the placement starts and after every visit in which the
    child was seen (cases.services.statutory_visit_recorded). Counts the visits that fell due in the
    period (the due date decides); on time when the child was seen on or before it. A visit not made once its date
    has passed counts as late, including one cancelled later by a move or the end of care; one cancelled before its
    date is not counted. See _tasks_on_time. Team: the task's (the allocated worker's when it was made). One query.
    """
    return _tasks_on_time(TaskKind.LAC_VISIT, start, end, team, today)


def re_referrals(start: date, end: date, team: Team | None = None) -> Shares:
    """Referrals in the period, and how many were re-referrals: a referral within 12 months of the child's previous
    referral (CIN census; cases.services.referral_create sets `is_re_referral` when the referral date is no more
    than 12 months after the previous referral date).

    Counts every children-in-need episode whose referral date is in the period, transfers in included (DfE counts
    every referral); `count` is the re-referrals. Team: the referral's. One query.
    """
    qs = _team_filter(CINEpisode.objects.filter(referral_date__range=(start, end)), "team", team)
    rows = (
        qs.values("team_id", "team__name")
        .annotate(total=Count("id"), count=Count("id", filter=Q(is_re_referral=True)))
        .order_by("team__name")
    )
    return _shares(rows, "team_id", "team__name")


# --- at a date ---------------------------------------------------------------------------------------------------

_CHILDREN_AT_DATE_SQL = """
WITH in_need AS (
    SELECT DISTINCT person_id FROM cases_cinepisode
    WHERE referral_date <= %(on)s AND (closure_date IS NULL OR closure_date > %(on)s)
), protection AS (
    SELECT DISTINCT person_id FROM cases_childprotectionplan
    WHERE started_on <= %(on)s AND (ended_on IS NULL OR ended_on > %(on)s)
), looked_after AS (
    SELECT DISTINCT person_id FROM cases_lookedafterepisode
    WHERE started_on <= %(on)s AND (ended_on IS NULL OR ended_on > %(on)s)
      AND NOT (legal_status = ANY(%(short_breaks)s))
), children AS (
    SELECT person_id FROM in_need UNION SELECT person_id FROM protection UNION SELECT person_id FROM looked_after
), allocated AS (
    SELECT DISTINCT ON (a.person_id) a.person_id, a.team_id
    FROM cases_allocation a JOIN children c ON c.person_id = a.person_id
    WHERE a.started_on <= %(on)s AND (a.ended_on IS NULL OR a.ended_on >= %(on)s)
    ORDER BY a.person_id, a.started_on DESC, a.id DESC
)
SELECT al.team_id, t.name, count(n.person_id), count(p.person_id), count(l.person_id)
FROM children c
LEFT JOIN in_need n ON n.person_id = c.person_id
LEFT JOIN protection p ON p.person_id = c.person_id
LEFT JOIN looked_after l ON l.person_id = c.person_id
LEFT JOIN allocated al ON al.person_id = c.person_id
LEFT JOIN accounts_team t ON t.id = al.team_id
WHERE %(team)s::bigint IS NULL OR al.team_id = %(team)s::bigint
GROUP BY al.team_id, t.name
ORDER BY t.name NULLS LAST
"""


def children_at_date(on: date, team: Team | None = None) -> ChildrenAtDate:
    """Children in need, on child protection plans and looked after at the end of the day `on` (like DfE's "at 31
    March": something that ends on the day no longer counts; something that starts on it does).

    - children in need: children with a children-in-need episode (a referral) open at the end of the day: referred
      on or before it and not closed on or before it. They include children on plans and looked after whose
      episode is open;
    - on a child protection plan: the plan started on or before the day and had not ended by it;
    - looked after: an episode of care current at the end of the day, except short breaks (legal status V3, V4),
      which DfE leaves out of the children looked after.
    Each child counts once in each column. Team: the team of the worker the child was allocated to on the day (the
    allocation started on or before it and ended on or after it); children allocated to nobody that day are "Not
    allocated" (left out when a team is chosen). One query.
    """
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(
            _CHILDREN_AT_DATE_SQL,
            {"on": on, "short_breaks": sorted(SHORT_BREAKS), "team": team.pk if team is not None else None},
        )
        rows = [
            ChildrenRow(team_id, name if team_id is not None else NOT_ALLOCATED, n, p, la)
            for team_id, name, n, p, la in cursor.fetchall()
        ]
    return ChildrenAtDate(on, rows)


def caseloads(on: date, team: Team | None = None) -> Caseloads:
    """Caseloads at the end of the day `on`: children allocated to each worker, and to each team's workers.

    Counts the allocations (social worker episodes) current on the day: started on or before it and not ended before
    it (an allocation's end date is its last day). A worker's team is the allocation's (the team they were in when
    the child was allocated); a worker with children in two teams appears in both. Workers with no children are not
    listed; a team's average is per worker listed. One query.
    """
    qs = Allocation.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on), started_on__lte=on)
    rows = (
        _team_filter(qs, "team", team)
        .values("team_id", "team__name", "worker_id", "worker__first_name", "worker__last_name", "worker__email")
        .annotate(children=Count("person_id", distinct=True))
        .order_by("team__name", "-children", "worker__last_name", "worker__first_name", "worker_id")
    )
    workers = [
        WorkerCaseload(
            r["worker_id"],
            f"{r['worker__first_name']} {r['worker__last_name']}".strip() or r["worker__email"],
            r["team_id"],
            r["team__name"],
            r["children"],
        )
        for r in rows
    ]
    return Caseloads(on, workers)


# --- the whole dashboard ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    start: date
    end: date
    on: date
    team: Team | None
    assessments: Shares
    initial_conferences: Shares
    protection_reviews: Shares
    looked_after_reviews: Shares
    protection_visits: Shares
    looked_after_visits: Shares
    re_referrals: Shares
    children: ChildrenAtDate
    caseloads: Caseloads


def overview(start: date, end: date, on: date, team: Team | None = None, *, today: date | None = None) -> Overview:
    """Every measure for the period `start`-`end`, the counts and caseloads at `on`, for one team or all: 9 queries."""
    return Overview(
        start=start,
        end=end,
        on=on,
        team=team,
        assessments=assessments_on_time(start, end, team),
        initial_conferences=initial_conferences_on_time(start, end, team),
        protection_reviews=protection_reviews_on_time(start, end, team, today=today),
        looked_after_reviews=looked_after_reviews_on_time(start, end, team, today=today),
        protection_visits=protection_visits_on_time(start, end, team, today=today),
        looked_after_visits=looked_after_visits_on_time(start, end, team, today=today),
        re_referrals=re_referrals(start, end, team),
        children=children_at_date(on, team),
        caseloads=caseloads(on, team),
    )


def teams_for_filter() -> QuerySet[Team]:
    """The teams that hold children's cases (accounts.models.CASE_HOLDING), for the team filter: not the performance,
    reviewing, front door or adults' teams, which receive no referrals and have no children allocated."""
    return Team.objects.holding_cases().order_by("name")
