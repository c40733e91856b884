"""Writes about documents: adding them (one or many files at once), new versions, changing their details, grants to
restricted documents, renditions' results, and the audit of every view and download.

Every write runs in one transaction with its audit event; adding a document also adds it to the chronology of its
person and of everyone it concerns (recording.services.chronology_add). Access is the caller's to check, through
accounts.access (may_add_documents, may_change_document, may_see_document, may_grant_document); the services check
the domain's rules (what a file may be: documents.intake; virus scanning: documents.scanning; a date not in the
future; the same bytes not added twice to one record).

Files are examined and scanned before the transaction; their bytes are stored (documents.storage, by SHA-256, never
overwritten) before the rows that name them are written, so a row never names a file that was not kept. A file
stored by a transaction that then rolls back stays in the storage, named by its hash, unreferenced and harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_bulk, audit_record
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import NewEntry, chronology_add, chronology_add_many

from . import intake, scanning, storage
from .models import (
    CaptureSource,
    Document,
    DocumentGrant,
    DocumentType,
    DocumentVersion,
    Rendition,
    RenditionStatus,
    Sensitivity,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name (as the sender's computer called it) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Capture:
    """How a file was captured (BS 10008 authenticity): the source, the device, when, who scanned it and the scanner's
    metadata (resolution, colour, quality check, whether the paper was kept, the bureau's SHA-256)."""

    source: str = CaptureSource.UPLOAD
    device: str = ""
    captured_at: datetime | None = None
    scanned_by: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    upload: Upload
    sha256: str
    examined: intake.Examined
    verdict: scanning.Verdict


class FilesRefused(RuleError):
    """One or more files refused: `messages` has one sentence per file, naming it."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__({"files": " ".join(messages)})


METADATA_FIELDS = ["title", "document_type", "document_date", "sensitivity"]


def _title_from(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:200] or "Untitled document"


def check_file(
    *,
    person: Person | None,
    upload: Upload,
    max_bytes: int | None = None,
    scanner: scanning.Scanner | None = None,
    sha256: str = "",
) -> Checked:
    """Examine and scan one file; raises intake.Refused with the reason. `person`: refuse bytes already on their
    record (a file sent twice); None touches no database (a bulk import checks that for many files at once).
    `scanner`: the virus scanner (scanning.scanner() unless given); `sha256`: the bytes' hash when already known."""
    examined = intake.examine(upload.name, upload.data, max_bytes=max_bytes)
    sha256 = sha256 or storage.sha256_bytes(upload.data)
    try:
        verdict = (scanner or scanning.scanner()).scan(upload.data)
    except scanning.ScannerUnavailable as e:
        logger.error("Virus scanner unavailable: %s", e)
        raise intake.Refused(
            f"{upload.name} could not be checked for viruses just now, so it was not kept. Try again in a few "
            "minutes; if it happens again, tell your system administrator"
        ) from e
    if not verdict.clean:
        raise intake.Refused(f"{upload.name} contains a virus ({verdict.found}) and was not kept")
    if person is not None:
        earlier = (
            DocumentVersion.objects.filter(sha256=sha256, document__person=person)
            .select_related("document")
            .order_by("id")
            .first()
        )
        if earlier is not None:
            doc = earlier.document
            named = "a restricted document" if doc.sensitivity == Sensitivity.RESTRICTED else f"\u201c{doc.title}\u201d"
            raise intake.Refused(
                f"{upload.name} is already on this record: {named}, added on "
                f"{long_date(timezone.localdate(earlier.uploaded_at))}"
            )
    return Checked(upload=upload, sha256=sha256, examined=examined, verdict=verdict)


def _validate_details(*, title: str, document_type: str, document_date: date | None, sensitivity: str) -> None:
    errors = {}
    if document_type not in DocumentType.values:
        errors["document_type"] = "Select the type of document"
    if sensitivity not in Sensitivity.values:
        errors["sensitivity"] = "Select how sensitive the document is"
    if document_date is None:
        errors["document_date"] = "Enter the date of the document"
    elif document_date > timezone.localdate():
        errors["document_date"] = "The date of the document must be today or in the past"
    if len(title) > 200:
        errors["title"] = "Title must be 200 characters or fewer"
    if errors:
        raise RuleError(errors)


def documents_add(
    *,
    actor: Actor,
    person: Person,
    uploads: Sequence[Upload],
    document_type: str,
    document_date: date | None,
    sensitivity: str = Sensitivity.ORDINARY,
    title: str = "",
    concerns: Sequence[Person] = (),
    cin_episode: Any = None,
    form_response: Any = None,
    chronology_entry: Any = None,
    capture: Capture | None = None,
    import_key: str = "",
    max_bytes: int | None = None,
) -> list[Document]:
    """Add one document per file to `person`'s record, all or none: every file is examined and scanned first, and if
    any is refused FilesRefused lists each refused file with its reason and nothing is kept. `title` is the title of
    a single file; with several, each takes the title followed by its file's name, or its file's name alone when no
    title is given. Each document gets version 1, an audit event (CREATE, "document") and a chronology entry on its
    person's and each concerned person's chronology; a restricted document gets a grant for the uploader. Renditions
    are queued once the transaction commits (documents.tasks)."""
    _validate_details(title=title, document_type=document_type, document_date=document_date, sensitivity=sensitivity)
    if not uploads:
        raise RuleError({"files": "Select a file to upload"})
    checked: list[Checked] = []
    refused: list[str] = []
    seen: dict[str, str] = {}
    for upload in uploads:
        try:
            one = check_file(person=person, upload=upload, max_bytes=max_bytes)
        except intake.Refused as e:
            refused.append(f"{e}.")
            continue
        if one.sha256 in seen:
            refused.append(f"{upload.name} is the same file as {seen[one.sha256]}: choose it once.")
            continue
        seen[one.sha256] = upload.name
        checked.append(one)
    if refused:
        raise FilesRefused(refused)
    assert document_date is not None  # _validate_details
    with transaction.atomic():
        documents = []
        for one in checked:
            name = title.strip() if len(checked) == 1 and title.strip() else _title_from(one.upload.name)
            if len(checked) > 1 and title.strip():
                name = f"{title.strip()}: {_title_from(one.upload.name)}"[:200]
            elif not title.strip():
                name = name[:1].upper() + name[1:]  # a title from "contact-letter.txt" reads "Contact letter"
            documents.append(
                _add_one(
                    actor=actor,
                    person=person,
                    checked=one,
                    title=name,
                    document_type=document_type,
                    document_date=document_date,
                    sensitivity=sensitivity,
                    concerns=[p for p in concerns if p.pk != person.pk],
                    cin_episode=cin_episode,
                    form_response=form_response,
                    chronology_entry=chronology_entry,
                    capture=capture or Capture(),
                    import_key=import_key if len(checked) == 1 else "",
                )
            )
    return documents


def _add_one(
    *,
    actor: Actor,
    person: Person,
    checked: Checked,
    title: str,
    document_type: str,
    document_date: date,
    sensitivity: str,
    concerns: Sequence[Person],
    cin_episode: Any,
    form_response: Any,
    chronology_entry: Any,
    capture: Capture,
    import_key: str,
) -> Document:
    user = actor_or_none(actor)
    document = Document.objects.create(
        person=person,
        document_type=document_type,
        title=title,
        document_date=document_date,
        sensitivity=sensitivity,
        cin_episode=cin_episode,
        form_response=form_response,
        chronology_entry=chronology_entry,
        created_by=user,
        modified_by=user,
        import_key=import_key,
    )
    if concerns:
        document.concerns.set(concerns)
    version = _version_create(document=document, number=1, checked=checked, user=user, reason="", capture=capture)
    if sensitivity == Sensitivity.RESTRICTED and user is not None:
        DocumentGrant.objects.create(document=document, user=user, granted_by=user, reason="Uploaded it")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="document",
        object_id=str(document.pk),
        person_id=person.pk,
        changes={
            "title": title,
            "document_type": document_type,
            "document_date": document_date,
            "sensitivity": sensitivity,
            "concerns": [p.pk for p in concerns],
            "version": 1,
            "original_name": checked.upload.name,
            "sha256": checked.sha256,
            "size": len(checked.upload.data),
            "media_type": checked.examined.media_type,
            "virus_scan": checked.verdict.scanner,
            "source": capture.source,
        },
    )
    _chronology(actor=actor, document=document, people=[person, *concerns], version=version)
    _queue_renditions(version)
    return document


