"""`/healthz`: is this Casework able to serve, in words a person on call can act on.

It answers 200 when the database answers and a task worker has reported in the last `WORKER_SILENT_AFTER`, and 503
(never 500) with what is wrong otherwise, as JSON:

    {"status": "ok", "database": "ok", "worker": "ok"}
    {"status": "unavailable", "database": "Casework cannot reach its database: ...", "worker": "unknown: ..."}

It is answered by a middleware placed before sessions, users and the request's transaction, so nothing on the way can
fail first (an unreachable database used to make it a 500), and it answers whatever Host header a load balancer sends.

The task worker (`casework worker`, started beside the web server by `casework serve`) reports by updating its row of
`WorkerHeartbeat` every `BEAT_SECONDS` from a thread of its own (`heartbeat_start`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from core.models import WorkerHeartbeat

PATH = "/healthz"
BEAT_SECONDS = 10
WORKER_SILENT_AFTER = timedelta(seconds=60)


def health_report() -> tuple[int, dict[str, str]]:
    """(HTTP status, report): 200 and "ok" for each part, or 503 and what is wrong."""
    report = {"status": "ok", "database": "ok", "worker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as e:  # any failure to reach the database is the same news to whoever is on call
        report["database"] = f"Casework cannot reach its database: {_first_line(e)}"
        report["worker"] = "unknown: the database, where the task worker reports, cannot be reached"
        report["status"] = "unavailable"
        return 503, report
    try:
        last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except Exception as e:
        report["worker"] = f"unknown: the task worker's reports cannot be read: {_first_line(e)}"
        report["status"] = "unavailable"
        return 503, report
    now = timezone.now()
    if last is None:
        report["worker"] = "No task worker is running: returns will not be made until one starts (casework worker)."
    elif now - last > WORKER_SILENT_AFTER:
        silent = int((now - last).total_seconds())
        report["worker"] = (
            f"The task worker has been silent for {_duration(silent)}: returns will not be made until it is "
            "restarted (casework worker)."
        )
    else:
        return 200, report
    report["status"] = "unavailable"
    return 503, report


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Use GET."}, status=405, headers={"Allow": "GET, HEAD"})
        status, report = health_report()
        return JsonResponse(report, status=status)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{seconds // 60} minutes"
    return f"{seconds // 3600} hours"


# --- the worker's side ----------------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat_beat(*, name: str, started_at: datetime | None = None) -> None:
    """Record that the worker `name` is alive now."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now}, create_defaults={"beat_at": now, "started_at": started_at or now}
    )


def heartbeat_end(*, name: str) -> None:
    """The worker stops cleanly: it is no longer running (so /healthz does not wait a minute to say so)."""
    WorkerHeartbeat.objects.filter(name=name).delete()


def heartbeat_start(stop: threading.Event | None = None) -> tuple[threading.Thread, threading.Event]:
    """Report every BEAT_SECONDS from a daemon thread until `stop` is set; then remove the report."""
    stop = stop or threading.Event()
    name = worker_name()
    started_at = timezone.now()

    def run() -> None:
        try:
            while True:
                try:
                    heartbeat_beat(name=name, started_at=started_at)
                except Exception:  # the database is away: try again at the next beat
                    close_old_connections()
                    connection.close()
                if stop.wait(BEAT_SECONDS):
                    break
            # Stopping anyway: if the database is away the report goes silent and /healthz says so after a minute.
            with contextlib.suppress(Exception):
                heartbeat_end(name=name)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="casework-heartbeat", daemon=True)
    thread.start()
    return thread, stop
