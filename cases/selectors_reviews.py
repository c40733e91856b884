"""Reviews due: what an independent reviewing officer (and a manager) plans their diary from. Looked-after reviews
and child protection review conferences come due as tasks (cases.services makes them); this
reads the open ones, with the child's allocated worker and the last review held, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, OuterRef, Subquery

from .models import Allocation, ChildProtectionConference, ConferenceKind, Task, TaskKind
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


def reviews_due(today: date, *, weeks: int = DEFAULT_WEEKS, kind: str = "") -> ReviewsDue:
    """Open review tasks due by `today` + `weeks` (overdue ones included), soonest first: 3 queries."""
    until = today + timedelta(weeks=weeks)
    kinds = (kind,) if kind in REVIEW_KINDS else REVIEW_KINDS
    current = Allocation.objects.filter(person_id=OuterRef("person_id"), ended_on__isnull=True)
    tasks = list(
        Task.objects.filter(kind__in=kinds, completed_on__isnull=True, cancelled_on__isnull=True, due_on__lte=until)
        .select_related("person")
        .annotate(
            worker_first=Subquery(current.values("worker__first_name")[:1]),
            worker_last=Subquery(current.values("worker__last_name")[:1]),
            team_name=Subquery(current.values("team__name")[:1]),
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
            last_held=(lac_last if t.kind == TaskKind.LAC_REVIEW else cp_last).get(t.person_id),
        )
        for t in tasks
    ]
    return ReviewsDue(rows=rows, overdue=sum(1 for r in rows if r.task.due_on < today), until=until, weeks=weeks)