def _version_create(
    *, document: Document, number: int, checked: Checked, user: Any, reason: str, capture: Capture
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        original_name=checked.upload.name[:255],
        storage_name=storage.store_original(checked.upload.data, checked.sha256),
        sha256=checked.sha256,
        size=len(checked.upload.data),
        media_type=checked.examined.media_type,
        format_description=checked.examined.description,
        uploaded_by=user,
        reason=reason,
        source=capture.source,
        device=capture.device[:200],
        captured_at=capture.captured_at,
        scanned_by=capture.scanned_by[:100],
        capture={**capture.details, "virus_scan": checked.verdict.scanner},
    )


def _chronology(*, actor: Actor, document: Document, people: Sequence[Person], version: DocumentVersion) -> None:
    import uuid

    kind = document.get_document_type_display()
    if document.sensitivity == Sensitivity.RESTRICTED:
        title = "Restricted document added"
        summary = "A restricted document was added to the record. Only people given access to it can open it."
    else:
        title = f"{kind} added: {document.title}"
        summary = f"{kind}, dated {long_date(document.document_date)}: \u201c{document.title}\u201d ({version.original_name})."
        if document.sensitivity == Sensitivity.THIRD_PARTY:
            summary += " It contains sensitive information about other people: check it before sharing it."
    together = uuid.uuid4() if len(people) > 1 else None
    occurred = timezone.make_aware(datetime.combine(document.document_date, datetime.min.time().replace(hour=12)))
    for person in people:
        chronology_add(
            person=person,
            occurred_at=occurred,
            entry_type=EntryType.DOCUMENT,
            title=title,
            summary=summary,
            source_type="document",
            source_id=document.pk,
            actor=actor,
            recorded_with=together,
        )


