"""Reads for the journey's pages. Each is a fixed number of queries whatever the size of a caseload or team."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import access
from accounts.models import Membership, Role, Team
from core.dates import age_text

from .models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    CINEpisode,
    ConferenceKind,
    Contact,
    LookedAfterEpisode,
    Task,
    TaskKind,
)
from .rules.ages import is_care_leaver_age, is_child
from .rules.dates import day_text
from .rules.timescales import RAG_ORDER, rag
from .selectors_looked_after import (
    LookedAfterSummary,
    looked_after_actions,
    looked_after_episodes,
    looked_after_summary,
)


def due_tasks(*, manager: bool) -> QuerySet[Task]:
    """Open tasks, soonest first: the one source of "due next" (the journey panel and every caseload). A worker's
    list leaves out the tasks only a manager does (cases.models.MANAGER_TASKS: deciding contacts, authorising
    assessments); a manager's keeps them."""
    tasks = Task.objects.open().order_by("due_on", "pk")
    return tasks if manager else tasks.for_workers()


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
    if not statuses and person.date_of_birth and not is_child(person.date_of_birth, today):
        statuses.append("Care leaver")
    return statuses or ["Allocated"], lac


def _person_prefetches(manager: bool) -> list[Prefetch]:
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
        Prefetch("person__tasks", queryset=due_tasks(manager=manager), to_attr="open_tasks"),
    ]


def caseload(worker: Any, *, manager: bool = False, viewer: Any = None) -> list[CaseloadRow]:
    """The children allocated to `worker` whose records `viewer` (the worker when None) may see
    (accounts.access.visible_people: a restricted child needs a grant, even on its own worker's caseload), with
    status and what is due next (due_tasks: a worker's leaves out the manager's tasks; `manager` when the worker is a
    team manager): 7 queries."""
    today = timezone.localdate()
    allocations = (
        Allocation.objects.filter(worker=worker, ended_on__isnull=True)
        .filter(person__in=access.visible_people(viewer if viewer is not None else worker))
        .select_related("person", "team")
        .prefetch_related(*_person_prefetches(manager))
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
                overdue=sum(1 for t in tasks if rag(t.due_on, today) == "red"),
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
    contacts_waiting: int
    contacts_overdue: int


def team_workers_filter(teams: Any) -> QuerySet[Membership]:
    """The memberships of the active social workers and managers of `teams`: who holds cases there."""
    return Membership.objects.current().filter(
        team__in=teams, role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER], user__is_active=True
    )


