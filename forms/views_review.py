"""The submitted form's pages: the response read-only (its answers per page, status, who submitted it when, the
definition's version, the SHA-256, earlier and later versions), printed to PDF, authorised or returned by a manager
(behind a confirmation), reopened by the worker after a return, and corrected as a new version with the reason.

Who may do what is accounts.access's: the record rule for seeing the form (`people.views.person_for_user`, which
also audits the view), the form's recording permission for correcting and reopening, `Can.MANAGE_CASES` for the
person to authorise or return. Each write is one service call through `core.views.handle_form`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.access import Can
from core import codes
from core.errors import RuleError
from core.forms import GovForm
from core.views import handle_form, saved_then
from forms.fill_access import permission_for
from people.services import people_list_view_record
from people.views import person_for_user, require_role

from . import filling, selectors, selectors_fill, services
from .definition import Form
from .display import answer_pages
from .models import FormResponse, ResponseStatus
from .printing import pdf_file_name, response_print, version_label


# The permission a form's record needs, by binding target (a form that writes no record is a note on the record).
def recording_permission(response: FormResponse) -> Can:
    """The permission correcting or reopening this response needs: the same as filling in its form (fill_access)."""
    return permission_for(response.definition)


def _response(request: HttpRequest, response_id: int, *, section: str = "") -> FormResponse:
    """The response, if this user may see its person's record (403 for a colleague without a relationship, 404 for
    a record they may not find, as every page under a record); a GET is audited as a view of the record."""
    response = get_object_or_404(
        FormResponse.objects.select_related("definition", "submitted_by", "decided_by", "author"), pk=response_id
    )
    response.person = person_for_user(request, response.person_id, section=section or f"form response {response_id}")
    return response


@dataclass
class Permissions:
    correct: bool
    decide: bool
    reopen: bool


def _permissions(request: HttpRequest, response: FormResponse, latest: bool) -> Permissions:
    user = request.user
    records = access.may_for_person(user, recording_permission(response), response.person)
    awaiting = (
        latest and response.status == ResponseStatus.SUBMITTED and services.needs_authorisation(response.definition)
    )
    return Permissions(
        correct=records
        and latest
        and response.status in (ResponseStatus.SUBMITTED, ResponseStatus.AUTHORISED)
        and not awaiting,
        decide=awaiting
        and access.may_for_person(user, Can.MANAGE_CASES, response.person)
        and response.submitted_by_id != user.pk,
        reopen=records and latest and response.status == ResponseStatus.RETURNED,
    )


STATUS_TAGS = {
    ResponseStatus.DRAFT: ("Draft", "govuk-tag--grey"),
    ResponseStatus.SUBMITTED: ("Submitted", "govuk-tag--blue"),
    ResponseStatus.AUTHORISED: ("Authorised", "govuk-tag--green"),
    ResponseStatus.RETURNED: ("Returned", "govuk-tag--orange"),
}


@login_required
@require_GET
def response_page(request: HttpRequest, response_id: int) -> HttpResponse:
    """A form as it was submitted: read-only, with its versions, and what this user may do with it."""
    response = _response(request, response_id)
    if response.status == ResponseStatus.DRAFT:
        raise Http404("A draft is continued where it is filled in")
    history = services.response_history(response)
    latest = history[-1].pk == response.pk
    earlier = history[history.index(response) - 1] if history.index(response) > 0 else None
    form = services.form_of(response.definition)
    changes = []
    if earlier is not None and response.correction_reason:
        before = {r.key: r for page in answer_pages(form, earlier.answers) for r in page.rows}
        after = {r.key: r for page in answer_pages(form, response.answers) for r in page.rows}
        wanted = {c.question for c in services.response_changes(earlier, response)}
        for key in dict.fromkeys([*before, *after]):
            if key.split(".")[0] in wanted:
                row = after.get(key) or before[key]
                changes.append(
                    (row.label, before[key].answer if key in before else None, after.get(key) and after[key].answer)
                )
    return render(
        request,
        "forms/review/response.html",
        {
            "response": response,
            "person": response.person,
            "tag": STATUS_TAGS[ResponseStatus(response.status)],
            "pages": answer_pages(form, response.answers),
            "version_label": version_label(response),
            "history": history,
            "latest": history[-1],
            "is_latest": latest,
            "earlier": earlier,
            "changes": changes,
            "may": _permissions(request, response, latest),
            "needs_authorisation": services.needs_authorisation(response.definition),
        },
    )


@login_required
@require_GET
def response_pdf(request: HttpRequest, response_id: int) -> HttpResponse:
    """The form printed to PDF/A-2b (core.printing), as an attachment; audited as a print of the record."""
    response = _response(request, response_id, section=f"form response {response_id} printed")
    if response.status == ResponseStatus.DRAFT:
        raise Http404("A draft is not printed")
    pdf = response_print(actor=request.user, response=response)
    out = HttpResponse(pdf, content_type="application/pdf")
    out["Content-Disposition"] = f'attachment; filename="{pdf_file_name(response)}"'
    return out


# The manager's decision ------------------------------------------------------------------------------------------


class AuthoriseForm(GovForm):
    comments = django_forms.CharField(
        label="Comments (optional)",
        required=False,
        widget=django_forms.Textarea(attrs={"rows": 5}),
        help_text="For the worker and the record: what you agree with, what to watch",
    )


class ReturnForm(GovForm):
    reason = django_forms.CharField(
        label="What the worker needs to change",
        widget=django_forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what the worker needs to change"},
    )


def _deciding(request: HttpRequest, response_id: int) -> FormResponse:
    response = _response(request, response_id, section=f"form response {response_id} decision")
    if not access.may_for_person(request.user, Can.MANAGE_CASES, response.person):
        raise PermissionDenied("Only a team manager can authorise or return a form. Ask your manager to do it.")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def response_authorise(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _deciding(request, response_id)
    form = AuthoriseForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.response_authorise(actor=request.user, response=response, comments=d["comments"]),
        done=lambda r: saved_then(request, f"{r.definition.title} authorised", "forms:response", r.pk),
        page=lambda: render(
            request, "forms/review/decide.html", {"response": response, "form": form, "authorise": True}
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_return(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _deciding(request, response_id)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    submitter = response.submitted_by.display_name if response.submitted_by else "the worker"
    return handle_form(
        request,
        form,
        lambda d: services.response_return(actor=request.user, response=response, reason=d["reason"]),
        done=lambda r: saved_then(request, f"{r.definition.title} returned to {submitter}", "forms:response", r.pk),
        page=lambda: render(
            request, "forms/review/decide.html", {"response": response, "form": form, "authorise": False}
        ),
    )


# The worker: reopen after a return, correct after submission -----------------------------------------------------


def _recording(request: HttpRequest, response_id: int, section: str) -> FormResponse:
    response = _response(request, response_id, section=section)
    if not access.may_for_person(request.user, recording_permission(response), response.person):
        raise PermissionDenied("Your role cannot change this form")
    return response


def draft_url(draft: FormResponse) -> str:
    """Where a draft is continued: the filling-in pages (fill12's), or the returned form's page until they exist."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("forms:draft", args=[draft.pk])
    except NoReverseMatch:
        return reverse("forms:response", args=[draft.supersedes_id or draft.pk])


@login_required
@require_POST
def response_reopen(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _recording(request, response_id, f"form response {response_id} reopened")
    try:
        draft = services.response_reopen(actor=request.user, response=response)
    except RuleError as e:
        return saved_then(request, " ".join(e.errors.values()), "forms:response", response.pk)
    return redirect(draft_url(draft))


def _correction_choices(form: Form, person: Any) -> filling.Choices:
    """Code lists (one query each) and the person's relationships (one query, when a person question is asked)."""
    questions = list(form.questions.values())
    lists = {q.spec["code_list"] for q in questions if q.type == "code_list"}
    people = selectors_fill.relationships_for_choice(person) if any(q.type == "person" for q in questions) else []
    return filling.Choices(code_lists={name: codes.labels(name) for name in sorted(lists)}, people=people)


def _correction_read(form: Form, post: Any, locked: set[str], old: dict[str, Any]) -> dict[str, Any]:
    """The answers as posted, every page read as the fill page reads it (each answer type, groups too); the answers
    written to a record that cannot be corrected (`locked`: their questions, or the groups holding them) are put back
    as they were."""
    new = dict(old)
    for page in form.pages():
        new = filling.read_page(form, page, new, post)
    for qid in locked:
        if qid in old:
            new[qid] = old[qid]
        else:
            new.pop(qid, None)
    return new


@login_required
@require_http_methods(["GET", "POST"])
def response_correct(request: HttpRequest, response_id: int) -> HttpResponse:
    """Correct this form: every shown question, of every answer type (dates and times, people, addresses, "add
    another" entries), as the fill pages show and read them; the reason; saved as a new version by
    services.response_correct. The answers written to a record that cannot be corrected are listed as kept."""
    response = _recording(request, response_id, f"form response {response_id} correction")
    history = services.response_history(response)
    if history[-1].pk != response.pk:
        return saved_then(request, "This form has a newer version: correct that one", "forms:response", history[-1].pk)
    form = services.form_of(response.definition)
    old = response.answers if isinstance(response.answers, dict) else {}
    # Answers written to a record whose target cannot correct it are kept as they were (the service refuses them).
    target = services.target_of(response.definition)
    locked = set(form.bound().values()) if target is not None and target.correct is None else set()
    locked_tops = {form.questions[q].group or q for q in locked if q in form.questions}
    answers, errors, reason = old, {}, ""
    if request.method == "POST":
        answers = _correction_read(form, request.POST, locked_tops, old)
        reason = request.POST.get("correction_reason", "")
        action = request.POST.get("action", "save")
        group, _, index = action.partition(":")[2].partition(":")
        g = form.questions.get(group)
        if action.startswith("add:") and g is not None and g.type == "group" and group not in locked_tops:
            items = answers.get(group)
            answers = {**answers, group: [*(items if isinstance(items, list) else []), {}]}
        elif action.startswith("remove:") and g is not None and index.isdigit() and group not in locked_tops:
            items = answers.get(group)
            kept = [item for i, item in enumerate(items if isinstance(items, list) else []) if i != int(index)]
            answers = {**answers, group: kept} if kept else {k: v for k, v in answers.items() if k != group}
        else:
            for page in form.pages():
                answers = filling.drop_empty_items(form, page, answers)
            try:
                correction = services.response_correct(
                    actor=request.user, response=response, answers=answers, reason=reason
                )
            except RuleError as e:
                errors = dict(e.errors)
            else:
                return saved_then(
                    request,
                    "Correction saved. The earlier version is kept and listed below.",
                    "forms:response",
                    correction.pk,
                )
    choices = _correction_choices(form, response.person)
    pages, kept = [], []
    for page in filling.visible_pages(form, answers):
        fields = []
        for f in filling.page_fields(form, page, answers, errors, choices):
            top = f.key.split(".", 1)[0]
            if top in locked_tops:
                if not f.hidden:
                    kept.append(f.q.label)
                continue
            fields.append(f)
        if fields:
            pages.append((page, fields))
    shown_errors = [(f.first_id, errors[f.key]) for _, fields in pages for f in fields if f.key in errors] + [
        (sub.first_id, errors[sub.key])
        for _, fields in pages
        for f in fields
        if isinstance(f, filling.Group)
        for item in f.items
        for sub in item.fields
        if sub.key in errors
    ]
    listed = {message for _, message in shown_errors}
    if "correction_reason" in errors:
        shown_errors.append(("correction_reason", errors["correction_reason"]))
    shown_errors += [("", m) for k, m in errors.items() if m not in listed and k != "correction_reason"]
    return render(
        request,
        "forms/review/correct.html",
        {
            "response": response,
            "person": response.person,
            "pages": pages,
            "kept": kept,
            "errors": shown_errors,
            "reason": reason,
            "reason_error": errors.get("correction_reason", ""),
            "version_label": version_label(response),
            # live.js shows and hides questions as they are corrected; the kept answers are read from the JSON.
            "live": filling.live_conditions(
                form, None, answers, read={q["id"] for p in form.pages() for q in p["questions"]} - locked_tops
            ),
        },
        status=200,
    )


# Lists -------------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def to_authorise(request: HttpRequest) -> HttpResponse:
    """Forms to authorise: submitted forms that need a manager, for the children this manager may see."""
    require_role(request)
    if not access.may(request.user, Can.MANAGE_CASES):
        raise PermissionDenied("Only managers authorise forms")
    rows = selectors.to_authorise(request.user)
    people_list_view_record(actor=request.user, what="forms_to_authorise", people=[r.person_id for r in rows])
    return render(request, "forms/review/to_authorise.html", {"rows": rows})


@login_required
@require_GET
def returned(request: HttpRequest) -> HttpResponse:
    """The forms a manager returned to this worker, with the reason."""
    require_role(request)
    rows = selectors.returned_to(request.user)
    people_list_view_record(actor=request.user, what="forms_returned", people=[r.person_id for r in rows])
    return render(request, "forms/review/returned.html", {"rows": rows})
