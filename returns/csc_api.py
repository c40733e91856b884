"""DfE's children's social care API (the daily data flow, specification 0.8): one JSON payload per child, made from
the record, and the delta rule that decides which children are sent.

Source of the shape, field formats and rules: Data to Insight's dfe-csc-api-data-flows (docs/json_payload_structure.md,
build_dfe_payload_staging/, api_pipeline/), summarised in shared/reference/dfe-csc-api.md.

Who is in it (the cohort), for a run on day T:
- The window runs from the 1 April that starts the financial year containing the day 24 months before T, to T.
  A run on 22 November 2026 looks back to 22 November 2024, in the financial year 2024-25: the window starts on
  1 April 2024. A run on 31 March 2026 starts it on 1 April 2023; a run on 1 April 2026, on 1 April 2024.
- "Aged 25 or under" is read as aged 25 or under on at least one day of the window, as Data to Insight's cohort
  does: the 26th birthday falls after the window's first day. (Someone whose 26th birthday is that first day was
  26 for the whole window and is out.) An unborn child (expected date of birth, no date of birth) is in when the
  expected date is on or after the window's first day.
- "Activity" is a children-in-need episode open on any day of the window (referral to closure, open ones
  included), a looked-after episode open on any day of it, or contact with a care leaver in it.
- A child with activity but no date of birth nor expected date, or only an expected date that passed before the
  window began, cannot be placed in or out of the cohort: they are reported (`CscApiRun.problems`, blocking) and
  neither sent nor purged.

The payload, for each child in the cohort (dates YYYY-MM-DD; a value the record does not hold is left out, a list
with nothing in it is []; every block carries `purge: false`):
- la_code: the authority's 3-digit DfE code, a number as in the specification's example. Children{...}:
- la_child_id: the person's record number, as LAchildID in the CIN census and CHILD in the SSDA903, so DfE can join
  the three. mis_child_id: the id the child had in the previous case management system (identifier "Previous
  system ID", else "Imported record ID"), when recorded and in DfE's format (letters, digits, - and _, up to 36
  characters); otherwise left out.
- child_details: UPN and former UPN from the identifiers (valid ones only, as in the returns); without a UPN, the
  reason it is unknown as in the CIN census (UN6 unborn, UN7 every referral sent was a referral with no further
  action, UN1 not of school age in the collection year in progress), else none. First name and surname; date of
  birth or expected date of birth; sex M, F or U (U for an unborn child); ethnicity (NOBT when not recorded);
  disabilities as recorded, sorted (left out when none is recorded: sending NONE would tell DfE the child has no
  disability, which nobody recorded); postcode: the current address's; uasc_flag true for an unaccompanied
  asylum-seeking child whose status had not ceased before the window, with uasc_end_date when it ceased.
- health_and_wellbeing: the SDQ scores of the annual health records (SSDA903 OC2) whose year ends in the window;
  Casework records the year, not the day of the SDQ, so the date is the 31 March that ends the year. Left out when
  there are none.
- social_care_episodes: each children-in-need episode open on any day of the window, with social_care_episode_id,
  referral date and source, referral_no_further_action_flag (closed without an assessment, section 47 enquiry,
  conference or plan, as in the CIN census), closure date and reason. In each episode:
  - care_worker_details: the allocations current during both the episode and the window; worker_id is XX and the
    worker's user id, as SW_ID in the SSDA903 (Casework holds no Social Work England numbers yet).
  - child_and_family_assessments (not authorised before the window; factors as recorded, sorted),
    child_in_need_plans, section_47_assessments and child_protection_plans current in the window. A section 47
    enquiry's icpc_required_flag is true when it concluded that a conference was needed, false when it ended
    without one, and left out until it concludes; icpc_date is its initial conference; end_date the day it
    concluded.
  - child_looked_after_placements: placements current in the window. A change of legal status alone (RNE L) is
    not a new placement, so consecutive SSDA903 episodes joined by L make one placement, identified by its first
    episode: start_reason is that episode's RNE, end_date/end_reason/change_reason the last one's DEC, REC and
    reason for the placement change.
  - adoption: the latest decision to place for adoption (with the dates matched and placed) that had not been
    reversed, or ended in adoption, before the window. care_leavers: the latest contact in the window, with the
    activity (ACTIV) and the letter of the accommodation (ACCOM's first character: D1 is D); a 0 (not applicable)
    is left out.
  Looked-after placements, adoption decisions and care leaver contacts are recorded against the child in Casework,
  while DfE holds them inside an episode: each goes into the episode open on the day it started, else the first
  episode open during it. One with no episode to go into is not sent, and the child gets a (non-blocking) problem
  saying so: record the referral that covers it.

The delta rule: each payload is written as canonical JSON (keys sorted, no spaces, UTF-8) and hashed with SHA-256
(so `sha256sum` of a written file is its hash). Compared with CscApiChildState: a new child, or one whose hash
differs, is sent whole; an unchanged one is not sent; a child with state, not already purged, who is no longer in
the cohort gets a purge record ({la_child_id, mis_child_id, purge: true}) once. Only a successful post records
state (`csc_api_record_sent`, called by returns.csc_api_client); writing files records nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_bulk
from cases.models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    CINEpisode,
    ConferenceKind,
    LookedAfterEpisode,
    Section47Enquiry,
    Section47Outcome,
)
from cases.models_looked_after import (
    AdoptionRecord,
    CareLeaverContact,
    HealthRecord,
    UnaccompaniedAsylumSeekingChild,
)
from core.actors import Actor, actor_or_none
from core.dates import birthday
from people.models import IdentifierType, Person, PersonIdentifier

from .common import (
    CollectionYear,
    ReturnError,
    Upns,
    current_collection_year,
    ethnicity,
    sex,
    social_worker_id,
    upn_unknown_reason,
    upns_by_person,
)
from .models import CscApiChildState

MONTHS_BACK = 24
OLDEST_AGE = 25  # aged 25 or under: in until the 26th birthday
LEGAL_STATUS_CHANGE_ONLY = "L"  # SSDA903 RNE: a change of legal status alone, same placement
DFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
LA_CODE = re.compile(r"^[0-9]{3}$")
NOT_APPLICABLE = "0"  # OC3 activity and accommodation for a young person who died or returned home
ICPC_NOT_NEEDED = (Section47Outcome.NO_FURTHER_ACTION, Section47Outcome.ICPC_NOT_REQUIRED)
DESTINATION = "DfE children's social care API"

Kind = Literal["new", "changed", "unchanged", "purge"]
Json = dict[str, Any]


def _today() -> date:
    return timezone.localdate()


def _d(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _compact(values: Json) -> Json:
    """Leave out what the record does not hold (None or ""), as DfE's reference payloads do."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


