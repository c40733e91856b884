"""Retention's writes: rules changed, each person's retention worked out again, legal holds placed and released,
disposal decided (by one person, or two for records over the threshold) and carried out with its certificate.

Disposal is the one exception to "nothing is deleted by the application" (docs/decisions/0026): what it removes is
`disposal_carry_out`'s docstring. Every change writes its audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.access import Can, may
from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError
from documents.models import Document, DocumentVersion, Rendition, RenditionStatus
from documents.storage import documents_storage
from people.models import Person, PersonName
from recording.models import ChronologyEntry

from . import facts
from .defaults import RULES as DEFAULT_RULES
from .models import (
    DisposalCertificate,
    DisposalReview,
    HoldKind,
    LegalHold,
    PersonRetention,
    RetentionRule,
    ReviewOutcome,
    ReviewStatus,
)
from .rules import TRIGGER_WORDS, RetentionClass, Rule, Trigger, outcome

DISPOSED = "Disposed of"  # what personal fields and free text read after disposal
BATCH = 1000

# Records of these classes always need a second person's approval to dispose of (decision 0026).
ALWAYS_SECOND = frozenset({RetentionClass.ADOPTION, RetentionClass.LOOKED_AFTER, RetentionClass.CARE_LEAVER})


def rule_rows() -> dict[str, RetentionRule]:
    """Every class's rule row (one query). A class with no row (a table emptied outside the application) gets the
    shipped default back (retention.defaults), audited, so working out a record's date never fails for want of one."""
    rows = {r.retention_class: r for r in RetentionRule.objects.all()}
    missing = [d for d in DEFAULT_RULES if d[0] not in rows]
    if missing:
        with transaction.atomic():
            for cls, trigger, years, after_death, source in missing:
                rows[cls], made = RetentionRule.objects.get_or_create(
                    retention_class=cls,
                    defaults={"trigger": trigger, "years": years, "after_death_years": after_death, "source": source},
                )
                if made:
                    audit_record(
                        actor=None,
                        action=AuditAction.CREATE,
                        object_type="retention_rule",
                        object_id=cls,
                        changes={"trigger": trigger, "years": years, "after_death_years": after_death},
                        context={"why": "the shipped default, put back because the class had no rule"},
                    )
    return rows


def rules_in_force(rows: dict[str, RetentionRule] | None = None) -> dict[RetentionClass, Rule]:
    """The authority's rules as the pure rules module reads them (one query, none when given the rows)."""
    rows = rule_rows() if rows is None else rows
    return {
        RetentionClass(r.retention_class): Rule(
            RetentionClass(r.retention_class), Trigger(r.trigger), r.years, r.after_death_years
        )
        for r in rows.values()
    }


def rule_text(rule: RetentionRule) -> str:
    """A rule in words: "75 years from the date of birth (15 years from death before 18). Source: ..."."""
    text = f"{rule.years} years from {TRIGGER_WORDS[Trigger(rule.trigger)]}"
    if rule.after_death_years is not None:
        text += f" ({rule.after_death_years} years from the date of death if they died before 18)"
    return f"{text}. Source: {rule.source}"


