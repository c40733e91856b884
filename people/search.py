"""Finding people: candidates from indexes, then a match score.

Candidates come from indexed routes, each bounded, so a search costs a few index scans whatever the size of the
person index: (1) same sound-alike family name and a sound-alike, same or nickname given name; (2) the same with
first and last names swapped; (3) a sound-alike given name and a family name starting with the same two letters, or
the other way round (a typo in one name); (4) the date of birth and its common mistypings; and, only when those find
nobody convincing or no date of birth was given, (5) trigram similarity of the whole name, for typos that change how
a name sounds (the costly route: it rechecks every name sharing enough trigrams). Every name a person has been known
by is searched. Candidates are then scored in Python (`people.matching.score_candidate`) and the best returned.

Access: `search_people` filters by `accounts.access.visible_people` when given a user; the command line passes
`user=None` (a system search run at the server, audited as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from accounts import access

from .matching import dob_variants, name_keys, name_variants, parse_query, score_candidate
from .models import Person, PersonIdentifier

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
        }


_KEY_ROUTES = """
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

_PEOPLE_SQL = """
WITH cand AS ({routes})
SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.current_postcode, p.is_restricted,
       array_agg(n.given_norm ORDER BY n.id), array_agg(n.family_norm ORDER BY n.id), array_agg(n.kind ORDER BY n.id)
  FROM cand JOIN people_person p ON p.id = cand.person_id
  JOIN people_personname n ON n.person_id = p.id
 GROUP BY p.id
"""

# A candidate this good from the indexed routes, found with the date of birth, means the trigram route (the
# costly one, for typos that change how a name sounds) cannot add anyone who would rank above it.
CONFIDENT_SCORE = 0.9


def _query(routes: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(_PEOPLE_SQL.format(routes=routes), params)
        return cur.fetchall()


def _candidates_by_keys(given: str, family: str, dob: date | None) -> list[tuple[Any, ...]]:
    keys = name_keys(given, family)
    params: dict[str, Any] = {
        "fk": keys.family_key,
        "gk": keys.given_key,
        "gvars": sorted(name_variants(keys.given_norm)) if keys.given_norm else [],
        "dobs": dob_variants(dob) if dob else [],
        "f2": keys.family_norm[:2],
        "g2": keys.given_norm[:2],
        "route_limit": ROUTE_LIMIT,
    }
    return _query(_KEY_ROUTES, params)


def _candidates_by_trigram(given: str, family: str, seen: list[int]) -> list[tuple[Any, ...]]:
    keys = name_keys(given, family)
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TRIGRAM_THRESHOLD)])
    params = {"full": keys.full_norm, "seen": seen, "trgm_limit": TRIGRAM_LIMIT}
    return _query(_TRIGRAM_ROUTE, params)


def search_people(
    *,
    user: Any,
    name: str,
    date_of_birth: date | None = None,
    postcode: str = "",
    limit: int = 20,
    min_score: float = 0.45,
    with_identifiers: bool = True,
) -> list[Match]:
    """Ranked matches for a name (and optionally date of birth and postcode) that `user` may see.

    Raises SearchError for an empty name. Does not audit: views and commands record the search themselves.
    """
    given, family = parse_query(name)
    if not (given or family):
        raise SearchError("Enter a name to search for")
    if limit < 1:
        raise SearchError("The number of results must be 1 or more")
    keys = name_keys(given, family)
    scored: list[Match] = []

    def score_rows(rows: list[tuple[Any, ...]]) -> None:
        for pid, g, f, dob, pc, restricted, gnorms, fnorms, kinds in rows:
            s = score_candidate(
                q_given=keys.given_norm,
                q_family=keys.family_norm,
                q_dob=date_of_birth,
                q_postcode=postcode,
                names=list(zip(gnorms, fnorms, kinds, strict=True)),
                dob=dob,
                postcode=pc,
            )
            if s.value >= min_score:
                scored.append(Match(pid, g, f, dob, pc, s.value, s.reasons, restricted))

    first = _candidates_by_keys(given, family, date_of_birth)
    score_rows(first)
    best = max((m.score for m in scored), default=0.0)
    if date_of_birth is None or best < CONFIDENT_SCORE:
        score_rows(_candidates_by_trigram(given, family, [r[0] for r in first]))
    scored.sort(key=lambda m: (-m.score, m.family_name, m.given_name, m.id))
    if user is not None:
        allowed = set(
            access.visible_people(user, Person.objects.filter(pk__in=[m.id for m in scored[: limit * 3]])).values_list(
                "pk", flat=True
            )
        )
        scored = [m for m in scored if m.id in allowed]
    top = scored[:limit]
    if with_identifiers and top:
        by_person: dict[int, list[dict[str, str]]] = {}
        for pid, typ, value in PersonIdentifier.objects.filter(person_id__in=[m.id for m in top]).values_list(
            "person_id", "type", "value"
        ):
            by_person.setdefault(pid, []).append({"type": typ, "value": value})
        for m in top:
            m.identifiers = sorted(by_person.get(m.id, []), key=lambda i: (i["type"], i["value"]))
            m.nhs_number = next((i["value"] for i in m.identifiers if i["type"] == "nhs"), None)
    return top
