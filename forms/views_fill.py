"""The worker's pages for filling in a form: choose a form for a person, one page per definition page (hidden pages
skipped), "Save and continue" / "Save and come back later" (every page saves a draft), autosave (forms/static/forms/
autosave.js posts the page to `autosave` every 30 seconds while the worker types), "Add another" and removing an
entry with confirmation, check your answers, submit.

Thin: access through forms.fill_access (accounts.access), reading and showing a page through forms.filling, the
answers in words through forms.display, writes through forms.services (draft_save, response_submit).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from core import codes
from core.errors import RuleError
from core.forms import GovForm
from core.views import handle_form
from people.models import Person
from people.views import person_for_user

from . import display, filling, record_sections, selectors_fill, services, validation
from .definition import Form
from .fill_access import fits, forms_for, may_fill, may_fill_any
from .models import FormDefinition, FormResponse, ResponseStatus


def response_url(response: FormResponse) -> str:
    """The submitted form's page (forms:response, served by the review pages); the person's record until it exists."""
    try:
        return reverse("forms:response", args=[response.pk])
    except NoReverseMatch:
        return reverse("people:detail", args=[response.person_id])


@login_required
def person_forms(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Fill in a form": the forms that fit this person and that the user may fill in, and their forms in progress."""
    person = person_for_user(request, pk)
    if not may_fill_any(request.user, person):
        raise PermissionDenied("Your role cannot fill in forms")
    context = {
        "person": person,
        "definitions": forms_for(request.user, person),
        "drafts": selectors_fill.drafts_for_person(person),
    }
    return render(request, "forms/fill/choose.html", context)