def retention_recalculate(*, person_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Work out the class and review date of these people's records (everyone's when None) from what the record
    says now. Disposed records are left as they are. Returns how many were worked out. A fixed number of queries
    per batch of 1,000 people."""
    now = now or timezone.now()
    rows = rule_rows()
    rules = rules_in_force(rows)
    if person_ids is None:
        ids_iter: Iterable[int] = Person.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH)
    else:
        ids_iter = sorted(set(person_ids))
    done = 0
    batch: list[int] = []
    for pid in ids_iter:
        batch.append(pid)
        if len(batch) >= BATCH:
            done += _recalculate_batch(batch, rules, rows, now)
            batch = []
    if batch:
        done += _recalculate_batch(batch, rules, rows, now)
    return done


def _recalculate_batch(
    ids: list[int], rules: dict[RetentionClass, Rule], rows: dict[str, RetentionRule], now: datetime
) -> int:
    found = facts.gather(ids)
    existing = {r.person_id: r for r in PersonRetention.objects.filter(person_id__in=ids)}
    create, update = [], []
    for pid, fact in found.items():
        result = outcome(rules, fact)
        row = existing.get(pid)
        if row is not None and row.disposed_at is not None:
            continue
        values = {
            "rule": rows[result.retention_class.value],
            "retention_class": result.retention_class.value,
            "trigger_date": result.trigger_date,
            "review_on": result.review_on,
            "why": result.why[:300],
            "calculated_at": now,
        }
        if row is None:
            create.append(PersonRetention(person_id=pid, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            update.append(row)
    PersonRetention.objects.bulk_create(create)
    PersonRetention.objects.bulk_update(
        update, ["rule", "retention_class", "trigger_date", "review_on", "why", "calculated_at"]
    )
    return len(create) + len(update)


def _require(actor: Actor, what: Can, message: str) -> None:
    """Refuse a user without the permission. None is the system: `casework retention` run by whoever runs the
    server (holds, releases, recalculation; never a disposal decision, which needs a person)."""
    if actor is not None and not may(actor, what):
        raise RuleError(message)


def rule_change(
    *, actor: Actor, rule: RetentionRule, trigger: str, years: int, after_death_years: int | None, source: str
) -> RetentionRule:
    """Change a class's rule and work out again the records of that class."""
    _require(actor, Can.MANAGE_RETENTION, "You cannot change the retention rules")
    errors = {}
    if not 1 <= years <= 200:
        errors["years"] = "Years must be between 1 and 200"
    if after_death_years is not None and not 1 <= after_death_years <= 200:
        errors["after_death_years"] = "Years after death must be between 1 and 200"
    if not source.strip():
        errors["source"] = "Enter where the rule comes from (a regulation or the authority's schedule)"
    if trigger not in Trigger.__members__.values():
        errors["trigger"] = "Choose what the period counts from"
    if errors:
        raise RuleError(errors)
    with transaction.atomic():
        before = {
            "trigger": rule.trigger,
            "years": rule.years,
            "after_death_years": rule.after_death_years,
            "source": rule.source,
        }
        rule.trigger, rule.years, rule.after_death_years, rule.source = (
            trigger,
            years,
            after_death_years,
            source.strip(),
        )
        rule.changed_by = actor_or_none(actor)
        rule.save()
        after = {
            "trigger": rule.trigger,
            "years": rule.years,
            "after_death_years": rule.after_death_years,
            "source": rule.source,
        }
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="retention_rule",
            object_id=rule.retention_class,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
        ids = PersonRetention.objects.filter(retention_class=rule.retention_class, disposed_at__isnull=True)
        retention_recalculate(person_ids=list(ids.values_list("person_id", flat=True)))
    return rule


def active_hold(person_id: int) -> LegalHold | None:
    return LegalHold.objects.filter(person_id=person_id, released_at__isnull=True).order_by("placed_at").first()


def hold_place(*, actor: Actor, person: Person, kind: str, reason: str) -> LegalHold:
    """Place a legal hold: the record cannot be disposed of until every hold on it is released."""
    _require(actor, Can.MANAGE_RETENTION, "You cannot place legal holds")
    errors = {}
    if kind not in HoldKind.values:
        errors["kind"] = "Choose the kind of hold"
    if not reason.strip():
        errors["reason"] = "Enter why the record must be kept"
    elif kind == HoldKind.OTHER and len(reason.strip()) < 10:
        errors["reason"] = "Say in a few words what the hold is for"
    if errors:
        raise RuleError(errors)
    with transaction.atomic():
        retention = PersonRetention.objects.filter(person=person).first()
        if retention is not None and retention.disposed_at is not None:
            raise RuleError("This record has already been disposed of: there is nothing left to hold")
        hold = LegalHold.objects.create(
            person=person, kind=kind, reason=reason.strip(), placed_at=timezone.now(), placed_by=actor_or_none(actor)
        )
        # A disposal waiting for its second approval stops: it would have to be decided again once released.
        DisposalReview.objects.filter(person=person, status=ReviewStatus.AWAITING_SECOND).update(
            status=ReviewStatus.CANCELLED
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="legal_hold",
            object_id=str(hold.pk),
            person_id=person.pk,
            changes={"kind": kind, "reason": hold.reason},
        )
    return hold


