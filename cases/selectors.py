"""Reads for the journey's pages. Each is a fixed number of queries whatever the size of a caseload or team."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Role, Team

from .models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    Contact,
    LookedAfterEpisode,
    Task,
)
from .selectors_looked_after import LookedAfterSummary, looked_after_actions, looked_after_summary

OPEN_TASK = Q(completed_on__isnull=True, cancelled_on__isnull=True)


@dataclass
class CaseloadRow:
    allocation: Allocation
    statuses: list[str]
    looked_after: LookedAfterEpisode | None
    next_task: Task | None
    overdue: int
    tasks: list[Task] = field(default_factory=list)


def _status(person: Any, today: date) -> tuple[list[str], LookedAfterEpisode | None]:
    statuses = []
    lac = next(iter(person.open_lac), None)
    if person.open_cp:
        statuses.append("Child protection plan")
    if lac:
        statuses.append("Looked after")
    if person.open_cin_plan:
        statuses.append("Child in need plan")
    if not statuses and person.open_episode:
        statuses.append("Child in need")
    if not statuses and person.date_of_birth and (today - person.date_of_birth).days >= 18 * 365:
        statuses.append("Care leaver")
    return statuses or ["Allocated"], lac


def _person_prefetches() -> list[Prefetch]:
    return [
        Prefetch(
            "person__cp_plans", queryset=ChildProtectionPlan.objects.filter(ended_on__isnull=True), to_attr="open_cp"
        ),
        Prefetch(
            "person__cin_plans", queryset=ChildInNeedPlan.objects.filter(ended_on__isnull=True), to_attr="open_cin_plan"
        ),
        Prefetch(
            "person__looked_after_episodes",
            queryset=LookedAfterEpisode.objects.filter(ended_on__isnull=True),
            to_attr="open_lac",
        ),
        Prefetch(
            "person__cin_episodes",
            queryset=CINEpisode.objects.filter(closure_date__isnull=True),
            to_attr="open_episode",
        ),
        Prefetch("person__tasks", queryset=Task.objects.filter(OPEN_TASK).order_by("due_on"), to_attr="open_tasks"),
    ]


def caseload(worker: Any) -> list[CaseloadRow]:
    """The children allocated to `worker`, with status and what is due next: 7 queries."""
    today = timezone.localdate()
    allocations = (
        Allocation.objects.filter(worker=worker, ended_on__isnull=True)
        .select_related("person", "team")
        .prefetch_related(*_person_prefetches())
        .order_by("person__family_name", "person__given_name")
    )
    rows = []
    for a in allocations:
        statuses, lac = _status(a.person, today)
        tasks = a.person.open_tasks  # type: ignore[attr-defined]
        rows.append(
            CaseloadRow(
                allocation=a,
                statuses=statuses,
                looked_after=lac,
                next_task=tasks[0] if tasks else None,
                overdue=sum(1 for t in tasks if t.due_on < today),
                tasks=tasks,
            )
        )
    rows.sort(key=lambda r: (-r.overdue, r.next_task.due_on if r.next_task else date.max))
    return rows


@dataclass
class TeamDashboard:
    team: Team
    workers: list[dict[str, Any]]
    overdue: list[Task]
    awaiting_authorisation: list[Assessment]
    contacts_waiting: list[Contact]


def team_dashboard(team: Team) -> TeamDashboard:
    """Caseloads per worker, everything overdue in the team, items awaiting authorisation: 4 queries."""
    today = timezone.localdate()
    members = (
        Membership.objects.filter(team=team, role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER], user__is_active=True)
        .select_related("user")
        .annotate(
            caseload=Count("user__allocations", filter=Q(user__allocations__ended_on__isnull=True), distinct=True)
        )
        .order_by("user__last_name", "user__first_name")
    )
    workers = [{"user": m.user, "role": m.get_role_display(), "caseload": m.caseload} for m in members]
    overdue = list(
        Task.objects.filter(OPEN_TASK, team=team, due_on__lt=today).select_related("person").order_by("due_on")[:500]
    )
    awaiting = list(
        Assessment.objects.filter(episode__team=team, submitted_on__isnull=False, authorised_on__isnull=True)
        .select_related("episode__person", "submitted_by")
        .order_by("submitted_on")
    )
    return TeamDashboard(team, workers, overdue, awaiting, list(contacts_awaiting_decision()[:200]))


def contacts_awaiting_decision() -> QuerySet[Contact]:
    return Contact.objects.filter(decision="").select_related("person").order_by("received_at")


def managed_teams(user: Any) -> QuerySet[Team]:
    return Team.objects.filter(
        memberships__user=user, memberships__role__in=[Role.TEAM_MANAGER, Role.ADMINISTRATOR]
    ).distinct()


@dataclass
class JourneySummary:
    episode: CINEpisode | None
    assessment: Assessment | None
    enquiry: Any
    cp_plan: ChildProtectionPlan | None
    cin_plan: ChildInNeedPlan | None
    looked_after: LookedAfterEpisode | None
    allocation: Allocation | None
    tasks: list[Task]
    looked_after_records: list[tuple[str, str]] = field(default_factory=list)
    looked_after_summary: LookedAfterSummary | None = None

    @property
    def actions(self) -> list[tuple[str, str]]:
        """(step slug, label) of the steps that make sense now, in journey order."""
        out = []
        if self.episode is None:
            out += [("referral", "Make a referral"), ("transfer-in", "Record a transfer in from another authority")]
        else:
            if self.assessment is None:
                out.append(("assessment-start", "Start an assessment"))
            elif not self.assessment.submitted_on:
                out += [("assessment-record", "Record the assessment"), ("assessment-submit", "Submit the assessment")]
            elif not self.assessment.authorised_on:
                out.append(("assessment-authorise", "Authorise the assessment"))
            out.append(("strategy", "Record a strategy discussion"))
            if self.enquiry is not None and not self.enquiry.completed_on:
                out.append(("section-47-complete", "Record the section 47 outcome"))
            if self.enquiry is not None and self.enquiry.outcome == "icpc" and self.cp_plan is None:
                out.append(("initial-conference", "Record the initial conference"))
            if self.cp_plan is not None:
                out += [("core-group", "Record a core group"), ("review-conference", "Record a review conference")]
            if self.cin_plan is None:
                out.append(("cin-plan-start", "Start a child in need plan"))
            else:
                out += [
                    ("cin-plan-review", "Record a child in need plan review"),
                    ("cin-plan-end", "End the child in need plan"),
                ]
            out.append(("close", "Close the case"))
        if self.looked_after is None:
            out.append(("looked-after-start", "Start a period of care"))
        else:
            out += [
                ("looked-after-change", "Record a change of legal status or placement"),
                ("looked-after-review", "Record a looked-after review"),
                ("looked-after-end", "End the period of care"),
            ]
        out += self.looked_after_records
        out.append(("allocate", "Allocate to a worker" if self.allocation is None else "Reallocate"))
        return out


def journey_summary(person: Any) -> JourneySummary:
    """Where the child is in the journey: 8 to 22 queries whatever the history. 6 for the journey itself (8 with an
    open referral); the looked-after records offered take 1 query for a child never looked after, up to 3 otherwise;
    the looked-after summary (cases.selectors_looked_after) 1 for a child never looked after, 11 while looked
    after, 4 or 5 (a care leaver) once they have left care."""
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).select_related("team").first()
    assessment = None
    enquiry = None
    if episode is not None:
        assessment = episode.assessments.order_by("-started_on", "-pk").first()
        enquiry = episode.section47_enquiries.order_by("-started_on", "-pk").first()
    return JourneySummary(
        episode=episode,
        assessment=assessment,
        enquiry=enquiry,
        cp_plan=ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).first(),
        cin_plan=ChildInNeedPlan.objects.filter(person=person, ended_on__isnull=True).first(),
        looked_after=LookedAfterEpisode.objects.filter(person=person, ended_on__isnull=True).first(),
        allocation=Allocation.objects.filter(person=person, ended_on__isnull=True).select_related("worker").first(),
        tasks=list(Task.objects.filter(OPEN_TASK, person=person).order_by("due_on")[:8]),
        looked_after_records=looked_after_actions(person),
        looked_after_summary=looked_after_summary(person),
    )
