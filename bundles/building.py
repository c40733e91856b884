"""Building a bundle that was asked for (bundles.services.bundle_request): run by the task (bundles.tasks), or at once
for a small one and by `casework bundle`.

The exhibits, in sections: A the chronology for the period (filtered by type), B each chosen form response as
printed (forms.printing), C each chosen document's disclosure copy (documents.selectors.disclosure_copy: its archival
PDF/A-2b copy, or its redacted copy once redaction exists), read from storage and checked against its recorded
SHA-256. bundles.assembly places, stamps and hashes the pages; the result must pass core.printing.pdfa_problems. The
file is kept in the documents storage under bundles/<id>/<sha256>.pdf (never overwritten), its SHA-256 recorded and
audited. Anything that goes wrong fails the bundle with the reason in words; nothing half-made is kept.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.dates import long_date
from core.printing import pdfa_problems
from documents import selectors as document_selectors
from documents import storage
from documents.models import DocumentVersion, Sensitivity
from forms.printing import response_pdf_bytes, version_label
from recording.models import EntryType
from recording.selectors import ChronologyFilter, chronology_queryset

from . import assembly, layout, services
from .models import Bundle, BundleStatus, Exhibit, ExhibitKind, Purpose

logger = logging.getLogger(__name__)

SECTIONS = (
    ("A", "Chronology", ExhibitKind.CHRONOLOGY),
    ("B", "Forms", ExhibitKind.FORM),
    ("C", "Documents", ExhibitKind.DOCUMENT),
)


class BundleFailed(Exception):
    """The bundle cannot be made; the message says why, in words."""


@dataclass
class Planned:
    """An exhibit before it is placed: its row (unsaved) and its PDF."""

    row: Exhibit
    pdf: bytes
    record_label: str = ""


def subject_line(bundle: Bundle) -> str:
    person = bundle.person
    born = f", born {long_date(person.date_of_birth)}" if person.date_of_birth else ""
    return f"{person.full_name}{born}, record number {person.pk}"


def period_words(bundle: Bundle) -> str:
    return f"{long_date(bundle.period_from)} to {long_date(bundle.period_to)}"


def _chronology(bundle: Bundle) -> Planned:
    entries = list(
        chronology_queryset(
            bundle.person,
            ChronologyFilter(
                entry_types=list(bundle.entry_types), date_from=bundle.period_from, date_to=bundle.period_to
            ),
        ).order_by("occurred_at", "id")
    )
    tz = timezone.get_current_timezone()
    rows = [
        {
            "when": f"{long_date(e.occurred_at.astimezone(tz).date())} {e.occurred_at.astimezone(tz):%H:%M}",
            "type": e.get_entry_type_display(),
            "title": e.title,
            "text": e.text if e.text.strip() != e.title.strip() else "",
            "by": e.recorded_by_name or "Casework",
        }
        for e in entries
    ]
    labels = dict(EntryType.choices)
    pdf = layout.chronology(
        {
            "authority_name": settings.CASEWORK_AUTHORITY_NAME,
            "subject_line": subject_line(bundle),
            "period_from": long_date(bundle.period_from),
            "period_to": long_date(bundle.period_to),
            "type_names": [str(labels[t]) for t in bundle.entry_types if t in labels],
            "entries": rows,
        }
    )
    title = f"Chronology, {period_words(bundle)}, {len(rows)} entr{'y' if len(rows) == 1 else 'ies'}"
    row = Exhibit(kind=ExhibitKind.CHRONOLOGY, title=title, dated=bundle.period_to, source_sha256=_sha(pdf))
    return Planned(row=row, pdf=pdf)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _forms(bundle: Bundle) -> list[Planned]:
    from .selectors import responses_by_id

    responses = responses_by_id(bundle.person, list(bundle.form_response_ids))
    chosen = sorted(
        (responses[pk] for pk in bundle.form_response_ids if pk in responses), key=lambda r: (r.submitted_at, r.pk)
    )
    planned = []
    for response in chosen:
        pdf = response_pdf_bytes(response)
        submitted = timezone.localtime(response.submitted_at).date() if response.submitted_at else None
        row = Exhibit(
            kind=ExhibitKind.FORM,
            title=version_label(response),
            dated=submitted,
            form_response=response,
            source_sha256=_sha(pdf),
            record_sha256=response.sha256,
        )
        planned.append(Planned(row=row, pdf=pdf, record_label="Its submitted answers (canonical JSON)"))
    return planned


def _documents(bundle: Bundle) -> list[Planned]:
    from .selectors import documents_by_id

    documents = documents_by_id(bundle.person, list(bundle.document_ids))
    chosen = sorted(
        (documents[pk] for pk in bundle.document_ids if pk in documents), key=lambda d: (d.document_date, d.pk)
    )
    latest = {
        v.document_id: v
        for v in DocumentVersion.objects.filter(document__in=[d.pk for d in chosen]).order_by("document_id", "number")
    }
    planned = []
    for document in chosen:
        version = latest.get(document.pk)
        copy = document_selectors.disclosure_copy(version) if version else None
        if version is None or copy is None:
            raise BundleFailed(f"“{document.title}” has no archival copy to put in the bundle")
        try:
            data = storage.read_stored(copy.storage_name)
        except OSError as error:
            raise BundleFailed(f"The archival copy of “{document.title}” cannot be read: {error}") from error
        if _sha(data) != copy.sha256:
            raise BundleFailed(
                f"The archival copy of “{document.title}” is not the file that was stored (its SHA-256 differs): "
                "run casework documents fixity, and leave it out until it is put right"
            )
        row = Exhibit(
            kind=ExhibitKind.DOCUMENT,
            title=f"{document.title} ({document.get_document_type_display().lower()}, version {version.number})",
            dated=document.document_date,
            document_version=version,
            rendition=copy,
            sensitivity=document.sensitivity,
            third_party=document.sensitivity == Sensitivity.THIRD_PARTY,
            restricted=document.sensitivity == Sensitivity.RESTRICTED,
            source_sha256=copy.sha256,
            record_sha256=version.sha256,
        )
        planned.append(Planned(row=row, pdf=data, record_label="The original file as it arrived"))
    return planned


def _front_context(bundle: Bundle, planned: Sequence[Planned], total: int) -> dict[str, object]:
    rows = []
    for p in planned:
        rows.append(
            {
                "number": p.row.number,
                "title": p.row.title,
                "dated": long_date(p.row.dated) if p.row.dated else "",
                "first_page": p.row.first_page,
                "last_page": p.row.last_page,
                "third_party": p.row.third_party,
                "source_sha256": p.row.source_sha256,
                "record_sha256": p.row.record_sha256,
                "record_label": p.record_label,
                "pages_sha256": p.row.pages_sha256,
                "kind": p.row.kind,
            }
        )
    sections = [
        {"letter": letter, "name": name, "exhibits": [r for r in rows if r["kind"] == kind]}
        for letter, name, kind in SECTIONS
    ]
    how = (
        "Signed in to Casework with a password and a second factor, and asked for this bundle"
        if bundle.second_factor
        else "Asked for this bundle in Casework without a second factor (the command line, or a demonstration)"
    )
    return {
        "bundle": bundle,
        "authority_name": settings.CASEWORK_AUTHORITY_NAME,
        "subject_line": subject_line(bundle),
        "purpose": Purpose(bundle.purpose).label,
        "period": period_words(bundle),
        "signed_on": long_date(bundle.signed_on),
        "signed_how": how,
        "sections": sections,
        "exhibits": rows,
        "flagged": sum(1 for r in rows if r["third_party"]),
        "total": total,
        "first_number": rows[0]["number"] if rows else "",
        "last_number": rows[-1]["number"] if rows else "",
    }


def _assemble(bundle: Bundle, planned: list[Planned]) -> assembly.Assembled:
    pieces = [assembly.ExhibitPdf(number=p.row.number, pdf=p.pdf) for p in planned]
    identifier = hashlib.sha256(f"casework bundle {bundle.pk} {bundle.requested_at.isoformat()}".encode()).digest()[:16]

    def front(exhibits: Sequence[assembly.ExhibitPdf], total: int) -> bytes:
        for p, e in zip(planned, exhibits, strict=True):
            p.row.first_page, p.row.last_page, p.row.pages_sha256 = e.first_page, e.last_page, e.pages_sha256
        return layout.front_matter(_front_context(bundle, planned, total), identifier=identifier)

    def strips(labels: Sequence[str], total: int) -> bytes:
        return layout.strips(labels, total, title=bundle.title)

    return assembly.assemble(pieces, front_matter=front, strips=strips, front_label="Index and certificate")


def bundle_build(bundle_id: int) -> Bundle:
    """Make the bundle's file (see the module's docstring). Returns the bundle, done or failed."""
    bundle = Bundle.objects.select_related("person").get(pk=bundle_id)
    if bundle.status == BundleStatus.DONE:
        return bundle
    try:
        services.bundle_progress(bundle, stage="Printing the chronology", percent=5)
        planned = [_chronology(bundle)]
        services.bundle_progress(bundle, stage="Printing the forms", percent=20)
        planned += _forms(bundle)
        services.bundle_progress(bundle, stage="Reading the documents' archival copies", percent=40)
        planned += _documents(bundle)
        for letter, _name, kind in SECTIONS:
            for n, p in enumerate((p for p in planned if p.row.kind == kind), start=1):
                p.row.number = f"{letter}{n}"
        services.bundle_progress(bundle, stage="Numbering and stamping the pages", percent=60)
        made = _assemble(bundle, planned)
        services.bundle_progress(bundle, stage="Checking the bundle is PDF/A-2b", percent=90)
        problems = pdfa_problems(made.pdf)
        if problems:
            raise BundleFailed("The bundle is not PDF/A-2b: " + " ".join(problems))
        _finish(bundle, planned, made)
    except BundleFailed as error:
        _fail(bundle, str(error))
    except Exception as error:  # anything else fails the bundle with its reason, and is logged in full
        logger.exception("Bundle %s could not be made", bundle.pk)
        _fail(bundle, f"Something went wrong making the bundle: {type(error).__name__}: {error}")
    return bundle


def storage_name(bundle: Bundle, sha256: str) -> str:
    return f"bundles/{bundle.pk}/{sha256}.pdf"


@transaction.atomic
def _finish(bundle: Bundle, planned: list[Planned], made: assembly.Assembled) -> None:
    sha = _sha(made.pdf)
    name = storage_name(bundle, sha)
    store = storage.documents_storage()
    if not store.exists(name):
        saved = store.save(name, ContentFile(made.pdf))
        if saved != name:
            raise BundleFailed(f"The documents storage kept the bundle as {saved}, not {name}")
    for position, p in enumerate(planned, start=1):
        p.row.bundle = bundle
        p.row.position = position
    Exhibit.objects.bulk_create([p.row for p in planned])
    bundle.storage_name, bundle.sha256, bundle.size = name, sha, len(made.pdf)
    bundle.pages, bundle.front_pages = made.total_pages, made.front_pages
    bundle.flagged = sum(1 for p in planned if p.row.third_party)
    bundle.status, bundle.stage, bundle.percent = BundleStatus.DONE, "Ready", 100
    bundle.finished_at = timezone.now()
    bundle.error_message = ""
    bundle.save()
    audit_record(
        actor=bundle.officer,
        action=AuditAction.CREATE,
        object_type="bundle_file",
        object_id=str(bundle.pk),
        person_id=bundle.person_id,
        changes={
            "sha256": sha,
            "pages": made.total_pages,
            "exhibits": {p.row.number: {"source": p.row.source_sha256, "pages": p.row.pages_sha256} for p in planned},
        },
    )


def _fail(bundle: Bundle, message: str) -> None:
    with transaction.atomic():
        bundle.status, bundle.stage, bundle.error_message = BundleStatus.FAILED, "Could not be made", message[:1000]
        bundle.finished_at = timezone.now()
        bundle.save(update_fields=["status", "stage", "error_message", "finished_at"])


def today() -> date:
    return timezone.localdate()
