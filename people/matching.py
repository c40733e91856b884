"""How names are compared: normalising, phonetic keys, nicknames, and the match score.

The same functions compute the keys stored on PersonName (services, import, seed) and the keys of a query, so the
two always agree. The score is a weighted agreement of name and date of birth, in the spirit of Fellegi-Sunter
record linkage, kept simple enough to explain to a user: it is shown as a percentage with its reasons.
"""

from __future__ import annotations

import csv
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


# --- scoring -------------------------------------------------------------------------------------------------

W_NAME = 0.6
W_DOB = 0.3
W_POSTCODE = 0.1


def _given_similarity(q: str, c: str) -> float:
    if not q or not c:
        return 0.5 if not q else 0.3
    q1, c1 = q.split(" ")[0], c.split(" ")[0]
    if q1 == c1:
        return 1.0
    if is_nickname_pair(q1, c1):
        return 0.95
    if len(q1) == 1 or len(c1) == 1:  # an initial
        return 0.8 if q1[0] == c1[0] else 0.0
    sim = JaroWinkler.similarity(q1, c1)
    if phonetic_key(q1) == phonetic_key(c1):
        sim = max(sim, 0.9)
    return sim


def _family_similarity(q: str, c: str) -> float:
    if not q or not c:
        return 0.3
    if q == c:
        return 1.0
    sim = JaroWinkler.similarity(q, c)
    if phonetic_key(q) == phonetic_key(c):
        sim = max(sim, 0.92)
    # Double-barrelled or changed family names: one part matching counts for a lot.
    qp, cp = set(q.split()), set(c.split())
    if len(qp | cp) > 1 and qp & cp:
        sim = max(sim, 0.9)
    return sim


def name_similarity(q_given: str, q_family: str, c_given: str, c_family: str) -> tuple[float, bool]:
    """(similarity 0..1, swapped?) between a query name and a candidate name, both normalised."""
    if not q_given:  # one word typed: it may be either name
        straight = _family_similarity(q_family, c_family)
        as_given = _given_similarity(q_family, c_given) * 0.95
        return max(straight, as_given), as_given > straight
    straight = 0.45 * _given_similarity(q_given, c_given) + 0.55 * _family_similarity(q_family, c_family)
    swapped = 0.45 * _given_similarity(q_family, c_given) + 0.55 * _family_similarity(q_given, c_family)
    swapped *= 0.97
    return (swapped, True) if swapped > straight else (straight, False)


def dob_similarity(q: date | None, c: date | None) -> tuple[float, str]:
    """(agreement 0..1, the reason in words). No reason when the user gave no date of birth: they know that."""
    if q is None:
        return 0.5, ""
    if c is None:
        return 0.5, "no date of birth on their record"
    if q == c:
        return 1.0, "same date of birth"
    if q.year == c.year and q.month == c.day and q.day == c.month:
        return 0.8, "date of birth with day and month swapped"
    same_parts = (q.year == c.year) + (q.month == c.month) + (q.day == c.day)
    if same_parts == 2:
        return 0.7, "date of birth differs in one part"
    if q.year == c.year:
        return 0.25, "same year of birth"
    return 0.0, "different date of birth"


@dataclass
class Score:
    value: float
    reasons: list[str] = field(default_factory=list)


def score_candidate(
    *,
    q_given: str,
    q_family: str,
    q_dob: date | None,
    q_postcode: str,
    names: list[tuple[str, str, str]],
    dob: date | None,
    postcode: str,
) -> Score:
    """Score one candidate person against a query; `names` holds (given_norm, family_norm, kind) for each name."""
    best, best_swapped, best_kind = 0.0, False, "current"
    for g, f, kind in names:
        sim, swapped = name_similarity(q_given, q_family, g, f)
        if sim > best:
            best, best_swapped, best_kind = sim, swapped, kind
    reasons = []
    if best >= 0.999:
        reasons.append("same name")
    elif best >= 0.85:
        reasons.append("similar name")
    else:
        reasons.append("name partly matches")
    if best_swapped:
        reasons.append("first and last names swapped")
    if best_kind != "current":
        reasons.append(f"matches a {best_kind} name")
    d, why = dob_similarity(q_dob, dob)
    if why:
        reasons.append(why)
    value = W_NAME * best + W_DOB * d
    if q_postcode and postcode:
        if q_postcode.replace(" ", "") == postcode.replace(" ", ""):
            value += W_POSTCODE
            reasons.append("same postcode")
    elif q_postcode or postcode:
        value += W_POSTCODE * 0.4
    else:
        value += W_POSTCODE * 0.5
    return Score(round(min(value, 1.0), 4), reasons)
