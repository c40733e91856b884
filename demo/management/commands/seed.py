"""`casework seed --size demo|large [--seed N] [--truth-file PATH]`: fill an empty database with a believable
authority.

demo: about 4,000 people in Leicestershire's districts, with demo users, warnings, restricted records, planted
duplicates and case histories (two children with several hundred entries each), in seconds.

large: 1,000,000 people, the "large county" of /work/shared/reference/volumes.md. A real authority of that size
holds tens of millions of case notes over ten years; here the case histories are capped at about 2.5 million case
notes and visits (each with its chronology entry) so the load finishes in minutes on a 2-core machine.

Besides the data, two JSON-lines files are written to $CASEWORK_DATA_DIR/seed/ for the search benchmark:
<size>-seed<N>-truth.jsonl (every planted duplicate, the original it copies and how it differs) and
<size>-seed<N>-queries.jsonl (hard searches for true people: misspelt, swapped names, nicknames).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.site import demo_database_mark, is_demo_database
from people.models import Involvement, Person


class Command(BaseCommand):
    help = (
        "Fill an empty database with a generated, believable local authority: demo (about 4,000 people, seconds) or "
        "large (1,000,000 people and about 2.5 million case notes and visits, capped from the tens of millions a real "
        "county holds so it loads in minutes on a small machine). Deterministic for a given --seed. Writes the "
        "planted duplicates (truth) and hard search queries as JSON lines under $CASEWORK_DATA_DIR/seed/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=["demo", "large"], default="demo", help="How big an authority to make")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same people")
        parser.add_argument(
            "--truth-file",
            type=Path,
            default=None,
            help="Where to write the planted duplicates (default $CASEWORK_DATA_DIR/seed/<size>-seed<N>-truth.jsonl)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only an empty database; on one already loaded, print the demo sign-ins instead (casework serve)",
        )
        # For tests and experiments: override the number of people.
        parser.add_argument("--people", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        from casework.db import data_dir
        from demo.generator import SIZES, generate
        from demo.sign_ins import write_sign_ins
        from demo.users import DEMO_PASSWORD, ensure_demo_users

        size, seed = options["size"], options["seed"]
        self._migrate_if_needed()
        started = time.monotonic()
        existing = Person.objects.count()
        if existing and options["if_empty"]:
            if is_demo_database():
                call_command("demo_sign_ins", stdout=self.stdout)
            else:
                # Real records (imported, or entered by hand): no demo users, nobody's roles touched, demo mode off.
                self.stdout.write(
                    f"This database holds {existing:,} people and was not made by `casework seed`: no demo users "
                    "are created and demo mode is off."
                )
            return
        if options["if_empty"]:
            self.stdout.write("Loading the demo authority (first run only)…")
        if existing:
            raise CommandError(
                f"The database already holds {existing:,} people; seed a fresh database "
                "(set CASEWORK_DATA_DIR to an empty folder)"
            )
        profile = dict(SIZES[size])
        if options["people"]:
            profile["people"] = options["people"]
        out_dir = data_dir() / "seed"
        truth_path: Path = options["truth_file"] or out_dir / f"{size}-seed{seed}-truth.jsonl"
        queries_path = truth_path.parent / f"{size}-seed{seed}-queries.jsonl"

        t = time.monotonic()
        demo_database_mark(size=size, seed=seed)  # before anything is made: this database is a made-up authority
        users = ensure_demo_users(seed)
        self.stdout.write(f"users: {len(users)} demo users in {time.monotonic() - t:,.1f} s")
        self.stdout.write(
            f"Seeding a {size} authority: about {profile['people']:,} people, seed {seed}. This "
            + ("takes a few seconds." if profile["people"] < 50_000 else "takes several minutes.")
        )
        result = generate(
            people=profile["people"],
            seed=seed,
            label=f"{size}-seed{seed}",
            known_child_rate=profile["known_child_rate"],
            long_histories=profile["long_histories"],
            queries=profile["queries"],
            chunk=profile["chunk"],
            progress=self.stdout.write,
            progress_every=100_000 if profile["people"] >= 200_000 else 0,
            truth_path=truth_path,
            queries_path=queries_path,
        )
        # Children's social care histories, walked through the real services (demo.journeys).
        from django.utils import timezone

        from demo.journeys import generate_journeys, load_candidates

        self.stdout.write("Children's journeys: contacts, referrals, plans, periods of care, care leavers…")
        today = timezone.localdate()
        journeys = generate_journeys(
            random.Random(seed * 7919 + 5),
            load_candidates(today),
            size=size,
            today=today,
            people=profile["people"],
            progress=self.stdout.write,
        )
        involvement_seconds, involvement_rows = self._refresh_involvements()
        # The form definitions (forms/definitions/*.json), by the command's name: demo and forms sit side by side.
        call_command("forms", "load", stdout=self.stdout)
        # Every record's retention class and review date (the bulk load sends no signals), by the command's name.
        call_command("retention", "recalculate", stdout=self.stdout)
        elapsed = time.monotonic() - started
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Seeded the {size} authority (seed {seed}) in {elapsed:,.1f} s:"))
        for name, n in result.counts.items():
            self.stdout.write(f"  {name:<20} {n:>12,}")
        self.stdout.write(f"  digest of names and dates of birth: {result.digest[:16]}")
        self.stdout.write(f"Children's journeys ({journeys.seconds:,.1f} s):")
        for name, n in journeys.counts.items():
            self.stdout.write(f"  {name:<36} {n:>12,}")
        self.stdout.write(f"  digest of journeys: {journeys.digest[:16]}")
        for line in journeys.refused:
            self.stdout.write(self.style.WARNING(f"  refused: {line}"))
        self.stdout.write(
            f"Legitimate relationships ({involvement_seconds:,.1f} s): {Involvement.objects.count():,} rows, "
            f"{involvement_rows:,} written by the final refresh"
        )
        self.stdout.write(f"Planted duplicates: {truth_path}")
        self.stdout.write(f"Hard search queries: {queries_path}")
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD}), and what the access rule lets each open:")
        write_sign_ins(self.stdout.write, users)

    def _refresh_involvements(self) -> tuple[float, int]:
        """People are bulk-loaded (COPY), past the services that keep the legitimate-relationship table in step:
        rebuild every person's rows (people.involvement.refresh_all), saying how far it has got."""
        from people.involvement import refresh_all

        self.stdout.write("Legitimate relationships: who may open each record (the access rule's table)…")
        t = time.monotonic()
        next_report = t + 30

        def progress(done: int, total: int) -> None:
            nonlocal next_report
            if time.monotonic() >= next_report or done == total:
                self.stdout.write(f"  … {done:,} of {total:,} people in {time.monotonic() - t:,.0f} s")
                next_report = time.monotonic() + 30

        written = refresh_all(progress=progress)
        seconds = time.monotonic() - t
        self.stdout.write(f"involvements: {written:,} rows written in {seconds:,.1f} s")
        return seconds, written

    def _migrate_if_needed(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            t = time.monotonic()
            self.stdout.write("Applying migrations to the new database…")
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write(f"migrations: {time.monotonic() - t:,.1f} s")
