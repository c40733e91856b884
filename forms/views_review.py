"""The submitted form's pages: the response read-only (its answers per page, status, who submitted it when, the
definition's version, the SHA-256, earlier and later versions), printed to PDF, authorised or returned by a manager
(behind a confirmation), reopened by the worker after a return, and corrected as a new version with the reason.

Who may do what is accounts.access's: the record rule for seeing the form (`people.views.person_for_user`, which
also audits the view), the form's recording permission for correcting and reopening, `Can.MANAGE_CASES` for the
person to authorise or return. Each write is one service call through `core.views.handle_form`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.access import Can
from core.codes import choices as code_choices
from core.errors import RuleError
from core.forms import GovDateField, GovForm
from core.views import handle_form, saved_then
from people.services import people_list_view_record
from people.views import person_for_user, require_role

from . import selectors, services, validation
from .definition import Form
from .display import answer_pages
from .models import FormResponse, ResponseStatus
from .printing import pdf_file_name, response_print, version_label

# The permission a form's record needs, by binding target (a form that writes no record is a note on the record).
RECORDING_PERMISSION = {
    "assessment": Can.RECORD_JOURNEY,
    "visit": Can.RECORD_VISITS,
    "case_note": Can.RECORD_CASE_NOTES,
}


def recording_permission(response: FormResponse) -> Can:
    record = response.definition.body.get("record")
    return RECORDING_PERMISSION.get(record, Can.RECORD_JOURNEY) if record else Can.RECORD_CASE_NOTES


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


YES_NO = [("yes", "Yes"), ("no", "No")]
# The answer types the correction page offers; the others (date and time, person, address, groups) are kept as
# they were (the page says so).
CORRECTABLE = {"text", "long_text", "number", "date", "yes_no", "single_choice", "multiple_choice", "code_list"}


class CorrectionForm(GovForm):
    """One field per visible question whose type the page can edit (named by question id, so a service error comes
    back on it), and the reason."""

    def __init__(
        self,
        *args: Any,
        definition_form: Form | None = None,
        answers: dict[str, Any] | None = None,
        locked: set[str] | frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        definition_form = definition_form or Form({"pages": []})
        self.definition_form = definition_form
        answers = answers or {}
        shown = set(validation.visible(definition_form, answers))
        self.pages: list[tuple[str, list[str]]] = []
        self.kept: list[str] = []
        for page in definition_form.pages():
            names = []
            for spec in page["questions"]:
                q = definition_form.questions[spec["id"]]
                if q.id not in shown:
                    continue
                if q.type not in CORRECTABLE or q.id in locked:
                    self.kept.append(q.label)
                    continue
                self.fields[q.id] = question_field(q.spec, answers.get(q.id))
                names.append(q.id)
            if names:
                self.pages.append((page["title"], names))
        self.fields["correction_reason"] = django_forms.CharField(
            label="Why are you correcting this form?",
            widget=django_forms.Textarea(attrs={"rows": 3}),
            help_text="The reason is kept with the correction, with your name and the time",
            error_messages={"required": "Enter why you are correcting this form"},
        )

    def page_fields(self) -> list[tuple[str, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.pages]

    def answers(self, old: dict[str, Any]) -> dict[str, Any]:
        out = dict(old)
        for _title, names in self.pages:
            for name in names:
                value = answer_value(self.definition_form.questions[name].spec, self.cleaned_data.get(name))
                if value is None:
                    out.pop(name, None)
                else:
                    out[name] = value
        return out


def question_field(spec: dict[str, Any], value: Any) -> django_forms.Field:
    kind, label = spec["type"], spec["label"]
    common: dict[str, Any] = {"label": label, "required": False, "help_text": spec.get("hint", "")}
    if kind == "long_text":
        return django_forms.CharField(widget=django_forms.Textarea(attrs={"rows": 5}), initial=value, **common)
    if kind == "date":
        return GovDateField(label_text=label, initial=date.fromisoformat(value) if value else None, **common)
    if kind == "yes_no":
        initial = {True: "yes", False: "no"}.get(value) if isinstance(value, bool) else None
        return django_forms.ChoiceField(choices=YES_NO, widget=django_forms.RadioSelect, initial=initial, **common)
    if kind in ("single_choice", "multiple_choice", "code_list"):
        options = (
            [(o["value"], o["label"]) for o in spec["options"]]
            if kind != "code_list"
            else list(code_choices(spec["code_list"]))
        )
        if kind == "multiple_choice" or spec.get("multiple"):
            return django_forms.MultipleChoiceField(
                choices=options, widget=django_forms.CheckboxSelectMultiple, initial=value or [], **common
            )
        return django_forms.ChoiceField(choices=options, widget=django_forms.RadioSelect, initial=value, **common)
    return django_forms.CharField(initial=value if value is None else str(value), **common)


def answer_value(spec: dict[str, Any], cleaned: Any) -> Any:
    """A field's cleaned value as the answer the form stores (None: unanswered)."""
    if cleaned in (None, "", []):
        return None
    kind = spec["type"]
    if kind == "date":
        return cleaned.isoformat()
    if kind == "yes_no":
        return cleaned == "yes"
    if kind == "number":
        try:
            number = float(cleaned)
        except ValueError:
            return cleaned  # validation says it is not a number
        return int(number) if number.is_integer() and "." not in str(cleaned) else number
    return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def response_correct(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _recording(request, response_id, f"form response {response_id} correction")
    history = services.response_history(response)
    if history[-1].pk != response.pk:
        return saved_then(request, "This form has a newer version: correct that one", "forms:response", history[-1].pk)
    definition_form = services.form_of(response.definition)
    data = request.POST if request.method == "POST" else None
    # Answers written to a record whose target cannot correct it are kept as they were (the service refuses them).
    target = services.target_of(response.definition)
    locked = set(definition_form.bound().values()) if target is not None and target.correct is None else set()
    form = CorrectionForm(data, definition_form=definition_form, answers=response.answers, locked=locked)
    if data is not None and form.is_valid():  # show what the new answers reveal, then check again
        form = CorrectionForm(
            data, definition_form=definition_form, answers=form.answers(response.answers), locked=locked
        )
    return handle_form(
        request,
        form,
        lambda d: services.response_correct(
            actor=request.user, response=response, answers=form.answers(response.answers), reason=d["correction_reason"]
        ),
        done=lambda r: saved_then(
            request, "Correction saved. The earlier version is kept and listed below.", "forms:response", r.pk
        ),
        page=lambda: render(
            request,
            "forms/review/correct.html",
            {"response": response, "person": response.person, "form": form, "version_label": version_label(response)},
        ),
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
