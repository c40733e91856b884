"""The `casework` command: Django's management commands with Casework's database started first.

`casework serve`, `casework seed`, `casework audit verify`, `casework people search|import`, `casework returns ...`,
`casework tokens issue|revoke|list` are management commands; `casework backup` and `casework restore` are
`casework.backup` (restore needs no running database); `casework worker` runs the background task worker (returns and other long jobs; `casework
serve` starts one itself); `casework manage ARGS` runs any other Django command (`casework manage migrate`).
`casework`, `casework --help` and `casework help` list the commands; help never starts the database.
"""

from __future__ import annotations

import os
import sys

# `casework worker [OPTIONS]`: the database task backend's worker, on every queue, quiet unless something happens.
WORKER_COMMAND = ["db_worker", "--queue-name", "*"]
HELP_FLAGS = {"-h", "--help"}

USAGE = """\
usage: casework COMMAND [OPTIONS]     (casework COMMAND --help for a command's options)

Running Casework
  serve [--port N] [--host H] [--workers N] [--prepare-only] [--no-worker] [--dev]
                     migrate, load the demo authority into an empty database (demo mode), serve with gunicorn
                     (2 web workers per core plus one) and one task worker (--prepare-only: everything before
                     serving, then exit; --dev: Django's development server, reloading on code changes)
  worker [--batch]   run background tasks (returns made from the Returns page, the daily purge of used
                     one-time keys, documents' archival copies and the daily fixity check); --batch: until none
                     is left
  seed --size demo|large [--seed N]
                     load a made-up authority into an empty database

The record
  people search "NAME" [--dob YYYY-MM-DD] [--postcode PC] [--limit N] [--json]
                     ranked matches for a name, allowing for misspellings
  people import FILE.csv [--dry-run]
                     load people from CSV; bad rows are listed and not loaded
  audit verify       check that no audit event has been altered, removed or reordered
  idempotency_purge  delete used one-time keys older than a day (the worker does it daily)

Who may see what
  access explain --user EMAIL --person ID [--json]
                     whether that user may see the record now, and on what basis
  access grant --user EMAIL --person ID --reason "..." [--days 30]
                     let one user see one record (the only way into a restricted record)
  access revoke GRANT --reason "..."
  access refresh [--person ID]
                     rebuild who has a legitimate relationship with each record (after an import)

Forms (docs/forms-format.md)
  forms list [--json]                the form definitions loaded
  forms check FILE...                check definition files; exit 1 with the reasons
  forms load [FILE...]               load forms/definitions/*.json as immutable versions (casework seed does)
  forms export-fhir NAME [--version N]
                                     a definition as a FHIR R4 Questionnaire (JSON)
  forms submit --form NAME --person ID --user EMAIL --answers FILE.json [--json]
                                     submit answers from another channel (a transcribed paper form) as that
                                     user: the page's access rule, validation, bindings and audit

Documents and evidence (docs/evidence/)
  documents import MANIFEST.csv [--report FILE.csv] [--json]
                     load a scanning bureau's files: each row matched to one person (else the review list),
                     its SHA-256 checked; a re-run adds nothing; the report lists every row
  documents fixity [--sample N] [--json]
                     re-hash stored originals and renditions; list any missing or altered by document id
                     (exit 1 when any is)
  documents renditions [--wait]      make the archival copies still waiting (as the worker does)
  bundle --person ID --from DATE --to DATE --out FILE.pdf [--types TYPE ...] [--documents all|none]
         [--forms all|none] [--as EMAIL]
                     a court or conference bundle (PDF/A-2b: index, chronology, forms, documents, manifest of
                     SHA-256 hashes, certificate); exit 1 with the reason, writing nothing, on bad input

Offline working (docs/sync-protocol.md)
  sync prune [--dry-run] [--json]
                     delete change-log rows every active device has pulled past and push results older
                     than 90 days (the worker does it daily); a device behind it downloads again
Retention and disposal (docs/evidence/retention-schedule.md, docs/evidence/procedure-disposal.md)
  retention due [--json]             records due for disposal review, with their rule (disposal itself is a
                                     person's decision on the Records due for disposal review page)
  retention hold --person ID --kind litigation|inquiry|subject_access|other --reason "..."
  retention release --hold ID --reason "..."
  retention recalculate              work out every record's class and review date again (after a bulk load)

Users
  users invite --email EMAIL --first-name NAME --last-name NAME --team TEAM --role ROLE [--base-url URL]
                     create a user with a role in a team; prints (and emails) their one-time sign-in link

Statutory returns
  returns cin --year YEAR --out FILE.xml            the CIN census
  returns ssda903 --year YEAR --out DIR [--with-previous]
                                                    the SSDA903 tables
  returns validate cin|ssda903 PATH --year YEAR     check a return with DfE's validators
  returns csc-api --out DIR [--all] [--post]        DfE children's social care API payloads

API tokens (for integrations and service users)
  tokens issue --user EMAIL --name NAME [--scope read] [--days 30]
                     issue a token (--scope: read, record, returns, sync; repeatable); printed once
  tokens revoke ID --reason "..."                   stop a token working at once
  tokens list [--user EMAIL]                        tokens, their scopes and dates (never the token)

Backups (the embedded database)
  backup [--list]    take a base backup and archive write-ahead log from now on (--list: what is held)
  backup --documents  copy the documents added since the last copy (cron, every few minutes)
  backup --prune --keep N [--yes]
                     remove base backups older than the newest N and the archived log only they needed
  restore --to "2026-12-05 14:03 UTC" --into DIR [--in-place]
                     the database as it was at that moment, in a new data folder
                     (then CASEWORK_DATA_DIR=DIR casework serve)

Anything else
  manage ARGS        any Django command, e.g. casework manage createsuperuser (casework manage help lists them)

The database is $DATABASE_URL, or PostgreSQL embedded in $CASEWORK_DATA_DIR (default var/ of the checkout).
"""


