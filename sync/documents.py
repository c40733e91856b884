"""Documents in the offline app, opened one at a time (issue 13: "documents only when opened").

A device holds each document's metadata (sync.records, type `document`); opening one fetches, online, its pages to
read (the page images the documents app made from the archival copy) through sync.api, which asks here. Access is
the web page's: the record rule (`accounts.access.person_for`, in full) and `may_see_document` (a restricted
document only with an open grant), and a document the user may not see is answered as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts import access
from documents import selectors
from documents.models import Document, DocumentVersion, Rendition, RenditionKind
from people.models import Person


@dataclass(frozen=True)
class Opened:
    person: Person
    document: Document
    version: DocumentVersion | None  # the latest
    pages: list[Rendition]  # its page images, in order


def document_for(user: Any, document_id: int) -> tuple[Person, Document] | None:
    """The document and its person, if `user` may see it (as the web's document page decides); None otherwise."""
    person_id = Document.objects.filter(pk=document_id).values_list("person_id", flat=True).first()
    if person_id is None:
        return None
    person, full = access.person_for(user, person_id)
    if person is None or not full:
        return None
    document = selectors.document_on_record(user, person, document_id)
    if document is None or not access.may_see_document(
        user,
        person,
        sensitivity=document.sensitivity,
        granted=bool(document.granted),  # type: ignore[attr-defined]
    ):
        return None
    return person, document


def opened(user: Any, document_id: int) -> Opened | None:
    """The document with its latest version and that version's page images (what the web's document page shows)."""
    found = document_for(user, document_id)
    if found is None:
        return None
    person, document = found
    versions = selectors.document_detail(document)
    latest = versions[0] if versions else None
    pages = [r for r in latest.renditions.all() if r.kind == RenditionKind.PAGE] if latest else []
    return Opened(person=person, document=document, version=latest, pages=sorted(pages, key=lambda r: r.page))
