"""Periods of care: starting, changing legal status or placement, and ending. Manager-only to start and end.

Episodes are contiguous: a change of legal status or placement ends the open episode with reason X1 on the day of
the change and starts the next one the same day, with the reason for the new episode (RNE):
    L  legal status changed, placement the same                 (rule 434)
    P  placement and carers changed, legal status the same      (rules 380, 383, 435)
    T  placement changed but the carers are the same            (rules 217, 435)
    B  legal status, placement and carers all changed           (rules 380, 436)
    U  legal status and placement changed, carers the same      (rules 217, 436)
A placement is its type, provider, postcode and Ofsted URN: any of them changing is a change of placement. A return
from a temporary placement (T0-T4) is a P episode back to the placement the child left (rule 383)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record, snapshot
from cases.codes import check_code, is_code
from cases.models import LOOKED_AFTER_TASKS, LookedAfterEpisode, TaskKind
from cases.models_looked_after import AdoptionRecord, MissingEpisode, UnaccompaniedAsylumSeekingChild
from cases.rules.codes import (
    ADOPTED,
    ADOPTION_PLACEMENTS,
    FOSTER_PLACEMENTS,
    INDEPENDENT_LIVING,
    NEEDS_PLACEMENT_ORDER,
    SHORT_BREAKS,
    STAYING_PUT,
    TEMPORARY_PLACEMENTS,
    WITH_CURRENT_FOSTER_CARERS,
)
from cases.rules.dates import Follows
from cases.rules.looked_after import Placement, placement_errors, police_protection_errors, reason_new_episode
from cases.rules.timescales import first_lac_review_due, first_placement_visit_due, initial_health_assessment_due
from cases.services.kernel import (
    Entry,
    audit_step,
    date_errors,
    noon,
    record_step,
    require_after,
    require_born,
    require_manager,
)
from cases.services.looked_after.episodes_read import (
    EPISODE_FIELDS,
    describe_episode,
    legal_status_errors,
    open_episode,
    placement_of,
    police_protection_began,
    usual_placement,
)
from cases.services.tasks import task_open, tasks_cancel
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import age_on, birthday, long_date
from core.errors import RuleError
from people.models import Person
from people.validators import normalise_postcode, postcode_error
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def looked_after_start(
    *,
    actor: Actor,
    person: Person,
    started_on: date | None,
    legal_status: str,
    category_of_need: str,
    placement_type: str,
    placement_provider: str,
    placement_postcode: str,
    home_postcode: str,
    urn: str = "",
) -> LookedAfterEpisode:
    """A child starts to be looked after (RNE S). The first review is due in 20 working days and the first
    statutory visit within a week of the placement starting."""
    require_manager(actor, "start a period of care")
    person = Person.objects.select_for_update().get(pk=person.pk)
    placement = Placement(placement_type, placement_provider, placement_postcode, urn).normalised()
    born = person.date_of_birth
    errors = date_errors(started_on, "started_on", "date the child became looked after", person)
    errors.update(legal_status_errors(legal_status))
    errors.update(
        check_code("la_category_of_need", category_of_need, "category_of_need", "Select the category of need")
    )
    errors.update(placement_errors(placement, legal_status=legal_status, born=born, on=started_on, is_code=is_code))
    if placement.type in TEMPORARY_PLACEMENTS:
        # SSDA903 rule 380
        errors["placement_type"] = "A period of care cannot start in a temporary placement"
    has_uasc = UnaccompaniedAsylumSeekingChild.objects.filter(person=person).exists()
    if home_postcode.strip() or not (has_uasc or legal_status in SHORT_BREAKS):
        message = postcode_error(home_postcode)
        if message:
            errors["home_postcode"] = message
    home = normalise_postcode(home_postcode) if home_postcode.strip() else ""
    if home and home == placement.postcode and placement.type != "P1":
        errors["home_postcode"] = (
            "The home and placement postcodes can only be the same when the child is placed with their parents"
        )
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    born = require_born(person, "record them as looked after")
    if started_on >= birthday(born, 18):
        raise RuleError({"started_on": f"{person.full_name} was 18 by then: only children can be looked after"})
    if open_episode(person):
        raise RuleError(
            "This child is already looked after. Record a change of placement or legal status instead, or end the "
            "current period of care first."
        )
    last = LookedAfterEpisode.objects.filter(person=person).order_by("-started_on", "-id").first()
    if last and last.ended_on and started_on <= last.ended_on:
        raise RuleError(
            {"started_on": f"A new period of care must start after the last one ended ({long_date(last.ended_on)})"}
        )
    episode = LookedAfterEpisode.objects.create(
        person=person,
        started_on=started_on,
        reason_new_episode="S",
        legal_status=legal_status,
        category_of_need=category_of_need,
        placement_type=placement.type,
        placement_provider=placement.provider,
        placement_postcode=placement.postcode,
        home_postcode=home,
        urn=placement.urn,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    task_open(person, TaskKind.LAC_REVIEW, first_lac_review_due(started_on), episode, actor=actor)
    task_open(person, TaskKind.LAC_VISIT, first_placement_visit_due(started_on), episode, actor=actor)
    task_open(person, TaskKind.LAC_HEALTH_ASSESSMENT, initial_health_assessment_due(started_on), episode, actor=actor)
    record_step(
        actor=actor,
        obj=episode,
        person=person,
        on=started_on,
        entry=Entry(EntryType.LOOKED_AFTER, "Became looked after", describe_episode(episode), significant=True),
        fields=EPISODE_FIELDS,
    )
    return episode


@transaction.atomic
def looked_after_change(
    *,
    actor: Actor,
    person: Person,
    changed_on: date | None,
    legal_status: str | None = None,
    placement: Placement | None = None,
    reason_place_change: str = "",
    same_carers: bool = False,
) -> LookedAfterEpisode:
    """A change of legal status, placement or both: the open episode ends with reason X1 on `changed_on` and the
    next one starts that day. `same_carers` says the child stays with the same carers (a move that changes only the
    placement type or the legal arrangement, like foster carers becoming adopters: RNE T or U). A change of placement
    needs its reason, except into or out of a temporary placement. A new placement with new carers is visited within
    a week."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    errors = date_errors(changed_on, "changed_on", "date of the change", person)
    if errors:
        raise RuleError(errors)
    assert changed_on is not None
    current = open_episode(person, lock=True)
    if current is None:
        raise RuleError("This child is not looked after. A manager starts a period of care first.")
    require_after(
        changed_on, "changed_on", "date of the change", Follows("the current episode started", current.started_on)
    )
    began = police_protection_began(person, current)
    if began is not None:
        errors.update(police_protection_errors(began, changed_on, "changed_on"))
    new_status = legal_status if legal_status is not None else current.legal_status
    old_place = placement_of(current)
    new_place = placement.normalised() if placement is not None else old_place
    born = person.date_of_birth
    if legal_status is not None:
        errors.update(legal_status_errors(legal_status))
    if placement is not None:
        errors.update(placement_errors(new_place, legal_status=new_status, born=born, on=changed_on, is_code=is_code))
    if errors:
        raise RuleError(errors)
    status_changed = new_status != current.legal_status
    placement_changed = new_place != old_place
    if not status_changed and not placement_changed:
        raise RuleError(
            "Nothing has changed: the legal status and placement are the ones already recorded. Change one of them, "
            "or record a visit or a case note instead."
        )
    if new_status == "V3":
        # SSDA903 rule 366
        raise RuleError(
            {"legal_status": "Each short break is a period of care of its own: end this one and start a new one"}
        )
    if placement_changed and new_place.postcode == current.home_postcode and new_place.type != "P1":
        raise RuleError(
            # SSDA903 rule 392d
            {
                "placement_postcode": "The placement postcode is the home postcode: that is only right when the child is placed with their parents"
            }
        )
    temporary_out = current.placement_type in TEMPORARY_PLACEMENTS and placement_changed
    temporary_in = new_place.type in TEMPORARY_PLACEMENTS and placement_changed
    if temporary_out:
        usual = usual_placement(person, current)
        if usual is not None and (new_place.type, new_place.postcode) != (
            usual.placement_type,
            usual.placement_postcode,
        ):
            raise RuleError(
                {
                    "placement_type": f"After a temporary placement the child returns to their usual placement "
                    # SSDA903 rule 383
                    f"({label('placement_type', usual.placement_type).lower()}, {usual.placement_postcode}). Record the "
                    f"return first, then "
                    f"the move."
                }
            )
        if status_changed:
            raise RuleError(
                {"legal_status": "Record the return from the temporary placement first, then the new legal status"}
            )
    if (temporary_in or temporary_out) and same_carers:
        raise RuleError({"same_carers": "A temporary placement is always with other carers"})
    if placement_changed and not (temporary_in or temporary_out):
        errors.update(
            check_code(
                "reason_place_change",
                reason_place_change,
                "reason_place_change",
                "Select the reason the placement changed",
            )
        )
    elif reason_place_change:
        errors["reason_place_change"] = (
            "Leave the reason for a placement change empty: it is only for a move between two usual placements"
            if placement_changed
            else "Only give a reason for a placement change when the placement changes"
        )
    if placement_changed and new_place.type in ADOPTION_PLACEMENTS:
        if not AdoptionRecord.objects.filter(
            person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True
        ).exists():
            errors["placement_type"] = (
                # SSDA903 rule 551
                "Record the decision that the child should be placed for adoption before placing them"
            )
        elif new_place.type in NEEDS_PLACEMENT_ORDER and new_status != "E1":
            errors["legal_status"] = (
                "A placement for adoption with a placement order needs the legal status placement order granted"
            )
        elif new_place.type in WITH_CURRENT_FOSTER_CARERS and not same_carers:
            errors["same_carers"] = (
                "This placement for adoption is with the current foster carers: say the carers are the same"
            )
    if placement_changed and same_carers and new_place.type in {"A4", "A6"}:
        errors["same_carers"] = (
            "This placement for adoption is with new carers: select the placement with current foster carers instead"
        )
    if errors:
        raise RuleError(errors)
    rne = reason_new_episode(
        status_changed=status_changed, placement_changed=placement_changed, same_carers=same_carers
    )
    old = snapshot(current, ["ended_on", "reason_ceased", "reason_place_change"])
    current.ended_on = changed_on
    current.reason_ceased = "X1"
    current.reason_place_change = reason_place_change if placement_changed else ""
    current.modified_by = actor_or_none(actor)
    current.save(update_fields=["ended_on", "reason_ceased", "reason_place_change", "modified_by", "modified_at"])
    episode = LookedAfterEpisode.objects.create(
        person=person,
        started_on=changed_on,
        reason_new_episode=rne,
        legal_status=new_status,
        category_of_need=current.category_of_need,
        placement_type=new_place.type,
        placement_provider=new_place.provider,
        placement_postcode=new_place.postcode,
        home_postcode=current.home_postcode,
        urn=new_place.urn,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    if rne in ("P", "B") and not temporary_in and not temporary_out:
        # A new placement with new carers: the visiting clock starts again.
        tasks_cancel(person, (TaskKind.LAC_VISIT,), changed_on)
        task_open(person, TaskKind.LAC_VISIT, first_placement_visit_due(changed_on), episode, actor=actor)
    what = {"L": "legal status changed", "P": "placement changed", "T": "placement changed, same carers"}.get(
        rne, "legal status and placement changed"
    )
    if temporary_in:
        what = "temporary placement"
    elif temporary_out:
        what = "back to usual placement"
    chronology_add(
        person=person,
        occurred_at=noon(changed_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Looked after: {what}",
        summary=describe_episode(episode)
        + (f" Reason: {label('reason_place_change', reason_place_change)}." if reason_place_change else ""),
        source_type="lookedafterepisode",
        source_id=episode.pk,
        actor=actor,
        significant=placement_changed and not temporary_in and not temporary_out,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="lookedafterepisode",
        object_id=str(current.pk),
        person_id=person.pk,
        changes={"old": old, "new": snapshot(current, ["ended_on", "reason_ceased", "reason_place_change"])},
    )
    audit_step(actor, AuditAction.CREATE, episode, person.pk, EPISODE_FIELDS)
    return episode


@transaction.atomic
def looked_after_end(*, actor: Actor, person: Person, ended_on: date | None, reason_ceased: str) -> LookedAfterEpisode:
    """The child stops being looked after, with the reason (REC). Open review and visit tasks are cancelled. An
    adoption (E11, E12) completes the adoption record; a child still missing can only leave care with E8."""
    require_manager(actor, "end a period of care")
    person = Person.objects.select_for_update().get(pk=person.pk)
    errors = date_errors(ended_on, "ended_on", "date the child stopped being looked after", person)
    if reason_ceased == "X1":
        errors["reason_ceased"] = (
            "The child stays looked after when only their placement or legal status changes: record the change instead"
        )
    else:
        errors.update(
            check_code(
                "reason_episode_ceased",
                reason_ceased,
                "reason_ceased",
                "Select why the child stopped being looked after",
            )
        )
    if errors:
        raise RuleError(errors)
    assert ended_on is not None
    current = open_episode(person, lock=True)
    if current is None:
        raise RuleError("This child is not looked after, so there is no period of care to end")
    require_after(
        ended_on,
        "ended_on",
        "date the child stopped being looked after",
        Follows("the current episode started", current.started_on),
    )
    began = police_protection_began(person, current)
    if began is not None and (errors := police_protection_errors(began, ended_on, "ended_on")):
        raise RuleError(errors)
    if reason_ceased in STAYING_PUT and current.placement_type not in FOSTER_PLACEMENTS:
        raise RuleError(
            {
                "reason_ceased": "A special guardianship order to former foster carers needs a foster placement: the "
                # SSDA903 rule 516
                f"current placement is {label('placement_type', current.placement_type)}"
            }
        )
    born = person.date_of_birth
    if reason_ceased in INDEPENDENT_LIVING and born and age_on(born, ended_on) < 14:
        # SSDA903 rule 387
        raise RuleError({"reason_ceased": "A child under 14 cannot leave care to live independently"})
    adoption = (
        AdoptionRecord.objects.select_for_update()
        .filter(person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True)
        .first()
    )
    if reason_ceased in ADOPTED:
        if adoption is None or adoption.placed_on is None or current.placement_type not in ADOPTION_PLACEMENTS:
            raise RuleError(
                "Record the decision to place for adoption, the match and the placement with the adopters before "
                "recording the adoption"
            )
        missing = [
            name
            for name, value in (
                ("whether the adopters were the child's foster carers", adoption.foster_care),
                ("the number of adopters", adoption.number_of_adopters),
                ("the adopters' sex", adoption.sex_of_adopters),
                ("the adopters' legal status", adoption.legal_status_of_adopters),
            )
            if value in (None, "")
        ]
        if missing:
            # SSDA903 rule 601
            raise RuleError("Record " + ", ".join(missing) + " before recording the adoption")
        assert adoption.placed_on is not None
        require_after(
            ended_on,
            "ended_on",
            "adoption order",
            Follows("the child was placed with the adopters", adoption.placed_on),
        )
    elif adoption is not None:
        raise RuleError(
            "The decision that this child should be placed for adoption is still open: record that they should no "
            # SSDA903 rule 557
            "longer be placed, and why, before they leave care"
        )
    still_missing = MissingEpisode.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    if still_missing is not None:
        if reason_ceased != "E8":
            raise RuleError(
                "The child is recorded as missing or away. Record their return first; if they leave care while still "
                # SSDA903 rules 577, 580
                'missing, the reason is "stopped being looked after for any other reason"'
            )
        require_after(
            ended_on,
            "ended_on",
            "date the child stopped being looked after",
            Follows("the child went missing", still_missing.started_on),
        )
        still_missing.ended_on = ended_on
        still_missing.modified_by = actor_or_none(actor)
        still_missing.save(update_fields=["ended_on", "modified_by", "modified_at"])
        audit_step(actor, AuditAction.UPDATE, still_missing, person.pk, ["ended_on"])
    old = snapshot(current, ["ended_on", "reason_ceased"])
    current.ended_on = ended_on
    current.reason_ceased = reason_ceased
    current.modified_by = actor_or_none(actor)
    current.save(update_fields=["ended_on", "reason_ceased", "modified_by", "modified_at"])
    if reason_ceased in ADOPTED and adoption is not None:
        adoption.adopted_on = ended_on
        adoption.modified_by = actor_or_none(actor)
        adoption.save(update_fields=["adopted_on", "modified_by", "modified_at"])
        audit_step(actor, AuditAction.UPDATE, adoption, person.pk, ["adopted_on"])
    tasks_cancel(person, LOOKED_AFTER_TASKS, ended_on)
    chronology_add(
        person=person,
        occurred_at=noon(ended_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Stopped being looked after",
        summary=label("reason_episode_ceased", reason_ceased),
        source_type="lookedafterepisode",
        source_id=current.pk,
        actor=actor,
        significant=True,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="lookedafterepisode",
        object_id=str(current.pk),
        person_id=person.pk,
        changes={"old": old, "new": snapshot(current, ["ended_on", "reason_ceased"])},
    )
    return current
