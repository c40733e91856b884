"""A read replica for the dashboards and the returns (core.replica): with one configured, their reads go to it and
nothing else does. The "replica" here is a second connection to the test database: it sees only what is committed,
so the children the module's `world` makes (inside a transaction that is never committed) are invisible to it, which
shows where each read went."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.replica import REPLICA, ReplicaRouter, read_alias, reads_from_replica, replica_configured

from .journeys import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[CaptureQueriesContext]:
    """A "replica" connection made the way Django makes one from CASEWORK_REPLICA_URL (but not listed in the
    settings, so the test runner lets it connect), with the router installed."""
    connections.settings[REPLICA] = {**connections["default"].settings_dict}
    connections[REPLICA] = connections.create_connection(REPLICA)
    del connections.settings[REPLICA]
    monkeypatch.setattr("core.replica.replica_configured", lambda: True)
    try:
        with override_settings(DATABASE_ROUTERS=[ReplicaRouter()]), CaptureQueriesContext(connections[REPLICA]) as q:
            yield q
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


def cin(tmp_path) -> str:
    out = StringIO()
    call_command("returns", "cin", "--year", str(YEAR), "--out", str(tmp_path / "cin.xml"), stdout=out)
    return out.getvalue()


def test_without_a_replica_everything_reads_from_the_primary(world, tmp_path):
    assert not replica_configured()
    with reads_from_replica():
        assert read_alias() == "default"
        assert ReplicaRouter().db_for_read(User) is None
    assert "4 children written" in cin(tmp_path)


def test_the_returns_read_the_replica(world, replica, tmp_path):
    # The replica has not seen the module's uncommitted children: the return found none.
    with pytest.raises(CommandError, match="No children had children-in-need activity"):
        cin(tmp_path)
    assert len(replica) > 0


def test_the_dashboards_read_the_replica_and_their_audit_goes_to_the_primary(world, replica, pat):
    period = {"start_0": "1", "start_1": "4", "start_2": "2025", "end_0": "31", "end_1": "3", "end_2": "2026"}
    params = {**period, "team": "", "on_0": "1", "on_1": "10", "on_2": "2025"}
    page = pat.get("/performance/", params)
    assert page.status_code == 200
    assert "Performance" in page.content.decode()
    on_replica = len(replica)
    assert on_replica > 0
    assert not any(
        q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in replica.captured_queries
    )
    csv = pat.get("/performance/children.csv", params)
    assert csv.status_code == 200
    assert len(replica) > on_replica


def test_only_reads_inside_the_block_go_to_the_replica(replica):
    router = ReplicaRouter()
    assert router.db_for_read(User) is None
    assert read_alias() == "default"
    with reads_from_replica():
        assert router.db_for_read(User) == REPLICA
        assert read_alias() == REPLICA
        assert router.db_for_write(User) == "default"
        assert User.objects.select_for_update().db == "default"
    assert router.db_for_read(User) is None
    assert router.allow_migrate(REPLICA, "people") is False
    assert router.allow_migrate("default", "people") is True
