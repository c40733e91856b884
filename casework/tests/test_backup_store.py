"""Backups shipped to an S3-compatible object store and fetched back (casework.backup_store), against moto's
in-process S3: what is shipped and how it is checked, nothing overwritten, object lock, a restore's fetch of what the
local folder lacks (a base backup, WAL, documents), and each refusal in plain words."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from casework import backup, backup_store

UTC = dt.UTC
BUCKET = "casework-backups"
SEGMENTS = ["000000010000000000000003", "000000010000000000000004", "000000010000000000000005"]


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("CASEWORK_BACKUP_S3_BUCKET", BUCKET)
    monkeypatch.setenv("CASEWORK_BACKUP_S3_PREFIX", "council/casework")
    monkeypatch.setenv("CASEWORK_BACKUP_S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-2")
        yield s3


def make_bucket(s3, *, lock: bool = False) -> None:
    s3.create_bucket(
        Bucket=BUCKET,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
        **({"ObjectLockEnabledForBucket": True} if lock else {}),
    )


@pytest.fixture
def backups(tmp_path, monkeypatch) -> Path:
    """A backups folder holding a base backup (finished an hour ago), three archived WAL segments and a document."""
    root = tmp_path / "data" / "backups"
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the embedded server's commands
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASEWORK_BACKUP_DIR", str(root))
    name = "20261206T100000Z"
    folder = root / "base" / name
    (folder / "global").mkdir(parents=True)
    (folder / "PG_VERSION").write_text("17\n")
    (folder / "global" / "pg_control").write_bytes(bytes(range(256)) * 32)
    (folder / "backup_label").write_text(f"START WAL LOCATION: 0/3000028 (file {SEGMENTS[0]})\n")
    finished = dt.datetime.now(UTC) - dt.timedelta(hours=1)
    description = {
        "started": (finished - dt.timedelta(seconds=3)).isoformat(),
        "finished": finished.isoformat(),
        "timeline": 1,
        "start_wal": SEGMENTS[0],
        "size": 8200,
        "seconds": 3.0,
    }
    (root / "base" / f"{name}.json").write_text(json.dumps(description))
    (root / "wal").mkdir()
    for n, segment in enumerate(SEGMENTS):
        (root / "wal" / f"{segment}.gz").write_bytes(gzip.compress(f"segment {n}".encode() * 100))
    letter = b"A letter kept as evidence.\n"
    sha = hashlib.sha256(letter).hexdigest()
    (root / "documents" / "originals" / sha[:2]).mkdir(parents=True)
    (root / "documents" / "originals" / sha[:2] / sha).write_bytes(letter)
    return root


def ship(capsys) -> tuple[int, str, str]:
    code = backup.main("backup", ["--ship"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def keys(s3) -> dict[str, int]:
    listing = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: item["Size"] for item in listing}


def test_ship_copies_what_the_store_lacks_checked_by_sha256_and_a_second_run_adds_nothing(aws, backups, capsys):
    make_bucket(aws)
    code, out, err = ship(capsys)
    assert code == 0, err
    # The live documents folder is the test run's, so earlier tests' files are backed up and shipped too.
    documents = sum(1 for p in (backups / "documents").rglob("*") if p.is_file())
    assert re.search(rf"shipped 1 base backup, 3 write-ahead log files and {documents} document files?\b", out), out
    held = keys(aws)
    assert set(held) == {
        "council/casework/base/20261206T100000Z.tar.gz",
        "council/casework/base/20261206T100000Z.json",
        *(f"council/casework/wal/{s}.gz" for s in SEGMENTS),
        *(f"council/casework/documents/{p.relative_to(backups / 'documents')}" for p in
          (backups / "documents").rglob("*") if p.is_file()),
    }  # fmt: skip
    segment = backups / "wal" / f"{SEGMENTS[1]}.gz"
    head = aws.head_object(Bucket=BUCKET, Key=f"council/casework/wal/{SEGMENTS[1]}.gz")
    assert head["Metadata"] == {
        "sha256": hashlib.sha256(segment.read_bytes()).hexdigest(),
        "size": str(segment.stat().st_size),
    }
    code, out, _ = ship(capsys)
    assert code == 0 and "shipped 0 base backups, 0 write-ahead log files and 0 document files" in out
    assert f"{4 + documents} already there" in out  # the base backup, three WAL files and the documents
    assert keys(aws) == held


def test_an_object_already_there_is_never_overwritten(aws, backups, capsys):
    make_bucket(aws)
    key = f"council/casework/wal/{SEGMENTS[2]}.gz"
    aws.put_object(Bucket=BUCKET, Key=key, Body=b"something else")
    code, _out, err = ship(capsys)
    assert code == 1
    assert f"{key} is already in the store with 14 bytes, not" in err and "were not overwritten" in err
    assert aws.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"something else"


def test_objects_are_written_under_object_lock_when_configured(aws, backups, capsys, monkeypatch):
    make_bucket(aws, lock=True)
    monkeypatch.setenv("CASEWORK_BACKUP_S3_LOCK_MODE", "compliance")
    monkeypatch.setenv("CASEWORK_BACKUP_S3_LOCK_DAYS", "30")
    code, _out, err = ship(capsys)
    assert code == 0, err
    head = aws.head_object(Bucket=BUCKET, Key=f"council/casework/wal/{SEGMENTS[0]}.gz")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > dt.datetime.now(UTC) + dt.timedelta(days=29)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CASEWORK_BACKUP_S3_LOCK_MODE": "forever"}, "it must be GOVERNANCE or COMPLIANCE"),
        ({"CASEWORK_BACKUP_S3_LOCK_MODE": "GOVERNANCE"}, "needs both CASEWORK_BACKUP_S3_LOCK_MODE and"),
        ({"CASEWORK_BACKUP_S3_LOCK_MODE": "GOVERNANCE", "CASEWORK_BACKUP_S3_LOCK_DAYS": "a year"}, "whole number"),
        ({"CASEWORK_BACKUP_S3_SECRET_ACCESS_KEY": ""}, "Give both CASEWORK_BACKUP_S3_ACCESS_KEY_ID and"),
    ],
)
def test_settings_that_cannot_be_right_are_refused_in_plain_words(aws, backups, capsys, monkeypatch, env, message):
    make_bucket(aws)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _out, err = ship(capsys)
    assert code == 1 and message in err and "Traceback" not in err
    assert not keys(aws)


def test_a_missing_bucket_is_said_in_plain_words(aws, backups, capsys):
    code, _out, err = ship(capsys)
    assert code == 1
    assert err.startswith("casework backup: The bucket casework-backups does not exist in the object store")
    assert "Traceback" not in err


def test_wrong_credentials_are_said_in_plain_words(aws, backups, capsys, monkeypatch):
    from moto.core import set_initial_no_auth_action_count

    make_bucket(aws)
    monkeypatch.setenv("CASEWORK_BACKUP_S3_ACCESS_KEY_ID", "AKIANOTAREALKEY00000")

    @set_initial_no_auth_action_count(0)
    def refused() -> tuple[int, str, str]:
        return ship(capsys)

    code, _out, err = refused()
    assert code == 1 and "refused the credentials" in err and "Traceback" not in err


def test_ship_without_a_store_says_how_to_configure_one(backups, capsys, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CASEWORK_BACKUP_S3_BUCKET", raising=False)
    code, _out, err = ship(capsys)
    assert code == 1 and "No object store is configured: set CASEWORK_BACKUP_S3_BUCKET" in err


def test_a_restore_fetches_the_base_backup_and_wal_the_local_folder_lacks(aws, backups, capsys):
    import shutil

    make_bucket(aws)
    assert ship(capsys)[0] == 0
    before = {p.relative_to(backups): p.read_bytes() for p in backups.rglob("*") if p.is_file()}
    shutil.rmtree(backups)  # the machine's backups folder is lost
    store = backup_store.Store(backup_store.configured())
    remote = backup_store.remote_backups(store)
    assert [r.name for r in remote] == ["20261206T100000Z"]
    backup_store.fetch_base(store, remote[0], backups, print)
    assert backup_store.fetch_wal(store, backups, SEGMENTS[1], print) == 2  # from the segment asked for on
    assert backup_store.fetch_wal(store, backups, SEGMENTS[0], print) == 1
    after = {p.relative_to(backups): p.read_bytes() for p in backups.rglob("*") if p.is_file()}
    documents = {k: v for k, v in before.items() if k.parts[0] == "documents"}
    assert after == {k: v for k, v in before.items() if k not in documents}
    assert [b.name for b in backup.base_backups(backups)] == ["20261206T100000Z"]
    name = next(iter(documents)).relative_to("documents")
    assert backup_store.fetch_document(store, str(name), backups / "documents" / name)
    assert (backups / "documents" / name).read_bytes() == documents[Path("documents") / name]
    assert not backup_store.fetch_document(store, "originals/00/" + "0" * 64, backups / "x")


def test_an_object_that_does_not_match_its_sha256_is_not_used(aws, backups, capsys):
    make_bucket(aws)
    key = f"council/casework/wal/{SEGMENTS[0]}.gz"
    aws.put_object(Bucket=BUCKET, Key=key, Body=b"tampered", Metadata={"sha256": "0" * 64, "size": "8"})
    store = backup_store.Store(backup_store.configured())
    with pytest.raises(backup_store.StoreError, match="does not match the SHA-256 it was stored with"):
        store.get(key, backups / "fetched.gz")
    assert not (backups / "fetched.gz").exists() and not (backups / "fetched.gz.part").exists()


def test_restore_names_the_store_when_neither_holds_a_backup(aws, tmp_path, capsys, monkeypatch):
    make_bucket(aws)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CASEWORK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASEWORK_BACKUP_DIR", str(tmp_path / "data" / "backups"))
    code = backup.main("restore", ["--to", "2026-12-05 14:03 UTC", "--into", str(tmp_path / "restored")])
    err = capsys.readouterr().err
    assert code == 1
    assert "There are no backups in" in err and "or the object store s3://casework-backups/council/casework" in err
