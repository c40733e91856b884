"""Finding people: candidates from indexes, then a match score.

Candidates come from indexed routes, each bounded, so a search costs a few index scans whatever the size of the
person index: (0) the exact name typed, and the same swapped, so the person of that very name is a candidate whatever
date of birth was typed; (1) same sound-alike family name and a sound-alike, same or nickname given name; (2) the
same with first and last names swapped; (3) a sound-alike given name and a family name starting with the same two
letters, or the other way round (a typo in one name); (4) the date of birth and its common mistypings; and, only
when none of those agrees with the name typed on both names (exactly, by sound, by spelling or as a nickname), (5)
trigram similarity of the whole name, for typos that change how a name sounds (the costly route: it rechecks every
name sharing enough trigrams). Every name a person has been known by is searched. Candidates are then scored in
Python by the match weight of `people.matching.compare` (a Fellegi-Sunter model, weights from
`people.match_store.current_weights`, the typed names' shares of the authority's names read in the same query) and
the strongest evidence returned first, each with its reasons in words.

The one search box (`find_people`, used by the search page, its API twin and the Add a relationship page) also
takes an NHS number (spaces allowed), a UPN, a record number or a postcode (`people.matching.read_query`); each of
those is one indexed lookup, and a name goes to `search_people`.

Access: `search_people` filters by `accounts.access.visible_people` when given a user; the command line passes
`user=None` (a system search run at the server, audited as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, models
from rapidfuzz.distance import JaroWinkler

from accounts import access

from .match_store import current_weights
from .matching import (
    GIVEN,
    SURNAME,
    MatchRecord,
    MatchWeights,
    NameKeys,
    NameShares,
    QueryKind,
    QueryNotUnderstood,
    SearchQuery,
    compare,
    dob_similarity,
    dob_variants,
    name_keys,
    name_variants,
    parse_query,
    read_query,
)
from .models import IdentifierType, Person, PersonAddress, PersonIdentifier

ROUTE_LIMIT = 400
TRIGRAM_LIMIT = 60
TRIGRAM_THRESHOLD = 0.5


class SearchError(ValueError):
    """The search could not run as asked (an empty name, say). The message is for the user."""


@dataclass
class Match:
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str
    score: float
    reasons: list[str]
    is_restricted: bool = False
    identifiers: list[dict[str, str]] = field(default_factory=list)
    nhs_number: str | None = None
    # What the searching user may open: "record" (a legitimate relationship), "summary" (the minimal summary, and
    # break-glass), or "conflict" (they declared a conflict: only that it exists is shown).
    access: str = "record"
    # The match weight in bits (people.matching): what the results are ranked by; `score` is its probability.
    weight: float = 0.0

    @property
    def explanation(self) -> str:
        return explanation(self.reasons)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "nhs_number": self.nhs_number,
            "postcode": self.postcode or None,
            "identifiers": self.identifiers,
            "score": self.score,
            "match_weight": self.weight,
            "reasons": self.reasons,
            "explanation": self.explanation,
            "access": self.access,
        }


def explanation(reasons: list[str]) -> str:
    """The reasons as one sentence: "Same surname (rare), given name similar, born the same day and month,
    different year." Empty when there are none (a conflicted record shows nothing)."""
    if not reasons:
        return ""
    text = ", ".join(reasons)
    return text[0].upper() + text[1:] + "."


_KEY_ROUTES = """
    (SELECT person_id FROM people_personname
      WHERE family_norm = %(fn)s AND (given_norm = %(gn)s OR %(gn)s = '')
      LIMIT %(route_limit)s)
    UNION
    (SELECT person_id FROM people_personname
      WHERE %(gn)s <> '' AND family_norm = %(gn)s AND given_norm = %(fn)s
      LIMIT %(route_limit)s)
    UNION
    (SELECT person_id FROM people_personname
      WHERE family_key = %(fk)s AND (given_key = %(gk)s OR given_norm = ANY(%(gvars)s) OR %(gk)s = '')
      LIMIT %(route_limit)s)
    UNION
    (SELECT person_id FROM people_personname
      WHERE %(gk)s <> '' AND family_key = %(gk)s AND given_key = %(fk)s
      LIMIT %(route_limit)s)
    UNION
    (SELECT person_id FROM people_personname
      WHERE %(gk)s <> '' AND given_key = %(gk)s AND left(family_norm, 2) = %(f2)s
      LIMIT %(route_limit)s)
    UNION
    (SELECT person_id FROM people_personname
      WHERE %(g2)s <> '' AND family_key = %(fk)s AND left(given_norm, 2) = %(g2)s
      LIMIT %(route_limit)s)
    UNION
    (SELECT id FROM people_person WHERE date_of_birth = ANY(%(dobs)s) LIMIT %(route_limit)s)
"""

