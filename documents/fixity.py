"""Fixity: re-hash the stored originals and renditions, and record any that are missing or altered.

`fixity_check_run(actor, sample=None)` reads every version's original and every rendition afresh from the documents
storage (or, with `sample`, that many versions chosen at random, with their renditions, and every version never
checked before) and compares the SHA-256 with the one recorded when it arrived. It records a `FixityCheck` (the
counts), a `FixityFinding` for each file missing or altered (by document id), stamps each version checked, and writes
one audit event (CREATE, "fixity_check") with the counts and the findings. `casework documents fixity` and the daily
task (documents.tasks) run it; administrators see the results (/documents/fixity).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none

from . import hooks, storage
from .models import DocumentVersion, FixityCheck, FixityFinding, FixityOutcome, Rendition

BATCH = 500


@dataclass(frozen=True)
class Problem:
    document_id: int
    version: DocumentVersion
    rendition: Rendition | None
    outcome: str
    found_sha256: str


def _versions(sample: int | None) -> Iterable[DocumentVersion]:
    qs = DocumentVersion.objects.order_by("pk")
    for disposed in hooks.disposed_documents():  # files removed by a disposal are gone on purpose (documents.hooks)
        qs = qs.exclude(document_id__in=disposed)
    if sample is None:
        yield from qs.iterator(chunk_size=BATCH)
        return
    never = list(qs.filter(fixity_checked_at__isnull=True).values_list("pk", flat=True)[:sample])
    chosen = set(never)
    if len(chosen) < sample:
        chosen |= set(qs.exclude(pk__in=never).order_by("?").values_list("pk", flat=True)[: sample - len(chosen)])
    yield from qs.filter(pk__in=chosen).iterator(chunk_size=BATCH)


def fixity_check_run(*, actor: Actor, sample: int | None = None) -> FixityCheck:
    """Check the stored files (see the module's docstring) and return the check, with its counts."""
    check = FixityCheck.objects.create(started_by=actor_or_none(actor), sample=sample)
    problems: list[Problem] = []
    files = 0
    size = 0
    checked_ids: list[int] = []
    for version in _versions(sample):
        renditions = list(Rendition.objects.filter(version=version).order_by("kind", "page"))
        for rendition, name, expected in [(None, version.storage_name, version.sha256)] + [
            (r, r.storage_name, r.sha256) for r in renditions
        ]:
            files += 1
            found = storage.hash_stored(name)
            if found is None:
                problems.append(Problem(version.document_id, version, rendition, FixityOutcome.MISSING, ""))
                continue
            digest, length = found
            size += length
            if digest != expected:
                problems.append(Problem(version.document_id, version, rendition, FixityOutcome.ALTERED, digest))
        checked_ids.append(version.pk)
    with transaction.atomic():
        now = timezone.now()
        FixityFinding.objects.bulk_create(
            FixityFinding(
                check_run=check,
                document_id=p.document_id,
                version=p.version,
                rendition=p.rendition,
                outcome=p.outcome,
                storage_name=(p.rendition or p.version).storage_name,
                expected_sha256=(p.rendition or p.version).sha256,
                found_sha256=p.found_sha256,
            )
            for p in problems
        )
        for start in range(0, len(checked_ids), BATCH):
            DocumentVersion.objects.filter(pk__in=checked_ids[start : start + BATCH]).update(
                fixity_checked_at=now, fixity_check=check
            )
        check.finished_at = now
        check.files_checked = files
        check.bytes_checked = size
        check.missing = sum(p.outcome == FixityOutcome.MISSING for p in problems)
        check.altered = sum(p.outcome == FixityOutcome.ALTERED for p in problems)
        check.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="fixity_check",
            object_id=str(check.pk),
            changes={
                "sample": sample,
                "files_checked": files,
                "bytes_checked": size,
                "missing": check.missing,
                "altered": check.altered,
                "findings": [
                    {
                        "document": p.document_id,
                        "version": p.version.number,
                        "file": p.rendition.get_kind_display() if p.rendition else "original",
                        "outcome": p.outcome,
                    }
                    for p in problems
                ],
            },
        )
    return check


def findings_for(check: FixityCheck) -> list[FixityFinding]:
    return list(check.findings.select_related("version", "rendition").order_by("document_id", "id"))
