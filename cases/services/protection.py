"""Child protection: strategy discussions, section 47 enquiries, initial and review conferences, child protection
plans, core groups and the visits a plan needs."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from cases.codes import check_code
from cases.models import (
    ChildProtectionConference,
    ChildProtectionPlan,
    CINEpisode,
    ConferenceKind,
    CoreGroupMeeting,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
    Task,
    TaskKind,
)
from cases.rules import timescales
from cases.rules.dates import Follows
from cases.services.kernel import Entry, audit_step, noon, record_step, step_date
from cases.services.tasks import local_policy, task_open, tasks_cancel_for, tasks_complete
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import is_working_day, long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add

AGENCIES_MAX = 300


@transaction.atomic
def strategy_discussion_record(
    *, actor: Actor, episode: CINEpisode, held_on: date | None, agencies: str, start_section_47: bool, notes: str = ""
) -> StrategyDiscussion:
    """A strategy discussion where significant harm is suspected. Deciding to start a section 47 enquiry opens
    it the same day, with the initial conference due 15 working days from this discussion."""
    if not episode.is_open:
        raise RuleError("This referral is closed: make a new referral first")
    errors = step_date(
        held_on, "held_on", "date of the strategy discussion", Follows("the referral", episode.referral_date)
    )
    if not agencies.strip():
        errors["agencies"] = "Enter the agencies that took part"
    elif len(agencies.strip()) > AGENCIES_MAX:
        errors["agencies"] = f"The agencies that took part must be {AGENCIES_MAX} characters or fewer"
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    discussion = StrategyDiscussion.objects.create(
        episode=episode,
        held_on=held_on,
        agencies=agencies.strip(),
        start_section_47=start_section_47,
        notes=notes.strip(),
        created_by=actor_or_none(actor),
    )
    chronology_add(
        person=episode.person,
        occurred_at=noon(held_on),
        entry_type=EntryType.STRATEGY,
        title="Strategy discussion: "
        + ("section 47 enquiry to start" if start_section_47 else "no section 47 enquiry"),
        summary=f"Agencies: {discussion.agencies}. {discussion.notes}",
        source_type="strategydiscussion",
        source_id=discussion.pk,
        actor=actor,
        significant=True,
    )
    audit_step(actor, AuditAction.CREATE, discussion, episode.person_id, ["held_on", "agencies", "start_section_47"])
    if start_section_47:
        enquiry = Section47Enquiry.objects.create(
            episode=episode,
            strategy_discussion=discussion,
            started_on=held_on,
            icpc_due_on=timescales.icpc_due(held_on),
            created_by=actor_or_none(actor),
        )
        task_open(episode.person, TaskKind.ICPC, enquiry.icpc_due_on, enquiry, actor=actor)
        audit_step(actor, AuditAction.CREATE, enquiry, episode.person_id, ["started_on", "icpc_due_on"])
    return discussion


@transaction.atomic
def section47_complete(
    *, actor: Actor, enquiry: Section47Enquiry, completed_on: date | None, outcome: str
) -> Section47Enquiry:
    """Record the outcome of a section 47 enquiry. Without an initial conference, its task is cancelled."""
    errors = step_date(
        completed_on, "completed_on", "date the enquiry finished", Follows("the enquiry started", enquiry.started_on)
    )
    if outcome not in Section47Outcome.values:
        errors["outcome"] = "Select the outcome of the enquiry"
    if errors:
        raise RuleError(errors)
    assert completed_on is not None
    if enquiry.completed_on:
        raise RuleError("This enquiry is already complete")
    enquiry.completed_on = completed_on
    enquiry.outcome = outcome
    enquiry.save(update_fields=["completed_on", "outcome", "modified_at"])
    if outcome != Section47Outcome.ICPC_REQUIRED:
        tasks_cancel_for(enquiry, completed_on, kind=TaskKind.ICPC)
    record_step(
        actor=actor,
        obj=enquiry,
        person=enquiry.episode.person,
        on=completed_on,
        entry=Entry(
            EntryType.SECTION_47,
            f"Section 47 enquiry completed: {enquiry.get_outcome_display().lower()}",
            "",
            significant=True,
        ),
        fields=["completed_on", "outcome"],
        action=AuditAction.UPDATE,
    )
    return enquiry


CHAIR_MAX = 150
END_REASON_MAX = 200


def chair_errors(chair: str) -> dict[str, str]:
    if len(chair.strip()) > CHAIR_MAX:
        return {"chair": f"The chair's name must be {CHAIR_MAX} characters or fewer"}
    return {}


@transaction.atomic
def initial_conference_record(
    *,
    actor: Actor,
    enquiry: Section47Enquiry,
    held_on: date | None,
    plan_needed: bool,
    category: str = "",
    chair: str = "",
) -> ChildProtectionConference:
    """The initial child protection conference, and who chaired it. When a plan is needed it starts that day with its
    category of abuse; the first core group is due in 10 working days, the first review conference within 3 months,
    and visits at the local interval."""
    errors = step_date(
        held_on, "held_on", "date of the conference", Follows("the section 47 enquiry started", enquiry.started_on)
    )
    if held_on is not None and not errors and not is_working_day(held_on):
        errors["held_on"] = (
            f"{held_on:%A} {long_date(held_on)} is not a working day: conferences are held on working days (CIN census rule "
            "8875). Check the date."
        )
    if plan_needed:
        errors.update(check_code("abuse_category", category, "category", "Select the category of abuse"))
    errors.update(chair_errors(chair))
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if enquiry.outcome != Section47Outcome.ICPC_REQUIRED:
        raise RuleError(
            "Record that the section 47 enquiry needs an initial conference before recording the conference"
        )
    if enquiry.conferences.filter(kind=ConferenceKind.INITIAL).exists():
        raise RuleError("The initial conference for this enquiry is already recorded")
    episode = enquiry.episode
    person = episode.person
    conference = ChildProtectionConference.objects.create(
        episode=episode,
        kind=ConferenceKind.INITIAL,
        enquiry=enquiry,
        held_on=held_on,
        child_protection_plan_decided=plan_needed,
        category=category if plan_needed else "",
        chair=chair.strip(),
        created_by=actor_or_none(actor),
    )
    tasks_complete(TaskKind.ICPC, enquiry, held_on)
    audit_step(
        actor,
        AuditAction.CREATE,
        conference,
        person.pk,
        ["kind", "held_on", "child_protection_plan_decided", "category", "chair"],
    )
    title = "Initial child protection conference: " + ("child protection plan" if plan_needed else "no plan")
    if plan_needed:
        if ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).exists():
            raise RuleError("This child already has an open child protection plan")
        plan = ChildProtectionPlan.objects.create(
            episode=episode,
            person=person,
            initial_conference=conference,
            started_on=held_on,
            initial_category=category,
            latest_category=category,
            created_by=actor_or_none(actor),
        )
        task_open(person, TaskKind.CORE_GROUP, timescales.first_core_group_due(held_on), plan, actor=actor)
        task_open(person, TaskKind.CP_REVIEW, timescales.cp_review_due(held_on, first=True), plan, actor=actor)
        task_open(
            person,
            TaskKind.CP_VISIT,
            timescales.cp_visit_due(held_on, local_policy("cp_visit_interval")),
            plan,
            actor=actor,
            statutory=False,
        )
        audit_step(actor, AuditAction.CREATE, plan, person.pk, ["started_on", "initial_category"])
    chronology_add(
        person=person,
        occurred_at=noon(held_on),
        entry_type=EntryType.CONFERENCE,
        title=title,
        summary=f"Category: {label('abuse_category', category).lower()}" if plan_needed else "",
        source_type="childprotectionconference",
        source_id=conference.pk,
        actor=actor,
        significant=True,
    )
    return conference


@transaction.atomic
def core_group_record(
    *, actor: Actor, plan: ChildProtectionPlan, held_on: date | None, notes: str = ""
) -> CoreGroupMeeting:
    if plan.ended_on:
        raise RuleError("This plan has ended")
    errors = step_date(held_on, "held_on", "date of the core group", Follows("the plan started", plan.started_on))
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    meeting = CoreGroupMeeting.objects.create(plan=plan, held_on=held_on, notes=notes.strip())
    tasks_complete(TaskKind.CORE_GROUP, plan, held_on)
    audit_step(actor, AuditAction.CREATE, meeting, plan.person_id, ["held_on"])
    return meeting


@transaction.atomic
def review_conference_record(
    *,
    actor: Actor,
    plan: ChildProtectionPlan,
    held_on: date | None,
    plan_continues: bool,
    category: str = "",
    end_reason: str = "",
    chair: str = "",
) -> ChildProtectionConference:
    """A review conference, and who chaired it. The plan continues (next review within 6 months, category may change)
    or ends."""
    last = plan.review_conferences.order_by("-held_on").first()
    errors = step_date(
        held_on,
        "held_on",
        "date of the review conference",
        Follows("the last conference", last.held_on, same_day=False)
        if last
        else Follows("the initial conference", plan.started_on, same_day=False),
    )
    if plan_continues and category:
        errors.update(check_code("abuse_category", category, "category", "Select the category of abuse"))
    if not plan_continues and not end_reason.strip():
        errors["end_reason"] = "Enter why the plan is ending"
    elif not plan_continues and len(end_reason.strip()) > END_REASON_MAX:
        errors["end_reason"] = f"Why the plan is ending must be {END_REASON_MAX} characters or fewer"
    errors.update(chair_errors(chair))
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if plan.ended_on:
        raise RuleError("This plan has ended")
    conference = ChildProtectionConference.objects.create(
        episode=plan.episode,
        kind=ConferenceKind.REVIEW,
        plan=plan,
        held_on=held_on,
        child_protection_plan_decided=plan_continues,
        category=category,
        chair=chair.strip(),
        created_by=actor_or_none(actor),
    )
    tasks_complete(TaskKind.CP_REVIEW, plan, held_on)
    if plan_continues:
        if category:
            plan.latest_category = category
        task_open(plan.person, TaskKind.CP_REVIEW, timescales.cp_review_due(held_on, first=False), plan, actor=actor)
    else:
        plan.ended_on = held_on
        plan.end_reason = end_reason.strip()
        tasks_cancel_for(plan, held_on)
    plan.save(update_fields=["latest_category", "ended_on", "end_reason", "modified_at"])
    record_step(
        actor=actor,
        obj=conference,
        person=plan.person,
        on=held_on,
        entry=Entry(
            EntryType.CONFERENCE,
            "Review child protection conference: " + ("plan continues" if plan_continues else "plan ended"),
            end_reason,
            significant=not plan_continues,
        ),
        fields=["held_on", "child_protection_plan_decided", "category", "chair"],
    )
    return conference


def cp_visit_recorded(*, actor: Actor, person: Person, visited_on: date) -> Task | None:
    """A visit in which a child on a child protection plan was seen: completes the visit that was due and makes the
    next at the authority's interval (TimescalePolicy cp_visit_interval, 10 working days by default). Called by
    recording.services.visit_record. A visit older than the open task's interval (recorded late, out of order) or
    outside the plan changes nothing."""
    plan = ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True, started_on__lte=visited_on).first()
    if plan is None:
        return None
    open_tasks = Task.objects.filter(
        kind=TaskKind.CP_VISIT, source_type="childprotectionplan", source_id=plan.pk, completed_on__isnull=True,
        cancelled_on__isnull=True,
    )  # fmt: skip
    latest_done = (
        Task.objects.filter(
            kind=TaskKind.CP_VISIT, source_type="childprotectionplan", source_id=plan.pk, completed_on__isnull=False
        )
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    if latest_done is not None and visited_on <= latest_done:
        return None  # an earlier visit recorded late: the later one already set the next due date
    open_tasks.update(completed_on=visited_on)
    task = task_open(
        person,
        TaskKind.CP_VISIT,
        timescales.cp_visit_due(visited_on, local_policy("cp_visit_interval")),
        plan,
        actor=actor,
        statutory=False,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="task",
        object_id=str(task.pk),
        person_id=person.pk,
        changes={
            "new": {"kind": task.kind, "due_on": task.due_on.isoformat(), "after_visit_on": visited_on.isoformat()}
        },
    )
    return task