@login_required
def record_with_form(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The record's "Record a visit" and "Add a case note": the form that records it (its start page), or the short
    page when that form is not loaded or this user may not fill it in (forms.record_sections.RECORD_FORMS)."""
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, record_sections.RECORD_FORMS[key][2], person):
        raise PermissionDenied("Your role cannot record this")
    return redirect(record_sections.record_form_url(request.user, person, key))


class StartForm(GovForm):
    """ "Start now" asks nothing, so every start of a form for a person would look the same to core.idempotency's
    "the same form sent again" (a day's window): a second case note for a child on the same day opened the first,
    already submitted. `after` is the latest response of this form for this person when the page was shown: a
    double click (same key) or a resubmitted page still make one draft, a new start makes a new one."""

    after = forms.IntegerField(widget=forms.HiddenInput, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A form's start page (its title and description); "Start now" makes the draft and opens the first page."""
    person = person_for_user(request, pk)
    definition = FormDefinition.objects.filter(name=name).order_by("-version").first()
    if definition is None:
        raise Http404("No such form")
    if not may_fill(request.user, definition, person):
        raise PermissionDenied("Your role cannot fill in this form")
    if not fits(definition, person):
        raise PermissionDenied(f"{definition.title} is not for {person.full_name}")
    latest = FormResponse.objects.filter(definition__name=name, person=person).order_by("-pk").first()
    form = StartForm(request.POST if request.method == "POST" else None, initial={"after": latest.pk if latest else 0})
    f = Form(definition.body)

    def begin(_: dict[str, Any]) -> FormResponse:
        return services.draft_save(actor=request.user, definition=definition, person=person, answers={})

    return handle_form(
        request,
        form,
        begin,
        once=True,
        done=lambda response: redirect(_page_url(response, filling.visible_pages(f, {})[0]["id"])),
        page=lambda: render(
            request,
            "forms/fill/start.html",
            {
                "person": person,
                "definition": definition,
                "form": form,
                "description": filling.markdown(definition.body.get("description", "")),
            },
        ),
    )


def _page_url(response: FormResponse, page_id: str) -> str:
    return reverse("forms:page", args=[response.person_id, response.pk, page_id])


def _draft(request: HttpRequest, pk: int, draft_id: int, *, section: str = "") -> tuple[Person, FormResponse, Form]:
    """The person (access and audit as every page under a record), their form in progress, and its definition."""
    person = person_for_user(request, pk, section=section)
    response = get_object_or_404(
        FormResponse.objects.select_related("definition", "author"), pk=draft_id, person_id=person.pk
    )
    if not may_fill(request.user, response.definition, person):
        raise PermissionDenied("Your role cannot fill in this form")
    return person, response, Form(response.definition.body)


def _choices(form: Form, page: dict[str, Any], person: Person) -> filling.Choices:
    """Code lists (one query each) and the person's relationships (one query) for the page's questions."""
    questions = [form.questions[q["id"]] for q in page["questions"]]
    questions += [
        form.questions[s["id"]] for q in page["questions"] if q.get("type") == "group" for s in q["questions"]
    ]
    lists = {q.spec["code_list"] for q in questions if q.type == "code_list"}
    people = selectors_fill.relationships_for_choice(person) if any(q.type == "person" for q in questions) else []
    return filling.Choices(code_lists={name: codes.labels(name) for name in sorted(lists)}, people=people)


def _submitted(request: HttpRequest, response: FormResponse) -> HttpResponse | None:
    if response.status in selectors_fill.IN_PROGRESS:
        return None
    messages.info(request, "This form has been submitted: it can no longer be changed here")
    return redirect(response_url(response))


def _save(request: HttpRequest, person: Person, response: FormResponse, answers: dict[str, Any]) -> dict[str, str]:
    """Save the draft; the refusals (control characters) keyed by question, or {}."""
    try:
        services.draft_save(
            actor=request.user, definition=response.definition, person=person, answers=answers, response=response
        )
    except RuleError as e:
        return dict(e.errors)
    response.answers = answers
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, pk: int, draft_id: int, page_id: str) -> HttpResponse:
    person, response, form = _draft(request, pk, draft_id)
    if (done := _submitted(request, response)) is not None:
        return done
    answers = response.answers if isinstance(response.answers, dict) else {}
    here = filling.page_by_id(form, page_id)
    if here is None:
        raise Http404("No such page")
    shown_pages = filling.visible_pages(form, answers)
    if here["id"] not in {p["id"] for p in shown_pages}:
        # Hidden by an earlier answer: on to the next page that shows (or the check page).
        following = filling.next_page(form, answers, page_id)
        return redirect(_page_url(response, following["id"]) if following else _check_url(response))
    errors: dict[str, str] = {}
    if request.method == "POST":
        rendered = filling.page_keys(form, here, answers)
        action = request.POST.get("action", "continue")
        new = filling.read_page(form, here, answers, request.POST)
        if request.POST.get(LIVE) == "1":
            # live.js showed the questions the answers brought up as they were given: the worker has seen them.
            rendered = filling.page_keys(form, here, new)
        if action == "continue":
            new = filling.drop_empty_items(form, here, new)
        group, _, index = action.partition(":")[2].partition(":")
        if action.startswith("add:") and form.questions.get(group) is not None:
            current = new.get(group)
            new[group] = [*(current if isinstance(current, list) else []), {}]
        errors = _save(request, person, response, new)
        if not errors:
            _saved_here(request, person, response, page_id)
            if action.startswith("add:"):
                count = len(new.get(group) or [])
                return redirect(f"{_page_url(response, page_id)}#{group}-item-{count - 1}")
            if action.startswith("remove:") and index.isdigit():
                return redirect("forms:remove_item", person.pk, response.pk, page_id, group, int(index))
            if action == "later":
                messages.success(
                    request,
                    f"{response.definition.title}: your answers are saved. Continue from Forms in progress on "
                    "your caseload or this record.",
                )
                return redirect("people:detail", person.pk)
            errors = filling.page_errors(form, here, new, rendered)
            appeared = filling.page_keys(form, here, new) - rendered
            if not errors and not appeared:
                following = filling.next_page(form, new, page_id)
                return redirect(_page_url(response, following["id"]) if following else _check_url(response))
            if appeared and not errors:
                messages.info(request, "Your answers brought up more questions on this page")
        answers = new
    fields = filling.page_fields(form, here, answers, errors, _choices(form, here, person))
    shown = filling.visible_pages(form, answers)
    position = next((i for i, p in enumerate(shown) if p["id"] == page_id), 0)
    previous = filling.previous_page(form, answers, page_id)
    return render(
        request,
        "forms/fill/page.html",
        {
            "person": person,
            "response": response,
            "definition": response.definition,
            "page": here,
            "guidance": filling.markdown(here.get("guidance", "")),
            "fields": fields,
            "errors": _error_list(fields, errors),
            "position": position + 1,
            "page_count": len(shown),
            "back_url": _page_url(response, previous["id"])
            if previous
            else reverse("forms:person_forms", args=[person.pk]),
            "autosave_url": reverse("forms:autosave", args=[person.pk, response.pk, page_id]),
            "saved_at": timezone.localtime(response.updated_at),
            "forget": " ".join(request.session.pop(SAVED_PAGES, [])),
            "live": filling.live_conditions(form, here, answers),
        },
        status=200,
    )


SAVED_PAGES = "forms_saved_pages"
LIVE = "live-conditions"  # posted by forms/static/forms/live.js: the page showed and hid questions as answered


def _saved_here(request: HttpRequest, person: Person, response: FormResponse, page_id: str) -> None:
    """The server has this page's answers: the next form page tells autosave.js to drop the tab's copy of them."""
    url = reverse("forms:autosave", args=[person.pk, response.pk, page_id])
    request.session[SAVED_PAGES] = [*request.session.get(SAVED_PAGES, [])[-9:], url]


def _error_list(fields: list[filling.Field | filling.Group], errors: dict[str, str]) -> list[tuple[str, str]]:
    """(link target id, message) for the error summary, in page order; refusals with no field last."""
    out = []
    targets = {}
    for f in fields:
        targets[f.key] = f.first_id
        if isinstance(f, filling.Group):
            for item in f.items:
                for sub in item.fields:
                    targets[sub.key] = sub.first_id
    for key, message in errors.items():
        out.append((targets.get(key, ""), message))
    return out


def _check_url(response: FormResponse) -> str:
    return reverse("forms:check", args=[response.person_id, response.pk])


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int, draft_id: int, page_id: str) -> HttpResponse:
    """The page's answers so far, saved as the draft (no validation): {"saved_at": "14:03"}, or 400 with the refusals
    ({"errors": {...}}), or 409 when the form has been submitted meanwhile."""
    person, response, form = _draft(request, pk, draft_id)
    if response.status not in selectors_fill.IN_PROGRESS:
        return JsonResponse({"error": "This form has been submitted"}, status=409)
    here = filling.page_by_id(form, page_id)
    if here is None:
        raise Http404("No such page")
    answers = response.answers if isinstance(response.answers, dict) else {}
    errors = _save(request, person, response, filling.read_page(form, here, answers, request.POST))
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse({"saved_at": f"{timezone.localtime():%H:%M}"})


