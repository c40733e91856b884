"""Loading a scanning bureau's output (the back-file): `casework documents import MANIFEST.csv`.

The manifest has one row per file, with the header (any order, these columns exactly):

    file,person_id,nhs_number,legacy_id,document_type,title,document_date,scanned_at,operator,device,
    resolution_dpi,colour,qa_outcome,original,sha256

`file` is relative to the manifest's folder (and must stay inside it); at least one of person_id (Casework's record
number), nhs_number and legacy_id (the previous system's id, a `legacy` identifier); dates YYYY-MM-DD; `original` is
`retained` or `destroyed`; `sha256` is the bureau's SHA-256 of the file. Each row:
- is checked (a row with a missing or bad value is refused, saying which and why);
- is matched to one person: every identifier given must point to the same one person. A row no one matches, or that
  its identifiers point to several people, goes to the review list (`ImportReview`), never guessed; a person settles
  it on the review page (documents.review_views), which imports the row with the same checks (`import_row`);
- has its file read and hashed: a hash that is not the bureau's is refused and reported;
- has its file checked as an upload is (documents.services.check_file: what it is, active content, the size limit,
  the virus scanner; bytes already on the person's record are refused) and is added as the system, with the bureau's
  capture metadata on the version, its chronology entry and its audit event (documents.services.documents_import_many);
- adds nothing if it was imported before (the document's import key is the file's SHA-256 and the person: a re-run,
  or the same file in a later manifest, adds nothing).
The outcome of every row is written to the report (CSV), and progress is printed as it goes.

Speed (bench/documents.py; the aim is 100,000 small files in under an hour): rows go in chunks of CHUNK_ROWS. A
chunk's identifiers are matched in two queries, its import keys and the
versions already holding its files' bytes in one each, its review rows in one; its files are read, hashed, examined,
scanned and stored by HASH_THREADS threads (hashing, libmagic and file and socket I/O release the GIL; each file's
bytes are held only while its thread works on it); then its
documents, versions, chronology entries and audit events are written in one transaction, one statement each
(`documents_import_many`), with one task for their renditions. A refused row writes nothing; if the chunk's
transaction fails because another run imported a row meanwhile, its rows are added one at a time instead.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError
from people.models import IdentifierType, Person, PersonIdentifier

from . import intake, scanning, services, storage
from .models import (
    CaptureSource,
    Document,
    DocumentType,
    DocumentVersion,
    ImportReview,
    ReviewResolution,
    Sensitivity,
)

CHUNK_ROWS = 500
HASH_THREADS = 4

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
    name = row.get("file", "")
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


Found = dict[str, set[int]]


def _wanted(row: dict[str, str]) -> list[tuple[str, str, str]]:
    """(column, identifier type, the value as the index holds it: upper case) for the row's NHS number and legacy id."""
    wanted = []
    for column, kind, value in (
        ("nhs_number", IdentifierType.NHS, _nhs(row["nhs_number"])),
        ("legacy_id", IdentifierType.LEGACY, row["legacy_id"]),
    ):
        if value:
            wanted.append((column, str(kind), value.upper()))
    return wanted


def match_many(rows: Iterable[dict[str, str]]) -> list[tuple[int | None, str]]:
    """`match` for many rows at once, in at most two queries whatever their number: the record numbers that exist,
    and the current NHS numbers and legacy ids (one query on the identifiers' index, UPPER(value) and type). For each
    row, in order: the one person's id every identifier points to, or None and why."""
    rows = list(rows)
    ids = {int(r["person_id"]) for r in rows if r["person_id"]}
    existing = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    by_kind: dict[str, set[str]] = {}
    for row in rows:
        for _column, kind, value in _wanted(row):
            by_kind.setdefault(kind, set()).add(value)
    holders: dict[tuple[str, str], set[int]] = {}
    if by_kind:
        condition = Q()
        for kind, values in by_kind.items():
            condition |= Q(type=kind, upper_value__in=sorted(values))
        found = (
            PersonIdentifier.objects.annotate(upper_value=Upper("value"))
            .filter(condition, ended_on__isnull=True)
            .values_list("type", "upper_value", "person_id")
        )
        for kind, value, person_id in found:
            holders.setdefault((kind, value), set()).add(person_id)
    results: list[tuple[int | None, str]] = []
    for row in rows:
        pointed: Found = {}
        if row["person_id"]:
            pk = int(row["person_id"])
            pointed["person_id"] = {pk} if pk in existing else set()
        for column, kind, value in _wanted(row):
            pointed[column] = holders.get((kind, value), set())
        results.append(_decide(pointed))
    return results


