"""The looked-after part of the children's journey: episodes of care (SSDA903 Episodes), reviews, statutory visits,
missing periods, adoption, unaccompanied asylum-seeking children, previous permanence, annual health outcomes (OC2)
and contact with care leavers (OC3).

Each service checks its dates and codes, refuses anything else with a RuleError that says what to do instead, and
writes its rows, a chronology entry, its tasks and an audit event in one transaction. Starting and ending a period of
care are manager-only steps. Where a rule is one of the DfE's SSDA903 validation rules its number is given, so a
refusal here is an error the return would otherwise have failed on.

Episodes are contiguous: a change of legal status or placement ends the open episode with reason X1 on the day of
the change and starts the next one the same day, with the reason for the new episode (RNE):
    L  legal status changed, placement the same                 (rule 434)
    P  placement and carers changed, legal status the same      (rules 380, 383, 435)
    T  placement changed but the carers are the same            (rules 217, 435)
    B  legal status, placement and carers all changed           (rules 380, 436)
    U  legal status and placement changed, carers the same      (rules 217, 436)
A placement is its type, provider, postcode and Ofsted URN: any of them changing is a change of placement. A return
from a temporary placement (T0-T4) is a P episode back to the placement the child left (rule 383).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction

from accounts.models import Team
from audit.services import audit_record, snapshot
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import add_working_days, age_on, birthday
from core.errors import RuleError
from people.models import Person
from people.validators import normalise_postcode, postcode_error
from recording.models import EntryType
from recording.services import chronology_add

from . import timescales
from .codes import check_code
from .models import Allocation, CINEpisode, LookedAfterEpisode, Task, TaskKind
from .models_looked_after import (
    AdoptionRecord,
    CareLeaverContact,
    HealthAssessment,
    HealthAssessmentKind,
    HealthRecord,
    LookedAfterReview,
    MissingEpisode,
    PreviousPermanence,
    UnaccompaniedAsylumSeekingChild,
)
from .services import _at, _audit, _not_future, _task, _team_of, _today, require_manager

# --- statutory timescales (Care Planning, Placement and Case Review (England) Regulations 2010) ------------------

FIRST_VISIT_DAYS = 7  # reg 28(2)(a): within one week of the start of a placement
FIRST_YEAR_VISIT_WEEKS = 6  # reg 28(2)(b): then at most every six weeks in the placement's first year
LONG_TERM_VISIT_MONTHS = 3  # reg 28(2)(c)(i): then at most every three months if the placement is to last until 18
OTHER_VISIT_WEEKS = 6  # reg 28(2)(c)(ii): otherwise at most every six weeks
INITIAL_HEALTH_ASSESSMENT_WORKING_DAYS = 20  # statutory guidance on promoting the health of looked-after children

# --- SSDA903 facts the rules below rely on ------------------------------------------------------------------------

TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
NO_PROVIDER_PLACEMENTS = TEMPORARY_PLACEMENTS | {"Z11", "Z12", "Z13", "Z14"}  # rules 178, 213, 526
NO_URN_PLACEMENTS = NO_PROVIDER_PLACEMENTS | {"P1", "P3", "R1", "R2", "R5"}  # rules 218, 222
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})
WITH_CURRENT_FOSTER_CARERS = frozenset({"A3", "A5"})  # rule 217
NEEDS_PLACEMENT_ORDER = frozenset({"A5", "A6"})  # rule 408
LONG_TERM_FOSTERING = frozenset({"U1", "U4"})
FOSTER_PLACEMENTS = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
STAYING_PUT = frozenset({"E45", "E46"})  # with former foster carers (rule 516)
AGENCY_URN = "XXXXXXX"  # rule 242: regional adoption agencies, for adoption and foster placements only
AGENCY_URN_PLACEMENTS = ADOPTION_PLACEMENTS | {"U1", "U2", "U3", "U4", "U5", "U6"}
PROVIDER_NOT_FOR = {  # rules 527-531 and 550
    "PR1": {"P1", "R2", "R5"},
    "PR2": {"P1", "R2", "R5"},
    "PR3": {"P1", "A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"},
    "PR4": {"P1"},
    "PR5": {"P1"},
}
SHORT_BREAKS = frozenset({"V3", "V4"})
ADOPTED = frozenset({"E11", "E12"})
INDEPENDENT_LIVING = frozenset({"E5", "E6"})  # rule 387: aged 14 or over
URN_RE = re.compile(r"^(?:[A-Z]{0,2}[0-9]{6,8}|XXXXXXX)$")
LA_PERM_RE = re.compile(r"^(?:[0-9]{3}|WAL|SCO|NIR|NUK)$")  # rule 633: old-style LA number, or outside England
# Postcode areas wholly outside England: a placement there has no Ofsted URN (rule 218 exempts them).
OUTSIDE_ENGLAND_AREAS = frozenset(
    {"BT", "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "ZE"}
    | {"CF", "LD", "LL", "NP", "SA"}
)
# OC3 asks about the young person's situation around their 17th to 21st birthdays: contact from three months before
# to one month after the birthday counts for that birthday.
OC3_BIRTHDAYS = range(17, 22)
OC3_MONTHS_BEFORE = 3
OC3_MONTHS_AFTER = 1
CARE_LEAVER_MIN_AGE = 16
CARE_LEAVER_MAX_AGE = 25
SDQ_MIN_AGE = 4
SDQ_MAX_AGE = 17  # age on 31 March: a child who turned 17 in the year still has an SDQ (rule 197B)
SDQ_MAX_SCORE = 40

LOOKED_AFTER_TASKS = (
    TaskKind.LAC_REVIEW,
    TaskKind.LAC_VISIT,
    TaskKind.LAC_HEALTH_ASSESSMENT,
    TaskKind.LAC_HEALTH_REVIEW,
)


@dataclass(frozen=True)
class Placement:
    """Where a child lives while looked after: SSDA903 PLACE, PLACE_PROVIDER, PL_POST and URN."""

    type: str
    provider: str
    postcode: str
    urn: str = ""

    def normalised(self) -> Placement:
        return Placement(
            type=self.type.strip().upper(),
            provider=self.provider.strip().upper(),
            postcode=normalise_postcode(self.postcode) if self.postcode.strip() else "",
            urn=self.urn.strip().upper(),
        )


# --- timescales -------------------------------------------------------------------------------------------------


def first_lac_review_due(started: date) -> date:
    return add_working_days(started, timescales.FIRST_LAC_REVIEW_WORKING_DAYS)


def lac_review_due(last_review: date, *, first: bool) -> date:
    """The next review after `last_review`: within 3 months of the first review, then at most every 6 months."""
    months = timescales.SECOND_LAC_REVIEW_MONTHS if first else timescales.LATER_LAC_REVIEW_MONTHS
    return last_review + relativedelta(months=months)


def first_placement_visit_due(placement_started: date) -> date:
    return placement_started + timedelta(days=FIRST_VISIT_DAYS)


def initial_health_assessment_due(started: date) -> date:
    return add_working_days(started, INITIAL_HEALTH_ASSESSMENT_WORKING_DAYS)


def review_health_assessment_due(born: date, assessed_on: date) -> date:
    """Statutory guidance (Promoting the health and wellbeing of looked-after children, 2015): review health
    assessments every 6 months before the 5th birthday, then every 12 months."""
    return assessed_on + relativedelta(months=6 if age_on(born, assessed_on) < 5 else 12)


def next_statutory_visit_due(person: Person, last_visit_on: date) -> date | None:
    """When the next statutory visit is due after a visit on `last_visit_on`: at most 6 weeks later in the first year
    of the placement, then at most 3 months later for a long-term foster placement (U1, U4), otherwise 6 weeks.
    None when the child was not looked after that day."""
    episode = _episode_on(person, last_visit_on)
    if episode is None:
        return None
    started = placement_started_on(person, episode)
    if last_visit_on < started + relativedelta(years=1):
        return last_visit_on + timedelta(weeks=FIRST_YEAR_VISIT_WEEKS)
    if episode.placement_type in LONG_TERM_FOSTERING:
        return last_visit_on + relativedelta(months=LONG_TERM_VISIT_MONTHS)
    return last_visit_on + timedelta(weeks=OTHER_VISIT_WEEKS)


def placement_started_on(person: Person, episode: LookedAfterEpisode) -> date:
    """When the placement of `episode` started, for the visiting timescales. A change of legal status, a move with
    the same carers (T, U), a temporary placement and the return from it do not start a new placement."""
    started = episode.started_on
    previous: LookedAfterEpisode | None = None
    for ep in _period_of(person, episode):
        returning = previous is not None and previous.placement_type in TEMPORARY_PLACEMENTS
        if ep.reason_new_episode == "S" or (
            ep.reason_new_episode in ("P", "B") and ep.placement_type not in TEMPORARY_PLACEMENTS and not returning
        ):
            started = ep.started_on
        previous = ep
    return started


# --- reading episodes ---------------------------------------------------------------------------------------------


def _episodes(person: Person) -> list[LookedAfterEpisode]:
    return list(LookedAfterEpisode.objects.filter(person=person).order_by("started_on", "id"))


def _open_episode(person: Person, *, lock: bool = False) -> LookedAfterEpisode | None:
    qs = LookedAfterEpisode.objects.filter(person=person, ended_on__isnull=True)
    return (qs.select_for_update() if lock else qs).first()


def _episode_on(person: Person, day: date) -> LookedAfterEpisode | None:
    """The episode the child was in on `day` (the new one on the day of a change), or None if not looked after."""
    return (
        LookedAfterEpisode.objects.filter(person=person, started_on__lte=day)
        .exclude(ended_on__lt=day)
        .order_by("-started_on", "-id")
        .first()
    )


def _period_of(person: Person, episode: LookedAfterEpisode) -> list[LookedAfterEpisode]:
    """The episodes of the period of care `episode` belongs to, from its first (RNE S) up to `episode`."""
    chain: list[LookedAfterEpisode] = []
    for ep in _episodes(person):
        follows = bool(chain) and chain[-1].reason_ceased == "X1" and chain[-1].ended_on == ep.started_on
        chain = [*chain, ep] if follows else [ep]
        if ep.pk == episode.pk:
            return chain
    return [episode]


def _usual_placement(person: Person, episode: LookedAfterEpisode) -> LookedAfterEpisode | None:
    """The last episode before `episode` that was not in a temporary placement: where a child in a temporary
    placement goes back to."""
    for ep in reversed(_period_of(person, episode)[:-1]):
        if ep.placement_type not in TEMPORARY_PLACEMENTS:
            return ep
    return None


def _placement_of(episode: LookedAfterEpisode) -> Placement:
    return Placement(
        type=episode.placement_type,
        provider=episode.placement_provider,
        postcode=episode.placement_postcode,
        urn=episode.urn,
    )


def _looked_after_continuously_since(person: Person, since: date, until: date) -> bool:
    """Whether the child was looked after every day from `since` to `until` (one period of care)."""
    episode = _episode_on(person, until)
    if episode is None:
        return False
    return _period_of(person, episode)[0].started_on <= since


# --- helpers ------------------------------------------------------------------------------------------------------


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_actor_ref = actor_or_none


def _team_for(person: Person, actor: Actor) -> Team | None:
    """The team whose dashboard shows the child's tasks: the allocated worker's, else the open referral's."""
    allocation = Allocation.objects.filter(person=person, ended_on__isnull=True).select_related("team").first()
    if allocation:
        return allocation.team
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).select_related("team").first()
    return episode.team if episode else _team_of(actor)


