"""Reads about documents, each a fixed number of queries whatever the number of documents or versions.

Who may see what is accounts.access's: these selectors take the user and ask it (`visible_people` as a subquery for
lists; `may_see_document` for one document), and mark each restricted document the user holds no grant to, so a
page shows that it exists without its title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts import access
from audit.models import AuditEvent
from people.models import Person

from .models import (
    Document,
    DocumentGrant,
    DocumentVersion,
    FixityCheck,
    FixityFinding,
    Rendition,
    RenditionKind,
    Sensitivity,
)

LIST_LIMIT = 200


def _granted(user: Any) -> Exists:
    return Exists(DocumentGrant.objects.filter(document=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True))


def _latest(field: str) -> Subquery:
    return Subquery(DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values(field)[:1])


@dataclass(frozen=True)
class Search:
    text: str = ""
    document_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.text or self.document_type or self.date_from or self.date_to)


def documents_for_person(user: Any, person: Person, search: Search | None = None) -> list[Document]:
    """The documents on `person`'s record and those about them on the records of relatives the user may see, newest
    first (at most LIST_LIMIT), each with `granted`, `hidden` (restricted, no grant: show no title), `own` (on this
    record), the latest version's number, media type and rendition status, and whether it has a thumbnail. One query.

    A search matches the title or the text of any version (OCR or extracted: PostgreSQL's English full-text search),
    the type and a range of document dates; a restricted document without a grant never matches on its title or
    text."""
    search = search or Search()
    visible = access.visible_people(user, Person.objects.all()).values("pk")
    qs = (
        Document.objects.filter(Q(person=person) | Q(concerns=person), person__in=visible)
        .distinct()
        .select_related("person")
        .annotate(
            granted=_granted(user),
            latest_number=_latest("number"),
            latest_media_type=_latest("media_type"),
            latest_status=_latest("rendition_status"),
            latest_version_id=_latest("pk"),
            has_thumbnail=Exists(
                Rendition.objects.filter(version__document=OuterRef("pk"), kind=RenditionKind.THUMBNAIL)
            ),
        )
    )
    if search.document_type:
        qs = qs.filter(document_type=search.document_type)
    if search.date_from:
        qs = qs.filter(document_date__gte=search.date_from)
    if search.date_to:
        qs = qs.filter(document_date__lte=search.date_to)
    if search.text:
        words = SearchQuery(search.text, search_type="websearch", config="english")
        in_text = Exists(DocumentVersion.objects.filter(document=OuterRef("pk"), text_search=words))
        matches = Q(title__icontains=search.text) | Q(in_text)
        qs = qs.filter(matches).exclude(sensitivity=Sensitivity.RESTRICTED, granted=False)
    documents: list[Document] = list(qs.order_by("-document_date", "-id")[:LIST_LIMIT])
    for d in documents:
        d.hidden = d.sensitivity == Sensitivity.RESTRICTED and not d.granted  # type: ignore[attr-defined]
        d.own = d.person_id == person.pk  # type: ignore[attr-defined]
    return documents


def recent_documents(user: Any, person: Person, limit: int = 5) -> tuple[list[Document], int]:
    """The newest documents on the record (for its page's section) and how many there are: one query."""
    from django.db.models import Count, Window

    qs = (
        Document.objects.filter(person=person)
        .annotate(granted=_granted(user), total=Window(Count("pk")))
        .order_by("-document_date", "-id")
    )
    documents: list[Document] = list(qs[:limit])
    for d in documents:
        d.hidden = d.sensitivity == Sensitivity.RESTRICTED and not d.granted  # type: ignore[attr-defined]
    return documents, int(getattr(documents[0], "total", 0)) if documents else 0


def document_on_record(user: Any, person: Person, document_id: int) -> Document | None:
    """The document, if it is on `person`'s record, with `granted` for the user: one query."""
    return (
        Document.objects.filter(pk=document_id, person=person)
        .select_related("created_by", "modified_by", "cin_episode", "form_response", "chronology_entry")
        .annotate(granted=_granted(user))
        .first()
    )


def document_detail(document: Document) -> list[DocumentVersion]:
    """Its versions, newest first, each with its renditions and who uploaded it; and its concerns prefetched on the
    document: two queries plus one for the concerns."""
    versions = list(
        DocumentVersion.objects.filter(document=document)
        .select_related("uploaded_by")
        .prefetch_related(Prefetch("renditions", queryset=Rendition.objects.order_by("kind", "page")))
        .order_by("-number")
    )
    document.concerned = list(document.concerns.order_by("family_name", "given_name"))  # type: ignore[attr-defined]
    return versions


def rendition_of(document: Document, number: int, kind: str, page: int = 0) -> Rendition | None:
    return (
        Rendition.objects.filter(version__document=document, version__number=number, kind=kind, page=page)
        .select_related("version")
        .first()
    )


def version_of(document: Document, number: int) -> DocumentVersion | None:
    return DocumentVersion.objects.filter(document=document, number=number).first()


@dataclass(frozen=True)
class Evidence:
    versions: list[DocumentVersion]
    findings: list[FixityFinding]
    events: list[AuditEvent]
    grants: list[DocumentGrant]


def evidence(document: Document) -> Evidence:
    """What the evidence page shows: versions with renditions and their last fixity check, every fixity finding,
    every audit event about the document (views, downloads, versions, changes, grants, renditions), the grants."""
    versions = list(
        DocumentVersion.objects.filter(document=document)
        .select_related("uploaded_by", "fixity_check")
        .prefetch_related(Prefetch("renditions", queryset=Rendition.objects.order_by("kind", "page")))
        .order_by("number")
    )
    ids = [str(v.pk) for v in versions]
    events = list(
        AuditEvent.objects.filter(
            Q(object_type="document", object_id=str(document.pk))
            | Q(object_type__in=["document_version", "rendition"], object_id__in=ids)
            | Q(object_type="document_grant", changes__document=document.pk)
        )
        .select_related("actor")
        .order_by("-id")
    )
    findings = list(FixityFinding.objects.filter(document=document).select_related("check_run", "version", "rendition"))
    grants = list(document.grants.select_related("user", "granted_by").order_by("-granted_at"))
    return Evidence(versions=versions, findings=findings, events=events, grants=grants)


def fixity_checks(limit: int = 30) -> QuerySet[FixityCheck]:
    return FixityCheck.objects.select_related("started_by").order_by("-started_at")[:limit]


def fixity_findings(check: FixityCheck) -> list[FixityFinding]:
    return list(check.findings.select_related("version", "rendition", "document").order_by("document_id", "id"))


def relatives_for_concerns(user: Any, person: Person) -> list[Person]:
    """The person's current relatives whose records the user may see (the "who else is it about" choices): one
    query."""
    from people.models import Relationship

    related = Relationship.objects.filter(person=person, ended_on__isnull=True).values("other_id")
    return list(
        access.visible_people(user, Person.objects.filter(pk__in=related)).order_by(
            "date_of_birth", "family_name", "given_name"
        )
    )


def disclosure_copy(version: DocumentVersion) -> Rendition | None:
    """The copy of `version` to disclose (in a court or conference bundle, a subject access request): its archival
    PDF/A-2b rendition, or None when it has none yet. The one place that picks it: redaction (issue 14) will make it
    prefer the latest redacted copy, so every caller gets the redacted one without changing. One query."""
    return Rendition.objects.filter(version=version, kind=RenditionKind.ARCHIVAL, page=0).first()
