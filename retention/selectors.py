"""Retention's reads, each a fixed number of queries whatever the number of records."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from documents.models import Document

from .models import DisposalCertificate, DisposalReview, LegalHold, PersonRetention, RetentionRule, ReviewStatus


def retention_of(person_id: int) -> PersonRetention | None:
    """A person's retention with its rule and how many holds are active (`active_holds`): one query."""
    holds = (
        LegalHold.objects.filter(person_id=OuterRef("person_id"), released_at__isnull=True)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        PersonRetention.objects.select_related("rule")
        .annotate(active_holds=Coalesce(Subquery(holds, output_field=IntegerField()), 0))
        .filter(person_id=person_id)
        .first()
    )


def holds_of(person_id: int) -> list[LegalHold]:
    """Every hold on the record, newest first, with who placed and released it: one query."""
    return list(
        LegalHold.objects.filter(person_id=person_id).select_related("placed_by", "released_by").order_by("-placed_at")
    )


def reviews_of(person_id: int) -> list[DisposalReview]:
    return list(
        DisposalReview.objects.filter(person_id=person_id)
        .select_related("decided_by", "second_by")
        .order_by("-decided_at")
    )


def certificate_of(person_id: int) -> DisposalCertificate | None:
    return DisposalCertificate.objects.filter(person_id=person_id).select_related("disposed_by").first()


def due_for_review(today: date, *, limit: int = 500) -> list[PersonRetention]:
    """Records past their review date (or past the date a reviewer kept them to), with no active hold, not
    disposed of, not already waiting for a second approval: each with its rule, person, document count and any
    disposal waiting for a second approval. Three queries, whatever the number of records."""
    held = LegalHold.objects.filter(person_id=OuterRef("person_id"), released_at__isnull=True)
    docs = (
        Document.objects.filter(person_id=OuterRef("person_id")).values("person_id").annotate(n=Count("pk")).values("n")
    )
    rows: list[PersonRetention] = list(
        PersonRetention.objects.select_related("rule", "person")
        .annotate(
            held=Exists(held),
            documents=Coalesce(Subquery(docs, output_field=IntegerField()), 0),
            due=Greatest("review_on", Coalesce("kept_until", "review_on")),
        )
        .filter(disposed_at__isnull=True, review_on__isnull=False, held=False, due__lte=today)
        .order_by("due", "person_id")[:limit]
    )
    waiting = {
        r.person_id: r
        for r in DisposalReview.objects.filter(
            person_id__in=[r.person_id for r in rows], status=ReviewStatus.AWAITING_SECOND
        ).select_related("decided_by")
    }
    for r in rows:
        r.awaiting = waiting.get(r.person_id)  # type: ignore[attr-defined]
    return rows


def awaiting_second(limit: int = 200) -> list[DisposalReview]:
    return list(
        DisposalReview.objects.filter(status=ReviewStatus.AWAITING_SECOND)
        .select_related("person", "decided_by")
        .order_by("decided_at")[:limit]
    )


def rules() -> list[RetentionRule]:
    return list(RetentionRule.objects.select_related("changed_by").order_by("pk"))


def active_holds(limit: int = 500) -> list[LegalHold]:
    return list(
        LegalHold.objects.filter(released_at__isnull=True)
        .select_related("person", "placed_by")
        .order_by("-placed_at")[:limit]
    )
