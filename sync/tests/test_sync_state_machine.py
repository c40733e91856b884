"""A Hypothesis state machine over the sync protocol (issue 13): several devices of one worker, each a Python client
that applies pulls to a local dict and keeps an outbox, and a server where others edit the same records and the
caseload changes. Requests are duplicated, reordered, dropped (the answer lost on the way back) and retried.

After every step:
- nothing is duplicated: each case note a device recorded exists at most once, and exactly once when the server
  kept its mutation as applied;
- nothing is silently overwritten: a model of each child's editable fields, changed by the server's edits and by the
  device edits the server applied, predicts the server's values field by field (a device's value lands only where the
  server still had the value the device started from; otherwise a conflict is kept with both values), and the
  conflicts kept are exactly those the model predicts;
- a device that syncs (pushes its outbox, pulls to the end) holds exactly the server's records for its scope: the
  same (type, id, version) set, the scope checksum the server computes, and the model's values.

It commits (the pull serves only committed transactions), so each example makes its own worker and children."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from accounts import access
from accounts.models import Role, Team
from conftest import make_user
from people.models import Basis, Involvement, Person
from people.services import person_update
from people.tests.factories import person
from recording.models import CaseNote
from sync import records
from sync.models import Conflict, Mutation

from .helpers import DeviceClient

pytestmark = pytest.mark.usefixtures("allow_audit_flush")

FIELDS = ["preferred_name", "first_language"]
VALUES = ["", "Millie", "Mel", "Welsh", "Polish", "Amelia"]
DEVICES = 3
CHILDREN = 3
run = itertools.count()


class Device:
    """The app, reduced to what the protocol needs: a store of records, a cursor, an outbox."""

    def __init__(self, user: Any) -> None:
        self.client = DeviceClient(user)
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.cursor: str | None = None
        self.outbox: list[dict[str, Any]] = []

    def checksum(self) -> str:
        return records.checksum_of((t, i, r["version"]) for (t, i), r in self.store.items())

    def ask(self, limit: int) -> tuple[str | None, dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if self.cursor:
            params |= {"cursor": self.cursor, "checksum": self.checksum()}
        r = self.client.pull(**params)
        assert r.status_code == 200, r.content
        return self.cursor, r.json()

    def apply(self, asked_with: str | None, body: dict[str, Any]) -> None:
        """Apply an answer, unless it answers a request made from an older cursor (a stale or repeated answer)."""
        if asked_with != self.cursor:
            return
        if body.get("reset"):
            self.store, self.cursor = {}, None
            return
        for e in body["evictions"]:
            if "person_id" in e:
                self.store = {k: v for k, v in self.store.items() if v["person_id"] != e["person_id"]}
            else:
                self.store.pop((e["type"], e["id"]), None)
        for r in body["upserts"]:
            held = self.store.get((r["type"], r["id"]))
            if held is None or held["version"] <= r["version"]:
                self.store[(r["type"], r["id"])] = r
        self.cursor = body["cursor"]

    def person(self, pk: int) -> dict[str, Any] | None:
        return self.store.get(("person", str(pk)))


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        n = next(run)
        team = Team.objects.create(name=f"Sync team {n} {uuid.uuid4().hex[:6]}")
        tag = uuid.uuid4().hex[:8]
        self.worker = make_user(f"worker.{tag}@example.test", team, Role.SOCIAL_WORKER, mfa=True)
        self.manager = make_user(f"manager.{tag}@example.test", team, Role.TEAM_MANAGER, mfa=True)
        self.children = [person(f"Child{i}", f"Sync{tag}") for i in range(CHILDREN)]
        self.allocations = [
            Involvement.objects.create(
                person=c, user=self.worker, basis=Basis.ALLOCATED, source=f"sm:{tag}:{c.pk}", started_at=timezone.now()
            )
            for c in self.children
        ]
        self.in_scope = [True] * CHILDREN
        self.devices = [Device(self.worker) for _ in range(DEVICES)]
        self.model = {c.pk: dict.fromkeys(FIELDS, "") for c in self.children}
        self.expected_conflicts = 0
        self.notes_made: set[str] = set()
        self.seen_mutations: set[str] = set()
        for d in self.devices:
            self.sync_fully(d)

    # --- the server --------------------------------------------------------------------------------------------

    @rule(child=st.integers(0, CHILDREN - 1), field=st.sampled_from(FIELDS), value=st.sampled_from(VALUES))
    def server_edit(self, child: int, field: str, value: str) -> None:
        p = Person.objects.get(pk=self.children[child].pk)
        person_update(actor=self.manager, person=p, **{field: value})
        self.model[p.pk][field] = value

    @rule(child=st.integers(0, CHILDREN - 1))
    def caseload_changes(self, child: int) -> None:
        """The child leaves the worker's caseload (long enough ago that no grace period lets them see it), or comes
        back."""
        self.in_scope[child] = not self.in_scope[child]
        ended = None if self.in_scope[child] else timezone.now() - timedelta(days=400)
        Involvement.objects.filter(pk=self.allocations[child].pk).update(ended_at=ended)
        access.forget(self.worker)

    # --- a device offline ----------------------------------------------------------------------------------------

    @rule(d=st.integers(0, DEVICES - 1), child=st.integers(0, CHILDREN - 1), field=st.sampled_from(FIELDS),
          value=st.sampled_from(VALUES))  # fmt: skip
    def device_edit(self, d: int, child: int, field: str, value: str) -> None:
        device = self.devices[d]
        held = device.person(self.children[child].pk)
        if held is None:
            return
        base = held["data"]["editable"][field]
        if base == value:
            return
        device.outbox.append(
            {
                "id": str(uuid.uuid4()),
                "type": "person",
                "action": "update",
                "record_id": str(self.children[child].pk),
                "base_version": held["version"],
                "fields": {field: value},
                "base": {field: base},
            }
        )
        held["data"]["editable"][field] = value  # shown on the device at once

    @rule(d=st.integers(0, DEVICES - 1), child=st.integers(0, CHILDREN - 1))
    def device_note(self, d: int, child: int) -> None:
        device = self.devices[d]
        if device.person(self.children[child].pk) is None:
            return
        subject = f"Note {uuid.uuid4().hex[:10]}"
        self.notes_made.add(subject)
        device.outbox.append(
            {
                "id": str(uuid.uuid4()),
                "type": "case_note",
                "action": "create",
                "fields": {
                    "person_id": self.children[child].pk,
                    "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
                    "subject": subject,
                    "body": "Seen at home.",
                },
            }
        )

    # --- the network ----------------------------------------------------------------------------------------------

    @precondition(lambda self: any(d.outbox for d in self.devices))
    @rule(
        d=st.integers(0, DEVICES - 1),
        reorder=st.booleans(),
        duplicate=st.booleans(),
        drop=st.booleans(),
        take=st.integers(1, 5),
    )
    def push(self, d: int, reorder: bool, duplicate: bool, drop: bool, take: int) -> None:
        device = self.devices[d]
        batch = device.outbox[:take]
        if not batch:
            return
        if reorder:
            batch = list(reversed(batch))
        r = device.client.push(batch)
        assert r.status_code == 200, r.content
        self.learn(batch)
        if duplicate:
            again = device.client.push(batch)
            assert again.json() == r.json(), "a repeated batch must be answered as the first time"
        if drop:
            return  # the answer is lost: the outbox keeps the batch, to be sent again
        answered = {res["id"] for res in r.json()["results"]}
        device.outbox = [m for m in device.outbox if m["id"] not in answered]

    @rule(d=st.integers(0, DEVICES - 1), drop=st.booleans(), duplicate=st.booleans(), limit=st.sampled_from([3, 50]))
    def pull(self, d: int, drop: bool, duplicate: bool, limit: int) -> None:
        device = self.devices[d]
        asked_with, body = device.ask(limit)
        if duplicate:
            again_with, again = device.ask(limit)  # the same request, sent again: answered the same way
            assert again_with == asked_with
            if not drop:
                device.apply(again_with, again)
        if not drop:
            device.apply(asked_with, body)  # stale if the duplicate was applied first: ignored

    @rule(d=st.integers(0, DEVICES - 1))
    def sync_and_check(self, d: int) -> None:
        device = self.devices[d]
        self.sync_fully(device)
        self.check_converged(device)

    # --- what the server did, as the model sees it ----------------------------------------------------------------

    def learn(self, batch: list[dict[str, Any]]) -> None:
        """Fold the mutations the server kept (applied now, or before when an answer was lost) into the model, in
        the order the server applied them, checking each result against the model's prediction."""
        kept = {str(m.pk): m for m in Mutation.objects.filter(pk__in=[b["id"] for b in batch])}
        for m in batch:
            if m["id"] in self.seen_mutations or m["id"] not in kept:
                continue
            self.seen_mutations.add(m["id"])
            status = kept[m["id"]].status
            if m["type"] != "person":
                continue
            if status == "rejected":
                assert "caseload" in kept[m["id"]].result["reason"], kept[m["id"]].result
                continue
            values = self.model[int(m["record_id"])]
            conflicts = applied = 0
            for f, v in m["fields"].items():
                if values[f] == v:
                    continue
                if values[f] == m["base"][f]:
                    values[f] = v
                    applied += 1
                else:
                    conflicts += 1
            self.expected_conflicts += conflicts
            if conflicts and not applied:
                assert status == "conflict", (status, m)
            elif conflicts:
                assert status == "merged", (status, m)
            else:
                assert status in ("applied", "merged"), (status, m)

    # --- syncing a device to the end -------------------------------------------------------------------------------

    def sync_fully(self, device: Device) -> None:
        for _ in range(50):
            if not device.outbox:
                break
            batch = device.outbox[:20]
            r = device.client.push(batch)
            assert r.status_code == 200, r.content
            self.learn(batch)
            answered = {res["id"] for res in r.json()["results"]}
            device.outbox = [m for m in device.outbox if m["id"] not in answered]
        for _ in range(50):
            asked_with, body = device.ask(500)
            device.apply(asked_with, body)
            if not body["has_more"] and not body.get("reset"):
                return
        raise AssertionError("the pull did not come to an end")

    def check_converged(self, device: Device) -> None:
        assert not device.outbox
        scope = sorted(access.offline_people(self.worker).values_list("pk", flat=True))
        assert scope == sorted(c.pk for c, inside in zip(self.children, self.in_scope, strict=True) if inside)
        ctx = records.Context(user=self.worker, today=timezone.localdate())
        assert device.checksum() == records.scope_checksum(scope, ctx), "the device differs from the server"
        held_people = {r["person_id"] for r in device.store.values()} - {None}
        assert held_people <= set(scope)
        for pk in scope:
            held = device.person(pk)
            assert held is not None
            assert {f: held["data"]["editable"][f] for f in FIELDS} == self.model[pk]

    # --- after every step ------------------------------------------------------------------------------------------

    @invariant()
    def nothing_duplicated_and_nothing_lost(self) -> None:
        tag = self.children[0].family_name
        subjects = list(CaseNote.objects.filter(person__family_name=tag).values_list("subject", flat=True))
        assert len(subjects) == len(set(subjects)), "a case note was written twice"
        applied = {
            m.result["record"]["data"]["subject"]
            for m in Mutation.objects.filter(user=self.worker, type="case_note", status="applied")
        }
        assert set(subjects) == applied, "every case note the server kept as applied exists, and no other"
        assert applied <= self.notes_made

    @invariant()
    def nothing_silently_overwritten(self) -> None:
        for c in self.children:
            p = Person.objects.get(pk=c.pk)
            assert {f: getattr(p, f) for f in FIELDS} == self.model[c.pk]
        assert Conflict.objects.filter(user=self.worker).count() == self.expected_conflicts

    def teardown(self) -> None:
        for device in self.devices:
            self.sync_fully(device)
            self.check_converged(device)


def test_sync_survives_duplicated_reordered_dropped_and_retried_requests() -> None:
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=8,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
