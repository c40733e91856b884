"""Documents in backups and restores (issue 11, business continuity): `casework backup` copies the document files it
does not hold yet, and a restore puts back exactly the files the restored database names, each checked by SHA-256,
naming any document whose file is missing or altered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from psycopg.conninfo import make_conninfo

from casework import backup
from documents import services
from documents.services import Upload
from people.tests.factories import person

pytestmark = [
    pytest.mark.usefixtures("allow_audit_flush", "team_a_holds"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def backups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "backups"
    monkeypatch.setenv("CASEWORK_BACKUP_DIR", str(folder))
    return folder


def database_url() -> str:
    params = connection.get_connection_params()
    return make_conninfo(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})


def add_letter(actor, name: str, data: bytes):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    [doc] = services.documents_add(
        actor=actor,
        person=child,
        uploads=[Upload(name, data)],
        document_type="letter",
        document_date=date(2026, 11, 30),
    )
    return doc


def test_a_backup_copies_each_document_file_once(alice, backups, documents_storage) -> None:
    doc = add_letter(alice, "letter.txt", b"Dear Ms Hughes, the meeting is on Tuesday.\n")
    lines: list[str] = []
    first = backup.backup_documents(lines.append)
    assert first is not None and (first.copied, first.held) == (1, 1)
    stored = doc.versions.get().storage_name
    assert (backups / "documents" / stored).read_bytes() == (documents_storage / stored).read_bytes()
    again = backup.backup_documents(lines.append)
    assert again is not None and (again.copied, again.held) == (0, 1)
    assert lines[-1].startswith("Documents: copied 0 new files")


def test_an_original_still_being_written_waits_for_the_next_backup(alice, backups, documents_storage) -> None:
    half = documents_storage / "originals" / "ab" / ("ab" + "0" * 62)
    half.parent.mkdir(parents=True)
    half.write_bytes(b"the first half of a file")
    result = backup.backup_documents(lambda line: None)
    assert result is not None and (result.copied, result.waiting) == (0, 1)
    assert not (backups / "documents" / "originals" / "ab").exists()


def test_a_restore_puts_back_the_files_the_database_names_each_hash_checked(alice, backups, tmp_path) -> None:
    kept = add_letter(alice, "kept.txt", b"In the backup.\n")
    backup.backup_documents(lambda line: None)
    later = add_letter(alice, "later.txt", b"Written after the backup, still in the live folder.\n")
    into = tmp_path / "restored"
    said = backup.documents_check(database_url(), into)
    assert said.startswith("Documents: all 2 files the restored database names are in")
    for doc in (kept, later):
        version = doc.versions.get()
        assert backup.sha256_file(into / "documents" / version.storage_name) == version.sha256


def test_a_restore_names_each_document_whose_file_is_missing_or_altered(
    alice, backups, tmp_path, documents_storage
) -> None:
    missing = add_letter(alice, "gone.txt", b"This file will be lost.\n")
    altered = add_letter(alice, "changed.txt", b"This file will be changed.\n")
    backup.backup_documents(lambda line: None)
    for doc in (missing, altered):
        name = doc.versions.get().storage_name
        (documents_storage / name).chmod(0o600)
        (documents_storage / name).unlink()
    (backups / "documents" / missing.versions.get().storage_name).unlink()
    (backups / "documents" / altered.versions.get().storage_name).write_bytes(b"Not what was stored.\n")
    with pytest.raises(backup.BackupError) as refused:
        backup.documents_check(database_url(), tmp_path / "restored")
    said = str(refused.value)
    assert said.startswith("2 document files the restored database names are not in the backups")
    assert f"document {missing.pk} version 1: " in said and "is missing" in said
    assert f"document {altered.pk} version 1: " in said and "is altered (its SHA-256 differs)" in said


def test_a_database_without_documents_restores_with_nothing_to_check(backups, tmp_path) -> None:
    assert backup.documents_check(database_url(), tmp_path / "restored") == (
        "Documents: the restored database names none."
    )
