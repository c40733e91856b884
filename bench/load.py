"""Signed-in users under load against the production server: req/s, p50, p95, errors and lock waits per level.

    .venv/bin/python bench/load.py [--data-dir var/bench-load] [--levels 1,4,16,64] [--seconds 20]

Seeds the demo authority into `--data-dir` if it is empty, starts `casework serve` (the production server, no task
worker) on a free port, signs in the demo's two social workers (several sessions each, with their TOTP codes), then for each level runs that many closed-loop clients for `--seconds`, each repeating a mix of what social
workers do most: search (40%), open a child's record (30%), read the chronology (20%) and write a case note (10%,
form then POST). While a level runs, a sampler counts the database sessions waiting on a lock (pg_stat_activity,
every 100 ms). Prints a table and writes bench/results/load.json.

Issue 11's aims on this machine: no request waits on an audit lock; throughput at 16 clients at least 1.7 times that
at 1; p95 under 500 ms at 16 clients; zero errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, percentile, write_result

CASEWORK = str(ROOT / ".venv" / "bin" / "casework")
PASSWORD = "casework-demo-2026"  # noqa: S105  (the demo authority's printed password, demo.users.DEMO_PASSWORD)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTE_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Level:
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock_samples: list[int] = field(default_factory=list)
    audit_lock_samples: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    client_cpu_ms: float = 0.0


_USED: dict[str, int] = {}
SECRETS: dict[str, str] = {}  # the demo users' TOTP secrets (demo.users.totp_secret_for), read in main()


class Session:
    """One signed-in browser: cookies, CSRF token, and what it may open. Light on the load machine's CPU (it shares the
    server's cores): one kept-alive http.client connection (opened again when the server closes it, as gunicorn's
    sync workers do after each answer), cookies in a dict, no urllib handler chain."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.local = threading.local()  # clients share sessions: a connection each
        self.cookies: dict[str, str] = {}
        self.email = email
        self.children: list[int] = []
        self.entries: dict[int, list[int]] = {}

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes, str]:
        """One request on the kept connection: (status, body, Location)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn: http.client.HTTPConnection | None = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed the kept connection between two requests: once more on a new one.
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
                continue
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, val = value.partition(";")[0].partition("=")
                    self.cookies[key.strip()] = val.strip()
            if response.will_close:
                conn.close()
                self.local.conn = None
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status}")
            return response.status, content, response.getheader("Location") or ""
        raise AssertionError("unreachable")

    def get(self, path: str) -> str:
        """GET, following redirects as a browser does."""
        for _ in range(5):
            status, content, location = self._request("GET", path)
            if status not in (301, 302, 303):
                return content.decode()
            path = urllib.parse.urljoin(path, location)
        raise RuntimeError(f"too many redirects from {path}")

    def post(self, path: str, data: dict[str, str]) -> int:
        """POST a form; a redirect (the usual answer) is followed with a GET, as a browser does."""
        status, _, location = self._request("POST", path, urllib.parse.urlencode(data).encode())
        if status in (301, 302, 303):
            self.get(urllib.parse.urljoin(path, location))
        return status

    def csrf(self, html: str) -> str:
        m = CSRF.search(html)
        if not m:
            raise RuntimeError("no CSRF token on the page")
        return m.group(1)

    def sign_in(self) -> None:
        """Email and password, then the demo user's TOTP code (the demo's printed secrets). A code is taken once per
        user (allauth refuses a code used twice), so a user's sessions sign in in successive 30-second windows."""
        import pyotp

        page = self.get("/accounts/login/")
        self.post(
            "/accounts/login/", {"csrfmiddlewaretoken": self.csrf(page), "login": self.email, "password": PASSWORD}
        )
        form = self.get("/accounts/2fa/authenticate/")
        if 'name="code"' in form:
            totp = pyotp.TOTP(SECRETS[self.email])
            while True:
                now = time.time()
                window = int(now // 30)
                if 30 - now % 30 >= 4 and _USED.get(self.email) != window:
                    _USED[self.email] = window
                    break
                time.sleep(30 - now % 30 + 0.2)
            self.post("/accounts/2fa/authenticate/", {"csrfmiddlewaretoken": self.csrf(form), "code": totp.at(now)})
        caseload = self.get("/cases/caseload")
        self.debug = re.findall(r"<title>(.*?)</title>", caseload, re.S)
        self.children = sorted({int(x) for x in re.findall(r'href="/people/(\d+)"', caseload)})
        if not self.children:
            raise RuntimeError(f"{self.email} holds no children after signing in (the caseload page: {self.debug})")
        for child in self.children[:10]:
            record = self.get(f"/people/{child}")
            self.entries[child] = [int(x) for x in re.findall(rf'href="/people/{child}/chronology/(\d+)"', record)]


def one_action(s: Session, rng: random.Random) -> None:
    roll = rng.random()
    child = rng.choice(s.children)
    if roll < 0.4:
        s.get("/people/search?" + urllib.parse.urlencode({"q": rng.choice(SEARCHES)}))
    elif roll < 0.7:
        s.get(f"/people/{child}")
    elif roll < 0.9:
        s.get(
            f"/people/{child}/chronology/{rng.choice(s.entries[child])}" if s.entries.get(child) else f"/people/{child}"
        )
    else:
        form = s.get(f"/people/{child}/case-notes/new")
        key = NOTE_KEY.search(form)
        today = time.localtime()
        data = {
            "csrfmiddlewaretoken": s.csrf(form),
            "note_type": "case_note",
            "subject": "Telephone call",
            "body": "Spoke to the school about attendance. Agreed to review next week.",
            "day_0": str(today.tm_mday),
            "day_1": str(today.tm_mon),
            "day_2": str(today.tm_year),
            "at": "",
        }
        if key:
            data["idempotency_key"] = key.group(1)
        s.post(f"/people/{child}/case-notes/new", data)


SEARCHES = ["Smith", "Jones", "Amelia Hughes", "Mohammed", "Taylor", "Williams", "Brown", "Khan", "Evans", "Patel"]


def sampler(dsn: str, level: Level, stop: threading.Event) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE query ILIKE '%audit_chainhead%' OR query ILIKE "
                "'%audit_auditevent%') FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            ).fetchone()
            assert row is not None
            level.lock_samples.append(int(row[0]))
            level.audit_lock_samples.append(int(row[1]))
            time.sleep(0.1)


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def session_cpu_ms(sid: int) -> float:
    """CPU used so far by the processes of session `sid` (the server: `casework serve`, gunicorn's workers and the
    embedded PostgreSQL it started), from /proc; processes that ended are not counted."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            total += int(fields[11]) + int(fields[12])
    return total * TICK_MS


def run_level(sessions: list[Session], clients: int, seconds: float, dsn: str) -> Level:
    level = Level(clients)
    stop = threading.Event()
    deadline = time.monotonic() + seconds

    def client(i: int) -> None:
        rng = random.Random(i)
        s = sessions[i % len(sessions)]
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                one_action(s, rng)
                with level.lock:
                    level.latencies.append(time.perf_counter() - t0)
            except (http.client.HTTPException, RuntimeError, TimeoutError, ConnectionError, OSError) as e:
                with level.lock:
                    level.errors.append(str(e)[:200])

    watcher = threading.Thread(target=sampler, args=(dsn, level, stop), daemon=True)
    cpu0 = time.process_time()
    watcher.start()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    level.client_cpu_ms = (time.process_time() - cpu0) * 1000
    stop.set()
    watcher.join(2)
    return level


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/bench-load")
    ap.add_argument("--levels", default="1,4,16,64")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--sessions-per-user", type=int, default=3)
    args = ap.parse_args()
    env = {**os.environ, "CASEWORK_DATA_DIR": str(Path(args.data_dir).resolve()), "CASEWORK_DEMO_MODE": "1"}
    env.pop("DATABASE_URL", None)
    subprocess.run([CASEWORK, "seed", "--size", "demo", "--if-empty"], env=env, check=True, stdout=subprocess.DEVNULL)
    # The two demo social workers (each team's caseload); managers hold no caseload of their own.
    emails = ["sam.social-worker@demo.casework.test", "priya.social-worker@demo.casework.test"]
    script = (
        "import json, django; from casework.db import ensure_database_url as e; url = e(); django.setup(); "
        "from demo.users import totp_secret_for as t; "
        f"print(json.dumps({{'dsn': url, 'secrets': {{m: t(m, 1) for m in {emails!r}}}}}))"
    )
    found = (
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-c", script],
            env={**env, "DJANGO_SETTINGS_MODULE": "casework.settings.dev"},
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    answer = json.loads(found)
    dsn = answer["dsn"]
    SECRETS.update(answer["secrets"])
    port = free_port()
    server = subprocess.Popen(
        [CASEWORK, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310  (http://127.0.0.1 only)
                break
            except urllib.error.HTTPError:
                break  # answering (503: no task worker, which the load does not need)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not start")
        sessions = [Session(base, e) for _ in range(args.sessions_per_user) for e in emails]
        # Start in a fresh 30-second window: a code used by an earlier run in this window would be refused.
        time.sleep(30 - time.time() % 30 + 0.2)
        for s in sessions:
            s.sign_in()
        run_level(sessions, 2, 3, dsn)  # warm the server's workers
        results = []
        print(
            f"{'clients':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'lock waits':>10} {'audit':>6} "
            f"{'server CPU ms':>13} {'client CPU ms':>13}"
        )
        for n in [int(x) for x in args.levels.split(",")]:
            server_cpu0 = session_cpu_ms(server.pid)
            level = run_level(sessions, n, args.seconds, dsn)
            server_cpu = session_cpu_ms(server.pid) - server_cpu0
            ms = [v * 1000 for v in level.latencies]
            row = {
                "clients": n,
                "requests": len(ms),
                "req_per_s": round(len(ms) / args.seconds, 1),
                "p50_ms": round(percentile(ms, 50), 1),
                "p95_ms": round(percentile(ms, 95), 1),
                "errors": len(level.errors),
                "first_errors": level.errors[:3],
                "avg_lock_waits": round(sum(level.lock_samples) / max(len(level.lock_samples), 1), 2),
                "avg_audit_lock_waits": round(sum(level.audit_lock_samples) / max(len(level.audit_lock_samples), 1), 2),
                # CPU per action (a note is its form, the POST and the record it returns to): the server's processes
                # (web workers and PostgreSQL) and this load generator's, on the same cores.
                "server_cpu_ms_per_action": round(server_cpu / max(len(ms), 1), 1),
                "client_cpu_ms_per_action": round(level.client_cpu_ms / max(len(ms), 1), 1),
            }
            results.append(row)
            print(
                f"{n:>7} {row['req_per_s']:>7} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['errors']:>6} "
                f"{row['avg_lock_waits']:>10} {row['avg_audit_lock_waits']:>6} {row['server_cpu_ms_per_action']:>13} "
                f"{row['client_cpu_ms_per_action']:>13}"
            )
        one = next((r for r in results if r["clients"] == 1), None)
        sixteen = next((r for r in results if r["clients"] == 16), None)
        summary: dict[str, object] = {"levels": results, "seconds_per_level": args.seconds}
        if one and sixteen and one["req_per_s"]:
            summary["throughput_16_over_1"] = round(float(sixteen["req_per_s"]) / float(one["req_per_s"]), 2)
            print(f"throughput at 16 clients / at 1: {summary['throughput_16_over_1']}")
        path = write_result("load", summary)
        print(f"written to {path}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
