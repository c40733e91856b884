"""Retention's pages, for information governance and administrators: records due for disposal review, the rules,
legal holds, a record's retention (holds, decisions, certificate), a decision, a second approval. Thin: each asks
accounts.access and calls one service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import Can, may
from core.views import handle_form, saved_then
from people import services as people
from people.models import Person
from people.views import require_role

from . import selectors, services
from .forms import ApproveForm, DecisionForm, HoldForm, ReleaseForm, RuleForm
from .models import DisposalReview, LegalHold, RetentionRule, ReviewOutcome, ReviewStatus


def _require(request: HttpRequest, what: Can, message: str) -> None:
    require_role(request)
    if not may(request.user, what):
        raise PermissionDenied(message)


def _governance(request: HttpRequest) -> None:
    _require(request, Can.MANAGE_RETENTION, "Only information governance and administrators manage retention")


def _person(request: HttpRequest, pk: int, section: str) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("No person found")
    if request.method == "GET":
        people.person_view_record(actor=request.user, person=person, section=section)
    return person


@login_required
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """Records due for disposal review: past their date, no hold, not disposed of."""
    _governance(request)
    rows = selectors.due_for_review(timezone.localdate())
    waiting = selectors.awaiting_second()
    people.people_list_view_record(
        actor=request.user,
        what="records due for disposal review",
        people=[r.person_id for r in rows] + [w.person_id for w in waiting],
    )
    return render(
        request,
        "retention/due.html",
        {"rows": rows, "waiting": waiting, "may_approve": may(request.user, Can.APPROVE_DISPOSAL)},
    )


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    _governance(request)
    return render(request, "retention/rules.html", {"rules": [(r, services.rule_text(r)) for r in selectors.rules()]})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, retention_class: str) -> HttpResponse:
    _governance(request)
    rule = get_object_or_404(RetentionRule, retention_class=retention_class)
    initial = {
        "trigger": rule.trigger,
        "years": rule.years,
        "after_death_years": rule.after_death_years,
        "source": rule.source,
    }
    form = RuleForm(request.POST if request.method == "POST" else None, initial=initial)
    return handle_form(
        request,
        form,
        lambda d: services.rule_change(
            actor=request.user,
            rule=rule,
            trigger=d["trigger"],
            years=d["years"],
            after_death_years=d["after_death_years"],
            source=d["source"],
        ),
        done=lambda r: saved_then(
            request, f"The {r.get_retention_class_display().lower()} rule is changed", "retention:rules"
        ),
        page=lambda: render(request, "retention/rule.html", {"form": form, "rule": rule}),
    )


@login_required
@require_GET
def holds(request: HttpRequest) -> HttpResponse:
    _governance(request)
    found = selectors.active_holds()
    people.people_list_view_record(actor=request.user, what="legal holds", people=[h.person_id for h in found])
    return render(request, "retention/holds.html", {"holds": found})


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A record's retention: class, date, holds, decisions and, once disposed of, the certificate."""
    _governance(request)
    found = _person(request, pk, "retention")
    retention = selectors.retention_of(found.pk)
    return render(
        request,
        "retention/person.html",
        {
            "person": found,
            "retention": retention,
            "holds": selectors.holds_of(found.pk),
            "reviews": selectors.reviews_of(found.pk),
            "certificate": selectors.certificate_of(found.pk),
            "is_due": bool(
                retention
                and not retention.disposed_at
                and retention.due_on
                and retention.due_on <= timezone.localdate()
                and not retention.active_holds  # type: ignore[attr-defined]
            ),
            "may_approve": may(request.user, Can.APPROVE_DISPOSAL),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_place(request: HttpRequest, pk: int) -> HttpResponse:
    _governance(request)
    found = _person(request, pk, "place a legal hold")
    form = HoldForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.hold_place(actor=request.user, person=found, kind=d["kind"], reason=d["reason"]),
        once=True,
        done=lambda h: saved_then(
            request,
            "Legal hold placed: this record cannot be disposed of until it is released",
            "retention:person",
            pk=pk,
        ),
        page=lambda: render(request, "retention/hold.html", {"form": form, "person": found}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    _governance(request)
    hold = get_object_or_404(LegalHold.objects.select_related("person", "placed_by"), pk=hold_id)
    found = _person(request, hold.person_id, "release a legal hold")
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.hold_release(actor=request.user, hold=hold, reason=d["reason"]),
        done=lambda h: saved_then(request, "Legal hold released", "retention:person", pk=found.pk),
        page=lambda: render(request, "retention/release.html", {"form": form, "person": found, "hold": hold}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A disposal review's decision: dispose of the record, or keep it for a further period."""
    _require(request, Can.APPROVE_DISPOSAL, "Only information governance and administrators approve disposals")
    found = _person(request, pk, "disposal review")
    retention = selectors.retention_of(found.pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)

    def done(review: DisposalReview) -> HttpResponse:
        if review.outcome == ReviewOutcome.KEEP:
            text = f"The record is kept until {review.keep_until:%-d %B %Y}"
        elif review.status == ReviewStatus.AWAITING_SECOND:
            text = f"Disposal approved by you. {review.why_second}: a second person must approve it too"
        else:
            text = "The record was disposed of. Its disposal certificate is below"
        return saved_then(request, text, "retention:person", pk=pk)

    return handle_form(
        request,
        form,
        lambda d: services.disposal_decide(
            actor=request.user, person=found, outcome=d["outcome"], reason=d["reason"], keep_until=d["keep_until"]
        ),
        once=True,
        done=done,
        page=lambda: render(request, "retention/decide.html", {"form": form, "person": found, "retention": retention}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def approve(request: HttpRequest, disposal_review_id: int) -> HttpResponse:
    """The second approval of a disposal over the threshold, by someone other than the first."""
    _require(request, Can.APPROVE_DISPOSAL, "Only information governance and administrators approve disposals")
    review = get_object_or_404(DisposalReview.objects.select_related("person", "decided_by"), pk=disposal_review_id)
    found = _person(request, review.person_id, "disposal second approval")
    form = ApproveForm(request.POST if request.method == "POST" else None)
    return handle_form(
        request,
        form,
        lambda d: services.disposal_second_approve(actor=request.user, review=review),
        done=lambda r: saved_then(
            request, "The record was disposed of. Its disposal certificate is below", "retention:person", pk=found.pk
        ),
        page=lambda: render(request, "retention/approve.html", {"form": form, "person": found, "review": review}),
    )


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    _governance(request)
    found = _person(request, pk, "disposal certificate")
    cert = selectors.certificate_of(found.pk)
    if cert is None:
        raise Http404("This record has not been disposed of")
    return render(request, "retention/certificate.html", {"person": found, "certificate": cert})
