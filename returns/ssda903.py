"""The SSDA903 return (DfE: children looked after), eleven CSV tables made from the record.

Who is in it: every child looked after on any day of the collection year (an episode open between 1 April and 31
March), and care leavers whose 17th to 21st birthday fell in the year (OC3). Every table is written, with its header
row only when nobody is in it: DfE's validator recognises each table by its exact set of columns and silently skips
rules whose tables are missing. Dates are DD/MM/YYYY; yes/no flags 1 or 0.

How the record maps to the tables (dates after 31 March are not yet known: see returns/common.py):
- Header: SEX M, F or U; ETHNIC NOBT when the record has none; UPN from the identifiers, else UN1 for a child not
  yet of school age, else UN5 (UPN not known; rule 442 refuses a blank). MOTHER is 1 for a girl looked after in the year who
  has a child recorded as a relationship (MC_DOB: the first child's birth date), else 0; empty for boys, for U and
  for care leavers not looked after in the year (rule 628).
- Episodes: every episode open in the year, as recorded. An episode ending after 31 March is reported open (no DEC,
  REC or reason for the placement change).
- Reviews, Missing: those held, or current, in the year.
- UASC: children looked after in the year who have been unaccompanied asylum-seeking children; DUC when it ceased,
  or, while it has not, the 18th birthday (when it ceases by law).
- OC2: children looked after continuously for the 12 months to 31 March (not on short breaks), with the year's
  health record; a child with no record has a row with empty fields, for the validator to report.
- OC3: young people who ceased to be looked after, having been looked after for 13 weeks from their 14th birthday
  and some time after their 16th, whose 17th to 21st birthday fell in the year, with the contact recorded for that
  birthday (empty when there was none).
- AD1: children adopted in the year (episode ended E11 or E12). PlacedAdoption: every decision to place for
  adoption current in the year. PrevPerm: one row per child whose period of care started in the year (the last
  such period if two did), empty when nothing was recorded.
- SWEpisodes: each allocation current in the year of a child looked after in the year. SW_REASON is why the
  episode started: the reason recorded when the previous allocation ended the day before, or FCONTA (first contact)
  for the child's first worker and a worker allocated after a gap.
  SW_ID is XX followed by the worker's user id: Casework does not hold Social Work England numbers yet.
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from cases.models import Allocation, LookedAfterEpisode
from cases.models_looked_after import (
    AdoptionRecord,
    CareLeaverContact,
    HealthRecord,
    LookedAfterReview,
    MissingEpisode,
    PreviousPermanence,
    UnaccompaniedAsylumSeekingChild,
)
from cases.rules.codes import ADOPTED, FIRST_CONTACT, SHORT_BREAKS
from cases.rules.timescales import OC3_BIRTHDAYS
from core.dates import birthday
from people.models import Person, Relationship, RelationshipType, Sex

from .common import (
    CollectionYear,
    NoDataError,
    ReturnError,
    Upns,
    bool_flag,
    check_year,
    ethnicity,
    sex,
    social_worker_id,
    upns_by_person,
)

TABLES: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "PlacedAdoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}
# From 2026-27: deprivation of liberty orders. Casework records none yet, so the table is written empty.
DOLO_TABLE = ("DoLo", ("CHILD", "DOB", "DOLO_START", "DOLO_END"))
DOLO_FROM_YEAR = 2027

FILE_NAMES = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "UASC": "uasc.csv",
    "OC2": "oc2.csv",
    "OC3": "oc3.csv",
    "AD1": "ad1.csv",
    "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv",
    "Missing": "missing.csv",
    "SWEpisodes": "social_worker_episodes.csv",
    "DoLo": "deprivation_of_liberty.csv",
}
PREVIOUS_FOLDER = "previous"

CARE_LEAVER_WEEKS_FROM_14 = 13
FIRST_WORKER_REASON = FIRST_CONTACT  # "first contact": the first worker of an involvement
OTHER_REASON = "OTHERS"

Row = dict[str, str]


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass
class Ssda903Files:
    """What was written: the folder, the row count of each table, and the previous year's files if asked for."""

    directory: Path
    year: int
    counts: dict[str, int]
    previous: Ssda903Files | None = None

    @property
    def children(self) -> int:
        return self.counts.get("Header", 0)


@dataclass
class _Tables:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})

    def add(self, table: str, **values: str) -> None:
        self.rows[table].append({column: values.get(column, "") for column in TABLES[table]})


# --- who is in the return -----------------------------------------------------------------------------------------


