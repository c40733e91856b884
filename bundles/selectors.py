"""Reads for bundles, each a fixed number of queries: what may go into a bundle (the choose page), the bundles made
from a record, one bundle with its exhibits and whether this user may download it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from accounts import access
from documents.models import Document, DocumentGrant, DocumentVersion, Rendition, RenditionKind, Sensitivity
from forms.models import FormResponse, ResponseStatus
from people.models import Person

from .models import Bundle, Exhibit

RECENT = 20


@dataclass(frozen=True)
class DocumentChoice:
    document: Document
    may_see: bool  # restricted without a grant: False (never offered, and never named)
    has_copy: bool  # an archival copy to disclose exists (documents.selectors.disclosure_copy)
    third_party: bool

    @property
    def offered(self) -> bool:
        return self.may_see and self.has_copy


def form_choices(person: Person) -> list[FormResponse]:
    """The person's submitted form responses that no correction supersedes, newest first: one query."""
    return list(
        FormResponse.objects.filter(person=person)
        .exclude(status=ResponseStatus.DRAFT)
        .exclude(Exists(FormResponse.objects.filter(supersedes_id=OuterRef("pk"))))
        .select_related("definition")
        .order_by("-submitted_at", "-id")
    )


def document_choices(user: Any, person: Person, *, system: bool = False) -> list[DocumentChoice]:
    """The documents on the person's record, newest first, each with whether this user may see it (a restricted one
    needs its own grant) and whether its latest version has an archival copy to disclose: one query."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    rows = (
        Document.objects.filter(person=person)
        .annotate(
            granted=Exists(
                DocumentGrant.objects.filter(document=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True)
            ),
            latest_version_id=Subquery(latest.values("pk")[:1]),
            has_copy=Exists(
                Rendition.objects.filter(
                    version_id=Subquery(
                        DocumentVersion.objects.filter(document=OuterRef(OuterRef("pk")))
                        .order_by("-number")
                        .values("pk")[:1]
                    ),
                    kind=RenditionKind.ARCHIVAL,
                    page=0,
                )
            ),
        )
        .order_by("-document_date", "-id")
    )
    return [
        DocumentChoice(
            document=d,
            may_see=(d.sensitivity != Sensitivity.RESTRICTED)
            if system
            else access.may_see_document(user, person, sensitivity=d.sensitivity, granted=bool(d.granted)),
            has_copy=bool(d.has_copy),
            third_party=d.sensitivity == Sensitivity.THIRD_PARTY,
        )
        for d in rows
    ]


def document_choices_for_system(person: Person) -> list[DocumentChoice]:
    """What the operator (no user: `casework bundle` without --as) may put in: every document but a restricted one."""
    from django.contrib.auth.models import AnonymousUser

    rows = document_choices(AnonymousUser(), person, system=True)
    return rows


def bundles_for_person(person: Person, limit: int = RECENT) -> list[Bundle]:
    """The bundles made from the record, newest first, with who asked and how many exhibits: one query."""
    return list(
        Bundle.objects.filter(person=person)
        .select_related("officer")
        .annotate(exhibit_count=Count("exhibits"))
        .order_by("-requested_at", "-id")[:limit]
    )


def bundle_of(person: Person, bundle_id: int) -> Bundle | None:
    return Bundle.objects.filter(person=person, pk=bundle_id).select_related("officer").first()


def exhibits(bundle: Bundle) -> list[Exhibit]:
    return list(bundle.exhibits.order_by("position"))


def restricted_without_grant(user: Any, bundle: Bundle) -> int:
    """How many restricted documents in the bundle this user holds no open grant to: one query."""
    return (
        Exhibit.objects.filter(bundle=bundle, restricted=True)
        .exclude(
            Exists(
                DocumentGrant.objects.filter(
                    document_id=OuterRef("document_version__document_id"), user_id=user.pk, ended_at__isnull=True
                )
            )
        )
        .count()
    )


def may_download(user: Any, person: Person, bundle: Bundle) -> bool:
    return access.may_download_bundle(user, person, restricted_without_grant=restricted_without_grant(user, bundle))


def documents_by_id(person: Person, ids: list[int]) -> dict[int, Document]:
    return {d.pk: d for d in Document.objects.filter(person=person, pk__in=ids)}


def responses_by_id(person: Person, ids: list[int]) -> dict[int, FormResponse]:
    rows = FormResponse.objects.filter(Q(person=person), pk__in=ids).select_related("definition", "person")
    return {r.pk: r for r in rows}
