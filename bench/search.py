"""Person search on a seeded authority: recall (right person in the top 5) and latency.

    .venv/bin/python bench/search.py --data-dir var/large [--seed 1] [--size large] [--limit 3000]

Reads the ground truth the seed wrote ($DATA_DIR/seed/<size>-seed<N>-truth.jsonl: planted duplicates, searched
with what the duplicate record holds) and the hard queries (<size>-seed<N>-queries.jsonl: misspelt, swapped and
nickname queries of real people). For each query it times the whole search and, separately, the time spent in the
database; p95 of database time for name + date of birth queries is the figure the foundation issue sets (50 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from common import DbTimer, setup_django, summary_ms, write_result


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/large")
    ap.add_argument("--size", default="large")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=3000, help="at most this many queries of each file")
    args = ap.parse_args()
    setup_django(args.data_dir)
    import os

    from django.db import connection

    from people.search import search_people

    seed_dir = Path(os.environ["CASEWORK_DATA_DIR"]) / "seed"
    truth = load(seed_dir / f"{args.size}-seed{args.seed}-truth.jsonl")
    hard = load(seed_dir / f"{args.size}-seed{args.seed}-queries.jsonl")
    rng = random.Random(7)
    rng.shuffle(truth)
    rng.shuffle(hard)
    cases = [
        (
            f"duplicate:{t['variation']}",
            t["query"]["name"],
            t["query"].get("dob"),
            t["query"].get("postcode") or "",
            t["original_id"],
        )
        for t in truth[: args.limit]
    ] + [(f"query:{q['kind']}", q["name"], q.get("dob"), "", q["person_id"]) for q in hard[: args.limit]]

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM people_person")
        people = cur.fetchone()[0]
    # Warm the caches the way a running server would be.
    for _, name, dob, pc, _ in cases[:200]:
        search_people(
            user=None, name=name, date_of_birth=date.fromisoformat(dob) if dob else None, postcode=pc, limit=5
        )

    timer = DbTimer()
    hits: dict[str, list[bool]] = defaultdict(list)
    total_s: dict[str, list[float]] = defaultdict(list)
    db_s: dict[str, list[float]] = defaultdict(list)
    misses: list[dict] = []
    for kind, name, dob, pc, want in cases:
        d = date.fromisoformat(dob) if dob else None
        start = time.perf_counter()
        with timer.measuring():
            ids = [
                m.id
                for m in search_people(
                    user=None, name=name, date_of_birth=d, postcode=pc, limit=5, with_identifiers=False
                )
            ]
        elapsed = time.perf_counter() - start
        group = "with_dob" if d else "name_only"
        hits[kind].append(want in ids)
        total_s[group].append(elapsed)
        db_s[group].append(timer.seconds)
        if want not in ids and len(misses) < 40:
            misses.append({"kind": kind, "name": name, "dob": dob, "want": want, "got": ids})

    dup_hits = [h for k, v in hits.items() if k.startswith("duplicate:") for h in v]
    query_hits = [h for k, v in hits.items() if k.startswith("query:") for h in v]
    result = {
        "people": people,
        "queries": len(cases),
        "recall_at_5": {
            "seeded_duplicates": round(sum(dup_hits) / len(dup_hits), 4) if dup_hits else None,
            "misspelt_swapped_nickname_queries": round(sum(query_hits) / len(query_hits), 4) if query_hits else None,
            "by_kind": {k: {"n": len(v), "recall": round(sum(v) / len(v), 4)} for k, v in sorted(hits.items())},
        },
        "database_time": {k: summary_ms(v) for k, v in db_s.items()},
        "total_time": {k: summary_ms(v) for k, v in total_s.items()},
        "sample_misses": misses,
    }
    print(f"Person search over {people:,} people, {len(cases):,} queries")
    print(f"  recall@5 seeded duplicates:           {result['recall_at_5']['seeded_duplicates']:.2%}")
    print(f"  recall@5 misspelt/swapped/nickname:   {result['recall_at_5']['misspelt_swapped_nickname_queries']:.2%}")
    for k, v in result["recall_at_5"]["by_kind"].items():
        print(f"    {k:<32} {v['recall']:.2%} of {v['n']}")
    for group in ("with_dob", "name_only"):
        if group in db_s:
            d, t = result["database_time"][group], result["total_time"][group]
            print(
                f"  {group:<10} database p50 {d['median_ms']} ms, p95 {d['p95_ms']} ms; whole search p50 {t['median_ms']} ms, p95 {t['p95_ms']} ms"
            )
    write_result("search", result)


if __name__ == "__main__":
    main()