@login_required
@require_http_methods(["GET", "POST"])
def remove_item(request: HttpRequest, pk: int, draft_id: int, page_id: str, group_id: str, index: int) -> HttpResponse:
    """ "Are you sure you want to remove action 2?", with the entry's answers; removing saves the draft."""
    person, response, form = _draft(request, pk, draft_id)
    if (done := _submitted(request, response)) is not None:
        return done
    g = form.questions.get(group_id)
    answers = response.answers if isinstance(response.answers, dict) else {}
    items = answers.get(group_id)
    if (
        g is None
        or g.type != "group"
        or g.page != page_id
        or not isinstance(items, list)
        or not 0 <= index < len(items)
    ):
        raise Http404("No such entry")
    item_label = str(g.spec.get("item_label") or "entry")
    if request.method == "POST":
        if request.POST.get("remove") == "yes":
            kept = [item for i, item in enumerate(items) if i != index]
            new = {**answers, group_id: kept} if kept else {k: v for k, v in answers.items() if k != group_id}
            errors = _save(request, person, response, new)
            if not errors:
                messages.success(request, f"{item_label} {index + 1} removed")
        return redirect(f"{_page_url(response, page_id)}#{group_id}")
    sections = display.answer_pages(form, {group_id: [items[index]]})
    rows = [row for p in sections for row in p.rows if row.key == group_id]
    entry = rows[0].answer[0] if rows and rows[0].answer else {}
    return render(
        request,
        "forms/fill/remove_item.html",
        {
            "person": person,
            "response": response,
            "item_label": item_label,
            "number": index + 1,
            "entry": entry,
            "back_url": _page_url(response, page_id),
        },
    )


@login_required
def resume(request: HttpRequest, pk: int, draft_id: int) -> HttpResponse:
    """ "Continue" a form in progress: the first page with a question still to answer or put right, else the check
    page."""
    _, response, form = _draft(request, pk, draft_id)
    if (done := _submitted(request, response)) is not None:
        return done
    answers = response.answers if isinstance(response.answers, dict) else {}
    errors = validation.validate(form, answers).errors
    first = next((filling.page_of_key(form, key) for key in errors if filling.page_of_key(form, key)), None)
    return redirect(_page_url(response, first) if first else _check_url(response))


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, pk: int, draft_id: int) -> HttpResponse:
    """Check your answers: every shown page's answers in words with "Change" links; "Submit" validates the whole form
    and writes its record (forms.services.response_submit); a refusal is listed here, linking to its question."""
    person, response, form = _draft(request, pk, draft_id)
    if (done := _submitted(request, response)) is not None:
        return done
    answers = response.answers if isinstance(response.answers, dict) else {}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            submitted = services.response_submit(
                actor=request.user, definition=response.definition, person=person, answers=answers, response=response
            )
        except RuleError as e:
            errors = [(_question_link(form, response, key), message) for key, message in e.errors.items()]
        else:
            messages.success(request, f"{response.definition.title} submitted")
            return redirect(response_url(submitted.response))
    pages = display.answer_pages(form, answers)
    return render(
        request,
        "forms/fill/check.html",
        {
            "person": person,
            "response": response,
            "definition": response.definition,
            "pages": [
                (p, [(row, f"{_page_url(response, p.page_id)}#{_anchor(form, row.key)}") for row in p.rows])
                for p in pages
            ],
            "errors": errors,
            "back_url": _page_url(response, pages[-1].page_id) if pages else reverse("people:detail", args=[person.pk]),
        },
    )


def _question_link(form: Form, response: FormResponse, key: str) -> str:
    """The page of the question an error is about, at that question's field."""
    page_id = filling.page_of_key(form, key)
    if page_id is None:
        return ""
    return f"{_page_url(response, page_id)}#{_anchor(form, key)}"


def _anchor(form: Form, key: str) -> str:
    """The id of a question's first input on its page ("group.0.qid": that entry's question)."""
    last = key.split(".")[-1]
    q = form.questions[last] if last in form.questions else form.questions[key.split(".")[0]]
    anchor = filling.html_name(key)
    if q.type in ("date", "datetime"):
        anchor += "-day"
    elif q.type == "address":
        anchor += "-line_1"
    elif q.type in ("yes_no", "single_choice", "multiple_choice", "person") or (
        q.type == "code_list" and q.spec.get("multiple")
    ):
        anchor += "-0"
    return anchor


def response_status_label(response: FormResponse) -> str:
    return ResponseStatus(response.status).label
