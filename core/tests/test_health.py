"""/healthz as a load balancer and the person on call meet it: 200 when the database answers and the task worker has
reported lately; otherwise 503 with what is wrong in words, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from core import health
from core.models import WorkerHeartbeat


def get_health(**extra: Any) -> Any:
    return Client().get("/healthz", **extra)


def test_healthy_when_the_database_answers_and_the_worker_reported_lately(db: Any) -> None:
    WorkerHeartbeat.objects.all().delete()
    health.heartbeat_beat(name="host:1")
    r = get_health()
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "worker": "ok"}
    assert "no-store" in r["Cache-Control"]


def test_no_worker_is_a_503_that_says_so(db: Any) -> None:
    WorkerHeartbeat.objects.all().delete()
    r = get_health()
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable" and r.json()["database"] == "ok"
    assert r.json()["worker"].startswith("No task worker is running")


def test_a_silent_worker_is_a_503_with_how_long(db: Any) -> None:
    WorkerHeartbeat.objects.all().delete()
    health.heartbeat_beat(name="host:1")
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=5))
    r = get_health()
    assert r.status_code == 503
    assert r.json()["worker"].startswith("The task worker has been silent for 5 minutes")


def test_database_down_is_a_503_in_words_not_a_500(db: Any) -> None:
    """Every query fails as when PostgreSQL is stopped: nothing on the way (sessions, users, the request's
    transaction) gets to fail first."""
    down = OperationalError('connection to server on socket "/x/.s.PGSQL.5432" failed: No such file or directory')
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=down):
        r = Client(raise_request_exception=False).get("/healthz", HTTP_HOST="10.0.0.7")  # a balancer's Host
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["database"].startswith("Casework cannot reach its database: connection to server")
    assert body["worker"].startswith("unknown")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_heartbeat_thread_reports_and_clears_its_report_when_it_stops(allow_audit_flush: Any) -> None:
    thread, stop = health.heartbeat_start()
    try:
        for _ in range(50):
            if WorkerHeartbeat.objects.filter(name=health.worker_name()).exists():
                break
            stop.wait(0.1)
        assert WorkerHeartbeat.objects.filter(name=health.worker_name()).exists()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not WorkerHeartbeat.objects.filter(name=health.worker_name()).exists()
