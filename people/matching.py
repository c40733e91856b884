"""How names are compared: normalising, phonetic keys, nicknames, and the match score.

The same functions compute the keys stored on PersonName (services, import, seed) and the keys of a query, so the
two always agree. The score is a weighted agreement of name and date of birth, in the spirit of Fellegi-Sunter
record linkage, kept simple enough to explain to a user: it is shown as a percentage with its reasons.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import jellyfish
from rapidfuzz.distance import JaroWinkler

from .validators import POSTCODE_RE, normalise_nhs_number, normalise_postcode

_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")


def normalise(name: str) -> str:
    """Lower case, accents removed, hyphens and apostrophes folded: "O'Brien-Smith" -> "obrien smith"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("-", " ").replace("'", "").replace("’", "")
    text = _NON_LETTERS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def phonetic_key(norm: str) -> str:
    """A sound-alike key (metaphone) of a normalised name; spaces ignored so "Mc Donald" = "McDonald"."""
    squashed = norm.replace(" ", "")
    if not squashed:
        return ""
    return jellyfish.metaphone(squashed)[:20]


@lru_cache(maxsize=1)
def nickname_rows() -> list[tuple[str, tuple[str, ...]]]:
    """The rows of people/data/nicknames.csv in file order: (canonical name, its nicknames), lower case as stored.
    Search groups them (`name_variants`); the demo generator picks nicknames from them."""
    path = Path(__file__).parent / "data" / "nicknames.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return [(row["canonical"], tuple(row["nicknames"].split())) for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def _nickname_groups() -> dict[str, frozenset[str]]:
    """Each known name -> every name in the groups it belongs to (the canonical form and its nicknames)."""
    groups: dict[str, set[str]] = {}
    for canonical, nicknames in nickname_rows():
        members = {canonical, *nicknames}
        for m in members:
            groups.setdefault(m, set()).update(members)
    return {k: frozenset(v) for k, v in groups.items()}


def name_variants(given_norm: str) -> frozenset[str]:
    """The given name and every nickname or formal name it may stand for ("bill" -> william, will, liam, ...)."""
    first = given_norm.split(" ")[0] if given_norm else ""
    return _nickname_groups().get(first, frozenset()) | {first}


def is_nickname_pair(a: str, b: str) -> bool:
    a1, b1 = a.split(" ")[0] if a else "", b.split(" ")[0] if b else ""
    return bool(a1 and b1 and b1 in _nickname_groups().get(a1, frozenset()))


@dataclass(frozen=True)
class NameKeys:
    given_norm: str
    family_norm: str
    given_key: str
    family_key: str
    full_norm: str


def name_keys(given_name: str, family_name: str) -> NameKeys:
    g, f = normalise(given_name), normalise(family_name)
    g_first = g.split(" ")[0] if g else ""
    return NameKeys(
        given_norm=g,
        family_norm=f,
        given_key=phonetic_key(g_first),
        family_key=phonetic_key(f),
        full_norm=f"{g} {f}".strip(),
    )


def parse_query(text: str) -> tuple[str, str]:
    """(given, family) from what a user typed: "Sam Smith", "Smith, Sam", "Sam J Smith", or one name."""
    text = (text or "").strip()
    if "," in text:
        family, _, given = text.partition(",")
        return given.strip(), family.strip()
    parts = text.split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], parts[-1]


class QueryKind(StrEnum):
    NAME = "name"
    NHS = "nhs"
    UPN = "upn"
    RECORD = "record"
    POSTCODE = "postcode"

    @property
    def label(self) -> str:
        return {"nhs": "NHS number", "upn": "UPN", "record": "record number"}.get(self.value, self.value)


@dataclass(frozen=True)
class SearchQuery:
    """What a user typed in the one search box, read as the kind of thing it is, with its value normalised."""

    kind: QueryKind
    value: str

    @property
    def shown(self) -> str:
        """The value as the user would write it: '943 476 5919', 'LS1 1AA'."""
        if self.kind == QueryKind.NHS and len(self.value) == 10:
            return f"{self.value[:3]} {self.value[3:6]} {self.value[6:]}"
        return self.value