def _episodes_by_person(person_ids: Iterable[int] | None = None) -> dict[int, list[LookedAfterEpisode]]:
    qs = LookedAfterEpisode.objects.all()
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    out: dict[int, list[LookedAfterEpisode]] = defaultdict(list)
    for episode in qs.order_by("person_id", "started_on", "id"):
        out[episode.person_id].append(episode)
    return out


def _looked_after_days(episodes: list[LookedAfterEpisode], since: date, until: date) -> int:
    """Days looked after (not on short breaks) from `since` up to `until`."""
    days = 0
    for ep in episodes:
        if ep.legal_status in SHORT_BREAKS:
            continue
        start = max(ep.started_on, since)
        end = min(ep.ended_on or until, until)
        if end > start:
            days += (end - start).days
    return days


def _looked_after_on(episodes: list[LookedAfterEpisode], day: date) -> bool:
    """Looked after on `day`, the day care ended included: a young person who leaves care on their 18th birthday was
    looked after on it, and has no OC3 information for it (DfE rule 1016)."""
    return any(ep.started_on <= day and (ep.ended_on is None or ep.ended_on >= day) for ep in episodes)


def _care_leaver_birthday(cy: CollectionYear, born: date, episodes: list[LookedAfterEpisode]) -> int | None:
    """The 17th to 21st birthday in the year of a young person who left care as a relevant or former relevant
    child, or None."""
    for years in OC3_BIRTHDAYS:
        day = birthday(born, years)
        if not cy.contains(day):
            continue
        if _looked_after_on(episodes, day):
            return None
        fourteenth, sixteenth = birthday(born, 14), birthday(born, 16)
        enough = _looked_after_days(episodes, fourteenth, day) >= CARE_LEAVER_WEEKS_FROM_14 * 7
        after_sixteen = any(
            ep.legal_status not in SHORT_BREAKS and (ep.ended_on is None or ep.ended_on > sixteenth)
            for ep in episodes
            if ep.started_on <= day
        )
        return years if enough and after_sixteen else None
    return None


def _continuously_looked_after(cy: CollectionYear, episodes: list[LookedAfterEpisode]) -> bool:
    """Looked after for the 12 months to 31 March: one period of care from 1 April or earlier, not ended before 31
    March, no short breaks in the year (the DfE validator's definition)."""
    in_year = [ep for ep in episodes if cy.overlaps(ep.started_on, cy.known(ep.ended_on))]
    if not in_year or any(ep.legal_status in SHORT_BREAKS for ep in in_year):
        return False
    if any(ep.reason_new_episode == "S" and ep.started_on > cy.start for ep in in_year):
        return False
    return not any(
        ep.reason_ceased != "X1" and ep.ended_on is not None and cy.start <= ep.ended_on < cy.end for ep in in_year
    )


# --- the tables ---------------------------------------------------------------------------------------------------


def _uasc_ceased(cy: CollectionYear, ceased_on: date | None, born: date | None) -> date | None:
    """DUC: the day UASC status ceased if that is known by 31 March, else the 18th birthday, when it ceases by law
    (DfE's guidance; rule 205B expects last year's DUC to be the 18th birthday for a child still UASC)."""
    known = cy.known(ceased_on)
    if known is not None or born is None:
        return known
    return birthday(born, 18)


def _header_upn(cy: CollectionYear, person: Person, upns: Upns) -> str:
    """The UPN, or why there is none (rule 442: a looked-after child's UPN is never blank): UN1 for a child not yet
    of school age, UN5 ("sources collating UPNs reflect UPN not known") for one of school age whose record holds no
    UPN (the CIN census leaves theirs blank, so its query 8770Q lists them for the UPN to be found)."""
    if upns.upn:
        return upns.upn
    if person.date_of_birth and person.date_of_birth > cy.school_age_cut_off:
        return "UN1"
    return "UN5"


def _left_care_in_year(cy: CollectionYear, episodes: list[LookedAfterEpisode]) -> date | None:
    """The day the child's care ended in the year, or None if they were still looked after on 31 March."""
    if _looked_after_on(episodes, cy.end):
        return None
    ended = [e.ended_on for e in episodes if e.ended_on is not None and cy.contains(e.ended_on)]
    return max(ended) if ended else None


def _first_child_born(mother_ids: Iterable[int], by: date) -> dict[int, date]:
    rows = Relationship.objects.filter(
        person_id__in=list(mother_ids),
        type=RelationshipType.CHILD,
        other__date_of_birth__isnull=False,
        other__date_of_birth__lte=by,
    ).values_list("person_id", "other__date_of_birth")
    first: dict[int, date] = {}
    for mother_id, born in rows:
        if born is not None and (mother_id not in first or born < first[mother_id]):
            first[mother_id] = born
    return first