def team_workers(teams: Any) -> list[dict[str, Any]]:
    """The active social workers and managers of `teams`, by name, each with their caseload (children allocated now)
    and role: the team dashboard's caseloads and the allocation list. 1 query."""
    members = (
        team_workers_filter(teams)
        .select_related("user")
        .annotate(
            caseload=Count("user__allocations", filter=Q(user__allocations__ended_on__isnull=True), distinct=True)
        )
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    seen: set[int] = set()
    out = []
    for m in members:
        if m.user_id not in seen:
            seen.add(m.user_id)
            out.append({"user": m.user, "role": m.get_role_display(), "caseload": m.caseload})
    return out


def overdue_tasks(today: date, user: Any) -> QuerySet[Task]:
    """Everything overdue (Task.objects.overdue) for the children whose records `user` may see, with the child and
    the worker the child is allocated to now."""
    current = Allocation.objects.filter(person_id=OuterRef("person_id"), ended_on__isnull=True)
    return (
        Task.objects.overdue(today)
        .filter(person__in=access.visible_people(user))
        .select_related("person")
        .annotate(
            worker_id=Subquery(current.values("worker_id")[:1]),
            worker_first=Subquery(current.values("worker__first_name")[:1]),
            worker_last=Subquery(current.values("worker__last_name")[:1]),
        )
        .order_by("due_on", "pk")
    )


def team_dashboard(team: Team, user: Any) -> TeamDashboard:
    """Caseloads per worker, everything overdue in the team (with the worker), items awaiting authorisation, and
    the contacts waiting for a decision and overdue (counted as the contact queue counts them): 5 queries."""
    today = timezone.localdate()
    overdue = list(overdue_tasks(today, user).filter(team=team).exclude(kind=TaskKind.CONTACT_DECISION)[:500])
    awaiting = list(
        Assessment.objects.filter(episode__team=team, submitted_on__isnull=False, authorised_on__isnull=True)
        .filter(episode__person__in=access.visible_people(user))
        .select_related("episode__person", "submitted_by")
        .order_by("submitted_on")
    )
    waiting, late = contact_counts(today, user)
    return TeamDashboard(team, team_workers([team]), overdue, awaiting, waiting, late)


def contacts_awaiting_decision(user: Any) -> QuerySet[Contact]:
    """Contacts waiting for a decision about children whose records `user` may see (the front door's, by the
    access rule), each with `due_on`: its open decision task's due date (the contact's own decision due date when it
    has no task)."""
    task_due = Task.objects.open().filter(
        kind=TaskKind.CONTACT_DECISION, source_type="contact", source_id=OuterRef("pk")
    )
    return (
        Contact.objects.filter(decision="", person__in=access.visible_people(user))
        .select_related("person")
        .annotate(due_on=Coalesce(Subquery(task_due.values("due_on")[:1]), F("decision_due_on")))
        .order_by("received_at")
    )


def contact_counts(today: date, user: Any) -> tuple[int, int]:
    """(waiting, overdue) contacts: the contact queue's and the team dashboard's numbers. 1 query."""
    counts = contacts_awaiting_decision(user).aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return counts["waiting"], counts["overdue"]


@dataclass
class ContactRow:
    contact: Contact
    due_on: date
    rag: str  # red, amber, green (cases.rules.timescales.rag)
    age: str


@dataclass
class ContactQueue:
    rows: list[ContactRow]
    overdue: int
    due_today: int


def person_age(person: Any, today: date) -> str:
    """How old a child is, in words: "10 months", "Unborn (due 5 March 2027)", "Age not known"."""
    if person.date_of_birth:
        return age_text(person.date_of_birth, today)
    if person.expected_date_of_birth:
        return f"Unborn (due {day_text(person.expected_date_of_birth)})"
    return "Age not known"


def contact_queue(today: date, user: Any) -> ContactQueue:
    """Contacts waiting for a decision, most urgent first: overdue (red), due today (amber), later (green), then by
    due date and when they came in; each with the child's age. The overdue count is `contact_counts`, as on the
    team dashboard. 2 queries (500 contacts at most)."""
    rows = [
        ContactRow(c, c.due_on, rag(c.due_on, today), person_age(c.person, today))  # type: ignore[attr-defined]
        for c in contacts_awaiting_decision(user)[:500]
    ]
    rows.sort(key=lambda r: (RAG_ORDER[r.rag], r.due_on, r.contact.received_at))
    _, overdue = contact_counts(today, user)
    return ContactQueue(rows, overdue, sum(1 for r in rows if r.rag == "amber"))


def managed_teams(user: Any) -> QuerySet[Team]:
    """The teams the user manages today (an ended membership manages nothing)."""
    held = Membership.objects.current().filter(user=user, role__in=[Role.TEAM_MANAGER, Role.ADMINISTRATOR])
    return Team.objects.filter(pk__in=held.values("team_id"))


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
    been_looked_after: bool = False  # ever, in any period of care

    def for_this_person(self, date_of_birth: date | None, today: date) -> bool:
        """Whether the children's journey belongs on this person's record: a child (cases.rules.ages), anyone with
        children's work still open, or a care leaver under 25."""
        if is_child(date_of_birth, today):
            return True
        if any((self.episode, self.cp_plan, self.cin_plan, self.looked_after, self.allocation)):
            return True
        return self.looked_after_summary is not None and is_care_leaver_age(date_of_birth, today)

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
            if (
                self.enquiry is not None
                and self.enquiry.outcome == "icpc"
                and self.enquiry.initial_conference_on is None
                and self.cp_plan is None
            ):
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
        if self.looked_after is not None or self.cp_plan is not None or self.enquiry is not None:
            out.append(("reviewing-officer", "Choose the reviewing officer"))
        return out


def journey_summary(person: Any, *, manager: bool = False) -> JourneySummary:
    """Where the child is in the journey, with what is due next (due_tasks: the manager's tasks only for a
    `manager`): 6 to 20 queries whatever the history. 6 for the journey itself with the person's looked-after
    episodes, read once (8 with an open referral); the looked-after records offered take none for a child never
    looked after, up to 2 otherwise; the looked-after summary (cases.selectors_looked_after) none for a child never
    looked after, 10 while looked after, 3 or 4 (a care leaver) once they have left care."""
    episodes = looked_after_episodes(person)
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).select_related("team").first()
    assessment = None
    enquiry = None
    if episode is not None:
        assessment = episode.assessments.order_by("-started_on", "-pk").first()
        initial = ChildProtectionConference.objects.filter(enquiry=OuterRef("pk"), kind=ConferenceKind.INITIAL)
        enquiry = (
            episode.section47_enquiries.annotate(initial_conference_on=Subquery(initial.values("held_on")[:1]))
            .order_by("-started_on", "-pk")
            .first()
        )
    return JourneySummary(
        episode=episode,
        assessment=assessment,
        enquiry=enquiry,
        cp_plan=ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).first(),
        cin_plan=ChildInNeedPlan.objects.filter(person=person, ended_on__isnull=True).first(),
        # The person's looked-after episodes are read once, for the open one, the records offered and the summary.
        looked_after=min((ep for ep in episodes if ep.ended_on is None), key=lambda ep: ep.pk, default=None),
        allocation=Allocation.objects.filter(person=person, ended_on__isnull=True).select_related("worker").first(),
        tasks=list(due_tasks(manager=manager).filter(person=person)[:8]),
        looked_after_records=looked_after_actions(person, episodes=episodes),
        looked_after_summary=looked_after_summary(person, episodes=episodes),
        been_looked_after=bool(episodes),
    )
