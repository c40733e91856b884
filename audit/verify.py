"""Recomputing the audit hash chain.

Reads events in chain order with a server-side cursor, recomputes each hash from the payload the database renders
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


def verify_chain(progress: Callable[[int], None] | None = None, batch: int = 20000) -> VerifyResult:
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.chunked_cursor() as cur:
        if not outer:
            # One snapshot for the head and the events, so events committed meanwhile do not look like tampering.
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cur.execute("SELECT last_event_id, last_hash FROM audit_chainhead WHERE id = 1")
        head = cur.fetchone() or (0, GENESIS)
        cur.execute(
            "SELECT e.id, e.sequence, e.prev_hash, e.hash, audit_event_payload(e) FROM audit_auditevent e "
            "ORDER BY e.sequence NULLS FIRST"
        )
        while rows := cur.fetchmany(batch):
            for event_id, seq, prev_hash, stored_hash, payload in rows:
                if seq != expected_seq:
                    return VerifyResult(
                        False, checked, head[0], head[1], seq, event_id,
                        f"event {event_id} has chain position {seq}, expected {expected_seq}: an event is missing",
                    )  # fmt: skip
                if prev_hash != expected_prev:
                    return VerifyResult(
                        False, checked, head[0], head[1], seq, event_id,
                        f"event {event_id} (position {seq}) does not link to the event before it",
                    )  # fmt: skip
                if hashlib.sha256(payload.encode("utf-8")).hexdigest() != stored_hash:
                    return VerifyResult(
                        False, checked, head[0], head[1], seq, event_id,
                        f"event {event_id} (position {seq}) was altered: its contents no longer match its hash",
                    )  # fmt: skip
                expected_prev = stored_hash
                expected_seq += 1
                checked += 1
            if progress:
                progress(checked)
    if (checked, expected_prev) != (head[0], head[1]):
        return VerifyResult(
            False, checked, head[0], head[1], checked + 1, None,
            f"the chain ends at position {checked} but the chain head says {head[0]}: events were removed from the end",
        )  # fmt: skip
    return VerifyResult(True, checked, head[0], head[1])