def _queue_renditions(version: DocumentVersion) -> None:
    def enqueue() -> None:
        from .tasks import make_renditions

        make_renditions.enqueue(version.pk)

    transaction.on_commit(enqueue)


@dataclass(frozen=True)
class Arrived:
    """A file examined, scanned and stored before its rows are written (a bulk import): what its version records."""

    name: str
    sha256: str
    size: int
    media_type: str
    description: str
    scanner: str
    storage_name: str


@dataclass(frozen=True)
class Imported:
    """One document of a bulk import (documents.importer): an ordinary document on one person's record."""

    person_id: int
    arrived: Arrived
    document_type: str
    document_date: date
    title: str
    capture: Capture
    import_key: str


def documents_import_many(*, actor: Actor, items: Sequence[Imported]) -> list[Document]:
    """Add one ordinary document per item, each with its version 1, its audit event (CREATE, "document", the same
    changes as documents_add) and its entry in the person's chronology, all in one transaction and a fixed number of
    statements whatever the number of items: the documents, the versions, the chronology entries and the audit events
    each in one statement, and one task that makes every version's renditions once it commits. The caller has
    checked each file (check_file) and stored it (storage.store_original), and checked the details. Raises
    IntegrityError (and writes nothing) when an import key is already used: another run imported it meanwhile."""
    if not items:
        return []
    user = actor_or_none(actor)
    actor_id = user.pk if user is not None else None
    with transaction.atomic():
        documents = Document.objects.bulk_create(
            [
                Document(
                    person_id=item.person_id,
                    document_type=item.document_type,
                    title=item.title,
                    document_date=item.document_date,
                    sensitivity=Sensitivity.ORDINARY,
                    created_by=user,
                    modified_by=user,
                    import_key=item.import_key,
                )
                for item in items
            ]
        )
        versions = DocumentVersion.objects.bulk_create(
            [
                DocumentVersion(
                    document=document,
                    number=1,
                    original_name=item.arrived.name[:255],
                    storage_name=item.arrived.storage_name,
                    sha256=item.arrived.sha256,
                    size=item.arrived.size,
                    media_type=item.arrived.media_type,
                    format_description=item.arrived.description,
                    uploaded_by=user,
                    reason="",
                    source=item.capture.source,
                    device=item.capture.device[:200],
                    captured_at=item.capture.captured_at,
                    scanned_by=item.capture.scanned_by[:100],
                    capture={**item.capture.details, "virus_scan": item.arrived.scanner},
                )
                for document, item in zip(documents, items, strict=True)
            ]
        )
        chronology_add_many(
            actor=actor,
            entries=[
                NewEntry(
                    person_id=item.person_id,
                    occurred_at=timezone.make_aware(
                        datetime.combine(item.document_date, datetime.min.time().replace(hour=12))
                    ),
                    entry_type=EntryType.DOCUMENT,
                    title=f"{DocumentType(item.document_type).label} added: {item.title}",
                    summary=f"{DocumentType(item.document_type).label}, dated {long_date(item.document_date)}: "
                    f"\u201c{item.title}\u201d ({item.arrived.name[:255]}).",
                    source_type="document",
                    source_id=document.pk,
                )
                for document, item in zip(documents, items, strict=True)
            ],
        )
        audit_bulk(
            [
                {
                    "actor_id": actor_id,
                    "action": AuditAction.CREATE,
                    "object_type": "document",
                    "object_id": str(document.pk),
                    "person_id": item.person_id,
                    "changes": {
                        "title": item.title,
                        "document_type": item.document_type,
                        "document_date": item.document_date,
                        "sensitivity": Sensitivity.ORDINARY,
                        "concerns": [],
                        "version": 1,
                        "original_name": item.arrived.name,
                        "sha256": item.arrived.sha256,
                        "size": item.arrived.size,
                        "media_type": item.arrived.media_type,
                        "virus_scan": item.arrived.scanner,
                        "source": item.capture.source,
                    },
                }
                for document, item in zip(documents, items, strict=True)
            ]
        )
        ids = [v.pk for v in versions]

        def enqueue() -> None:
            from .tasks import make_renditions_many

            make_renditions_many.enqueue(ids)

        transaction.on_commit(enqueue)
    return documents


