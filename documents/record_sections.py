"""What the documents app adds to other apps' pages, registered in DocumentsConfig.ready:

- the person's record (people.record): the "Upload documents" button and a "Documents" section (the newest few,
  how many there are, a link to all of them and their search);
- the chronology (recording.entries): what a document's entry opens to, in words (never the title of a restricted
  document).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts import access
from core.dates import long_date
from people import record
from people.models import Person
from recording import entries

from . import selectors
from .models import Document, Sensitivity


def may_add(request: HttpRequest, person: Person) -> bool:
    return access.may_add_documents(request.user, person)


def documents_section(request: HttpRequest, person: Person) -> SafeString:
    """The record's newest documents (one query); shown to everyone who sees the full record."""
    if not access.can_view_person(request.user, person):
        return SafeString("")
    documents, total = selectors.recent_documents(request.user, person)
    return render_to_string(
        "documents/record_section.html", {"person": person, "documents": documents, "total": total}, request=request
    )


def describe(document_id: int) -> list[tuple[str, str]]:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return []
    rows = [("Type", document.get_document_type_display()), ("Date", long_date(document.document_date))]
    if document.sensitivity != Sensitivity.RESTRICTED:
        rows.insert(0, ("Document", document.title))
    rows.append(("Sensitivity", document.get_sensitivity_display()))
    return rows


def register() -> None:
    record.register_action(record.RecordAction("upload_documents", "Upload documents", "documents:upload", 35, may_add))
    record.register_section(record.RecordSection("documents", "main", 45, documents_section))
    entries.register_describer(["document"], describe)