def _cancel_tasks(person: Person, kinds: tuple[str, ...], on: date) -> None:
    Task.objects.filter(person=person, kind__in=kinds, completed_on__isnull=True, cancelled_on__isnull=True).update(
        cancelled_on=on
    )


def _complete_open_tasks(person: Person, kind: str, on: date) -> None:
    Task.objects.filter(person=person, kind=kind, completed_on__isnull=True, cancelled_on__isnull=True).update(
        completed_on=on
    )


def _require_born(person: Person, what: str) -> date:
    if person.date_of_birth is None:
        raise RuleError(f"Record {person.full_name}'s date of birth before you {what}")
    return person.date_of_birth


def _outside_england(postcode: str) -> bool:
    area = re.match(r"^[A-Z]+", normalise_postcode(postcode))
    return area is not None and area.group(0) in OUTSIDE_ENGLAND_AREAS


def _date_errors(day: date | None, field: str, label_text: str, person: Person) -> dict[str, str]:
    errors = _not_future(day, field, label_text)
    if not errors and day is not None and person.date_of_birth and day < person.date_of_birth:
        errors[field] = f"The {label_text} cannot be before {person.full_name} was born"
    return errors


def _placement_errors(placement: Placement, *, legal_status: str, born: date | None, on: date | None) -> dict[str, str]:
    """The SSDA903 rules for one placement. Keys: placement_type, placement_provider, placement_postcode, urn."""
    errors: dict[str, str] = {}
    if legal_status not in SHORT_BREAKS or placement.postcode:
        message = postcode_error(placement.postcode)
        if message:
            errors["placement_postcode"] = message
    type_errors = check_code("placement_type", placement.type, "placement_type", "Select the placement type")
    if type_errors:
        return {**errors, **type_errors}
    kind = placement.type
    if kind in NO_PROVIDER_PLACEMENTS:
        if placement.provider:
            errors["placement_provider"] = f"Leave the placement provider empty for a {kind} placement (rule 213)"
    elif not placement.provider or check_code("placement_provider", placement.provider, "p", "x"):
        errors["placement_provider"] = "Select who provides the placement"
    elif placement.provider == "PR0" and kind != "P1":
        errors["placement_provider"] = "PR0 (parent) is only for a placement with parents (P1) (rule 550)"
    elif kind in PROVIDER_NOT_FOR.get(placement.provider, set()):
        errors["placement_provider"] = (
            f"A {placement.provider} provider cannot provide a {kind} placement: check the provider or the type"
        )
    if kind in NO_URN_PLACEMENTS:
        if placement.urn:
            errors["urn"] = f"Leave the URN empty: {kind} placements are not registered with Ofsted (rule 222)"
    elif not placement.urn:
        if "placement_postcode" not in errors and placement.postcode and not _outside_england(placement.postcode):
            errors["urn"] = "Enter the Ofsted unique reference number (URN) of the placement or its provider (rule 218)"
    elif not URN_RE.match(placement.urn):
        errors["urn"] = "Enter the URN as Ofsted shows it, like SC123456 or 1234567"
    elif placement.urn == AGENCY_URN and kind not in AGENCY_URN_PLACEMENTS:
        errors["urn"] = "XXXXXXX is only for adoption and foster placements made by a regional adoption agency"
    if kind == "K3" and born and on and age_on(born, on) < 16:
        errors["placement_type"] = "Supported accommodation (K3) is only for young people aged 16 or over (rule 371)"
    return errors


