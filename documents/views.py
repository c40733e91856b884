"""The documents' pages, under a person's record (/people/<id>/documents/...), and the fixity results for
administrators (/documents/fixity).

Who may do what is accounts.access's: the record rule through `people.views.person_for_user` (which audits a GET as a
view of the record), then `may_see_document` (a restricted document needs its own grant: 404 without one, so its
title never shows), `may_add_documents`, `may_change_document`, `may_grant_document`, `may_see_fixity`. Every view
of a document, page image and evidence page is audited as a view of the document, every download as an export, and
each write is one service call through `core.views.handle_form`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from accounts.models import User
from core.errors import RuleError
from core.views import handle_form, saved_then
from people.models import Person
from people.views import person_for_user, require_role

from . import hooks, redaction_services, selectors, services, storage
from . import redaction as redaction_module
from .forms import (
    ChangeForm,
    GrantForm,
    RedactionAreaForm,
    RedactionFindForm,
    RedactionStartForm,
    SearchForm,
    UploadForm,
    VersionForm,
)
from .intake import size_text
from .models import Document, DocumentVersion, Redaction, RedactionStatus, RenditionKind, Sensitivity
from .renditions import MAX_PAGE_IMAGES

# Originals that a browser could run if it opened them are always sent as plain bytes to save.
NEVER_INLINE = {"text/html", "image/svg+xml"}


def _document(request: HttpRequest, pk: int, document_id: int, *, section: str) -> tuple[Person, Document]:
    """The person (record rule, audited on GET) and their document, if this user may see it; 404 otherwise."""
    person = person_for_user(request, pk, section=section)
    document = selectors.document_on_record(request.user, person, document_id)
    if document is None or not access.may_see_document(
        request.user,
        person,
        sensitivity=document.sensitivity,
        granted=bool(document.granted),  # type: ignore[attr-defined]
    ):
        raise Http404("No document found")
    return person, document


def _may_change(request: HttpRequest, person: Person, document: Document) -> bool:
    return access.may_change_document(
        request.user,
        person,
        uploaded_by_id=document.created_by_id,
        sensitivity=document.sensitivity,
        granted=bool(document.granted),  # type: ignore[attr-defined]
    )


def _uploads(files: list[Any]) -> list[services.Upload]:
    return [services.Upload(name=f.name or "file", data=f.read()) for f in files]


def _save_files(form: Any, save: Any) -> Any:
    """Call `save`; a FilesRefused puts one error per refused file on the form's upload field."""
    try:
        return save()
    except services.FilesRefused as refused:
        for message in refused.messages:
            form.add_error("upload", message)
        raise RuleError({}) from refused


@login_required
@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's documents (and those about them on relatives' records), with a search by words (title and text),
    type and dates."""
    person = person_for_user(request, pk, section="documents")
    form = SearchForm(request.GET or None)
    search = selectors.Search()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        search = selectors.Search(
            text=d.get("q") or "",
            document_type=d.get("document_type") or "",
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )
    documents = selectors.documents_for_person(request.user, person, search) if not form.errors else []
    return render(
        request,
        "documents/list.html",
        {
            "person": person,
            "form": form,
            "documents": documents,
            "searched": search.any,
            "may_add": access.may_add_documents(request.user, person),
            "limit": selectors.LIST_LIMIT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload one or many files to the record: every file is checked, and if any is refused each refused file is
    listed with its reason and none is kept."""
    person = person_for_user(request, pk, section="upload documents")
    if not access.may_add_documents(request.user, person):
        raise PermissionDenied("Your role cannot add documents to records")
    relatives = selectors.relatives_for_concerns(request.user, person)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        relatives=relatives,
    )

    def save(d: dict[str, Any]) -> list[Document]:
        return _save_files(
            form,
            lambda: services.documents_add(
                actor=request.user,
                person=person,
                uploads=_uploads(d["upload"]),
                document_type=d["document_type"],
                document_date=d["document_date"],
                sensitivity=d["sensitivity"],
                title=d.get("title") or "",
                concerns=d["concerns"],
            ),
        )

    def done(documents: list[Document]) -> HttpResponse:
        if len(documents) == 1:
            return saved_then(
                request,
                f"{documents[0].title} added to the record. Its archival copy is being made",
                "documents:document",
                pk=person.pk,
                document_id=documents[0].pk,
            )
        return saved_then(
            request,
            f"{len(documents)} documents added to the record. Their archival copies are being made",
            "documents:list",
            pk=person.pk,
        )

    return handle_form(
        request,
        form,
        save,
        rename={"files": "upload"},
        done=done,
        page=lambda: render(
            request,
            "documents/upload.html",
            # The browser does not send the files again: the page says so when they were sent (_file_field.html).
            {"form": form, "person": person, "files_sent": bool(request.FILES)},
        ),
    )