def canonical_json(value: Any) -> bytes:
    """The one byte form of a payload that is hashed, written and posted: keys sorted, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def check_la_code(code: str | int | None = None) -> str:
    """The authority's 3-digit DfE code (`code`, else CASEWORK_LA_CODE), or a ReturnError saying what is wrong."""
    value = str(code if code is not None else settings.CASEWORK_LA_CODE).strip()
    if not LA_CODE.match(value):
        source = "--la" if code is not None else "CASEWORK_LA_CODE"
        raise ReturnError(
            f"{source} must be the authority's 3-digit DfE code, like 383 for Leeds: {value or 'nothing'!r} is not"
        )
    return value


# --- the window and the cohort ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """From the 1 April that starts the financial year containing the day 24 months before the run, to the run."""

    start: date
    end: date

    @classmethod
    def for_run(cls, today: date) -> Window:
        anchor = today - relativedelta(months=MONTHS_BACK)
        year = anchor.year if anchor.month >= 4 else anchor.year - 1
        return cls(start=date(year, 4, 1), end=today)

    def overlaps(self, started: date | None, ended: date | None) -> bool:
        """Whether something from `started` to `ended` (still going when None) was current on a day of the window."""
        return started is not None and started <= self.end and (ended is None or ended >= self.start)


def _age_verdict(window: Window, person: Person) -> tuple[bool, str]:
    """(whether the person's age puts them in the cohort, why their age cannot be told: "" when it can)."""
    born = person.date_of_birth
    if born is not None:
        return birthday(born, OLDEST_AGE + 1) > window.start, ""
    expected = person.expected_date_of_birth
    if expected is None:
        return False, "No date of birth or expected date of birth is recorded: DfE needs one to take the child's record"
    if expected < window.start:
        return False, (
            f"The expected date of birth ({expected:%d/%m/%Y}) passed before {window.start:%d/%m/%Y} and no date of "
            f"birth is recorded: record the date of birth"
        )
    return True, ""


