"""How `casework serve` runs its processes: the production web server (gunicorn, docs/decisions/0007), its size, and
children that die with their parent.

`casework serve` is a small supervisor: it holds the embedded PostgreSQL (casework.db), starts gunicorn and one task
worker as its children, and stops both when it is stopped. Each child asks the kernel to send it SIGTERM when its
parent dies (`prctl(PR_SET_PDEATHSIG)`), so a supervisor killed outright (SIGKILL, the OOM killer) leaves no web
server or task worker running without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
# Sync workers: Casework's requests are short and database-bound; a proxy in front buffers slow clients.
WORKER_TIMEOUT_SECONDS = 60
GRACEFUL_TIMEOUT_SECONDS = 30
MAX_REQUESTS = 2000  # each worker is replaced after this many requests (jittered), bounding any slow leak


def cores() -> int:
    """The cores this process may run on (a container's or a cgroup's share, not the whole machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def web_workers(requested: int | str | None = None) -> int:
    """gunicorn's worker processes: `--workers`, else $CASEWORK_WEB_WORKERS, else 2 per core plus one (gunicorn's
    advice for sync workers: while one waits on PostgreSQL another runs), at most 17."""
    value = requested or os.environ.get("CASEWORK_WEB_WORKERS")
    if value:
        return max(1, int(value))
    return min(2 * cores() + 1, 17)


def die_with_parent() -> Callable[[], None]:
    """A `preexec_fn` for subprocess.Popen: the child gets SIGTERM when the process that started it dies, however it
    dies. Linux only (elsewhere a no-op: stop the children with their parent there)."""
    parent = os.getpid()
    libc_name = ctypes.util.find_library("c")

    def preexec() -> None:
        if not sys.platform.startswith("linux") or libc_name is None:
            return
        libc = ctypes.CDLL(libc_name, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made: nobody would send the signal
            os._exit(1)

    return preexec


def start_child(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a child process that dies with this one."""
    return subprocess.Popen(command, env=env or dict(os.environ), preexec_fn=die_with_parent())  # noqa: S603  (our own commands)


def stop_child(child: subprocess.Popen[bytes], timeout: float = GRACEFUL_TIMEOUT_SECONDS + 5) -> None:
    """SIGTERM (the web server finishes the requests in hand, the worker the task in hand), then SIGKILL."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def gunicorn_command(*, host: str, port: str | int, workers: int, trusted_proxies: list[str]) -> list[str]:
    """The production web server on Casework's WSGI application."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "casework.wsgi:application",
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        str(WORKER_TIMEOUT_SECONDS),
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT_SECONDS),
        "--max-requests",
        str(MAX_REQUESTS),
        "--max-requests-jitter",
        str(MAX_REQUESTS // 10),
        # One control socket per user by default ($HOME/.gunicorn): two servers on one machine would share it.
        "--no-control-socket",
        # The proxies whose X-Forwarded-Proto gunicorn believes (Django trusts X-Forwarded-For only from the same
        # list: core.client).
        "--forwarded-allow-ips",
        ",".join(trusted_proxies) or "127.0.0.1,::1",
        "--log-level",
        "warning",
    ]
    if os.environ.get("CASEWORK_ACCESS_LOG") == "1":
        command += ["--access-logfile", "-"]
    return command