def hold_release(*, actor: Actor, hold: LegalHold, reason: str) -> LegalHold:
    """Release a legal hold, with the reason. The hold stays on the record as released."""
    _require(actor, Can.MANAGE_RETENTION, "You cannot release legal holds")
    if hold.released_at is not None:
        raise RuleError(f"This hold was already released on {long_date(timezone.localdate(hold.released_at))}")
    if not reason.strip():
        raise RuleError({"reason": "Enter why the hold can be released"})
    with transaction.atomic():
        hold.released_at = timezone.now()
        hold.released_by = actor_or_none(actor)
        hold.release_reason = reason.strip()
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.CLOSE,
            object_type="legal_hold",
            object_id=str(hold.pk),
            person_id=hold.person_id,
            changes={"released": hold.release_reason},
        )
    return hold


def second_approval_reason(retention: PersonRetention, documents: int) -> str:
    """Why disposing of this record needs a second person's approval, or "" when it does not (decision 0026)."""
    if retention.retention_class in ALWAYS_SECOND:
        return f"It is a {retention.get_retention_class_display().lower()} record"
    limit = settings.CASEWORK_RETENTION_SECOND_APPROVAL_DOCUMENTS
    if documents > limit:
        return f"It has {documents} documents, more than {limit}"
    return ""


def _due_retention(person: Person, today: date) -> PersonRetention:
    retention = PersonRetention.objects.select_related("rule").filter(person=person).first()
    if retention is None or retention.due_on is None:
        raise RuleError("This record has no disposal review date yet")
    if retention.disposed_at is not None:
        raise RuleError(
            f"This record was already disposed of on {long_date(timezone.localdate(retention.disposed_at))}"
        )
    if retention.due_on > today:
        raise RuleError(f"This record is not due for review until {long_date(retention.due_on)}")
    hold = active_hold(person.pk)
    if hold is not None:
        raise RuleError(
            f"This record is under a legal hold ({hold.get_kind_display().lower()}) placed on "
            f"{long_date(timezone.localdate(hold.placed_at))}: it cannot be disposed of until the hold is released"
        )
    return retention


