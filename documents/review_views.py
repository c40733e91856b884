"""The scanning bureau's review list (documents.importer): rows that matched no one, or several people, settled by a
person. /documents/import-review lists the rows waiting and those settled lately; a row's page shows the manifest's
row in words, why it was listed, the people its identifiers point to and a search for the right person; choosing one
imports the row for them with every check of the import (the file's hash against the bureau's, what the file is, a
re-run adding nothing); or the row is rejected with a reason. Business support and administrators
(accounts.access.may_review_imports), among the people they may find. Every list of people shown and every search is
audited, and so is each row settled (documents.importer.import_review_resolve / import_review_reject).
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core.dates import long_date
from core.errors import RuleError
from core.views import handle_form, saved_then
from people.search import SearchError, find_people
from people.services import people_list_view_record
from people.views import require_role

from . import importer, selectors
from .forms import ReviewChooseForm, ReviewRejectForm, ReviewSearchForm
from .models import DocumentType, ImportReview

# The manifest's columns in words, in the order the page shows them.
ROW_WORDS = [
    ("file", "File"),
    ("person_id", "Record number"),
    ("nhs_number", "NHS number"),
    ("legacy_id", "Identifier in the old system"),
    ("document_type", "Type of document"),
    ("title", "Title"),
    ("document_date", "Date of the document"),
    ("scanned_at", "Scanned on"),
    ("operator", "Scanning operator"),
    ("device", "Scanner"),
    ("resolution_dpi", "Resolution (dots per inch)"),
    ("colour", "Colour"),
    ("qa_outcome", "Quality check"),
    ("original", "Paper original"),
    ("sha256", "SHA-256 given by the bureau"),
]
DATES = {"document_date", "scanned_at"}


def _require(request: HttpRequest) -> None:
    require_role(request)
    if not access.may_review_imports(request.user):
        raise PermissionDenied("Only business support and administrators match the scanning bureau's rows to people")


def reason_words(reason: str) -> str:
    """Why a row was listed, as a sentence (the importer's reason names the manifest's columns)."""
    text = reason.replace("person_id", "record number").replace("nhs_number", "NHS number")
    text = text.replace("legacy_id", "identifier in the old system")
    return text[:1].upper() + text[1:]


def row_words(review: ImportReview) -> list[tuple[str, str]]:
    rows = []
    for key, label in ROW_WORDS:
        value = str(review.row_data.get(key) or "").strip()
        if key == "document_type" and value in DocumentType.values:
            value = DocumentType(value).label
        elif key in DATES and value:
            with contextlib.suppress(ValueError):
                value = long_date(date.fromisoformat(value))
        rows.append((label, value or "Not given"))
    return rows


def _born(dob: date | None) -> str:
    return f"born {long_date(dob)}" if dob else "date of birth not known"


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    waiting, count = selectors.import_reviews_open()
    return render(
        request,
        "documents/review/list.html",
        {
            "waiting": [(r, reason_words(r.reason)) for r in waiting],
            "count": count,
            "settled": selectors.import_reviews_settled(),
            "limit": selectors.REVIEW_LIMIT,
        },
    )


def _review(review_id: int) -> ImportReview:
    review = selectors.import_review(review_id)
    if review is None:
        raise Http404("No such row on the review list")
    return review


def _search(request: HttpRequest, form: ReviewSearchForm, exclude: set[int]) -> list[Any]:
    if not (form.is_bound and form.is_valid()):
        return []
    try:
        found = find_people(user=request.user, text=form.cleaned_data["q"], limit=10)
    except SearchError as e:
        form.add_error("q", str(e))
        return []
    audit_record(
        actor=request.user,
        action=AuditAction.SEARCH,
        object_type="person_search",
        context={
            "query": form.cleaned_data["q"],
            "kind": found.query.kind.value,
            "results": len(found.matches),
            "people": [m.id for m in found.matches],
            "for": "import_review",
        },
    )
    return [m for m in found.matches if m.access != "conflict" and m.id not in exclude]


@login_required
@require_http_methods(["GET", "POST"])
def review_row(request: HttpRequest, review_id: int) -> HttpResponse:
    """A row of the review list: choose the right person (import it for them) or go on to reject it."""
    _require(request)
    review = _review(review_id)
    if review.resolved_at is not None:
        return render(
            request, "documents/review/settled.html", {"review": review, "rows": row_words(review)}, status=200
        )
    candidates = selectors.import_review_candidates(request.user, review)
    q = (request.POST if request.method == "POST" else request.GET).get("q", "").strip()
    search_form = ReviewSearchForm({"q": q} if q or "q" in request.GET else None)
    found = _search(request, search_form, {c.person.pk for c in candidates})
    people = [
        (
            c.person.pk,
            f"{c.person.full_name}, {_born(c.person.date_of_birth)} (record number {c.person.pk})",
            f"Their {' and '.join(c.why)} {'is' if len(c.why) == 1 else 'are'} in this row",
        )
        for c in candidates
    ] + [
        (m.id, f"{m.given_name} {m.family_name}, {_born(m.date_of_birth)} (record number {m.id})", m.explanation)
        for m in found
    ]
    form = ReviewChooseForm(request.POST if request.method == "POST" else None, people=people, initial={"q": q})
    if request.method == "GET" and candidates:
        people_list_view_record(
            actor=request.user, what="import_review_candidates", people=[c.person.pk for c in candidates]
        )
    chosen: dict[str, str] = {}

    def save(d: dict[str, Any]) -> importer.Outcome:
        person = access.findable_people(request.user).filter(pk=d["person"]).first()
        if person is None or access.conflicted_people(request.user, [person.pk]):
            raise RuleError({"person": "Select the person this document is about"})
        chosen["name"] = person.full_name
        return importer.import_review_resolve(actor=request.user, review=review, person=person)

    def done(outcome: importer.Outcome) -> HttpResponse:
        said = "was already on" if outcome.outcome == importer.ALREADY else "imported to"
        return saved_then(request, f"{review.file} {said} {chosen['name']}'s record", "documents:import_review")

    return handle_form(
        request,
        form,
        save,
        done=done,
        page=lambda: render(
            request,
            "documents/review/row.html",
            {
                "review": review,
                "reason": reason_words(review.reason),
                "rows": row_words(review),
                "form": form,
                "search_form": search_form,
                "searched": bool(search_form.is_bound),
                "found": found,
                "has_people": bool(people),
            },
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_reject(request: HttpRequest, review_id: int) -> HttpResponse:
    """Reject a row of the review list, with why: nothing is imported."""
    _require(request)
    review = _review(review_id)
    if review.resolved_at is not None:
        return render(request, "documents/review/settled.html", {"review": review, "rows": row_words(review)})
    form = ReviewRejectForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: importer.import_review_reject(actor=request.user, review=review, reason=d["reason"]),
        done=lambda r: saved_then(request, f"{r.file} rejected: nothing was imported", "documents:import_review"),
        page=lambda: render(
            request,
            "documents/review/reject.html",
            {"review": review, "reason": reason_words(review.reason), "rows": row_words(review), "form": form},
        ),
    )