def _sw_rows(cy: CollectionYear, tables: _Tables, people: dict[int, Person], looked_after: set[int]) -> None:
    allocations: dict[int, list[Allocation]] = defaultdict(list)
    # Up to 1 April: an allocation starting then ends the previous one on 31 March (see below); it is not reported.
    for allocation in Allocation.objects.filter(
        person_id__in=looked_after, started_on__lte=cy.end + timedelta(days=1)
    ).order_by("person_id", "started_on", "id"):
        allocations[allocation.person_id].append(allocation)
    for person_id, rows in allocations.items():
        previous: Allocation | None = None
        for allocation in rows:
            reason = FIRST_WORKER_REASON
            if (
                previous is not None
                and previous.ended_on is not None
                and ((allocation.started_on - previous.ended_on).days <= 1)
            ):
                reason = previous.end_reason or OTHER_REASON  # a change of worker, not a new start
            previous = allocation
            ended = cy.known(allocation.ended_on)
            if ended == cy.end:
                # Ended on 31 March only because the next worker starts on 1 April: on the reference date this worker
                # still held the child (rule SW11bSTG2 asks for the next episode when one ends by 31 March).
                following = [a for a in rows if a.started_on == cy.end + timedelta(days=1)]
                if following:
                    ended = None
            if not cy.overlaps(allocation.started_on, ended):
                continue
            tables.add(
                "SWEpisodes",
                CHILD=str(person_id),
                DOB=_d(people[person_id].date_of_birth),
                SW_ID=social_worker_id(allocation.worker_id),
                SW_DECOM=_d(allocation.started_on),
                SW_DEC=_d(ended),
                SW_REASON=reason,
            )


