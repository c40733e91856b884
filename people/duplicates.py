"""Possible duplicates: the pairs proposed, the two records side by side, "not the same person", and the sweep.

Pairs come from three places: adding a person despite a close match (people.services.person_create), importing
(people.importer) and the sweep of the whole index (`duplicates_sweep`), which finds pairs the add-time check missed.
The sweep compares only people in the same *block*, so it scales with the index: the same date of birth and the same
surname sound; the same date of birth and the same first-name sound (a surname changed by marriage); the same
first-name and surname sounds (a date of birth wrong) with the same year of birth, the same day and month, the same
postcode or a date missing, skipping blocks larger than `NAME_BLOCK_MAX` (the very common names, where a name alone
says little); the same date of birth with first and last names swapped; and the same NHS number, UPN or former UPN (one of them ended). Each pair
found is scored with the search's own scoring (`people.matching.score_candidate`) and proposed when it scores at
least `SWEEP_SCORE` and the two NHS numbers do not differ.

A pair marked "not the same person" is never proposed again: every source skips a pair that has a candidate row in
either order, whatever its status. Tombstones (records merged into another) are never proposed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from rapidfuzz.distance import JaroWinkler

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.errors import RuleError

from .matching import Score, is_nickname_pair, score_candidate
from .models import DuplicateCandidate, IdentifierType, Person, PersonMerge

SWEEP_SCORE = 0.85
# Twins and siblings share a birthday or a surname and an address: first names this far apart are not proposed.
GIVEN_NAME_AGREEMENT = 0.8
NAME_BLOCK_MAX = 200
SOURCES = DuplicateCandidate.SOURCES


# --- scoring a pair ---------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What scoring needs of one person."""

    dob: date | None
    postcode: str
    names: list[tuple[str, str, str]]
    nhs: str | None = None


_FACTS_SQL = """
SELECT p.id, p.date_of_birth, p.current_postcode,
       array_agg(n.given_norm ORDER BY n.kind <> 'current', n.id), array_agg(n.family_norm ORDER BY n.kind <> 'current', n.id),
       array_agg(n.kind ORDER BY n.kind <> 'current', n.id),
       (SELECT i.value FROM people_personidentifier i
         WHERE i.person_id = p.id AND i.type = 'nhs' AND i.ended_on IS NULL LIMIT 1)
  FROM people_person p JOIN people_personname n ON n.person_id = p.id
 WHERE p.id = ANY(%s)
 GROUP BY p.id
"""


def facts(person_ids: list[int]) -> dict[int, Facts]:
    """Scoring facts of these people: one query."""
    if not person_ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(_FACTS_SQL, [sorted(set(person_ids))])
        return {
            pid: Facts(dob, pc or "", list(zip(g, f, k, strict=True)), nhs)
            for pid, dob, pc, g, f, k, nhs in cur.fetchall()
        }


def given_names_agree(a: Facts, b: Facts) -> bool:
    """Whether any first name of one is the same as, a nickname of, an initial of or close to one of the other's."""
    pairs = [(ga, gb) for ga, _, _ in a.names for gb, _, _ in b.names]
    pairs += [(ga, fb) for ga, _, _ in a.names for _, fb, _ in b.names]  # first and last names swapped
    for ga, gb in pairs:
        x, y = (ga.split(" ")[0] if ga else ""), (gb.split(" ")[0] if gb else "")
        if not x or not y or x == y or is_nickname_pair(x, y):
            return True
        if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
            return True
        if JaroWinkler.similarity(x, y) >= GIVEN_NAME_AGREEMENT:
            return True
    return False


def pair_score(a: Facts, b: Facts) -> Score:
    """How alike two records are, by the search's scoring: each of `a`'s names as a query against all of `b`'s, the
    best kept. Different NHS numbers: 0 (they are different people, or one number is wrong); so are first names far
    apart without a shared NHS number (twins, siblings)."""
    if a.nhs and b.nhs and a.nhs != b.nhs:
        return Score(0.0, ["different NHS numbers"])
    if not (a.nhs and a.nhs == b.nhs) and not given_names_agree(a, b):
        return Score(0.0, ["different first names"])
    best = Score(0.0, [])
    for given, family, _kind in a.names:
        s = score_candidate(
            q_given=given,
            q_family=family,
            q_dob=a.dob,
            q_postcode=a.postcode,
            names=b.names,
            dob=b.dob,
            postcode=b.postcode,
        )
        if s.value > best.value:
            best = s
    if a.nhs and a.nhs == b.nhs:
        best = Score(1.0, ["same NHS number", *best.reasons])
    return best


def score_pairs(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Score]:
    """Scores of these pairs: one query."""
    known = facts([pid for pair in pairs for pid in pair])
    return {(a, b): pair_score(known[a], known[b]) for a, b in pairs if a in known and b in known}