def document_version_add(
    *, actor: Actor, document: Document, upload: Upload, reason: str, capture: Capture | None = None
) -> DocumentVersion:
    """Add a new version of `document`'s content; the earlier versions are kept as they are. Refused (RuleError on
    "files" or "reason") when the file is refused, is the same as a version already held, or no reason is given.
    Audited (CREATE, "document_version"); its renditions are queued."""
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why there is a new version"
    elif len(reason) > 300:
        errors["reason"] = "Reason must be 300 characters or fewer"
    try:
        checked = check_file(person=None, upload=upload)
    except intake.Refused as e:
        errors["files"] = f"{e}."
        checked = None
    if checked is not None and document.versions.filter(sha256=checked.sha256).exists():
        same = document.versions.filter(sha256=checked.sha256).first()
        errors["files"] = f"{upload.name} is the same file as version {same.number if same else ''}."
    if errors:
        raise RuleError(errors)
    assert checked is not None
    user = actor_or_none(actor)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = _version_create(
            document=locked,
            number=number,
            checked=checked,
            user=user,
            reason=reason.strip(),
            capture=capture or Capture(),
        )
        Document.objects.filter(pk=document.pk).update(modified_by=user, modified_at=timezone.now())
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="document_version",
            object_id=str(version.pk),
            person_id=document.person_id,
            changes={
                "document": document.pk,
                "version": number,
                "reason": reason.strip(),
                "original_name": upload.name,
                "sha256": checked.sha256,
                "size": len(upload.data),
                "media_type": checked.examined.media_type,
                "virus_scan": checked.verdict.scanner,
            },
        )
        _queue_renditions(version)
    return version


def document_change(
    *,
    actor: Actor,
    document: Document,
    title: str,
    document_type: str,
    document_date: date | None,
    sensitivity: str,
    concerns: Sequence[Person],
    reason: str,
) -> Document:
    """Change a document's details (never its content: that is a new version). Refused when nothing changes or no
    reason is given. Audited (UPDATE, "document") with the old and new values. A document made restricted keeps a
    grant for whoever restricted it, so they are not shut out."""
    _validate_details(title=title, document_type=document_type, document_date=document_date, sensitivity=sensitivity)
    if not title.strip():
        raise RuleError({"title": "Enter a title"})
    if not reason.strip():
        raise RuleError({"reason": "Enter why the details are changing"})
    if len(reason) > 300:
        raise RuleError({"reason": "Reason must be 300 characters or fewer"})
    new_concerns = sorted({p.pk for p in concerns if p.pk != document.person_id})
    old = {
        "title": document.title,
        "document_type": document.document_type,
        "document_date": document.document_date,
        "sensitivity": document.sensitivity,
        "concerns": sorted(document.concerns.values_list("pk", flat=True)),
    }
    new = {
        "title": title.strip(),
        "document_type": document_type,
        "document_date": document_date,
        "sensitivity": sensitivity,
        "concerns": new_concerns,
    }
    changed = {k: {"from": old[k], "to": new[k]} for k in old if old[k] != new[k]}
    if not changed:
        raise RuleError({"__all__": "Nothing has changed: change a detail, or go back"})
    user = actor_or_none(actor)
    with transaction.atomic():
        document.title = title.strip()
        document.document_type = document_type
        document.document_date = document_date  # type: ignore[assignment]
        document.sensitivity = sensitivity
        document.change_reason = reason.strip()
        document.modified_by = user
        document.save()
        document.concerns.set(new_concerns)
        if (
            sensitivity == Sensitivity.RESTRICTED
            and user is not None
            and not document.grants.filter(user=user, ended_at__isnull=True).exists()
        ):
            DocumentGrant.objects.create(document=document, user=user, granted_by=user, reason="Restricted it")
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="document",
            object_id=str(document.pk),
            person_id=document.person_id,
            changes={**changed, "reason": reason.strip()},
        )
    return document


