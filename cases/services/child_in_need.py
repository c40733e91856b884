"""Child in need plans and their reviews."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from cases.models import AssessmentOutcome, ChildInNeedPlan, ChildInNeedPlanReview, CINEpisode, TaskKind
from cases.rules import timescales
from cases.rules.dates import Follows, day_text
from cases.services.kernel import Entry, audit_step, record_step, step_date
from cases.services.tasks import local_policy, task_open, tasks_cancel_for, tasks_complete
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from recording.models import EntryType


def authorised_outcome(episode: CINEpisode, outcome: str) -> bool:
    return episode.assessments.filter(authorised_on__isnull=False, outcome=outcome).exists()


@transaction.atomic
def cin_plan_start(*, actor: Actor, episode: CINEpisode, started_on: date | None) -> ChildInNeedPlan:
    """A child in need plan, after an assessment authorised with that outcome. Reviews at the local interval."""
    errors = step_date(started_on, "started_on", "start date", Follows("the referral", episode.referral_date))
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    if not authorised_outcome(episode, AssessmentOutcome.CIN_PLAN):
        raise RuleError("A child in need plan follows an authorised assessment that recommends one")
    if ChildInNeedPlan.objects.filter(person=episode.person, ended_on__isnull=True).exists():
        raise RuleError("This child already has an open child in need plan")
    plan = ChildInNeedPlan.objects.create(
        episode=episode,
        person=episode.person,
        started_on=started_on,
        created_by=actor_or_none(actor),
    )
    task_open(
        episode.person,
        TaskKind.CIN_REVIEW,
        timescales.cin_review_due(started_on, local_policy("cin_review_interval")),
        plan,
        actor=actor,
        statutory=False,
    )
    record_step(
        actor=actor,
        obj=plan,
        person=episode.person,
        on=started_on,
        entry=Entry(EntryType.PLAN, "Child in need plan started", "", significant=True),
        fields=["started_on"],
    )
    return plan


@transaction.atomic
def cin_plan_end(*, actor: Actor, plan: ChildInNeedPlan, ended_on: date | None) -> ChildInNeedPlan:
    if plan.ended_on:
        raise RuleError("This plan has already ended")
    errors = step_date(ended_on, "ended_on", "end date", Follows("the plan started", plan.started_on))
    if errors:
        raise RuleError(errors)
    assert ended_on is not None
    plan.ended_on = ended_on
    plan.save(update_fields=["ended_on", "modified_at"])
    tasks_cancel_for(plan, ended_on)
    audit_step(actor, AuditAction.CLOSE, plan, plan.person_id, ["ended_on"])
    return plan


@transaction.atomic
def cin_plan_review_record(
    *, actor: Actor, plan: ChildInNeedPlan, held_on: date | None, plan_continues: bool = True, summary: str = ""
) -> ChildInNeedPlanReview:
    """A child in need plan review: completes the review that was due and makes the next at the authority's
    interval; a review deciding the plan is no longer needed ends it that day."""
    if plan.ended_on is not None:
        raise RuleError(f"This plan ended on {day_text(plan.ended_on)}: start a new plan to review one")
    last = plan.reviews.order_by("-held_on").first()
    errors = step_date(
        held_on,
        "held_on",
        "review date",
        Follows("the plan started", plan.started_on),
        Follows("the last review", last.held_on if last else None, same_day=False),
    )
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    review = ChildInNeedPlanReview.objects.create(
        plan=plan,
        person=plan.person,
        held_on=held_on,
        plan_continues=plan_continues,
        summary=summary.strip(),
        created_by=actor_or_none(actor),
    )
    tasks_complete(TaskKind.CIN_REVIEW, plan, held_on)
    if plan_continues:
        task_open(
            plan.person,
            TaskKind.CIN_REVIEW,
            timescales.cin_review_due(held_on, local_policy("cin_review_interval")),
            plan,
            actor=actor,
            statutory=False,
        )
    record_step(
        actor=actor,
        obj=review,
        person=plan.person,
        on=held_on,
        entry=Entry(
            EntryType.PLAN,
            "Child in need plan review: " + ("plan continues" if plan_continues else "plan no longer needed"),
            review.summary,
        ),
        fields=["held_on", "plan_continues", "summary"],
    )
    if not plan_continues:
        cin_plan_end(actor=actor, plan=plan, ended_on=held_on)
    return review
