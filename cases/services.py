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

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import Membership, Role, Team
from audit.services import audit_record, snapshot
from core.actors import Actor, actor_or_none
from core.dates import add_working_days, is_working_day
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
    ChildInNeedPlanReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    CINEpisode,
    ConferenceKind,
    Contact,
    ContactDecision,
    CoreGroupMeeting,
    LookedAfterEpisode,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
    Task,
    TaskKind,
)

RE_REFERRAL_MONTHS = 12
PRE_BIRTH_DAYS = 280  # a referral can come up to 40 weeks before a child's (expected) birth


def _today() -> date:
    return timezone.localdate()


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=timezone.get_current_timezone())


def require_manager(actor: Actor, what: str) -> None:
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
    actor: Actor, action: str, obj: Any, person_id: int, fields: list[str], extra: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        person_id=person_id,
        changes={"new": {**snapshot(obj, fields), **(extra or {})}},
    )


def _team_of(actor: Actor) -> Team | None:
    user = actor_or_none(actor)
    if user is None:
        return None
    m = Membership.objects.filter(user=user).select_related("team").first()
    return m.team if m else None


# --- the front door ----------------------------------------------------------------------------------------


@transaction.atomic
def contact_record(
    *,
    actor: Actor,
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
        created_by=actor_or_none(actor),
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
    actor: Actor,
    contact: Contact,
    decision: str,
    reason: str,
    team: Team | None = None,
    primary_need: str = "",
    decided_at: datetime | None = None,
) -> CINEpisode | None:
    """A duty manager decides: no further action, early help, or referral (which opens a children-in-need episode
    for `team`, with the contact's source as the referral source and the given primary need). `decided_at` is now
    unless a decision made earlier is being recorded (not before the contact came in, not in the future)."""
    require_manager(actor, "decide what happens to a contact")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    now = timezone.now()
    decided_at = decided_at or now
    if decided_at > now + timedelta(minutes=5):
        raise RuleError({"decided_at": "The decision must be now or in the past"})
    if decided_at < contact.received_at:
        raise RuleError(
            {
                "decided_at": "The decision cannot be before the contact came in "
                f"({timezone.localtime(contact.received_at):%d %B %Y at %H:%M})"
            }
        )
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
    contact.decided_at = decided_at
    contact.decided_by = actor_or_none(actor)
    contact.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by", "modified_at"])
    _complete_tasks(TaskKind.CONTACT_DECISION, contact, timezone.localtime(decided_at).date())
    audit_record(
        actor=actor,
        action="update",
        object_type="contact",
        object_id=str(contact.pk),
        person_id=contact.person_id,
        changes={
            "decision": {"old": "", "new": decision},
            "decision_reason": {"old": "", "new": contact.decision_reason},
            "decided_at": {"old": None, "new": decided_at.isoformat()},
        },
    )
    return episode


