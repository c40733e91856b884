"""Verifying the hash chain (`casework audit verify`) catches tampering done behind the application's back."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.tests.factories import make_events
from audit.verify import verify_chain
from people.tests.factories import person

pytestmark = pytest.mark.django_db


def _tamper(sql, params=()):
    with connection.cursor() as cur:
        # What a database superuser can do behind the application's back: switch triggers off for the session.
        cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET session_replication_role = DEFAULT")


def test_verify_names_the_first_altered_event():
    events = make_events(5)
    _tamper("UPDATE audit_auditevent SET context = '{\"i\": 99}' WHERE id = %s", [events[2].id])
    result = verify_chain()
    assert not result.ok
    assert result.first_broken_id == events[2].id
    assert "altered" in result.problem
    with pytest.raises(CommandError, match=f"event id {events[2].id}"):
        call_command("audit", "verify")


def test_verify_catches_a_removed_event():
    events = make_events(5)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    result = verify_chain()
    assert not result.ok
    assert result.first_broken_id == events[2].id


def test_verify_catches_events_removed_from_the_end():
    events = make_events(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    result = verify_chain()
    assert not result.ok
    assert "removed from the end" in result.problem


def test_verify_command_reports_an_intact_chain(capsys):
    person()
    make_events(2)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Audit chain intact: 3 events verified" in out
    assert "none has been altered, removed or reordered" in out


def test_verify_reports_progress_on_a_long_chain(capsys, monkeypatch):
    from audit.management.commands import audit as command

    make_events(5)
    monkeypatch.setattr(command, "BATCH", 2)
    call_command("audit", "verify")
    err = capsys.readouterr().err
    assert "Checking the audit log: 2 of 5 events (40%)…" in err
    assert "Checking the audit log: 5 of 5 events (100%)…" in err


def casework_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `casework ARGS` as a user does, in a process of its own, against the test database (whose rows a
    transactional test has committed): not inside the test's transaction, which takes other code paths."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # the command's own default
    env["DATABASE_URL"] = f"postgresql://{db['USER']}@/{db['NAME']}?host={db['HOST']}&port={db['PORT']}"
    casework = Path(sys.executable).parent / "casework"
    return subprocess.run(
        [str(casework), *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_from_the_shell_on_a_committed_database(allow_audit_flush):
    events = make_events(3)
    run = casework_command("audit", "verify")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert f"Audit chain intact: {len(events)} events verified" in run.stdout
    assert f"Chain head: position {len(events)}, hash {events[-1].hash}" in run.stdout

    _tamper("UPDATE audit_auditevent SET context = '{\"i\": 99}' WHERE id = %s", [events[1].id])
    run = casework_command("audit", "verify")
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert f"the audit log has been tampered with at event id {events[1].id} (position 2)" in run.stderr
    assert "The event before it is intact." in run.stderr
