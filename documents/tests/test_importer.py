"""`casework documents import MANIFEST.csv`: a scanning bureau's back-file matched row by row, hashes checked, the
unmatched and ambiguous put on the review list, a re-run adding nothing, and the report of every row."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from documents.models import Document, ImportReview
from people.models import PersonIdentifier
from people.tests.factories import person
from recording.models import ChronologyEntry

HEADER = "file,person_id,nhs_number,legacy_id,document_type,title,document_date,scanned_at,operator,device,resolution_dpi,colour,qa_outcome,original,sha256"


@pytest.fixture
def people(db):
    amelia = person("Amelia", "Hughes", date(2015, 3, 27))
    ben = person("Ben", "Hughes", date(2017, 5, 1))
    PersonIdentifier.objects.create(person=amelia, type="nhs", value="9434765919")
    PersonIdentifier.objects.create(person=amelia, type="legacy", value="SW-1001")
    PersonIdentifier.objects.create(person=ben, type="legacy", value="SW-2002")
    return amelia, ben


def manifest(folder: Path, rows: list[dict[str, str]]) -> Path:
    (folder / "box1").mkdir(exist_ok=True)
    lines = [HEADER]
    for row in rows:
        content = row.pop("content", f"Scanned page {row['file']}\n").encode()
        (folder / row["file"]).write_bytes(content)
        sha = row.pop("sha256", hashlib.sha256(content).hexdigest())
        values = {
            "person_id": "",
            "nhs_number": "",
            "legacy_id": "",
            "document_type": "letter",
            "title": "Letter",
            "document_date": "1998-04-02",
            "scanned_at": "2026-10-01",
            "operator": "JB",
            "device": "Kodak i4250",
            "resolution_dpi": "300",
            "colour": "greyscale",
            "qa_outcome": "passed",
            "original": "retained",
            **row,
            "sha256": sha,
        }
        lines.append(",".join(values[c] for c in HEADER.split(",")))
    path = folder / "manifest.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(path: Path, capsys) -> tuple[int, dict]:
    code = 0
    try:
        call_command("documents", "import", str(path), "--json")
    except SystemExit as e:
        code = int(e.code or 0)
    return code, json.loads(capsys.readouterr().out)


def test_rows_are_matched_by_any_identifier_hashes_checked_and_a_rerun_adds_nothing(people, tmp_path, capsys) -> None:
    amelia, ben = people
    path = manifest(
        tmp_path,
        [
            {"file": "box1/0001.txt", "person_id": str(amelia.pk), "title": "Referral letter"},
            {"file": "box1/0002.txt", "nhs_number": "943 476 5919", "document_type": "report"},
            {"file": "box1/0003.txt", "legacy_id": "SW-2002"},
            {"file": "box1/0004.txt", "legacy_id": "SW-9999"},  # no one
            {"file": "box1/0005.txt", "person_id": str(amelia.pk), "legacy_id": "SW-2002"},  # two people
            {"file": "box1/0006.txt", "person_id": str(ben.pk), "sha256": "0" * 64},  # the bureau's hash is wrong
            {"file": "box1/0007.txt", "person_id": str(ben.pk), "document_date": "02/04/1998"},
        ],
    )
    code, counts = run(path, capsys)
    assert code == 1
    assert {k: counts[k] for k in ("rows", "imported", "refused", "to_review")} == {
        "rows": 7, "imported": 3, "refused": 2, "to_review": 2,
    }  # fmt: skip
    assert list(Document.objects.filter(person=amelia).values_list("title", flat=True).order_by("title")) == [
        "Letter",
        "Referral letter",
    ]
    version = Document.objects.get(title="Referral letter").versions.get()
    assert version.source == "bureau" and version.scanned_by == "JB" and version.device == "Kodak i4250"
    assert version.capture["resolution_dpi"] == 300 and version.capture["original"] == "retained"
    assert ChronologyEntry.objects.filter(person=ben, source_type="document").count() == 1
    review = {r.row: r.reason for r in ImportReview.objects.all()}
    assert review[5] == "no one has this legacy_id"
    assert review[6].startswith("the identifiers point to different people")

    rows = {int(r["row"]): r for r in csv.DictReader((tmp_path / "manifest.report.csv").open())}
    assert len(rows) == 7 and rows[2]["outcome"] == "imported" and rows[2]["document_id"]
    assert "not the bureau's " + "0" * 64 in rows[7]["reason"]
    assert "document_date must be a date written YYYY-MM-DD" in rows[8]["reason"]

    code, again = run(path, capsys)
    assert (again["imported"], again["already_imported"]) == (0, 3)
    assert Document.objects.count() == 3 and ImportReview.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="document_manifest", action="import").count() == 2


def test_a_manifest_with_the_wrong_columns_is_refused_whole(db, tmp_path) -> None:
    from django.core.management.base import CommandError

    path = tmp_path / "m.csv"
    path.write_text("file,person\nx.pdf,1\n")
    with pytest.raises(CommandError, match="the header lacks person_id, nhs_number"):
        call_command("documents", "import", str(path))


def test_a_file_outside_the_manifests_folder_is_refused(people, tmp_path, capsys) -> None:
    amelia, _ = people
    inner = tmp_path / "bureau"
    inner.mkdir()
    (tmp_path / "secret.txt").write_text("not the bureau's\n")
    path = inner / "manifest.csv"
    sha = hashlib.sha256(b"not the bureau's\n").hexdigest()
    path.write_text(
        HEADER + f"\n../secret.txt,{amelia.pk},,,letter,T,2020-01-01,2026-01-01,JB,K,300,grey,passed,retained,{sha}\n"
    )
    code, counts = run(path, capsys)
    assert code == 1 and counts["refused"] == 1 and not Document.objects.exists()


def _rows(n: int, amelia, ben, prefix: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for k in range(n):
        rows.append({"file": f"box1/{prefix}{k:03d}.txt", "legacy_id": "SW-1001" if k % 2 else "SW-2002"})
    rows.append({"file": f"box1/{prefix}nhs.txt", "nhs_number": "9434765919", "person_id": str(amelia.pk)})
    rows.append({"file": f"box1/{prefix}nobody.txt", "legacy_id": "SW-0000"})  # to review
    rows.append({"file": f"box1/{prefix}bad.txt", "person_id": str(ben.pk), "sha256": "1" * 64})  # refused
    return rows


def test_a_chunk_of_rows_takes_the_same_few_queries_however_many_rows_it_has(people, tmp_path) -> None:
    from core.testing import assert_same_query_count, count_queries
    from documents import importer

    amelia, ben = people
    (tmp_path / "few").mkdir()
    (tmp_path / "many").mkdir()
    few = manifest(tmp_path / "few", _rows(2, amelia, ben, "f"))
    many = manifest(tmp_path / "many", _rows(40, amelia, ben, "m"))
    with count_queries() as small:
        report = importer.import_manifest(few, chunk_rows=100)
    assert importer.summary(report)["imported"] == 3
    with count_queries() as large:
        report = importer.import_manifest(many, chunk_rows=100)
    assert importer.summary(report)["imported"] == 41
    assert_same_query_count(small, large)
    # Match (record numbers, identifiers), the review list, import keys, bytes held; documents, versions,
    # chronology, audit; and the chunk's savepoint.
    assert len(large) <= 12, large.listing()
    # Every document has its version, its chronology entry and its audit event, as an upload has.
    documents = Document.objects.filter(title="Letter")
    assert documents.count() == 44
    for d in documents:
        assert d.versions.get().sha256 and d.versions.get().capture["manifest"] == "manifest.csv"
    ids = [str(d.pk) for d in documents]
    assert AuditEvent.objects.filter(object_type="document", action="create", object_id__in=ids).count() == 44
    assert ChronologyEntry.objects.filter(source_type="document", source_id__in=ids).count() == 44


def test_refused_files_in_a_chunk_write_nothing_and_the_rest_are_imported(people, tmp_path) -> None:
    from documents import importer
    from documents.services import Upload, documents_add

    amelia, _ben = people
    uploaded = b"Letter the social worker uploaded first\n"
    documents_add(
        actor=None, person=amelia, uploads=[Upload("first.txt", uploaded)], document_type="letter",
        document_date=date(2020, 1, 1),
    )  # fmt: skip
    path = manifest(
        tmp_path,
        [
            {"file": "box1/good.txt", "legacy_id": "SW-1001"},
            {"file": "box1/program.txt", "legacy_id": "SW-1001", "content": "MZ\x90\x00 a program"},
            {"file": "box1/again.txt", "legacy_id": "SW-1001", "content": uploaded.decode()},
            {"file": "box1/same.txt", "legacy_id": "SW-2002", "content": "The same page twice\n"},
            {"file": "box1/same2.txt", "legacy_id": "SW-2002", "content": "The same page twice\n"},
        ],
    )
    before = AuditEvent.objects.count(), ChronologyEntry.objects.count()
    report = importer.import_manifest(path)
    outcomes = {o.file: (o.outcome, o.reason) for o in report.outcomes}
    assert outcomes["box1/good.txt"][0] == "imported"
    assert outcomes["box1/program.txt"][0] == "refused" and "program" in outcomes["box1/program.txt"][1]
    assert outcomes["box1/again.txt"] == (
        "refused",
        f"again.txt is already on this record: \u201cFirst\u201d, added on {date.today():%-d %B %Y}.",
    )
    assert outcomes["box1/same.txt"][0] == "imported" and outcomes["box1/same2.txt"][0] == "already imported"
    assert Document.objects.filter(import_key__gt="").count() == 2
    assert (AuditEvent.objects.count(), ChronologyEntry.objects.count()) == (before[0] + 2, before[1] + 2)


def test_match_says_who_one_row_points_to(people) -> None:
    from documents import importer

    amelia, _ben = people
    row = {"person_id": "", "nhs_number": "943 476 5919", "legacy_id": "sw-1001"}
    assert importer.match(row) == (amelia, "")
    assert importer.match({**row, "legacy_id": "SW-2002"})[0] is None