def disposal_decide(
    *, actor: Actor, person: Person, outcome: str, reason: str = "", keep_until: date | None = None
) -> DisposalReview:
    """A reviewer's decision on a record due for review: dispose of it (at once, or once a second person approves
    for a record over the threshold), or keep it for a further period, with the reason."""
    if actor is None:
        raise RuleError("A disposal is decided by a person: sign in to decide")
    _require(actor, Can.APPROVE_DISPOSAL, "You cannot approve disposals")
    today = timezone.localdate()
    if outcome not in ReviewOutcome.values:
        raise RuleError({"outcome": "Choose whether to dispose of the record or keep it"})
    if outcome == ReviewOutcome.KEEP:
        errors = {}
        if keep_until is None:
            errors["keep_until"] = "Enter the date to keep the record until"
        elif keep_until <= today:
            errors["keep_until"] = "The date to keep the record until must be in the future"
        if not reason.strip():
            errors["reason"] = "Enter why the record must be kept longer"
        if errors:
            raise RuleError(errors)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        retention = _due_retention(person, today)
        if DisposalReview.objects.filter(person=person, status=ReviewStatus.AWAITING_SECOND).exists():
            raise RuleError("A disposal of this record is already waiting for a second approval")
        documents = Document.objects.filter(person=person).count()
        decider = actor_or_none(actor)
        assert decider is not None and retention.due_on is not None  # checked above
        why_second = second_approval_reason(retention, documents) if outcome == ReviewOutcome.DISPOSE else ""
        review = DisposalReview.objects.create(
            person=person,
            retention_class=retention.retention_class,
            review_on=retention.due_on,
            outcome=outcome,
            reason=reason.strip(),
            keep_until=keep_until if outcome == ReviewOutcome.KEEP else None,
            status=(
                ReviewStatus.KEPT
                if outcome == ReviewOutcome.KEEP
                else ReviewStatus.AWAITING_SECOND
                if why_second
                else ReviewStatus.APPROVED
            ),
            decided_at=timezone.now(),
            decided_by=decider,
            needs_second=bool(why_second),
            why_second=why_second,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="disposal_review",
            object_id=str(review.pk),
            person_id=person.pk,
            changes={
                "outcome": outcome,
                "reason": review.reason,
                "keep_until": str(keep_until or ""),
                "second": why_second,
            },
        )
        if outcome == ReviewOutcome.KEEP:
            retention.kept_until = keep_until
            retention.save(update_fields=["kept_until"])
        elif not why_second:
            disposal_carry_out(actor=actor, review=review)
    return review