@transaction.atomic
def referral_create(
    *,
    actor: Actor,
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
    for known_from in (person.date_of_birth, person.expected_date_of_birth):
        if known_from and referral_date < known_from - timedelta(days=PRE_BIRTH_DAYS):
            raise RuleError(
                {
                    "referral_date": "The referral date is more than 40 weeks before the child's (expected) birth, "
                    f"{known_from:%d %B %Y}: check the year (CIN census rule 8606)"
                }
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
        is_re_referral=bool(last and referral_date <= last.referral_date + relativedelta(months=RE_REFERRAL_MONTHS)),
        created_by=actor_or_none(actor),
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


FIRST_CONTACT = "FCONTA"  # SSDA903 SW_REASON of a first social worker episode


@transaction.atomic
def allocate(
    *,
    actor: Actor,
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
        if change_reason == FIRST_CONTACT:
            errors["change_reason"] = (
                "First contact is for a child's first worker or a new start after a gap, not a change of worker: "
                "select why the worker is changing"
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
        created_by=actor_or_none(actor),
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
def assessment_start(*, actor: Actor, episode: CINEpisode, started_on: date | None) -> Assessment:
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
        created_by=actor_or_none(actor),
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
        action="update",
        object_type="assessment",
        object_id=str(assessment.pk),
        person_id=assessment.episode.person_id,
        changes={"old": old, "new": snapshot(assessment, ["factors", "summary", "outcome"])},
    )
    return assessment


@transaction.atomic
def assessment_submit(*, actor: Actor, assessment: Assessment, submitted_on: date | None = None) -> Assessment:
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
    assessment.submitted_by = actor_or_none(actor)
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
def assessment_authorise(*, actor: Actor, assessment: Assessment, authorised_on: date | None = None) -> Assessment:
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
    assessment.authorised_by = actor_or_none(actor)
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
def episode_close(*, actor: Actor, episode: CINEpisode, closure_date: date | None, reason: str) -> CINEpisode:
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
    # The allocation ends with the case, except for a young person who left care at 16 or over: a care leaver keeps
    # their worker (personal adviser) after the children-in-need episode closes.
    allocation = Allocation.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    allocation_ended = None
    if allocation is not None and not _left_care_at_16_or_over(person):
        allocation.ended_on = max(closure_date, allocation.started_on)
        allocation.save(update_fields=["ended_on", "modified_at"])
        allocation_ended = allocation.ended_on.isoformat()
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
            "allocation_ended_on": {"old": None, "new": allocation_ended},
        },
    )
    return episode


def _left_care_at_16_or_over(person: Person) -> bool:
    born = person.date_of_birth
    if born is None:
        return False
    sixteen = born + relativedelta(years=16)
    return LookedAfterEpisode.objects.filter(person=person, ended_on__gte=sixteen).exists()


# --- strategy discussion, section 47, conferences and plans --------------------------------------------------


def _authorised_outcome(episode: CINEpisode, outcome: str) -> bool:
    return episode.assessments.filter(authorised_on__isnull=False, outcome=outcome).exists()


@transaction.atomic
def strategy_discussion_record(
    *, actor: Actor, episode: CINEpisode, held_on: date | None, agencies: str, start_section_47: bool, notes: str = ""
) -> StrategyDiscussion:
    """A strategy discussion where significant harm is suspected. Deciding to start a section 47 enquiry opens
    it the same day, with the initial conference due 15 working days from this discussion."""
    errors = _not_future(held_on, "held_on", "date of the strategy discussion")
    if not agencies.strip():
        errors["agencies"] = "Enter the agencies that took part"
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if not episode.is_open:
        raise RuleError("This referral is closed: make a new referral first")
    if held_on < episode.referral_date:
        raise RuleError(
            {"held_on": f"A strategy discussion cannot be before the referral ({episode.referral_date:%d %B %Y})"}
        )
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
        occurred_at=_at(held_on),
        entry_type=EntryType.STRATEGY,
        title="Strategy discussion: "
        + ("section 47 enquiry to start" if start_section_47 else "no section 47 enquiry"),
        summary=f"Agencies: {discussion.agencies}. {discussion.notes}",
        source_type="strategydiscussion",
        source_id=discussion.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "create", discussion, episode.person_id, ["held_on", "agencies", "start_section_47"])
    if start_section_47:
        enquiry = Section47Enquiry.objects.create(
            episode=episode,
            strategy_discussion=discussion,
            started_on=held_on,
            icpc_due_on=timescales.icpc_due(held_on),
            created_by=actor_or_none(actor),
        )
        _task(episode.person, TaskKind.ICPC, enquiry.icpc_due_on, enquiry, episode.team)
        _audit(actor, "create", enquiry, episode.person_id, ["started_on", "icpc_due_on"])
    return discussion


