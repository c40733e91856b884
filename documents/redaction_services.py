"""Writes about redactions (documents.redaction for the burning in; docs/evidence/procedure-redaction.md).

A redaction is made of a version's archival copy: created as a draft (or from an earlier redaction, which it then
supersedes, its areas copied), areas marked on it (drawn on a page, entered as a page and a place, or found: every
place some words appear in the text), then applied: the redacted copy is made in the background
(documents.tasks.make_redacted_copy) and kept as a Rendition of kind "redacted" tied to the redaction. Once applied a
redaction's areas never change; a new redaction supersedes it. The original and the archival copy are never touched.

Every step is audited with its object type "redaction" and the document's id in its changes (for the evidence page):
creating it, each area added or taken off, applying it, the redacted copy made (or not), and every view of its
preview or its copy and every download (documents.views). Access is the caller's to check
(accounts.access.may_redact_document).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.errors import RuleError

from . import redaction, storage
from .models import (
    DocumentVersion,
    Redaction,
    RedactionArea,
    RedactionReason,
    RedactionStatus,
    Rendition,
    RenditionKind,
    RenditionStatus,
)

logger = logging.getLogger(__name__)

FIND_MIN = 2
FIND_MAX = 200
MAX_AREAS = 500


def _audit(*, actor: Actor, action: str, redaction_row: Redaction, changes: dict[str, Any]) -> None:
    version = redaction_row.version
    audit_record(
        actor=actor,
        action=AuditAction(action),
        object_type="redaction",
        object_id=str(redaction_row.pk),
        person_id=version.document.person_id,
        changes={"document": version.document_id, "version": version.number, **changes},
    )


def _area_json(area: RedactionArea) -> dict[str, Any]:
    return {
        "page": area.page,
        "x": round(area.x, 5),
        "y": round(area.y, 5),
        "width": round(area.width, 5),
        "height": round(area.height, 5),
        "reason": area.why,
        "method": area.method,
    }


def _archival(version: DocumentVersion) -> Rendition:
    archival = version.renditions.filter(kind=RenditionKind.ARCHIVAL, redaction__isnull=True).first()
    if version.rendition_status != RenditionStatus.DONE or archival is None or not version.pages:
        raise RuleError(
            {"__all__": "This version has no archival copy yet, so it cannot be redacted: wait until its pages show"}
        )
    return archival


def _check_reason(reason: str, reason_other: str) -> dict[str, str]:
    if reason not in RedactionReason.values:
        return {"reason": "Select why it is being redacted"}
    if reason == RedactionReason.OTHER and not reason_other.strip():
        return {"reason_other": "Enter why it is being redacted"}
    if len(reason_other) > 300:
        return {"reason_other": "The reason must be 300 characters or fewer"}
    return {}


def _draft(redaction_row: Redaction) -> Redaction:
    locked = Redaction.objects.select_for_update().select_related("version__document").get(pk=redaction_row.pk)
    if locked.status != RedactionStatus.DRAFT:
        raise RuleError(
            {"__all__": "This redaction has been applied, so it cannot change: start a new redaction from it instead"}
        )
    return locked


def redaction_create(*, actor: Actor, version: DocumentVersion, supersedes: Redaction | None = None) -> Redaction:
    """A draft redaction of `version`'s archival copy. From an earlier redaction (`supersedes`, applied or failed) its
    areas are copied and it is superseded; one that already has a successor answers with that successor, never a
    second. Audited (CREATE, "redaction")."""
    _archival(version)
    with transaction.atomic():
        if supersedes is not None:
            earlier = Redaction.objects.select_for_update().get(pk=supersedes.pk)
            if earlier.version_id != version.pk:
                raise RuleError({"__all__": "That redaction is of another version"})
            if earlier.status == RedactionStatus.DRAFT:
                return earlier
            successor = Redaction.objects.filter(supersedes=earlier).first()
            if successor is not None:
                return successor
        row = Redaction.objects.create(version=version, supersedes=supersedes, created_by=actor_or_none(actor))
        copied = []
        if supersedes is not None:
            for area in supersedes.areas.filter(removed_at__isnull=True).order_by("id"):
                copied.append(
                    RedactionArea.objects.create(
                        redaction=row,
                        page=area.page,
                        x=area.x,
                        y=area.y,
                        width=area.width,
                        height=area.height,
                        reason=area.reason,
                        reason_other=area.reason_other,
                        method=area.method,
                        found_text=area.found_text,
                    )
                )
        row.version = version
        _audit(
            actor=actor,
            action=AuditAction.CREATE,
            redaction_row=row,
            changes={"supersedes": supersedes.pk if supersedes else None, "areas": [_area_json(a) for a in copied]},
        )
    return row


def redaction_area_add(
    *,
    actor: Actor,
    redaction_row: Redaction,
    page: int | None,
    x: float | None,
    y: float | None,
    width: float | None,
    height: float | None,
    reason: str,
    reason_other: str = "",
    method: str = "entered",
) -> RedactionArea:
    """Mark one area (fractions of the page) on a draft. Refused, with a message per field and nothing written, when
    the page does not exist, the area is off the page or has no size, or no reason is given. Audited (UPDATE)."""
    pages = redaction_row.version.pages or 0
    errors = redaction.area_problems(page=page, x=x, y=y, width=width, height=height, pages=pages)
    errors.update(_check_reason(reason, reason_other))
    if errors:
        raise RuleError(errors)
    assert page is not None and x is not None and y is not None and width is not None and height is not None
    with transaction.atomic():
        locked = _draft(redaction_row)
        if locked.areas.filter(removed_at__isnull=True).count() >= MAX_AREAS:
            raise RuleError({"__all__": f"A redaction can have at most {MAX_AREAS} areas"})
        area = RedactionArea.objects.create(
            redaction=locked,
            page=page,
            x=x,
            y=y,
            width=min(width, 1 - x),
            height=min(height, 1 - y),
            reason=reason,
            reason_other=reason_other.strip() if reason == RedactionReason.OTHER else "",
            method="drawn" if method == "drawn" else "entered",
        )
        _audit(actor=actor, action=AuditAction.UPDATE, redaction_row=locked, changes={"added": [_area_json(area)]})
    return area


def redaction_text_find(
    *, actor: Actor, redaction_row: Redaction, words: str, reason: str, reason_other: str = ""
) -> list[RedactionArea]:
    """Mark every place `words` appears in the version's text (its archival copy's text layer), ignoring case.
    Refused when the words are too short or too long, appear nowhere, or no reason is given. Audited (UPDATE) with
    the words and every area."""
    wanted = redaction.safe_words(words)
    errors: dict[str, str] = {}
    if len(wanted) < FIND_MIN:
        errors["words"] = f"Enter the words to find: at least {FIND_MIN} letters or numbers"
    elif len(wanted) > FIND_MAX:
        errors["words"] = f"The words to find must be {FIND_MAX} characters or fewer"
    errors.update(_check_reason(reason, reason_other))
    if errors:
        raise RuleError(errors)
    archival = _archival(redaction_row.version)
    boxes = redaction.find_text(storage.read_stored(archival.storage_name), wanted)
    if not boxes:
        raise RuleError(
            {
                "words": f"\u201c{wanted}\u201d was not found in the document's text. Check the spelling, or mark the "
                "area on the page: text in a picture that could not be read is not found"
            }
        )
    with transaction.atomic():
        locked = _draft(redaction_row)
        if locked.areas.filter(removed_at__isnull=True).count() + len(boxes) > MAX_AREAS:
            raise RuleError({"words": f"A redaction can have at most {MAX_AREAS} areas"})
        areas = [
            RedactionArea.objects.create(
                redaction=locked,
                page=b.page,
                x=b.x,
                y=b.y,
                width=b.width,
                height=b.height,
                reason=reason,
                reason_other=reason_other.strip() if reason == RedactionReason.OTHER else "",
                method="found",
                found_text=wanted,
            )
            for b in boxes
        ]
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            redaction_row=locked,
            changes={"found": wanted, "added": [_area_json(a) for a in areas]},
        )
    return areas


def redaction_area_remove(*, actor: Actor, redaction_row: Redaction, area_id: int) -> RedactionArea:
    """Take an area off a draft (it is marked removed, not deleted). Audited (UPDATE)."""
    with transaction.atomic():
        locked = _draft(redaction_row)
        area = locked.areas.filter(pk=area_id, removed_at__isnull=True).first()
        if area is None:
            raise RuleError({"__all__": "That area is not on this redaction"})
        area.removed_at = timezone.now()
        area.save(update_fields=["removed_at"])
        _audit(actor=actor, action=AuditAction.UPDATE, redaction_row=locked, changes={"removed": [_area_json(area)]})
    return area


def redaction_apply(*, actor: Actor, redaction_row: Redaction) -> Redaction:
    """Apply a draft: its areas are fixed from now on and the redacted copy is made in the background. Refused when
    it has no areas. Audited (UPDATE, with every area)."""
    with transaction.atomic():
        locked = _draft(redaction_row)
        areas = list(locked.areas.filter(removed_at__isnull=True).order_by("page", "y", "x", "id"))
        if not areas:
            raise RuleError({"__all__": "Mark at least one area to redact before applying the redaction"})
        _archival(locked.version)
        locked.status = RedactionStatus.APPLYING
        locked.applied_at = timezone.now()
        locked.applied_by = actor_or_none(actor)
        locked.save(update_fields=["status", "applied_at", "applied_by"])
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            redaction_row=locked,
            changes={"status": RedactionStatus.APPLYING, "areas": [_area_json(a) for a in areas]},
        )

        def enqueue() -> None:
            from .tasks import make_redacted_copy

            make_redacted_copy.enqueue(locked.pk)

        transaction.on_commit(enqueue)
    return locked


def redaction_viewed(*, actor: Actor, redaction_row: Redaction, section: str) -> None:
    """Audit a view of a redaction: its page, its preview, a page of its redacted copy (VIEW, "redaction")."""
    _audit(actor=actor, action=AuditAction.VIEW, redaction_row=redaction_row, changes={"section": section})


def redaction_downloaded(*, actor: Actor, redaction_row: Redaction, rendition: Rendition) -> None:
    """Audit a download of the redacted copy (EXPORT, "redaction", with its SHA-256)."""
    _audit(
        actor=actor,
        action=AuditAction.EXPORT,
        redaction_row=redaction_row,
        changes={"file": "redacted copy", "sha256": rendition.sha256},
    )


# --- The redacted copy (documents.tasks.make_redacted_copy, as the system) ------------------------------------------


def make_redacted_copy(redaction_id: int) -> str:
    """Burn in an applied redaction and keep its redacted copy and page images; returns the status."""
    with transaction.atomic():
        row = (
            Redaction.objects.select_for_update()
            .select_related("version__document")
            .filter(pk=redaction_id, status=RedactionStatus.APPLYING)
            .first()
        )
        if row is None:
            return "not applying"
    version = row.version
    try:
        archival = _archival(version)
        data = storage.read_stored(archival.storage_name)
        if storage.sha256_bytes(data) != archival.sha256:
            raise redaction.BurnFailed("The stored archival copy does not match its SHA-256: it was not used")
        areas = list(row.areas.filter(removed_at__isnull=True))
        removed_found = set(row.areas.filter(removed_at__isnull=False).values_list("found_text", flat=True))
        found = sorted({a.found_text for a in areas if a.found_text and a.found_text not in removed_found})
        burned = redaction.burn(
            data,
            [redaction.Box(a.page, a.x, a.y, a.width, a.height) for a in areas],
            title=f"{version.document.title} (redacted)",
            found=found,
        )
    except (redaction.BurnFailed, RuleError, OSError) as e:
        message = str(e) if not isinstance(e, RuleError) else " ".join(str(v) for v in e.errors.values())
        _finish(row, status=RedactionStatus.FAILED, message=message, files=[])
        return RedactionStatus.FAILED
    except Exception as e:
        logger.exception("The redacted copy of redaction %s failed", row.pk)
        _finish(
            row,
            status=RedactionStatus.FAILED,
            message=f"The redacted copy could not be made because of a fault in Casework ({type(e).__name__}). "
            "Nothing was disclosed; the details are in the task worker's log",
            files=[],
        )
        return RedactionStatus.FAILED
    folder = f"renditions/{version.pk}/redaction-{row.pk}"
    files: list[tuple[str, int, str, bytes, str, str]] = [
        (RenditionKind.REDACTED, 0, "redacted.pdf", burned.pdf, "application/pdf", burned.method)
    ]
    files += [
        (RenditionKind.REDACTED_PAGE, n, f"page-{n}.png", png, "image/png", "pdfium, from the redacted copy")
        for n, png in burned.images
    ]
    _finish(row, status=RedactionStatus.DONE, message="", files=files, folder=folder)
    return RedactionStatus.DONE


def _finish(
    row: Redaction, *, status: str, message: str, files: list[tuple[str, int, str, bytes, str, str]], folder: str = ""
) -> None:
    stored = []
    for kind, page, name, data, media_type, method in files:
        sha = storage.sha256_bytes(data)
        # Named by its hash too: a copy made again after a failure never meets a file of other bytes.
        stored.append(
            (kind, page, storage.store_rendition(f"{folder}/{sha[:16]}-{name}", data), sha, data, media_type, method)
        )
    with transaction.atomic():
        for kind, page, name, sha, data, media_type, method in stored:
            Rendition.objects.create(
                version=row.version,
                redaction=row,
                kind=kind,
                page=page,
                storage_name=name,
                sha256=sha,
                size=len(data),
                media_type=media_type,
                method=method[:300],
            )
        Redaction.objects.filter(pk=row.pk).update(status=status, message=message[:500], finished_at=timezone.now())
        copy = next((s for s in stored if s[0] == RenditionKind.REDACTED), None)
        _audit(
            actor=None,
            action=AuditAction.CREATE if status == RedactionStatus.DONE else AuditAction.UPDATE,
            redaction_row=row,
            changes={"status": status, "message": message, "sha256": copy[3] if copy else None},
        )
