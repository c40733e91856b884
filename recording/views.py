from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from core.errors import RuleError
from core.forms import apply_rule_errors, combine
from people.views import person_for_user

from . import services
from .forms import CaseNoteForm


@login_required
@require_http_methods(["GET", "POST"])
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.can_record_for_person(request.user, person):
        raise PermissionDenied("Your role cannot record case notes")
    form = CaseNoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_note_create(
                actor=request.user,
                person=person,
                occurred_at=combine(d["day"], d.get("at")),
                subject=d["subject"],
                body=d["body"],
                note_type=d["note_type"],
            )
        except RuleError as e:
            apply_rule_errors(form, {("day" if k == "occurred_at" else k): v for k, v in e.errors.items()})
        else:
            messages.success(request, "Case note added to the chronology")
            return redirect("people:detail", pk=person.pk)
    return render(request, "recording/case_note_form.html", {"form": form, "person": person})
