"""Offline sync, the server side (issue 13, "Speed and size"): bytes and requests of a 25-child caseload.

    .venv/bin/python bench/sync.py [--data-dir var/bench-sync] [--children 25] [--devices 300] [--threads 8]

Uses a data folder of its own (its own embedded PostgreSQL), migrates it, and builds once a worker's caseload of
`--children` children, each with two parents, warnings, about 60 case notes and 15 visits written through
recording's services (so each has its chronology entry and audit event): about 3,000 records on a device. The text of
notes is drawn at random from the words the demo authority's stories use, so it compresses as real notes do, not
as repeated text would. Then, through Django's test client as the app would call (an API token with the `sync` scope
and a registered device):
- first download: requests (limit 1000) and bytes on the wire (brotli, as the app's browser asks; gzip too), and the
  same records as plain JSON gzip-compressed, the practical floor (aim: within 1.3 times);
- a sync with nothing changed: requests and bytes (aim: 1 request under 1 KB);
- 20 changes made on the server (10 case notes, 10 edits of people's details): bytes of the sync that brings them;
- pushing 10 edits: 1 request, bytes both ways;
- many devices syncing at once (`--devices`, by `--threads` at a time, each thread its own database connection):
  errors, queries per sync and the server's CPU time per sync. Wall-clock times are printed too, but on a machine
  shared with other work only the CPU time and the bytes mean anything.
Bytes are the response bodies; HTTP headers add about 900 bytes a request (Casework's security headers). The time
over a throttled 400 kbit/s link is bench/sync_link.py's; 300 devices against the large authority, bench/sync_large.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from common import ROOT, percentile, setup_django, write_result

MARK = "bench-sync"


def vocabulary() -> list[str]:
    words = re.findall(r"[A-Za-z']{3,}", (ROOT / "demo" / "texts.py").read_text())
    return [w.lower() for w in words if not w.isupper()]


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    out = " ".join(rng.choice(words) for _ in range(n))
    return out[:1].upper() + out[1:] + "."


def build(children: int) -> tuple[Any, list[int]]:
    """The worker and their caseload (made once; found again on later runs)."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils import timezone

    from accounts import access
    from accounts.models import Role, Team, User
    from accounts.services import membership_add
    from cases import services as cases
    from people import services as people
    from people.models import PersonIdentifier
    from recording import services as recording

    user = User.objects.filter(email="sync.bench@example.test").first()
    if user is not None:
        return user, list(access.offline_people(user).values_list("pk", flat=True))
    team = Team.objects.create(name="Sync bench team")
    user = User.objects.create_user(
        username="sync.bench@example.test", email="sync.bench@example.test", password="x" * 20, first_name="Sam"
    )
    membership_add(actor=None, user=user, team=team, role=Role.SOCIAL_WORKER)
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    manager = User.objects.create_user(
        username="sync.manager@example.test", email="sync.manager@example.test", password="x" * 20, first_name="Mo"
    )
    membership_add(actor=None, user=manager, team=team, role=Role.TEAM_MANAGER)
    rng = random.Random(13)
    words = vocabulary()
    now = timezone.now()
    t0 = time.perf_counter()
    ids: list[int] = []
    for c in range(children):
        family = rng.choice(["Hughes", "Khan", "Okafor", "Nowak", "Smith", "Jones", "Patel", "Evans"]) + str(c)
        child = people.person_create(
            actor=None, given_name=rng.choice(["Amelia", "Noah", "Leo", "Ava", "Isla"]), family_name=family,
            date_of_birth=date(2012 + c % 10, 1 + c % 12, 1 + c % 27),
        )  # fmt: skip
        people.identifier_add(actor=None, person=child, type="legacy", value=f"{MARK}-{c}")
        ids.append(child.pk)
        for role in ("parent", "parent"):
            parent = people.person_create(
                actor=None, given_name=rng.choice(["Karen", "Tom", "Aisha", "Piotr"]), family_name=family,
                date_of_birth=date(1985, 5, 5),
            )  # fmt: skip
            people.relationship_create(
                actor=None, person=parent, other=child, type=role, parental_responsibility=True, lives_with=True
            )
            ids.append(parent.pk)
        # Allocated through the journey's services: the access rule's rows follow (the parents' through the child).
        today = timezone.localdate()
        cases.referral_create(
            actor=manager, person=child, referral_date=today - timedelta(days=420), source="2A", primary_need="N1",
            team=team,
        )  # fmt: skip
        cases.allocate(actor=manager, person=child, worker=user, started_on=today - timedelta(days=419), reason="New")
        people.warning_add(
            actor=None, person=child, type="dog", details=sentence(rng, words, 8), review_on=date.today() + timedelta(days=90)
        )  # fmt: skip
        for i in range(60):
            recording.case_note_create(
                actor=None, person=child, occurred_at=now - timedelta(days=400 - i * 6, hours=i % 7),
                subject=sentence(rng, words, 4)[:-1], body=" ".join(sentence(rng, words, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))),
            )  # fmt: skip
        for i in range(15):
            recording.visit_record(
                actor=None, person=child, occurred_at=now - timedelta(days=380 - i * 25), visit_type="home",
                child_seen=True, seen_alone=i % 2 == 0, notes=" ".join(sentence(rng, words, 14) for _ in range(3)),
            )  # fmt: skip
        assert PersonIdentifier.objects.filter(person=child).exists()
    print(f"built a caseload of {children} children (and their parents) in {time.perf_counter() - t0:.0f} s")
    return user, ids


