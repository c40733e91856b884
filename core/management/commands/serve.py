"""`casework serve`: migrate, load the demo authority into an empty database (demo mode only), print the demo
sign-ins (a demo database only), then serve with gunicorn (docs/decisions/0007), static files by whitenoise with
hashed names, and one background task worker (`casework worker`: returns are made by it) beside it.

`casework serve --dev` serves with Django's autoreloading development server instead.

The processes: `casework serve` holds the embedded PostgreSQL (casework.db) and supervises gunicorn and the task
worker (core.serving). Both die with it, however it dies (SIGKILL included); stopped with SIGTERM or Ctrl+C it stops
them (the requests and the task in hand are finished) and then the embedded PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from core import serving

WORKER_COMMAND = [sys.executable, "-m", "casework.cli", "worker", "--verbosity", "0"]
# Never served: django-ninja's Swagger UI and ReDoc (the API's documentation is our own page: casework/api_docs.py)
# and the accessibility checker the browser tests load.
STATIC_IGNORED = ["ninja", "*.test-only"]
STATIC_STAMP = ".casework-sources"
# A task worker that stops by itself is started again, but not more often than this.
WORKER_RESTART_SECONDS = 10


def static_sources_fingerprint() -> str:
    """Every static file a finder offers, with its size and time: when this is unchanged, so are the collected
    files."""
    from django.contrib.staticfiles.finders import get_finders

    lines = []
    for finder in get_finders():
        for path, storage in finder.list(STATIC_IGNORED):
            stat = os.stat(storage.path(path))
            lines.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


class Command(BaseCommand):
    help = "Prepare the database and serve Casework on http://127.0.0.1:8000 (or $HOST:$PORT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo authority")
        parser.add_argument("--prepare-only", action="store_true", help="Migrate and seed, then exit")
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start a task worker (run `casework worker` yourself)"
        )
        parser.add_argument(
            "--dev", action="store_true", help="Django's development server, reloading when the code changes"
        )
        parser.add_argument(
            "--workers",
            default=None,
            help="Web worker processes (default $CASEWORK_WEB_WORKERS, else 2 per core plus one)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        address = f"{opts['host']}:{opts['port']}"
        if os.environ.get("RUN_MAIN") == "true":
            # The development server's reloaded child: everything else was done by the process that started it.
            call_command("runserver", address, use_reloader=True, skip_checks=True)
            return
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if settings.CASEWORK_DEMO_MODE and not opts["no_demo"]:
            # The demo app's command, by name (core imports neither demo nor people): it loads the demo authority
            # into an empty database, prints the demo sign-ins of a demo database, and on any other database (real
            # records) creates nobody and says so.
            call_command("seed", size="demo", if_empty=True, stdout=self.stdout)
        if not opts["dev"]:
            self._collect_static()
        if opts["prepare_only"]:
            return
        # Children must not inherit this process's connections; they open their own.
        connections.close_all()
        worker = None if opts["no_worker"] else self._start_worker()
        # Stopped by a supervisor (SIGTERM) as by Ctrl+C: leave through `finally`, so the children stop too.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        url = f"http://{opts['host']}:{opts['port']}"
        try:
            if opts["dev"]:
                self.stdout.write(
                    self.style.SUCCESS(f"\nCasework (development server) is at {url}  (Ctrl+C to stop)\n")
                )
                call_command("runserver", address, use_reloader=True, skip_checks=True)
            else:
                self._serve(opts, url, worker)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                serving.stop_child(worker)

    def _serve(self, opts: dict[str, Any], url: str, worker: Any) -> None:
        workers = serving.web_workers(opts["workers"])
        command = serving.gunicorn_command(
            host=opts["host"], port=opts["port"], workers=workers, trusted_proxies=settings.CASEWORK_TRUSTED_PROXIES
        )
        web = serving.start_child(command)
        self.stdout.write(
            self.style.SUCCESS(f"\nCasework is running at {url} ({workers} web workers; Ctrl+C to stop)\n")
        )
        last_restart = time.monotonic()
        try:
            while web.poll() is None:
                time.sleep(0.5)
                if worker is not None and worker.poll() is not None:
                    if time.monotonic() - last_restart < WORKER_RESTART_SECONDS:
                        continue
                    self.stderr.write(f"The task worker stopped (exit status {worker.returncode}); starting another.")
                    worker = self._start_worker()
                    last_restart = time.monotonic()
            if web.returncode:
                self.stderr.write(f"The web server stopped (exit status {web.returncode}).")
                sys.exit(web.returncode)
        finally:
            serving.stop_child(web)
            if worker is not None:
                serving.stop_child(worker)

    def _collect_static(self) -> None:
        """Static files into STATIC_ROOT with hashed names and compressed copies, when they have changed since the
        last start (compressing them takes a while on a small machine)."""
        if not settings.CASEWORK_STATIC_HASHED:
            return
        stamp = Path(settings.STATIC_ROOT) / STATIC_STAMP
        sources = static_sources_fingerprint()
        if (
            stamp.exists()
            and stamp.read_text() == sources
            and (Path(settings.STATIC_ROOT) / "staticfiles.json").exists()
        ):
            return
        self.stdout.write("Collecting the static files (hashed names, compressed)…")
        call_command("collectstatic", interactive=False, verbosity=0, clear=True, ignore_patterns=STATIC_IGNORED)
        stamp.write_text(sources)

    def _start_worker(self) -> Any:
        """One task worker beside the web server, using the same database (DATABASE_URL is in the environment by
        now, so it joins the embedded server rather than starting another)."""
        self.stdout.write("Starting the task worker (returns are made by it)…")
        return serving.start_child(WORKER_COMMAND)
