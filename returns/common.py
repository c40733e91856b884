"""What the CIN census and the SSDA903 share: the collection year, dates "as at 31 March", and the child's identifiers.

A return describes the record as it stood at the end of the collection year (the reference date, 31 March). Anything
recorded as happening after that day is left out: a case closed on 2 April is reported open, an assessment authorised
in April is reported in progress. So a return made in May says what one made on 31 March would have said, given the
same record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from people.models import IdentifierType, Person, PersonIdentifier, Sex
from people.validators import upn_error

# The first collection year both returns are produced for: 2024-25 brought Sex (M, F, U) to both, which is what they
# write. Earlier years used other codes.
FIRST_YEAR = 2025


class ReturnError(Exception):
    """A return cannot be made or checked; the message says why in words a user can act on."""


class NoDataError(ReturnError):
    """Nobody is in the return for that year."""


@dataclass(frozen=True)
class CollectionYear:
    """The collection year ending 31 March `year`: 2026 is 1 April 2025 to 31 March 2026 ("2025-26")."""

    year: int

    @property
    def start(self) -> date:
        return date(self.year - 1, 4, 1)

    @property
    def end(self) -> date:
        """The reference date: 31 March."""
        return date(self.year, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year - 1}-{self.year % 100:02d}"

    def overlaps(self, started: date | None, ended: date | None) -> bool:
        """Whether something from `started` to `ended` (open when None) was current on any day of the year."""
        return started is not None and started <= self.end and (ended is None or ended >= self.start)

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def known(self, day: date | None) -> date | None:
        """`day` if it had happened by the reference date, else None: the return's view of a date."""
        return day if day is not None and day <= self.end else None

    @property
    def school_age_cut_off(self) -> date:
        """Children born on or before this day were of school age for the year (DfE rules 8770Q and 209)."""
        return date(self.year - 6, 8, 31)


def current_collection_year(today: date | None = None) -> int:
    """The collection year in progress: 2027 from 1 April 2026 to 31 March 2027."""
    today = today or timezone.localdate()
    return today.year + 1 if today.month >= 4 else today.year


def check_year(year: int) -> CollectionYear:
    """The collection year, or a ReturnError for one the returns cannot be made for."""
    latest = current_collection_year()
    if year < FIRST_YEAR:
        raise ReturnError(
            f"Returns can be made from the {CollectionYear(FIRST_YEAR).label} collection year (--year {FIRST_YEAR}) "
            f"onwards: earlier years used different codes"
        )
    if year > latest:
        raise ReturnError(
            f"The {CollectionYear(year).label} collection year has not started yet: the latest is "
            f"{CollectionYear(latest).label} (--year {latest})"
        )
    return CollectionYear(year)


def ethnicity(person: Person) -> str:
    """The census ethnicity code; a record without one is 'information not yet obtained'."""
    return person.ethnicity or "NOBT"


def sex(person: Person, *, unborn: bool = False) -> str:
    """M, F or U. An unborn child is always U (CIN rule 8750)."""
    if unborn:
        return Sex.UNKNOWN
    return person.sex if person.sex in Sex.values else Sex.UNKNOWN


@dataclass(frozen=True)
class Upns:
    upn: str = ""
    former_upn: str = ""


def upns_by_person(person_ids: Iterable[int]) -> dict[int, Upns]:
    """Each person's current UPN and latest former UPN, when valid (an invalid one would fail the return). A UPN that
    was ended (the school gave a new one) is a former UPN, unless a former UPN is recorded as such."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    ended_upns: dict[int, str] = {}
    rows = (
        PersonIdentifier.objects.filter(
            person_id__in=list(person_ids), type__in=[IdentifierType.UPN, IdentifierType.FORMER_UPN]
        )
        .order_by("person_id", "created_at", "id")
        .values_list("person_id", "type", "value", "ended_on")
    )
    for person_id, type_, value, ended_on in rows:
        value = value.strip().upper()
        if upn_error(value) is not None:
            continue
        if ended_on is None:
            found[person_id][type_] = value  # the latest of each type wins
        elif type_ == IdentifierType.UPN:
            ended_upns[person_id] = value
    for person_id, value in ended_upns.items():
        found[person_id].setdefault(IdentifierType.FORMER_UPN, value)
    return {
        pid: Upns(upn=v.get(IdentifierType.UPN, ""), former_upn=v.get(IdentifierType.FORMER_UPN, ""))
        for pid, v in found.items()
    }


def upn_unknown_reason(cy: CollectionYear, person: Person, unborn: bool, all_nfa: bool) -> str:
    """Why a child has no UPN, as the CIN census and the CSC API code it: UN6 unborn, UN7 a referral with no further
    action, UN1 not yet of school age; empty otherwise (the UPN should be found: CIN query 8770Q)."""
    if unborn:
        return "UN6"
    if all_nfa:
        return "UN7"
    if person.date_of_birth and person.date_of_birth > cy.school_age_cut_off:
        return "UN1"
    return ""


def social_worker_id(worker_id: int) -> str:
    """SW_ID / worker_id: Casework users have no Social Work England number yet, so XX and the user's id."""
    return f"XX{worker_id:04d}"


def bool_flag(value: bool | None) -> str:
    """SSDA903 yes/no: 1 or 0, empty when not recorded."""
    return "" if value is None else ("1" if value else "0")
