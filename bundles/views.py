"""The bundles' pages under a person's record: the list, the choose page (make a bundle), a bundle's page (progress
while it is made, then its exhibits, hashes and download) with its status for the page's script, and the download.

Who may do what is accounts.access's: the record rule through `people.views.person_for_user` (audited on GET as a
view of the record), then `may_make_bundle`, and `may_download_bundle` (a grant to every restricted document in it).
Asking for a bundle is one service call through `core.views.handle_form`; every download is audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from accounts.sign_in import second_factor_passed
from core.views import handle_form, saved_then
from documents import storage
from people.models import Person
from people.views import person_for_user

from . import building, selectors, services
from .forms import BundleForm
from .models import Bundle, BundleStatus, Purpose


def _person(request: HttpRequest, pk: int, *, section: str) -> Person:
    person = person_for_user(request, pk, section=section)
    if not access.may_make_bundle(request.user, person):
        raise PermissionDenied("Your role cannot make or open court and conference bundles")
    return person


def _bundle(request: HttpRequest, pk: int, bundle_id: int, *, section: str) -> tuple[Person, Bundle]:
    person = _person(request, pk, section=section)
    bundle = selectors.bundle_of(person, bundle_id)
    if bundle is None:
        raise Http404("No bundle found")
    return person, bundle


@login_required
@require_GET
def bundle_list(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, section="bundles")
    bundles = selectors.bundles_for_person(person, limit=200)
    return render(request, "bundles/list.html", {"person": person, "bundles": bundles})


@login_required
@require_http_methods(["GET", "POST"])
def bundle_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose what goes in a bundle, and the certificate's details; a small bundle is made at once, a bigger one by
    the task worker while its page shows the progress."""
    person = _person(request, pk, section="make a bundle")
    user: Any = request.user
    responses = selectors.form_choices(person)
    documents = selectors.document_choices(user, person)
    form = BundleForm(
        request.POST if request.method == "POST" else None,
        responses=responses,
        documents=documents,
        initial={
            "purpose": Purpose.COURT,
            "officer_role": ", ".join(access.role_names(user)),
            "officer_organisation": settings.CASEWORK_AUTHORITY_NAME,
        },
    )

    def save(d: dict[str, Any]) -> Bundle:
        bundle = services.bundle_request(
            actor=user,
            person=person,
            purpose=d["purpose"],
            title=d["title"],
            period_from=d["period_from"],
            period_to=d["period_to"],
            entry_types=list(d.get("entry_types") or []),
            form_response_ids=list(d.get("form_response_ids") or []),
            document_ids=list(d.get("document_ids") or []),
            officer_name=user.display_name,
            officer_role=d["officer_role"],
            officer_organisation=d["officer_organisation"],
            second_factor=second_factor_passed(request, user),
            queue=False,
        )
        return bundle

    def done(bundle: Bundle) -> HttpResponse:
        # After the request's transaction: a small bundle is made now, a bigger one queued for the worker.
        if services.is_quick(bundle):
            built = building.bundle_build(bundle.pk)
            message = "Your bundle is ready" if built.status == BundleStatus.DONE else "Your bundle could not be made"
        else:
            from .tasks import build_bundle

            build_bundle.enqueue(bundle.pk)
            message = "Your bundle is being made"
        return saved_then(request, message, "bundles:bundle", pk=person.pk, bundle_id=bundle.pk)

    unavailable = [c for c in documents if c.may_see and not c.has_copy]
    hidden = sum(1 for c in documents if not c.may_see)
    return handle_form(
        request,
        form,
        save,
        done=done,
        once=True,
        page=lambda: render(
            request,
            "bundles/new.html",
            {
                "form": form,
                "person": person,
                "unavailable": unavailable,
                "hidden": hidden,
                "officer": user.display_name,
            },
        ),
    )


def _status(bundle: Bundle) -> dict[str, Any]:
    return {
        "status": bundle.status,
        "status_label": bundle.get_status_display(),
        "stage": bundle.stage,
        "percent": bundle.percent,
        "finished": bundle.is_finished,
    }


@login_required
@require_GET
def bundle_page(request: HttpRequest, pk: int, bundle_id: int) -> HttpResponse:
    person, bundle = _bundle(request, pk, bundle_id, section="bundle")
    exhibits = selectors.exhibits(bundle) if bundle.status == BundleStatus.DONE else []
    return render(
        request,
        "bundles/bundle.html",
        {
            "person": person,
            "bundle": bundle,
            "exhibits": exhibits,
            "may_download": bundle.status == BundleStatus.DONE and selectors.may_download(request.user, person, bundle),
        },
    )


@login_required
@require_GET
def bundle_status(request: HttpRequest, pk: int, bundle_id: int) -> JsonResponse:
    """The bundle's progress, for the page's script to poll."""
    _person_unused, bundle = _bundle(request, pk, bundle_id, section="bundle status")
    return JsonResponse(_status(bundle))


@login_required
@require_GET
def bundle_download(request: HttpRequest, pk: int, bundle_id: int) -> HttpResponseBase:
    """The bundle's PDF, checked against its SHA-256 before it is sent; every download audited."""
    person, bundle = _bundle(request, pk, bundle_id, section="bundle download")
    if bundle.status != BundleStatus.DONE:
        raise Http404("The bundle is not ready")
    if not selectors.may_download(request.user, person, bundle):
        raise PermissionDenied("The bundle holds a restricted document you have not been given access to")
    found = storage.hash_stored(bundle.storage_name)
    if found is None or found[0] != bundle.sha256:
        return render(request, "bundles/file_problem.html", {"person": person, "bundle": bundle}, status=410)
    services.bundle_downloaded(actor=request.user, bundle=bundle)
    return FileResponse(
        storage.open_stored(bundle.storage_name),
        as_attachment=True,
        filename=bundle.file_name,
        content_type="application/pdf",
    )
