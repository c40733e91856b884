"""300 devices syncing at once against the large authority (issue 13, "Speed and size", the server's side).

    .venv/bin/python bench/sync_large.py --data-dir /tmp/large10 [--workers 300] [--caseload 12] [--web-workers 5]

Against a data folder holding the large seed (`casework seed --size large`; migrated here first):
1. Once (found again on later runs): `--workers` social workers in a team of their own, each allocated `--caseload`
   children who have case notes and no worker yet (allocations written in bulk, then the access rule's rows rebuilt by
   people.involvement.refresh, as an import does). Each run gives each worker a new API token (`sync` scope) and a
   new registered device, and removes the devices of earlier runs (so they hold nothing back).
2. Casework's gunicorn (`--web-workers` sync workers, the `casework serve` default on 2 cores: 5) on 127.0.0.1, its
   access log timing every request (`%(D)s`, microseconds: the server's own time, not the queue before it).
3. Each device's first download (8 at a time): records, bytes, the server's CPU per download.
4. Server-side edits: a case note on one child of every worker, and a changed preferred name on every tenth worker's
   child (through the services, with their audit).
5. All devices sync at once (each its own thread and connection, released together): the sync's wall clock as the
   device sees it (queueing behind the bounded pool of web workers included), the server's time per request, errors
   (an answer other than 200, a checksum that does not agree, a missed change), and the CPU time of gunicorn and
   PostgreSQL per sync. Queries per incremental sync are counted in this process for 20 devices afterwards.
6. `sync prune` on the large authority afterwards: what it deleted and its CPU time.
The machine is shared: the CPU time per sync and the queries are what the other work does not change; the wall-clock
numbers are printed beside them and say "shared machine". Writes bench/results/sync-large.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, percentile, setup_django, write_result
from sync_link import Client, checksum_of, postmaster_pid, start_server, stop_server, tree_cpu

MARK = "sync.large"


def prepare(workers: int, caseload: int) -> list[Any]:
    """The workers and their caseloads (made once)."""
    from django.db import connection, transaction
    from django.db.models import Count, Exists, OuterRef
    from django.utils import timezone

    from accounts.models import Role, Team, User
    from accounts.services import membership_add
    from cases.models import Allocation
    from people import involvement
    from people.models import Person
    from recording.models import CaseNote

    users = list(User.objects.filter(email__startswith=MARK).order_by("pk"))
    if len(users) >= workers:
        return users[:workers]
    t0 = time.perf_counter()
    team = Team.objects.filter(name="Sync large bench team").first() or Team.objects.create(
        name="Sync large bench team"
    )
    for i in range(len(users), workers):
        email = f"{MARK}.{i}@example.test"
        user = User.objects.create_user(username=email, email=email, password="x" * 20, first_name=f"Worker {i}")
        membership_add(actor=None, user=user, team=team, role=Role.SOCIAL_WORKER)
        users.append(user)
    allocated = Allocation.objects.filter(person_id=OuterRef("pk"), ended_on__isnull=True)
    with_notes = (
        CaseNote.objects.values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=20)
        .values_list("person_id", flat=True)
    )
    children = list(
        Person.objects.filter(pk__in=with_notes, is_restricted=False)
        .exclude(Exists(allocated))
        .order_by("pk")
        .values_list("pk", flat=True)[: workers * caseload]
    )
    if len(children) < workers * caseload:
        raise SystemExit(f"only {len(children)} children with case notes and no worker; ask for a smaller caseload")
    today = timezone.localdate()
    with transaction.atomic():
        Allocation.objects.bulk_create(
            Allocation(person_id=p, worker=users[k // caseload], team=team, started_on=today - timedelta(days=100),
                       reason="Sync bench caseload")
            for k, p in enumerate(children)
        )  # fmt: skip
    for start in range(0, len(children), 500):
        with transaction.atomic():
            involvement.refresh(children[start : start + 500])
    connection.close()
    print(f"allocated {len(children):,} children to {workers} workers in {time.perf_counter() - t0:.0f} s")
    return users


class Tablet:
    def __init__(self, user: Any, token: str, device_id: str, children: list[int]) -> None:
        self.user, self.token, self.device_id, self.children = user, token, device_id, children
        self.state: dict[str, Any] = {"store": {}, "cursor": None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/tmp/large10")  # noqa: S108 (the large seed's folder, not a temporary file)
    ap.add_argument("--workers", type=int, default=300)
    ap.add_argument("--caseload", type=int, default=12)
    ap.add_argument("--web-workers", type=int, default=5)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--limit", type=int, default=1000)
    args = ap.parse_args()
    setup_django(args.data_dir)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts import access
    from accounts.tokens import token_issue
    from people.models import Person
    from people.services import person_update
    from recording import services as recording
    from sync import prune
    from sync.models import Change
    from sync.models import Device as DeviceRow
    from sync.services import device_register, device_revoke

    setup_test_environment()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    print(f"migrated in {time.perf_counter() - t0:.0f} s")
    users = prepare(args.workers, args.caseload)
    for old in DeviceRow.objects.filter(user__in=users, revoked_at=None).select_related("user"):
        device_revoke(actor=old.user, device=old, reason="An earlier run of the sync bench")
    devices = []
    for u in users:
        _, secret = token_issue(actor=None, user=u, name=f"large {uuid.uuid4().hex[:6]}", scopes=["sync"], days=1)
        row = device_register(actor=u, name="Bench tablet")
        kids = sorted(
            access.offline_people(u)
            .filter(allocations__worker=u, allocations__ended_on=None)
            .values_list("pk", flat=True)
        )
        devices.append(Tablet(u, secret, str(row.pk), kids))
    connection.close()

    tmp = tempfile.TemporaryDirectory(prefix="sync-large-")
    log = Path(tmp.name) / "access.log"
    server = start_server(
        "127.0.0.1", args.port, workers=args.web_workers,
        extra=("--access-logfile", str(log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"),
    )  # fmt: skip
    pg = postmaster_pid()

    def cpu() -> float:
        return tree_cpu(server.pid) + tree_cpu(pg)

    def server_times(since: int) -> list[float]:
        lines = log.read_text().splitlines()[since:]
        return [int(x.split()[3]) / 1e6 for x in lines if "/api/v1/sync/" in x]

    def log_lines() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0

    result: dict[str, Any] = {
        "data_dir": args.data_dir,
        "people_in_database": Person.objects.count(),
        "devices": len(devices),
        "caseload_children": args.caseload,
        "web_workers": args.web_workers,
        "machine_note": "a shared 2-core machine, busy with other sessions' work: CPU time and queries are robust, "
        "wall-clock times are not",
    }
    try:
        # First downloads, 8 at a time.
        errors: list[str] = []
        lock = threading.Lock()
        firsts: list[dict[str, Any]] = []

        def first(d: Tablet) -> None:
            c = Client("127.0.0.1", args.port, d.token, d.device_id)
            t = time.perf_counter()
            try:
                c.pull_all(d.state, args.limit)
                with lock:
                    firsts.append({"seconds": time.perf_counter() - t, "records": len(d.state["store"]),
                                   "requests": c.requests, "bytes": c.body_bytes, "ok": d.state.get("checksum_ok")})  # fmt: skip
            except BaseException as e:
                with lock:
                    errors.append(f"first download: {e!r}"[:300])

        from concurrent.futures import ThreadPoolExecutor

        c0, n0, w0 = cpu(), log_lines(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(first, devices))
        first_cpu, first_wall = cpu() - c0, time.perf_counter() - w0
        result["first_download"] = {
            "devices": len(firsts),
            "errors": len(errors),
            "first_errors": errors[:3],
            "checksums_agree": sum(1 for f in firsts if f["ok"]),
            "records_per_device_median": statistics.median(f["records"] for f in firsts) if firsts else None,
            "records_per_device_max": max((f["records"] for f in firsts), default=None),
            "requests_per_device_max": max((f["requests"] for f in firsts), default=None),
            "bytes_per_device_median": statistics.median(f["bytes"] for f in firsts) if firsts else None,
            "server_cpu_s_per_download": round(first_cpu / max(1, len(firsts)), 3),
            "server_time_ms_per_request_p95": round(percentile([t * 1000 for t in server_times(n0)], 95), 1),
            "wall_total_s_shared_machine": round(first_wall, 1),
        }
        print(f"first downloads: {result['first_download']}")

        # Edits on the server.
        stamp = uuid.uuid4().hex[:4]
        expected: dict[str, set[tuple[str, str]]] = {}
        for k, d in enumerate(devices):
            child = Person.objects.get(pk=d.children[0])
            n = recording.case_note_create(
                actor=None, person=child, occurred_at=timezone.now() - timedelta(minutes=3), subject=f"Rang {stamp}",
                body="Dad rang: the school nurse will be at Thursday's meeting.",
            )  # fmt: skip
            expected[d.device_id] = {("case_note", str(n.pk))}
            if k % 10 == 0:
                person_update(actor=None, person=child, preferred_name=f"Sunny {stamp}")
                expected[d.device_id].add(("person", str(child.pk)))
        connection.close()
        time.sleep(0.5)

        # All at once.
        walls: dict[str, float] = {}
        errors = []
        barrier = threading.Barrier(len(devices))

        def incremental(d: Tablet) -> None:
            c = Client("127.0.0.1", args.port, d.token, d.device_id)
            try:
                barrier.wait(timeout=120)
                t = time.perf_counter()
                before = set(d.state["store"])
                c.pull_all(d.state, args.limit)
                took = time.perf_counter() - t
                got = {tuple(k.split(" ", 1)) for k in d.state["store"]} - {tuple(k.split(" ", 1)) for k in before}
                problems = []
                if not d.state.get("checksum_ok"):
                    problems.append("the checksum does not agree")
                missed = {k for k in expected[d.device_id] if f"{k[0]} {k[1]}" not in d.state["store"]}
                if missed:
                    problems.append(f"missed {sorted(missed)}")
                with lock:
                    walls[d.device_id] = took
                    errors.extend(f"device {d.device_id[:8]}: {p}" for p in problems)
                    del got
            except BaseException as e:
                with lock:
                    errors.append(f"incremental: {e!r}"[:300])

        threads = [threading.Thread(target=incremental, args=(d,)) for d in devices]
        c0, n0, w0 = cpu(), log_lines(), time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        inc_cpu, inc_wall = cpu() - c0, time.perf_counter() - w0
        time.sleep(0.5)
        served = server_times(n0)
        wall_ms = [w * 1000 for w in walls.values()]
        result["all_at_once"] = {
            "devices": len(devices),
            "syncs_done": len(walls),
            "errors": len(errors),
            "first_errors": errors[:5],
            "requests": len(served),
            "server_cpu_ms_per_sync": round(inc_cpu / max(1, len(walls)) * 1000, 1),
            "server_time_ms_per_request": {
                "p50": round(percentile([s * 1000 for s in served], 50), 1),
                "p95": round(percentile([s * 1000 for s in served], 95), 1),
                "max": round(max(served) * 1000, 1) if served else None,
            },
            "device_wall_ms_shared_machine": {
                "p50": round(percentile(wall_ms, 50), 1),
                "p95": round(percentile(wall_ms, 95), 1),
                "max": round(max(wall_ms), 1) if wall_ms else None,
            },
            "wall_total_s_shared_machine": round(inc_wall, 2),
        }
        print(f"all at once: {json.dumps(result['all_at_once'], indent=1)}")
    finally:
        stop_server(server)
        tmp.cleanup()

    # Queries per incremental sync, counted in this process for 20 devices (after one more edit each).
    from sync_link import load_bench_sync

    counter = load_bench_sync().CountQueries
    counts = []
    for d in devices[:20]:
        child = Person.objects.get(pk=d.children[1 % len(d.children)])
        recording.case_note_create(
            actor=None, person=child, occurred_at=timezone.now() - timedelta(minutes=2), subject="Texted",
            body="Texted mum to confirm Thursday.",
        )  # fmt: skip
    time.sleep(0.2)
    for d in devices[:20]:
        client = DjangoClient()
        headers = {"Authorization": f"Bearer {d.token}", "X-Casework-Device": d.device_id}
        with counter() as counted:
            r = client.get(
                "/api/v1/sync/pull",
                {"limit": args.limit, "cursor": d.state["cursor"], "checksum": checksum_of(d.state["store"])},
                headers=headers,
            )
        assert r.status_code == 200, r.content[:300]
        counts.append(counted.n)
    result["all_at_once"]["queries_per_sync"] = sorted(set(counts))

    # Pruning the change log of the large authority, after all that.
    before = Change.objects.count()
    c0 = time.process_time()
    w0 = time.perf_counter()
    report = prune.sync_prune(actor=None)
    result["prune"] = {
        "change_log_rows_before": before,
        **report.as_dict(),
        "bench_process_cpu_s": round(time.process_time() - c0, 2),
        "wall_s_shared_machine": round(time.perf_counter() - w0, 1),
    }
    print(f"prune: {result['prune']}")
    path = write_result("sync-large", result)
    print(f"  written to {Path(path).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
