"""How retention takes part without any lower app importing it (registered from RetentionConfig.ready):

- Facts changing: Django's model signals, sent by the models of people and cases whenever a service saves one, are
  the hook. A save of a person (a death recorded, a date of birth corrected), a period of care, an adoption record,
  a children-in-need episode or plan, a child protection plan or a care leaver's contact works out that person's
  retention again in the same transaction. Bulk loads (which send no signals) run `casework retention recalculate`.
- The record page (people.record): a side section with the class, the review date and holds, or, for a disposed
  record, the disposal notice.
- The document's evidence page (documents.hooks): the same in its Retention section.
- Fixity (documents.hooks): disposed documents' removed files are not reported missing.
- Merging (people.merging): each record keeps its own retention row (the merged record's describes the tombstone);
  both are worked out again once a merge or its undoing commits, from the rows as they then lie; a certificate stays.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def _person_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from .services import retention_recalculate

    retention_recalculate(person_ids=[instance.pk])


def _fact_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from .services import retention_recalculate

    retention_recalculate(person_ids=[instance.person_id])


def _merge_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A merge made or undone (people.merging saves its PersonMerge): the rows have moved by then only once the
    transaction commits, so both records are worked out again after it."""
    if raw:
        return
    from django.db import transaction

    from .services import retention_recalculate

    ids = [instance.survivor_id, instance.merged_id]
    transaction.on_commit(lambda: retention_recalculate(person_ids=ids))


def register() -> None:
    from cases.models import ChildInNeedPlan, ChildProtectionPlan, CINEpisode, LookedAfterEpisode
    from cases.models_looked_after import AdoptionRecord, CareLeaverContact
    from documents import hooks as document_hooks
    from documents.models import Document
    from people import merging, record
    from people.models import Person, PersonMerge

    from . import sections

    post_save.connect(_person_saved, sender=Person, dispatch_uid="retention_person")
    for model in (
        LookedAfterEpisode,
        AdoptionRecord,
        CareLeaverContact,
        CINEpisode,
        ChildInNeedPlan,
        ChildProtectionPlan,
    ):
        post_save.connect(_fact_saved, sender=model, dispatch_uid=f"retention_{model._meta.label_lower}")

    record.register_section(record.RecordSection("retention", "side", 90, sections.record_section))
    document_hooks.register_evidence_section("retention", sections.evidence_section)
    document_hooks.register_disposed(
        "retention",
        lambda: Document.objects.filter(person__retention__disposed_at__isnull=False).values("pk"),
    )
    merging.register_stay(
        "retention.PersonRetention.person", "each record's retention is worked out for it, and again after a merge"
    )
    post_save.connect(_merge_saved, sender=PersonMerge, dispatch_uid="retention_merge")
    merging.register_stay(
        "retention.DisposalCertificate.person", "a disposal certificate stays with the record it certifies"
    )
