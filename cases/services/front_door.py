"""The front door: contacts, the duty manager's decision, referrals (children-in-need episodes) and transfers in
from another authority."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Team
from audit.models import AuditAction
from audit.services import audit_record
from cases.codes import check_code
from cases.models import CINEpisode, Contact, ContactDecision, TaskKind
from cases.relationships import refresh_for
from cases.rules import timescales
from cases.rules.dates import Follows, day_text, not_before_errors
from cases.rules.timescales import PRE_BIRTH_DAYS, RE_REFERRAL_MONTHS, TRANSFER_IN_CONFERENCE_WORKING_DAYS
from cases.services.kernel import Entry, not_future, record_step, require_child, require_manager, step_date
from cases.services.tasks import task_open, tasks_complete
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import add_working_days
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType


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
    """Record a contact about a child (under 18 or unborn: it goes to the children's decision queue). A decision is
    due within 1 working day."""
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
    require_child(person, timezone.localtime(received_at).date())
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
    task_open(person, TaskKind.CONTACT_DECISION, contact.decision_due_on, contact, actor=actor)
    record_step(
        actor=actor,
        obj=contact,
        person=person,
        on=received_at,
        entry=Entry(
            EntryType.CONTACT,
            f"Contact from {referrer_organisation or referrer_name or 'a member of the public'}",
            concern,
        ),
        fields=["received_at", "source", "referrer_name", "referrer_organisation", "concern"],
    )
    refresh_for(contact.person_id)
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
    errors = not_before_errors(
        timezone.localtime(decided_at),
        "decided_at",
        "decision",
        Follows("the contact came in", timezone.localtime(contact.received_at)),
    )
    if errors:
        raise RuleError(errors)
    if contact.decision:
        raise RuleError(
            f"This contact was already decided ({contact.get_decision_display().lower()}) on "
            f"{day_text(timezone.localtime(contact.decided_at))}"
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
    tasks_complete(TaskKind.CONTACT_DECISION, contact, timezone.localtime(decided_at).date())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="contact",
        object_id=str(contact.pk),
        person_id=contact.person_id,
        changes={
            "decision": {"old": "", "new": decision},
            "decision_reason": {"old": "", "new": contact.decision_reason},
            "decided_at": {"old": None, "new": decided_at.isoformat()},
        },
    )
    refresh_for(contact.person_id)
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
    """Open a children-in-need episode for a child (under 18 or unborn) with a team that holds cases. Refused while
    the child has one open; flags re-referrals (within 12 months of an earlier referral); makes the 45-working-day
    assessment task."""
    if person.date_of_birth is None and person.expected_date_of_birth is None:
        raise RuleError("Record the child's date of birth or expected date of birth before making a referral")
    last = CINEpisode.objects.filter(person=person).order_by("-referral_date").first()
    errors = step_date(
        referral_date,
        "referral_date",
        "referral date",
        *(
            Follows(
                f"the start of pregnancy, 40 weeks before the child's {words}", known - timedelta(days=PRE_BIRTH_DAYS)
            )
            for known, words in ((person.date_of_birth, "birth"), (person.expected_date_of_birth, "expected birth"))
            if known
        ),
        Follows("the last referral closed", last.closure_date if last else None),
    )
    errors.update(check_code("referral_source", source, "source", "Select the referral source"))
    errors.update(check_code("primary_need", primary_need, "primary_need", "Select the child's primary need"))
    if not team.holds_cases:
        errors["team"] = f"{team.name} does not hold cases ({team.get_kind_display().lower()}): select a team that does"
    if errors:
        raise RuleError(errors)
    assert referral_date is not None
    require_child(person, referral_date)
    if CINEpisode.objects.filter(person=person, closure_date__isnull=True).exists():
        raise RuleError("This child already has an open referral. Record the new concern as a contact on it instead.")
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
    task_open(person, TaskKind.ASSESSMENT, timescales.assessment_due(referral_date), episode, actor=actor)
    record_step(
        actor=actor,
        obj=episode,
        person=person,
        on=referral_date,
        entry=Entry(
            EntryType.REFERRAL,
            "Referral" + (" (re-referral within 12 months)" if episode.is_re_referral else ""),
            f"Referred to {team.name}. Primary need: {label('primary_need', primary_need)}.",
            significant=True,
        ),
        fields=["referral_date", "referral_source", "primary_need", "team", "is_re_referral"],
    )
    refresh_for(episode.person_id)
    return episode


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
    errors = not_future(notified_on, "notified_on", "date we were told")
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
        task_open(
            person,
            TaskKind.TRANSFER_IN_CONFERENCE,
            add_working_days(notified_on, TRANSFER_IN_CONFERENCE_WORKING_DAYS),
            episode,
            actor=actor,
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="cinepisode",
        object_id=str(episode.pk),
        person_id=person.pk,
        changes={
            "transferred_from": {"old": "", "new": from_la_code},
            "on_child_protection_plan": on_child_protection_plan,
        },
    )
    refresh_for(episode.person_id)
    return episode