def _people_with_activity(window: Window) -> list[Person]:
    start = window.start
    open_in_window = Q(closure_date__isnull=True) | Q(closure_date__gte=start)
    activity = (
        Q(Exists(CINEpisode.objects.filter(open_in_window, person=OuterRef("pk"), referral_date__lte=window.end)))
        | Q(
            Exists(
                LookedAfterEpisode.objects.filter(
                    Q(ended_on__isnull=True) | Q(ended_on__gte=start),
                    person=OuterRef("pk"),
                    started_on__lte=window.end,
                )
            )
        )
        | Q(
            Exists(
                CareLeaverContact.objects.filter(
                    person=OuterRef("pk"), contact_on__gte=start, contact_on__lte=window.end
                )
            )
        )
    )
    # A coarse age bound keeps the adults of the index out; the exact rule is _age_verdict's.
    too_old = birthday(start, -(OLDEST_AGE + 2))
    return list(
        Person.objects.filter(activity)
        .filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=too_old))
        .order_by("pk")
    )


# --- reading the record -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Placement:
    """One placement: a run of SSDA903 episodes joined by changes of legal status alone."""

    first: LookedAfterEpisode
    last: LookedAfterEpisode

    @property
    def started_on(self) -> date:
        return self.first.started_on

    @property
    def ended_on(self) -> date | None:
        return self.last.ended_on


def _placements(episodes: list[LookedAfterEpisode]) -> list[_Placement]:
    runs: list[_Placement] = []
    for episode in episodes:
        previous = runs[-1] if runs else None
        if (
            previous is not None
            and episode.reason_new_episode == LEGAL_STATUS_CHANGE_ONLY
            and previous.last.ended_on == episode.started_on
        ):
            runs[-1] = _Placement(first=previous.first, last=episode)
        else:
            runs.append(_Placement(first=episode, last=episode))
    return runs