_UPN = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
RECORD_NUMBER_MAX_DIGITS = 9


class QueryNotUnderstood(ValueError):
    """The search box holds something that is none of the kinds it takes. The message is for the user."""


def read_query(text: str) -> SearchQuery:
    """Read the one search box: 10 digits (spaces allowed) are an NHS number, fewer digits a record number, a
    letter and 12 characters a UPN, a full postcode a postcode, and anything else with letters a name."""
    text = (text or "").strip()
    squashed = re.sub(r"[\s-]", "", text).upper()
    if squashed.isdigit():
        if len(squashed) == 10:
            return SearchQuery(QueryKind.NHS, normalise_nhs_number(squashed))
        if len(squashed) <= RECORD_NUMBER_MAX_DIGITS:
            return SearchQuery(QueryKind.RECORD, str(int(squashed)))
        raise QueryNotUnderstood(
            f"{len(squashed)} digits is not an NHS number (10 digits) or a record number: check the number"
        )
    if _UPN.fullmatch(squashed):
        return SearchQuery(QueryKind.UPN, squashed)
    if POSTCODE_RE.match(normalise_postcode(text)):
        return SearchQuery(QueryKind.POSTCODE, normalise_postcode(text))
    if not any(c.isalpha() for c in text):
        raise QueryNotUnderstood("Enter a name, NHS number, UPN, record number or postcode")
    return SearchQuery(QueryKind.NAME, text)


def dob_variants(dob: date) -> list[date]:
    """Dates a mistyped date of birth is often entered as: day and month swapped, a year out by one."""
    out = {dob}
    if dob.day <= 12 and dob.day != dob.month:
        with suppress(ValueError):
            out.add(dob.replace(month=dob.day, day=dob.month))
    for dy in (-1, 1):
        with suppress(ValueError):
            out.add(dob.replace(year=dob.year + dy))
    return sorted(out)


# --- the match score: a Fellegi-Sunter model ------------------------------------------------------------------
#
# Each comparison (surname, given name, date of birth, sex, postcode, NHS number, UPN) falls into one level of
# agreement. Each level has an m probability (how often two records of the same person are at that level) and a u
# probability (how often two records of different people are); the level's weight is log2(m / u), in bits: positive
# is evidence for, negative evidence against. The weights add up to the match weight; with the prior (log2 of the
# odds that a candidate is the person before anything is compared) it gives the match probability. An exact name
# uses the name's own share of the authority's names as u (term frequency): "Smith" agrees by chance far more often
# than "Oyelaran", so it weighs less. A comparison with a side missing (no date of birth on the record, none typed)
# weighs nothing. The m and u values are fitted offline by `casework people fit-match-weights` (splink, expectation
# maximisation for m, random sampling for u; people.match_fit) and stored as a MatchModel; until one is fitted,
# DEFAULT_WEIGHTS below are used. Scoring here is plain Python: no splink, no database.

SURNAME, GIVEN, DOB, SEX, POSTCODE, NHS, UPN = (
    "surname",
    "given_name",
    "date_of_birth",
    "sex",
    "postcode",
    "nhs_number",
    "upn",
)

