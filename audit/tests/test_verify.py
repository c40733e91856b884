"""Verifying the hash chain (`casework audit verify`) catches tampering done behind the application's back."""

import pytest
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
