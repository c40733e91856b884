"""The sweep for possible duplicates, and a merge and its undo, on a seeded authority.

    .venv/bin/python bench/duplicates.py --data-dir var/large [--size large] [--seed 1] [--dry-run]

Sweep: the pairs each block yields, the pairs scored, the pairs proposed, time in the database, time scoring, CPU
time of this process, and recall against the planted duplicates the seed wrote ($DATA_DIR/seed/<size>-seed<N>-truth
.jsonl: a planted pair counts as found when the sweep proposes it or it was already a candidate), by kind of
difference. With --dry-run nothing is proposed (the recall is then of what would be).

Merge: the person with the most rows attached (a long case history) is merged into a new record made for them, then
the merge is undone; rows moved, queries, wall and CPU time of each, and whether the database is exactly as before
(table by table, people.tests.merge_support). Everything the merge and undo wrote stays (the undo puts the rows back;
the new record and the logs remain). Times are CPU time and query counts where others share the machine: wall time
is printed but not comparable between runs on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import DbTimer, setup_django, write_result


def sweep(truth_path: Path, dry_run: bool) -> dict[str, Any]:
    from django.db.models import Q

    from people.duplicates import duplicates_sweep
    from people.models import DuplicateCandidate

    timer = DbTimer()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    proposed_pairs: set[tuple[int, int]] = set()
    with timer.measuring():
        result = duplicates_sweep(dry_run=dry_run)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    known = {
        (min(a, b), max(a, b))
        for a, b in DuplicateCandidate.objects.filter(~Q(status="not_duplicate")).values_list(
            "person_id", "possible_match_id"
        )
    }
    proposed_pairs |= known
    by_kind: dict[str, list[bool]] = defaultdict(list)
    if truth_path.exists():
        for line in truth_path.read_text().splitlines():
            t = json.loads(line)
            pair = (min(t["duplicate_id"], t["original_id"]), max(t["duplicate_id"], t["original_id"]))
            by_kind[t["variation"]].append(pair in proposed_pairs)
    recall = {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_kind.items())}
    every = [h for v in by_kind.values() for h in v]
    out = {
        "blocked_pairs": result.blocked_pairs,
        "pairs_scored": result.candidates_considered,
        "already_known": result.already_known,
        "proposed": result.proposed,
        "queries": timer.queries,
        "database_s": round(timer.seconds, 2),
        "scoring_s": round(result.seconds_scoring, 2),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "recall_of_planted_duplicates": round(sum(every) / len(every), 4) if every else None,
        "recall_by_kind": recall,
    }
    print(
        f"Sweep: {sum(result.blocked_pairs.values()):,} pairs in blocks {result.blocked_pairs}; "
        f"{result.candidates_considered:,} scored; {result.proposed:,} proposed; {timer.queries} queries, "
        f"{timer.seconds:.1f} s in the database, {result.seconds_scoring:.1f} s scoring, {cpu:.1f} s CPU "
        f"({wall:.1f} s wall)."
    )
    if every:
        print(
            f"Planted duplicates proposed: {sum(every)}/{len(every)} ({sum(every) / len(every):.1%}); by kind: {recall}"
        )
    return out


def merge_round_trip() -> dict[str, Any]:
    from django.db import connection

    from people import merging
    from people.models import Person
    from people.services import person_create
    from people.tests.merge_support import database_rows, differences

    with connection.cursor() as cur:
        cur.execute(
            "SELECT person_id FROM recording_chronologyentry GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT 1"
        )
        (busiest,) = cur.fetchone()
    gone = Person.objects.get(pk=busiest)
    keep = person_create(
        actor=None, given_name=gone.given_name, family_name=gone.family_name, date_of_birth=gone.date_of_birth
    )
    before = database_rows()
    out: dict[str, Any] = {"merged_person": gone.pk}
    for step in ("merge", "unmerge"):
        timer = DbTimer()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with timer.measuring():
            if step == "merge":
                outcome = merging.person_merge(actor=None, keep=keep, merge=gone, confirmed=True)
                rows = sum(outcome.moved.values())
            else:
                undone = merging.person_unmerge(actor=None, merge=outcome.merge)
                rows = undone.moved_back
        out[step] = {
            "rows": rows,
            "queries": timer.queries,
            "database_s": round(timer.seconds, 2),
            "cpu_s": round(time.process_time() - cpu0, 2),
            "wall_s": round(time.perf_counter() - wall0, 2),
        }
        print(
            f"{step}: {rows:,} rows, {timer.queries} queries, {out[step]['cpu_s']} s CPU ({out[step]['wall_s']} s wall)"
        )
    diff = differences(before, database_rows())
    out["exactly_as_before"] = not diff
    print("Database exactly as before the merge:", "yes" if not diff else f"NO: {diff[:3]}")
    return out


SYNTHETIC = "sweep_synthetic"
NULL = "\\N"  # COPY's null
# Only the columns the sweep reads.
SYNTHETIC_TABLES = {
    "people_person": "id bigint PRIMARY KEY, date_of_birth date, given_name text, family_name text, "
    "current_postcode text NOT NULL DEFAULT ''",
    "people_personname": "id bigint PRIMARY KEY, person_id bigint, kind text, given_norm text, family_norm text, "
    "given_key text, family_key text",
    "people_personidentifier": "id bigserial PRIMARY KEY, person_id bigint, type text, value text, ended_on date",
    "people_personmerge": "id bigserial PRIMARY KEY, merged_id bigint, undone_at timestamptz",
    "people_duplicatecandidate": "id bigserial PRIMARY KEY, person_id bigint, possible_match_id bigint",
    "truth": "a bigint, b bigint, kind text",
}


def synthetic(n: int, seed: int, *, reuse: bool = False) -> dict[str, Any]:
    """Plan `n` people with the demo generator's planner (names, dates of birth, identifiers and its planted
    duplicates, nothing else), load them into a schema of their own with the person index's table names, and run the
    sweep there (dry run: proposes nothing) with the schema first in the search path. The real tables are not
    touched; the schema is dropped at the end, unless `reuse` (--keep): then it is kept, and a later run with --keep
    sweeps the people already loaded."""
    from django.db import connection

    cpu0, wall0 = time.process_time(), time.perf_counter()
    truth: list[tuple[int, int, str]] = []
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [SYNTHETIC])
        loaded = cur.fetchone()[0] and reuse
    if loaded:
        with connection.cursor() as cur:
            cur.execute(f"SELECT a, b, kind FROM {SYNTHETIC}.truth")
            truth = [tuple(r) for r in cur.fetchall()]
            cur.execute(f"SELECT count(*) FROM {SYNTHETIC}.people_person")
            (people,) = cur.fetchone()
    else:
        people = load_synthetic(n, seed, truth)
    load_cpu, load_wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"Synthetic authority: {people:,} people ({load_cpu:.0f} s CPU, {load_wall:.0f} s wall to plan and load)")
    return sweep_synthetic(people, truth, keep_schema=reuse)


def load_synthetic(n: int, seed: int, truth: list[tuple[int, int, str]]) -> int:
    import io

    from django.db import connection
    from django.utils import timezone

    from demo.planner import Planner, plan_people
    from people.matching import name_keys

    with connection.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SYNTHETIC} CASCADE; CREATE SCHEMA {SYNTHETIC}")
        for table, columns in SYNTHETIC_TABLES.items():
            cur.execute(f"CREATE TABLE {SYNTHETIC}.{table} ({columns})")
        planner = Planner(seed=seed, today=timezone.localdate(), people=n, chunk=20000, queries=0)
        next_name = 1
        for chunk in plan_people(planner):
            persons, names, idents = io.StringIO(), io.StringIO(), io.StringIO()
            for p in chunk.people:
                born = p.dob.isoformat() if p.dob else NULL
                postcode = next((a.address.postcode for a in p.addresses if a.lived_to is None), "")
                persons.write(f"{p.key}\t{born}\t{p.given or ''}\t{p.family or ''}\t{postcode}\n")
                all_names = [("current", p.given, p.family)] + [
                    (x.kind, x.given, x.family) for x in p.names if x.kind != "current"
                ]
                for kind, g, f in all_names:
                    k = name_keys(g, f)
                    names.write(
                        f"{next_name}\t{p.key}\t{kind}\t{k.given_norm}\t{k.family_norm}\t{k.given_key}\t{k.family_key}\n"
                    )
                    next_name += 1
                for t, v in p.identifiers:
                    if t in ("nhs", "upn", "former_upn"):
                        idents.write(f"{p.key}\t{t}\t{v}\n")
                if p.duplicate_of is not None:
                    truth.append((min(p.key, p.duplicate_of), max(p.key, p.duplicate_of), p.variation))
            for table, cols, buf in (
                ("people_person", "(id, date_of_birth, given_name, family_name, current_postcode)", persons),
                ("people_personname", "(id, person_id, kind, given_norm, family_norm, given_key, family_key)", names),
                ("people_personidentifier", "(person_id, type, value)", idents),
            ):
                buf.seek(0)
                with cur.copy(f"COPY {SYNTHETIC}.{table} {cols} FROM STDIN") as copy:
                    copy.write(buf.read())
        cur.execute(f"CREATE INDEX ON {SYNTHETIC}.people_personname (person_id)")
        cur.execute(f"CREATE INDEX ON {SYNTHETIC}.people_personidentifier (person_id)")
        cur.execute(f"ANALYZE {SYNTHETIC}.people_person; ANALYZE {SYNTHETIC}.people_personname")
        with cur.copy(f"COPY {SYNTHETIC}.truth (a, b, kind) FROM STDIN") as copy:
            copy.write("".join(f"{a}\t{b}\t{kind}\n" for a, b, kind in truth))
        cur.execute(f"SELECT count(*) FROM {SYNTHETIC}.people_person")
        return int(cur.fetchone()[0])


def sweep_synthetic(people: int, truth: list[tuple[int, int, str]], *, keep_schema: bool) -> dict[str, Any]:
    from unittest import mock

    from django.db import connection, transaction

    from people.duplicates import duplicates_sweep

    timer = DbTimer()
    proposed: set[tuple[int, int]] = set()
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SET LOCAL search_path TO {SYNTHETIC}, public")
            import people.duplicates as dup

            def keep(objs: list[Any], **kw: Any) -> list[Any]:
                proposed.update(
                    (min(o.person_id, o.possible_match_id), max(o.person_id, o.possible_match_id)) for o in objs
                )
                return objs

            cpu1, wall1 = time.process_time(), time.perf_counter()
            with timer.measuring(), mock.patch.object(dup.DuplicateCandidate.objects, "bulk_create", keep):
                result = duplicates_sweep(dry_run=False, progress=print)
            cpu, wall = time.process_time() - cpu1, time.perf_counter() - wall1
            transaction.set_rollback(True)  # the audit event of the sweep, in the synthetic schema's search path
    finally:
        if not keep_schema:
            with connection.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {SYNTHETIC} CASCADE")
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for a, b, kind in truth:
        by_kind[kind].append((a, b) in proposed)
    every = [h for v in by_kind.values() for h in v]
    out = {
        "people": people,
        "blocked_pairs": result.blocked_pairs,
        "pairs_scored": result.candidates_considered,
        "proposed": result.proposed,
        "queries": timer.queries,
        "database_s": round(result.seconds_sql, 1),
        "scoring_s": round(result.seconds_scoring, 1),
        "cpu_s": round(cpu, 1),
        "wall_s": round(wall, 1),
        "recall_of_planted_duplicates": round(sum(every) / len(every), 4) if every else None,
        "recall_by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_kind.items())},
    }
    print(
        f"Sweep of {people:,} people: {sum(result.blocked_pairs.values()):,} pairs in blocks {result.blocked_pairs}; "
        f"{result.candidates_considered:,} scored; {result.proposed:,} proposed; {result.seconds_sql:.1f} s in the "
        f"database, {result.seconds_scoring:.1f} s scoring, {cpu:.1f} s CPU ({wall:.1f} s wall)"
    )
    if every:
        print(
            f"Planted duplicates proposed: {sum(every)}/{len(every)} ({sum(every) / len(every):.1%}); {out['recall_by_kind']}"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--size", default="demo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dry-run", action="store_true", help="Propose nothing (the sweep's recall is of what would be)"
    )
    parser.add_argument("--no-merge", action="store_true", help="Time the sweep only")
    parser.add_argument(
        "--synthetic", type=int, metavar="N", help="Sweep N planned people in a schema of their own (names only)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the synthetic people for the next run, and reuse them"
    )
    args = parser.parse_args()
    setup_django(args.data_dir)
    if args.synthetic:
        write_result(
            f"duplicates-synthetic-{args.synthetic}", {"sweep": synthetic(args.synthetic, args.seed, reuse=args.keep)}
        )
        return
    from people.models import Person

    people = Person.objects.count()
    print(f"{people:,} people in {args.data_dir}")
    truth = Path(args.data_dir) / "seed" / f"{args.size}-seed{args.seed}-truth.jsonl"
    result: dict[str, Any] = {"people": people, "sweep": sweep(truth, args.dry_run)}
    if not args.no_merge:
        result["merge"] = merge_round_trip()
    write_result(f"duplicates-{args.size}", result)


if __name__ == "__main__":
    main()