# --- the review list ----------------------------------------------------------------------------------------------


def _live_tombstone(field_name: str) -> Exists:
    return Exists(PersonMerge.objects.filter(merged_id=OuterRef(field_name), undone_at__isnull=True))


def open_pairs(user: Any) -> QuerySet[DuplicateCandidate]:
    """Open pairs, most likely first, neither a tombstone, both people `user` may find (`user` None: everyone, the
    command line). A restricted record is in a pair only for someone with a grant to it."""
    qs = (
        DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
        .exclude(_live_tombstone("person_id"))
        .exclude(_live_tombstone("possible_match_id"))
    )
    if user is not None:
        findable = access.findable_people(user).values("pk")
        qs = qs.filter(person_id__in=findable, possible_match_id__in=findable)
    return qs.select_related("person", "possible_match").order_by("-score", "created_at", "pk")


def pairs_for_review(user: Any, limit: int = 200) -> list[DuplicateCandidate]:
    """The review list: one query."""
    return list(open_pairs(user)[:limit])


def pair_for(user: Any, candidate_id: int) -> DuplicateCandidate | None:
    """One pair, if `user` may find both people (None: not found, so a restricted record's existence does not
    leak). Any status."""
    qs = DuplicateCandidate.objects.filter(pk=candidate_id).select_related("person", "possible_match")
    if user is not None:
        findable = access.findable_people(user).values("pk")
        qs = qs.filter(person_id__in=findable, possible_match_id__in=findable)
    return qs.first()


