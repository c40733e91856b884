"""Pages of the person index. Thin: parse, check access, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core.views import handle_form, saved_then

from . import merging, record, selectors, services
from .access_views import closed_record
from .forms import (
    AddressCorrectForm,
    AddressForm,
    FindOtherPersonForm,
    IdentifierCorrectForm,
    IdentifierEndForm,
    IdentifierForm,
    PersonDetailsForm,
    PersonForm,
    RelationshipForm,
    SearchForm,
    WarningForm,
)
from .models import IdentifierType, Person, PersonAddress, PersonIdentifier
from .search import Found, SearchError, find_people, search_people

DUPLICATE_WARNING_SCORE = 0.75


def require_role(request: HttpRequest) -> None:
    if not access.has_any_role(request.user):
        raise PermissionDenied("You do not have a role in Casework")


def person_for_user(request: HttpRequest, pk: int, *, section: str = "") -> Person:
    """The person, if this user may see their full record; a colleague without a relationship is refused (403:
    the record page shows them the minimal summary instead); a record they may not find at all (restricted, no
    grant) is 404, so its existence does not leak.

    Every page under a person's record fetches them through this, and a GET of one shows their data (a form filled
    with their details, a note to correct, a contact's concern): it is audited here as a view of the record, the
    page's `section` (its URL name unless given). Reads run without a transaction
    (core.middleware.AtomicWritesMiddleware), so the event stays even if the page then refuses: it records that the
    page was asked for."""
    require_role(request)
    person, full = access.person_for(request.user, pk)
    if person is None:
        raise Http404("No person found")
    # A merged record takes no more work: everything about the person is on the record it was merged into.
    if (survivor := access.merged_into(person)) is not None:
        raise Http404(f"This record was merged into record {survivor}")
    if not full:
        raise PermissionDenied("You have no part in this person's case. Open their record to see who to contact.")
    if request.method == "GET":
        match = request.resolver_match
        services.person_view_record(
            actor=request.user, person=person, section=section or (match.view_name if match else request.path)
        )
    return person


def _find(request: HttpRequest, form: Any, *, exclude: int | None = None, limit: int = 20) -> Found | None:
    """Run the one search box of a bound, valid form (the search page, the Add a relationship page) and audit it;
    a query the search cannot read goes on the form's field. None when there is nothing to search."""
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        found = find_people(
            user=request.user,
            text=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data.get("dob"),
            limit=limit,
            exclude=exclude,
        )
    except SearchError as e:
        form.add_error("q", str(e))
        return None
    audit_record(
        actor=request.user,
        action=AuditAction.SEARCH,
        object_type="person_search",
        context={
            "query": form.cleaned_data["q"],
            "kind": found.query.kind.value,
            "results": len(found.matches),
            "people": [m.id for m in found.matches],
        },
    )
    return found


