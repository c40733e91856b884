"""The child and family assessment: start, record what it found, submit, authorise."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record, snapshot
from cases.codes import check_codes
from cases.models import Assessment, AssessmentOutcome, CINEpisode, TaskKind
from cases.rules import timescales
from cases.rules.dates import Follows, day_text
from cases.services.kernel import Entry, noon, record_step, require_manager, step_date, today
from cases.services.tasks import task_open, tasks_complete, tasks_note
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def assessment_start(*, actor: Actor, episode: CINEpisode, started_on: date | None) -> Assessment:
    """Start the child and family assessment, due 45 working days from the referral."""
    if not episode.is_open:
        raise RuleError("This referral is closed: make a new referral to assess again")
    errors = step_date(started_on, "started_on", "start date", Follows("the referral", episode.referral_date))
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    if episode.assessments.filter(authorised_on__isnull=True).exists():
        raise RuleError("An assessment is already in progress for this referral: complete that one")
    assessment = Assessment.objects.create(
        episode=episode,
        started_on=started_on,
        due_on=timescales.assessment_due(episode.referral_date),
        created_by=actor_or_none(actor),
    )
    record_step(
        actor=actor,
        obj=assessment,
        person=episode.person,
        on=started_on,
        entry=Entry(
            EntryType.ASSESSMENT, "Child and family assessment started", f"Due by {long_date(assessment.due_on)}."
        ),
        fields=["started_on", "due_on"],
    )
    return assessment


@transaction.atomic
def assessment_record(
    *, actor: Actor, assessment: Assessment, factors: list[str], summary: str, outcome: str
) -> Assessment:
    """Record what the assessment found: the factors (CIN census codes; 21 "no factors" stands alone), a summary
    and the recommended outcome. Refused once the assessment is submitted."""
    if assessment.submitted_on:
        raise RuleError("This assessment has been submitted: ask your manager to return it before changing it")
    errors = check_codes(
        "assessment_factor", factors, "factors", "Select at least one factor, or 21 if none were identified"
    )
    if "21" in factors and len(factors) > 1:
        errors["factors"] = "Factor 21 (no factors identified) cannot be chosen with other factors"
    if outcome and outcome not in AssessmentOutcome.values:
        errors["outcome"] = "Select the outcome of the assessment"
    if errors:
        raise RuleError(errors)
    old = snapshot(assessment, ["factors", "summary", "outcome"])
    assessment.factors = sorted(set(factors))
    assessment.summary = summary.strip()
    assessment.outcome = outcome
    assessment.save(update_fields=["factors", "summary", "outcome", "modified_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={"old": old, "new": snapshot(assessment, ["factors", "summary", "outcome"])},
    )
    return assessment


@transaction.atomic
def assessment_submit(*, actor: Actor, assessment: Assessment, submitted_on: date | None = None) -> Assessment:
    submitted_on = submitted_on or today()
    if assessment.submitted_on:
        raise RuleError("This assessment has already been submitted")
    if not assessment.factors:
        raise RuleError({"factors": "Record the factors identified before submitting"})
    if not assessment.outcome:
        raise RuleError({"outcome": "Record the outcome before submitting"})
    errors = step_date(
        submitted_on, "submitted_on", "date it was submitted", Follows("the assessment started", assessment.started_on)
    )
    if errors:
        raise RuleError(errors)
    assessment.submitted_on = submitted_on
    assessment.submitted_by = actor_or_none(actor)
    assessment.save(update_fields=["submitted_on", "submitted_by", "modified_at"])
    # A resubmission after a return: the worker's task no longer says it came back.
    tasks_note(TaskKind.ASSESSMENT, assessment.episode, "")
    task_open(assessment.episode.person, TaskKind.ASSESSMENT_AUTHORISATION, submitted_on, assessment, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={"submitted_on": {"old": None, "new": submitted_on.isoformat()}},
    )
    return assessment


@transaction.atomic
def assessment_authorise(
    *, actor: Actor, assessment: Assessment, authorised_on: date | None = None, comments: str = ""
) -> Assessment:
    """A manager authorises a submitted assessment (not their own), with their comments. Completes the assessment
    task."""
    require_manager(actor, "authorise an assessment")
    authorised_on = authorised_on or today()
    if not assessment.submitted_on:
        raise RuleError("The assessment must be submitted before it can be authorised")
    if assessment.authorised_on:
        raise RuleError("This assessment is already authorised")
    if actor is not None and assessment.submitted_by_id == getattr(actor, "pk", None):
        raise RuleError("You submitted this assessment: another manager must authorise it")
    errors = step_date(
        authorised_on,
        "authorised_on",
        "date of authorisation",
        Follows("the assessment was submitted", assessment.submitted_on),
    )
    if errors:
        raise RuleError(errors)
    assessment.authorised_on = authorised_on
    assessment.authorised_by = actor_or_none(actor)
    assessment.authorisation_comments = comments.strip()
    assessment.save(update_fields=["authorised_on", "authorised_by", "authorisation_comments", "modified_at"])
    tasks_complete(TaskKind.ASSESSMENT, assessment.episode, authorised_on)
    tasks_complete(TaskKind.ASSESSMENT_AUTHORISATION, assessment, authorised_on)
    chronology_add(
        person=assessment.episode.person,
        occurred_at=noon(authorised_on),
        entry_type=EntryType.ASSESSMENT,
        title=f"Assessment authorised: {assessment.get_outcome_display().lower()}",
        summary="\n\n".join(
            t for t in (assessment.summary, f"Manager's comments: {assessment.authorisation_comments}") if t.strip()
        )
        if assessment.authorisation_comments
        else assessment.summary,
        source_type="assessment",
        source_id=assessment.pk,
        actor=actor,
        significant=True,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={
            "authorised_on": {"old": None, "new": authorised_on.isoformat()},
            "authorisation_comments": {"old": "", "new": assessment.authorisation_comments},
        },
    )
    return assessment


@transaction.atomic
def assessment_return(
    *, actor: Actor, assessment: Assessment, reason: str, returned_on: date | None = None
) -> Assessment:
    """A manager returns a submitted assessment to the worker with the reason: it is in progress again (the worker
    can change and resubmit it), the authorisation task is done, and the worker's assessment task says why it came
    back. Audited, and in the chronology."""
    require_manager(actor, "return an assessment to the worker")
    returned_on = returned_on or today()
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.authorised_on:
        raise RuleError("This assessment is already authorised")
    if not assessment.submitted_on:
        raise RuleError("The assessment has not been submitted, so it is already with the worker")
    errors = step_date(
        returned_on,
        "returned_on",
        "date it was returned",
        Follows("the assessment was submitted", assessment.submitted_on),
    )
    if not reason.strip():
        errors["reason"] = "Enter what the worker needs to change"
    if errors:
        raise RuleError(errors)
    submitted_on, submitted_by = assessment.submitted_on, assessment.submitted_by
    assessment.submitted_on = None
    assessment.submitted_by = None
    assessment.save(update_fields=["submitted_on", "submitted_by", "modified_at"])
    tasks_complete(TaskKind.ASSESSMENT_AUTHORISATION, assessment, returned_on)
    by = actor.display_name if actor is not None and hasattr(actor, "display_name") else "the manager"
    note = f"Returned by {by} on {day_text(returned_on)}: {reason.strip()}"
    tasks_note(TaskKind.ASSESSMENT, assessment.episode, note)
    chronology_add(
        person=assessment.episode.person,
        occurred_at=noon(returned_on),
        entry_type=EntryType.ASSESSMENT,
        title="Assessment returned to the worker",
        summary=reason.strip(),
        source_type="assessment",
        source_id=assessment.pk,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={
            "submitted_on": {"old": submitted_on.isoformat(), "new": None},
            "submitted_by": {"old": submitted_by.pk if submitted_by else None, "new": None},
            "returned": {"on": returned_on.isoformat(), "reason": reason.strip()},
        },
    )
    return assessment
