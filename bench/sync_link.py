"""Offline sync over a real throttled link (issue 13, "Speed and size"): wall-clock times of a 25-child caseload.

    sudo .venv/bin/python bench/sync_link.py [--data-dir var/bench-sync] [--children 25] [--link auto|netns|chromium]

The link (decision 0031):
- **netns** (needs root and iproute2): a network namespace `cwsync<pid>` joined to this one by a veth pair
  (10.213.<n>.1 here, 10.213.<n>.2 there), `tc qdisc ... netem delay 150ms rate 400kbit` on both ends: 300 ms round
  trips and 400 kbit/s each way, made by the kernel, not modelled. Casework's own server (gunicorn with Casework's
  settings, 2 workers, as `casework serve` starts it) listens on this side; the client, this file run with `--client`
  inside the namespace (`ip netns exec`), speaks the protocol as the app does: brotli-compressed pages of 1,000,
  the claimed checksum, the device header, one new TCP connection per sync (gunicorn's sync workers close each
  connection after its answer). Bytes on the wire are the veth's own counters (IP, TCP and HTTP included).
- **chromium** (the fallback when there is no root or no `ip`): Debian's Chromium through Playwright, with CDP
  `Network.emulateNetworkConditions` (300 ms latency, 50,000 bytes/s each way), the same protocol in the page's fetch;
  bytes are CDP's encodedDataLength (headers included).
Either way the JSON says which link was used. The namespace, the qdiscs and the server are removed in a `finally`.

Measured, each against the issue's aim: the first download (at most 600 KB, 10 requests, under 30 s), a sync with
nothing changed (1 request, under 1 KB, under 1.5 s), 20 changes made on the server (under 5 KB, under 2 s), pushing
10 edits (1 request, under 2 s); and the server's CPU time for each (gunicorn's processes and PostgreSQL's), which
the other work on a shared machine does not change. Times over the emulated link are dominated by it (300 ms a round
trip, 20 ms per KB), so they mean something even on a busy machine; the server's CPU is printed beside them.
Plain HTTP: TLS would add one round trip (TLS 1.3) to each new connection.
Writes bench/results/sync-link.json. Builds the caseload as bench/sync.py does (the same data folder is reused).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, setup_django, write_result

AIMS = {
    "first_download": {"bytes": 600 * 1024, "requests": 10, "seconds": 30.0},
    "nothing_changed": {"bytes": 1024, "requests": 1, "seconds": 1.5},
    "twenty_changes": {"bytes": 5 * 1024, "seconds": 2.0},
    "push_ten": {"requests": 1, "seconds": 2.0},
}
DELAY_MS, RATE_KBIT = 150, 400


# The client: run inside the namespace (no Django, no database) -------------------------------------------------


def checksum_of(store: dict[str, dict[str, Any]]) -> str:
    """The scope checksum as the protocol defines it (docs/sync-protocol.md)."""
    lines = sorted((r["type"], r["id"], r["version"]) for r in store.values())
    return hashlib.sha256("".join(f"{t} {i} {v}\n" for t, i, v in lines).encode()).hexdigest()


class Client:
    def __init__(self, host: str, port: int, token: str, device: str) -> None:
        self.host, self.port = host, port
        self.headers = {"Authorization": f"Bearer {token}", "X-Casework-Device": device}
        self.conn = http.client.HTTPConnection(host, port, timeout=120)
        self.requests = 0
        self.body_bytes = 0

    def call(self, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes, Any]:
        self.conn.request(method, path, body=body, headers={**self.headers, **headers})
        r = self.conn.getresponse()
        data = r.read()
        self.requests += 1
        self.body_bytes += len(data) + len(body or b"")
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return r.status, data, r

    def pull_all(self, state: dict[str, Any], limit: int) -> None:
        import brotli

        store: dict[str, dict[str, Any]] = state["store"]
        while True:
            q = f"limit={limit}"
            if state.get("cursor"):
                q += f"&cursor={state['cursor']}&checksum={checksum_of(store)}"
            status, data, r = self.call("GET", f"/api/v1/sync/pull?{q}", **{"Accept-Encoding": "br, gzip"})
            if status != 200:
                raise SystemExit(f"pull answered {status}: {data[:300]!r}")
            enc = r.getheader("Content-Encoding")
            raw = brotli.decompress(data) if enc == "br" else (__import__("gzip").decompress(data) if enc else data)
            body = json.loads(raw)
            if body.get("reset"):
                store.clear()
                state["cursor"] = None
                continue
            for e in body["evictions"]:
                if "person_id" in e:
                    for k in [k for k, v in store.items() if v["person_id"] == e["person_id"]]:
                        del store[k]
                else:
                    store.pop(f"{e['type']} {e['id']}", None)
            for rec in body["upserts"]:
                store[f"{rec['type']} {rec['id']}"] = rec
            state["cursor"] = body["cursor"]
            if not body["has_more"]:
                state["checksum_ok"] = body["scope_checksum"] == checksum_of(store)
                return

    def push(self, state: dict[str, Any], people: list[int]) -> list[str]:
        store = state["store"]
        batch = [
            {"id": str(uuid.uuid4()), "type": "person", "action": "update", "record_id": str(p),
             "base_version": store[f"person {p}"]["version"], "fields": {"first_language": "Welsh"},
             "base": {"first_language": store[f"person {p}"]["data"]["editable"]["first_language"]}}
            for p in people
        ]  # fmt: skip
        body = json.dumps({"mutations": batch}).encode()
        status, data, _ = self.call("POST", "/api/v1/sync/push", body, **{"Content-Type": "application/json"})
        if status != 200:
            raise SystemExit(f"push answered {status}: {data[:300]!r}")
        return sorted({x["status"] for x in json.loads(data)["results"]})


def client_main(args: argparse.Namespace) -> None:
    state_path = Path(args.state)
    state = json.loads(state_path.read_text()) if state_path.exists() else {"store": {}, "cursor": None}
    client = Client(args.host, args.port, args.token, args.device)
    t = time.perf_counter()
    out: dict[str, Any] = {}
    if args.client == "push":
        out["statuses"] = client.push(state, [int(p) for p in args.people.split(",")])
    else:
        client.pull_all(state, args.limit)
        out["checksum_ok"] = state.get("checksum_ok")
    out |= {"seconds": round(time.perf_counter() - t, 3), "requests": client.requests, "body_bytes": client.body_bytes}
    out["records"] = len(state["store"])
    state_path.write_text(json.dumps(state))
    print(json.dumps(out))


# The link -------------------------------------------------------------------------------------------------------


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


class NetnsLink:
    """A namespace joined by a veth pair with netem on both ends. Torn down by close(), whatever happened."""

    kind = "netns"

    def __init__(self) -> None:
        n = os.getpid() % 200 + 20
        self.ns, self.here, self.there = f"cwsync{os.getpid()}", f"cwh{os.getpid()}", f"cwt{os.getpid()}"
        self.server_ip, self.client_ip = f"10.213.{n}.1", f"10.213.{n}.2"
        self.made = False

    def open(self) -> None:
        if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tc"):
            raise RuntimeError("needs root, ip and tc (Debian's iproute2)")
        self.made = True
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.here, "type", "veth", "peer", "name", self.there)
        sh("ip", "link", "set", self.there, "netns", self.ns)
        sh("ip", "addr", "add", f"{self.server_ip}/24", "dev", self.here)
        sh("ip", "link", "set", self.here, "up")
        inside = ("ip", "netns", "exec", self.ns)
        sh(*inside, "ip", "addr", "add", f"{self.client_ip}/24", "dev", self.there)
        sh(*inside, "ip", "link", "set", self.there, "up")
        sh(*inside, "ip", "link", "set", "lo", "up")
        netem = ("root", "netem", "delay", f"{DELAY_MS}ms", "rate", f"{RATE_KBIT}kbit")
        added = sh("tc", "qdisc", "add", "dev", self.here, *netem, check=False)
        if added.returncode:
            raise RuntimeError(f"tc could not add netem ({added.stderr.strip()}): this kernel has no sch_netem")
        sh(*inside, "tc", "qdisc", "add", "dev", self.there, *netem)

    def describe(self) -> dict[str, Any]:
        qdiscs = sh("tc", "qdisc", "show", "dev", self.here).stdout.strip()
        ping = sh("ip", "netns", "exec", self.ns, "ping", "-c", "3", "-q", self.server_ip, check=False).stdout
        rtt = [line for line in ping.splitlines() if "min/avg" in line]
        return {"kind": "netns", "qdisc": qdiscs, "ping": rtt[0] if rtt else "no ping"}

    def wire_bytes(self) -> int:
        stats = Path(f"/sys/class/net/{self.here}/statistics")
        return int((stats / "rx_bytes").read_text()) + int((stats / "tx_bytes").read_text())

    def close(self) -> None:
        if not self.made:
            return
        sh("ip", "link", "del", self.here, check=False)  # removes its peer too
        sh("ip", "netns", "del", self.ns, check=False)


# CPU of the server's processes -------------------------------------------------------------------------------------


def tree_pids(root: int) -> list[int]:
    """A process and its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and its living descendants, with what their exited children used."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stat: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        stat[pid] = fields
        children.setdefault(int(fields[1]), []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stat:
            f = stat[pid]
            total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
        todo.extend(children.get(pid, []))
    return total / tick


# The orchestra ---------------------------------------------------------------------------------------------------


def load_bench_sync() -> Any:
    spec = importlib.util.spec_from_file_location("bench_sync", ROOT / "bench" / "sync.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_server(host: str, port: int, workers: int = 2, extra: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Casework's gunicorn, as `casework serve` starts it, against the database this process uses."""
    from django.conf import settings

    from core import serving

    env = {**os.environ, "CASEWORK_ALLOWED_HOSTS": f"{host},127.0.0.1", "PYTHONPATH": str(ROOT)}
    command = serving.gunicorn_command(
        host=host, port=port, workers=workers, trusted_proxies=settings.CASEWORK_TRUSTED_PROXIES
    ) + list(extra)
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (the server's stderr, read if it stops; closed with the process)
    with socket.socket() as taken:
        if taken.connect_ex((host, port)) == 0:
            raise RuntimeError(f"something already listens on {host}:{port}: choose another --port")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        for _ in range(360):
            try:
                urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2)
                return server
            except urllib.error.HTTPError:
                return server  # it answers (unhealthy only because no task worker runs beside it)
            except OSError as e:
                if server.poll() is not None:
                    errors.seek(0)
                    raise RuntimeError(f"the server stopped: {errors.read().decode()[-2000:]}") from e
                time.sleep(0.5)
        raise RuntimeError("the server did not answer /healthz in 3 minutes")
    except BaseException:
        stop_server(server)
        raise


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def postmaster_pid() -> int:
    from casework.db import data_dir

    return int((data_dir() / "postgres" / "postmaster.pid").read_text().split()[0])


def make_twenty_changes(people_ids: list[int]) -> None:
    from django.utils import timezone

    from people.models import Person
    from people.services import person_update
    from recording import services as recording

    children = list(Person.objects.filter(pk__in=people_ids).order_by("pk")[:10])
    stamp = uuid.uuid4().hex[:4]
    for i, child in enumerate(children):
        recording.case_note_create(
            actor=None, person=child, occurred_at=timezone.now() - timedelta(minutes=5), subject=f"Call {i}",
            body="Mum rang to say the appointment moved to Thursday; I agreed to visit after school.",
        )  # fmt: skip
        person_update(actor=None, person=child, preferred_name=f"Name {stamp} {i}")


def verdict(name: str, got: dict[str, Any]) -> dict[str, Any]:
    aims = AIMS[name]
    checks = {}
    if "bytes" in aims:
        checks["bytes"] = got["wire_bytes"] <= aims["bytes"]
    if "requests" in aims:
        checks["requests"] = got["requests"] <= aims["requests"]
    checks["seconds"] = got["seconds"] < aims["seconds"]
    return {"aim": aims, "met": all(checks.values()), "checks": checks}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/bench-sync")
    ap.add_argument("--children", type=int, default=25)
    ap.add_argument("--link", choices=["auto", "netns", "chromium"], default="auto")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--limit", type=int, default=1000)
    # The client's side (inside the namespace):
    ap.add_argument("--client", choices=["pull", "push"])
    ap.add_argument("--state")
    ap.add_argument("--host")
    ap.add_argument("--token")
    ap.add_argument("--device")
    ap.add_argument("--people", default="")
    args = ap.parse_args()
    if args.client:
        client_main(args)
        return

    setup_django(args.data_dir)
    from django.core.management import call_command
    from django.db import connection

    from accounts.tokens import token_issue
    from sync.services import device_register

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    bench_sync = load_bench_sync()
    user, people_ids = bench_sync.build(args.children)
    _, secret = token_issue(actor=None, user=user, name=f"link {uuid.uuid4().hex[:6]}", scopes=["sync"], days=1)
    device = device_register(actor=user, name="Tablet on a 3G link")
    from people.models import PersonIdentifier

    children = list(
        PersonIdentifier.objects.filter(type="legacy", value__startswith=bench_sync.MARK)
        .order_by("person_id")
        .values_list("person_id", flat=True)[:10]
    )
    connection.close()

    link: Any = None
    fallback_reason = "asked for (--link chromium)"
    if args.link in ("auto", "netns"):
        link = NetnsLink()
        try:
            link.open()
        except (RuntimeError, subprocess.CalledProcessError) as e:
            link.close()
            if args.link == "netns":
                raise
            print(f"no throttled network namespace ({e}); falling back to Chromium's network emulation")
            fallback_reason = str(e)
            link = None
    if link is None:
        from sync_link_chromium import ChromiumLink  # the fallback, in a file of its own

        # Playwright's synchronous API runs an event loop in this thread; the bench's own ORM calls between the
        # phases are plain synchronous code.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        link = ChromiumLink()
        link.reason = fallback_reason
    host = getattr(link, "server_ip", "127.0.0.1")
    server = None
    tmp = tempfile.TemporaryDirectory(prefix="sync-link-")
    try:
        log = Path(tmp.name) / "access.log"
        server = start_server(
            host, args.port, extra=("--access-logfile", str(log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s")
        )
        pg = postmaster_pid()
        for _ in range(6):  # each web worker loads the URLs and the API before the first timed request
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://{host}:{args.port}/api/v1/sync/session", headers={"Authorization": f"Bearer {secret}"}
                ),
                timeout=60,
            ).read()

        def server_seconds(since: int) -> tuple[float, int]:
            lines = log.read_text().splitlines()
            return sum(int(x.split()[3]) for x in lines[since:] if "/api/v1/sync/" in x) / 1e6, len(lines)

        described = link.describe()
        print(f"Link: {described}")
        print(f"Server processes: {len(tree_pids(server.pid))} (gunicorn), {len(tree_pids(pg))} (PostgreSQL)")
        state = str(Path(tmp.name) / "state.json")
        results: dict[str, Any] = {}

        def phase(name: str, kind: str, people: str = "") -> dict[str, Any]:
            cpu0 = tree_cpu(server.pid), tree_cpu(pg)
            wire0 = link.wire_bytes()
            _, lines0 = server_seconds(0)
            if link.kind == "netns":
                cmd = ["ip", "netns", "exec", link.ns, sys.executable, __file__, "--client", kind, "--state", state,
                       "--host", host, "--port", str(args.port), "--token", secret, "--device", str(device.pk),
                       "--limit", str(args.limit), "--people", people]  # fmt: skip
                done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
                got = json.loads(done.stdout.strip().splitlines()[-1])
            else:
                got = link.run(kind, host=host, port=args.port, token=secret, device=str(device.pk),
                               limit=args.limit, people=people)  # fmt: skip
            got["wire_bytes"] = link.wire_bytes() - wire0
            time.sleep(0.3)  # the access log's last line
            took, _ = server_seconds(lines0)
            got["server_seconds_in_requests"] = round(took, 3)
            if link.kind == "netns":  # the kernel's delay adds to the server's time; Chromium's is a minimum
                got["seconds_on_the_link"] = round(got["seconds"] - took, 3)
            got["server_cpu_s"] = round(tree_cpu(server.pid) - cpu0[0], 3)
            got["database_cpu_s"] = round(tree_cpu(pg) - cpu0[1], 3)
            got["verdict"] = verdict(name, got)
            results[name] = got
            v = "met" if got["verdict"]["met"] else "NOT MET"
            print(
                f"  {name}: {got['requests']} request(s), {got['wire_bytes']:,} bytes on the wire "
                f"({'?' if got['body_bytes'] is None else format(got['body_bytes'], ',')} of bodies), {got['seconds']} s; server CPU {got['server_cpu_s']} s, "
                f"database CPU {got['database_cpu_s']} s; the server's time in the requests "
                f"{got['server_seconds_in_requests']} s "
                f"[{v}: {got['verdict']['aim']}]"
            )
            return got

        print(
            f"Offline sync of a caseload of {args.children} children over {DELAY_MS * 2} ms round trips at {RATE_KBIT} kbit/s"
        )
        first = phase("first_download", "pull")
        print(f"    ({first['records']:,} records on the device; its checksum agrees: {first['checksum_ok']})")
        phase("nothing_changed", "pull")
        make_twenty_changes(people_ids)
        connection.close()
        time.sleep(0.2)
        phase("twenty_changes", "pull")
        phase("push_ten", "push", ",".join(str(p) for p in children))
        result = {
            "link": described,
            "delay_ms_each_way": DELAY_MS,
            "rate_kbit_each_way": RATE_KBIT,
            "children": args.children,
            "page_limit": args.limit,
            "server": "gunicorn, 2 sync workers, Casework's dev settings, plain HTTP",
            "shared_machine_note": "a busy shared machine: seconds include the server's time in the requests, which "
            "the other work inflates (over netns, seconds_on_the_link is the wall clock less that; Chromium's latency "
            "is a minimum per request, so the server's time hides inside it); CPU times are the server's own",
            **results,
        }
        path = write_result("sync-link", result)
        print(f"  written to {Path(path).relative_to(ROOT)}")
    finally:
        if server is not None:
            stop_server(server)
        link.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
