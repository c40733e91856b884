"""Helpers for the merge tests: the whole database as rows, table by table, for "exactly as it was"."""

from __future__ import annotations

from typing import Any

from django.apps import apps

# Logs that a merge and its undo add to by design: the audit log, the merge log, and the row history (every UPDATE
# leaves a version in a pghistory event table, and a context row).
LOGS = {"audit", "pghistory"}
MERGE_LOG = {"people.PersonMerge", "people.PersonMergeMove", "people.PersonMergeChange"}
# The offline sync's change log and record versions only grow: a merge and its undo are changes devices must pull.
SYNC_LOG = {"sync.Change", "sync.RecordVersion"}


def compared_models() -> list[Any]:
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        names = {f.name for f in model._meta.concrete_fields}
        if (
            model._meta.app_label in LOGS
            or model._meta.label in MERGE_LOG | SYNC_LOG
            or "pgh_obj" in names
            or "pgh_id" in names
        ):
            continue
        if not model._meta.managed and not model._meta.auto_created:
            continue
        chosen.append(model)
    return chosen


def database_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every compared table, ordered by primary key."""
    out = {}
    for model in compared_models():
        cols = [f.attname for f in model._meta.concrete_fields]
        out[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*cols))
    return out


def differences(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    found = []
    for table in sorted(set(before) | set(after)):
        a, b = before.get(table, []), after.get(table, [])
        if a != b:
            gone = [r for r in a if r not in b][:3]
            new = [r for r in b if r not in a][:3]
            found.append(f"{table}: before only {gone}; after only {new}")
    return found
