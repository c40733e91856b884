"""Person search on a seeded authority: recall (right person in the top 5) and latency.

    .venv/bin/python bench/search.py --data-dir var/large [--seed 1] [--size large] [--limit 3000]

Reads the ground truth the seed wrote ($DATA_DIR/seed/<size>-seed<N>-truth.jsonl: planted duplicates, searched
with what the duplicate record holds) and the hard queries (<size>-seed<N>-queries.jsonl: misspelt, swapped and
nickname queries of real people). For each query it times the whole search and, separately, the time spent in the
database; p95 of database time for name + date of birth queries is the figure the foundation issue sets (50 ms).

Each query runs twice in the same run: as a user, through the access rule (accounts.access: which matches they may
open and which only show the summary; the figures written as `database_time` and `total_time`), and without it
(user=None, every person: search before the relationship rule, `without_access_rule`). The last result written
before is printed beside them (`previous_result`). The user is `--user EMAIL`, or the social worker with the most
children allocated.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from common import RESULTS, DbTimer, setup_django, summary_ms, write_result


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Run:
    """One way of searching: hits by kind of query, and times by group (with a date of birth or name only)."""

    hits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    total_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    db_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    misses: list[dict] = field(default_factory=list)

    def recall(self) -> dict:
        dup = [h for k, v in self.hits.items() if k.startswith("duplicate:") for h in v]
        query = [h for k, v in self.hits.items() if k.startswith("query:") for h in v]
        return {
            "seeded_duplicates": round(sum(dup) / len(dup), 4) if dup else None,
            "misspelt_swapped_nickname_queries": round(sum(query) / len(query), 4) if query else None,
            "by_kind": {k: {"n": len(v), "recall": round(sum(v) / len(v), 4)} for k, v in sorted(self.hits.items())},
        }


def searcher(email: str) -> Any:
    """The user the search runs as: `email`, or the social worker with the most children allocated (who has a
    legitimate relationship with a few dozen people and sees the summary of everyone else)."""
    from django.db.models import Count

    from accounts.models import User
    from cases.models import Allocation

    if email:
        return User.objects.get(email=email)
    busiest = (
        Allocation.objects.filter(ended_on__isnull=True).values("worker").annotate(n=Count("id")).order_by("-n").first()
    )
    if busiest is None:
        raise SystemExit("No allocations in this authority: seed it with its journeys first (casework seed)")
    return User.objects.get(pk=busiest["worker"])


def previous_figures() -> dict | None:
    """The last result written (bench/results/search.json), for the figure before this change: its database and
    whole-search times (the ones measured with the rule when it has them)."""
    path = RESULTS / "search.json"
    if not path.exists():
        return None
    last = json.loads(path.read_text())
    return {"when": last.get("when"), "database_time": last.get("database_time"), "total_time": last.get("total_time")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/large")
    ap.add_argument("--size", default="large")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=3000, help="at most this many queries of each file")
    ap.add_argument("--user", default="", help="search as this user (default: the social worker with most children)")
    args = ap.parse_args()
    setup_django(args.data_dir)
    import os

    from django.db import connection

    from accounts import access
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
    user = searcher(args.user)
    previous = previous_figures()
    # Warm the caches the way a running server would be.
    for _, name, dob, pc, _ in cases[:200]:
        for who in (None, user):
            search_people(
                user=who, name=name, date_of_birth=date.fromisoformat(dob) if dob else None, postcode=pc, limit=5
            )

    # Each query is timed twice, with the access rule (as `user`: people they may open, the summary of the rest) and
    # without it (user=None: every person, as search ran before the relationship rule), in alternating order.
    timer = DbTimer()
    runs = {mode: Run() for mode in ("rule", "no_rule")}
    for i, (kind, name, dob, pc, want) in enumerate(cases):
        d = date.fromisoformat(dob) if dob else None
        group = "with_dob" if d else "name_only"
        for mode in ("rule", "no_rule") if i % 2 else ("no_rule", "rule"):
            run = runs[mode]
            start = time.perf_counter()
            with timer.measuring():
                ids = [
                    m.id
                    for m in search_people(
                        user=user if mode == "rule" else None,
                        name=name,
                        date_of_birth=d,
                        postcode=pc,
                        limit=5,
                        with_identifiers=False,
                    )
                ]
            run.total_s[group].append(time.perf_counter() - start)
            run.db_s[group].append(timer.seconds)
            run.hits[kind].append(want in ids)
            if want not in ids and len(run.misses) < 40:
                run.misses.append({"kind": kind, "name": name, "dob": dob, "want": want, "got": ids})

    rule, no_rule = runs["rule"], runs["no_rule"]
    result = {
        "people": people,
        "queries": len(cases),
        "searching_as": {"email": user.email, "role": ", ".join(access.role_names(user))},
        "recall_at_5": rule.recall(),
        "database_time": {k: summary_ms(v) for k, v in rule.db_s.items()},
        "total_time": {k: summary_ms(v) for k, v in rule.total_s.items()},
        "without_access_rule": {
            "recall_at_5": no_rule.recall(),
            "database_time": {k: summary_ms(v) for k, v in no_rule.db_s.items()},
            "total_time": {k: summary_ms(v) for k, v in no_rule.total_s.items()},
        },
        "previous_result": previous,
        "sample_misses": rule.misses,
    }
    print(f"Person search over {people:,} people, {len(cases):,} queries, as {user.email} (the access rule)")
    print(f"  recall@5 seeded duplicates:           {result['recall_at_5']['seeded_duplicates']:.2%}")
    print(f"  recall@5 misspelt/swapped/nickname:   {result['recall_at_5']['misspelt_swapped_nickname_queries']:.2%}")
    for k, v in result["recall_at_5"]["by_kind"].items():
        print(f"    {k:<32} {v['recall']:.2%} of {v['n']}")
    print("  p95, ms            with the rule   without (same run)   previous result")
    for group in ("with_dob", "name_only"):
        if group not in rule.db_s:
            continue
        for label, key in (("database", "database_time"), ("whole search", "total_time")):
            new = result[key][group]["p95_ms"]
            old = result["without_access_rule"][key][group]["p95_ms"]
            before = (previous or {}).get(key, {}).get(group, {}).get("p95_ms", "-")
            print(f"  {group:<10} {label:<13} {new:>8}        {old:>8}            {before:>8}")
    write_result("search", result)


if __name__ == "__main__":
    main()