def document_grant_add(*, actor: Actor, document: Document, user: Any, reason: str) -> DocumentGrant:
    """Let `user` open a restricted document. Audited (CREATE, "document_grant")."""
    if not reason.strip():
        raise RuleError({"reason": "Enter why they need to see this document"})
    if document.grants.filter(user=user, ended_at__isnull=True).exists():
        raise RuleError({"user": f"{getattr(user, 'display_name', user)} can already open this document"})
    with transaction.atomic():
        grant = DocumentGrant.objects.create(
            document=document, user=user, granted_by=actor_or_none(actor), reason=reason.strip()[:300]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="document_grant",
            object_id=str(grant.pk),
            person_id=document.person_id,
            changes={"document": document.pk, "user": user.pk, "reason": grant.reason},
        )
    return grant


def document_viewed(*, actor: Actor, document: Document, section: str) -> None:
    """Audit a view of a document (its page, a page image, its evidence page): VIEW, "document"."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="document",
        object_id=str(document.pk),
        person_id=document.person_id,
        context={"section": section},
    )


def document_downloaded(*, actor: Actor, document: Document, version: DocumentVersion, what: str, sha256: str) -> None:
    """Audit a download (the original, or the archival copy): EXPORT, "document", with the version and hash given."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="document",
        object_id=str(document.pk),
        person_id=document.person_id,
        changes={"version": version.number, "file": what, "sha256": sha256},
    )


# --- Renditions (called by documents.tasks, as the system) ---------------------------------------------------------


@dataclass(frozen=True)
class MadeFile:
    kind: str
    page: int
    name: str
    data: bytes
    media_type: str
    method: str


def rendition_start(*, version_id: int) -> DocumentVersion | None:
    """Mark a version's renditions as being made; None when it is not waiting (already made, or being made)."""
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or version.rendition_status not in (RenditionStatus.WAITING, RenditionStatus.FAILED):
            return None
        version.rendition_status = RenditionStatus.RUNNING
        version.rendition_message = ""
        version.save(update_fields=["rendition_status", "rendition_message"])
    return version


def rendition_finish(
    *, version: DocumentVersion, files: Sequence[MadeFile], text: str, pages: int | None, status: str, message: str = ""
) -> None:
    """Keep the renditions made (stored first, then their rows), the text for search and the status. Audited as the
    system (CREATE, "rendition")."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import Value

    stored = [(f, storage.store_rendition(f.name, f.data), storage.sha256_bytes(f.data)) for f in files]
    with transaction.atomic():
        for f, name, sha256 in stored:
            Rendition.objects.get_or_create(
                version=version,
                kind=f.kind,
                page=f.page,
                defaults={
                    "storage_name": name,
                    "sha256": sha256,
                    "size": len(f.data),
                    "media_type": f.media_type,
                    "method": f.method[:300],
                },
            )
        clean = text.replace("\x00", "")
        DocumentVersion.objects.filter(pk=version.pk).update(
            rendition_status=status,
            rendition_message=message[:500],
            text=clean,
            pages=pages,
            text_search=SearchVector(Value(clean[:500_000]), config="english"),
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="rendition",
            object_id=str(version.pk),
            person_id=version.document.person_id,
            changes={
                "status": status,
                "message": message,
                "files": [{"kind": f.kind, "page": f.page, "sha256": sha} for f, _, sha in stored if f.kind != "page"],
                "pages": pages,
            },
        )


def rendition_fail(*, version: DocumentVersion, message: str) -> None:
    with transaction.atomic():
        DocumentVersion.objects.filter(pk=version.pk).update(
            rendition_status=RenditionStatus.FAILED, rendition_message=message[:500]
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="rendition",
            object_id=str(version.pk),
            person_id=version.document.person_id,
            changes={"status": RenditionStatus.FAILED, "message": message},
        )