def _build_tables(cy: CollectionYear) -> _Tables:
    tables = _Tables()
    in_year = list(
        LookedAfterEpisode.objects.filter(started_on__lte=cy.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=cy.start))
        .order_by("person_id", "started_on", "id")
    )
    looked_after = {ep.person_id for ep in in_year}

    # Care leavers: anyone ever looked after, aged 17 to 21 at some point in the year.
    oldest, youngest = cy.start - relativedelta(years=22), cy.end - relativedelta(years=17)
    candidates = set(
        LookedAfterEpisode.objects.filter(
            person__date_of_birth__gt=oldest, person__date_of_birth__lte=youngest, started_on__lte=cy.end
        ).values_list("person_id", flat=True)
    )
    all_episodes = _episodes_by_person(looked_after | candidates)
    people = {p.pk: p for p in Person.objects.filter(pk__in=looked_after | candidates)}
    care_leavers: dict[int, int] = {}
    for person_id in sorted(candidates):
        born = people[person_id].date_of_birth
        if born is None:
            continue
        birthday = _care_leaver_birthday(cy, born, all_episodes[person_id])
        if birthday is not None:
            care_leavers[person_id] = birthday
    in_return = sorted(looked_after | set(care_leavers))
    upns = upns_by_person(in_return)
    mothers = _first_child_born([pid for pid in looked_after if people[pid].sex == Sex.FEMALE], cy.end)

    def dob(person_id: int) -> str:
        return _d(people[person_id].date_of_birth)

    for person_id in in_return:
        person = people[person_id]
        mother = mc_dob = ""
        if person_id in looked_after and person.sex == Sex.FEMALE:
            first_child = mothers.get(person_id)
            left = _left_care_in_year(cy, all_episodes[person_id])
            if first_child is not None and left is not None and first_child > left:
                first_child = None  # a mother only after she left care: not one while looked after (rule 625)
            mother = "1" if first_child is not None else "0"
            mc_dob = _d(first_child)
        tables.add(
            "Header",
            CHILD=str(person_id),
            SEX=sex(person),
            DOB=dob(person_id),
            ETHNIC=ethnicity(person),
            UPN=_header_upn(cy, person, upns.get(person_id, Upns())),
            MOTHER=mother,
            MC_DOB=mc_dob,
        )

    for ep in in_year:
        ended = cy.known(ep.ended_on)
        tables.add(
            "Episodes",
            CHILD=str(ep.person_id),
            DECOM=_d(ep.started_on),
            RNE=ep.reason_new_episode,
            LS=ep.legal_status,
            CIN=ep.category_of_need,
            PLACE=ep.placement_type,
            PLACE_PROVIDER=ep.placement_provider,
            DEC=_d(ended),
            REC=ep.reason_ceased if ended else "",
            REASON_PLACE_CHANGE=ep.reason_place_change if ended else "",
            HOME_POST=ep.home_postcode,
            PL_POST=ep.placement_postcode,
            URN=ep.urn,
        )

    for review in LookedAfterReview.objects.filter(
        person_id__in=looked_after, held_on__gte=cy.start, held_on__lte=cy.end
    ).order_by("person_id", "held_on"):
        tables.add(
            "Reviews",
            CHILD=str(review.person_id),
            DOB=dob(review.person_id),
            REVIEW=_d(review.held_on),
            REVIEW_CODE=review.participation,
        )

    for uasc in UnaccompaniedAsylumSeekingChild.objects.filter(
        person_id__in=looked_after, became_uasc_on__lte=cy.end
    ).order_by("person_id"):
        tables.add(
            "UASC",
            CHILD=str(uasc.person_id),
            SEX=sex(people[uasc.person_id]),
            DOB=dob(uasc.person_id),
            DUC=_d(_uasc_ceased(cy, uasc.ceased_on, people[uasc.person_id].date_of_birth)),
        )

    health = {h.person_id: h for h in HealthRecord.objects.filter(person_id__in=looked_after, year_ending=cy.end)}
    for person_id in sorted(looked_after):
        if not _continuously_looked_after(cy, all_episodes[person_id]):
            continue
        record = health.get(person_id)
        values: dict[str, str] = {}
        if record is not None:
            values = {
                "SDQ_SCORE": "" if record.sdq_score is None else str(record.sdq_score),
                "SDQ_REASON": record.sdq_reason,
                "CONVICTED": bool_flag(record.convicted),
                "HEALTH_CHECK": bool_flag(record.health_check),
                "IMMUNISATIONS": bool_flag(record.immunisations),
                "TEETH_CHECK": bool_flag(record.teeth_check),
                "HEALTH_ASSESSMENT": bool_flag(record.health_assessment),
                "SUBSTANCE_MISUSE": bool_flag(record.substance_misuse),
                "INTERVENTION_RECEIVED": bool_flag(record.intervention_received),
                "INTERVENTION_OFFERED": bool_flag(record.intervention_offered),
            }
        tables.add("OC2", CHILD=str(person_id), DOB=dob(person_id), **values)

    contacts: dict[tuple[int, int], CareLeaverContact] = {}
    for contact in CareLeaverContact.objects.filter(person_id__in=list(care_leavers)).order_by("contact_on", "id"):
        if contact.birthday is not None:
            contacts[(contact.person_id, contact.birthday)] = contact  # the latest for each birthday
    for person_id, birthday in sorted(care_leavers.items()):
        found = contacts.get((person_id, birthday))
        tables.add(
            "OC3",
            CHILD=str(person_id),
            DOB=dob(person_id),
            IN_TOUCH=found.in_touch if found else "",
            ACTIV=found.activity if found else "",
            ACCOM=found.accommodation if found else "",
        )

    adoptions = list(
        AdoptionRecord.objects.filter(person_id__in=looked_after, date_should_be_placed__lte=cy.end).order_by(
            "person_id", "date_should_be_placed", "id"
        )
    )
    adopted_on = {ep.person_id: ep.ended_on for ep in in_year if ep.reason_ceased in ADOPTED and cy.known(ep.ended_on)}
    for adoption in adoptions:
        if adoption.adopted_on is not None and adoption.adopted_on == adopted_on.get(adoption.person_id):
            tables.add(
                "AD1",
                CHILD=str(adoption.person_id),
                DOB=dob(adoption.person_id),
                DATE_INT=_d(adoption.date_should_be_placed),
                DATE_MATCH=_d(cy.known(adoption.date_matched)),
                FOSTER_CARE=bool_flag(adoption.foster_care),
                NB_ADOPTR="" if adoption.number_of_adopters is None else str(adoption.number_of_adopters),
                SEX_ADOPTR=adoption.sex_of_adopters,
                LS_ADOPTR=adoption.legal_status_of_adopters,
            )
    for adoption in adoptions:
        ceased = cy.known(adoption.date_placed_ceased)
        adopted = cy.known(adoption.adopted_on)
        if (ceased is not None and ceased < cy.start) or (adopted is not None and adopted < cy.start):
            continue
        tables.add(
            "PlacedAdoption",
            CHILD=str(adoption.person_id),
            DOB=dob(adoption.person_id),
            DATE_PLACED=_d(adoption.date_should_be_placed),
            DATE_PLACED_CEASED=_d(ceased),
            REASON_PLACED_CEASED=adoption.reason_placed_ceased if ceased else "",
        )

    # Previous permanence is asked about a child whose period of care started in the year (DfE rules 630, 634).
    started_in_year = {
        ep.person_id: ep for ep in in_year if ep.reason_new_episode == "S" and cy.contains(ep.started_on)
    }
    permanence = {
        row.person_id: row
        for row in PreviousPermanence.objects.filter(episode_id__in=[ep.pk for ep in started_in_year.values()])
    }
    for person_id in sorted(started_in_year):
        found_perm = permanence.get(person_id)
        tables.add(
            "PrevPerm",
            CHILD=str(person_id),
            DOB=dob(person_id),
            PREV_PERM=found_perm.arrangement if found_perm else "",
            LA_PERM=found_perm.la_code if found_perm else "",
            DATE_PERM=_d(found_perm.order_date) if found_perm else "",
        )

    for missing in (
        MissingEpisode.objects.filter(person_id__in=looked_after, started_on__lte=cy.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=cy.start))
        .order_by("person_id", "started_on")
    ):
        tables.add(
            "Missing",
            CHILD=str(missing.person_id),
            DOB=dob(missing.person_id),
            MISSING=missing.kind,
            MIS_START=_d(missing.started_on),
            MIS_END=_d(cy.known(missing.ended_on)),
        )

    _sw_rows(cy, tables, people, looked_after)
    return tables


