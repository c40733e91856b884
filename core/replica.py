"""Reads that may be answered by a streaming replica: the performance dashboards and the statutory returns.

With `CASEWORK_REPLICA_URL` set (a libpq URL of a read-only standby of the database in `DATABASE_URL`), the settings
add the database alias "replica" and this router. Only the queries made inside `reads_from_replica()` go to the
replica, and only the reads among them: every write, every `select_for_update`, and every read anywhere else (the
record, search, sign-in, sessions, the audit chain, the task queue) stays on the primary. So a page that must show
what was just written never reads a replica that is a moment behind; the dashboards and returns, which count a
year or a period, can be (docs/operations.md, "A read replica for reports and returns").

Without `CASEWORK_REPLICA_URL` there is no "replica" alias and `reads_from_replica()` changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import connections

REPLICA = "replica"
_on_replica: ContextVar[bool] = ContextVar("casework_reads_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def reads_from_replica() -> Iterator[None]:
    """Send the reads made inside the block to the replica, when there is one."""
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def read_alias() -> str:
    """The alias a raw query (`connections[read_alias()].cursor()`) reads from here: the replica inside
    `reads_from_replica()` when one is configured, otherwise the primary."""
    return REPLICA if _on_replica.get() and replica_configured() else "default"


class ReplicaRouter:
    """Django's database router for the replica (settings.DATABASE_ROUTERS when CASEWORK_REPLICA_URL is set)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _on_replica.get() and replica_configured() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both: an object read from the replica may be related to one from the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA  # a standby is read-only: migrations run on the primary and reach it by replication