class App:
    """The app's side of the protocol, counting requests and bytes."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.cursor: str | None = None
        self.requests = 0
        self.bytes = 0
        self.gzip_bytes = 0

    def checksum(self) -> str:
        from sync.records import checksum_of

        return checksum_of((t, i, r["version"]) for (t, i), r in self.store.items())

    def pull_all(self, limit: int = 1000) -> dict[str, Any]:
        import brotli

        while True:
            params: dict[str, Any] = {"limit": limit}
            if self.cursor:
                params |= {"cursor": self.cursor, "checksum": self.checksum()}
            r = self.client.get("/api/v1/sync/pull", params, headers={**self.headers, "Accept-Encoding": "br, gzip"})
            assert r.status_code == 200, r.content[:300]
            assert r.get("Content-Encoding") == "br" or len(r.content) <= 200, r.content[:300]
            raw = brotli.decompress(r.content) if r.get("Content-Encoding") == "br" else r.content
            self.requests += 1
            self.bytes += len(r.content)
            self.gzip_bytes += len(gzip.compress(raw, 6)) if len(raw) > 200 else len(raw)
            body = json.loads(raw)
            for e in body["evictions"]:
                self.store.pop((e.get("type"), e.get("id")), None)
            for rec in body["upserts"]:
                self.store[(rec["type"], rec["id"])] = rec
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return body

    def reset_counts(self) -> None:
        self.requests = self.bytes = self.gzip_bytes = 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/bench-sync")
    ap.add_argument("--children", type=int, default=25)
    ap.add_argument("--devices", type=int, default=300)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    setup_django(args.data_dir)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.tokens import token_issue
    from people.models import Person
    from people.services import person_update
    from recording import services as recording
    from sync.services import device_register

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    user, people_ids = build(args.children)
    _, secret = token_issue(actor=None, user=user, name=f"bench {uuid.uuid4().hex[:6]}", scopes=["sync"], days=1)
    device = device_register(actor=user, name="Bench tablet")
    headers = {"Authorization": f"Bearer {secret}", "X-Casework-Device": str(device.pk)}
    app = App(Client(), headers)

    # First download.
    c0 = time.process_time()
    app.pull_all()
    first_cpu = time.process_time() - c0
    records = list(app.store.values())
    plain = json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode()
    first: dict[str, Any] = {
        "records": len(records),
        "requests": app.requests,
        "bytes_brotli": app.bytes,
        "bytes_gzip": app.gzip_bytes,
        "plain_json_bytes": len(plain),
        "plain_json_gzip_bytes": len(gzip.compress(plain, 6)),
        "server_cpu_s": round(first_cpu, 2),
    }
    first["ratio_to_gzip_of_plain_json"] = round(first["bytes_brotli"] / first["plain_json_gzip_bytes"], 3)
    by_type: dict[str, int] = {}
    for r in records:
        by_type[r["type"]] = by_type.get(r["type"], 0) + 1
    first["by_type"] = by_type

    # Nothing changed.
    app.reset_counts()
    app.pull_all()
    nothing = {"requests": app.requests, "bytes": app.bytes}

    # 20 changes on the server.
    children = list(Person.objects.filter(pk__in=people_ids).order_by("pk")[:10])
    for i, child in enumerate(children):
        recording.case_note_create(
            actor=None, person=child, occurred_at=timezone.now() - timedelta(minutes=5), subject=f"Call {i}",
            body="Mum rang to say the appointment moved to Thursday; I agreed to visit after school.",
        )  # fmt: skip
        person_update(actor=None, person=child, preferred_name=f"Name {i}")
    app.reset_counts()
    app.pull_all()
    twenty = {"changes": 20, "requests": app.requests, "bytes": app.bytes}

    # Pushing 10 edits.
    batch = [
        {"id": str(uuid.uuid4()), "type": "person", "action": "update", "record_id": str(c.pk),
         "base_version": app.store[("person", str(c.pk))]["version"], "fields": {"first_language": "Welsh"},
         "base": {"first_language": app.store[("person", str(c.pk))]["data"]["editable"]["first_language"]}}
        for c in children
    ]  # fmt: skip
    body = json.dumps({"mutations": batch}).encode()
    c0 = time.process_time()
    r = app.client.post("/api/v1/sync/push", body, content_type="application/json", headers=headers)
    push_cpu = time.process_time() - c0
    assert r.status_code == 200, r.content[:300]
    statuses = sorted({x["status"] for x in r.json()["results"]})
    push = {
        "edits": 10,
        "requests": 1,
        "request_bytes": len(body),
        "request_bytes_gzip": len(gzip.compress(body)),
        "response_bytes": len(r.content),
        "statuses": statuses,
        "server_cpu_s": round(push_cpu, 3),
    }
    app.pull_all()

    # Many devices at once (bounded): each a registered device doing a sync with nothing changed.
    devices = [device_register(actor=user, name=f"Bench device {i}") for i in range(args.devices)]
    cursors: dict[str, str] = {}
    for d in devices:  # each device's first download is not what is measured: start them all at the same point
        cursors[str(d.pk)] = ""
    tokens = {"Authorization": f"Bearer {secret}"}
    prepared = []
    for d in devices:
        h = {**tokens, "X-Casework-Device": str(d.pk)}
        one = App(Client(), h)
        one.pull_all()
        prepared.append(one)
    connection.close()
    lock = threading.Lock()
    walls: list[float] = []
    queries: list[int] = []
    errors: list[str] = []

    def sync(one: App) -> None:
        from django.db import connection as conn
        from django.db import reset_queries

        try:
            t = time.perf_counter()
            with CountQueries() as counted:
                body = one.pull_all()
            took = time.perf_counter() - t
            with lock:
                walls.append(took)
                queries.append(counted.n)
                if body["upserts"] or body["evictions"]:
                    errors.append("a device with nothing to change was sent something")
        except Exception as e:
            with lock:
                errors.append(repr(e)[:200])
        finally:
            reset_queries()
            conn.close()

    c0 = time.process_time()
    w0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        list(pool.map(sync, prepared))
    total_wall = time.perf_counter() - w0
    total_cpu = time.process_time() - c0
    many = {
        "devices": args.devices,
        "at_once": args.threads,
        "errors": len(errors),
        "first_errors": errors[:3],
        "queries_per_sync": sorted(set(queries)),
        "server_cpu_ms_per_sync": round(total_cpu / max(1, args.devices) * 1000, 1),
        "wall_p95_ms_shared_machine": round(percentile([w * 1000 for w in walls], 95), 1),
        "wall_total_s_shared_machine": round(total_wall, 1),
    }
    result = {"first_download": first, "nothing_changed": nothing, "twenty_changes": twenty, "push_ten": push,
              "many_devices": many}  # fmt: skip
    print(f"Offline sync of a caseload of {args.children} children ({first['records']:,} records on the device)")
    print(
        f"  first download: {first['requests']} requests, {first['bytes_brotli'] / 1024:.0f} KB brotli "
        f"({first['bytes_gzip'] / 1024:.0f} KB gzip), plain JSON {first['plain_json_bytes'] / 1024:.0f} KB, "
        f"gzip of it {first['plain_json_gzip_bytes'] / 1024:.0f} KB: {first['ratio_to_gzip_of_plain_json']}x; "
        f"server CPU {first['server_cpu_s']} s"
    )
    print(f"  nothing changed: {nothing['requests']} request, {nothing['bytes']} bytes")
    print(f"  20 changes: {twenty['requests']} request(s), {twenty['bytes']} bytes")
    print(
        f"  push 10 edits: 1 request, {push['request_bytes']} bytes up ({push['request_bytes_gzip']} gzip), "
        f"{push['response_bytes']} bytes back, {statuses}, server CPU {push['server_cpu_s']} s"
    )
    print(
        f"  {args.devices} devices, {args.threads} at once: {many['errors']} errors, queries per sync "
        f"{many['queries_per_sync']}, server CPU {many['server_cpu_ms_per_sync']} ms per sync "
        f"(wall p95 {many['wall_p95_ms_shared_machine']} ms on a shared machine)"
    )
    path = write_result("sync", result)
    print(f"  written to {Path(path).relative_to(ROOT)}")


class CountQueries:
    """Counts the SQL statements run on this thread's connection."""

    def __enter__(self) -> CountQueries:
        from django.db import connection

        self.n = 0
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)


if __name__ == "__main__":
    main()
