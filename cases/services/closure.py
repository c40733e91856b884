"""Closing a children-in-need episode (the case)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from cases.codes import check_code
from cases.models import (
    Allocation,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    LookedAfterEpisode,
)
from cases.relationships import refresh_for
from cases.rules.dates import Follows
from cases.services.kernel import noon, require_manager, step_date
from cases.services.tasks import tasks_cancel
from core.actors import Actor
from core.codes import label
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def episode_close(*, actor: Actor, episode: CINEpisode, closure_date: date | None, reason: str) -> CINEpisode:
    """Close a children-in-need episode with a reason (RC1-RC9). Refused while a plan or looked-after episode is
    open, or an assessment is unfinished; open tasks for the episode are cancelled."""
    require_manager(actor, "close a case")
    errors = step_date(closure_date, "closure_date", "closure date", Follows("the referral", episode.referral_date))
    errors.update(check_code("closure_reason", reason, "reason", "Select the reason for closing"))
    if errors:
        raise RuleError(errors)
    assert closure_date is not None
    if not episode.is_open:
        raise RuleError("This episode is already closed")
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
    tasks_cancel(person, None, closure_date)
    # The allocation ends with the case, except for a young person who left care at 16 or over: a care leaver keeps
    # their worker (personal adviser) after the children-in-need episode closes.
    allocation = Allocation.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    allocation_ended = None
    if allocation is not None and not left_care_at_16_or_over(person):
        allocation.ended_on = max(closure_date, allocation.started_on)
        allocation.save(update_fields=["ended_on", "modified_at"])
        allocation_ended = allocation.ended_on.isoformat()
    chronology_add(
        person=person,
        occurred_at=noon(closure_date),
        entry_type=EntryType.CLOSURE,
        title="Case closed",
        summary=label("closure_reason", reason),
        source_type="cinepisode",
        source_id=episode.pk,
        actor=actor,
        significant=True,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        object_type="cinepisode",
        object_id=str(episode.pk),
        person_id=person.pk,
        changes={
            "closure_date": {"old": None, "new": closure_date.isoformat()},
            "closure_reason": {"old": "", "new": reason},
            "allocation_ended_on": {"old": None, "new": allocation_ended},
        },
    )
    refresh_for(episode.person_id)
    return episode


def left_care_at_16_or_over(person: Person) -> bool:
    born = person.date_of_birth
    if born is None:
        return False
    sixteen = born + relativedelta(years=16)
    return LookedAfterEpisode.objects.filter(person=person, ended_on__gte=sixteen).exists()