def wants_help(args: list[str]) -> bool:
    """Only help is asked for (no command, `help`, or -h/--help anywhere): no database is needed for that."""
    if args[:1] == ["manage"]:
        args = args[1:]
    return not args or args[0] == "help" or any(a in HELP_FLAGS for a in args)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    args = argv[1:]
    if not args or args in (["help"], ["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return
    if args[:2] == ["help", "worker"]:
        args = ["worker", "--help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.dev")
    if args[0] in ("backup", "restore"):
        from casework.backup import main as backup_main

        sys.exit(backup_main(args[0], args[1:]))
    if wants_help(args):
        os.environ.setdefault("CASEWORK_NO_DATABASE", "1")
    elif args[0] == "serve" and "--dev" not in args:
        # The production server serves static files collected with hashed names (settings.CASEWORK_STATIC_HASHED);
        # its web server and worker inherit this.
        os.environ.setdefault("CASEWORK_STATIC_HASHED", "1")
    from django.core.exceptions import ImproperlyConfigured

    try:
        run(argv[0], args)
    except ImproperlyConfigured as e:
        # Settings that refuse to start (production settings with the demo's key, say) say why in one line.
        sys.stderr.write(f"casework: {e}\n")
        sys.exit(2)


def run(prog: str, args: list[str]) -> None:
    from casework.db import ensure_database_url

    ensure_database_url()
    from django.core.management import execute_from_command_line

    if args[0] == "manage":
        execute_from_command_line([prog, *args[1:]])
    elif args[0] == "worker":
        run_worker(prog, args[1:])
    else:
        execute_from_command_line([prog, *args])


def run_worker(prog: str, options: list[str]) -> None:
    """django-tasks' db_worker, introduced as `casework worker` in its usage and errors. Before its first task it
    deletes the used one-time keys older than a day and queues the daily purge (core.tasks.worker_started), and queues
    the weekly count of the names search weighs by (people.tasks.worker_started)."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    if not wants_help(options):
        from core.tasks import worker_started
        from documents.tasks import worker_started as documents_worker_started
        from people.tasks import worker_started as people_worker_started
        from sync.tasks import worker_started as sync_worker_started

        # Each app queues its own recurring tasks (one run waiting each): purges, name counts, the duplicate sweep,
        # the daily fixity check.
        worker_started()
        people_worker_started()
        documents_worker_started()
        sync_worker_started()
    from core.health import heartbeat_start

    command = load_command_class(get_commands()[WORKER_COMMAND[0]], WORKER_COMMAND[0])
    # The worker reports that it is alive (every few seconds, from a thread of its own) for /healthz.
    thread, stop = heartbeat_start()
    try:
        command.run_from_argv([prog, "worker", *WORKER_COMMAND[1:], *options])
    finally:
        stop.set()
        thread.join(timeout=5)


if __name__ == "__main__":
    main()