@transaction.atomic
def section47_complete(
    *, actor: Actor, enquiry: Section47Enquiry, completed_on: date | None, outcome: str
) -> Section47Enquiry:
    """Record the outcome of a section 47 enquiry. Without an initial conference, its task is cancelled."""
    errors = _not_future(completed_on, "completed_on", "date the enquiry finished")
    if outcome not in Section47Outcome.values:
        errors["outcome"] = "Select the outcome of the enquiry"
    if errors:
        raise RuleError(errors)
    assert completed_on is not None
    if enquiry.completed_on:
        raise RuleError("This enquiry is already complete")
    if completed_on < enquiry.started_on:
        raise RuleError({"completed_on": "The enquiry cannot finish before it started"})
    enquiry.completed_on = completed_on
    enquiry.outcome = outcome
    enquiry.save(update_fields=["completed_on", "outcome", "modified_at"])
    if outcome != Section47Outcome.ICPC_REQUIRED:
        Task.objects.filter(
            kind=TaskKind.ICPC, source_type="section47enquiry", source_id=enquiry.pk, completed_on__isnull=True
        ).update(cancelled_on=completed_on)
    chronology_add(
        person=enquiry.episode.person,
        occurred_at=_at(completed_on),
        entry_type=EntryType.SECTION_47,
        title=f"Section 47 enquiry completed: {enquiry.get_outcome_display().lower()}",
        summary="",
        source_type="section47enquiry",
        source_id=enquiry.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "update", enquiry, enquiry.episode.person_id, ["completed_on", "outcome"])
    return enquiry


@transaction.atomic
def initial_conference_record(
    *, actor: Actor, enquiry: Section47Enquiry, held_on: date | None, plan_needed: bool, category: str = ""
) -> ChildProtectionConference:
    """The initial child protection conference. When a plan is needed it starts that day with its category of abuse;
    the first core group is due in 10 working days, the first review conference within 3 months, and visits at the
    local interval."""
    errors = _not_future(held_on, "held_on", "date of the conference")
    if held_on is not None and not errors and not is_working_day(held_on):
        errors["held_on"] = (
            f"{held_on:%A %d %B %Y} is not a working day: conferences are held on working days (CIN census rule "
            "8875). Check the date."
        )
    if plan_needed:
        errors.update(check_code("abuse_category", category, "category", "Select the category of abuse"))
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if enquiry.outcome != Section47Outcome.ICPC_REQUIRED:
        raise RuleError(
            "Record that the section 47 enquiry needs an initial conference before recording the conference"
        )
    if held_on < enquiry.started_on:
        raise RuleError({"held_on": "The conference cannot be before the section 47 enquiry started"})
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
        created_by=actor_or_none(actor),
    )
    _complete_tasks(TaskKind.ICPC, enquiry, held_on)
    _audit(actor, "create", conference, person.pk, ["kind", "held_on", "child_protection_plan_decided", "category"])
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
        _task(person, TaskKind.CORE_GROUP, timescales.first_core_group_due(held_on), plan, episode.team)
        _task(person, TaskKind.CP_REVIEW, timescales.cp_review_due(held_on, first=True), plan, episode.team)
        _task(person, TaskKind.CP_VISIT, timescales.cp_visit_due(held_on), plan, episode.team, statutory=False)
        _audit(actor, "create", plan, person.pk, ["started_on", "initial_category"])
    chronology_add(
        person=person,
        occurred_at=_at(held_on),
        entry_type=EntryType.CONFERENCE,
        title=title,
        summary=f"Category: {category}" if plan_needed else "",
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
    errors = _not_future(held_on, "held_on", "date of the core group")
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if plan.ended_on:
        raise RuleError("This plan has ended")
    if held_on < plan.started_on:
        raise RuleError({"held_on": "A core group cannot be before the plan started"})
    meeting = CoreGroupMeeting.objects.create(plan=plan, held_on=held_on, notes=notes.strip())
    _complete_tasks(TaskKind.CORE_GROUP, plan, held_on)
    _audit(actor, "create", meeting, plan.person_id, ["held_on"])
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
) -> ChildProtectionConference:
    """A review conference. The plan continues (next review within 6 months, category may change) or ends."""
    errors = _not_future(held_on, "held_on", "date of the review conference")
    if plan_continues and category:
        errors.update(check_code("abuse_category", category, "category", "Select the category of abuse"))
    if not plan_continues and not end_reason.strip():
        errors["end_reason"] = "Enter why the plan is ending"
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if plan.ended_on:
        raise RuleError("This plan has ended")
    last = plan.review_conferences.order_by("-held_on").first()
    if held_on <= (last.held_on if last else plan.started_on):
        raise RuleError({"held_on": "A review conference must be after the last conference"})
    conference = ChildProtectionConference.objects.create(
        episode=plan.episode,
        kind=ConferenceKind.REVIEW,
        plan=plan,
        held_on=held_on,
        child_protection_plan_decided=plan_continues,
        category=category,
        created_by=actor_or_none(actor),
    )
    _complete_tasks(TaskKind.CP_REVIEW, plan, held_on)
    if plan_continues:
        if category:
            plan.latest_category = category
        _task(plan.person, TaskKind.CP_REVIEW, timescales.cp_review_due(held_on, first=False), plan, plan.episode.team)
    else:
        plan.ended_on = held_on
        plan.end_reason = end_reason.strip()
        Task.objects.filter(
            source_type="childprotectionplan", source_id=plan.pk, completed_on__isnull=True, cancelled_on__isnull=True
        ).update(cancelled_on=held_on)
    plan.save(update_fields=["latest_category", "ended_on", "end_reason", "modified_at"])
    chronology_add(
        person=plan.person,
        occurred_at=_at(held_on),
        entry_type=EntryType.CONFERENCE,
        title="Review child protection conference: " + ("plan continues" if plan_continues else "plan ended"),
        summary=end_reason,
        source_type="childprotectionconference",
        source_id=conference.pk,
        actor=actor,
        significant=not plan_continues,
    )
    _audit(actor, "create", conference, plan.person_id, ["held_on", "child_protection_plan_decided", "category"])
    return conference


