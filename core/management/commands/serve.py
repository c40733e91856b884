"""`casework serve`: migrate, load the demo authority into an empty database, print the demo sign-ins, start one
background task worker (`casework worker`: returns are made by it), serve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Prepare the database and serve Casework on http://127.0.0.1:8000 (or $PORT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo authority")
        parser.add_argument("--prepare-only", action="store_true", help="Migrate and seed, then exit")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start a task worker (run `casework worker` yourself)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if settings.CASEWORK_DEMO_MODE and not opts["no_demo"]:
            # The demo app's command, by name (core imports neither demo nor people): it loads the demo authority
            # into an empty database, or prints the demo sign-ins for one already loaded.
            call_command("seed", size="demo", if_empty=True, stdout=self.stdout)
        if opts["prepare_only"]:
            return
        worker = None if opts["no_worker"] else self._start_worker()
        # Stopped by a supervisor (SIGTERM) as by Ctrl+C: leave through `finally`, so the worker stops too.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        url = f"http://{opts['host']}:{opts['port']}"
        self.stdout.write(self.style.SUCCESS(f"\nCasework is running at {url}  (Ctrl+C to stop)\n"))
        try:
            call_command("runserver", f"{opts['host']}:{opts['port']}", use_reloader=False, skip_checks=True)
        finally:
            if worker is not None:
                self._stop_worker(worker)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        """One task worker beside the web server, using the same database (DATABASE_URL is in the environment by
        now, so it joins the embedded server rather than starting another)."""
        self.stdout.write("Starting the task worker (returns are made by it)…")
        return subprocess.Popen(
            [sys.executable, "-m", "casework.cli", "worker", "--verbosity", "0"], env=dict(os.environ)
        )

    def _stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is None:
            worker.terminate()  # the worker finishes the task in hand, then stops
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