@login_required
def search(request: HttpRequest) -> HttpResponse:
    require_role(request)
    form = SearchForm(request.GET or None)
    found = _find(request, form)
    return render(
        request,
        "people/search.html",
        {
            "form": form,
            "found": found,
            "results": found.matches if found else [],
            "searched": found is not None,
            "any_summary": any(m.access == "summary" for m in (found.matches if found else [])),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request)
    person, full = access.person_for(request.user, pk)
    if person is None:
        raise Http404("No person found")
    # A merged record points at the record it was merged into (person_for has asked whether it is one).
    if access.merged_into(person) is not None and (merge := merging.tombstone_of(person.pk)) is not None:
        return render(
            request,
            "people/duplicates/tombstone.html",
            {
                "merge": merge,
                "survivor_findable": access.findable_people(request.user).filter(pk=merge.survivor_id).exists(),
                "may_review": access.may_review_duplicates(request.user),
            },
        )
    if not full:
        return closed_record(request, person)
    summary = selectors.person_summary(person, viewer=request.user)
    page = render(
        request,
        "people/detail.html",
        {
            "s": summary,
            "person": summary.person,
            "today": timezone.localdate(),
            "main_sections": record.render_sections(request, person, "main"),
            "side_sections": record.render_sections(request, person, "side"),
            "can_record": access.may_for_person(request.user, access.Can.ADD_PEOPLE, person),
            # person_for_user has already found the record visible: no second visibility query.
            "can_change_identifiers": access.may(request.user, access.Can.CHANGE_IDENTIFIERS),
            "can_see_access_log": access.can_see_access_log(request.user),
        },
    )
    # Audited once the page is ready: what the event records is what the user was shown.
    services.person_view_record(actor=request.user, person=person, section="summary")
    return page


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.may(request.user, access.Can.ADD_PEOPLE):
        raise PermissionDenied("Your role cannot add people")
    form = PersonForm(request.POST if request.method == "POST" else None)
    candidates: list[Any] = []
    # Added from the Add a relationship page: go back there with the new person chosen.
    raw_for = request.POST.get("relationship_for") or request.GET.get("relationship_for") or ""
    relationship_for = (
        access.visible_people(request.user).filter(pk=int(raw_for)).first() if raw_for.isdigit() else None
    )

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
        return render(
            request,
            "people/create.html",
            {"form": form, "candidates": candidates, "relationship_for": relationship_for},
        )

    def done(person: Person | None) -> HttpResponse:
        if person is None:
            return page()
        if relationship_for is not None:
            messages.success(request, f"{person.full_name} has been added. Now say how they are related")
            url = reverse("people:relationship_add", args=[relationship_for.pk])
            return redirect(f"{url}?other={person.pk}")
        return saved_then(request, f"{person.full_name} has been added", "people:detail", pk=person.pk)

    return handle_form(request, form, save, once=True, done=done, page=page)


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


def require_recorder(request: HttpRequest, person: Person, what: str, can: access.Can = access.Can.ADD_PEOPLE) -> None:
    if not access.may_for_person(request.user, can, person):
        raise PermissionDenied(f"Your role cannot {what}")


@login_required
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps on one page, both without JavaScript: find the other person (a GET search listing matches, each
    with a Choose button, or add a new person and come back), then say how they are related (a POST)."""
    person = person_for_user(request, pk)
    require_recorder(request, person, "add relationships")
    raw_other = request.POST.get("other") if request.method == "POST" else request.GET.get("other")
    other = None
    if raw_other and raw_other.isdigit() and int(raw_other) != person.pk:
        other = access.visible_people(request.user).filter(pk=int(raw_other)).first()
    if other is None:
        if request.method == "POST":  # the chosen person is gone or hidden: choose again
            return redirect("people:relationship_add", pk=person.pk)
        finder = FindOtherPersonForm(request.GET if "q" in request.GET else None)
        found = _find(request, finder, exclude=person.pk, limit=10)
        return render(
            request,
            "people/relationship_find.html",
            {"finder": finder, "found": found, "person": person},
        )
    form = RelationshipForm(
        request.POST if request.method == "POST" else None,
        initial={"other": other.pk},
        person_name=person.full_name,
        other_name=other.full_name,
    )

    def save(d: dict[str, Any]) -> Person:
        # The form asks "What is <other> to <person>?": so <other> is <type> of <person>.
        services.relationship_create(
            actor=request.user,
            person=other,
            other=person,
            type=d["type"],
            parental_responsibility=d["parental_responsibility"],
            lives_with=d["lives_with"],
            confirmed=d["confirm"],
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
        page=lambda: render(
            request,
            "people/relationship_form.html",
            {
                "form": form,
                "person": person,
                "other": other,
                "asking": bool(form.errors.get("confirm")) or form["confirm"].value(),
            },
        ),
        rename={"other": "__all__"},
    )


def person_for_identifiers(request: HttpRequest, pk: int) -> Person:
    """The person whose identifiers this user may see and change (accounts.access.may_change_identifiers: the
    record's relationship rule, or the performance team putting the returns' data right); else as person_for_user."""
    require_role(request)
    person, full = access.person_for(request.user, pk)
    if person is not None and not full and access.may_change_identifiers(request.user, person):
        if request.method == "GET":
            services.person_view_record(actor=request.user, person=person, section="identifiers (data quality)")
        return person
    return person_for_user(request, pk, section="identifiers")


@login_required
def identifiers(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's identifiers, current and ended, each current one with Correct and End."""
    person = person_for_identifiers(request, pk)
    rows = list(PersonIdentifier.objects.filter(person=person).order_by("ended_on", "type", "-created_at"))
    return render(
        request,
        "people/identifiers.html",
        {
            "person": person,
            "current": [i for i in rows if i.is_current],
            "ended": [i for i in rows if not i.is_current],
            "can_record": access.may_change_identifiers(request.user, person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def identifier_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an identifier; `?type=upn` chooses the type (the data quality page's link for a missing UPN)."""
    person = person_for_identifiers(request, pk)
    if not access.may_change_identifiers(request.user, person):
        raise PermissionDenied("Your role cannot change identifiers")
    asked = request.GET.get("type", "")
    form = IdentifierForm(
        request.POST if request.method == "POST" else None,
        initial={"type": asked} if asked in IdentifierType.values else {},
    )
    current = {i.type: i for i in PersonIdentifier.objects.filter(person=person, ended_on__isnull=True)}
    return handle_form(
        request,
        form,
        lambda d: services.identifier_add(actor=request.user, person=person, type=d["type"], value=d["value"]),
        once=True,
        done=lambda ident: saved_then(
            request, f"{ident.get_type_display()} {ident.value} added", "people:identifiers", pk=person.pk
        ),
        page=lambda: render(
            request,
            "people/identifier_form.html",
            {"form": form, "person": person, "held": current.get(asked) if asked else None},
        ),
    )


def _identifier_for(request: HttpRequest, pk: int, identifier_id: int) -> tuple[Person, PersonIdentifier]:
    person = person_for_identifiers(request, pk)
    if not access.may_change_identifiers(request.user, person):
        raise PermissionDenied("Your role cannot change identifiers")
    return person, get_object_or_404(PersonIdentifier, pk=identifier_id, person=person, ended_on__isnull=True)


@login_required
@require_http_methods(["GET", "POST"])
def identifier_correct(request: HttpRequest, pk: int, identifier_id: int) -> HttpResponse:
    person, ident = _identifier_for(request, pk, identifier_id)
    form = IdentifierCorrectForm(request.POST if request.method == "POST" else None, initial={"value": ident.value})
    return handle_form(
        request,
        form,
        lambda d: services.identifier_correct(
            actor=request.user, identifier=ident, value=d["value"], reason=d["reason"]
        ),
        done=lambda ident: saved_then(
            request, f"{ident.get_type_display()} corrected to {ident.value}", "people:identifiers", pk=person.pk
        ),
        page=lambda: render(
            request,
            "people/identifier_change.html",
            {
                "form": form,
                "person": person,
                "ident": ident,
                "end": False,
                "title": f"Correct the {ident.get_type_display()}",
            },
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def identifier_end(request: HttpRequest, pk: int, identifier_id: int) -> HttpResponse:
    person, ident = _identifier_for(request, pk, identifier_id)
    form = IdentifierEndForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.identifier_end(
            actor=request.user, identifier=ident, reason=d["reason"], ended_on=d.get("ended_on")
        ),
        done=lambda ident: saved_then(
            request, f"{ident.get_type_display()} {ident.value} ended", "people:identifiers", pk=person.pk
        ),
        page=lambda: render(
            request,
            "people/identifier_change.html",
            {
                "form": form,
                "person": person,
                "ident": ident,
                "end": True,
                "title": f"End the {ident.get_type_display()}",
            },
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new current address (a move): the previous current address ends the day before."""
    person = person_for_user(request, pk)
    require_recorder(request, person, "change addresses")
    form = AddressForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.address_add(
            actor=request.user,
            person=person,
            address=services.AddressInput(
                line1=d["line1"], line2=d["line2"], town=d["town"], postcode=d["postcode"], lived_from=d["lived_from"]
            ),
        ),
        once=True,
        done=lambda _: saved_then(request, "New address added", "people:detail", pk=person.pk),
        page=lambda: render(
            request,
            "people/address_form.html",
            {"form": form, "person": person, "address": None, "title": "Add a new address"},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def address_correct(request: HttpRequest, pk: int, address_id: int) -> HttpResponse:
    person = person_for_user(request, pk)
    require_recorder(request, person, "change addresses")
    address = get_object_or_404(PersonAddress, pk=address_id, person=person)
    initial = {k: getattr(address, k) for k in services.ADDRESS_FIELDS}
    form = AddressCorrectForm(
        request.POST if request.method == "POST" else None, initial=initial, current=address.is_current
    )
    return handle_form(
        request,
        form,
        lambda d: services.address_correct(
            actor=request.user,
            address=address,
            line1=d["line1"],
            line2=d["line2"],
            town=d["town"],
            postcode=d["postcode"],
            lived_from=d.get("lived_from"),
            lived_to=d.get("lived_to"),
        ),
        done=lambda _: saved_then(request, "Address corrected", "people:detail", pk=person.pk),
        page=lambda: render(
            request,
            "people/address_form.html",
            {"form": form, "person": person, "address": address, "title": "Correct an address"},
        ),
    )


@login_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk, section="access_log")
    if not access.can_see_access_log(request.user):
        raise PermissionDenied("Only managers can see who has viewed a record")
    events = selectors.record_viewers(person)
    return render(request, "people/access_log.html", {"person": person, "events": events})