@transaction.atomic
def cin_plan_start(*, actor: Actor, episode: CINEpisode, started_on: date | None) -> ChildInNeedPlan:
    """A child in need plan, after an assessment authorised with that outcome. Reviews at the local interval."""
    errors = _not_future(started_on, "started_on", "start date")
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    if not _authorised_outcome(episode, AssessmentOutcome.CIN_PLAN):
        raise RuleError("A child in need plan follows an authorised assessment that recommends one")
    if ChildInNeedPlan.objects.filter(person=episode.person, ended_on__isnull=True).exists():
        raise RuleError("This child already has an open child in need plan")
    if started_on < episode.referral_date:
        raise RuleError({"started_on": "The plan cannot start before the referral"})
    plan = ChildInNeedPlan.objects.create(
        episode=episode,
        person=episode.person,
        started_on=started_on,
        created_by=actor_or_none(actor),
    )
    _task(
        episode.person, TaskKind.CIN_REVIEW, timescales.cin_review_due(started_on), plan, episode.team, statutory=False
    )
    chronology_add(
        person=episode.person,
        occurred_at=_at(started_on),
        entry_type=EntryType.PLAN,
        title="Child in need plan started",
        summary="",
        source_type="childinneedplan",
        source_id=plan.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "create", plan, episode.person_id, ["started_on"])
    return plan


@transaction.atomic
def cin_plan_end(*, actor: Actor, plan: ChildInNeedPlan, ended_on: date | None) -> ChildInNeedPlan:
    errors = _not_future(ended_on, "ended_on", "end date")
    if errors:
        raise RuleError(errors)
    assert ended_on is not None
    if plan.ended_on:
        raise RuleError("This plan has already ended")
    if ended_on < plan.started_on:
        raise RuleError({"ended_on": "The plan cannot end before it started"})
    plan.ended_on = ended_on
    plan.save(update_fields=["ended_on", "modified_at"])
    Task.objects.filter(
        source_type="childinneedplan", source_id=plan.pk, completed_on__isnull=True, cancelled_on__isnull=True
    ).update(cancelled_on=ended_on)
    _audit(actor, "close", plan, plan.person_id, ["ended_on"])
    return plan


