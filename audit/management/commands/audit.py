"""`casework audit verify`: recompute the hash chain and name the first broken event."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify_chain

# Events checked between progress lines: a chain longer than this prints how far the check has got.
BATCH = 20000


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes the hash chain and names the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Check that no audit event has been altered, removed or reordered since it was written",
            description="Recompute the audit log's hash chain from the first event to the last. Exits with status 1 "
            "and names the first broken event if any event was altered, removed or reordered.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "verify":
            self.verify()

    def verify(self) -> None:
        started = time.monotonic()
        in_place = sys.stderr.isatty()
        shown = False

        def progress(checked: int, total: int) -> None:
            nonlocal shown
            if total <= BATCH:  # a short chain: the result is enough
                return
            line = f"Checking the audit log: {checked:,} of {total:,} events ({100 * checked // max(total, 1)}%)…"
            self.stderr.write(f"\r{line}" if in_place else line, ending="" if in_place else "\n")
            shown = True

        result = verify_chain(progress=progress, batch=BATCH)
        if shown and in_place:
            self.stderr.write("")
        took = f"{time.monotonic() - started:.1f} s"
        if not result.ok:
            before = {0: "No event comes before it.", 1: "The event before it is intact."}.get(
                result.checked, f"The {result.checked:,} events before it are intact."
            )
            raise CommandError(
                f"Audit chain BROKEN: the audit log has been tampered with at event id {result.first_broken_id} "
                f"(position {result.first_broken_sequence}): {result.problem}.\n{before} Someone changed the "
                "database directly, bypassing Casework: report it to your data protection officer, and keep a copy "
                "of the database as it is now."
            )
        count = "The audit log is empty" if result.checked == 0 else f"All {result.checked:,} events were checked"
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {result.checked:,} events verified in {took}.")
            + f"\n{count}: none has been altered, removed or reordered since it was written."
            + f"\nChain head: position {result.head_sequence}, hash {result.head_hash}"
            "\nKeep that position and hash somewhere outside Casework: if a later check shows a different hash for "
            "the same position, the whole log has been rewritten."
        )
