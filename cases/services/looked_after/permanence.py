"""Permanence: previous permanence arrangements, and adoption (decision, milestones, adopters, reversal)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record, snapshot
from cases.codes import check_code
from cases.models import LookedAfterEpisode
from cases.models_looked_after import AdoptionRecord, PreviousPermanence
from cases.rules.codes import ADOPTER_SEX_FOR_STATUS, LA_PERM_RE
from cases.rules.dates import Follows
from cases.rules.looked_after import ADOPTION_MILESTONES
from cases.services.kernel import Entry, audit_step, date_errors, noon, record_step, require_after, today
from cases.services.looked_after.episodes_read import episode_on, open_episode, period_of
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def previous_permanence_record(
    *, actor: Actor, person: Person, arrangement: str, la_code: str = "", order_date: date | None = None
) -> PreviousPermanence:
    """Whether the child had a permanence arrangement (adoption, special guardianship, a child arrangements order)
    before this period of care, which authority arranged it and when. Recorded once per period of care."""
    la_code = la_code.strip().upper()
    errors = check_code("prev_perm", arrangement, "arrangement", "Select the previous permanence arrangement")
    if order_date is not None:
        errors.update(date_errors(order_date, "order_date", "date of the order", person))
    if errors:
        raise RuleError(errors)
    if arrangement == "Z1":
        if la_code or order_date:
            raise RuleError(
                "There was no previous permanence arrangement: leave the authority and the date of the order empty"
            )
    else:
        if la_code and not LA_PERM_RE.match(la_code):
            errors["la_code"] = "Enter the authority's 3-digit code, or WAL, SCO, NIR or NUK outside England"
        if arrangement != "P4":
            if not la_code:
                errors["la_code"] = "Enter the code of the authority that arranged it"
            if order_date is None:
                errors["order_date"] = "Enter the date of the order"
        if errors:
            raise RuleError(errors)
    episode = open_episode(person) or LookedAfterEpisode.objects.filter(person=person).order_by("-started_on").first()
    if episode is None:
        raise RuleError("Previous permanence is recorded when a child starts to be looked after: start that first")
    start = period_of(person, episode)[0]
    if order_date and order_date >= start.started_on:
        # SSDA903 rule 632
        raise RuleError(
            {"order_date": f"The order must be before this period of care started ({long_date(start.started_on)})"}
        )
    if PreviousPermanence.objects.filter(episode=start).exists():
        raise RuleError(
            f"Previous permanence is already recorded for the period of care from {long_date(start.started_on)}"
        )
    row = PreviousPermanence.objects.create(
        person=person,
        episode=start,
        arrangement=arrangement,
        la_code=la_code,
        order_date=order_date,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    chronology_add(
        person=person,
        occurred_at=noon(start.started_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Previous permanence: " + label("prev_perm", arrangement),
        summary=(f"Arranged by {la_code}. " if la_code else "")
        + (f"Order of {long_date(order_date)}." if order_date else ""),
        source_type="previouspermanence",
        source_id=row.pk,
        actor=actor,
    )
    audit_step(actor, AuditAction.CREATE, row, person.pk, ["arrangement", "la_code", "order_date"])
    return row


@transaction.atomic
def adoption_decision_record(*, actor: Actor, person: Person, decided_on: date | None) -> AdoptionRecord:
    """The decision that a looked-after child should be placed for adoption (DATE_INT, DATE_PLACED). Only one open
    decision at a time."""
    errors = date_errors(decided_on, "decided_on", "date of the decision", person)
    if errors:
        raise RuleError(errors)
    assert decided_on is not None
    if episode_on(person, decided_on) is None:
        raise RuleError(
            # SSDA903 rule 1003
            {"decided_on": f"{person.full_name} was not looked after on {long_date(decided_on)}"}
        )
    if AdoptionRecord.objects.filter(person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True).exists():
        # SSDA903 rule 579
        raise RuleError("A decision to place this child for adoption is already open")
    last = AdoptionRecord.objects.filter(person=person).order_by("-date_should_be_placed").first()
    if last and last.date_placed_ceased and decided_on < last.date_placed_ceased:
        raise RuleError(
            {"decided_on": f"A new decision must follow the last one's reversal ({long_date(last.date_placed_ceased)})"}
        )
    record = AdoptionRecord.objects.create(
        person=person,
        date_should_be_placed=decided_on,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    record_step(
        actor=actor,
        obj=record,
        person=person,
        on=decided_on,
        entry=Entry(EntryType.LOOKED_AFTER, "Decision: should be placed for adoption", "", significant=True),
        fields=["date_should_be_placed"],
    )
    return record


@transaction.atomic
def adoption_milestone_record(
    *, actor: Actor, adoption: AdoptionRecord, milestone: str, on: date | None
) -> AdoptionRecord:
    """The next step of an open adoption plan: the placement order, the match with the adopters, the placement with
    them. Each on or after the decision and the steps before it, and only while the decision stands. (The adoption
    order itself is recorded by ending the period of care with E11 or E12.)"""
    adoption = AdoptionRecord.objects.select_for_update().get(pk=adoption.pk)
    person = adoption.person
    if milestone not in ADOPTION_MILESTONES:
        raise RuleError({"milestone": "Select the placement order, the match or the placement with the adopters"})
    field, words, before = ADOPTION_MILESTONES[milestone]
    errors = date_errors(on, field, f"date of {words}", person)
    if errors:
        raise RuleError(errors)
    assert on is not None
    if adoption.date_placed_ceased or adoption.adopted_on:
        raise RuleError("This adoption plan has ended: record a new decision to place for adoption first")
    if getattr(adoption, field) is not None:
        raise RuleError({field: f"The date of {words} is already recorded ({long_date(getattr(adoption, field))})"})
    if milestone == "placed" and adoption.date_matched is None:
        # SSDA903 rule 331
        raise RuleError({field: "Record the match with the adopters before the placement with them"})
    previous = [("the decision to place for adoption", adoption.date_should_be_placed)] + [
        (ADOPTION_MILESTONES[m][1], getattr(adoption, ADOPTION_MILESTONES[m][0])) for m in before
    ]
    require_after(on, field, f"date of {words}", *(Follows(name, day) for name, day in previous))
    later = [m for m, (f, _, b) in ADOPTION_MILESTONES.items() if milestone in b and getattr(adoption, f)]
    if later:
        raise RuleError(
            {field: f"{ADOPTION_MILESTONES[later[0]][1].capitalize()} is already recorded: {words} comes before it"}
        )
    setattr(adoption, field, on)
    adoption.modified_by = actor_or_none(actor)
    adoption.save(update_fields=[field, "modified_by", "modified_at"])
    chronology_add(
        person=person,
        occurred_at=noon(on),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Adoption: {words}",
        summary="",
        source_type="adoptionrecord",
        source_id=adoption.pk,
        actor=actor,
        significant=milestone == "placed",
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="adoptionrecord",
        object_id=str(adoption.pk),
        person_id=person.pk,
        changes={field: {"old": None, "new": on.isoformat()}},
    )
    return adoption


@transaction.atomic
def adoption_adopters_record(
    *,
    actor: Actor,
    adoption: AdoptionRecord,
    foster_care: bool | None,
    number_of_adopters: int | None,
    sex_of_adopters: str,
    legal_status_of_adopters: str,
) -> AdoptionRecord:
    """Who is adopting (SSDA903 AD1): the child's foster carers or not, one or two adopters, their sex and legal
    status, which must agree with each other."""
    adoption = AdoptionRecord.objects.select_for_update().get(pk=adoption.pk)
    errors: dict[str, str] = {}
    if foster_care is None:
        errors["foster_care"] = "Select whether the adopters are the child's foster carers"
    if number_of_adopters not in (1, 2):
        errors["number_of_adopters"] = "Select one adopter or two"
    errors.update(check_code("adopter_sex", sex_of_adopters, "sex_of_adopters", "Select the adopters' sex"))
    errors.update(
        check_code(
            "adopter_legal_status",
            legal_status_of_adopters,
            "legal_status_of_adopters",
            "Select the adopters' legal status",
        )
    )
    if errors:
        raise RuleError(errors)
    single = sex_of_adopters in ("M1", "F1")
    if (number_of_adopters == 1) != single:
        # SSDA903 rule 511
        raise RuleError(
            {
                "sex_of_adopters": "The adopters' sex does not match their legal status: one adopter for a single adopter, two for a couple"
            }
        )
    if sex_of_adopters not in ADOPTER_SEX_FOR_STATUS[legal_status_of_adopters]:
        allowed = ", ".join(sorted(ADOPTER_SEX_FOR_STATUS[legal_status_of_adopters]))
        raise RuleError(
            {"sex_of_adopters": f"For legal status {legal_status_of_adopters} the adopters' sex must be {allowed}"}
        )
    if adoption.date_placed_ceased or adoption.adopted_on:
        raise RuleError("This adoption plan has ended: its adopters can no longer be changed")
    fields = ["foster_care", "number_of_adopters", "sex_of_adopters", "legal_status_of_adopters"]
    old = snapshot(adoption, fields)
    adoption.foster_care = foster_care
    adoption.number_of_adopters = number_of_adopters
    adoption.sex_of_adopters = sex_of_adopters
    adoption.legal_status_of_adopters = legal_status_of_adopters
    adoption.modified_by = actor_or_none(actor)
    adoption.save(update_fields=[*fields, "modified_by", "modified_at"])
    chronology_add(
        person=adoption.person,
        occurred_at=noon(today()),
        entry_type=EntryType.LOOKED_AFTER,
        title="Adopters recorded",
        summary=f"{label('adopter_legal_status', legal_status_of_adopters)}.",
        source_type="adoptionrecord",
        source_id=adoption.pk,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="adoptionrecord",
        object_id=str(adoption.pk),
        person_id=adoption.person_id,
        changes={"old": old, "new": snapshot(adoption, fields)},
    )
    return adoption


@transaction.atomic
def adoption_decision_reversed(
    *, actor: Actor, adoption: AdoptionRecord, ceased_on: date | None, reason: str
) -> AdoptionRecord:
    """The decision that the child should be placed for adoption is reversed (DATE_PLACED_CEASED), with the reason
    (RD1-RD4)."""
    adoption = AdoptionRecord.objects.select_for_update().get(pk=adoption.pk)
    errors = date_errors(ceased_on, "date_placed_ceased", "date of the new decision", adoption.person)
    errors.update(check_code("reason_placed_ceased", reason, "reason_placed_ceased", "Select why the plan changed"))
    if errors:
        raise RuleError(errors)
    assert ceased_on is not None
    if adoption.adopted_on:
        # SSDA903 rule 558
        raise RuleError("The child has been adopted: the decision can no longer be reversed")
    if adoption.date_placed_ceased:
        raise RuleError(f"This decision was already reversed on {long_date(adoption.date_placed_ceased)}")
    latest = max(
        d
        for d in (
            adoption.date_should_be_placed,
            adoption.placement_order_on,
            adoption.date_matched,
            adoption.placed_on,
        )
        if d is not None
    )
    if ceased_on < latest:
        raise RuleError(
            # SSDA903 rule 522
            {"date_placed_ceased": f"The decision cannot be reversed before {long_date(latest)}"}
        )
    adoption.date_placed_ceased = ceased_on
    adoption.reason_placed_ceased = reason
    adoption.modified_by = actor_or_none(actor)
    adoption.save(update_fields=["date_placed_ceased", "reason_placed_ceased", "modified_by", "modified_at"])
    record_step(
        actor=actor,
        obj=adoption,
        person=adoption.person,
        on=ceased_on,
        entry=Entry(
            EntryType.LOOKED_AFTER,
            "Decision: should no longer be placed for adoption",
            label("reason_placed_ceased", reason),
            significant=True,
        ),
        fields=["date_placed_ceased", "reason_placed_ceased"],
        action=AuditAction.UPDATE,
    )
    return adoption
