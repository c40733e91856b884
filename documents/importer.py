"""Loading a scanning bureau's output (the back-file): `casework documents import MANIFEST.csv`.

The manifest has one row per file, with the header (any order, these columns exactly):

    file,person_id,nhs_number,legacy_id,document_type,title,document_date,scanned_at,operator,device,
    resolution_dpi,colour,qa_outcome,original,sha256

`file` is relative to the manifest's folder (and must stay inside it); at least one of person_id (Casework's record
number), nhs_number and legacy_id (the previous system's id, a `legacy` identifier); dates YYYY-MM-DD; `original` is
`retained` or `destroyed`; `sha256` is the bureau's SHA-256 of the file. Each row:
- is checked (a row with a missing or bad value is refused, saying which and why);
- is matched to one person: every identifier given must point to the same one person. A row no one matches, or that
  its identifiers point to several people, goes to the review list (`ImportReview`), never guessed;
- has its file read and hashed: a hash that is not the bureau's is refused and reported;
- is added through documents.services.documents_add (the same checks of the file as an upload, the chronology, the
  audit), as the system, with the bureau's capture metadata on the version;
- adds nothing if it was imported before (the document's import key is the file's SHA-256 and the person: a re-run,
  or the same file in a later manifest, adds nothing).
The outcome of every row is written to the report (CSV), and progress is printed as it goes.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import RuleError
from people.models import IdentifierType, Person, PersonIdentifier

from . import intake, services
from .models import CaptureSource, Document, DocumentType, ImportReview

COLUMNS = [
    "file",
    "person_id",
    "nhs_number",
    "legacy_id",
    "document_type",
    "title",
    "document_date",
    "scanned_at",
    "operator",
    "device",
    "resolution_dpi",
    "colour",
    "qa_outcome",
    "original",
    "sha256",
]
ORIGINAL = {"retained", "destroyed"}
SHA256 = re.compile(r"[0-9a-f]{64}")
# Outcomes, as the report says them.
IMPORTED, ALREADY, REFUSED, REVIEW = "imported", "already imported", "refused", "to review"


class ManifestError(Exception):
    """The manifest as a whole cannot be read (missing, not CSV, the wrong columns)."""


@dataclass
class Outcome:
    row: int
    file: str
    outcome: str
    reason: str = ""
    document_id: int | None = None
    person_id: int | None = None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return self.count(REFUSED) == 0 and self.count(REVIEW) == 0

    def write_csv(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["row", "file", "outcome", "reason", "document_id", "person_id"])
            for o in self.outcomes:
                writer.writerow([o.row, o.file, o.outcome, o.reason, o.document_id or "", o.person_id or ""])


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as e:
        raise ManifestError(f"{path}: {e.strerror or e}") from e
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ManifestError(f"{path}: the header lacks {', '.join(missing)} (it must be {','.join(COLUMNS)})")
        for number, raw in enumerate(reader, start=2):
            yield number, {k.strip(): (v or "").strip() for k, v in raw.items() if k}


def _day(value: str, name: str, errors: list[str]) -> date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"{name} must be a date written YYYY-MM-DD, not \u201c{value}\u201d")
    return None


def _check(row: dict[str, str], folder: Path) -> tuple[list[str], Path | None, date | None, date | None]:
    errors: list[str] = []
    target: Path | None = None
    name = row["file"]
    if not name:
        errors.append("file is empty")
    else:
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            errors.append(f"file {name} is outside the manifest's folder")
            target = None
        elif not target.is_file():
            errors.append(f"file {name} is not there")
            target = None
    if not (row["person_id"] or row["nhs_number"] or row["legacy_id"]):
        errors.append("give at least one of person_id, nhs_number and legacy_id")
    if row["person_id"] and not row["person_id"].isdigit():
        errors.append(f"person_id must be a number, not \u201c{row['person_id']}\u201d")
    if row["document_type"] not in DocumentType.values:
        errors.append(f"document_type must be one of {', '.join(DocumentType.values)}")
    if not row["title"]:
        errors.append("title is empty")
    elif len(row["title"]) > 200:
        errors.append("title must be 200 characters or fewer")
    document_date = _day(row["document_date"], "document_date", errors)
    scanned = _day(row["scanned_at"], "scanned_at", errors)
    today = timezone.localdate()
    if document_date and document_date > today:
        errors.append("document_date is in the future")
    if scanned and scanned > today:
        errors.append("scanned_at is in the future")
    if row["original"] not in ORIGINAL:
        errors.append("original must be retained or destroyed")
    if not SHA256.fullmatch(row["sha256"].lower()):
        errors.append("sha256 must be 64 hexadecimal characters")
    if row["resolution_dpi"] and not row["resolution_dpi"].isdigit():
        errors.append("resolution_dpi must be a whole number")
    return errors, target, document_date, scanned


def _nhs(value: str) -> str:
    return re.sub(r"\s", "", value)


def match(row: dict[str, str]) -> tuple[Person | None, str]:
    """The one person every identifier in the row points to, or None and why (no one, or several people)."""
    found: dict[str, set[int]] = {}
    if row["person_id"]:
        found["person_id"] = set(Person.objects.filter(pk=int(row["person_id"])).values_list("pk", flat=True))
    for column, kind, value in (
        ("nhs_number", IdentifierType.NHS, _nhs(row["nhs_number"])),
        ("legacy_id", IdentifierType.LEGACY, row["legacy_id"]),
    ):
        if value:
            found[column] = set(
                # iexact: the identifiers' index is on UPPER(value) and type (people.PersonIdentifier).
                PersonIdentifier.objects.filter(type=kind, value__iexact=value, ended_on__isnull=True).values_list(
                    "person_id", flat=True
                )
            )
    everyone = set().union(*found.values())
    empty = [column for column, people in found.items() if not people]
    if empty:
        return None, f"no one has this {' or '.join(empty)}"
    if len(everyone) > 1:
        which = "; ".join(f"{column} points to {', '.join(map(str, sorted(p)))}" for column, p in found.items())
        return None, f"the identifiers point to different people ({which})"
    return Person.objects.get(pk=everyone.pop()), ""


def import_key(sha256: str, person: Person) -> str:
    return hashlib.sha256(f"bureau:{sha256}:{person.pk}".encode()).hexdigest()


def _review(manifest: str, number: int, row: dict[str, str], reason: str) -> None:
    ImportReview.objects.get_or_create(
        manifest=manifest,
        row=number,
        sha256=row["sha256"].lower(),
        defaults={"file": row["file"][:500], "reason": reason[:500], "row_data": row},
    )


def import_manifest(
    path: Path, *, progress: Callable[[int, float], None] | None = None, report_every: int = 500
) -> Report:
    """Import every row of the manifest at `path` (see the module's docstring); the report of every row."""
    path = path.resolve()
    folder = path.parent
    report = Report()
    started = time.monotonic()
    for number, row in _rows(path):
        report.outcomes.append(_one(path.name, folder, number, row))
        if progress is not None and len(report.outcomes) % report_every == 0:
            progress(len(report.outcomes), time.monotonic() - started)
    if progress is not None:
        progress(len(report.outcomes), time.monotonic() - started)
    return report


def _one(manifest: str, folder: Path, number: int, row: dict[str, str]) -> Outcome:
    errors, target, document_date, scanned = _check(row, folder)
    name = row.get("file", "")
    if errors:
        return Outcome(number, name, REFUSED, "; ".join(errors))
    assert target is not None and document_date is not None
    sha256 = row["sha256"].lower()
    person, why = match(row)
    if person is None:
        _review(manifest, number, row, why)
        return Outcome(number, name, REVIEW, why)
    key = import_key(sha256, person)
    earlier = Document.objects.filter(import_key=key).values_list("pk", flat=True).first()
    if earlier is not None:
        return Outcome(number, name, ALREADY, "", earlier, person.pk)
    data = target.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        return Outcome(number, name, REFUSED, f"the file's SHA-256 is {found}, not the bureau's {sha256}")
    captured = timezone.make_aware(datetime.combine(scanned, datetime.min.time().replace(hour=12))) if scanned else None
    capture = services.Capture(
        source=CaptureSource.BUREAU,
        device=row["device"],
        captured_at=captured,
        scanned_by=row["operator"],
        details={
            "resolution_dpi": int(row["resolution_dpi"]) if row["resolution_dpi"] else None,
            "colour": row["colour"],
            "qa_outcome": row["qa_outcome"],
            "original": row["original"],
            "bureau_sha256": sha256,
            "manifest": manifest,
            "manifest_row": number,
            "legacy_id": row["legacy_id"],
        },
    )
    try:
        with transaction.atomic():
            (document,) = services.documents_add(
                actor=None,
                person=person,
                uploads=[services.Upload(Path(name).name, data)],
                document_type=row["document_type"],
                document_date=document_date,
                title=row["title"],
                capture=capture,
                import_key=key,
            )
    except services.FilesRefused as e:
        return Outcome(number, name, REFUSED, " ".join(e.messages), person_id=person.pk)
    except (RuleError, intake.Refused) as e:
        return Outcome(number, name, REFUSED, str(e), person_id=person.pk)
    except IntegrityError:  # imported by another run at the same moment
        earlier = Document.objects.filter(import_key=key).values_list("pk", flat=True).first()
        return Outcome(number, name, ALREADY, "", earlier, person.pk)
    return Outcome(number, name, IMPORTED, "", document.pk, person.pk)


def summary(report: Report) -> dict[str, Any]:
    return {
        "rows": len(report.outcomes),
        "imported": report.count(IMPORTED),
        "already_imported": report.count(ALREADY),
        "refused": report.count(REFUSED),
        "to_review": report.count(REVIEW),
    }
