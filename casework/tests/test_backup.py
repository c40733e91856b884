"""`casework backup` and `casework restore` as a user meets them before anything is copied: the archive command's
promises, moments read as people write them, and every refusal in plain words. The whole round trip (back up,
write, restore to a moment, start on it) is the drill in the smoke stage (scripts/smoke.sh)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from casework import backup
from casework.tests.test_cli import casework

UTC = dt.UTC


def run_archive(folder: Path, wal: Path, segment: str, content: bytes) -> int:
    (folder / "pg_wal").mkdir(exist_ok=True)
    (folder / "pg_wal" / segment).write_bytes(content)
    command = backup.archive_command(wal).replace("%%", "\0").replace("%p", f"pg_wal/{segment}").replace("%f", segment)
    return subprocess.run(["sh", "-c", command.replace("\0", "%")], cwd=folder, check=False).returncode


def test_the_archive_command_copies_nothing_until_backups_are_switched_on(tmp_path):
    wal = tmp_path / "backups" / "wal"
    wal.mkdir(parents=True)
    assert run_archive(tmp_path, wal, "000000010000000000000001", b"one") == 0
    assert not list(wal.iterdir())


def test_the_archive_command_copies_atomically_accepts_the_same_segment_again_and_refuses_a_different_one(tmp_path):
    wal = tmp_path / "back ups" / "wal"  # a space in the path is quoted
    wal.mkdir(parents=True)
    (tmp_path / backup.ARCHIVE_MARKER).touch()
    segment = "000000010000000000000002"
    assert run_archive(tmp_path, wal, segment, b"two" * 1000) == 0
    assert [p.name for p in wal.iterdir()] == [f"{segment}.gz"]  # no .part left behind
    restore = backup.restore_command(wal).replace("%p", str(tmp_path / "back")).replace("%f", segment)
    assert subprocess.run(["sh", "-c", restore], check=False).returncode == 0
    assert (tmp_path / "back").read_bytes() == b"two" * 1000
    assert run_archive(tmp_path, wal, segment, b"two" * 1000) == 0  # archived again after a crash: fine
    assert run_archive(tmp_path, wal, segment, b"different") != 0  # never overwritten
    missing = backup.restore_command(wal).replace("%p", str(tmp_path / "x")).replace("%f", "00000002.history")
    assert subprocess.run(["sh", "-c", missing], check=False).returncode != 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05 14:03 UTC", dt.datetime(2026, 12, 5, 14, 3, tzinfo=UTC)),
        ("2026-12-05 14:03:27 UTC", dt.datetime(2026, 12, 5, 14, 3, 27, tzinfo=UTC)),
        ("2026-12-05T14:03:27Z", dt.datetime(2026, 12, 5, 14, 3, 27, tzinfo=UTC)),
        ("2026-12-05T14:03:27+01:00", dt.datetime(2026, 12, 5, 13, 3, 27, tzinfo=UTC)),
        ("2026-07-05 14:03", dt.datetime(2026, 7, 5, 13, 3, tzinfo=UTC)),  # UK summer time when no zone is given
    ],
)
def test_moments_are_read_as_people_write_them(text, expected):
    assert backup.parse_moment(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-12-05", "14:03", "2026-13-45 10:00", ""])
def test_an_unreadable_moment_is_refused_with_an_example(text):
    with pytest.raises(backup.BackupError, match=r'is not a moment Casework can read.*"2026-12-05 14:03 UTC"'):
        backup.parse_moment(text)


@pytest.fixture
def held(tmp_path, monkeypatch):
    """A data folder whose backups hold one (described) base backup, finished an hour ago."""
    data = tmp_path / "data"
    base = data / "backups" / "base"
    base.mkdir(parents=True)
    finished = dt.datetime.now(UTC) - dt.timedelta(hours=1)
    (base / "20261205T140000Z.json").write_text(
        json.dumps(
            {
                "started": (finished - dt.timedelta(seconds=5)).isoformat(),
                "finished": finished.isoformat(),
                "timeline": 1,
                "start_wal": "000000010000000000000004",
                "size": 1000,
                "seconds": 5,
            }
        )
    )
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(data))
    monkeypatch.delenv("CASEWORK_BACKUP_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return data, finished


def restore(*args: str) -> int:
    return backup.main("restore", list(args))


def test_restore_refuses_in_plain_words_and_changes_nothing(held, tmp_path, capsys):
    data, _ = held
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").touch()
    cases = [
        (["--to", "2099-01-01 10:00 UTC", "--into", str(tmp_path / "new")], "is in the future (it is now"),
        (["--to", "2020-01-01 10:00 UTC", "--into", str(tmp_path / "new")], "is before the first backup: the earliest"),
        (["--to", "tomorrow", "--into", str(tmp_path / "new")], "is not a moment Casework can read"),
        (["--to", f"{dt.datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", "--into", str(tmp_path / "full")], "is not empty"),
        (["--to", f"{dt.datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", "--into", str(data)], "is the live data folder"),
        (["--to", f"{dt.datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"], "Say where to restore to"),
    ]
    for args, message in cases:
        assert restore(*args) == 1
        assert message in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in data.iterdir()) == ["backups"]


def test_restore_in_place_needs_the_typed_confirmation(held, monkeypatch, capsys):
    data, _ = held
    (data / "postgres").mkdir()
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert restore("--to", f"{dt.datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", "--in-place") == 1
    assert "the confirmation was not typed" in capsys.readouterr().err
    assert sorted(p.name for p in data.iterdir()) == ["backups", "postgres"]


def test_backup_list_shows_what_a_restore_can_reach(held, capsys):
    data, finished = held
    wal = data / "backups" / "wal"
    wal.mkdir()
    for n in (4, 5, 7):
        (wal / f"00000001000000000000000{n}.gz").write_bytes(b"x")
    assert backup.main("backup", ["--list"]) == 0
    out = capsys.readouterr().out
    assert "20261205T140000Z  finished " in out
    assert "Archived write-ahead log: 000000010000000000000004 to 000000010000000000000007 (3 files" in out
    assert "WARNING: 1 segments are missing from the archive (first 000000010000000000000006)" in out
    assert f"You can restore to any moment from {backup.say_moment(finished)}" in out


def test_with_a_database_url_backup_and_restore_point_to_the_provider(tmp_path):
    for args in (["backup"], ["restore", "--to", "2026-12-05 14:03 UTC", "--into", str(tmp_path / "r")]):
        run = casework(*args, data_dir=tmp_path, database_url="postgresql://someone@db.example.test/casework")
        assert run.returncode == 1
        assert "point-in-time recovery" in run.stdout
        assert "pgBackRest" in run.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_help_starts_no_database(tmp_path, command):
    run = casework(command, "--help", data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"usage: casework {command}")
    assert not (tmp_path / "postgres").exists()


def describe(base: Path, name: str, finished: dt.datetime, start_wal: str, size: int = 1000) -> None:
    (base / name).mkdir()
    (base / name / "PG_VERSION").write_text("17\n")
    (base / f"{name}.json").write_text(
        json.dumps(
            {
                "started": (finished - dt.timedelta(seconds=5)).isoformat(),
                "finished": finished.isoformat(),
                "timeline": int(start_wal[:8], 16),
                "start_wal": start_wal,
                "size": size,
                "seconds": 5,
            }
        )
    )


@pytest.fixture
def three_weeks(tmp_path, monkeypatch):
    """Three weekly base backups in a configured backup folder, with the WAL archived since the first, a timeline's
    history file and a backup history file."""
    root = tmp_path / "elsewhere"
    base, wal = root / "base", root / "wal"
    base.mkdir(parents=True)
    wal.mkdir()
    now = dt.datetime.now(UTC)
    describe(base, "20261121T020000Z", now - dt.timedelta(days=14), "000000010000000000000004")
    describe(base, "20261128T020000Z", now - dt.timedelta(days=7), "000000010000000000000009")
    describe(base, "20261205T020000Z", now - dt.timedelta(hours=1), "00000002000000000000000C")
    for n in range(4, 0xC):
        (wal / f"0000000100000000000000{n:02X}.gz").write_bytes(b"x")
    for n in range(0xB, 0xE):
        (wal / f"0000000200000000000000{n:02X}.gz").write_bytes(b"x")
    (wal / "00000002.history.gz").write_bytes(b"h")
    (wal / "000000010000000000000004.00000028.backup.gz").write_bytes(b"b")
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASEWORK_BACKUP_DIR", str(root))
    monkeypatch.delenv("CASEWORK_BACKUP_KEEP", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return root


def held_names(root: Path) -> tuple[list[str], list[str]]:
    return sorted(p.name for p in (root / "base").iterdir()), sorted(p.name for p in (root / "wal").iterdir())


def test_prune_keeps_the_newest_backups_and_every_segment_they_need(three_weeks, capsys):
    root = three_weeks
    assert backup.main("backup", ["--prune", "--keep", "2", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Removing 1 older base backup:\n  20261121T020000Z" in out
    assert "and 6 archived write-ahead log files that only it needed" in out
    assert "Removed 1 base backup and 6 write-ahead log files" in out
    base, wal = held_names(root)
    assert base == ["20261128T020000Z", "20261128T020000Z.json", "20261205T020000Z", "20261205T020000Z.json"]
    # From the oldest kept backup's first segment (9) on, on both timelines; the timeline history is kept.
    assert wal == [
        "000000010000000000000009.gz",
        "00000001000000000000000A.gz",
        "00000001000000000000000B.gz",
        "00000002.history.gz",
        "00000002000000000000000B.gz",
        "00000002000000000000000C.gz",
        "00000002000000000000000D.gz",
    ]
    assert "WARNING" not in capsys.readouterr().out
    assert backup.main("backup", ["--list"]) == 0
    listed = capsys.readouterr().out
    assert "Base backups (2):" in listed
    assert "WARNING" not in listed


def test_prune_asks_first_and_removes_nothing_unless_prune_is_typed(three_weeks, monkeypatch, capsys):
    root = three_weeks
    before = held_names(root)
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert backup.main("backup", ["--prune", "--keep", "1"]) == 1
    captured = capsys.readouterr()
    assert "Removing 2 older base backups" in captured.out
    assert "Nothing was removed: the confirmation was not typed" in captured.err
    assert held_names(root) == before

    def no_terminal(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)  # run from cron without --yes
    assert backup.main("backup", ["--prune", "--keep", "1"]) == 1
    assert held_names(root) == before

    monkeypatch.setattr("builtins.input", lambda prompt: "prune")
    assert backup.main("backup", ["--prune", "--keep", "1"]) == 0
    base, wal = held_names(root)
    assert base == ["20261205T020000Z", "20261205T020000Z.json"]
    assert wal == ["00000002.history.gz", "00000002000000000000000C.gz", "00000002000000000000000D.gz"]


def test_prune_never_removes_the_last_backup_and_says_what_it_needs(three_weeks, monkeypatch, capsys):
    root = three_weeks
    before = held_names(root)
    for args, message in [
        (["--prune", "--keep", "0", "--yes"], "--keep must be 1 or more: Casework never removes the last base backup"),
        (["--prune", "--yes"], "Say how many base backups to keep: --keep N (or set CASEWORK_BACKUP_KEEP)"),
        (["--keep", "2"], "--keep and --yes go with --prune"),
    ]:
        assert backup.main("backup", args) == 1
        assert message in capsys.readouterr().err
    monkeypatch.setenv("CASEWORK_BACKUP_KEEP", "two")
    assert backup.main("backup", ["--prune", "--yes"]) == 1
    assert 'CASEWORK_BACKUP_KEEP is "two": it must be a whole number' in capsys.readouterr().err
    monkeypatch.setenv("CASEWORK_BACKUP_KEEP", "3")
    assert backup.main("backup", ["--prune", "--yes"]) == 0
    assert "no more than the 3 to keep: nothing to remove" in capsys.readouterr().out
    assert held_names(root) == before
    monkeypatch.setenv("CASEWORK_BACKUP_KEEP", "2")
    assert backup.main("backup", ["--prune", "--yes"]) == 0
    assert held_names(root)[0][0] == "20261128T020000Z"


def test_prune_keeps_every_segment_when_a_kept_backup_does_not_say_where_it_starts(three_weeks):
    root = three_weeks
    meta = root / "base" / "20261128T020000Z.json"
    meta.write_text(meta.read_text().replace('"000000010000000000000009"', '""'))
    plan = backup.prune_plan(2, root)
    assert [b.name for b in plan.removed] == ["20261121T020000Z"]
    assert plan.wal == []
