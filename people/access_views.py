"""Pages about who may see a record: the minimal summary a colleague without a relationship sees, break-glass and its
review, declared conflicts, grants, and "why could she see this?". The rule is accounts.access; the writes are
people.access_services."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.access import Can
from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from core.views import handle_form, saved_then

from . import access_services, selectors
from .forms import BreakGlassForm, BreakGlassReviewForm, ConflictForm, ExplainForm, GrantForm, ReasonForm
from .models import BreakGlass, BreakGlassReview, DeclaredConflict, Person, RestrictedAccessGrant


def _require(request: HttpRequest, what: Can, message: str) -> None:
    if not access.may(request.user, what):
        raise PermissionDenied(message)


def closed_record(request: HttpRequest, person: Person) -> HttpResponse:
    """The record page for a user without a legitimate relationship: the minimal summary (or, with a declared
    conflict, only that the record is closed to them). Audited as a view of the summary."""
    conflicted = person.pk in access.conflicted_people(request.user, [person.pk])
    if conflicted:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=str(person.pk),
            person_id=person.pk,
            context={"section": "closed: declared conflict"},
        )
        return render(request, "people/access/conflicted.html", {"person_id": person.pk}, status=403)
    summary = selectors.person_minimal_summary(person)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=str(person.pk),
        person_id=person.pk,
        context={"section": "minimal summary"},
    )
    return render(
        request,
        "people/access/summary.html",
        {
            "person": person,
            "s": summary,
            "today": timezone.localdate(),
            "break_glass_hours": access.access_settings(request.user).break_glass_hours,
        },
    )


def _findable(request: HttpRequest, pk: int) -> tuple[Person, bool]:
    if not access.has_any_role(request.user):
        raise PermissionDenied("You do not have a role in Casework")
    person, full = access.person_for(request.user, pk)
    if person is None:
        raise Http404("No person found")
    return person, full


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    person, full = _findable(request, pk)
    if full:
        return redirect("people:detail", pk=person.pk)
    if person.pk in access.conflicted_people(request.user, [person.pk]):
        raise PermissionDenied("You have declared a conflict with this person: the record stays closed to you")
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    hours = access.access_settings(request.user).break_glass_hours

    def done(glass: BreakGlass) -> HttpResponse:
        until = timezone.localtime(glass.ends_at)
        messages.success(
            request,
            f"You have opened this record until {until:%H:%M} on {until:%-d %B %Y}. "
            "Your reason has been recorded and the team holding the case has been told.",
        )
        return redirect("people:detail", pk=person.pk)

    return handle_form(
        request,
        form,
        lambda d: access_services.break_glass_open(
            actor=request.user, person=person, reason=d["reason"], details=d["details"]
        ),
        done=done,
        page=lambda: render(
            request, "people/access/break_glass.html", {"form": form, "person": person, "hours": hours}
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    person, _ = _findable(request, pk)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: access_services.conflict_declare(actor=request.user, person=person, connection=d["connection"]),
        once=True,
        done=lambda _: saved_then(request, "Conflict declared. This record is now closed to you.", "people:search"),
        page=lambda: render(
            request,
            "people/access/conflict_form.html",
            {"form": form, "person": person, "title": "Declare that you know this person"},
        ),
    )


# Review of break-glass ------------------------------------------------------------------------------------------


@login_required
def break_glass_list(request: HttpRequest) -> HttpResponse:
    _require(request, Can.REVIEW_BREAK_GLASS, "Your role does not review break-glass")
    qs = BreakGlass.objects.select_related("person", "user", "holding_team", "reviewed_by").order_by("-started_at")
    if not access.roles(request.user) & {"information_governance", "administrator"}:
        qs = qs.filter(holding_team_id__in=access.team_ids(request.user))
    show = request.GET.get("show", "pending")
    if show == "pending":
        qs = qs.filter(review=BreakGlassReview.PENDING)
    elif show == "referred":
        qs = qs.filter(review=BreakGlassReview.REFERRED)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="break_glass_list",
        context={"show": show, "people": [g.person_id for g in page]},
    )
    return render(request, "people/access/break_glass_list.html", {"page": page, "show": show})


@login_required
@require_http_methods(["GET", "POST"])
def break_glass_review(request: HttpRequest, glass_id: int) -> HttpResponse:
    glass = get_object_or_404(BreakGlass.objects.select_related("person", "user", "holding_team"), pk=glass_id)
    if not access_services.may_review(request.user, glass):
        raise PermissionDenied("You cannot review this break-glass")
    form = BreakGlassReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="break_glass",
            object_id=str(glass.pk),
            person_id=glass.person_id,
        )
    return handle_form(
        request,
        form,
        lambda d: access_services.break_glass_review(
            actor=request.user, glass=glass, outcome=d["outcome"], notes=d.get("notes", "")
        ),
        done=lambda _: saved_then(request, "Review recorded", "people:break_glass_list"),
        page=lambda: render(
            request,
            "people/access/break_glass_review.html",
            {"form": form, "glass": glass, "own": glass.user_id == request.user.pk},
        ),
    )


# Administration: grants, conflicts, explain ---------------------------------------------------------------------


def _person_or_404(pk: int) -> Person:
    return get_object_or_404(Person, pk=pk)


@login_required
def access_admin(request: HttpRequest) -> HttpResponse:
    """Grants and declared conflicts, for administrators."""
    _require(request, Can.ADMINISTER, "Only administrators manage access to records")
    now = timezone.now()
    grants = (
        RestrictedAccessGrant.objects.filter(revoked_at__isnull=True, expires_at__gt=now)
        .select_related("person", "user", "created_by")
        .order_by("expires_at")
    )
    conflicts = (
        DeclaredConflict.objects.filter(withdrawn_at__isnull=True)
        .select_related("person", "user", "created_by")
        .order_by("-created_at")
    )
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="access_admin",
        context={"people": sorted({g.person_id for g in grants} | {c.person_id for c in conflicts})},
    )
    return render(request, "people/access/admin.html", {"grants": grants, "conflicts": conflicts})


@login_required
@require_http_methods(["GET", "POST"])
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Can.ADMINISTER, "Only administrators grant access to records")
    person = _person_or_404(pk)
    form = GrantForm(request.POST if request.method == "POST" else None)

    def save(d: dict[str, Any]) -> RestrictedAccessGrant:
        ends = timezone.make_aware(datetime.combine(d["expires_on"], time(23, 59)))
        return access_services.access_grant_create(
            actor=request.user, person=person, user=d["user"], reason=d["reason"], expires_at=ends
        )

    return handle_form(
        request,
        form,
        save,
        once=True,
        rename={"expires_at": "expires_on"},
        done=lambda g: saved_then(request, f"{g.user.display_name} may now see this record", "people:access_admin"),
        page=lambda: render(request, "people/access/grant_form.html", {"form": form, "person": person}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    _require(request, Can.ADMINISTER, "Only administrators revoke access to records")
    grant = get_object_or_404(RestrictedAccessGrant.objects.select_related("person", "user"), pk=grant_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: access_services.access_grant_revoke(actor=request.user, grant=grant, reason=d["reason"]),
        done=lambda _: saved_then(request, "Access revoked", "people:access_admin"),
        page=lambda: render(
            request,
            "people/access/confirm.html",
            {
                "form": form,
                "title": f"Revoke {grant.user.display_name}'s access to {grant.person.full_name}'s record",
                "button": "Revoke access",
            },
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_record(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator records a conflict for a user."""
    _require(request, Can.ADMINISTER, "Only administrators record a conflict for someone else")
    person = _person_or_404(pk)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    users = User.objects.filter(is_active=True).order_by("first_name", "last_name")
    chosen = request.POST.get("user") if request.method == "POST" else None

    def save(d: dict[str, Any]) -> DeclaredConflict:
        user = users.filter(pk=int(chosen)).first() if chosen and chosen.isdigit() else None
        if user is None:
            from core.errors import RuleError

            raise RuleError({"connection": "Choose the user who knows this person"})
        return access_services.conflict_declare(
            actor=request.user, person=person, user=user, connection=d["connection"]
        )

    return handle_form(
        request,
        form,
        save,
        once=True,
        done=lambda _: saved_then(request, "Conflict recorded", "people:access_admin"),
        page=lambda: render(
            request,
            "people/access/conflict_form.html",
            {
                "form": form,
                "person": person,
                "users": users,
                "for_someone": True,
                "title": "Record a conflict for a user",
            },
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_withdraw(request: HttpRequest, conflict_id: int) -> HttpResponse:
    _require(request, Can.ADMINISTER, "Only administrators withdraw a declared conflict")
    conflict = get_object_or_404(DeclaredConflict.objects.select_related("person", "user"), pk=conflict_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: access_services.conflict_withdraw(actor=request.user, conflict=conflict, reason=d["reason"]),
        done=lambda _: saved_then(request, "Conflict withdrawn", "people:access_admin"),
        page=lambda: render(
            request,
            "people/access/confirm.html",
            {
                "form": form,
                "title": f"Withdraw {conflict.user.display_name}'s declared conflict with {conflict.person.full_name}",
                "button": "Withdraw the conflict",
            },
        ),
    )


@login_required
def explain(request: HttpRequest) -> HttpResponse:
    """Why could this user see this record? For information governance and administrators."""
    _require(request, Can.EXPLAIN_ACCESS, "Your role cannot see why others could see a record")
    form = ExplainForm(request.GET or None)
    answer = None
    subject = person = None
    if form.is_bound and form.is_valid():
        subject = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
        if subject is None:
            form.add_error("email", "No user has this email address")
        if person is None:
            form.add_error("person", "No record has this number")
        if subject is not None and person is not None:
            answer = access.explain(subject, person)
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                object_type="access_explanation",
                object_id=str(subject.pk),
                person_id=person.pk,
                context=answer.as_dict(),
            )
    return render(
        request, "people/access/explain.html", {"form": form, "answer": answer, "subject": subject, "person": person}
    )
