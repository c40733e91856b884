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
from django.db.models.functions import Upper

from accounts import access
from audit.models import AuditEvent
from people.models import IdentifierType, Person, PersonIdentifier

from .models import (
    Document,
    DocumentGrant,
    DocumentVersion,
    FixityCheck,
    FixityFinding,
    ImportReview,
    Redaction,
    RedactionArea,
    RedactionStatus,
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


def disclosure_copy(version: DocumentVersion) -> Rendition | None:
    """The copy of `version` to disclose (a court bundle, a subject access request): the redacted copy of its latest
    redaction that was made, when there is one, otherwise its archival copy; None when it has neither. One query."""
    return (
        Rendition.objects.filter(
            Q(kind=RenditionKind.REDACTED, redaction__status=RedactionStatus.DONE)
            | Q(kind=RenditionKind.ARCHIVAL, redaction__isnull=True),
            version=version,
        )
        .order_by("-kind", "-redaction__finished_at", "-redaction_id")  # "redacted" sorts after "archival"
        .first()
    )


def _active_areas() -> Prefetch:
    return Prefetch("areas", queryset=RedactionArea.objects.filter(removed_at__isnull=True).order_by("page", "y", "x"))


def redactions_of(document: Document) -> list[Redaction]:
    """Every redaction of the document's versions, newest first, with who made and applied it, its areas and its
    redacted copy (`copy`, None until made) and whether it is superseded (`successor_id`). Three queries."""
    redactions: list[Redaction] = list(
        Redaction.objects.filter(version__document=document)
        .select_related("version", "created_by", "applied_by")
        .annotate(successor_id=Subquery(Redaction.objects.filter(supersedes=OuterRef("pk")).values("pk")[:1]))
        .prefetch_related(
            _active_areas(),
            Prefetch("renditions", queryset=Rendition.objects.filter(kind=RenditionKind.REDACTED), to_attr="copies"),
        )
        .order_by("-id")
    )
    for r in redactions:
        r.copy = r.copies[0] if r.copies else None  # type: ignore[attr-defined]
    return redactions


def redaction_on(document: Document, redaction_id: int) -> Redaction | None:
    """One redaction of the document, as redactions_of gives each (its areas, copy and successor). Three queries."""
    found = (
        Redaction.objects.filter(pk=redaction_id, version__document=document)
        .select_related("version__document", "created_by", "applied_by", "supersedes")
        .annotate(successor_id=Subquery(Redaction.objects.filter(supersedes=OuterRef("pk")).values("pk")[:1]))
        .prefetch_related(
            _active_areas(),
            Prefetch("renditions", queryset=Rendition.objects.filter(kind=RenditionKind.REDACTED), to_attr="copies"),
        )
        .first()
    )
    if found is not None:
        found.copy = found.copies[0] if found.copies else None  # type: ignore[attr-defined]
    return found


def redaction_rendition(redaction: Redaction, kind: str, page: int = 0) -> Rendition | None:
    return Rendition.objects.filter(redaction=redaction, kind=kind, page=page).first()


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
            | Q(object_type="redaction", changes__document=document.pk)
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


# --- The scanning bureau's review list (documents.importer; the pages in documents.review_views) --------------------

REVIEW_LIMIT = 200


def import_reviews_open(limit: int = REVIEW_LIMIT) -> tuple[list[ImportReview], int]:
    """The rows waiting for a person, oldest first (at most `limit`), and how many there are: two queries."""
    waiting = ImportReview.objects.filter(resolved_at__isnull=True)
    return list(waiting.order_by("found_at", "id")[:limit]), waiting.count()


def import_reviews_settled(limit: int = 20) -> list[ImportReview]:
    """The rows settled most recently, with who settled them: one query."""
    return list(
        ImportReview.objects.filter(resolved_at__isnull=False)
        .select_related("resolved_by", "document")
        .order_by("-resolved_at", "-id")[:limit]
    )


def import_review(review_id: int) -> ImportReview | None:
    return ImportReview.objects.select_related("resolved_by", "document").filter(pk=review_id).first()


@dataclass
class Candidate:
    """Someone a review-list row's identifiers point to, and which of them do."""

    person: Person
    why: list[str]


def import_review_candidates(user: Any, review: ImportReview) -> list[Candidate]:
    """The people the row's record number, NHS number and legacy id point to that `user` may find (never a record
    hidden from them by a declared conflict), each with which identifiers point to them: at most three queries."""
    row = review.row_data
    why: dict[int, list[str]] = {}
    given = str(row.get("person_id") or "")
    if given.isdigit():
        why.setdefault(int(given), []).append("record number")
    condition = Q()
    words: dict[str, str] = {IdentifierType.NHS: "NHS number", IdentifierType.LEGACY: "legacy id"}
    nhs = "".join(str(row.get("nhs_number") or "").split()).upper()
    legacy = str(row.get("legacy_id") or "").strip().upper()
    if nhs:
        condition |= Q(type=IdentifierType.NHS, upper_value=nhs)
    if legacy:
        condition |= Q(type=IdentifierType.LEGACY, upper_value=legacy)
    if condition:
        found = (
            PersonIdentifier.objects.annotate(upper_value=Upper("value"))
            .filter(condition, ended_on__isnull=True)
            .values_list("person_id", "type")
        )
        for person_id, kind in found:
            why.setdefault(person_id, []).append(words[kind])
    if not why:
        return []
    people = list(access.findable_people(user).filter(pk__in=list(why)).order_by("family_name", "given_name", "pk"))
    hidden = access.conflicted_people(user, [p.pk for p in people]) if people else set()
    return [Candidate(p, why[p.pk]) for p in people if p.pk not in hidden]
