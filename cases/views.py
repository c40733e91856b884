from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from core.forms import combine
from core.views import already_saved, handle_form, saved_then
from people.services import people_list_view_record
from people.views import person_for_user, require_role
from recording import selectors as recording_selectors
from recording.forms import VisitForm
from recording.views import added

from . import hooks, selectors, selectors_reviews, services
from .forms import ContactDecisionForm, ContactForm
from .models import Contact


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@login_required
def my_caseload(request: HttpRequest) -> HttpResponse:
    """A worker's caseload; an independent reviewing officer's is the reviews they chair ("My reviews")."""
    require_role(request)
    if access.is_reviewing_officer(request.user):
        return my_reviews(request)
    rows = selectors.caseload(request.user, manager=access.is_manager(request.user))
    people_list_view_record(actor=request.user, what="caseload", people=[r.allocation.person_id for r in rows])
    context = {
        "rows": rows,
        "today": timezone.localdate(),
        "worker": None,
        "title": "My caseload",
        "sections": hooks.caseload_sections(request),
    }
    return render(request, "cases/caseload.html", context)


def my_reviews(request: HttpRequest) -> HttpResponse:
    """The reviews an independent reviewing officer chairs: the looked-after reviews and child protection review
    conferences coming due in the next 8 weeks (and overdue) of the children they are named reviewing officer for."""
    today = timezone.localdate()
    due = selectors_reviews.reviews_due(today, user=request.user, chaired_by=request.user)
    people_list_view_record(actor=request.user, what="my_reviews", people=[r.task.person_id for r in due.rows])
    return render(request, "cases/my_reviews.html", {"due": due, "today": today})


@login_required
def worker_caseload(request: HttpRequest, user_id: int) -> HttpResponse:
    """A worker's caseload, for the manager of a team they work in (404 for anyone else: who is in which team does
    not leak)."""
    require_role(request)
    worker = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    teams = selectors.managed_teams(request.user)
    if not selectors.team_workers_filter(teams).filter(user=worker).exists():
        raise Http404("No such worker in your teams")
    rows = selectors.caseload(worker, manager=access.is_manager(worker), viewer=request.user)
    people_list_view_record(
        actor=request.user,
        what="caseload",
        people=[r.allocation.person_id for r in rows],
        context={"worker": worker.pk},
    )
    context = {
        "rows": rows,
        "today": timezone.localdate(),
        "worker": worker,
        "title": f"{worker.display_name}'s caseload",
    }
    return render(request, "cases/caseload.html", context)


@login_required
def team_dashboard(request: HttpRequest, team_id: int) -> HttpResponse:
    require_role(request)
    teams: QuerySet = selectors.managed_teams(request.user)
    team = teams.filter(pk=team_id).first()
    if team is None:
        raise PermissionDenied("Only the team's manager can see its dashboard")
    dashboard = selectors.team_dashboard(team, request.user)
    people_list_view_record(
        actor=request.user,
        what="team_dashboard",
        people=[t.person_id for t in dashboard.overdue]
        + [a.episode.person_id for a in dashboard.awaiting_authorisation],
        context={"team": team.pk},
    )
    return render(request, "cases/team_dashboard.html", {"d": dashboard, "today": timezone.localdate()})


