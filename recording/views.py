from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from core.forms import combine
from core.views import handle_form, saved_then
from people.views import person_for_user

from . import selectors, services
from .forms import CaseNoteCorrectionForm, CaseNoteForm
from .models import CaseNote


@login_required
@require_http_methods(["GET", "POST"])
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a case note; "Also record this for" offers the siblings and household children the user may record for."""
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.RECORD_CASE_NOTES, person):
        raise PermissionDenied("Your role cannot record case notes")
    children = selectors.children_to_record_for(request.user, person, access.Can.RECORD_CASE_NOTES)
    form = CaseNoteForm(request.POST if request.method == "POST" else None, children=children)
    return handle_form(
        request,
        form,
        lambda d: services.case_note_create(
            actor=request.user,
            person=person,
            occurred_at=combine(d["day"], d.get("at")),
            subject=d["subject"],
            body=d["body"],
            note_type=d["note_type"],
            also_for=d["also_for"],
        ),
        rename={"occurred_at": "day"},
        once=True,
        done=lambda _: saved_then(
            request, added("Case note", person, form.cleaned_data), "people:detail", pk=person.pk
        ),
        page=lambda: render(request, "recording/case_note_form.html", {"form": form, "person": person}),
    )


def added(what: str, person: Any, data: dict[str, Any]) -> str:
    """ "Case note added to the chronology", or "... to the chronologies of Amelia Hughes and Ben Hughes" when it
    was also recorded for other children."""
    if not data.get("also_for"):
        return f"{what} added to the chronology"
    names = [p.full_name for p in [person, *data["also_for"]]]
    return f"{what} added to the chronologies of {', '.join(names[:-1])} and {names[-1]}"


@login_required
@require_GET
def chronology_entry(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """One chronology entry whole: the full text, who recorded it and when, its corrections, the same note on
    siblings, what a journey step recorded. Audited as a view of the record."""
    person = person_for_user(request, pk, section=f"chronology entry {entry_id}")
    detail = selectors.chronology_entry(request.user, person, entry_id)
    if detail is None:
        raise Http404("No such entry")
    can_correct = isinstance(detail.record, CaseNote) and access.may_for_person(
        request.user, access.Can.RECORD_CASE_NOTES, person
    )
    return render(
        request,
        "recording/chronology_entry.html",
        {"person": person, "d": detail, "e": detail.entry, "can_correct": can_correct},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_note_correct(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """Correct a case note: the earlier version stays in its history, shown on the entry's page."""
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.RECORD_CASE_NOTES, person):
        raise PermissionDenied("Your role cannot record case notes")
    detail = selectors.chronology_entry(request.user, person, entry_id)
    if detail is None or not isinstance(detail.record, CaseNote):
        raise Http404("No such case note")
    note = detail.record
    when = timezone.localtime(note.occurred_at)
    initial = {
        "note_type": note.note_type,
        "day": when.date(),
        "at": when.time().replace(second=0, microsecond=0),
        "subject": note.subject,
        "body": note.body,
    }
    form = CaseNoteCorrectionForm(request.POST if request.method == "POST" else None, initial=initial)
    return handle_form(
        request,
        form,
        lambda d: services.case_note_correct(
            actor=request.user,
            note=note,
            occurred_at=combine(d["day"], d.get("at")),
            subject=d["subject"],
            body=d["body"],
            note_type=d["note_type"],
            reason=d["reason"],
        ),
        rename={"occurred_at": "day"},
        done=lambda _: saved_then(
            request,
            "Case note corrected. The earlier version is kept below.",
            "recording:entry",
            pk=person.pk,
            entry_id=entry_id,
        ),
        page=lambda: render(
            request, "recording/case_note_correct.html", {"form": form, "person": person, "e": detail.entry}
        ),
    )