_TRIGRAM_ROUTE = """
    SELECT person_id FROM people_personname
     WHERE full_norm %% %(full)s AND NOT person_id = ANY(%(seen)s)
     ORDER BY similarity(full_norm, %(full)s) DESC
     LIMIT %(trgm_limit)s
"""

# Each candidate with every name they have had, and (the same on every row, computed once) the shares of the
# authority's names that the typed names have, for the term-frequency weights of an exact agreement.
_PEOPLE_SQL = """
WITH cand AS ({routes})
SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.current_postcode, p.is_restricted,
       array_agg(n.given_norm ORDER BY n.id), array_agg(n.family_norm ORDER BY n.id), array_agg(n.kind ORDER BY n.id),
       (SELECT share FROM people_namefrequency WHERE name = %(fn)s AND kind = 'surname'),
       (SELECT share FROM people_namefrequency WHERE name = %(g1)s AND kind = 'given_name'),
       (SELECT share FROM people_namefrequency WHERE name = %(gn)s AND kind = 'surname'),
       (SELECT share FROM people_namefrequency WHERE name = %(f1)s AND kind = 'given_name')
  FROM cand JOIN people_person p ON p.id = cand.person_id
  JOIN people_personname n ON n.person_id = p.id
 GROUP BY p.id
"""

# Agreement levels that make a candidate convincing: when the indexed routes found someone agreeing this well on
# both names, the trigram route (the costly one, for typos that change how a name sounds and its first letters)
# cannot add anyone whose name agrees better.
CONFIDENT_SURNAME = frozenset({"exact", "similar"})
CONFIDENT_GIVEN = frozenset({"exact", "nickname", "similar"})


def _name_params(keys: NameKeys) -> dict[str, Any]:
    return {
        "fn": keys.family_norm,
        "gn": keys.given_norm,
        "g1": keys.given_norm.split(" ")[0],
        "f1": keys.family_norm.split(" ")[0],
    }


def _query(routes: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(_PEOPLE_SQL.format(routes=routes), params)
        return cur.fetchall()


def _candidates_by_keys(keys: NameKeys, dob: date | None) -> list[tuple[Any, ...]]:
    params: dict[str, Any] = {
        **_name_params(keys),
        "fk": keys.family_key,
        "gk": keys.given_key,
        "gvars": sorted(name_variants(keys.given_norm)) if keys.given_norm else [],
        "dobs": dob_variants(dob) if dob else [],
        "f2": keys.family_norm[:2],
        "g2": keys.given_norm[:2],
        "route_limit": ROUTE_LIMIT,
    }
    return _query(_KEY_ROUTES, params)


def _candidates_by_trigram(keys: NameKeys, seen: list[int]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TRIGRAM_THRESHOLD)])
    params = {**_name_params(keys), "full": keys.full_norm, "seen": seen, "trgm_limit": TRIGRAM_LIMIT}
    return _query(_TRIGRAM_ROUTE, params)


def _shares(keys: NameKeys, row: tuple[Any, ...]) -> NameShares:
    """The typed names' shares of the authority's names, from the last four columns of a candidate row."""
    fam, giv, given_as_surname, family_as_given = row[-4:]
    found = {
        (SURNAME, keys.family_norm): fam,
        (GIVEN, keys.given_norm.split(" ")[0]): giv,
        (SURNAME, keys.given_norm): given_as_surname,
        (GIVEN, keys.family_norm.split(" ")[0]): family_as_given,
    }
    return NameShares({k: v for k, v in found.items() if v is not None})


