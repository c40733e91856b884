"""How retention takes part without any lower app importing it (registered from RetentionConfig.ready):

- Facts changing: Django's model signals, sent by the models of people and cases whenever a service saves one, are
  the hook. A save of a person (a death recorded, a date of birth corrected), a period of care, an adoption record,
  a children-in-need episode or plan, a child protection plan or a care leaver's contact works out that person's
  retention again in the same transaction. Bulk loads (which send no signals) run `casework retention recalculate`.
- The record page (people.record): a side section with the class, the review date and holds, or, for a disposed
  record, the disposal notice.
- The document's evidence page (documents.hooks): the same in its Retention section.
- Fixity (documents.hooks): disposed documents' removed files are not reported missing.
- Merging (people.merging): retention moves with the record and is worked out again; a certificate stays.
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


def register() -> None:
    from cases.models import ChildInNeedPlan, ChildProtectionPlan, CINEpisode, LookedAfterEpisode
    from cases.models_looked_after import AdoptionRecord, CareLeaverContact
    from documents import hooks as document_hooks
    from documents.models import Document
    from people import merging, record
    from people.models import Person

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
    merging.register_derived("retention.PersonRetention.person", may_stay=True)
    merging.register_stay(
        "retention.DisposalCertificate.person", "a disposal certificate stays with the record it certifies"
    )