# (m, u) of every level, most agreement first; each comparison's m and u each add up to about 1. Reasoned from the
# way records of one person differ (a typo or a nickname in a few in a hundred, a date of birth wrong in about one
# record or search in eleven, completely in one in thirty) and from how often strangers agree by chance (a day of birth in about 85 x 365; a UPN or NHS
# number never). Fitted values replace them level by level.
DEFAULT_WEIGHTS: dict[str, dict[str, tuple[float, float]]] = {
    SURNAME: {
        "exact": (0.88, 0.002),
        "similar": (0.05, 0.003),
        "shares_part": (0.03, 0.0005),
        "partly_similar": (0.01, 0.03),
        "different": (0.03, 0.9645),
    },
    GIVEN: {
        "exact": (0.87, 0.006),
        "nickname": (0.05, 0.002),
        "similar": (0.04, 0.006),
        "initial": (0.01, 0.04),
        "partly_similar": (0.01, 0.04),
        "different": (0.02, 0.906),
    },
    DOB: {
        "exact": (0.91, 0.000032),
        "swapped": (0.01, 0.00003),
        "one_digit": (0.025, 0.0009),
        "year_differs": (0.01, 0.0027),
        "month_differs": (0.004, 0.0009),
        "day_differs": (0.006, 0.0025),
        "same_year": (0.005, 0.009),
        "different": (0.03, 0.9838),
    },
    SEX: {"same": (0.97, 0.5), "different": (0.03, 0.5)},
    POSTCODE: {
        "exact": (0.6, 0.0004),
        "same_sector": (0.08, 0.02),
        "different": (0.32, 0.9796),
    },
    NHS: {"exact": (0.995, 0.0000001), "different": (0.005, 0.9999999)},
    UPN: {"exact": (0.98, 0.0000001), "different": (0.02, 0.9999999)},
}
# log2 of the prior odds that a candidate is the person searched for: about one in 130,000 until a fit sets it to
# one in the number of people in the index.
DEFAULT_PRIOR = -17.0
# A name that matches only with first and last names swapped, or one word typed that matches a given name, counts a
# little less than the same agreement the right way round.
SWAP_PENALTY = 1.5
ONE_WORD_AS_GIVEN_PENALTY = 1.0
# A name whose share of the authority's names is below RARE is called rare, above COMMON common.
RARE_SHARE = 0.0005
COMMON_SHARE = 0.005
# No name is a tenth of a real authority's names: a share above that means too few people to call a name common.
MAX_MEANINGFUL_SHARE = 0.1
# A fitted m is never taken below this share of the default m. The fit sees how the authority's duplicate records
# differ; a kind of difference none of its sampled duplicates shows (a date of birth one digit out, say) gets an m
# of almost nothing from expectation maximisation, which would make it a veto in search, where people mistype.
M_FLOOR_SHARE = 0.25
# The smallest u a name's share may give (a name the frequency table does not know yet is not infinitely rare).
MIN_SHARE = 1e-7


@dataclass(frozen=True)
class MatchWeights:
    """The m and u of every level, the prior and where they came from (a fitted MatchModel's version, or defaults)."""

    levels: dict[str, dict[str, tuple[float, float]]]
    prior: float = DEFAULT_PRIOR
    version: int | None = None
    method: str = "defaults"

    def __post_init__(self) -> None:
        # No partial agreement may weigh more than exact agreement (a fit on a small or odd sample can say so, and
        # then "Smyth" would outrank "Smith" for a search for Smith); an exact name weighed by its own share never
        # weighs less than the best partial agreement.
        capped: dict[str, dict[str, float]] = {}
        for comparison, levels in self.levels.items():
            raw = {level: math.log2(m / u) for level, (m, u) in levels.items()}
            top = raw.get("exact", raw.get("same", max(raw.values())))
            capped[comparison] = {level: min(w, top) for level, w in raw.items()}
        object.__setattr__(self, "_capped", capped)
        object.__setattr__(
            self,
            "_best_partial",
            {c: max((w for lvl, w in ws.items() if lvl != "exact"), default=0.0) for c, ws in capped.items()},
        )

    def weight(self, comparison: str, level: str, u: float | None = None) -> float:
        """The level's weight in bits; `u` (an exact name's own share) replaces the level's average u."""
        if u is None:
            return self._capped[comparison][level]  # type: ignore[attr-defined]
        m = self.levels[comparison][level][0]
        return max(math.log2(m / u), self._best_partial[comparison])  # type: ignore[attr-defined]

    def as_json(self) -> dict[str, object]:
        return {
            "prior": self.prior,
            "comparisons": {
                c: {lvl: {"m": m, "u": u} for lvl, (m, u) in levels.items()} for c, levels in self.levels.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, object], *, version: int | None = None, method: str = "fitted") -> MatchWeights:
        """Stored weights over the defaults: a level the stored model lacks (or holds a value out of range for)
        keeps its default; a fitted m is at least M_FLOOR_SHARE of the default m."""
        levels = {c: dict(v) for c, v in DEFAULT_WEIGHTS.items()}
        comparisons = data.get("comparisons")
        if isinstance(comparisons, dict):
            for c, stored in comparisons.items():
                if c not in levels or not isinstance(stored, dict):
                    continue
                for lvl, mu in stored.items():
                    if lvl not in levels[c] or not isinstance(mu, dict):
                        continue
                    m, u = mu.get("m"), mu.get("u")
                    if isinstance(m, int | float) and isinstance(u, int | float) and 0 < m <= 1 and 0 < u <= 1:
                        floor = M_FLOOR_SHARE * DEFAULT_WEIGHTS[c][lvl][0]
                        levels[c][lvl] = (max(float(m), floor), float(u))
        prior = data.get("prior")
        return cls(
            levels=levels,
            prior=float(prior) if isinstance(prior, int | float) else DEFAULT_PRIOR,
            version=version,
            method=method,
        )