@login_required
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Looked-after reviews and child protection review conferences coming due (for independent reviewing officers
    and managers), overdue first; ?weeks= (1-52, default 8) and ?kind=."""
    if not access.can_see_reviews_due(request.user):
        raise PermissionDenied("Only independent reviewing officers and managers see the reviews due")
    error = ""
    weeks = selectors_reviews.DEFAULT_WEEKS
    raw = request.GET.get("weeks", "").strip()
    if raw:
        if raw.isdigit() and 1 <= int(raw) <= selectors_reviews.MAX_WEEKS:
            weeks = int(raw)
        else:
            error = f"Enter a number of weeks from 1 to {selectors_reviews.MAX_WEEKS}"
    kind = request.GET.get("kind", "")
    if kind not in selectors_reviews.REVIEW_KINDS:
        kind = ""
    today = timezone.localdate()
    due = selectors_reviews.reviews_due(today, user=request.user, weeks=weeks, kind=kind)
    people_list_view_record(actor=request.user, what="reviews_due", people=[r.task.person_id for r in due.rows])
    return render(
        request,
        "cases/reviews_due.html",
        {"due": due, "today": today, "kind": kind, "weeks_value": raw or weeks, "error": error},
        status=400 if error else 200,
    )


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    require_role(request)
    team = selectors.managed_teams(request.user).first()
    if team is None:
        raise PermissionDenied("Only team managers have a team dashboard")
    return redirect("cases:team_dashboard", team_id=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request, pk)
    if not access.may(request.user, access.Can.RECORD_CONTACTS):
        raise PermissionDenied("Your role cannot record contacts")
    form = ContactForm(request.POST if request.method == "POST" else None, initial={"day": timezone.localdate()})
    return handle_form(
        request,
        form,
        lambda d: services.contact_record(
            actor=request.user,
            person=person,
            received_at=combine(d["day"], d.get("at")),
            source=d["source"],
            concern=d["concern"],
            referrer_name=d["referrer_name"],
            referrer_organisation=d["referrer_organisation"],
        ),
        rename={"received_at": "day"},
        once=True,
        done=lambda _: saved_then(
            request,
            "Contact recorded. A manager will decide what happens next within 1 working day.",
            "people:detail",
            pk=person.pk,
        ),
        page=lambda: render(request, "cases/contact_form.html", {"form": form, "person": person}),
    )


@login_required
def contact_queue(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.is_manager(request.user):
        raise PermissionDenied("Only managers decide contacts")
    today = timezone.localdate()
    queue = selectors.contact_queue(today, request.user)
    people_list_view_record(actor=request.user, what="contact_queue", people=[r.contact.person_id for r in queue.rows])
    return render(request, "cases/contact_queue.html", {"queue": queue, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def contact_decide(request: HttpRequest, contact_id: int) -> HttpResponse:
    require_role(request)
    if not access.is_manager(request.user):
        raise PermissionDenied("Only managers decide contacts")
    contact = get_object_or_404(Contact.objects.select_related("person"), pk=contact_id)
    person_for_user(request, contact.person_id, section=f"contact {contact.pk} decision")
    form = ContactDecisionForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.contact_decide(
            actor=request.user,
            contact=contact,
            decision=d["decision"],
            reason=d["decision_reason"],
            team=d.get("team"),
            primary_need=d.get("primary_need") or "",
        ),
        once=True,
        done=lambda _: saved_then(request, f"Decision recorded for {contact.person.full_name}", "cases:contact_queue"),
        page=lambda: render(request, "cases/contact_decide.html", {"form": form, "contact": contact}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def journey_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    from .steps import STEPS, not_for_this_person, target, user_may_take

    person = person_for_user(request, pk)
    spec = STEPS.get(step)
    if spec is None:
        raise Http404("No such step")
    if not access.can_record_for_person(request.user, person) or not user_may_take(spec, request.user):
        raise PermissionDenied("Your role cannot do this step")
    if (earlier := already_saved(request)) is not None:
        return earlier  # asked first: the step the first submission took may leave nothing for it to act on
    refusal = not_for_this_person(spec, person, timezone.localdate())
    if refusal:
        messages.info(request, refusal)
        return redirect("people:detail", pk=person.pk)
    obj = target(spec, person)
    if obj is None:
        messages.info(request, spec.needs.missing)
        return redirect("people:detail", pk=person.pk)
    initial = spec.initial(obj) if spec.initial else None
    extra = spec.form_kwargs(request.user, person) if spec.form_kwargs else {}
    form = spec.form(request.POST if request.method == "POST" else None, initial=initial, **extra)

    def page() -> HttpResponse:
        about = spec.about(obj) if spec.about else ""
        recorded_by = hooks.step_links(request, person, [step]).get(step)  # the form that records this step, if any
        context = {"form": form, "person": person, "step": spec, "about": about, "recorded_by": recorded_by}
        return render(request, "cases/step_form.html", context)

    return handle_form(
        request,
        form,
        lambda d: spec.run(request.user, obj, d),
        once=True,
        done=lambda _: saved_then(request, f"{spec.title}: saved", "people:detail", pk=person.pk),
        page=page,
        rename=spec.rename,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit: through cases, so that a visit in which the child was seen completes the statutory visit."""
    person = person_for_user(request, pk)
    if not access.may_for_person(request.user, access.Can.RECORD_VISITS, person):
        raise PermissionDenied("Your role cannot record visits")
    children = recording_selectors.children_to_record_for(request.user, person, access.Can.RECORD_VISITS)
    form = VisitForm(request.POST if request.method == "POST" else None, children=children)
    return handle_form(
        request,
        form,
        lambda d: services.visit_record(
            actor=request.user,
            person=person,
            occurred_at=combine(d["day"], d.get("at")),
            visit_type=d["visit_type"],
            child_seen=_yes_no(d["child_seen"]),
            seen_alone=_yes_no(d.get("seen_alone")),
            not_seen_reason=d.get("not_seen_reason", ""),
            notes=d["notes"],
            also_for=d["also_for"],
        ),
        rename={"occurred_at": "day"},
        once=True,
        done=lambda _: saved_then(request, added("Visit", person, form.cleaned_data), "people:detail", pk=person.pk),
        page=lambda: render(request, "recording/visit_form.html", {"form": form, "person": person}),
    )
