"""Pages of the person index. Thin: parse, check access, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import RuleError
from core.views import handle_form, saved_then

from . import record, selectors, services
from .forms import PersonDetailsForm, PersonForm, RelationshipForm, SearchForm, WarningForm
from .models import Person
from .search import search_people

DUPLICATE_WARNING_SCORE = 0.75


def require_role(request: HttpRequest) -> None:
    if not access.has_any_role(request.user):
        raise PermissionDenied("You do not have a role in Casework")


def person_for_user(request: HttpRequest, pk: int) -> Person:
    """The person, if this user may see them; otherwise 404 (so a record's existence does not leak)."""
    require_role(request)
    person = access.visible_people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("No person found")
    return person


@login_required
def search(request: HttpRequest) -> HttpResponse:
    require_role(request)
    form = SearchForm(request.GET or None)
    results: list[Any] = []
    searched = False
    if request.GET and form.is_valid():
        searched = True
        results = search_people(
            user=request.user,
            name=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data.get("dob"),
            limit=20,
        )
        audit_record(
            actor=request.user,
            action=AuditAction.SEARCH,
            object_type="person_search",
            context={"query": form.cleaned_data["q"], "results": len(results)},
        )
    return render(request, "people/search.html", {"form": form, "results": results, "searched": searched})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    summary = selectors.person_summary(person.pk)
    services.person_view_record(actor=request.user, person=person, section="summary")
    return render(
        request,
        "people/detail.html",
        {
            "s": summary,
            "person": summary.person,
            "today": timezone.localdate(),
            "main_sections": record.render_sections(request, person, "main"),
            "side_sections": record.render_sections(request, person, "side"),
            "can_record": access.may_for_person(request.user, access.Can.ADD_PEOPLE, person),
            "can_see_access_log": access.can_see_access_log(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.may(request.user, access.Can.ADD_PEOPLE):
        raise PermissionDenied("Your role cannot add people")
    form = PersonForm(request.POST if request.method == "POST" else None)
    candidates: list[Any] = []

    def save(d: dict[str, Any]) -> Person | None:
        """The new person, or None when people who may be them are shown first (nothing saved yet)."""
        confirmed = request.POST.get("confirm_new") == "1"
        if not confirmed and (d["given_name"] or d["family_name"]):
            candidates.extend(
                m
                for m in search_people(
                    user=request.user,
                    name=f"{d['given_name']} {d['family_name']}".strip(),
                    date_of_birth=d.get("date_of_birth"),
                    postcode=d.get("postcode", ""),
                    limit=5,
                )
                if m.score >= DUPLICATE_WARNING_SCORE
            )
        if candidates:
            return None
        address = None
        if d["line1"] or d["postcode"]:
            address = services.AddressInput(line1=d["line1"], line2=d["line2"], town=d["town"], postcode=d["postcode"])
        considered = [int(x) for x in request.POST.getlist("considered") if x.isdigit()]
        return services.person_create(
            actor=request.user,
            given_name=d["given_name"],
            family_name=d["family_name"],
            middle_names=d["middle_names"],
            date_of_birth=d.get("date_of_birth"),
            expected_date_of_birth=d.get("expected_date_of_birth"),
            sex=d["sex"],
            ethnicity=d["ethnicity"],
            first_language=d["first_language"],
            nhs_number=d["nhs_number"],
            upn=d["upn"],
            address=address,
            possible_duplicates_considered=considered,
        )

    def page() -> HttpResponse:
        return render(request, "people/create.html", {"form": form, "candidates": candidates})

    return handle_form(
        request,
        form,
        save,
        once=True,
        done=lambda person: (
            page()
            if person is None
            else saved_then(request, f"{person.full_name} has been added", "people:detail", pk=person.pk)
        ),
        page=page,
    )


EDITABLE = list(PersonDetailsForm.base_fields)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.ADD_PEOPLE, person):
        raise PermissionDenied("Your role cannot change people's details")
    initial = {name: getattr(person, name) for name in EDITABLE}
    form = PersonDetailsForm(request.POST if request.method == "POST" else None, initial=initial)

    def save(d: dict[str, Any]) -> dict[str, Any]:
        changes = {k: v for k, v in d.items() if v != initial[k]}
        if changes:
            services.person_update(actor=request.user, person=person, **changes)
        return changes

    return handle_form(
        request,
        form,
        save,
        done=lambda changes: (
            saved_then(request, f"{person.full_name}'s details have been updated", "people:detail", pk=person.pk)
            if changes
            else saved_then(request, "Nothing was changed", "people:detail", pk=person.pk, level=messages.INFO)
        ),
        page=lambda: render(request, "people/edit.html", {"form": form, "person": person}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def warning_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.ADD_PEOPLE, person):
        raise PermissionDenied("Your role cannot add warnings")
    form = WarningForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.warning_add(
            actor=request.user, person=person, type=d["type"], details=d["details"], review_on=d.get("review_on")
        ),
        once=True,
        done=lambda _: saved_then(request, "Warning added", "people:detail", pk=person.pk),
        page=lambda: render(request, "people/warning_form.html", {"form": form, "person": person}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.ADD_PEOPLE, person):
        raise PermissionDenied("Your role cannot add relationships")
    form = RelationshipForm(request.POST if request.method == "POST" else None)

    def save(d: dict[str, Any]) -> Person:
        other = access.visible_people(request.user).filter(pk=d["other"]).first()
        if other is None:
            raise RuleError({"other": "There is no person with that record number"})
        services.relationship_create(
            actor=request.user,
            person=person,
            other=other,
            type=d["type"],
            parental_responsibility=d["parental_responsibility"],
            lives_with=d["lives_with"],
        )
        return other

    return handle_form(
        request,
        form,
        save,
        once=True,
        done=lambda other: saved_then(
            request, f"Relationship with {other.full_name} added", "people:detail", pk=person.pk
        ),
        page=lambda: render(request, "people/relationship_form.html", {"form": form, "person": person}),
    )


@login_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.can_see_access_log(request.user):
        raise PermissionDenied("Only managers can see who has viewed a record")
    events = selectors.record_viewers(person)
    services.person_view_record(actor=request.user, person=person, section="access_log")
    return render(request, "people/access_log.html", {"person": person, "events": events})