DEFAULT_MODEL = MatchWeights(levels=DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class NameShares:
    """Each name's share of the authority's names (people.NameFrequency), for the names being compared:
    (kind, normalised name) -> share, kind "surname" or "given_name". A name not in it has no known share, and an
    exact agreement on it weighs as the level's average u says."""

    shares: dict[tuple[str, str], float] = field(default_factory=dict)

    def share(self, kind: str, name: str) -> float | None:
        s = self.shares.get((kind, name))
        return None if s is None else max(s, MIN_SHARE)


NO_SHARES = NameShares()


@dataclass(frozen=True)
class MatchRecord:
    """One side of a comparison: a person or a query. `names` holds (given_norm, family_norm, kind) of every name,
    the current first; an empty value is missing and weighs nothing."""

    names: tuple[tuple[str, str, str], ...]
    date_of_birth: date | None = None
    sex: str = ""
    postcode: str = ""
    nhs_number: str = ""
    upns: frozenset[str] = frozenset()


@dataclass
class Agreement:
    """One comparison's level, its weight in bits and its words."""

    comparison: str
    level: str
    weight: float
    words: str


@dataclass
class MatchResult:
    weight: float
    probability: float
    agreements: list[Agreement]
    reasons: list[str]


def _first(norm: str) -> str:
    return norm.split(" ")[0] if norm else ""


def given_level(q: str, c: str) -> str:
    q1, c1 = _first(q), _first(c)
    if q1 == c1:
        return "exact"
    if is_nickname_pair(q1, c1):
        return "nickname"
    if len(q1) == 1 or len(c1) == 1:  # an initial
        return "initial" if q1[0] == c1[0] else "different"
    if phonetic_key(q1) == phonetic_key(c1) or JaroWinkler.similarity(q1, c1) >= 0.9:
        return "similar"
    if JaroWinkler.similarity(q1, c1) >= 0.8:
        return "partly_similar"
    return "different"


def surname_level(q: str, c: str) -> str:
    if q == c:
        return "exact"
    sim = JaroWinkler.similarity(q, c)
    if phonetic_key(q) == phonetic_key(c) or sim >= 0.92:
        return "similar"
    qp, cp = set(q.split()), set(c.split())
    if len(qp | cp) > 1 and qp & cp:  # double-barrelled, or one part of a changed name
        return "shares_part"
    if sim >= 0.8:
        return "partly_similar"
    return "different"


def dob_level(q: date, c: date) -> str:
    if q == c:
        return "exact"
    if q.year == c.year and q.month == c.day and q.day == c.month:
        return "swapped"
    qs, cs = q.strftime("%Y%m%d"), c.strftime("%Y%m%d")
    if sum(a != b for a, b in zip(qs, cs, strict=True)) == 1:
        return "one_digit"
    if (q.month, q.day) == (c.month, c.day):
        return "year_differs"
    if (q.year, q.day) == (c.year, c.day):
        return "month_differs"
    if (q.year, q.month) == (c.year, c.month):
        return "day_differs"
    if q.year == c.year:
        return "same_year"
    return "different"


DOB_WORDS = {
    "exact": "same date of birth",
    "swapped": "date of birth with day and month swapped",
    "one_digit": "date of birth one digit different",
    "year_differs": "born the same day and month, different year",
    "month_differs": "born the same day and year, different month",
    "day_differs": "born the same month and year, different day",
    "same_year": "born the same year, different day and month",
    "different": "different date of birth",
}
NO_DOB_ON_RECORD = "no date of birth on their record"


def dob_similarity(q: date | None, c: date | None) -> tuple[str, str]:
    """(level, the reason in words) of a date of birth typed against one on a record. No level and no words when
    the user gave none (they know that); "missing" when the record has none."""
    if q is None:
        return "", ""
    if c is None:
        return "missing", NO_DOB_ON_RECORD
    level = dob_level(q, c)
    return level, DOB_WORDS[level]


def _rarity(share: float | None) -> str:
    if share is None:
        return ""
    if share < RARE_SHARE:
        return " (rare)"
    if COMMON_SHARE < share <= MAX_MEANINGFUL_SHARE:
        return " (common)"
    return ""


_SURNAME_WORDS = {
    "similar": "similar surname",
    "shares_part": "shares part of the surname",
    "partly_similar": "surname partly similar",
    "different": "different surname",
}
_GIVEN_WORDS = {
    "nickname": "given name a nickname or short form",
    "similar": "given name similar",
    "initial": "same initial",
    "partly_similar": "given name partly similar",
    "different": "different given name",
}


def _surname(model: MatchWeights, shares: NameShares, q: str, c: str) -> Agreement:
    level = surname_level(q, c)
    if level == "exact":
        share = shares.share(SURNAME, q)
        return Agreement(SURNAME, level, model.weight(SURNAME, level, share), "same surname" + _rarity(share))
    return Agreement(SURNAME, level, model.weight(SURNAME, level), _SURNAME_WORDS[level])


def _given(model: MatchWeights, shares: NameShares, q: str, c: str) -> Agreement:
    level = given_level(q, c)
    if level == "exact":
        share = shares.share(GIVEN, _first(q))
        return Agreement(GIVEN, level, model.weight(GIVEN, level, share), "same given name" + _rarity(share))
    return Agreement(GIVEN, level, model.weight(GIVEN, level), _GIVEN_WORDS[level])


def _name_agreements(
    model: MatchWeights, shares: NameShares, q_given: str, q_family: str, c_given: str, c_family: str
) -> tuple[float, list[Agreement], str]:
    """The best reading of one query name against one candidate name: (weight, agreements, how it was read:
    "" straight, "swapped", or "as_given" for one word that matched a given name)."""
    readings: list[tuple[float, list[Agreement], str]] = []
    if q_family and c_family and not q_given:  # one word typed: a surname, or a given name
        readings.append(_sum([_surname(model, shares, q_family, c_family)], 0.0, ""))
        if c_given:
            readings.append(_sum([_given(model, shares, q_family, c_given)], ONE_WORD_AS_GIVEN_PENALTY, "as_given"))
    else:
        straight = []
        if q_family and c_family:
            straight.append(_surname(model, shares, q_family, c_family))
        if q_given and c_given:
            straight.append(_given(model, shares, q_given, c_given))
        readings.append(_sum(straight, 0.0, ""))
        if q_given and q_family and c_given and c_family:
            swapped = [_surname(model, shares, q_given, c_family), _given(model, shares, q_family, c_given)]
            readings.append(_sum(swapped, SWAP_PENALTY, "swapped"))
    return max(readings, key=lambda r: r[0])


def _sum(agreements: list[Agreement], penalty: float, how: str) -> tuple[float, list[Agreement], str]:
    return sum(a.weight for a in agreements) - penalty, agreements, how


def _postcode_level(q: str, c: str) -> str:
    q, c = q.replace(" ", "").upper(), c.replace(" ", "").upper()
    if q == c:
        return "exact"
    if len(q) > 3 and len(c) > 3 and q[:-2] == c[:-2]:  # same sector: outward code and the inward digit
        return "same_sector"
    return "different"


_POSTCODE_WORDS = {"exact": "same postcode", "same_sector": "lives nearby (same postcode sector)"}


def probability(weight: float, prior: float) -> float:
    """The match probability of a match weight (bits) with a prior (log2 odds)."""
    x = weight + prior
    if x > 60:
        return 1.0
    if x < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-x))


