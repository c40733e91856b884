"""Writes for bundles: asking for one (`bundle_request`, checked and audited, then built by the task or at once),
building it (`bundle_build`, bundles.building), and each download (`bundle_downloaded`, audited)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core import limits
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType

from . import selectors
from .models import Bundle, BundleStatus, Purpose

logger = logging.getLogger(__name__)

# A bundle with at most this many documents and forms is built at once, in the request; a bigger one by the worker.
QUICK_EXHIBITS = 3


def _text(errors: dict[str, str], field: str, value: str, label: str, maximum: int = limits.LINE) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"Enter {label}"
    elif len(value) > maximum:
        errors[field] = f"{label[0].upper()}{label[1:]} must be {maximum:,} characters or fewer"
    return value


def bundle_check(
    *,
    actor: Any,
    person: Person,
    purpose: str,
    title: str,
    period_from: date | None,
    period_to: date | None,
    entry_types: list[str],
    form_response_ids: list[int],
    document_ids: list[int],
    officer_role: str,
    officer_organisation: str,
) -> None:
    """Raise RuleError, by field, for anything wrong with what was asked for; changes nothing."""
    # No actor: the operator at the shell (`casework bundle` without --as), who may put in no restricted document.
    if actor is not None and not access.may_make_bundle(actor, person):
        raise RuleError("You cannot make bundles from this record")
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = "Select what the bundle is for"
    _text(errors, "title", title, "a title for the bundle")
    _text(errors, "officer_role", officer_role, "your role, as the certificate should give it")
    _text(errors, "officer_organisation", officer_organisation, "the organisation whose records these are")
    if period_from is None:
        errors["period_from"] = "Enter the date the period starts"
    if period_to is None:
        errors["period_to"] = "Enter the date the period ends"
    if period_from and period_to and period_from > period_to:
        errors["period_to"] = "The end of the period must be the same as or after its start"
    if period_from and period_to and period_to > timezone.localdate():
        errors["period_to"] = "The end of the period must be today or in the past"
    unknown = sorted(set(entry_types) - set(EntryType.values))
    if unknown:
        errors["entry_types"] = f"There is no chronology entry type {', '.join(unknown)}"
    responses = selectors.responses_by_id(person, form_response_ids)
    offered_forms = {r.pk for r in selectors.form_choices(person)}
    if any(pk not in responses or pk not in offered_forms for pk in form_response_ids):
        errors["form_response_ids"] = "Choose only submitted forms on this record"
    listed = (
        selectors.document_choices(actor, person)
        if actor is not None
        else selectors.document_choices_for_system(person)
    )
    choices = {c.document.pk: c for c in listed}
    for pk in document_ids:
        choice = choices.get(pk)
        if choice is None or not choice.may_see:
            errors["document_ids"] = "Choose only documents on this record that you may see"
            break
        if not choice.has_copy:
            errors["document_ids"] = (
                f"“{choice.document.title}” has no archival copy yet, so it cannot go in a bundle: try again when it "
                "has been made, or leave it out"
            )
            break
    if errors:
        raise RuleError(errors)


@transaction.atomic
def bundle_request(
    *,
    actor: Actor,
    person: Person,
    purpose: str,
    title: str,
    period_from: date,
    period_to: date,
    entry_types: list[str],
    form_response_ids: list[int],
    document_ids: list[int],
    officer_name: str,
    officer_role: str,
    officer_organisation: str,
    second_factor: bool,
    queue: bool = True,
) -> Bundle:
    """Ask for a bundle: checked (RuleError by field, nothing saved), kept and audited; the task builds it after the
    transaction commits when `queue` (otherwise the caller builds it: bundles.building.bundle_build)."""
    bundle_check(
        actor=actor,
        person=person,
        purpose=purpose,
        title=title,
        period_from=period_from,
        period_to=period_to,
        entry_types=entry_types,
        form_response_ids=form_response_ids,
        document_ids=document_ids,
        officer_role=officer_role,
        officer_organisation=officer_organisation,
    )
    bundle = Bundle.objects.create(
        person=person,
        purpose=purpose,
        title=title.strip(),
        period_from=period_from,
        period_to=period_to,
        entry_types=sorted(set(entry_types)),
        form_response_ids=list(dict.fromkeys(form_response_ids)),
        document_ids=list(dict.fromkeys(document_ids)),
        officer=actor_or_none(actor),
        officer_name=officer_name.strip(),
        officer_role=officer_role.strip(),
        officer_organisation=officer_organisation.strip(),
        signed_on=date.today(),
        second_factor=second_factor,
        stage="Waiting for the task worker to start it",
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="bundle",
        object_id=str(bundle.pk),
        person_id=person.pk,
        changes={
            "new": {
                "purpose": purpose,
                "title": bundle.title,
                "period": [period_from.isoformat(), period_to.isoformat()],
                "entry_types": bundle.entry_types,
                "form_responses": bundle.form_response_ids,
                "documents": bundle.document_ids,
                "officer": bundle.officer_name,
            }
        },
    )
    if queue:

        def enqueue() -> None:
            from .tasks import build_bundle

            build_bundle.enqueue(bundle.pk)

        transaction.on_commit(enqueue)
    return bundle


def is_quick(bundle: Bundle) -> bool:
    return len(bundle.form_response_ids) + len(bundle.document_ids) <= QUICK_EXHIBITS


def bundle_progress(bundle: Bundle, *, stage: str, percent: int, status: str = BundleStatus.RUNNING) -> None:
    """Record how far the build has got, in a short transaction of its own so the page sees it move."""
    with transaction.atomic():
        Bundle.objects.filter(pk=bundle.pk).update(stage=stage, percent=percent, status=status)
    bundle.stage, bundle.percent, bundle.status = stage, percent, status


def bundle_downloaded(*, actor: Actor, bundle: Bundle) -> None:
    """Audit a download of the bundle's file (an export from the record)."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="bundle",
        object_id=str(bundle.pk),
        person_id=bundle.person_id,
        changes={"sha256": bundle.sha256, "pages": bundle.pages},
    )
