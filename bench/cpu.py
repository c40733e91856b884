"""CPU milliseconds per request, by type, for the load mix of bench/load.py: what the web server and the database
spend on one request, which the noise of other work on the machine does not change.

    .venv/bin/python bench/cpu.py [--data-dir var/demo] [--runs 60] [--profile record] [--queries]

Needs a seeded demo authority (casework seed). Each request goes through the whole WSGI application exactly as
gunicorn calls it (every middleware: sessions, the session timeouts, the second factor, CSRF, the audit context,
the request's transaction for a POST), signed in as a demo social worker, on a child of their caseload:

- `search`: /people/search?q=... (the load's searches in turn)
- `record`: /people/<child> (the record page, with every app's sections)
- `chronology`: /people/<child>/chronology/<entry>
- `note_form`: GET /people/<child>/case-notes/new
- `note_post`: POST /people/<child>/case-notes/new (writes a case note and its audit event)

For each: the web process's CPU (time.process_time around the WSGI call, median of `--runs`), the database
server's CPU for the same requests (the connection's backend process, from /proc: PostgreSQL runs on the same
cores), the queries, and the bytes of the page. The load's mix (search 40%, record 30%, chronology 20%, a note 10%
as its form, its POST and the record page it returns to) gives the CPU of an average action. Python function calls per
request are counted too: a count does not change with the load on the machine, as CPU time slightly does. `--profile TYPE` prints cProfile's top functions
for that type; `--queries` prints each type's SQL.

Writes bench/results/cpu.json (`cpu_per_request`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import setup_django, write_result

SEARCHES = ["Smith", "Jones", "Amelia Hughes", "Mohammed", "Taylor", "Williams", "Brown", "Khan", "Evans", "Patel"]
MIX = {"search": 0.4, "record": 0.3, "chronology": 0.2, "note": 0.1}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTE_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


class Browser:
    """A signed-in browser speaking WSGI to the application in this process: cookies kept between requests."""

    def __init__(self, app: Any, cookies: dict[str, str]) -> None:
        self.app = app
        self.cookies = dict(cookies)

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_USER_AGENT": "bench/cpu.py",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        status: list[str] = []
        headers: list[tuple[str, str]] = []

        def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(s)
            headers.extend(h)

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        for name, value in headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        return int(status[0].split()[0]), content


class BackendCpu:
    """The CPU the database connection's server process has used (PostgreSQL forks one per connection; Django opens
    a new connection after CONN_MAX_AGE, so the process is looked up at each reading)."""

    def pid(self) -> int | None:
        from django.db import connection

        return connection.connection.info.backend_pid if connection.connection is not None else None

    def ms(self, pid: int | None) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) * TICK_MS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/demo")
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--profile", default="", help="print cProfile's top functions for this request type")
    ap.add_argument("--queries", action="store_true", help="print each request type's SQL")
    ap.add_argument("--before", default="", help="a cpu.json from before a change: kept in the result, as `before`")
    args = ap.parse_args()
    os.environ.setdefault("CASEWORK_DEMO_MODE", "1")
    setup_django(args.data_dir)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.site import demo_mode
    from recording.models import ChronologyEntry

    app = get_wsgi_application()
    # Sign in as the load's first social worker: a session made the way a sign-in makes one.
    worker = User.objects.get(email="sam.social-worker@demo.casework.test")
    client = Client()
    client.force_login(worker)
    if not demo_mode():
        raise SystemExit("Run on a demo database with demo mode on (casework seed)")
    browser = Browser(app, {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value})
    status, caseload = browser.request("GET", "/cases/caseload")
    children = sorted({int(x) for x in re.findall(rb'href="/people/(\d+)"', caseload)})
    if status != 200 or not children:
        raise SystemExit(f"The caseload page answered {status} with no children on it")
    entries = {
        child: list(ChronologyEntry.objects.filter(person_id=child).order_by("-pk").values_list("pk", flat=True)[:5])
        for child in children[:10]
    }
    children = [c for c in children[:10] if entries[c]]
    counter = {"n": 0}

    def nth(seq: list[Any]) -> Any:
        counter["n"] += 1
        return seq[counter["n"] % len(seq)]

    def note_post() -> tuple[str, str, bytes]:
        child = nth(children)
        _, form = browser.request("GET", f"/people/{child}/case-notes/new")
        today = time.localtime()
        data = {
            "csrfmiddlewaretoken": CSRF.search(form.decode()).group(1),
            "note_type": "case_note",
            "subject": "Telephone call",
            "body": "Spoke to the school about attendance. Agreed to review next week.",
            "day_0": str(today.tm_mday),
            "day_1": str(today.tm_mon),
            "day_2": str(today.tm_year),
            "at": "",
        }
        if key := NOTE_KEY.search(form.decode()):
            data["idempotency_key"] = key.group(1)
        return "POST", f"/people/{child}/case-notes/new", urlencode(data).encode()

    def get(path: str) -> tuple[str, str, bytes]:
        return "GET", path, b""

    kinds = {
        "search": lambda: get("/people/search?" + urlencode({"q": nth(SEARCHES)})),
        "record": lambda: get(f"/people/{nth(children)}"),
        "chronology": lambda: get(f"/people/{(c := nth(children))}/chronology/{nth(entries[c])}"),
        "note_form": lambda: get(f"/people/{nth(children)}/case-notes/new"),
        "note_post": note_post,
    }
    expected = {"note_post": 302}
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    result: dict[str, Any] = {}
    print(
        f"{'request':<11} {'web CPU ms':>10} {'db CPU ms':>9} {'queries':>7} {'KB':>6} {'calls k':>8}   "
        f"({args.runs} runs each)"
    )
    for kind, make in kinds.items():
        for _ in range(5):  # warm up: templates compiled, code lists read, the connection open
            method, path, body = make()
            status, _ = browser.request(method, path, body)
            assert status == expected.get(kind, 200), (kind, path, status)
        backend = BackendCpu()
        cpu: list[float] = []
        sizes: list[int] = []
        counts: list[int] = []
        db: list[float] = []
        profiler = cProfile.Profile(time.process_time) if args.profile == kind else None
        for _ in range(args.runs):
            method, path, body = make()
            queries.clear()
            pid = backend.pid()
            db_before = backend.ms(pid)
            with connection.execute_wrapper(count):
                if profiler:
                    profiler.enable()
                t0 = time.process_time()
                status, content = browser.request(method, path, body)
                cpu.append((time.process_time() - t0) * 1000)
                if profiler:
                    profiler.disable()
            db_after = backend.ms(pid)
            if db_before is not None and db_after is not None and backend.pid() == pid:
                db.append(db_after - db_before)
            assert status == expected.get(kind, 200), (kind, path, status)
            counts.append(len(queries))
            sizes.append(len(content))
        # Python function calls per request: a count, the same on a quiet machine and a busy one (CPU time is not
        # quite: a busy machine's caches are shared), so a change shows even when the timings are noisy.
        calls = cProfile.Profile()
        for _ in range(5):
            method, path, body = make()
            calls.enable()
            browser.request(method, path, body)
            calls.disable()
        db_ms = statistics.mean(db) if db else float("nan")
        row = {
            "web_cpu_ms": round(statistics.median(cpu), 2),
            "web_cpu_ms_mean": round(statistics.mean(cpu), 2),
            "db_cpu_ms": round(max(db_ms, 0.0), 2),
            "queries": sorted(set(counts)),
            "python_calls_k": round(pstats.Stats(calls).total_calls / 5 / 1000, 1),  # type: ignore[attr-defined]
            "kb": round(statistics.median(sizes) / 1024, 1),
        }
        result[kind] = row
        print(
            f"{kind:<11} {row['web_cpu_ms']:>10} {row['db_cpu_ms']:>9} {'/'.join(map(str, row['queries'])):>7} "
            f"{row['kb']:>6} {row['python_calls_k']:>8}"
        )
        if args.queries:
            print("\n".join(f"    {q[:300]}" for q in queries))
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
                int(os.environ.get("PROFILE_LINES", "60"))
            )
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
            print(out.getvalue())
    # An action of the load: a note is its form, the POST and the record page the browser is sent back to.
    parts = {"search": ["search"], "record": ["record"], "chronology": ["chronology"]}
    parts["note"] = ["note_form", "note_post", "record"]
    mix: dict[str, float] = {"web_cpu_ms": 0.0, "db_cpu_ms": 0.0, "python_calls_k": 0.0}
    for kind, share in MIX.items():
        for part in parts[kind]:
            for measure in mix:
                mix[measure] += share * result[part][measure]
    mix = {k: round(v, 2) for k, v in mix.items()}
    print(
        f"the load's mix, an action on average: web {mix['web_cpu_ms']} ms, database {mix['db_cpu_ms']} ms of CPU; "
        f"{mix['python_calls_k']}k Python calls"
    )
    before = json.loads(Path(args.before).read_text()) if args.before else None
    if before:
        print(f"{'':<11} {'web CPU ms':>21} {'db CPU ms':>17} {'Python calls k':>17}   (before -> now)")
        for kind, row in result.items():
            was = before["cpu_per_request"].get(kind, {})
            print(
                f"{kind:<11} {was.get('web_cpu_ms', '?'):>10} -> {row['web_cpu_ms']:>7} "
                f"{was.get('db_cpu_ms', '?'):>8} -> {row['db_cpu_ms']:>5} "
                f"{was.get('python_calls_k', '?'):>8} -> {row['python_calls_k']:>5}"
            )
    write_result(
        "cpu",
        {
            **({"before": {k: before[k] for k in ("when", "cpu_per_request", "mix_action")}} if before else {}),
            "cpu_per_request": result,
            "mix_action": mix,
            "runs": args.runs,
            "note": "CPU time (web: process_time of the WSGI call; db: the backend's utime+stime from /proc, "
            f"{TICK_MS:.0f} ms ticks averaged over the runs): unchanged by other work on the machine",
        },
    )


if __name__ == "__main__":
    main()
