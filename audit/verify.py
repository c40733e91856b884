"""Recomputing the audit hash chain.

Reads events in chain order with a server-side cursor (so a chain of millions of events is never held in memory),
recomputes each hash from the payload the database renders
(audit_event_payload) and checks every link. Finds a row altered with triggers disabled (its hash no longer
matches), a row removed (a gap in the sequence or a broken link), and rows removed from the end (the chain head
disagrees). An attacker able to rewrite every later hash too is caught only by comparing the printed head hash with
one recorded elsewhere, which is why the command prints it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

GENESIS = "0" * 64


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_sequence: int
    head_hash: str
    first_broken_sequence: int | None = None
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(progress: Callable[[int, int], None] | None = None, batch: int = 20000) -> VerifyResult:
    """Check the whole chain. `progress(checked, total)` is called after each batch of `batch` events."""
    outer = connection.in_atomic_block
    if outer:  # this transaction's own events are linked at its commit: link them now, to check them too
        from .services import seal_now

        seal_now()
    with transaction.atomic():
        with connection.cursor() as cur:
            if not outer:
                # One snapshot for the head and the events, so events committed meanwhile do not look like tampering.
                # Sent through an ordinary cursor: a server-side cursor wraps each statement in DECLARE … CURSOR FOR,
                # which only a query may follow (a SET there is a syntax error that a test transaction never reaches).
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT last_event_id, last_hash FROM audit_chainhead WHERE id = 1")
            head_sequence, head_hash = cur.fetchone() or (0, GENESIS)
        with connection.chunked_cursor() as cur:
            cur.execute(
                "SELECT e.id, e.sequence, e.prev_hash, e.hash, audit_event_payload(e) FROM audit_auditevent e "
                "ORDER BY e.sequence NULLS FIRST"
            )
            expected_prev = GENESIS
            checked = 0
            while rows := cur.fetchmany(batch):
                for event_id, seq, prev_hash, stored_hash, payload in rows:
                    problem = ""
                    if seq != checked + 1:
                        problem = (
                            f"event {event_id} has chain position {seq}, expected {checked + 1}: an event is missing"
                        )
                    elif prev_hash != expected_prev:
                        problem = f"event {event_id} (position {seq}) does not link to the event before it"
                    elif hashlib.sha256(payload.encode("utf-8")).hexdigest() != stored_hash:
                        problem = (
                            f"event {event_id} (position {seq}) was altered: its contents no longer match its hash"
                        )
                    if problem:
                        return VerifyResult(False, checked, head_sequence, head_hash, seq, event_id, problem)
                    expected_prev = stored_hash
                    checked += 1
                if progress:
                    progress(checked, head_sequence)
    if (checked, expected_prev) != (head_sequence, head_hash):
        return VerifyResult(
            False, checked, head_sequence, head_hash, checked + 1, None,
            f"the chain ends at position {checked} but the chain head says {head_sequence}: events were removed from the end",
        )  # fmt: skip
    return VerifyResult(True, checked, head_sequence, head_hash)