def compare(
    query: MatchRecord, candidate: MatchRecord, *, model: MatchWeights = DEFAULT_MODEL, shares: NameShares = NO_SHARES
) -> MatchResult:
    """How much the evidence says `candidate` is the person `query` describes: the match weight (the sum of every
    comparison's weight, in bits), the probability, each agreement and the reasons in words, strongest first
    (the surname, the given name, then the others)."""
    q_given, q_family, _ = query.names[0] if query.names else ("", "", "")
    best: tuple[float, list[Agreement], str] = (-math.inf, [], "")
    best_kind = "current"
    for c_given, c_family, kind in candidate.names:
        reading = _name_agreements(model, shares, q_given, q_family, c_given, c_family)
        if reading[0] > best[0]:
            best, best_kind = reading, kind
    weight, agreements, how = best if best[0] > -math.inf else (0.0, [], "")
    agreements = list(agreements)
    reasons = [a.words for a in agreements]
    if how == "swapped":
        reasons.append("first and last names swapped")
    elif how == "as_given":
        reasons[-1:] = [reasons[-1].replace("given name", "given name (the word searched for)", 1)]
    if best_kind not in ("current", "query"):
        reasons.append(f"matches a {best_kind} name")
    if query.date_of_birth is not None:
        level, words = dob_similarity(query.date_of_birth, candidate.date_of_birth)
        reasons.append(words)
        if level != "missing":
            a = Agreement(DOB, level, model.weight(DOB, level), words)
            agreements.append(a)
            weight += a.weight
    pairs: list[tuple[str, str, str, dict[str, str]]] = []
    if query.sex not in ("", "U") and candidate.sex not in ("", "U"):
        level = "same" if query.sex == candidate.sex else "different"
        pairs.append((SEX, level, "" if level == "same" else "different sex", {}))
    if query.postcode and candidate.postcode:
        level = _postcode_level(query.postcode, candidate.postcode)
        pairs.append((POSTCODE, level, _POSTCODE_WORDS.get(level, "different postcode"), {}))
    if query.nhs_number and candidate.nhs_number:
        level = "exact" if query.nhs_number == candidate.nhs_number else "different"
        pairs.append((NHS, level, "same NHS number" if level == "exact" else "different NHS number", {}))
    if query.upns and candidate.upns:
        level = "exact" if query.upns & candidate.upns else "different"
        pairs.append((UPN, level, "same UPN" if level == "exact" else "different UPN", {}))
    for comparison, level, words, _ in pairs:
        a = Agreement(comparison, level, model.weight(comparison, level), words)
        agreements.append(a)
        weight += a.weight
        if words:
            reasons.append(words)
    return MatchResult(round(weight, 3), probability(weight, model.prior), agreements, reasons)


@dataclass
class Score:
    """A candidate's score for search and the duplicate checks: the match probability (0..1), the match weight
    in bits, and the reasons in words."""

    value: float
    reasons: list[str] = field(default_factory=list)
    weight: float = 0.0


def score_candidate(
    *,
    q_given: str,
    q_family: str,
    q_dob: date | None,
    q_postcode: str,
    names: list[tuple[str, str, str]],
    dob: date | None,
    postcode: str,
    model: MatchWeights = DEFAULT_MODEL,
    shares: NameShares = NO_SHARES,
) -> Score:
    """Score one candidate person against a query; `names` holds (given_norm, family_norm, kind) for each name."""
    result = compare(
        MatchRecord(names=((q_given, q_family, "query"),), date_of_birth=q_dob, postcode=q_postcode),
        MatchRecord(names=tuple(names), date_of_birth=dob, postcode=postcode),
        model=model,
        shares=shares,
    )
    return Score(round(result.probability, 4), result.reasons, result.weight)