def search_people(
    *,
    user: Any,
    name: str,
    date_of_birth: date | None = None,
    postcode: str = "",
    limit: int = 20,
    min_score: float = 0.0,
    with_identifiers: bool = True,
    weights: MatchWeights | None = None,
) -> list[Match]:
    """Ranked matches for a name (and optionally date of birth and postcode) that `user` may see.

    Raises SearchError for an empty name. Does not audit: views and commands record the search themselves.
    `weights` (the current ones when None) is for the fit's check of new weights against the defaults.
    """
    given, family = parse_query(name)
    if not (given or family):
        raise SearchError("Enter a name to search for")
    if limit < 1:
        raise SearchError("The number of results must be 1 or more")
    keys = name_keys(given, family)
    model = weights or current_weights()
    query = MatchRecord(
        names=((keys.given_norm, keys.family_norm, "query"),), date_of_birth=date_of_birth, postcode=postcode
    )
    scored: list[Match] = []
    closeness: dict[int, float] = {}
    confident = False

    def score_rows(rows: list[tuple[Any, ...]]) -> None:
        nonlocal confident
        if not rows:
            return
        shares = _shares(keys, rows[0])
        for pid, g, f, dob, pc, restricted, gnorms, fnorms, kinds, *_ in rows:
            candidate = MatchRecord(
                names=tuple(zip(gnorms, fnorms, kinds, strict=True)), date_of_birth=dob, postcode=pc
            )
            result = compare(query, candidate, model=model, shares=shares)
            score = round(result.probability, 4)
            if score >= min_score:
                m = Match(pid, g, f, dob, pc, score, result.reasons, restricted, weight=result.weight)
                # Between equal weights, the closer spelling first.
                closeness[pid] = max(
                    JaroWinkler.similarity(keys.full_norm, f"{gn} {fn}".strip())
                    for gn, fn in zip(gnorms, fnorms, strict=True)
                )
                scored.append(m)
            levels = {a.comparison: a.level for a in result.agreements}
            if levels.get(SURNAME) in CONFIDENT_SURNAME and (
                not keys.given_norm or levels.get(GIVEN) in CONFIDENT_GIVEN
            ):
                confident = True

    first = _candidates_by_keys(keys, date_of_birth)
    score_rows(first)
    if not confident:
        score_rows(_candidates_by_trigram(keys, [r[0] for r in first]))
    scored.sort(key=lambda m: (-m.weight, -closeness[m.id], m.family_name, m.given_name, m.id))
    if user is not None:
        candidates = Person.objects.filter(pk__in=[m.id for m in scored[: limit * 3]])
        flags = access.with_full_access(user, candidates).values_list("pk", "full_access")  # type: ignore[misc]
        allowed: dict[int, bool] = dict(flags)
        scored = [m for m in scored if m.id in allowed]
    top = scored[:limit]
    if user is not None:
        mark_access(user, top, {pk for pk, full in allowed.items() if full})
    if with_identifiers:
        _add_identifiers([m for m in top if m.access == "record"])
    return top


def mark_access(user: Any, matches: list[Match], full: set[int]) -> None:
    """Say on each match what `user` may open (Match.access), given the ids of those whose full record they may
    see. No query, one for a user with declared conflicts; a conflicted match loses everything but that a conflict
    exists."""
    ids = [m.id for m in matches]
    if not ids:
        return
    conflicts = access.conflicted_people(user, ids)
    for m in matches:
        if m.id in conflicts:
            m.access = "conflict"
            m.given_name, m.family_name, m.date_of_birth, m.postcode, m.reasons = "", "", None, "", []
            m.identifiers, m.nhs_number = [], None
        elif m.id not in full:
            m.access = "summary"  # the minimal summary: no address, no identifiers
            m.postcode, m.identifiers, m.nhs_number = "", [], None


def _add_identifiers(matches: list[Match]) -> None:
    """Each match's current identifiers and NHS number: one query."""
    if not matches:
        return
    by_person: dict[int, list[dict[str, str]]] = {}
    for pid, typ, value in PersonIdentifier.objects.filter(
        person_id__in=[m.id for m in matches], ended_on__isnull=True
    ).values_list("person_id", "type", "value"):
        by_person.setdefault(pid, []).append({"type": typ, "value": value})
    for m in matches:
        m.identifiers = sorted(by_person.get(m.id, []), key=lambda i: (i["type"], i["value"]))
        m.nhs_number = next((i["value"] for i in m.identifiers if i["type"] == "nhs"), None)