def _legal_status_errors(legal_status: str, field: str = "legal_status") -> dict[str, str]:
    errors = check_code("legal_status", legal_status, field, "Select the legal status")
    if not errors and legal_status == "D1":
        errors[field] = "Freeing orders (D1) ended in December 2005: use E1 for a placement order (rule 445)"
    return errors


def _describe(episode: LookedAfterEpisode) -> str:
    where = label("placement_type", episode.placement_type)
    return f"Legal status {episode.legal_status}. Placement {episode.placement_type}: {where}."


EPISODE_FIELDS = [
    "started_on",
    "reason_new_episode",
    "legal_status",
    "category_of_need",
    "placement_type",
    "placement_provider",
    "placement_postcode",
    "home_postcode",
    "urn",
]


# --- the period of care -------------------------------------------------------------------------------------------


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
    errors = _date_errors(started_on, "started_on", "date the child became looked after", person)
    errors.update(_legal_status_errors(legal_status))
    errors.update(
        check_code("la_category_of_need", category_of_need, "category_of_need", "Select the category of need")
    )
    errors.update(_placement_errors(placement, legal_status=legal_status, born=born, on=started_on))
    if placement.type in TEMPORARY_PLACEMENTS:
        errors["placement_type"] = "A period of care cannot start in a temporary placement (rule 380)"
    has_uasc = UnaccompaniedAsylumSeekingChild.objects.filter(person=person).exists()
    if home_postcode.strip() or not (has_uasc or legal_status in SHORT_BREAKS):
        message = postcode_error(home_postcode)
        if message:
            errors["home_postcode"] = message
    home = normalise_postcode(home_postcode) if home_postcode.strip() else ""
    if home and home == placement.postcode and placement.type != "P1":
        errors["home_postcode"] = "The home and placement postcodes can only be the same when placed with parents (P1)"
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    born = _require_born(person, "record them as looked after")
    if started_on >= birthday(born, 18):
        raise RuleError({"started_on": f"{person.full_name} was 18 by then: only children can be looked after"})
    if _open_episode(person):
        raise RuleError(
            "This child is already looked after. Record a change of placement or legal status instead, or end the "
            "current period of care first."
        )
    last = LookedAfterEpisode.objects.filter(person=person).order_by("-started_on", "-id").first()
    if last and last.ended_on and started_on <= last.ended_on:
        raise RuleError(
            {"started_on": f"A new period of care must start after the last one ended ({last.ended_on:%d %B %Y})"}
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
        created_by=_actor_ref(actor),
        modified_by=_actor_ref(actor),
    )
    team = _team_for(person, actor)
    _task(person, TaskKind.LAC_REVIEW, first_lac_review_due(started_on), episode, team)
    _task(person, TaskKind.LAC_VISIT, first_placement_visit_due(started_on), episode, team)
    _task(person, TaskKind.LAC_HEALTH_ASSESSMENT, initial_health_assessment_due(started_on), episode, team)
    chronology_add(
        person=person,
        occurred_at=_at(started_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Became looked after ({legal_status})",
        summary=_describe(episode),
        source_type="lookedafterepisode",
        source_id=episode.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "create", episode, person.pk, EPISODE_FIELDS)
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
    errors = _date_errors(changed_on, "changed_on", "date of the change", person)
    if errors:
        raise RuleError(errors)
    assert changed_on is not None
    current = _open_episode(person, lock=True)
    if current is None:
        raise RuleError("This child is not looked after. A manager starts a period of care first.")
    if changed_on < current.started_on:
        raise RuleError(
            {"changed_on": f"The change cannot be before the current episode started ({current.started_on:%d %B %Y})"}
        )
    new_status = legal_status if legal_status is not None else current.legal_status
    old_place = _placement_of(current)
    new_place = placement.normalised() if placement is not None else old_place
    born = person.date_of_birth
    if legal_status is not None:
        errors.update(_legal_status_errors(legal_status))
    if placement is not None:
        errors.update(_placement_errors(new_place, legal_status=new_status, born=born, on=changed_on))
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
        raise RuleError({"legal_status": "Each short break (V3) is a period of care of its own (rule 366)"})
    if placement_changed and new_place.postcode == current.home_postcode and new_place.type != "P1":
        raise RuleError(
            {"placement_postcode": "The placement postcode is the home postcode: that is only right for P1 (rule 392d)"}
        )
    temporary_out = current.placement_type in TEMPORARY_PLACEMENTS and placement_changed
    temporary_in = new_place.type in TEMPORARY_PLACEMENTS and placement_changed
    if temporary_out:
        usual = _usual_placement(person, current)
        if usual is not None and (new_place.type, new_place.postcode) != (
            usual.placement_type,
            usual.placement_postcode,
        ):
            raise RuleError(
                {
                    "placement_type": f"After a temporary placement the child returns to their usual placement "
                    f"({usual.placement_type} at {usual.placement_postcode}) (rule 383). Record the return first, then "
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
                "Record the decision that the child should be placed for adoption before placing them (rule 551)"
            )
        elif new_place.type in NEEDS_PLACEMENT_ORDER and new_status != "E1":
            errors["legal_status"] = "A5 and A6 are placements under a placement order: the legal status must be E1"
        elif new_place.type in WITH_CURRENT_FOSTER_CARERS and not same_carers:
            errors["same_carers"] = (
                "A3 and A5 are placements with the current foster carers: say the carers are the same"
            )
    if placement_changed and same_carers and new_place.type in {"A4", "A6"}:
        errors["same_carers"] = "A4 and A6 are placements with new carers: use A3 or A5 for the current foster carers"
    if errors:
        raise RuleError(errors)
    if status_changed and placement_changed:
        rne = "U" if same_carers else "B"
    elif status_changed:
        rne = "L"
    else:
        rne = "T" if same_carers else "P"
    old = snapshot(current, ["ended_on", "reason_ceased", "reason_place_change"])
    current.ended_on = changed_on
    current.reason_ceased = "X1"
    current.reason_place_change = reason_place_change if placement_changed else ""
    current.modified_by = _actor_ref(actor)
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
        created_by=_actor_ref(actor),
        modified_by=_actor_ref(actor),
    )
    if rne in ("P", "B") and not temporary_in and not temporary_out:
        # A new placement with new carers: the visiting clock starts again.
        _cancel_tasks(person, (TaskKind.LAC_VISIT,), changed_on)
        _task(person, TaskKind.LAC_VISIT, first_placement_visit_due(changed_on), episode, _team_for(person, actor))
    what = {"L": "legal status changed", "P": "placement changed", "T": "placement changed, same carers"}.get(
        rne, "legal status and placement changed"
    )
    if temporary_in:
        what = "temporary placement"
    elif temporary_out:
        what = "back to usual placement"
    chronology_add(
        person=person,
        occurred_at=_at(changed_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Looked after: {what}",
        summary=_describe(episode)
        + (f" Reason: {label('reason_place_change', reason_place_change)}." if reason_place_change else ""),
        source_type="lookedafterepisode",
        source_id=episode.pk,
        actor=actor,
        significant=placement_changed and not temporary_in and not temporary_out,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="lookedafterepisode",
        object_id=str(current.pk),
        person_id=person.pk,
        changes={"old": old, "new": snapshot(current, ["ended_on", "reason_ceased", "reason_place_change"])},
    )
    _audit(actor, "create", episode, person.pk, EPISODE_FIELDS)
    return episode


@transaction.atomic
def looked_after_end(*, actor: Actor, person: Person, ended_on: date | None, reason_ceased: str) -> LookedAfterEpisode:
    """The child stops being looked after, with the reason (REC). Open review and visit tasks are cancelled. An
    adoption (E11, E12) completes the adoption record; a child still missing can only leave care with E8."""
    require_manager(actor, "end a period of care")
    person = Person.objects.select_for_update().get(pk=person.pk)
    errors = _date_errors(ended_on, "ended_on", "date the child stopped being looked after", person)
    if reason_ceased == "X1":
        errors["reason_ceased"] = (
            "X1 is for a change of placement or legal status while the child stays looked after: record the change "
            "instead"
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
    current = _open_episode(person, lock=True)
    if current is None:
        raise RuleError("This child is not looked after, so there is no period of care to end")
    if ended_on < current.started_on:
        raise RuleError(
            {"ended_on": f"The end cannot be before the current episode started ({current.started_on:%d %B %Y})"}
        )
    if reason_ceased in STAYING_PUT and current.placement_type not in FOSTER_PLACEMENTS:
        raise RuleError(
            {
                "reason_ceased": "E45 and E46 are for a young person staying with their former foster carers: the "
                f"current placement is {label('placement_type', current.placement_type)} (rule 516)"
            }
        )
    born = person.date_of_birth
    if reason_ceased in INDEPENDENT_LIVING and born and age_on(born, ended_on) < 14:
        raise RuleError({"reason_ceased": "A child under 14 cannot leave care to live independently (rule 387)"})
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
            raise RuleError("Record " + ", ".join(missing) + " before recording the adoption (rule 601)")
        assert adoption.placed_on is not None
        if ended_on < adoption.placed_on:
            raise RuleError({"ended_on": "The adoption order cannot be before the child was placed with the adopters"})
    elif adoption is not None:
        raise RuleError(
            "The decision that this child should be placed for adoption is still open: record that they should no "
            "longer be placed, and why, before they leave care (rule 557)"
        )
    still_missing = MissingEpisode.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    if still_missing is not None:
        if reason_ceased != "E8":
            raise RuleError(
                "The child is recorded as missing or away. Record their return first; if they leave care while still "
                "missing, the reason is E8 (rules 577, 580)"
            )
        if ended_on < still_missing.started_on:
            raise RuleError({"ended_on": "The end cannot be before the child went missing"})
        still_missing.ended_on = ended_on
        still_missing.modified_by = _actor_ref(actor)
        still_missing.save(update_fields=["ended_on", "modified_by", "modified_at"])
        _audit(actor, "update", still_missing, person.pk, ["ended_on"])
    old = snapshot(current, ["ended_on", "reason_ceased"])
    current.ended_on = ended_on
    current.reason_ceased = reason_ceased
    current.modified_by = _actor_ref(actor)
    current.save(update_fields=["ended_on", "reason_ceased", "modified_by", "modified_at"])
    if reason_ceased in ADOPTED and adoption is not None:
        adoption.adopted_on = ended_on
        adoption.modified_by = _actor_ref(actor)
        adoption.save(update_fields=["adopted_on", "modified_by", "modified_at"])
        _audit(actor, "update", adoption, person.pk, ["adopted_on"])
    _cancel_tasks(person, LOOKED_AFTER_TASKS, ended_on)
    chronology_add(
        person=person,
        occurred_at=_at(ended_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Stopped being looked after ({reason_ceased})",
        summary=label("reason_episode_ceased", reason_ceased),
        source_type="lookedafterepisode",
        source_id=current.pk,
        actor=actor,
        significant=True,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="lookedafterepisode",
        object_id=str(current.pk),
        person_id=person.pk,
        changes={"old": old, "new": snapshot(current, ["ended_on", "reason_ceased"])},
    )
    return current


# --- reviews and visits -------------------------------------------------------------------------------------------


@transaction.atomic
def lac_review_record(*, actor: Actor, person: Person, held_on: date | None, participation: str) -> LookedAfterReview:
    """A looked-after review and how the child took part (PN0 only for a child under 4). The next review is due
    within 3 months of the first, then within 6 months of the last."""
    errors = _date_errors(held_on, "held_on", "date of the review", person)
    errors.update(check_code("review_participation", participation, "participation", "Select how the child took part"))
    if errors:
        raise RuleError(errors)
    assert held_on is not None
    episode = _episode_on(person, held_on)
    if episode is None:
        raise RuleError({"held_on": f"{person.full_name} was not looked after on {held_on:%d %B %Y}"})
    if episode.legal_status in SHORT_BREAKS:
        raise RuleError("Reviews are not recorded for a child on short breaks (V3 or V4) (rule 399)")
    born = _require_born(person, "record a review")
    under_four = age_on(born, held_on) < 4
    if under_four and participation != "PN0":
        raise RuleError({"participation": "The child was under 4 at the review: the participation code is PN0"})
    if not under_four and participation == "PN0":
        raise RuleError({"participation": "PN0 is only for a child under 4: select how the child took part"})
    period_start = _period_of(person, episode)[0]
    earlier = LookedAfterReview.objects.filter(person=person, held_on__gte=period_start.started_on)
    latest = earlier.order_by("-held_on").first()
    if latest and held_on <= latest.held_on:
        raise RuleError({"held_on": f"Reviews are recorded in order: the last one was on {latest.held_on:%d %B %Y}"})
    first = latest is None
    review = LookedAfterReview.objects.create(
        person=person,
        held_on=held_on,
        participation=participation,
        created_by=_actor_ref(actor),
        modified_by=_actor_ref(actor),
    )
    _complete_open_tasks(person, TaskKind.LAC_REVIEW, held_on)
    current = _open_episode(person)
    if current is not None and _period_of(person, current)[0].pk == period_start.pk:
        _task(person, TaskKind.LAC_REVIEW, lac_review_due(held_on, first=first), period_start, _team_for(person, actor))
    chronology_add(
        person=person,
        occurred_at=_at(held_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Looked-after review" + (" (first)" if first else ""),
        summary=f"Participation: {label('review_participation', participation)}.",
        source_type="lookedafterreview",
        source_id=review.pk,
        actor=actor,
    )
    _audit(actor, "create", review, person.pk, ["held_on", "participation"])
    return review


@transaction.atomic
def statutory_visit_recorded(*, actor: Actor, person: Person, visited_on: date | None) -> Task | None:
    """A statutory visit to a looked-after child took place (the child was seen): the open visit task is done and
    the next one is made (see next_statutory_visit_due). Called after recording.services.visit_record, whose own
    chronology entry records the visit; this adds no second one. Returns the next task, or None when the child is
    no longer looked after."""
    errors = _date_errors(visited_on, "visited_on", "date of the visit", person)
    if errors:
        raise RuleError(errors)
    assert visited_on is not None
    episode = _episode_on(person, visited_on)
    if episode is None:
        raise RuleError(
            {"visited_on": f"{person.full_name} was not looked after on {visited_on:%d %B %Y}: no visit was due then"}
        )
    current = _open_episode(person)
    if current is None or _period_of(person, current)[0].pk != _period_of(person, episode)[0].pk:
        return None  # a visit in a period of care that has ended: nothing is due any more
    _complete_open_tasks(person, TaskKind.LAC_VISIT, visited_on)
    due = next_statutory_visit_due(person, visited_on)
    assert due is not None
    task = _task(person, TaskKind.LAC_VISIT, due, current, _team_for(person, actor))
    audit_record(
        actor=actor,
        action="create",
        object_type="task",
        object_id=str(task.pk),
        person_id=person.pk,
        changes={"new": {"kind": task.kind, "due_on": due.isoformat(), "after_visit_on": visited_on.isoformat()}},
    )
    return task


# --- missing and away from placement ------------------------------------------------------------------------------


@transaction.atomic
def missing_episode_record(*, actor: Actor, person: Person, kind: str, started_on: date | None) -> MissingEpisode:
    """A looked-after child goes missing (M) or is away from placement without authorisation (A)."""
    errors = _date_errors(started_on, "started_on", "date the child went missing", person)
    errors.update(check_code("missing_type", kind, "kind", "Select missing or away from placement"))
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    if _episode_on(person, started_on) is None:
        raise RuleError(
            {"started_on": f"{person.full_name} was not looked after on {started_on:%d %B %Y} (rules 578, 581)"}
        )
    if MissingEpisode.objects.filter(person=person, ended_on__isnull=True).exists():
        raise RuleError("The child is already recorded as missing or away: record their return first (rule 574)")
    last = MissingEpisode.objects.filter(person=person).order_by("-ended_on").first()
    if last and last.ended_on and started_on < last.ended_on:
        raise RuleError(
            {"started_on": f"This overlaps the last time the child was missing, which ended {last.ended_on:%d %B %Y}"}
        )
    episode = MissingEpisode.objects.create(
        person=person, kind=kind, started_on=started_on, created_by=_actor_ref(actor), modified_by=_actor_ref(actor)
    )
    chronology_add(
        person=person,
        occurred_at=_at(started_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=episode.get_kind_display(),
        summary="",
        source_type="missingepisode",
        source_id=episode.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "create", episode, person.pk, ["kind", "started_on"])
    return episode


@transaction.atomic
def missing_episode_end(
    *,
    actor: Actor,
    episode: MissingEpisode,
    ended_on: date | None,
    return_interview_offered: bool | None,
    return_interview_accepted: bool | None = None,
) -> MissingEpisode:
    """The child is back: when, and whether a return interview was offered and, if so, accepted."""
    episode = MissingEpisode.objects.select_for_update().get(pk=episode.pk)
    person = episode.person
    errors = _date_errors(ended_on, "ended_on", "date the child came back", person)
    if return_interview_offered is None:
        errors["return_interview_offered"] = "Select whether a return interview was offered"
    elif return_interview_offered and return_interview_accepted is None:
        errors["return_interview_accepted"] = "Select whether the child accepted the return interview"
    elif not return_interview_offered and return_interview_accepted:
        errors["return_interview_accepted"] = "A return interview that was not offered cannot have been accepted"
    if errors:
        raise RuleError(errors)
    assert ended_on is not None
    if episode.ended_on:
        raise RuleError(f"The child's return was already recorded ({episode.ended_on:%d %B %Y})")
    if ended_on < episode.started_on:
        raise RuleError({"ended_on": "The child cannot have come back before they went missing (rule 567)"})
    episode.ended_on = ended_on
    episode.return_interview_offered = return_interview_offered
    episode.return_interview_accepted = return_interview_accepted if return_interview_offered else None
    episode.modified_by = _actor_ref(actor)
    episode.save(
        update_fields=[
            "ended_on",
            "return_interview_offered",
            "return_interview_accepted",
            "modified_by",
            "modified_at",
        ]
    )
    interview = "not offered"
    if return_interview_offered:
        interview = "accepted" if return_interview_accepted else "offered, not accepted"
    chronology_add(
        person=person,
        occurred_at=_at(ended_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Returned after being {'missing' if episode.kind == 'M' else 'away from placement'}",
        summary=f"Return interview {interview}.",
        source_type="missingepisode",
        source_id=episode.pk,
        actor=actor,
    )
    _audit(actor, "update", episode, person.pk, ["ended_on", "return_interview_offered", "return_interview_accepted"])
    return episode


# --- unaccompanied asylum-seeking children and previous permanence ------------------------------------------------


@transaction.atomic
def uasc_record(
    *, actor: Actor, person: Person, became_uasc_on: date | None, ceased_on: date | None = None
) -> UnaccompaniedAsylumSeekingChild:
    """Record (or correct) that a child is an unaccompanied asylum-seeking child, and when that ceased (DUC): at the
    latest their 18th birthday."""
    errors = _date_errors(became_uasc_on, "became_uasc_on", "date the child became an asylum-seeking child", person)
    if ceased_on is not None:
        errors.update(_date_errors(ceased_on, "ceased_on", "date the status ceased", person))
    if errors:
        raise RuleError(errors)
    assert became_uasc_on is not None
    born = _require_born(person, "record them as an unaccompanied asylum-seeking child")
    if became_uasc_on >= birthday(born, 18):
        raise RuleError({"became_uasc_on": f"{person.full_name} was 18 by then: only children are UASC"})
    if ceased_on is not None:
        if ceased_on < became_uasc_on:
            raise RuleError({"ceased_on": "The status cannot cease before it began"})
        if ceased_on > birthday(born, 18):
            raise RuleError(
                {"ceased_on": f"The status ceases by the 18th birthday, {birthday(born, 18):%d %B %Y} (rule 304)"}
            )
    row = UnaccompaniedAsylumSeekingChild.objects.select_for_update().filter(person=person).first()
    fields = ["became_uasc_on", "ceased_on"]
    if row is None:
        row = UnaccompaniedAsylumSeekingChild.objects.create(
            person=person,
            became_uasc_on=became_uasc_on,
            ceased_on=ceased_on,
            created_by=_actor_ref(actor),
            modified_by=_actor_ref(actor),
        )
        _audit(actor, "create", row, person.pk, fields)
        title = "Unaccompanied asylum-seeking child"
    else:
        old = snapshot(row, fields)
        row.became_uasc_on = became_uasc_on
        row.ceased_on = ceased_on
        row.modified_by = _actor_ref(actor)
        row.save(update_fields=[*fields, "modified_by", "modified_at"])
        audit_record(
            actor=actor,
            action="update",
            object_type="unaccompaniedasylumseekingchild",
            object_id=str(row.pk),
            person_id=person.pk,
            changes={"old": old, "new": snapshot(row, fields)},
        )
        title = "Unaccompanied asylum-seeking child status updated"
    chronology_add(
        person=person,
        occurred_at=_at(became_uasc_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=title,
        summary=f"From {became_uasc_on:%d %B %Y}" + (f" to {ceased_on:%d %B %Y}." if ceased_on else "."),
        source_type="unaccompaniedasylumseekingchild",
        source_id=row.pk,
        actor=actor,
    )
    return row


@transaction.atomic
def previous_permanence_record(
    *, actor: Actor, person: Person, arrangement: str, la_code: str = "", order_date: date | None = None
) -> PreviousPermanence:
    """Whether the child had a permanence arrangement (adoption, special guardianship, a child arrangements order)
    before this period of care, which authority arranged it and when. Recorded once per period of care."""
    la_code = la_code.strip().upper()
    errors = check_code("prev_perm", arrangement, "arrangement", "Select the previous permanence arrangement")
    if order_date is not None:
        errors.update(_date_errors(order_date, "order_date", "date of the order", person))
    if errors:
        raise RuleError(errors)
    if arrangement == "Z1":
        if la_code or order_date:
            raise RuleError("Z1 means there was no previous permanence arrangement: leave the authority and date empty")
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
    episode = _open_episode(person) or LookedAfterEpisode.objects.filter(person=person).order_by("-started_on").first()
    if episode is None:
        raise RuleError("Previous permanence is recorded when a child starts to be looked after: start that first")
    start = _period_of(person, episode)[0]
    if order_date and order_date >= start.started_on:
        raise RuleError(
            {
                "order_date": f"The order must be before this period of care started ({start.started_on:%d %B %Y}) "
                "(rule 632)"
            }
        )
    if PreviousPermanence.objects.filter(episode=start).exists():
        raise RuleError(
            f"Previous permanence is already recorded for the period of care from {start.started_on:%d %B %Y}"
        )
    row = PreviousPermanence.objects.create(
        person=person,
        episode=start,
        arrangement=arrangement,
        la_code=la_code,
        order_date=order_date,
        created_by=_actor_ref(actor),
        modified_by=_actor_ref(actor),
    )
    chronology_add(
        person=person,
        occurred_at=_at(start.started_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Previous permanence: " + label("prev_perm", arrangement),
        summary=(f"Arranged by {la_code}. " if la_code else "")
        + (f"Order of {order_date:%d %B %Y}." if order_date else ""),
        source_type="previouspermanence",
        source_id=row.pk,
        actor=actor,
    )
    _audit(actor, "create", row, person.pk, ["arrangement", "la_code", "order_date"])
    return row


# --- adoption -----------------------------------------------------------------------------------------------------

ADOPTION_MILESTONES = {
    # milestone: (field, words, the milestones that must come before it)
    "placement_order": ("placement_order_on", "the placement order", ()),
    "matched": ("date_matched", "the match with the adopters", ("placement_order",)),
    "placed": ("placed_on", "the placement with the adopters", ("placement_order", "matched")),
}


@transaction.atomic
def adoption_decision_record(*, actor: Actor, person: Person, decided_on: date | None) -> AdoptionRecord:
    """The decision that a looked-after child should be placed for adoption (DATE_INT, DATE_PLACED). Only one open
    decision at a time."""
    errors = _date_errors(decided_on, "decided_on", "date of the decision", person)
    if errors:
        raise RuleError(errors)
    assert decided_on is not None
    if _episode_on(person, decided_on) is None:
        raise RuleError({"decided_on": f"{person.full_name} was not looked after on {decided_on:%d %B %Y} (rule 1003)"})
    if AdoptionRecord.objects.filter(person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True).exists():
        raise RuleError("A decision to place this child for adoption is already open (rule 579)")
    last = AdoptionRecord.objects.filter(person=person).order_by("-date_should_be_placed").first()
    if last and last.date_placed_ceased and decided_on < last.date_placed_ceased:
        raise RuleError(
            {"decided_on": f"A new decision must follow the last one's reversal ({last.date_placed_ceased:%d %B %Y})"}
        )
    record = AdoptionRecord.objects.create(
        person=person, date_should_be_placed=decided_on, created_by=_actor_ref(actor), modified_by=_actor_ref(actor)
    )
    chronology_add(
        person=person,
        occurred_at=_at(decided_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Decision: should be placed for adoption",
        summary="",
        source_type="adoptionrecord",
        source_id=record.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "create", record, person.pk, ["date_should_be_placed"])
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
    errors = _date_errors(on, field, f"date of {words}", person)
    if errors:
        raise RuleError(errors)
    assert on is not None
    if adoption.date_placed_ceased or adoption.adopted_on:
        raise RuleError("This adoption plan has ended: record a new decision to place for adoption first")
    if getattr(adoption, field) is not None:
        raise RuleError({field: f"The date of {words} is already recorded ({getattr(adoption, field):%d %B %Y})"})
    if milestone == "placed" and adoption.date_matched is None:
        raise RuleError({field: "Record the match with the adopters before the placement with them (rule 331)"})
    previous = [("the decision to place for adoption", adoption.date_should_be_placed)] + [
        (ADOPTION_MILESTONES[m][1], getattr(adoption, ADOPTION_MILESTONES[m][0])) for m in before
    ]
    for name, day in previous:
        if day is not None and on < day:
            raise RuleError({field: f"The date of {words} cannot be before {name} ({day:%d %B %Y})"})
    later = [m for m, (f, _, b) in ADOPTION_MILESTONES.items() if milestone in b and getattr(adoption, f)]
    if later:
        raise RuleError(
            {field: f"{ADOPTION_MILESTONES[later[0]][1].capitalize()} is already recorded: {words} comes before it"}
        )
    setattr(adoption, field, on)
    adoption.modified_by = _actor_ref(actor)
    adoption.save(update_fields=[field, "modified_by", "modified_at"])
    chronology_add(
        person=person,
        occurred_at=_at(on),
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
        action="update",
        object_type="adoptionrecord",
        object_id=str(adoption.pk),
        person_id=person.pk,
        changes={field: {"old": None, "new": on.isoformat()}},
    )
    return adoption


ADOPTER_SEX_FOR_STATUS = {  # rules 514, 517, 518, 519, 520, 524
    "L0": {"M1", "F1"},
    "L11": {"MF"},
    "L12": {"MM", "FF"},
    "L2": {"MM", "FF", "MF"},
    "L3": {"MF"},
    "L4": {"MM", "FF"},
}


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
        raise RuleError({"sex_of_adopters": "M1 and F1 are for one adopter; MM, FF and MF are for two (rule 511)"})
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
    adoption.modified_by = _actor_ref(actor)
    adoption.save(update_fields=[*fields, "modified_by", "modified_at"])
    chronology_add(
        person=adoption.person,
        occurred_at=_at(_today()),
        entry_type=EntryType.LOOKED_AFTER,
        title="Adopters recorded",
        summary=f"{label('adopter_legal_status', legal_status_of_adopters)}.",
        source_type="adoptionrecord",
        source_id=adoption.pk,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="update",
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
    errors = _date_errors(ceased_on, "date_placed_ceased", "date of the new decision", adoption.person)
    errors.update(check_code("reason_placed_ceased", reason, "reason_placed_ceased", "Select why the plan changed"))
    if errors:
        raise RuleError(errors)
    assert ceased_on is not None
    if adoption.adopted_on:
        raise RuleError("The child has been adopted: the decision can no longer be reversed (rule 558)")
    if adoption.date_placed_ceased:
        raise RuleError(f"This decision was already reversed on {adoption.date_placed_ceased:%d %B %Y}")
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
        raise RuleError({"date_placed_ceased": f"The decision cannot be reversed before {latest:%d %B %Y} (rule 522)"})
    adoption.date_placed_ceased = ceased_on
    adoption.reason_placed_ceased = reason
    adoption.modified_by = _actor_ref(actor)
    adoption.save(update_fields=["date_placed_ceased", "reason_placed_ceased", "modified_by", "modified_at"])
    chronology_add(
        person=adoption.person,
        occurred_at=_at(ceased_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Decision: should no longer be placed for adoption",
        summary=label("reason_placed_ceased", reason),
        source_type="adoptionrecord",
        source_id=adoption.pk,
        actor=actor,
        significant=True,
    )
    _audit(actor, "update", adoption, adoption.person_id, ["date_placed_ceased", "reason_placed_ceased"])
    return adoption


# --- health and outcomes (OC2) ------------------------------------------------------------------------------------


@transaction.atomic
def health_record_for_year(
    *,
    actor: Actor,
    person: Person,
    year_ending: date | None,
    sdq_score: int | None = None,
    sdq_reason: str = "",
    convicted: bool | None = None,
    health_check: bool | None = None,
    immunisations: bool | None = None,
    teeth_check: bool | None = None,
    health_assessment: bool | None = None,
    substance_misuse: bool | None = None,
    intervention_received: bool | None = None,
    intervention_offered: bool | None = None,
) -> HealthRecord:
    """A year's health and outcomes (SSDA903 OC2) for a child looked after continuously for 12 months at 31 March.
    Ages are at 31 March: an SDQ score (0-40) or the reason there is none for ages 4 to 16, and neither otherwise;
    health promotion (health_check) under 5; convictions from 10. Recording the year again corrects it."""
    errors: dict[str, str] = {}
    if year_ending is None or (year_ending.month, year_ending.day) != (3, 31):
        raise RuleError({"year_ending": "Select the year: it ends on 31 March"})
    if year_ending > _today():
        raise RuleError({"year_ending": f"The year's outcomes can be recorded from 31 March {year_ending.year}"})
    born = _require_born(person, "record health outcomes")
    if not _looked_after_continuously_since(
        person, year_ending - relativedelta(years=1) + timedelta(days=1), year_ending
    ):
        raise RuleError(
            f"{person.full_name} was not looked after continuously for the 12 months to {year_ending:%d %B %Y}: these "
            "outcomes are only for children who were (rule 190)"
        )
    age = age_on(born, year_ending)
    if SDQ_MIN_AGE <= age <= SDQ_MAX_AGE:
        if sdq_score is None and not sdq_reason:
            errors["sdq_score"] = "Enter the SDQ score, or the reason there is none (rules 186 and 197B)"
        elif sdq_score is not None and sdq_reason:
            errors["sdq_reason"] = "Give the SDQ score or the reason there is none, not both (rule 197a)"
        elif sdq_score is not None and not 0 <= sdq_score <= SDQ_MAX_SCORE:
            errors["sdq_score"] = "The SDQ score is a whole number from 0 to 40"
        elif sdq_reason:
            errors.update(check_code("sdq_reason", sdq_reason, "sdq_reason", "Select the reason there is no SDQ score"))
            year_start = year_ending - relativedelta(years=1) + timedelta(days=1)
            # SDQ1 ("under 4 or over 16") only for a child who turned 4 in the year or was past 16 by its end.
            if (
                not errors
                and sdq_reason == "SDQ1"
                and birthday(born, 4) <= year_start
                and birthday(born, 16) >= year_ending
            ):
                errors["sdq_reason"] = (
                    f"SDQ1 is for children who turned 4 during the year or were over 16 at its end: "
                    f"{person.full_name} was {age} (rule 157)"
                )
    elif sdq_score is not None or sdq_reason:
        errors["sdq_score"] = (
            f"An SDQ is only for children aged 4 to 17 on 31 March (rules 188 and 189): {person.full_name} was {age}"
        )
    for field, value in (
        ("immunisations", immunisations),
        ("teeth_check", teeth_check),
        ("health_assessment", health_assessment),
        ("substance_misuse", substance_misuse),
    ):
        if value is None:
            errors[field] = "Select yes or no (rule 182)"
    if age < 5 and health_check is None:
        errors["health_check"] = "Select whether the child's health promotion checks were up to date (rule 545)"
    elif age >= 5 and health_check is not None:
        errors["health_check"] = "Health promotion checks are only for children under 5 (rule 546)"
    if age >= 10 and convicted is None:
        errors["convicted"] = "Select whether the child was convicted during the year (rule 543)"
    elif age < 10 and convicted is not None:
        errors["convicted"] = "Conviction is only recorded for children aged 10 or over (rule 542)"
    if substance_misuse:
        if intervention_received is None:
            errors["intervention_received"] = "Select whether the child received an intervention"
        elif intervention_received and intervention_offered is not None:
            errors["intervention_offered"] = "Leave 'offered' empty when an intervention was received (rule 158)"
        elif not intervention_received and intervention_offered is None:
            errors["intervention_offered"] = "Select whether an intervention was offered (rule 159)"
    elif intervention_received is not None or intervention_offered is not None:
        errors["intervention_received"] = "Interventions are only recorded when a substance misuse problem was found"
    if errors:
        raise RuleError(errors)
    values: dict[str, Any] = {
        "sdq_score": sdq_score,
        "sdq_reason": sdq_reason,
        "convicted": convicted,
        "health_check": health_check,
        "immunisations": immunisations,
        "teeth_check": teeth_check,
        "health_assessment": health_assessment,
        "substance_misuse": substance_misuse,
        "intervention_received": intervention_received,
        "intervention_offered": intervention_offered,
    }
    fields = list(values)
    row = HealthRecord.objects.select_for_update().filter(person=person, year_ending=year_ending).first()
    if row is None:
        row = HealthRecord.objects.create(
            person=person,
            year_ending=year_ending,
            created_by=_actor_ref(actor),
            modified_by=_actor_ref(actor),
            **values,
        )
        _audit(actor, "create", row, person.pk, ["year_ending", *fields])
    else:
        old = snapshot(row, fields)
        for field, value in values.items():
            setattr(row, field, value)
        row.modified_by = _actor_ref(actor)
        row.save(update_fields=[*fields, "modified_by", "modified_at"])
        audit_record(
            actor=actor,
            action="update",
            object_type="healthrecord",
            object_id=str(row.pk),
            person_id=person.pk,
            changes={"old": old, "new": snapshot(row, fields)},
        )
    chronology_add(
        person=person,
        occurred_at=_at(year_ending),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Health and outcomes for the year to 31 March {year_ending.year}",
        summary=f"SDQ score {sdq_score}." if sdq_score is not None else "",
        source_type="healthrecord",
        source_id=row.pk,
        actor=actor,
    )
    return row


# --- statutory health assessments --------------------------------------------------------------------------------


@transaction.atomic
def health_assessment_record(
    *, actor: Actor, person: Person, assessed_on: date | None, assessed_by: str = ""
) -> HealthAssessment:
    """A looked-after child's statutory health assessment. The first in a period of care is the initial health
    assessment (due 20 working days after the child became looked after); later ones are reviews. Each makes the next
    review due (6-monthly under 5, yearly from 5) while the child stays looked after."""
    errors = _date_errors(assessed_on, "assessed_on", "date of the health assessment", person)
    if errors:
        raise RuleError(errors)
    assert assessed_on is not None
    born = _require_born(person, "record a health assessment")
    episode = _episode_on(person, assessed_on)
    if episode is None:
        raise RuleError(
            {"assessed_on": f"{person.full_name} was not looked after on {assessed_on:%d %B %Y}: a statutory health "
             "assessment is for a looked-after child"}
        )  # fmt: skip
    period = _period_of(person, episode)
    if HealthAssessment.objects.filter(person=person, assessed_on=assessed_on).exists():
        raise RuleError({"assessed_on": f"A health assessment on {assessed_on:%d %B %Y} is already recorded"})
    earlier_in_period = HealthAssessment.objects.filter(
        person=person, assessed_on__gte=period[0].started_on, assessed_on__lt=assessed_on
    ).exists()
    kind = HealthAssessmentKind.REVIEW if earlier_in_period else HealthAssessmentKind.INITIAL
    row = HealthAssessment.objects.create(
        person=person,
        episode=episode,
        kind=kind,
        assessed_on=assessed_on,
        assessed_by=assessed_by.strip(),
        created_by=_actor_ref(actor),
        modified_by=_actor_ref(actor),
    )
    _complete_open_tasks(
        person, TaskKind.LAC_HEALTH_ASSESSMENT if kind == HealthAssessmentKind.INITIAL else TaskKind.LAC_HEALTH_REVIEW,
        assessed_on,
    )  # fmt: skip
    current = _open_episode(person)
    if current is not None and _period_of(person, current)[0].pk == period[0].pk:
        _task(
            person,
            TaskKind.LAC_HEALTH_REVIEW,
            review_health_assessment_due(born, assessed_on),
            current,
            _team_for(person, actor),
        )
    chronology_add(
        person=person,
        occurred_at=_at(assessed_on),
        entry_type=EntryType.LOOKED_AFTER,
        title=row.get_kind_display(),
        summary=f"By {row.assessed_by}." if row.assessed_by else "",
        source_type="healthassessment",
        source_id=row.pk,
        actor=actor,
    )
    _audit(actor, "create", row, person.pk, ["kind", "assessed_on", "assessed_by"])
    return row


# --- care leavers (OC3) -------------------------------------------------------------------------------------------


def oc3_birthday(born: date, contact_on: date) -> int | None:
    """The 17th to 21st birthday a contact on `contact_on` counts for: from 3 months before to 1 month after it."""
    for years in OC3_BIRTHDAYS:
        day = birthday(born, years)
        if day - relativedelta(months=OC3_MONTHS_BEFORE) <= contact_on <= day + relativedelta(months=OC3_MONTHS_AFTER):
            return years
    return None


@transaction.atomic
def care_leaver_contact_record(
    *, actor: Actor, person: Person, contact_on: date | None, in_touch: str, activity: str, accommodation: str
) -> CareLeaverContact:
    """Contact with a care leaver aged 16 to 25: whether the authority is in touch, and the young person's activity
    and accommodation. A contact around the 17th to 21st birthday counts for the SSDA903 OC3 return."""
    errors = _date_errors(contact_on, "contact_on", "date of the contact", person)
    errors.update(check_code("oc3_in_touch", in_touch, "in_touch", "Select whether you are in touch"))
    errors.update(check_code("oc3_activity", activity, "activity", "Select the young person's activity"))
    errors.update(
        check_code("oc3_accommodation", accommodation, "accommodation", "Select the young person's accommodation")
    )
    if errors:
        raise RuleError(errors)
    assert contact_on is not None
    born = _require_born(person, "record contact with them as a care leaver")
    age = age_on(born, contact_on)
    if age < CARE_LEAVER_MIN_AGE:
        raise RuleError(
            {
                "contact_on": f"{person.full_name} was {age}: care leaver contacts are for young people aged 16 to 25. "
                "Record contact with a looked-after child as a visit."
            }
        )
    if age > CARE_LEAVER_MAX_AGE:
        raise RuleError(
            {
                "contact_on": f"{person.full_name} was {age}: leaving care support ends at 25. Record the contact as a "
                "case note."
            }
        )
    if not LookedAfterEpisode.objects.filter(person=person, started_on__lte=contact_on).exists():
        raise RuleError(f"{person.full_name} has no period of care recorded, so is not a care leaver (rule 1002)")
    if _episode_on(person, contact_on) is not None:
        raise RuleError(
            {"contact_on": f"{person.full_name} was still looked after on {contact_on:%d %B %Y}: record a visit"}
        )
    if in_touch in ("DIED", "RHOM") and (activity != "0" or accommodation != "0"):
        raise RuleError(
            {"activity": "When the young person has died or returned home, activity and accommodation are 0 (rule 344)"}
        )
    if in_touch == "YES" and (activity == "0" or accommodation == "0"):
        raise RuleError(
            {"activity": "When you are in touch, record the young person's activity and accommodation (rule 345)"}
        )
    if CareLeaverContact.objects.filter(person=person, in_touch="DIED", contact_on__lt=contact_on).exists():
        raise RuleError("This young person has been recorded as having died (rule 348)")
    counts_for = oc3_birthday(born, contact_on)
    if counts_for == 17 and accommodation.startswith("Z"):
        raise RuleError(
            {"accommodation": "At 17 a young person cannot be living with former foster carers (Z1, Z2) (rule 3001)"}
        )
    if accommodation.startswith("T") and age < 18:
        raise RuleError(
            {"accommodation": "Care leavers under 18 cannot be accommodated in a foyer (T1, T2) (rule 347)"}
        )
    if CareLeaverContact.objects.filter(person=person, contact_on=contact_on).exists():
        raise RuleError({"contact_on": f"A contact on {contact_on:%d %B %Y} is already recorded"})
    contact = CareLeaverContact.objects.create(
        person=person,
        contact_on=contact_on,
        in_touch=in_touch,
        activity=activity,
        accommodation=accommodation,
        birthday=counts_for,
        created_by=_actor_ref(actor),
        modified_by=_actor_ref(actor),
    )
    chronology_add(
        person=person,
        occurred_at=_at(contact_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Care leaver contact" + (f" around the {_ordinal(counts_for)} birthday" if counts_for else ""),
        summary=(
            f"In touch: {label('oc3_in_touch', in_touch)}. Activity: {label('oc3_activity', activity)}. "
            f"Accommodation: {label('oc3_accommodation', accommodation)}."
        ),
        source_type="careleavercontact",
        source_id=contact.pk,
        actor=actor,
    )
    _audit(actor, "create", contact, person.pk, ["contact_on", "in_touch", "activity", "accommodation", "birthday"])
    return contact
