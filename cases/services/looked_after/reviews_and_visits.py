"""Looked-after reviews (chaired by the independent reviewing officer) and statutory visits."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from cases.codes import check_code
from cases.models import Task, TaskKind
from cases.models_looked_after import LookedAfterReview
from cases.rules.codes import SHORT_BREAKS
from cases.rules.timescales import lac_review_due
from cases.services.kernel import Entry, date_errors, record_step, require_born
from cases.services.looked_after.episodes_read import episode_on, next_statutory_visit_due, open_episode, period_of
from cases.services.tasks import task_open, tasks_complete_open
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import age_on, long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType


@transaction.atomic
def lac_review_record(*, actor: Actor, person: Person, held_on: date | None, participation: str) -> LookedAfterReview:
    """A looked-after review and how the child took part (PN0 only for a child under 4). The next review is due
    within 3 months of the first, then within 6 months of the last."""
    errors = date_errors(held_on, "held_on", "date of the review", person)
    errors.update(check_code("review_participation", participation, "participation", "Select how the child took part"))
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    episode = episode_on(person, held_on)
    if episode is None:
        raise RuleError({"held_on": f"{person.full_name} was not looked after on {long_date(held_on)}"})
    if episode.legal_status in SHORT_BREAKS:
        # SSDA903 rule 399
        raise RuleError("Reviews are not recorded for a child on short breaks")
    born = require_born(person, "record a review")
    under_four = age_on(born, held_on) < 4
    if under_four and participation != "PN0":
        raise RuleError(
            {"participation": 'The child was under 4 at the review: select "child under 4 at the time of the review"'}
        )
    if not under_four and participation == "PN0":
        raise RuleError({"participation": "The child was 4 or over at the review: select how the child took part"})
    period_start = period_of(person, episode)[0]
    earlier = LookedAfterReview.objects.filter(person=person, held_on__gte=period_start.started_on)
    latest = earlier.order_by("-held_on").first()
    if latest and held_on <= latest.held_on:
        raise RuleError({"held_on": f"Reviews are recorded in order: the last one was on {long_date(latest.held_on)}"})
    first = latest is None
    review = LookedAfterReview.objects.create(
        person=person,
        held_on=held_on,
        participation=participation,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    tasks_complete_open(person, TaskKind.LAC_REVIEW, held_on)
    current = open_episode(person)
    if current is not None and period_of(person, current)[0].pk == period_start.pk:
        task_open(person, TaskKind.LAC_REVIEW, lac_review_due(held_on, first=first), period_start, actor=actor)
    record_step(
        actor=actor,
        obj=review,
        person=person,
        on=held_on,
        entry=Entry(
            EntryType.LOOKED_AFTER,
            "Looked-after review" + (" (first)" if first else ""),
            f"Participation: {label('review_participation', participation)}.",
        ),
        fields=["held_on", "participation"],
    )
    return review


@transaction.atomic
def statutory_visit_recorded(*, actor: Actor, person: Person, visited_on: date | None) -> Task | None:
    """A statutory visit to a looked-after child took place (the child was seen): the open visit task is done and
    the next one is made (see next_statutory_visit_due). Called after recording.services.visit_record, whose own
    chronology entry records the visit; this adds no second one. Returns the next task, or None when the child is
    no longer looked after."""
    errors = date_errors(visited_on, "visited_on", "date of the visit", person)
    if errors:
        raise RuleError(errors)
    assert visited_on is not None
    episode = episode_on(person, visited_on)
    if episode is None:
        raise RuleError(
            {"visited_on": f"{person.full_name} was not looked after on {long_date(visited_on)}: no visit was due then"}
        )
    current = open_episode(person)
    if current is None or period_of(person, current)[0].pk != period_of(person, episode)[0].pk:
        return None  # a visit in a period of care that has ended: nothing is due any more
    tasks_complete_open(person, TaskKind.LAC_VISIT, visited_on)
    due = next_statutory_visit_due(person, visited_on)
    assert due is not None
    task = task_open(person, TaskKind.LAC_VISIT, due, current, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="task",
        object_id=str(task.pk),
        person_id=person.pk,
        changes={"new": {"kind": task.kind, "due_on": due.isoformat(), "after_visit_on": visited_on.isoformat()}},
    )
    return task