def _version_rows(document: Document, versions: list[DocumentVersion]) -> list[dict[str, Any]]:
    rows = []
    for v in versions:
        renditions = list(v.renditions.all())
        rows.append(
            {
                "version": v,
                "size": size_text(v.size),
                "archival": next((r for r in renditions if r.kind == RenditionKind.ARCHIVAL), None),
                "pages": [r for r in renditions if r.kind == RenditionKind.PAGE],
            }
        )
    return rows


@login_required
@require_GET
def document_page(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """A document: its details, its pages to read in the browser (from the archival copy), the status of its
    renditions, its versions with their originals and archival copies to download."""
    person, document = _document(request, pk, document_id, section="document")
    services.document_viewed(actor=request.user, document=document, section="document")
    versions = selectors.document_detail(document)
    rows = _version_rows(document, versions)
    redactions = selectors.redactions_of(document)
    latest_version = rows[0]["version"] if rows else None
    return render(
        request,
        "documents/document.html",
        {
            "person": person,
            "document": document,
            "latest": rows[0] if rows else None,
            "rows": rows,
            "redactions": redactions,
            # The copy to disclose of the latest version: its latest redaction that was made (as disclosure_copy).
            "redacted": next(
                (
                    r
                    for r in sorted(redactions, key=lambda r: (r.finished_at or r.created_at, r.pk), reverse=True)
                    if latest_version and r.version_id == latest_version.pk and r.status == RedactionStatus.DONE
                ),
                None,
            ),
            "may_redact": _may_redact(request, person, document),
            "may_change": _may_change(request, person, document),
            "may_grant": document.sensitivity == Sensitivity.RESTRICTED
            and access.may_grant_document(
                request.user,
                person,
                uploaded_by_id=document.created_by_id,
                granted=bool(document.granted),  # type: ignore[attr-defined]
            ),
            "waiting": rows and rows[0]["version"].rendition_status in ("waiting", "running"),
        },
    )


def _file_response(data_name: str, *, filename: str, content_type: str, inline: bool) -> FileResponse:
    try:
        handle = storage.open_stored(data_name)
    except (FileNotFoundError, OSError) as e:
        raise Http404("The stored file is missing: the fixity check reports it") from e
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def original(request: HttpRequest, pk: int, document_id: int, number: int) -> FileResponse:
    """Download a version's original, byte for byte, as it arrived (audited as an export)."""
    _person, document = _document(request, pk, document_id, section="document original")
    version = selectors.version_of(document, number)
    if version is None:
        raise Http404("No such version")
    services.document_downloaded(
        actor=request.user, document=document, version=version, what="original", sha256=version.sha256
    )
    content_type = "application/octet-stream" if version.media_type in NEVER_INLINE else version.media_type
    return _file_response(version.storage_name, filename=version.original_name, content_type=content_type, inline=False)


@login_required
@require_GET
def archival(request: HttpRequest, pk: int, document_id: int, number: int) -> FileResponse:
    """Download a version's PDF/A-2b archival copy (audited as an export)."""
    _person, document = _document(request, pk, document_id, section="document archival copy")
    rendition = selectors.rendition_of(document, number, RenditionKind.ARCHIVAL)
    if rendition is None:
        raise Http404("This version has no archival copy")
    services.document_downloaded(
        actor=request.user, document=document, version=rendition.version, what="archival copy", sha256=rendition.sha256
    )
    stem = rendition.version.original_name.rsplit(".", 1)[0]
    return _file_response(
        rendition.storage_name, filename=f"{stem} (archival copy).pdf", content_type="application/pdf", inline=False
    )


@login_required
@require_GET
def page_image(request: HttpRequest, pk: int, document_id: int, number: int, page: int) -> FileResponse:
    """A page of a version as a picture, to read in the browser (audited as a view of the document)."""
    _person, document = _document(request, pk, document_id, section="document page")
    rendition = selectors.rendition_of(document, number, RenditionKind.PAGE, page)
    if rendition is None:
        raise Http404("No such page")
    services.document_viewed(actor=request.user, document=document, section=f"page {page} of version {number}")
    return _file_response(rendition.storage_name, filename=f"page-{page}.png", content_type="image/png", inline=True)


@login_required
@require_GET
def thumbnail(request: HttpRequest, pk: int, document_id: int, number: int) -> FileResponse:
    """A version's first page, small (audited as a view of the document)."""
    _person, document = _document(request, pk, document_id, section="document thumbnail")
    rendition = selectors.rendition_of(document, number, RenditionKind.THUMBNAIL)
    if rendition is None:
        raise Http404("No thumbnail")
    services.document_viewed(actor=request.user, document=document, section=f"thumbnail of version {number}")
    return _file_response(rendition.storage_name, filename="thumbnail.png", content_type="image/png", inline=True)


@login_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Change a document's details, with a reason (its uploader, or a manager of the team holding the case)."""
    person, document = _document(request, pk, document_id, section="change document")
    if not _may_change(request, person, document):
        raise PermissionDenied(
            "Only whoever added this document, or a manager of the team holding the case, can change it"
        )
    relatives = selectors.relatives_for_concerns(request.user, person)
    concerned = list(document.concerns.all())
    initial = {
        "document_type": document.document_type,
        "title": document.title,
        "document_date": document.document_date,
        "sensitivity": document.sensitivity,
        "concerns": [p.pk for p in concerned],
    }
    form = ChangeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        relatives=relatives + [p for p in concerned if p.pk not in {r.pk for r in relatives}],
    )
    return handle_form(
        request,
        form,
        lambda d: services.document_change(
            actor=request.user,
            document=document,
            title=d["title"],
            document_type=d["document_type"],
            document_date=d["document_date"],
            sensitivity=d["sensitivity"],
            concerns=d["concerns"],
            reason=d["reason"],
        ),
        done=lambda _: saved_then(
            request, "Details changed", "documents:document", pk=person.pk, document_id=document.pk
        ),
        page=lambda: render(request, "documents/change.html", {"form": form, "person": person, "document": document}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_add(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Add a new version; the earlier ones are kept."""
    person, document = _document(request, pk, document_id, section="new version of document")
    if not _may_change(request, person, document):
        raise PermissionDenied(
            "Only whoever added this document, or a manager of the team holding the case, can add a version"
        )
    form = VersionForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    return handle_form(
        request,
        form,
        lambda d: services.document_version_add(
            actor=request.user, document=document, upload=_uploads([d["upload"]])[0], reason=d["reason"]
        ),
        rename={"files": "upload"},
        # No one-time key: a key's fingerprint is the form's fields, not its file, so a second version sent with the
        # same reason would look like the first sent again. The service refuses the same bytes twice instead.
        done=lambda v: saved_then(
            request,
            f"Version {v.number} added. Earlier versions are kept",
            "documents:document",
            pk=person.pk,
            document_id=document.pk,
        ),
        page=lambda: render(
            request,
            "documents/version.html",
            {"form": form, "person": person, "document": document, "files_sent": bool(request.FILES)},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Let a colleague who can see the record open a restricted document."""
    person, document = _document(request, pk, document_id, section="grant document access")
    if document.sensitivity != Sensitivity.RESTRICTED:
        return render(request, "documents/grant_not_needed.html", {"person": person, "document": document})
    if not access.may_grant_document(
        request.user,
        person,
        uploaded_by_id=document.created_by_id,
        granted=bool(document.granted),  # type: ignore[attr-defined]
    ):
        raise PermissionDenied("Only whoever added this document, or a manager with access to it, can give access")
    granted = set(document.grants.filter(ended_at__isnull=True).values_list("user_id", flat=True))
    candidates = [
        u
        for u in User.objects.filter(is_active=True).exclude(pk__in=granted).order_by("first_name", "last_name")[:500]
        if access.can_view_person(u, person)
    ]
    form = GrantForm(request.POST if request.method == "POST" else None, users=candidates)

    def save(d: dict[str, Any]) -> Any:
        user = form.users.get(d["user"])
        if user is None:
            raise RuleError({"user": "Select someone who can see this record"})
        return services.document_grant_add(actor=request.user, document=document, user=user, reason=d["reason"])

    return handle_form(
        request,
        form,
        save,
        once=True,
        done=lambda g: saved_then(
            request,
            f"{g.user.display_name} can now open this document",
            "documents:document",
            pk=person.pk,
            document_id=document.pk,
        ),
        page=lambda: render(request, "documents/grant.html", {"form": form, "person": person, "document": document}),
    )


# The capture metadata's keys in words (a scanning bureau's manifest, the virus scanner).
CAPTURE_LABELS = {
    "virus_scan": "Virus scan",
    "operator": "Scanning operator",
    "resolution_dpi": "Resolution (dots per inch)",
    "colour": "Colour",
    "qa_outcome": "Quality check",
    "original": "Paper original",
    "bureau_sha256": "SHA-256 given by the bureau",
    "manifest": "Manifest",
    "manifest_row": "Row of the manifest",
    "legacy_id": "Identifier in the old system",
}


def capture_rows(capture: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (CAPTURE_LABELS.get(key, key.replace("_", " ").capitalize()), str(value))
        for key, value in capture.items()
        if value not in ("", None)
    ]


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """The document's evidence: capture, hashes, fixity history, every access, versions, retention."""
    person, document = _document(request, pk, document_id, section="document evidence")
    services.document_viewed(actor=request.user, document=document, section="evidence")
    found = selectors.evidence(document)
    return render(
        request,
        "documents/evidence.html",
        {
            "person": person,
            "document": document,
            "evidence": found,
            "redactions": selectors.redactions_of(document),
            "evidence_sections": hooks.evidence_sections(request, person, document),
            "versions": [
                {
                    "version": v,
                    "size": size_text(v.size),
                    "renditions": list(v.renditions.all()),
                    "capture": capture_rows(v.capture),
                }
                for v in found.versions
            ],
        },
    )


@login_required
@require_GET
def fixity(request: HttpRequest) -> HttpResponse:
    """The fixity checks and what they found (administrators)."""
    require_role(request)
    if not access.may_see_fixity(request.user):
        raise PermissionDenied("Only administrators see the fixity checks")
    checks = list(selectors.fixity_checks())
    latest = checks[0] if checks else None
    return render(
        request,
        "documents/fixity.html",
        {
            "checks": checks,
            "latest": latest,
            "findings": selectors.fixity_findings(latest) if latest else [],
        },
    )


# --- Redaction before disclosure (documents.redaction_services; docs/evidence/procedure-redaction.md) ---------------


def _may_redact(request: HttpRequest, person: Person, document: Document) -> bool:
    return access.may_redact_document(
        request.user,
        person,
        uploaded_by_id=document.created_by_id,
        sensitivity=document.sensitivity,
        granted=bool(document.granted),  # type: ignore[attr-defined]
    )


def _require_redact(request: HttpRequest, person: Person, document: Document) -> None:
    if not _may_redact(request, person, document):
        raise PermissionDenied(
            "Only whoever added this document, or a manager of the team holding the case, can redact it"
        )


def _redaction(
    request: HttpRequest, pk: int, document_id: int, redaction_id: int, *, section: str
) -> tuple[Person, Document, Redaction]:
    person, document = _document(request, pk, document_id, section=section)
    found = selectors.redaction_on(document, redaction_id)
    if found is None:
        raise Http404("No such redaction")
    return person, document, found


def _fraction(value: Any) -> float | None:
    return None if value is None else float(value) / 100


def _redaction_pages(redaction: Redaction) -> list[dict[str, Any]]:
    """Each page with its areas (percentages for the page's boxes and words for the list)."""
    pages = min(redaction.version.pages or 0, MAX_PAGE_IMAGES)
    areas = list(redaction.areas.all())
    return [
        {
            "number": n,
            "areas": [a for a in areas if a.page == n],
        }
        for n in range(1, pages + 1)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def redaction_start(request: HttpRequest, pk: int, document_id: int, number: int) -> HttpResponse:
    """Start redacting a version (or a new redaction from an earlier one, which it supersedes)."""
    person, document = _document(request, pk, document_id, section="redact document")
    _require_redact(request, person, document)
    version = selectors.version_of(document, number)
    if version is None:
        raise Http404("No such version")
    form = RedactionStartForm(request.POST if request.method == "POST" else None)
    redactions = [r for r in selectors.redactions_of(document) if r.version_id == version.pk]

    def save(d: dict[str, Any]) -> Redaction:
        earlier = None
        if d.get("supersedes"):
            earlier = next((r for r in redactions if r.pk == d["supersedes"]), None)
            if earlier is None:
                raise RuleError({"__all__": "That redaction is not of this version"})
        return redaction_services.redaction_create(actor=request.user, version=version, supersedes=earlier)

    return handle_form(
        request,
        form,
        save,
        once=True,
        done=lambda r: saved_then(
            request,
            "Redaction started: mark what must not be disclosed",
            "documents:redaction",
            pk=person.pk,
            document_id=document.pk,
            redaction_id=r.pk,
        ),
        page=lambda: render(
            request,
            "documents/redaction_start.html",
            {
                "form": form,
                "person": person,
                "document": document,
                "version": version,
                "drafts": [r for r in redactions if r.status == RedactionStatus.DRAFT],
                "ready": version.rendition_status == "done" and bool(version.pages),
            },
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def redaction(request: HttpRequest, pk: int, document_id: int, redaction_id: int) -> HttpResponse:
    """A redaction: while a draft, its pages to mark (draw on them, or find words, or enter a page and area) and the
    areas marked; once applied, what was redacted and why, and its redacted copy."""
    person, document, found = _redaction(request, pk, document_id, redaction_id, section="document redaction")
    may_redact = _may_redact(request, person, document)
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action", "") if posted is not None else ""
    find = RedactionFindForm(posted if action == "find" else None, prefix="find")
    area = RedactionAreaForm(posted if action == "area" else None, prefix="area")
    if request.method == "GET":
        redaction_services.redaction_viewed(actor=request.user, redaction_row=found, section="redaction")

    def page() -> HttpResponse:
        return render(
            request,
            "documents/redaction.html",
            {
                "person": person,
                "document": document,
                "redaction": found,
                "pages": _redaction_pages(found),
                "areas": list(found.areas.all()),
                "find": find,
                "area": area,
                "may_redact": may_redact,
                "draft": found.status == RedactionStatus.DRAFT,
                "removable": may_redact and found.status == RedactionStatus.DRAFT,
                "forms_with_errors": [f for f in (find, area) if f.errors],
            },
        )

    if request.method == "POST":
        _require_redact(request, person, document)
        back = lambda message: saved_then(  # noqa: E731
            request, message, "documents:redaction", pk=person.pk, document_id=document.pk, redaction_id=found.pk
        )
        if action == "find":
            return handle_form(
                request,
                find,
                lambda d: redaction_services.redaction_text_find(
                    actor=request.user,
                    redaction_row=found,
                    words=d["words"],
                    reason=d["reason"],
                    reason_other=d.get("reason_other") or "",
                ),
                done=lambda areas: back(
                    f"\u201c{areas[0].found_text}\u201d found: {len(areas)} area{'s' if len(areas) != 1 else ''} "
                    "marked. Check them on the pages below"
                ),
                page=page,
            )
        if action == "area":
            return handle_form(
                request,
                area,
                lambda d: redaction_services.redaction_area_add(
                    actor=request.user,
                    redaction_row=found,
                    page=d["page"],
                    x=_fraction(d["x"]),
                    y=_fraction(d["y"]),
                    width=_fraction(d["width"]),
                    height=_fraction(d["height"]),
                    reason=d["reason"],
                    reason_other=d.get("reason_other") or "",
                    method=d.get("method") or "entered",
                ),
                done=lambda a: back(f"Area marked on page {a.page}"),
                page=page,
            )
        if action == "remove":
            try:
                removed = redaction_services.redaction_area_remove(
                    actor=request.user, redaction_row=found, area_id=int(request.POST.get("area_id") or 0)
                )
            except (RuleError, ValueError):
                return back("That area was already taken off")
            return back(f"Area taken off page {removed.page}")
        raise Http404("No such action")
    return page()


@login_required
@require_http_methods(["GET", "POST"])
def redaction_apply(request: HttpRequest, pk: int, document_id: int, redaction_id: int) -> HttpResponse:
    """Check the pages as they will be disclosed (every area black), then apply: the redacted copy is made."""
    person, document, found = _redaction(request, pk, document_id, redaction_id, section="apply redaction")
    _require_redact(request, person, document)
    form = RedactionStartForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" and found.status == RedactionStatus.DRAFT:
        redaction_services.redaction_viewed(actor=request.user, redaction_row=found, section="preview")
    pages = [p for p in _redaction_pages(found) if p["areas"]]
    return handle_form(
        request,
        form,
        lambda _d: redaction_services.redaction_apply(actor=request.user, redaction_row=found),
        done=lambda r: saved_then(
            request,
            "Redaction applied. The redacted copy is being made",
            "documents:redaction",
            pk=person.pk,
            document_id=document.pk,
            redaction_id=r.pk,
        ),
        page=lambda: render(
            request,
            "documents/redaction_apply.html",
            {
                "form": form,
                "person": person,
                "document": document,
                "redaction": found,
                "pages": pages,
                "areas": list(found.areas.all()),
                "draft": found.status == RedactionStatus.DRAFT,
            },
        ),
    )


@login_required
@require_GET
def redaction_page_image(
    request: HttpRequest, pk: int, document_id: int, redaction_id: int, page: int
) -> HttpResponse | FileResponse:
    """A page as it will be (a draft: the archival page with its areas painted black) or as it is (the redacted
    copy's page), as a picture. Audited as a view of the redaction."""
    _person, document, found = _redaction(request, pk, document_id, redaction_id, section="redacted page")
    if found.status == RedactionStatus.DONE:
        rendition = selectors.redaction_rendition(found, RenditionKind.REDACTED_PAGE, page)
        if rendition is None:
            raise Http404("No such page")
        redaction_services.redaction_viewed(actor=request.user, redaction_row=found, section=f"redacted page {page}")
        return _file_response(
            rendition.storage_name, filename=f"redacted-page-{page}.png", content_type="image/png", inline=True
        )
    source = selectors.rendition_of(document, found.version.number, RenditionKind.PAGE, page)
    if source is None:
        raise Http404("No such page")
    redaction_services.redaction_viewed(actor=request.user, redaction_row=found, section=f"preview of page {page}")
    try:
        data = storage.read_stored(source.storage_name)
    except OSError as e:
        raise Http404("The stored file is missing: the fixity check reports it") from e
    boxes = [redaction_module.Box(a.page, a.x, a.y, a.width, a.height) for a in found.areas.all() if a.page == page]
    response = HttpResponse(redaction_module.preview_png(data, boxes), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def redaction_download(request: HttpRequest, pk: int, document_id: int, redaction_id: int) -> FileResponse:
    """Download the redacted copy for disclosure (audited as an export, with its SHA-256)."""
    _person, _doc, found = _redaction(request, pk, document_id, redaction_id, section="redacted copy")
    copy = getattr(found, "copy", None)
    if copy is None or found.status != RedactionStatus.DONE:
        raise Http404("This redaction has no redacted copy yet")
    redaction_services.redaction_downloaded(actor=request.user, redaction_row=found, rendition=copy)
    stem = found.version.original_name.rsplit(".", 1)[0]
    return _file_response(
        copy.storage_name, filename=f"{stem} (redacted).pdf", content_type="application/pdf", inline=False
    )
