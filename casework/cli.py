"""The `casework` command: Django's management commands with Casework's database started first.

`casework serve`, `casework seed`, `casework audit verify`, `casework people search|import` are management commands;
`casework worker` runs the background task worker (returns and other long jobs; `casework serve` starts one itself);
`casework manage ARGS` runs any other Django command (`casework manage migrate`).
"""

from __future__ import annotations

import os
import sys

# `casework worker [OPTIONS]`: the database task backend's worker, on every queue, quiet unless something happens.
WORKER_COMMAND = ["db_worker", "--queue-name", "*"]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.dev")
    from casework.db import ensure_database_url

    ensure_database_url()
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and argv[1] == "manage":
        argv = [argv[0], *argv[2:]]
    elif len(argv) > 1 and argv[1] == "worker":
        argv = [argv[0], *WORKER_COMMAND, *argv[2:]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
