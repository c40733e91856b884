from __future__ import annotations

from collections.abc import Callable
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
from .forms import CaseNoteCorrectionForm, CaseNoteForm, VisitCorrectionForm
from .models import CaseNote, Visit


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
    can_correct = detail.record is not None and access.may_correct(
        request.user, detail.record.created_by_id, person, _can_correct(detail.record)
    )
    return render(
        request,
        "recording/chronology_entry.html",
        {"person": person, "d": detail, "e": detail.entry, "can_correct": can_correct},
    )


def _can_correct(record: CaseNote | Visit) -> access.Can:
    return access.Can.RECORD_VISITS if isinstance(record, Visit) else access.Can.RECORD_CASE_NOTES


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@login_required
@require_http_methods(["GET", "POST"])
def entry_correct(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """Correct a case note or a visit: its author, or a manager of the team holding the case (access.may_correct);
    anyone else is refused (403, saying who can). The earlier version stays in its history, shown on the entry's
    page."""
    person = person_for_user(request, pk)
    detail = selectors.chronology_entry(request.user, person, entry_id)
    if detail is None or detail.record is None:
        raise Http404("No such case note or visit")
    record = detail.record
    what = "visit" if isinstance(record, Visit) else "note"
    if not access.may_correct(request.user, record.created_by_id, person, _can_correct(record)):
        raise PermissionDenied(access.CORRECTION_REFUSED.format(what=what))
    when = timezone.localtime(record.occurred_at)
    initial: dict[str, Any] = {"day": when.date(), "at": when.time().replace(second=0, microsecond=0)}
    data = request.POST if request.method == "POST" else None
    form: CaseNoteCorrectionForm | VisitCorrectionForm
    save: Callable[[dict[str, Any]], object]
    if isinstance(record, Visit):
        visit = record
        initial |= {
            "visit_type": visit.visit_type,
            "child_seen": "yes" if visit.child_seen else "no",
            "seen_alone": ("yes" if visit.seen_alone else "no") if visit.child_seen else None,
            "not_seen_reason": visit.not_seen_reason,
            "notes": visit.notes,
        }
        form = VisitCorrectionForm(data, initial=initial)

        def save(d: dict[str, Any]) -> object:
            return services.visit_correct(
                actor=request.user,
                visit=visit,
                occurred_at=combine(d["day"], d.get("at")),
                visit_type=d["visit_type"],
                child_seen=_yes_no(d["child_seen"]),
                seen_alone=_yes_no(d.get("seen_alone")),
                not_seen_reason=d.get("not_seen_reason", ""),
                notes=d["notes"],
                reason=d["reason"],
            )

    else:
        note = record
        initial |= {"note_type": note.note_type, "subject": note.subject, "body": note.body}
        form = CaseNoteCorrectionForm(data, initial=initial)

        def save(d: dict[str, Any]) -> object:
            return services.case_note_correct(
                actor=request.user,
                note=note,
                occurred_at=combine(d["day"], d.get("at")),
                subject=d["subject"],
                body=d["body"],
                note_type=d["note_type"],
                reason=d["reason"],
            )

    return handle_form(
        request,
        form,
        save,
        rename={"occurred_at": "day"},
        done=lambda _: saved_then(
            request,
            f"{what.capitalize()} corrected. The earlier version is kept below.",
            "recording:entry",
            pk=person.pk,
            entry_id=entry_id,
        ),
        page=lambda: render(
            request,
            f"recording/{'visit' if what == 'visit' else 'case_note'}_correct.html",
            {"form": form, "person": person, "e": detail.entry},
        ),
    )
