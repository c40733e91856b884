from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts import access
from core.forms import combine
from core.views import handle_form, saved_then
from people.views import person_for_user

from . import services
from .forms import CaseNoteForm


@login_required
@require_http_methods(["GET", "POST"])
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.RECORD_CASE_NOTES, person):
        raise PermissionDenied("Your role cannot record case notes")
    form = CaseNoteForm(request.POST if request.method == "POST" else None)
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
        ),
        rename={"occurred_at": "day"},
        once=True,
        done=lambda _: saved_then(request, "Case note added to the chronology", "people:detail", pk=person.pk),
        page=lambda: render(request, "recording/case_note_form.html", {"form": form, "person": person}),
    )