@transaction.atomic
def duplicate_not_same(*, actor: Actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Record that the two are not the same person: the pair is never proposed again. Audited on both records."""
    cand = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if cand.status != DuplicateCandidate.Status.OPEN:
        raise RuleError(f"This pair has already been reviewed: {cand.get_status_display().lower()}")
    DuplicateCandidate.objects.filter(pk=cand.pk).update(
        status=DuplicateCandidate.Status.NOT_DUPLICATE, modified_by=actor_or_none(actor)
    )
    cand.refresh_from_db()
    for pid in (cand.person_id, cand.possible_match_id):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="duplicate_candidate",
            object_id=str(cand.pk),
            person_id=pid,
            changes={"status": {"old": "open", "new": "not_duplicate"}},
        )
    return cand


def pair_known(a: int, b: int) -> bool:
    return DuplicateCandidate.objects.filter(
        Q(person_id=a, possible_match_id=b) | Q(person_id=b, possible_match_id=a)
    ).exists()


# --- the sweep --------------------------------------------------------------------------------------------------

_KEYS = """
k AS MATERIALIZED (
  SELECT DISTINCT n.person_id AS id, p.date_of_birth AS dob, n.family_key AS fk, n.given_key AS gk
    FROM people_personname n JOIN people_person p ON p.id = n.person_id
   WHERE NOT EXISTS (SELECT 1 FROM people_personmerge m WHERE m.merged_id = p.id AND m.undone_at IS NULL)
)"""

BLOCKS: dict[str, tuple[str, str]] = {
    "dob_surname": (
        "same date of birth and surname sound",
        f"WITH {_KEYS} SELECT DISTINCT a.id, b.id FROM k a JOIN k b ON a.dob = b.dob AND a.fk = b.fk AND a.id < b.id "  # noqa: S608 (constants only)  # nosec B608
        "WHERE a.fk <> ''",
    ),
    "dob_given": (
        "same date of birth and first name sound",
        f"WITH {_KEYS} SELECT DISTINCT a.id, b.id FROM k a JOIN k b ON a.dob = b.dob AND a.gk = b.gk AND a.id < b.id "  # noqa: S608 (constants only)  # nosec B608
        "WHERE a.gk <> ''",
    ),
    "swapped": (
        "same date of birth, first and last names swapped",
        f"WITH {_KEYS} SELECT DISTINCT least(a.id, b.id), greatest(a.id, b.id) FROM k a JOIN k b "  # noqa: S608 (constants only)  # nosec B608
        "ON a.dob = b.dob AND a.fk = b.gk AND a.gk = b.fk AND a.id <> b.id WHERE a.fk <> '' AND a.gk <> ''",
    ),
    "names": (
        "same first name and surname sound, and the same year of birth, day and month, postcode or a date missing",
        f"WITH {_KEYS}, s AS (SELECT k.id, k.fk, k.gk, k.dob, p.current_postcode AS pc, "  # noqa: S608 (constants only)  # nosec B608
        "count(*) OVER (PARTITION BY k.fk, k.gk) AS n FROM k JOIN people_person p ON p.id = k.id "
        "WHERE k.fk <> '' AND k.gk <> '') SELECT DISTINCT a.id, b.id FROM s a JOIN s b ON a.fk = b.fk "
        "AND a.gk = b.gk AND a.id < b.id WHERE a.n <= %(block_max)s AND (a.dob IS NULL OR b.dob IS NULL "
        "OR date_part('year', a.dob) = date_part('year', b.dob) "
        "OR to_char(a.dob, 'MMDD') = to_char(b.dob, 'MMDD') OR (a.pc <> '' AND a.pc = b.pc))",
    ),
    "identifier": (
        "same NHS number, UPN or former UPN",
        "SELECT DISTINCT least(a.person_id, b.person_id), greatest(a.person_id, b.person_id) "
        "FROM people_personidentifier a JOIN people_personidentifier b ON a.value = b.value "
        "AND a.person_id <> b.person_id AND a.type IN ('nhs', 'upn', 'former_upn') "
        "AND b.type IN ('nhs', 'upn', 'former_upn') AND (a.type = b.type OR a.type <> 'nhs' AND b.type <> 'nhs')",
    ),
}
BATCH = 2000


@dataclass
class SweepResult:
    blocked_pairs: dict[str, int] = field(default_factory=dict)
    candidates_considered: int = 0
    already_known: int = 0
    proposed: int = 0
    seconds_sql: float = 0.0
    seconds_scoring: float = 0.0
    cpu_seconds: float = 0.0


def _known_pairs() -> set[tuple[int, int]]:
    out = set()
    for a, b in DuplicateCandidate.objects.values_list("person_id", "possible_match_id").iterator(chunk_size=20000):
        out.add((min(a, b), max(a, b)))
    return out


def duplicates_sweep(
    *, actor: Actor = None, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> SweepResult:
    """Look over the whole index for pairs the add-time check missed, block by block, and propose the likely ones
    (source "sweep"). Pairs already known in either order, whatever their status, are skipped: "not the same
    person" holds. Audited as one event."""
    cpu0 = time.process_time()
    result = SweepResult()
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key, (words, sql) in BLOCKS.items():
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(sql, {"block_max": NAME_BLOCK_MAX})
            rows = cur.fetchall()
        result.seconds_sql += time.perf_counter() - t0
        result.blocked_pairs[key] = len(rows)
        for a, b in rows:
            pairs[(a, b)].append(words)
        if progress:
            progress(f"{words}: {len(rows):,} pairs")
    known = _known_pairs()
    todo = [p for p in pairs if p not in known]
    result.already_known = len(pairs) - len(todo)
    result.candidates_considered = len(todo)
    t0 = time.perf_counter()
    user = actor_or_none(actor)
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        scores = score_pairs(batch)
        found = [
            DuplicateCandidate(
                person_id=a,
                possible_match_id=b,
                score=s.value,
                source="sweep",
                reasons=s.reasons,
                created_by=user,
            )
            for (a, b), s in scores.items()
            if s.value >= SWEEP_SCORE
        ]
        result.proposed += len(found)
        if found and not dry_run:
            DuplicateCandidate.objects.bulk_create(found, ignore_conflicts=True)
    result.seconds_scoring = time.perf_counter() - t0
    result.cpu_seconds = time.process_time() - cpu0
    if not dry_run:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="duplicate_sweep",
                context={
                    "blocked_pairs": result.blocked_pairs,
                    "considered": result.candidates_considered,
                    "proposed": result.proposed,
                },
            )
    return result


# --- the two records side by side ----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the comparison: what each record says, and whether they agree, in words."""

    label: str
    first: list[str]
    second: list[str]
    verdict: str  # "Same", "Different", "Only on record N", "Neither record has this", or a sentence

    @property
    def agrees(self) -> bool:
        return self.verdict.startswith("Same") or self.verdict.startswith("Both")

    @property
    def neither(self) -> bool:
        return self.verdict.startswith("Neither")


@dataclass
class Comparison:
    candidate: DuplicateCandidate
    first: Any  # people.selectors.PersonSummary
    second: Any
    rows: list[Row]
    first_work: list[str]
    second_work: list[str]
    problems: list[Any]

    @property
    def agreeing(self) -> list[str]:
        return [r.label for r in self.rows if r.agrees]

    @property
    def differing(self) -> list[str]:
        return [r.label for r in self.rows if not r.agrees and not r.neither]

    @property
    def agreeing_text(self) -> str:
        return _listed(self.agreeing)

    @property
    def differing_text(self) -> str:
        return _listed(self.differing)


def _listed(labels: list[str]) -> str:
    """ "Date of birth, sex and NHS number": a list in a sentence, acronyms kept."""
    words = [x if x.split()[0].isupper() else x[:1].lower() + x[1:] for x in labels]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""
    return text[:1].upper() + text[1:]