def _decide(found: Found) -> tuple[int | None, str]:
    everyone = set().union(*found.values())
    empty = [column for column, people in found.items() if not people]
    if empty:
        return None, f"no one has this {' or '.join(empty)}"
    if len(everyone) > 1:
        which = "; ".join(f"{column} points to {', '.join(map(str, sorted(p)))}" for column, p in found.items())
        return None, f"the identifiers point to different people ({which})"
    return everyone.pop(), ""


def match(row: dict[str, str]) -> tuple[Person | None, str]:
    """The one person every identifier in the row points to, or None and why (no one, or several people)."""
    ((person_id, why),) = match_many([row])
    return (Person.objects.get(pk=person_id) if person_id is not None else None), why


def import_key(sha256: str, person: Person | int) -> str:
    pk = person if isinstance(person, int) else person.pk
    return hashlib.sha256(f"bureau:{sha256}:{pk}".encode()).hexdigest()


def _review_rows(manifest: Path, pending: list[tuple[int, dict[str, str], str]]) -> None:
    """Put rows on the review list, one statement; a row already there (a re-run) is left as it is."""
    if not pending:
        return
    ImportReview.objects.bulk_create(
        [
            ImportReview(
                manifest=manifest.name,
                folder=str(manifest.parent)[:1000],
                row=number,
                sha256=row["sha256"].lower(),
                file=row["file"][:500],
                reason=why[:500],
                row_data=row,
            )
            for number, row, why in pending
        ],
        ignore_conflicts=True,
    )


@dataclass
class _Row:
    """A row of a chunk on its way in."""

    number: int
    row: dict[str, str]
    target: Path
    document_date: date
    scanned: date | None
    sha256: str
    person_id: int = 0
    key: str = ""
    stored: bool = False  # a version already names these bytes, so they are in the storage
    arrived: services.Arrived | None = None
    refusal: str = ""


def _capture(manifest: str, item: _Row) -> services.Capture:
    row = item.row
    captured = (
        timezone.make_aware(datetime.combine(item.scanned, datetime.min.time().replace(hour=12)))
        if item.scanned
        else None
    )
    return services.Capture(
        source=CaptureSource.BUREAU,
        device=row["device"],
        captured_at=captured,
        scanned_by=row["operator"],
        details={
            "resolution_dpi": int(row["resolution_dpi"]) if row["resolution_dpi"] else None,
            "colour": row["colour"],
            "qa_outcome": row["qa_outcome"],
            "original": row["original"],
            "bureau_sha256": item.sha256,
            "manifest": manifest,
            "manifest_row": item.number,
            "legacy_id": row["legacy_id"],
        },
    )