@transaction.atomic
def cin_plan_review_record(
    *, actor: Actor, plan: ChildInNeedPlan, held_on: date | None, plan_continues: bool = True, summary: str = ""
) -> ChildInNeedPlanReview:
    """A child in need plan review: completes the review that was due and makes the next at the authority's
    interval; a review deciding the plan is no longer needed ends it that day."""
    errors = _not_future(held_on, "held_on", "review date")
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    if plan.ended_on is not None:
        raise RuleError(f"This plan ended on {plan.ended_on:%d %B %Y}: start a new plan to review one")
    if held_on < plan.started_on:
        raise RuleError({"held_on": f"The review cannot be before the plan started ({plan.started_on:%d %B %Y})"})
    last = plan.reviews.order_by("-held_on").first()
    if last is not None and held_on <= last.held_on:
        raise RuleError({"held_on": f"The review must be after the last one ({last.held_on:%d %B %Y})"})
    review = ChildInNeedPlanReview.objects.create(
        plan=plan,
        person=plan.person,
        held_on=held_on,
        plan_continues=plan_continues,
        summary=summary.strip(),
        created_by=actor_or_none(actor),
    )
    _complete_tasks(TaskKind.CIN_REVIEW, plan, held_on)
    if plan_continues:
        _task(
            plan.person,
            TaskKind.CIN_REVIEW,
            timescales.cin_review_due(held_on),
            plan,
            plan.episode.team,
            statutory=False,
        )
    chronology_add(
        person=plan.person,
        occurred_at=_at(held_on),
        entry_type=EntryType.PLAN,
        title="Child in need plan review: " + ("plan continues" if plan_continues else "plan no longer needed"),
        summary=review.summary,
        source_type="childinneedplanreview",
        source_id=review.pk,
        actor=actor,
    )
    _audit(actor, "create", review, plan.person_id, ["held_on", "plan_continues", "summary"])
    if not plan_continues:
        cin_plan_end(actor=actor, plan=plan, ended_on=held_on)
    return review


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
    task = _task(person, TaskKind.CP_VISIT, timescales.cp_visit_due(visited_on), plan, plan.episode.team, False)
    audit_record(
        actor=actor,
        action="create",
        object_type="task",
        object_id=str(task.pk),
        person_id=person.pk,
        changes={
            "new": {"kind": task.kind, "due_on": task.due_on.isoformat(), "after_visit_on": visited_on.isoformat()}
        },
    )
    return task


# --- transfers in ------------------------------------------------------------------------------------------------

TRANSFER_IN_CONFERENCE_WORKING_DAYS = 15  # Working Together 2023: within 15 working days of notification


@transaction.atomic
def transfer_in(
    *,
    actor: Actor,
    person: Person,
    notified_on: date | None,
    from_la_code: str,
    team: Team,
    primary_need: str,
    on_child_protection_plan: bool,
) -> CINEpisode:
    """A child known to another authority moves here. Opens a children-in-need episode (referral source 5C, services
    of another local authority) recording where they came from; a child on a plan there needs a transfer-in
    conference within 15 working days of our being told."""
    errors = _not_future(notified_on, "notified_on", "date we were told")
    if not (from_la_code.isdigit() and len(from_la_code) == 3):
        errors["from_la_code"] = "Enter the other authority's 3-digit code, like 201"
    elif from_la_code == settings.CASEWORK_LA_CODE:
        errors["from_la_code"] = "That is this authority's own code: enter the authority the child moved from"
    if errors:
        raise RuleError(errors)
    assert notified_on is not None
    episode = referral_create(
        actor=actor, person=person, referral_date=notified_on, source="5C", primary_need=primary_need, team=team
    )
    episode.transferred_from = from_la_code
    episode.save(update_fields=["transferred_from", "modified_at"])
    if on_child_protection_plan:
        _task(
            person,
            TaskKind.TRANSFER_IN_CONFERENCE,
            add_working_days(notified_on, TRANSFER_IN_CONFERENCE_WORKING_DAYS),
            episode,
            team,
        )
    audit_record(
        actor=actor,
        action="update",
        object_type="cinepisode",
        object_id=str(episode.pk),
        person_id=person.pk,
        changes={
            "transferred_from": {"old": "", "new": from_la_code},
            "on_child_protection_plan": on_child_protection_plan,
        },
    )
    return episode
