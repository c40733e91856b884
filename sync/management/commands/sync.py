"""`casework sync prune [--dry-run] [--json]`: prune what offline sync keeps (sync.prune, decision 0031): the change
log up to the lowest position of the active devices, the mutations' results older than their days, and the scope
snapshots no cursor can name. `casework worker` does it daily; this is for running it by hand or from cron."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sync import prune


class Command(BaseCommand):
    help = "Offline sync: prune the change log and the results kept for retried pushes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "prune",
            help="Delete change-log rows every active device has pulled past, and old push results",
            description="Delete the change-log rows every active device (not removed, its user not disabled, synced "
            f"in the last {prune.horizon_days()} days) has already pulled, the results of pushed changes older than "
            f"{prune.mutation_days()} days, and the scope snapshots no device can ask for again. A device that comes "
            "back with a cursor behind the pruned point is told to download its records again. Audited.",
        )
        run.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
        run.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = prune.sync_prune(actor=None, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        verb = "Would delete" if report.dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {report.changes} change-log rows (before transaction {report.txid}, change {report.change_id}; "
            f"{report.active_devices} active devices), {report.mutations} push results older than "
            f"{prune.mutation_days()} days and {report.snapshots} old scope snapshots."
        )
