"""Reviews due: what an independent reviewing officer (and a manager) plans their diary from. Looked-after reviews
and child protection review conferences come due as tasks (cases.services makes them); this
reads the open ones, with the child's allocated worker and the last review held, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Max, OuterRef, Subquery

from accounts import access

from .models import Allocation, ChildProtectionConference, ConferenceKind, ReviewingOfficerAssignment, Task, TaskKind
from .models_looked_after import LookedAfterReview

REVIEW_KINDS = (TaskKind.LAC_REVIEW, TaskKind.CP_REVIEW, TaskKind.TRANSFER_IN_CONFERENCE)
DEFAULT_WEEKS = 8
MAX_WEEKS = 52


@dataclass
class ReviewRow:
    task: Task
    worker: str
    team: str
    last_held: date | None
    chair: str = ""

    @property
    def kind(self) -> str:
        labels: dict[str, str] = {
            TaskKind.LAC_REVIEW: "Looked-after review",
            TaskKind.CP_REVIEW: "Child protection review conference",
            TaskKind.TRANSFER_IN_CONFERENCE: "Transfer-in conference",
        }
        return labels.get(self.task.kind, self.task.get_kind_display())


@dataclass
class ReviewsDue:
    rows: list[ReviewRow]
    overdue: int
    until: date
    weeks: int


def reviews_due(
    today: date, *, user: Any, weeks: int = DEFAULT_WEEKS, kind: str = "", chaired_by: Any = None
) -> ReviewsDue:
    """Open review tasks due by `today` + `weeks` (overdue ones included), soonest first, of the children whose
    records `user` may see (accounts.access); with `chaired_by`, only the children that officer chairs the reviews
    of ("My reviews"): 3 queries (4 the first time the user's access is read in a request)."""
    until = today + timedelta(weeks=weeks)
    kinds = (kind,) if kind in REVIEW_KINDS else REVIEW_KINDS
    current = Allocation.objects.filter(person_id=OuterRef("person_id"), ended_on__isnull=True)
    chair = ReviewingOfficerAssignment.objects.filter(person_id=OuterRef("person_id"), ended_on__isnull=True)
    open_tasks = Task.objects.filter(
        kind__in=kinds, completed_on__isnull=True, cancelled_on__isnull=True, due_on__lte=until
    ).filter(person__in=access.visible_people(user))
    if chaired_by is not None:
        open_tasks = open_tasks.filter(Exists(chair.filter(officer_id=chaired_by.pk)))
    tasks = list(
        open_tasks.select_related("person")
        .annotate(
            worker_first=Subquery(current.values("worker__first_name")[:1]),
            worker_last=Subquery(current.values("worker__last_name")[:1]),
            team_name=Subquery(current.values("team__name")[:1]),
            chair_first=Subquery(chair.values("officer__first_name")[:1]),
            chair_last=Subquery(chair.values("officer__last_name")[:1]),
        )
        .order_by("due_on", "person__family_name", "id")[:500]
    )
    person_ids = {t.person_id for t in tasks}
    lac_last = dict(
        LookedAfterReview.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(last=Max("held_on"))
        .values_list("person_id", "last")
    )
    cp_last = dict(
        ChildProtectionConference.objects.filter(
            episode__person_id__in=person_ids, kind__in=[ConferenceKind.INITIAL, ConferenceKind.REVIEW]
        )
        .values("episode__person_id")
        .annotate(last=Max("held_on"))
        .values_list("episode__person_id", "last")
    )
    rows = [
        ReviewRow(
            task=t,
            worker=f"{getattr(t, 'worker_first', '') or ''} {getattr(t, 'worker_last', '') or ''}".strip(),
            team=getattr(t, "team_name", "") or "",
            chair=f"{getattr(t, 'chair_first', '') or ''} {getattr(t, 'chair_last', '') or ''}".strip(),
            last_held=(lac_last if t.kind == TaskKind.LAC_REVIEW else cp_last).get(t.person_id),
        )
        for t in tasks
    ]
    return ReviewsDue(rows=rows, overdue=sum(1 for r in rows if r.task.due_on < today), until=until, weeks=weeks)
