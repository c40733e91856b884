"""`casework audit verify`: recompute the hash chain and name the first broken event."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes the hash chain and names the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute the audit hash chain")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "verify":
            progress = (
                (lambda n: self.stderr.write(f"\rchecked {n:,} events…", ending="")) if sys.stderr.isatty() else None
            )
            result = verify_chain(progress=progress)
            if progress:
                self.stderr.write("")
            if not result.ok:
                raise CommandError(
                    f"Audit chain BROKEN at event id {result.first_broken_id} (position "
                    f"{result.first_broken_sequence}): {result.problem}. {result.checked:,} events before it verified."
                )
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain intact: {result.checked:,} events verified.")
                + f"\nChain head: position {result.head_sequence}, hash {result.head_hash}"
                "\nRecord this head hash somewhere outside Casework to detect a rewrite of the whole chain later."
            )