def _day(d: date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else ""


def _verdict(a: list[str], b: list[str], first: int, second: int) -> str:
    if not a and not b:
        return "Neither record has this"
    if not b:
        return f"Only on record {first}"
    if not a:
        return f"Only on record {second}"
    sa, sb = {x.lower() for x in a}, {x.lower() for x in b}
    if sa == sb:
        return "Same"
    if sa & sb:
        return "Partly the same"
    return "Different"


def compare(candidate: DuplicateCandidate, viewer: Any) -> Comparison:
    """The two records of a pair side by side, with what agrees and what differs, their open work, and what a merge
    of them would meet (refusals, questions for a manager). A fixed number of queries."""
    from . import merging, selectors
    from .matching import dob_similarity

    a = selectors.person_summary(candidate.person_id, viewer=viewer)
    b = selectors.person_summary(candidate.possible_match_id, viewer=viewer)
    first, second = a.person.pk, b.person.pk
    rows: list[Row] = []

    def add(label: str, x: list[str], y: list[str], verdict: str | None = None) -> None:
        rows.append(Row(label, x, y, verdict or _verdict(x, y, first, second)))

    def full(p: Person) -> str:
        return " ".join(x for x in (p.given_name, p.middle_names, p.family_name) if x)

    add("Name", [full(a.person)], [full(b.person)])
    add(
        "Other names",
        [f"{n} ({n.get_kind_display().lower()})" for n in a.other_names],
        [f"{n} ({n.get_kind_display().lower()})" for n in b.other_names],
    )
    da, db = a.person.date_of_birth, b.person.date_of_birth
    dob_words = None
    if da and db and da != db:
        dob_words = dob_similarity(da, db)[1].capitalize()
    add("Date of birth", [_day(da)] if da else [], [_day(db)] if db else [], dob_words)
    add("Sex", [a.person.get_sex_display()], [b.person.get_sex_display()])
    for type_ in (IdentifierType.NHS, IdentifierType.UPN):
        add(
            str(type_.label),
            [i.value for i in a.identifiers if i.type == type_],
            [i.value for i in b.identifiers if i.type == type_],
        )
    others = [t for t in IdentifierType if t not in (IdentifierType.NHS, IdentifierType.UPN)]
    add(
        "Other identifiers",
        [f"{i.get_type_display()}: {i.value}" for i in a.identifiers if i.type in others],
        [f"{i.get_type_display()}: {i.value}" for i in b.identifiers if i.type in others],
        None,
    )
    add(
        "Current address",
        [str(a.current_address)] if a.current_address else [],
        [str(b.current_address)] if b.current_address else [],
    )
    add(
        "Previous addresses",
        [str(x) for x in a.addresses if x.lived_to is not None],
        [str(x) for x in b.addresses if x.lived_to is not None],
    )

    def relatives(s: Any, other_id: int) -> list[str]:
        out = []
        for r in s.relationships:
            if r.other_id == other_id:
                out.append(f"Each other's {r.get_type_display().lower()}")
            elif s.other_findable(r):
                out.append(f"{r.other.full_name} ({r.get_type_display().lower()})")
            else:
                out.append(f"{selectors.RESTRICTED_PERSON} ({r.get_type_display().lower()})")
        return out

    add("Relationships", relatives(a, second), relatives(b, first))
    add("Warnings", [w.get_type_display() for w in a.warnings], [w.get_type_display() for w in b.warnings])
    work = merging.open_work([first, second])
    fa, fb = work.get(first, []), work.get(second, [])
    add(
        "Open work",
        fa,
        fb,
        "Neither record has open work"
        if not fa and not fb
        else "Both have open work"
        if fa and fb
        else f"Open work on record {first if fa else second} only",
    )
    problems = merging.merge_problems(a.person, b.person)
    return Comparison(candidate, a, b, rows, fa, fb, problems)


def value_words(p: Person, choosable: Any) -> str:
    """A person's value of one choosable detail (people.merging.CHOOSABLE), as the pages say it."""
    from core.codes import labels

    key = choosable.key
    if key == "name":
        return p.full_name
    if key == "date_of_birth":
        if p.date_of_birth:
            return _day(p.date_of_birth)
        return f"Expected {_day(p.expected_date_of_birth)}" if p.expected_date_of_birth else "Not recorded"
    if key == "date_of_death":
        return _day(p.date_of_death) if p.date_of_death else "Not recorded"
    if key == "sex":
        return str(p.get_sex_display())
    if key == "ethnicity":
        return labels("ethnicity").get(p.ethnicity, p.ethnicity) if p.ethnicity else "Not recorded"
    if key == "disabilities":
        names = labels("disability")
        return ", ".join(names.get(d, d) for d in p.disabilities) if p.disabilities else "Not recorded"
    if key == "interpreter_needed":
        return "Yes" if p.interpreter_needed else "No"
    value = getattr(p, choosable.fields[0])
    return str(value) if value else "Not recorded"