@dataclass
class Found:
    """What the one search box found: what the user typed, read as a kind of query, and the people."""

    query: SearchQuery
    matches: list[Match]


# The identifier types a number of each kind is looked up in, and the reason shown for each.
_IDENTIFIER_ROUTES: dict[QueryKind, dict[str, str]] = {
    QueryKind.NHS: {IdentifierType.NHS: "same NHS number"},
    QueryKind.UPN: {IdentifierType.UPN: "same UPN", IdentifierType.FORMER_UPN: "same former UPN"},
}


def find_people(
    *,
    user: Any,
    text: str,
    date_of_birth: date | None = None,
    limit: int = 20,
    exclude: int | None = None,
) -> Found:
    """The one search box: a name (ranked, typo tolerant: `search_people`), an NHS number, a UPN, a record number or
    a postcode (each one indexed lookup), read by `people.matching.read_query`. Only people `user` may see; `exclude`
    leaves one person out (the record a relationship is being added to). A date of birth, if given, ranks a name
    search and is compared in the reasons of the others.

    Raises SearchError when the text is empty or is none of those kinds. Does not audit: the callers do.
    Queries: a name as `search_people`; an NHS number, UPN or record number 2; a postcode 3."""
    if not (text or "").strip():
        raise SearchError("Enter a name, NHS number, UPN, record number or postcode to search for")
    if limit < 1:
        raise SearchError("The number of results must be 1 or more")
    try:
        query = read_query(text)
    except QueryNotUnderstood as e:
        raise SearchError(str(e)) from e
    if query.kind == QueryKind.NAME:
        # One more than asked for, so leaving out `exclude` still leaves `limit`.
        found = search_people(user=user, name=query.value, date_of_birth=date_of_birth, limit=limit + 1)
        return Found(query, [m for m in found if m.id != exclude][:limit])
    people = Person.objects.all()
    reasons: dict[int, str] = {}
    if query.kind in _IDENTIFIER_ROUTES:
        routes = _IDENTIFIER_ROUTES[query.kind]
        # iexact: the index on identifiers is on upper(value) (numbers and UPNs are upper case already).
        people = people.filter(identifiers__type__in=list(routes), identifiers__value__iexact=query.value).annotate(
            matched_type=models.F("identifiers__type"), matched_ended=models.F("identifiers__ended_on")
        )
    elif query.kind == QueryKind.RECORD:
        people = people.filter(pk=int(query.value))
    else:  # a postcode: where they live now, or lived
        lived: dict[int, bool] = {}
        for pid, lived_to in PersonAddress.objects.filter(postcode=query.value).values_list("person_id", "lived_to")[
            :ROUTE_LIMIT
        ]:
            lived[pid] = lived.get(pid, False) or lived_to is None
        reasons = {pid: "lives at this postcode" if now else "lived at this postcode" for pid, now in lived.items()}
        people = people.filter(pk__in=list(lived))
    if user is not None:
        people = access.with_full_access(user, people)
    if exclude is not None:
        people = people.exclude(pk=exclude)
    matches: list[Match] = []
    full: set[int] = set()
    for p in people.order_by("family_name", "given_name", "pk")[:ROUTE_LIMIT]:
        why = [reasons.get(p.pk, "same record number")]
        if query.kind in _IDENTIFIER_ROUTES:
            matched_type, matched_ended = getattr(p, "matched_type", ""), getattr(p, "matched_ended", None)
            why = [_IDENTIFIER_ROUTES[query.kind][matched_type] + (" (no longer used)" if matched_ended else "")]
        if date_of_birth is not None:
            why.append(dob_similarity(date_of_birth, p.date_of_birth)[1])
        m = Match(p.pk, p.given_name, p.family_name, p.date_of_birth, p.current_postcode, 1.0, why, p.is_restricted)
        matches.append(m)
        if getattr(p, "full_access", True):
            full.add(p.pk)
    if query.kind == QueryKind.POSTCODE:  # the people who live there now first
        matches.sort(key=lambda m: reasons[m.id] != "lives at this postcode")
    top = matches[:limit]
    if user is not None:
        mark_access(user, top, full)
    _add_identifiers([m for m in top if m.access == "record"])
    return Found(query, top)
