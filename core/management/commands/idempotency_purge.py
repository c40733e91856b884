"""`casework idempotency_purge`: delete the used one-time keys older than their day (core.idempotency). `casework
worker` does the same when it starts and then daily; this is for running it by hand or from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.idempotency import KEEP_FOR, idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete used one-time keys (saved-once forms, API Idempotency-Key) older than a day."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_keys_purge()
        hours = int(KEEP_FOR.total_seconds() // 3600)
        self.stdout.write(f"Deleted {deleted} used one-time key{'' if deleted == 1 else 's'} older than {hours} hours.")