def _arrive(item: _Row, scanner: scanning.Scanner) -> None:
    """Read, hash, examine, scan and store one row's file (in a worker thread: no database). Sets `arrived`, or
    `refusal` with the reason."""
    name = Path(item.row["file"]).name
    try:
        data = item.target.read_bytes()
    except OSError as e:
        item.refusal = f"file {item.row['file']} cannot be read: {e.strerror or e}"
        return
    found = hashlib.sha256(data).hexdigest()
    if found != item.sha256:
        item.refusal = f"the file's SHA-256 is {found}, not the bureau's {item.sha256}"
        return
    try:
        checked = services.check_file(person=None, upload=services.Upload(name, data), scanner=scanner, sha256=found)
    except intake.Refused as e:
        item.refusal = f"{e}."
        return
    try:
        stored_as = (
            storage.original_name(found) if item.stored else storage.store_original(data, found, probably_new=True)
        )
    except OSError as e:
        item.refusal = f"the documents storage could not keep the file: {e}"
        return
    item.arrived = services.Arrived(
        name=name,
        sha256=found,
        size=len(data),
        media_type=checked.examined.media_type,
        description=checked.examined.description,
        scanner=checked.verdict.scanner,
        storage_name=stored_as,
    )


def _on_record(items: list[_Row]) -> dict[tuple[str, int], tuple[str, str, datetime]]:
    """Versions already holding the chunk's files' bytes, one query: {(sha256, person id): (title, sensitivity,
    uploaded at)} for those on the same person's record, and marks each row whose bytes are stored already."""
    shas = {i.sha256 for i in items}
    rows = (
        DocumentVersion.objects.filter(sha256__in=sorted(shas))
        .order_by("id")
        .values_list("sha256", "document__person_id", "document__title", "document__sensitivity", "uploaded_at")
    )
    held: dict[tuple[str, int], tuple[str, str, datetime]] = {}
    stored: set[str] = set()
    for sha, person_id, title, sensitivity, uploaded_at in rows:
        stored.add(sha)
        held.setdefault((sha, person_id), (title, sensitivity, uploaded_at))
    for i in items:
        i.stored = i.sha256 in stored
    return held


def _already_on_record(name: str, held: tuple[str, str, datetime]) -> str:
    title, sensitivity, uploaded_at = held
    named = "a restricted document" if sensitivity == Sensitivity.RESTRICTED else f"\u201c{title}\u201d"
    return f"{name} is already on this record: {named}, added on {long_date(timezone.localdate(uploaded_at))}."


def import_manifest(
    path: Path,
    *,
    progress: Callable[[int, float], None] | None = None,
    report_every: int = 500,
    chunk_rows: int = CHUNK_ROWS,
    actor: Actor = None,
) -> Report:
    """Import every row of the manifest at `path` (see the module's docstring); the report of every row."""
    path = path.resolve()
    report = Report()
    started = time.monotonic()
    shown = 0
    scanner = scanning.scanner()
    with ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="import") as pool:
        for chunk in _chunks(_rows(path), chunk_rows):
            report.outcomes.extend(_chunk(path, chunk, pool=pool, scanner=scanner, actor=actor))
            if progress is not None and len(report.outcomes) - shown >= report_every:
                shown = len(report.outcomes)
                progress(shown, time.monotonic() - started)
    if progress is not None:
        progress(len(report.outcomes), time.monotonic() - started)
    return report