def _group(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[getattr(row, key)].append(row)
    return out


@dataclass
class _Record:
    """Everything the payloads are made from, loaded with a fixed number of queries for the whole cohort."""

    episodes: dict[int, list[CINEpisode]]
    assessments: dict[int, list[Assessment]]
    cin_plans: dict[int, list[ChildInNeedPlan]]
    enquiries: dict[int, list[Section47Enquiry]]
    icpc_of_enquiry: dict[int, date]
    cp_plans: dict[int, list[ChildProtectionPlan]]
    episodes_with_activity: set[int]
    placements: dict[int, list[_Placement]]
    allocations: dict[int, list[Allocation]]
    adoptions: dict[int, list[AdoptionRecord]]
    contacts: dict[int, list[CareLeaverContact]]
    uasc: dict[int, UnaccompaniedAsylumSeekingChild]
    sdq: dict[int, list[HealthRecord]]
    upns: dict[int, Upns]


def _load(window: Window, person_ids: list[int]) -> _Record:
    start = window.start
    episodes = list(
        CINEpisode.objects.filter(person_id__in=person_ids, referral_date__lte=window.end)
        .filter(Q(closure_date__isnull=True) | Q(closure_date__gte=start))
        .order_by("person_id", "referral_date", "id")
    )
    episode_ids = [e.pk for e in episodes]
    # Every row of these episodes, not only the window's: whether a referral led anywhere needs them all.
    assessments = list(Assessment.objects.filter(episode_id__in=episode_ids).order_by("started_on", "id"))
    cin_plans = list(ChildInNeedPlan.objects.filter(episode_id__in=episode_ids).order_by("started_on", "id"))
    enquiries = list(Section47Enquiry.objects.filter(episode_id__in=episode_ids).order_by("started_on", "id"))
    initial = list(
        ChildProtectionConference.objects.filter(episode_id__in=episode_ids, kind=ConferenceKind.INITIAL).order_by(
            "held_on", "id"
        )
    )
    cp_plans = list(ChildProtectionPlan.objects.filter(episode_id__in=episode_ids).order_by("started_on", "id"))
    activity: set[int] = set()
    for rows in (assessments, cin_plans, enquiries, initial, cp_plans):
        activity.update(row.episode_id for row in rows)

    looked_after = _group(
        LookedAfterEpisode.objects.filter(person_id__in=person_ids).order_by("person_id", "started_on", "id"),
        "person_id",
    )
    allocations = (
        Allocation.objects.filter(person_id__in=person_ids, started_on__lte=window.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .order_by("started_on", "id")
    )
    adoptions = AdoptionRecord.objects.filter(person_id__in=person_ids, date_should_be_placed__lte=window.end).order_by(
        "date_should_be_placed", "id"
    )
    contacts = CareLeaverContact.objects.filter(
        person_id__in=person_ids, contact_on__gte=start, contact_on__lte=window.end
    ).order_by("contact_on", "id")
    sdq = HealthRecord.objects.filter(
        person_id__in=person_ids, sdq_score__isnull=False, year_ending__gte=start
    ).order_by("year_ending", "id")
    return _Record(
        episodes=_group(episodes, "person_id"),
        assessments=_group(assessments, "episode_id"),
        cin_plans=_group(cin_plans, "episode_id"),
        enquiries=_group(enquiries, "episode_id"),
        icpc_of_enquiry={c.enquiry_id: c.held_on for c in initial if c.enquiry_id is not None},
        cp_plans=_group(cp_plans, "episode_id"),
        episodes_with_activity=activity,
        placements={pid: _placements(rows) for pid, rows in looked_after.items()},
        allocations=_group(allocations, "person_id"),
        adoptions=_group(adoptions, "person_id"),
        contacts=_group(contacts, "person_id"),
        uasc={u.person_id: u for u in UnaccompaniedAsylumSeekingChild.objects.filter(person_id__in=person_ids)},
        sdq=_group(sdq, "person_id"),
        upns=upns_by_person(person_ids),
    )


def _previous_system_ids(person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's id in the previous case management system: the latest "Previous system ID", else the latest
    "Imported record ID"."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        PersonIdentifier.objects.filter(
            person_id__in=list(person_ids),
            type__in=[IdentifierType.LEGACY, IdentifierType.SOURCE],
            ended_on__isnull=True,
        )
        .order_by("person_id", "created_at", "id")
        .values_list("person_id", "type", "value")
    )
    for person_id, type_, value in rows:
        found[person_id][type_] = value.strip()
    return {
        pid: by_type.get(IdentifierType.LEGACY) or by_type.get(IdentifierType.SOURCE, "")
        for pid, by_type in found.items()
    }


# --- what a run produces ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildProblem:
    """Something about a child's record that stops it being sent (`blocking`), or that leaves part of it out."""

    person_id: int
    message: str
    blocking: bool

    def __str__(self) -> str:
        return f"child {self.person_id}: {self.message}"


@dataclass(frozen=True)
class ChildPayload:
    """One child's payload: the specification's envelope {la_code, Children{...}}, its canonical bytes and hash."""

    person_id: int
    la_child_id: str
    kind: Kind
    payload: Json
    body: bytes
    sha256: str

    @classmethod
    def make(cls, *, person_id: int, kind: Kind, payload: Json) -> ChildPayload:
        body = canonical_json(payload)
        return cls(
            person_id=person_id,
            la_child_id=str(payload["Children"]["la_child_id"]),
            kind=kind,
            payload=payload,
            body=body,
            sha256=hashlib.sha256(body).hexdigest(),
        )

    @property
    def child(self) -> Json:
        """The child's record as posted: the array DfE receives holds these."""
        return self.payload["Children"]

    @property
    def is_purge(self) -> bool:
        return self.kind == "purge"

    @property
    def file_name(self) -> str:
        return f"{'purge' if self.is_purge else 'child'}-{self.la_child_id}.json"


@dataclass
class CscApiRun:
    """What one run found: the payloads to send (new, changed, purges), the children left alone because nothing
    changed, and the problems found on the way."""

    la_code: str
    window: Window
    to_send: list[ChildPayload] = field(default_factory=list)
    unchanged: list[ChildPayload] = field(default_factory=list)
    problems: list[ChildProblem] = field(default_factory=list)

    def count(self, *kinds: Kind) -> int:
        return sum(1 for p in self.to_send if p.kind in kinds)

    @property
    def changed(self) -> int:
        """New and changed children (both are sent whole)."""
        return self.count("new", "changed")

    @property
    def purges(self) -> int:
        return self.count("purge")

    @property
    def blocked(self) -> list[ChildProblem]:
        return [p for p in self.problems if p.blocking]

    @property
    def summary(self) -> str:
        return f"{self.changed:,} changed, {len(self.unchanged):,} unchanged skipped, {self.purges:,} purges"


# --- building the payloads ----------------------------------------------------------------------------------------


def _home(episodes: list[CINEpisode], started: date, ended: date | None) -> CINEpisode | None:
    """The episode open on `started`, else the first open on some day from `started` to `ended`."""
    for episode in episodes:
        if episode.referral_date <= started and (episode.closure_date is None or episode.closure_date >= started):
            return episode
    for episode in episodes:
        if (ended is None or episode.referral_date <= ended) and (
            episode.closure_date is None or episode.closure_date >= started
        ):
            return episode
    return None


@dataclass
class _HeldInEpisode:
    """What Casework records against the child and DfE holds inside one social care episode."""

    placements: list[_Placement] = field(default_factory=list)
    adoption: AdoptionRecord | None = None
    care_leaver_contact: CareLeaverContact | None = None


def _worker_id(allocation: Allocation) -> str:
    return social_worker_id(allocation.worker_id)


class _ChildBuilder:
    def __init__(self, window: Window, record: _Record, cy: CollectionYear) -> None:
        self.window = window
        self.record = record
        self.cy = cy

    def child(self, person: Person, previous_id: str, problems: list[ChildProblem]) -> Json:
        window, record = self.window, self.record
        episodes = record.episodes.get(person.pk, [])
        held = {e.pk: _HeldInEpisode() for e in episodes}

        def unplaced(what: str) -> None:
            problems.append(
                ChildProblem(
                    person_id=person.pk,
                    message=f"{what} is not sent: no children-in-need episode was open at the time. Record the "
                    f"referral that covers it.",
                    blocking=False,
                )
            )

        for placement in record.placements.get(person.pk, []):
            if not window.overlaps(placement.started_on, placement.ended_on):
                continue
            home = _home(episodes, placement.started_on, placement.ended_on)
            if home is None:
                unplaced(f"The placement from {placement.started_on:%d/%m/%Y}")
            else:
                held[home.pk].placements.append(placement)
        for adoption in record.adoptions.get(person.pk, []):
            finished = adoption.adopted_on or adoption.date_placed_ceased
            if not window.overlaps(adoption.date_should_be_placed, finished):
                continue
            home = _home(episodes, adoption.date_should_be_placed, finished)
            if home is None:
                unplaced(f"The decision to place for adoption of {adoption.date_should_be_placed:%d/%m/%Y}")
            else:
                held[home.pk].adoption = adoption  # ordered by date: the latest wins
        for contact in record.contacts.get(person.pk, []):
            home = _home(episodes, contact.contact_on, contact.contact_on)
            if home is None:
                unplaced(f"The care leaver contact of {contact.contact_on:%d/%m/%Y}")
            else:
                held[home.pk].care_leaver_contact = contact

        nfa = {e.pk: e.closure_date is not None and e.pk not in record.episodes_with_activity for e in episodes}
        child: Json = {
            "la_child_id": str(person.pk),
            "purge": False,
            "child_details": self.details(person, bool(episodes) and all(nfa.values())),
            "social_care_episodes": [self.episode(e, nfa[e.pk], held[e.pk]) for e in episodes],
        }
        if previous_id:
            if DFE_ID.match(previous_id):
                child["mis_child_id"] = previous_id
            else:
                problems.append(
                    ChildProblem(
                        person_id=person.pk,
                        message=f"The previous system ID {previous_id!r} is not in DfE's format (letters, digits, - "
                        f"and _, up to 36 characters): mis_child_id is left out",
                        blocking=False,
                    )
                )
        scores = record.sdq.get(person.pk, [])
        if scores:
            child["health_and_wellbeing"] = {
                "sdq_assessments": [{"date": _d(h.year_ending), "score": h.sdq_score} for h in scores],
                "purge": False,
            }
        return child

    def details(self, person: Person, all_nfa: bool) -> Json:
        upns = self.record.upns.get(person.pk, Upns())
        unborn = person.date_of_birth is None
        uasc = self.record.uasc.get(person.pk)
        uasc_current = uasc is not None and (uasc.ceased_on is None or uasc.ceased_on >= self.window.start)
        details = _compact(
            {
                "unique_pupil_number": upns.upn,
                "former_unique_pupil_number": upns.former_upn,
                "unique_pupil_number_unknown_reason": ""
                if upns.upn
                else upn_unknown_reason(self.cy, person, unborn, all_nfa),
                "first_name": person.given_name,
                "surname": person.family_name,
                "date_of_birth": _d(person.date_of_birth),
                "expected_date_of_birth": _d(person.expected_date_of_birth),
                "sex": sex(person, unborn=unborn),
                "ethnicity": ethnicity(person),
                "postcode": person.current_postcode,
                "uasc_flag": uasc_current,
                "uasc_end_date": _d(uasc.ceased_on) if uasc is not None and uasc_current else None,
                "purge": False,
            }
        )
        if person.disabilities:
            details["disabilities"] = sorted(person.disabilities)
        return details

    def episode(self, episode: CINEpisode, nfa: bool, held: _HeldInEpisode) -> Json:
        window, record = self.window, self.record
        ended = episode.closure_date
        workers = [
            _compact({"worker_id": _worker_id(a), "start_date": _d(a.started_on), "end_date": _d(a.ended_on)})
            for a in record.allocations.get(episode.person_id, [])
            if a.started_on <= (ended or window.end) and (a.ended_on is None or a.ended_on >= episode.referral_date)
        ]
        assessments = [
            _compact(
                {
                    "child_and_family_assessment_id": str(a.pk),
                    "start_date": _d(a.started_on),
                    "authorisation_date": _d(a.authorised_on),
                    "factors": sorted(a.factors),
                    "purge": False,
                }
            )
            for a in record.assessments.get(episode.pk, [])
            if window.overlaps(a.started_on, a.authorised_on)
        ]
        cin_plans = [
            _compact(
                {
                    "child_in_need_plan_id": str(p.pk),
                    "start_date": _d(p.started_on),
                    "end_date": _d(p.ended_on),
                    "purge": False,
                }
            )
            for p in record.cin_plans.get(episode.pk, [])
            if window.overlaps(p.started_on, p.ended_on)
        ]
        enquiries = []
        for enquiry in record.enquiries.get(episode.pk, []):
            icpc = record.icpc_of_enquiry.get(enquiry.pk)
            concluded = enquiry.completed_on if enquiry.outcome else None
            if not (window.overlaps(enquiry.started_on, concluded) or (icpc is not None and icpc >= window.start)):
                continue
            required: bool | None = None
            if enquiry.outcome == Section47Outcome.ICPC_REQUIRED:
                required = True
            elif enquiry.outcome in ICPC_NOT_NEEDED:
                required = False
            enquiries.append(
                _compact(
                    {
                        "section_47_assessment_id": str(enquiry.pk),
                        "start_date": _d(enquiry.started_on),
                        "icpc_required_flag": required,
                        "icpc_date": _d(icpc),
                        "end_date": _d(concluded),
                        "purge": False,
                    }
                )
            )
        cp_plans = [
            _compact(
                {
                    "child_protection_plan_id": str(p.pk),
                    "start_date": _d(p.started_on),
                    "end_date": _d(p.ended_on),
                    "purge": False,
                }
            )
            for p in record.cp_plans.get(episode.pk, [])
            if window.overlaps(p.started_on, p.ended_on)
        ]
        placements = []
        for placement in held.placements:
            first, last = placement.first, placement.last
            placements.append(
                _compact(
                    {
                        "child_looked_after_placement_id": str(first.pk),
                        "start_date": _d(first.started_on),
                        "start_reason": first.reason_new_episode,
                        "placement_type": first.placement_type,
                        "postcode": first.placement_postcode,
                        "end_date": _d(last.ended_on),
                        "end_reason": last.reason_ceased if last.ended_on else "",
                        "change_reason": last.reason_place_change if last.ended_on else "",
                        "purge": False,
                    }
                )
            )
        out = _compact(
            {
                "social_care_episode_id": str(episode.pk),
                "referral_date": _d(episode.referral_date),
                "referral_source": episode.referral_source,
                "referral_no_further_action_flag": nfa,
                "closure_date": _d(ended),
                "closure_reason": episode.closure_reason if ended else "",
                "purge": False,
            }
        )
        out.update(
            care_worker_details=workers,
            child_and_family_assessments=assessments,
            child_in_need_plans=cin_plans,
            section_47_assessments=enquiries,
            child_protection_plans=cp_plans,
            child_looked_after_placements=placements,
        )
        adoption = held.adoption
        if adoption is not None:
            out["adoption"] = _compact(
                {
                    "initial_decision_date": _d(adoption.date_should_be_placed),
                    "matched_date": _d(adoption.date_matched),
                    "placed_date": _d(adoption.placed_on),
                    "purge": False,
                }
            )
        contact = held.care_leaver_contact
        if contact is not None:
            accommodation = "" if contact.accommodation == NOT_APPLICABLE else contact.accommodation[:1]
            out["care_leavers"] = _compact(
                {
                    "contact_date": _d(contact.contact_on),
                    "activity": "" if contact.activity == NOT_APPLICABLE else contact.activity,
                    "accommodation": accommodation,
                    "purge": False,
                }
            )
        return out


def _purge(la_code: int, state: CscApiChildState, previous_id: str) -> Json:
    record: Json = {"la_child_id": state.la_child_id, "purge": True}
    if previous_id and DFE_ID.match(previous_id):
        record["mis_child_id"] = previous_id
    return {"la_code": la_code, "Children": record}


def build_csc_api(*, la_code: str | None = None, today: date | None = None, ignore_state: bool = False) -> CscApiRun:
    """The payloads for a run on `today` (default: today) for the authority `la_code` (default CASEWORK_LA_CODE).
    With `ignore_state`, every child in the cohort is sent and nobody is purged. Reads only: nothing is recorded.
    The number of queries does not depend on the number of children. Raises ReturnError for a bad LA code."""
    code = check_la_code(la_code)
    window = Window.for_run(today or _today())
    run = CscApiRun(la_code=code, window=window)

    cohort: list[Person] = []
    undecided: set[int] = set()
    for person in _people_with_activity(window):
        in_range, unknown = _age_verdict(window, person)
        if in_range:
            cohort.append(person)
        elif unknown:
            undecided.add(person.pk)
            run.problems.append(ChildProblem(person_id=person.pk, message=unknown, blocking=True))
    in_cohort = {p.pk for p in cohort}
    states = {} if ignore_state else {s.person_id: s for s in CscApiChildState.objects.all()}
    leaving = [s for pid, s in sorted(states.items()) if pid not in in_cohort and pid not in undecided and not s.purged]
    previous_ids = _previous_system_ids(list(in_cohort) + [s.person_id for s in leaving])
    record = _load(window, sorted(in_cohort))
    builder = _ChildBuilder(window, record, CollectionYear(current_collection_year(window.end)))
    number = int(code)

    for person in cohort:
        child = builder.child(person, previous_ids.get(person.pk, ""), run.problems)
        state = states.get(person.pk)
        payload = ChildPayload.make(
            person_id=person.pk,
            kind="new" if state is None else "changed",
            payload={"la_code": number, "Children": child},
        )
        if state is not None and not state.purged and state.payload_sha256 == payload.sha256:
            run.unchanged.append(replace(payload, kind="unchanged"))
        else:
            run.to_send.append(payload)
    for state in leaving:
        run.to_send.append(
            ChildPayload.make(
                person_id=state.person_id,
                kind="purge",
                payload=_purge(number, state, previous_ids.get(state.person_id, "")),
            )
        )
    return run


# --- writing the files --------------------------------------------------------------------------------------------


def check_folder(out_dir: Path) -> Path:
    """`out_dir`, created if needed, once it is known to be a writable folder holding no JSON files (so that, once
    written, it holds exactly what one run sends); else a ReturnError saying what is wrong."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReturnError(f"{out_dir} is a file: --out for the CSC API is a folder, one JSON file per child")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReturnError(f"Cannot create the folder {out_dir}: {e.strerror or e}") from e
    if not os.access(out_dir, os.W_OK):
        raise ReturnError(f"Cannot write to the folder {out_dir}: permission denied")
    earlier = sorted(out_dir.glob("*.json"))
    if earlier:
        raise ReturnError(
            f"The folder {out_dir} already holds {len(earlier):,} JSON files from an earlier run: choose a new or "
            f"empty folder, so that it holds exactly what this run sends"
        )
    return out_dir


def write_csc_api(run: CscApiRun, out_dir: Path) -> list[Path]:
    """Write one file per payload to send into `out_dir` (see check_folder), named child-<id>.json or
    purge-<id>.json, holding exactly the canonical bytes that were hashed. Records nothing: only a successful post
    does."""
    out_dir = check_folder(out_dir)
    written = []
    for payload in run.to_send:
        path = out_dir / payload.file_name
        try:
            path.write_bytes(payload.body)
        except OSError as e:
            raise ReturnError(f"Cannot write {path}: {e.strerror or e}") from e
        written.append(path)
    return written


# --- recording what DfE accepted ----------------------------------------------------------------------------------


@transaction.atomic
def csc_api_record_sent(
    *, actor: Actor, sent: Sequence[ChildPayload], sent_at: datetime | None = None, endpoint: str = ""
) -> int:
    """Record that DfE accepted these payloads: each child's CscApiChildState takes the hash sent (and `purged` for
    a purge record), with one audit event per child (action export, the old and new hash) in the same transaction.
    Called by returns.csc_api_client after DfE accepted a batch, never for files written. Returns the number
    recorded."""
    if not sent:
        return 0
    when = sent_at or timezone.now()
    person_ids = [p.person_id for p in sent]
    old = {s.person_id: s for s in CscApiChildState.objects.select_for_update().filter(person_id__in=person_ids)}
    CscApiChildState.objects.bulk_create(
        [
            CscApiChildState(
                person_id=p.person_id,
                la_child_id=p.la_child_id,
                payload_sha256=p.sha256,
                sent_at=when,
                purged=p.is_purge,
            )
            for p in sent
        ],
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=["la_child_id", "payload_sha256", "sent_at", "purged"],
    )
    who = actor_or_none(actor)
    audit_bulk(
        [
            {
                "actor_id": who.pk if who is not None else None,
                "action": AuditAction.EXPORT,
                "object_type": "csc_api_child",
                "object_id": p.la_child_id,
                "person_id": p.person_id,
                "changes": {
                    "payload_sha256": {
                        "old": old[p.person_id].payload_sha256 if p.person_id in old else None,
                        "new": p.sha256,
                    },
                    "purged": {"old": old[p.person_id].purged if p.person_id in old else None, "new": p.is_purge},
                },
                "context": {"destination": DESTINATION, "endpoint": endpoint, "kind": p.kind},
            }
            for p in sent
        ]
    )
    return len(sent)
