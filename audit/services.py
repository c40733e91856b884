"""Writing audit events. Called inside the transaction of the change it records, never asynchronously."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from core.actors import Actor

from .context import current
from .models import AuditAction, AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `instance`, ready for an audit event's old or new side."""
    return {name: _jsonable(instance.serializable_value(name)) for name in fields}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """{"field": {"old": x, "new": y}} for the fields that changed."""
    return {k: {"old": old.get(k), "new": new.get(k)} for k in new if old.get(k) != new.get(k)}


# Events that record something seen or a sign-in, not a change: they may be written on their own.
STANDALONE_ACTIONS = frozenset(
    {
        AuditAction.VIEW,
        AuditAction.SEARCH,
        AuditAction.EXPORT,
        AuditAction.SIGN_IN,
        AuditAction.SIGN_OUT,
        AuditAction.SIGN_IN_FAILED,
    }
)


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str,
    object_id: str = "",
    person_id: int | None = None,
    changes: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """Append one event.

    A change (create, update, close, import) is audited inside the transaction that makes it, so that the change
    and its event commit or roll back together: outside one this raises RuntimeError rather than write an event
    for a change that may never commit. A view, search, export or sign-in has no change to go with and may be
    audited on its own (it gets a transaction of its own)."""
    if not connection.in_atomic_block:
        if action not in STANDALONE_ACTIONS:
            raise RuntimeError(
                f"audit_record({action!r}) must run inside the transaction of the change it records "
                "(wrap the service in transaction.atomic)"
            )
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                person_id=person_id,
                changes=changes,
                context=context,
            )
        return
    ctx = dict(current.get() or {})
    if context:
        ctx.update(context)
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        changes=_jsonable(changes or {}),
        context=ctx,
    )


def audit_bulk(rows: list[dict[str, Any]]) -> None:
    """Append many events in one statement (bulk imports and the seed). The trigger chains each row."""
    ctx = dict(current.get() or {})
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_id=r.get("actor_id"),
                action=r["action"],
                object_type=r["object_type"],
                object_id=str(r.get("object_id", "")),
                person_id=r.get("person_id"),
                changes=_jsonable(r.get("changes") or {}),
                context={**ctx, **(r.get("context") or {})},
            )
            for r in rows
        ],
        batch_size=2000,
    )


def seal_now() -> None:
    """Link the events this transaction has written into the chain now rather than at commit (the chain's trigger,
    audit_event_seal, is deferred to commit: migration 0005). Only `verify_chain` inside a longer transaction and tests
    need this; it takes the chain's lock until the transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS audit_event_seal IMMEDIATE")
        cur.execute("SET CONSTRAINTS audit_event_seal DEFERRED")