def disposal_second_approve(*, actor: Actor, review: DisposalReview) -> DisposalReview:
    """The second approval of a disposal over the threshold, by someone other than the first; the record is then
    disposed of."""
    if actor is None:
        raise RuleError("A disposal is approved by a person: sign in to approve")
    _require(actor, Can.APPROVE_DISPOSAL, "You cannot approve disposals")
    if review.status != ReviewStatus.AWAITING_SECOND:
        raise RuleError("This disposal is not waiting for a second approval")
    if review.decided_by_id == actor.pk:
        raise RuleError(
            "You made the first decision to dispose of this record: a different person must give the second approval"
        )
    with transaction.atomic():
        _due_retention(review.person, timezone.localdate())
        review.second_by = actor_or_none(actor)
        review.second_at = timezone.now()
        review.status = ReviewStatus.APPROVED
        review.save(update_fields=["second_by", "second_at", "status"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="disposal_review",
            object_id=str(review.pk),
            person_id=review.person_id,
            changes={"second_approval": True},
        )
        disposal_carry_out(actor=actor, review=review)
    return review


def _files_of(person: Person) -> tuple[list[dict[str, Any]], list[str], list[int]]:
    """Every stored file of the person's documents (originals and renditions), the storage names no one else's
    document still uses, and the versions."""
    versions = list(DocumentVersion.objects.filter(document__person=person).order_by("document_id", "number"))
    renditions = list(Rendition.objects.filter(version__in=versions).order_by("version_id", "kind", "page"))
    files: list[dict[str, Any]] = []
    names: list[str] = []
    by_version: dict[int, DocumentVersion] = {v.pk: v for v in versions}
    for v in versions:
        files.append(
            {"document": v.document_id, "version": v.number, "file": "original", "sha256": v.sha256, "size": v.size}
        )
        names.append(v.storage_name)
    for r in renditions:
        v = by_version[r.version_id]
        files.append(
            {
                "document": v.document_id,
                "version": v.number,
                "file": r.get_kind_display().lower() + (f" page {r.page}" if r.page else ""),
                "sha256": r.sha256,
                "size": r.size,
            }
        )
        names.append(r.storage_name)
    # Originals are stored once per SHA-256: bytes another person's document also holds stay for that document.
    shared = set(
        DocumentVersion.objects.filter(storage_name__in=names)
        .exclude(document__person=person)
        .values_list("storage_name", flat=True)
    )
    return files, [n for n in dict.fromkeys(names) if n not in shared], [v.pk for v in versions]


def disposal_carry_out(*, actor: Actor, review: DisposalReview) -> DisposalCertificate:
    """Dispose of an approved record and keep its certificate. What is removed (decision 0026):

    - every stored file of the person's documents (originals, archival copies, page images, thumbnails) is deleted
      from the documents storage, except bytes another person's document also holds; the rows stay, with their
      SHA-256, so the certificate and the fixity check can say what was there (fixity skips disposed documents);
    - the documents' titles and change reasons read "Disposed of", their OCR text is emptied, and their chronology
      entries (on every record they concerned) read "Document disposed of";
    - the person's names (on the record and in the names table), date of birth and death, gender, first language
      read the disposal marker or are emptied;
    - the record is marked disposed (`PersonRetention.disposed_at`), so its pages say so.
    The audit chain is never touched: the disposal is one more event on it."""
    if review.status != ReviewStatus.APPROVED:
        raise RuleError("This disposal has not been approved")
    person = review.person
    now = timezone.now()
    retention = PersonRetention.objects.select_related("rule").get(person=person)
    files, remove, _versions = _files_of(person)
    documents = Document.objects.filter(person=person)
    count = documents.count()
    approvers = [u for u in (review.decided_by, review.second_by) if u is not None]
    certificate = DisposalCertificate.objects.create(
        person=person,
        review=review,
        record_number=str(person.pk),
        retention_class=retention.retention_class,
        rule_text=f"{retention.rule.get_retention_class_display()}: {rule_text(retention.rule)}"[:800],
        trigger_date=retention.trigger_date,
        review_on=review.review_on,
        approved_by=", ".join(u.display_name for u in approvers)[:300],
        approved_at=review.second_at or review.decided_at,
        disposed_at=now,
        disposed_by=actor_or_none(actor),
        files=files,
        documents=count,
    )
    document_ids = list(documents.values_list("pk", flat=True))
    documents.update(title=DISPOSED, change_reason="")
    # The documents' entries in the chronology (on this record and on the records of those they concerned) named
    # their titles and files.
    ChronologyEntry.objects.filter(source_type="document", source_id__in=document_ids).update(
        title=f"Document {DISPOSED.lower()}", summary="", text=""
    )
    versions = DocumentVersion.objects.filter(document__person=person)
    versions.update(text="")
    # No archival copy can be made of a file that is gone: `casework documents renditions` leaves these alone.
    versions.exclude(rendition_status=RenditionStatus.DONE).update(
        rendition_status=RenditionStatus.NOT_POSSIBLE, rendition_message="The document was disposed of"
    )
    PersonName.objects.filter(person=person).update(
        given_name=DISPOSED, family_name="", given_norm="", family_norm="", given_key="", family_key="", full_norm=""
    )
    Person.objects.filter(pk=person.pk).update(
        given_name=DISPOSED,
        middle_names="",
        family_name="",
        preferred_name="",
        date_of_birth=None,
        expected_date_of_birth=None,
        date_of_death=None,
        gender="",
        first_language="",
    )
    retention.disposed_at = now
    retention.save(update_fields=["disposed_at"])
    review.status = ReviewStatus.CARRIED_OUT
    review.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        object_type="disposal",
        object_id=str(certificate.pk),
        person_id=person.pk,
        changes={"documents": count, "files": len(files), "rule": certificate.rule_text},
    )
    storage = documents_storage()

    def remove_files() -> None:
        for name in remove:
            if storage.exists(name):
                storage.delete(name)

    # The files go once the disposal has committed: a disposal rolled back leaves every file in place.
    transaction.on_commit(remove_files)
    return certificate


__all__ = [
    "DISPOSED",
    "active_hold",
    "disposal_carry_out",
    "disposal_decide",
    "disposal_second_approve",
    "hold_place",
    "hold_release",
    "retention_recalculate",
    "rule_change",
    "rule_text",
    "rules_in_force",
    "second_approval_reason",
]
