"""The children's journey, step by step. Each service enforces the order of the journey and its dates, refuses
anything else with a RuleError that says what to do instead, writes its rows, a chronology entry, its tasks and an
audit event in one transaction.

Who may call: the caller checks that the user may see the child (accounts.access); services themselves refuse
manager-only steps (deciding contacts, allocating, authorising, closing) for anyone who is not a team manager or
administrator, because that rule belongs to the step, not to a page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import Membership, Role, Team
from audit.services import audit_record, snapshot
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add

from . import timescales
from .codes import check_code, check_codes
from .models import (
    Allocation,
    Assessment,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    Contact,
    ContactDecision,
    LookedAfterEpisode,
    Task,
    TaskKind,
)

RE_REFERRAL_MONTHS = 12


def _today() -> date:
    return timezone.localdate()


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=timezone.get_current_timezone())


def require_manager(actor: Any, what: str) -> None:
    if actor is not None and not access.is_manager(actor):
        raise RuleError(f"Only a team manager can {what}. Ask your manager to do it.")


def _not_future(day: date | None, field: str, label: str) -> dict[str, str]:
    if day is None:
        return {field: f"Enter the {label}"}
    if day > _today():
        return {field: f"The {label} must be today or in the past"}
    return {}


def _task(person: Person, kind: str, due_on: date, source: Any, team: Team | None, statutory: bool = True) -> Task:
    task, _ = Task.objects.get_or_create(
        kind=kind,
        source_type=source._meta.model_name,
        source_id=source.pk,
        due_on=due_on,
        defaults={"person": person, "team": team, "statutory": statutory},
    )
    return task


def _complete_tasks(kind: str, source: Any, on: date) -> None:
    Task.objects.filter(
        kind=kind, source_type=source._meta.model_name, source_id=source.pk, completed_on__isnull=True
    ).update(completed_on=on)


def _audit(
    actor: Any, action: str, obj: Any, person_id: int, fields: list[str], extra: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        person_id=person_id,
        changes={"new": {**snapshot(obj, fields), **(extra or {})}},
    )


def _team_of(actor: Any) -> Team | None:
    if not getattr(actor, "pk", None):
        return None
    m = Membership.objects.filter(user_id=actor.pk).select_related("team").first()
    return m.team if m else None


# --- the front door ----------------------------------------------------------------------------------------


@transaction.atomic
def contact_record(
    *,
    actor: Any,
    person: Person,
    received_at: datetime | None,
    source: str,
    concern: str,
    referrer_name: str = "",
    referrer_organisation: str = "",
) -> Contact:
    """Record a contact about a child. A decision is due within 1 working day."""
    errors: dict[str, str] = {}
    if received_at is None:
        errors["received_at"] = "Enter when the contact was received"
    elif received_at > timezone.now() + timedelta(minutes=5):
        errors["received_at"] = "When the contact was received must be now or in the past"
    errors.update(check_code("referral_source", source, "source", "Select who the contact came from"))
    if not concern.strip():
        errors["concern"] = "Enter what the concern is"
    if errors:
        raise RuleError(errors)
    assert received_at is not None
    contact = Contact.objects.create(
        person=person,
        received_at=received_at,
        source=source,
        referrer_name=referrer_name.strip(),
        referrer_organisation=referrer_organisation.strip(),
        concern=concern.strip(),
        decision_due_on=timescales.contact_decision_due(timezone.localtime(received_at).date()),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _task(person, TaskKind.CONTACT_DECISION, contact.decision_due_on, contact, _team_of(actor))
    chronology_add(
        person=person,
        occurred_at=received_at,
        entry_type=EntryType.CONTACT,
        title=f"Contact from {referrer_organisation or referrer_name or 'a member of the public'}",
        summary=concern,
        source_type="contact",
        source_id=contact.pk,
        actor=actor,
    )
    _audit(
        actor,
        "create",
        contact,
        person.pk,
        ["received_at", "source", "referrer_name", "referrer_organisation", "concern"],
    )
    return contact


@transaction.atomic
def contact_decide(
    *,
    actor: Any,
    contact: Contact,
    decision: str,
    reason: str,
    team: Team | None = None,
    primary_need: str = "",
) -> CINEpisode | None:
    """A duty manager decides: no further action, early help, or referral (which opens a children-in-need episode
    for `team`, with the contact's source as the referral source and the given primary need)."""
    require_manager(actor, "decide what happens to a contact")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.decision:
        raise RuleError(
            f"This contact was already decided ({contact.get_decision_display().lower()}) on {contact.decided_at:%d %B %Y}"
        )
    if decision not in ContactDecision.values:
        raise RuleError({"decision": "Select no further action, early help or referral"})
    if not reason.strip():
        raise RuleError({"decision_reason": "Enter the reason for the decision"})
    episode = None
    if decision == ContactDecision.REFERRAL:
        if team is None:
            raise RuleError({"team": "Select the team the referral goes to"})
        episode = referral_create(
            actor=actor,
            person=contact.person,
            referral_date=timezone.localtime(contact.received_at).date(),
            source=contact.source,
            primary_need=primary_need,
            team=team,
            contact=contact,
        )
    contact.decision = decision
    contact.decision_reason = reason.strip()
    contact.decided_at = timezone.now()
    contact.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    contact.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by", "modified_at"])
    _complete_tasks(TaskKind.CONTACT_DECISION, contact, _today())
    audit_record(
        actor=actor,
        action="update",
        object_type="contact",
        object_id=str(contact.pk),
        person_id=contact.person_id,
        changes={
            "decision": {"old": "", "new": decision},
            "decision_reason": {"old": "", "new": contact.decision_reason},
        },
    )
    return episode


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    person: Person,
    referral_date: date | None,
    source: str,
    primary_need: str,
    team: Team,
    contact: Contact | None = None,
) -> CINEpisode:
    """Open a children-in-need episode. Refused while the child has one open; flags re-referrals (within 12 months
    of an earlier referral); makes the 45-working-day assessment task."""
    errors = _not_future(referral_date, "referral_date", "referral date")
    errors.update(check_code("referral_source", source, "source", "Select the referral source"))
    errors.update(check_code("primary_need", primary_need, "primary_need", "Select the child's primary need"))
    if errors:
        raise RuleError(errors)
    assert referral_date is not None
    born = person.date_of_birth or person.expected_date_of_birth
    if person.date_of_birth and referral_date < person.date_of_birth - timedelta(days=280):
        raise RuleError(
            {"referral_date": "The referral date is before the child could have been known: check the year"}
        )
    if born is None:
        raise RuleError("Record the child's date of birth or expected date of birth before making a referral")
    if CINEpisode.objects.filter(person=person, closure_date__isnull=True).exists():
        raise RuleError("This child already has an open referral. Record the new concern as a contact on it instead.")
    last = CINEpisode.objects.filter(person=person).order_by("-referral_date").first()
    if last and last.closure_date and referral_date < last.closure_date:
        raise RuleError(
            {"referral_date": f"The referral date must be after the last episode closed ({last.closure_date:%d %B %Y})"}
        )
    episode = CINEpisode.objects.create(
        person=person,
        contact=contact,
        team=team,
        referral_date=referral_date,
        referral_source=source,
        primary_need=primary_need,
        is_re_referral=bool(last and referral_date <= last.referral_date.replace(year=last.referral_date.year + 1)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _task(person, TaskKind.ASSESSMENT, timescales.assessment_due(referral_date), episode, team)
    chronology_add(
        person=person,
        occurred_at=_at(referral_date),
        entry_type=EntryType.REFERRAL,
        title="Referral" + (" (re-referral within 12 months)" if episode.is_re_referral else ""),
        summary=f"Referred to {team.name}. Primary need: {primary_need}.",
        source_type="cinepisode",
        source_id=episode.pk,
        actor=actor,
        significant=True,
    )
    _audit(
        actor,
        "create",
        episode,
        person.pk,
        ["referral_date", "referral_source", "primary_need", "team", "is_re_referral"],
    )
    return episode


# --- allocation ----------------------------------------------------------------------------------------------


@transaction.atomic
def allocate(
    *,
    actor: Any,
    person: Person,
    worker: Any,
    started_on: date | None,
    reason: str,
    change_reason: str = "",
) -> Allocation:
    """Allocate (or reallocate) a child to a worker. The previous allocation ends the day before, with the SSDA903
    reason for the change; every allocation is kept as a social worker episode."""
    require_manager(actor, "allocate children to workers")
    errors = _not_future(started_on, "started_on", "allocation date")
    if not reason.strip():
        errors["reason"] = "Enter why the child is allocated to this worker"
    membership = (
        Membership.objects.filter(user=worker, role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
        .select_related("team")
        .first()
    )
    if membership is None or not worker.is_active:
        errors["worker"] = "Choose an active social worker or manager"
    if errors:
        raise RuleError(errors)
    assert started_on is not None and membership is not None
    current = Allocation.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    if current is not None:
        if current.worker_id == worker.pk:
            raise RuleError({"worker": f"{person.full_name} is already allocated to {worker.display_name}"})
        errors.update(
            check_code("sw_change_reason", change_reason, "change_reason", "Select why the worker is changing")
        )
        if started_on <= current.started_on:
            errors["started_on"] = (
                f"The new allocation must start after the current one ({current.started_on:%d %B %Y})"
            )
        if errors:
            raise RuleError(errors)
        current.ended_on = started_on - timedelta(days=1)
        current.end_reason = change_reason
        current.save(update_fields=["ended_on", "end_reason", "modified_at"])
    allocation = Allocation.objects.create(
        person=person,
        worker=worker,
        team=membership.team,
        started_on=started_on,
        reason=reason.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    chronology_add(
        person=person,
        occurred_at=_at(started_on),
        entry_type=EntryType.ALLOCATION,
        title=f"Allocated to {worker.display_name} ({membership.team.name})",
        summary=reason,
        source_type="allocation",
        source_id=allocation.pk,
        actor=actor,
    )
    _audit(
        actor,
        "create",
        allocation,
        person.pk,
        ["worker", "team", "started_on", "reason"],
        {"previous_ended": bool(current)},
    )
    return allocation


# --- assessment ----------------------------------------------------------------------------------------------


def _open_episode(person: Person) -> CINEpisode:
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).first()
    if episode is None:
        raise RuleError("This child has no open referral. Record a contact and refer it first.")
    return episode


@transaction.atomic
def assessment_start(*, actor: Any, episode: CINEpisode, started_on: date | None) -> Assessment:
    """Start the child and family assessment, due 45 working days from the referral."""
    errors = _not_future(started_on, "started_on", "start date")
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    if not episode.is_open:
        raise RuleError("This referral is closed: make a new referral to assess again")
    if started_on < episode.referral_date:
        raise RuleError(
            {"started_on": f"An assessment cannot start before the referral ({episode.referral_date:%d %B %Y})"}
        )
    if episode.assessments.filter(authorised_on__isnull=True).exists():
        raise RuleError("An assessment is already in progress for this referral: complete that one")
    assessment = Assessment.objects.create(
        episode=episode,
        started_on=started_on,
        due_on=timescales.assessment_due(episode.referral_date),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    chronology_add(
        person=episode.person,
        occurred_at=_at(started_on),
        entry_type=EntryType.ASSESSMENT,
        title="Child and family assessment started",
        summary=f"Due by {assessment.due_on:%d %B %Y}.",
        source_type="assessment",
        source_id=assessment.pk,
        actor=actor,
    )
    _audit(actor, "create", assessment, episode.person_id, ["started_on", "due_on"])
    return assessment


@transaction.atomic
def assessment_record(
    *, actor: Any, assessment: Assessment, factors: list[str], summary: str, outcome: str
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
        action="update",
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={"old": old, "new": snapshot(assessment, ["factors", "summary", "outcome"])},
    )
    return assessment


@transaction.atomic
def assessment_submit(*, actor: Any, assessment: Assessment, submitted_on: date | None = None) -> Assessment:
    submitted_on = submitted_on or _today()
    if assessment.submitted_on:
        raise RuleError("This assessment has already been submitted")
    if not assessment.factors:
        raise RuleError({"factors": "Record the factors identified before submitting"})
    if not assessment.outcome:
        raise RuleError({"outcome": "Record the outcome before submitting"})
    if submitted_on < assessment.started_on:
        raise RuleError({"submitted_on": "An assessment cannot be submitted before it started"})
    assessment.submitted_on = submitted_on
    assessment.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    assessment.save(update_fields=["submitted_on", "submitted_by", "modified_at"])
    _task(
        assessment.episode.person, TaskKind.ASSESSMENT_AUTHORISATION, submitted_on, assessment, assessment.episode.team
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={"submitted_on": {"old": None, "new": submitted_on.isoformat()}},
    )
    return assessment


@transaction.atomic
def assessment_authorise(*, actor: Any, assessment: Assessment, authorised_on: date | None = None) -> Assessment:
    """A manager authorises a submitted assessment (not their own). Completes the assessment task."""
    require_manager(actor, "authorise an assessment")
    authorised_on = authorised_on or _today()
    if not assessment.submitted_on:
        raise RuleError("The assessment must be submitted before it can be authorised")
    if assessment.authorised_on:
        raise RuleError("This assessment is already authorised")
    if actor is not None and assessment.submitted_by_id == getattr(actor, "pk", None):
        raise RuleError("You submitted this assessment: another manager must authorise it")
    if authorised_on < assessment.submitted_on:
        raise RuleError({"authorised_on": "Authorisation cannot be before the assessment was submitted"})
    assessment.authorised_on = authorised_on
    assessment.authorised_by = actor if getattr(actor, "is_authenticated", False) else None
    assessment.save(update_fields=["authorised_on", "authorised_by", "modified_at"])
    _complete_tasks(TaskKind.ASSESSMENT, assessment.episode, authorised_on)
    _complete_tasks(TaskKind.ASSESSMENT_AUTHORISATION, assessment, authorised_on)
    chronology_add(
        person=assessment.episode.person,
        occurred_at=_at(authorised_on),
        entry_type=EntryType.ASSESSMENT,
        title=f"Assessment authorised: {assessment.get_outcome_display().lower()}",
        summary=assessment.summary,
        source_type="assessment",
        source_id=assessment.pk,
        actor=actor,
        significant=True,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={"authorised_on": {"old": None, "new": authorised_on.isoformat()}},
    )
    return assessment


# --- closure -------------------------------------------------------------------------------------------------


@transaction.atomic
def episode_close(*, actor: Any, episode: CINEpisode, closure_date: date | None, reason: str) -> CINEpisode:
    """Close a children-in-need episode with a reason (RC1-RC9). Refused while a plan or looked-after episode is
    open, or an assessment is unfinished; open tasks for the episode are cancelled."""
    require_manager(actor, "close a case")
    errors = _not_future(closure_date, "closure_date", "closure date")
    errors.update(check_code("closure_reason", reason, "reason", "Select the reason for closing"))
    if errors:
        raise RuleError(errors)
    assert closure_date is not None
    if not episode.is_open:
        raise RuleError("This episode is already closed")
    if closure_date < episode.referral_date:
        raise RuleError({"closure_date": "The closure date cannot be before the referral"})
    person = episode.person
    blocking = []
    if ChildProtectionPlan.objects.filter(person=person, ended_on__isnull=True).exists():
        blocking.append("end the child protection plan")
    if ChildInNeedPlan.objects.filter(person=person, ended_on__isnull=True).exists():
        blocking.append("end the child in need plan")
    if LookedAfterEpisode.objects.filter(person=person, ended_on__isnull=True).exists():
        blocking.append("end the looked-after episode")
    if episode.assessments.filter(authorised_on__isnull=True).exists():
        blocking.append("complete and authorise the assessment")
    if blocking:
        raise RuleError("The case cannot be closed yet: first " + ", then ".join(blocking) + ".")
    episode.closure_date = closure_date
    episode.closure_reason = reason
    episode.referral_nfa = (
        reason in ("RC8", "RC9") and not episode.assessments.exclude(outcome__in=["nfa", "early_help"]).exists()
    )
    episode.save(update_fields=["closure_date", "closure_reason", "referral_nfa", "modified_at"])
    Task.objects.filter(person=person, completed_on__isnull=True, cancelled_on__isnull=True).update(
        cancelled_on=closure_date
    )
    chronology_add(
        person=person,
        occurred_at=_at(closure_date),
        entry_type=EntryType.CLOSURE,
        title=f"Case closed ({reason})",
        summary="",
        source_type="cinepisode",
        source_id=episode.pk,
        actor=actor,
        significant=True,
    )
    audit_record(
        actor=actor,
        action="close",
        object_type="cinepisode",
        object_id=str(episode.pk),
        person_id=person.pk,
        changes={
            "closure_date": {"old": None, "new": closure_date.isoformat()},
            "closure_reason": {"old": "", "new": reason},
        },
    )
    return episode