# --- writing ------------------------------------------------------------------------------------------------------


def _csv(columns: tuple[str, ...], rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write(cy: CollectionYear, tables: _Tables, directory: Path) -> dict[str, int]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReturnError(f"Cannot create the folder {directory}: {e.strerror or e}") from e
    if not os.access(directory, os.W_OK):
        raise ReturnError(f"Cannot write to the folder {directory}: permission denied")
    outputs: list[tuple[str, tuple[str, ...], list[Row]]] = [
        (name, columns, tables.rows[name]) for name, columns in TABLES.items()
    ]
    if cy.year >= DOLO_FROM_YEAR:
        outputs.append((DOLO_TABLE[0], DOLO_TABLE[1], []))
    counts = {}
    for name, columns, rows in outputs:
        path = directory / FILE_NAMES[name]
        try:
            path.write_text(_csv(columns, rows), encoding="utf-8", newline="")
        except OSError as e:
            raise ReturnError(f"Cannot write {path}: {e.strerror or e}") from e
        counts[name] = len(rows)
    return counts


def build_ssda903(
    year: int,
    out_dir: Path,
    *,
    previous: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> Ssda903Files:
    """Write the SSDA903 tables for the collection year ending 31 March `year` into `out_dir` (created if needed).
    With `previous`, the previous year's tables go into `out_dir/previous` too: DfE's validator checks more rules
    with them. Raises NoDataError when nobody was looked after and no care leaver had a birthday in the year.

    `progress(done, total, stage)`, if given, is called before each step (reading a year's records, writing its
    tables) with the steps done out of the total and the step in words."""

    def report(done: int, total: int, stage: str) -> None:
        if progress is not None:
            progress(done, total, stage)

    cy = check_year(year)
    prev_cy = check_year(year - 1) if previous else None
    steps = 4 if prev_cy is not None else 2
    out_dir = Path(out_dir)
    report(0, steps, f"Reading the records of children looked after and care leavers in {cy.label}")
    tables = _build_tables(cy)
    if not tables.rows["Episodes"] and not tables.rows["OC3"]:
        raise NoDataError(
            f"No children were looked after, and no care leavers had a 17th to 21st birthday, in {cy.label}"
        )
    report(1, steps, f"Writing the {cy.label} tables")
    result = Ssda903Files(directory=out_dir, year=year, counts=_write(cy, tables, out_dir))
    if prev_cy is not None:
        prev_dir = out_dir / PREVIOUS_FOLDER
        report(2, steps, f"Reading the records for last year's tables ({prev_cy.label})")
        prev_tables = _build_tables(prev_cy)
        report(3, steps, f"Writing the {prev_cy.label} tables")
        result.previous = Ssda903Files(
            directory=prev_dir, year=prev_cy.year, counts=_write(prev_cy, prev_tables, prev_dir)
        )
    report(steps, steps, "Tables written")
    return result