def _chunks(rows: Iterator[tuple[int, dict[str, str]]], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for number, row in rows:
        chunk.append((number, row))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _chunk(
    path: Path,
    chunk: list[tuple[int, dict[str, str]]],
    *,
    pool: ThreadPoolExecutor,
    scanner: scanning.Scanner,
    actor: Actor,
    person_id: int | None = None,
) -> list[Outcome]:
    """Import a chunk of rows (see the module's docstring); their outcomes in order. `person_id`: the person a
    reviewer chose for every row (the review page), instead of matching."""
    manifest, folder = path.name, path.parent
    outcomes: dict[int, Outcome] = {}
    candidates: list[_Row] = []
    for number, row in chunk:
        errors, target, document_date, scanned = _check(row, folder)
        if errors:
            outcomes[number] = Outcome(number, row.get("file", ""), REFUSED, "; ".join(errors))
            continue
        assert target is not None and document_date is not None
        candidates.append(_Row(number, row, target, document_date, scanned, row["sha256"].lower()))
    if person_id is None:
        matched = match_many(c.row for c in candidates) if candidates else []
    else:
        matched = [(person_id, "")] * len(candidates)
    review: list[tuple[int, dict[str, str], str]] = []
    items: list[_Row] = []
    for c, (pid, why) in zip(candidates, matched, strict=True):
        if pid is None:
            review.append((c.number, c.row, why))
            outcomes[c.number] = Outcome(c.number, c.row["file"], REVIEW, why)
            continue
        c.person_id, c.key = pid, import_key(c.sha256, pid)
        items.append(c)
    _review_rows(path, review)
    if items:
        _bring_in(manifest, items, outcomes, pool=pool, scanner=scanner, actor=actor)
    return [outcomes[number] for number, _ in chunk]


def _bring_in(
    manifest: str,
    items: list[_Row],
    outcomes: dict[int, Outcome],
    *,
    pool: ThreadPoolExecutor,
    scanner: scanning.Scanner,
    actor: Actor,
) -> None:
    earlier = dict(Document.objects.filter(import_key__in=[i.key for i in items]).values_list("import_key", "pk"))
    fresh: list[_Row] = []
    first: dict[str, _Row] = {}
    repeats: list[_Row] = []
    for i in items:
        if i.key in earlier:
            outcomes[i.number] = Outcome(i.number, i.row["file"], ALREADY, "", earlier[i.key], i.person_id)
        elif i.key in first:
            repeats.append(i)  # the same file for the same person again in this chunk: as the first fares
        else:
            first[i.key] = i
            fresh.append(i)
    held = _on_record(fresh) if fresh else {}
    list(pool.map(lambda i: _arrive(i, scanner), fresh))
    ready: list[_Row] = []
    for i in fresh:
        if not i.refusal and (i.sha256, i.person_id) in held:
            i.refusal = _already_on_record(Path(i.row["file"]).name, held[(i.sha256, i.person_id)])
        if i.refusal:
            outcomes[i.number] = Outcome(i.number, i.row["file"], REFUSED, i.refusal, person_id=i.person_id)
        else:
            ready.append(i)
    documents = _write(manifest, ready, actor=actor)
    for i in ready:
        document_id, imported = documents[i.key]
        outcomes[i.number] = Outcome(
            i.number, i.row["file"], IMPORTED if imported else ALREADY, "", document_id, i.person_id
        )
    for i in repeats:
        one = first[i.key]
        if one.refusal:
            outcomes[i.number] = Outcome(i.number, i.row["file"], REFUSED, one.refusal, person_id=i.person_id)
        else:
            outcomes[i.number] = Outcome(i.number, i.row["file"], ALREADY, "", documents[i.key][0], i.person_id)


def _imported(manifest: str, i: _Row) -> services.Imported:
    assert i.arrived is not None
    return services.Imported(
        person_id=i.person_id,
        arrived=i.arrived,
        document_type=i.row["document_type"],
        document_date=i.document_date,
        title=i.row["title"],
        capture=_capture(manifest, i),
        import_key=i.key,
    )


def _write(manifest: str, ready: list[_Row], *, actor: Actor) -> dict[str, tuple[int | None, bool]]:
    """Write the chunk's documents in one transaction: {import key: (document id, imported now)}. When another run
    imported one of them meanwhile (the import key is taken), each is written in a transaction of its own instead."""
    if not ready:
        return {}
    try:
        documents = services.documents_import_many(actor=actor, items=[_imported(manifest, i) for i in ready])
        return {d.import_key: (d.pk, True) for d in documents}
    except IntegrityError:
        pass
    result: dict[str, tuple[int | None, bool]] = {}
    for i in ready:
        try:
            (document,) = services.documents_import_many(actor=actor, items=[_imported(manifest, i)])
            result[i.key] = (document.pk, True)
        except IntegrityError:
            result[i.key] = (Document.objects.filter(import_key=i.key).values_list("pk", flat=True).first(), False)
    return result


def import_row(review: ImportReview, *, person_id: int, actor: Actor) -> Outcome:
    """Import one row of the review list for the person a reviewer chose, with every check of the import (the row,
    the file's hash against the bureau's, what the file is, a re-run adding nothing)."""
    path = Path(review.folder or ".") / review.manifest
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import") as pool:
        (outcome,) = _chunk(
            path,
            [(review.row, {c: str(review.row_data.get(c, "")) for c in COLUMNS})],
            pool=pool,
            scanner=scanning.scanner(),
            actor=actor,
            person_id=person_id,
        )
    return outcome


def summary(report: Report) -> dict[str, Any]:
    return {
        "rows": len(report.outcomes),
        "imported": report.count(IMPORTED),
        "already_imported": report.count(ALREADY),
        "refused": report.count(REFUSED),
        "to_review": report.count(REVIEW),
    }


# --- The review list, settled by a person (documents.views: the review pages) -------------------------------------


def _refusal_words(review: ImportReview, reason: str) -> str:
    if "is not there" in reason or "cannot be read" in reason:
        return (
            f"The file was not imported: {reason}. Put the bureau's files back in {review.folder or 'its folder'}, "
            "then try again"
        )
    return f"The file was not imported: {reason}"


def _settled_already(review: ImportReview) -> RuleError:
    return RuleError({"__all__": "Someone has already settled this row. Go back to the review list"})


def import_review_resolve(*, actor: Actor, review: ImportReview, person: Person) -> Outcome:
    """Import a review-list row for the person a reviewer chose (the caller checks they may find them: accounts.access
    .may_review_imports and findable_people), with every check of the import (`import_row`), and mark the row
    settled, in one transaction with its audit event (UPDATE, "import_review"). The document is written as the
    reviewer's. RuleError when the file is refused (the row stays on the list) or the row was settled already."""
    with transaction.atomic():
        locked = ImportReview.objects.select_for_update().get(pk=review.pk)
        if locked.resolved_at is not None:
            raise _settled_already(locked)
        outcome = import_row(locked, person_id=person.pk, actor=actor)
        if outcome.outcome == REFUSED:
            raise RuleError({"__all__": _refusal_words(locked, outcome.reason)})
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor_or_none(actor)
        locked.resolution = ReviewResolution.IMPORTED
        locked.document_id = outcome.document_id
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution", "document"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="import_review",
            object_id=str(locked.pk),
            person_id=person.pk,
            changes={
                "resolution": ReviewResolution.IMPORTED,
                "manifest": locked.manifest,
                "row": locked.row,
                "file": locked.file,
                "reason_listed": locked.reason,
                "document": outcome.document_id,
                "imported_before": outcome.outcome == ALREADY,
            },
        )
    review.refresh_from_db()
    return outcome


def import_review_reject(*, actor: Actor, review: ImportReview, reason: str) -> ImportReview:
    """Mark a review-list row rejected (nothing imported), with why, and audit it (UPDATE, "import_review")."""
    reason = reason.strip()
    if not reason:
        raise RuleError({"reason": "Enter why this row is rejected"})
    if len(reason) > 500:
        raise RuleError({"reason": "Reason must be 500 characters or fewer"})
    with transaction.atomic():
        locked = ImportReview.objects.select_for_update().get(pk=review.pk)
        if locked.resolved_at is not None:
            raise _settled_already(locked)
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor_or_none(actor)
        locked.resolution = ReviewResolution.REJECTED
        locked.resolution_reason = reason
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution", "resolution_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="import_review",
            object_id=str(locked.pk),
            changes={
                "resolution": ReviewResolution.REJECTED,
                "manifest": locked.manifest,
                "row": locked.row,
                "file": locked.file,
                "reason_listed": locked.reason,
                "reason": reason,
            },
        )
    return locked
