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
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.access import Can
from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from core.dates import long_date
from core.views import handle_form, saved_then

from . import access_services, selectors
from .forms import (
    BreakGlassForm,
    BreakGlassResolveForm,
    BreakGlassReviewForm,
    ConflictForm,
    ConflictRecordForm,
    ExplainForm,
    GrantForm,
    ReasonForm,
)
from .models import BreakGlass, BreakGlassReview, DeclaredConflict, Person, RestrictedAccessGrant
from .search import Match, SearchError, find_people


def _require(request: HttpRequest, what: Can, message: str) -> None:
    if not access.may(request.user, what):
        raise PermissionDenied(message)


def _conflicted(request: HttpRequest, person: Person) -> bool:
    return person.pk in access.conflicted_people(request.user, [person.pk])


def _closed_to_you(request: HttpRequest, person: Person) -> HttpResponse:
    """The page for a record the user has declared a conflict with: only that it is closed to them, nothing of who
    it is (not even the name). Audited."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=str(person.pk),
        person_id=person.pk,
        context={"section": "closed: declared conflict"},
    )
    return render(request, "people/access/conflicted.html", {"person_id": person.pk}, status=403)


def closed_record(request: HttpRequest, person: Person) -> HttpResponse:
    """The record page for a user without a legitimate relationship: the minimal summary (or, with a declared
    conflict, only that the record is closed to them). Audited as a view of the summary."""
    if _conflicted(request, person):
        return _closed_to_you(request, person)
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
        messages.info(request, "You can already see this record: there is no need to break the glass")
        return redirect("people:detail", pk=person.pk)
    if _conflicted(request, person):
        return _closed_to_you(request, person)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    hours = access.access_settings(request.user).break_glass_hours

    def done(glass: BreakGlass) -> HttpResponse:
        until = timezone.localtime(glass.ends_at)
        messages.success(
            request,
            f"You can see {person.full_name}'s record until {until:%H:%M} on {long_date(until.date())}. "
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
    if _conflicted(request, person):
        return _closed_to_you(request, person)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: access_services.conflict_declare(actor=request.user, person=person, connection=d["connection"]),
        once=True,
        done=lambda _: saved_then(
            request,
            "You have declared a conflict. The record is now closed to you, and search will show only that a "
            "conflict exists.",
            "people:search",
        ),
        page=lambda: render(
            request,
            "people/access/conflict_form.html",
            {"form": form, "person": person, "title": "Declare that you know this person"},
        ),
    )


def governance_home(request: HttpRequest) -> HttpResponse:
    """The home page of information governance (who holds no caseload): the break-glass uses waiting for them, the
    question they are asked most ("why could she see this?"), and the search box. 1 query."""
    counts = dict(
        BreakGlass.objects.filter(review__in=[BreakGlassReview.PENDING, BreakGlassReview.REFERRED])
        .values_list("review")
        .annotate(n=Count("pk"))
        .values_list("review", "n")
    )
    return render(
        request,
        "people/access/governance_home.html",
        {"pending": counts.get(BreakGlassReview.PENDING, 0), "referred": counts.get(BreakGlassReview.REFERRED, 0)},
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
    else:
        show = "all"
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="break_glass_list",
        context={"show": show, "people": [g.person_id for g in page]},
    )
    return render(
        request,
        "people/access/break_glass_list.html",
        {"page": page, "show": show, "can_explain": access.may(request.user, Can.EXPLAIN_ACCESS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def break_glass_review(request: HttpRequest, glass_id: int) -> HttpResponse:
    glass = get_object_or_404(BreakGlass.objects.select_related("person", "user", "holding_team"), pk=glass_id)
    if not access_services.may_review(request.user, glass):
        raise PermissionDenied("You cannot review this break-glass")
    data = request.POST if request.method == "POST" else None
    referred = glass.review == BreakGlassReview.REFERRED
    form: BreakGlassReviewForm | BreakGlassResolveForm = (
        BreakGlassResolveForm(data) if referred else BreakGlassReviewForm(data)
    )
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="break_glass",
            object_id=str(glass.pk),
            person_id=glass.person_id,
        )

    def done(reviewed: BreakGlass) -> HttpResponse:
        outcome = "justified" if reviewed.review == BreakGlassReview.JUSTIFIED else "referred to information governance"
        return saved_then(
            request,
            f"{reviewed.user.display_name}'s break-glass into {reviewed.person.full_name}'s record is {outcome}",
            "people:break_glass_list",
        )

    own = glass.user_id == request.user.pk
    # Nobody reviews their own; a justified one is closed; a referred one is information governance's to close.
    may_decide = not own and (
        glass.review == BreakGlassReview.PENDING
        or (glass.review == BreakGlassReview.REFERRED and access_services.governs(request.user))
    )
    return handle_form(
        request,
        form,
        lambda d: access_services.break_glass_review(
            actor=request.user, glass=glass, outcome=d["outcome"], notes=d.get("notes", "")
        ),
        done=done,
        page=lambda: render(
            request,
            "people/access/break_glass_review.html",
            {"form": form, "glass": glass, "own": own, "may_decide": may_decide},
        ),
    )


# Administration: grants, conflicts, explain ---------------------------------------------------------------------


def _person_or_404(pk: int) -> Person:
    return get_object_or_404(Person, pk=pk)


@login_required
def access_admin(request: HttpRequest) -> HttpResponse:
    """Grants and declared conflicts, for administrators, with a search that finds any record (restricted ones too:
    only an administrator's grant opens those) by the one search box, showing no more than name, date of birth and
    record number. The search is audited with the records it found."""
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
    q = request.GET.get("q", "").strip()[:100]
    found: list[Match] | None = None
    search_error = ""
    if "q" in request.GET:
        try:
            # The system's search (user=None): an administrator may not read these records, only choose one.
            found = find_people(user=None, text=q, limit=20).matches
        except SearchError as e:
            search_error = str(e)
        else:
            audit_record(
                actor=request.user,
                action=AuditAction.SEARCH,
                object_type="access_admin_search",
                context={"query": q, "people": [m.id for m in found]},
            )
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="access_admin",
        context={"people": sorted({g.person_id for g in grants} | {c.person_id for c in conflicts})},
    )
    return render(
        request,
        "people/access/admin.html",
        {"grants": grants, "conflicts": conflicts, "q": q, "found": found, "search_error": search_error},
    )


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
        done=lambda g: saved_then(
            request,
            f"{g.user.display_name} may now see {person.full_name}'s record until "
            f"{long_date(timezone.localtime(g.expires_at).date())}",
            "people:access_admin",
        ),
        page=lambda: render(request, "people/access/grant_form.html", {"form": form, "person": person}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    _require(request, Can.ADMINISTER, "Only administrators revoke access to records")
    grant = get_object_or_404(RestrictedAccessGrant.objects.select_related("person", "user"), pk=grant_id)
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why is the access being revoked?",
        error="Enter why the access is being revoked",
    )
    return handle_form(
        request,
        form,
        lambda d: access_services.access_grant_revoke(actor=request.user, grant=grant, reason=d["reason"]),
        done=lambda g: saved_then(
            request, f"{g.user.display_name} can no longer see {g.person.full_name}'s record", "people:access_admin"
        ),
        page=lambda: render(
            request,
            "people/access/confirm.html",
            {
                "form": form,
                "title": f"Revoke {grant.user.display_name}'s access to {grant.person.full_name}'s record",
                "consequence": f"{grant.user.display_name} will no longer be able to open the record, from now.",
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
    form = ConflictRecordForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: access_services.conflict_declare(
            actor=request.user, person=person, user=d["user"], connection=d["connection"]
        ),
        once=True,
        done=lambda c: saved_then(
            request, f"Conflict recorded: the record is now closed to {c.user.display_name}", "people:access_admin"
        ),
        page=lambda: render(
            request,
            "people/access/conflict_form.html",
            {"form": form, "person": person, "for_someone": True, "title": "Record a conflict for a user"},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_withdraw(request: HttpRequest, conflict_id: int) -> HttpResponse:
    _require(request, Can.ADMINISTER, "Only administrators withdraw a declared conflict")
    conflict = get_object_or_404(DeclaredConflict.objects.select_related("person", "user"), pk=conflict_id)
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why does the conflict no longer stand?",
        error="Enter why the conflict no longer stands",
    )
    return handle_form(
        request,
        form,
        lambda d: access_services.conflict_withdraw(actor=request.user, conflict=conflict, reason=d["reason"]),
        done=lambda c: saved_then(
            request, f"{c.user.display_name}'s conflict with {c.person.full_name} is withdrawn", "people:access_admin"
        ),
        page=lambda: render(
            request,
            "people/access/confirm.html",
            {
                "form": form,
                "title": f"Withdraw {conflict.user.display_name}'s declared conflict with {conflict.person.full_name}",
                "consequence": (
                    f"The record opens to {conflict.user.display_name} again by the usual rule: if they have a part "
                    "in the case they see it, otherwise its summary."
                ),
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
    views: list[Any] = []
    if form.is_bound and form.is_valid():
        subject = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
        if subject is None:
            form.add_error("email", "No user has this email address")
        if person is None:
            form.add_error("person", "No record has this number")
        if subject is not None and person is not None:
            answer = access.explain(subject, person)
            views = selectors.views_by(person, subject)
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                object_type="access_explanation",
                object_id=str(subject.pk),
                person_id=person.pk,
                context=answer.as_dict(),
            )
    return render(
        request,
        "people/access/explain.html",
        {"form": form, "answer": answer, "subject": subject, "person": person, "views": views},
    )
