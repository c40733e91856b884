"""Middleware every page and endpoint passes through."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from core import codes, limits


class NoStoreMiddleware:
    """Nothing Casework answers may be kept by a browser or a proxy: pages and API answers carry people's records, and
    a shared computer's back button or cache must not show them to the next person (`Cache-Control: no-store`).
    Static files are served before this (whitenoise) and keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_api_answer(request, response):
            # The API's clients (the offline app among them, on slow links) need only the one directive.
            response.headers["Cache-Control"] = "no-store"
        else:
            add_never_cache_headers(response)
        return response


def _is_api_answer(request: HttpRequest, response: HttpResponse) -> bool:
    """A JSON answer (the API's, /healthz): data for a program, never a page for a person."""
    return response.get("Content-Type", "").startswith("application/json")


class CodeLabelsMiddleware:
    """Each code list is read once per request, however many codes a page turns into words (core.codes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with codes.labels_cached():
            return self.get_response(request)


class AtomicWritesMiddleware:
    """A request that may change something (POST, PUT, PATCH, DELETE) runs in one transaction, so a page's writes and
    their audit events commit together or not at all (Django's ATOMIC_REQUESTS, for changes only). A read runs
    without one: it holds no transaction while the page renders, and its view audit event (`audit_record` with VIEW,
    SEARCH or EXPORT) commits on its own, written once the page is ready. Last in MIDDLEWARE, so it wraps the view
    alone, as ATOMIC_REQUESTS did."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in self.UNSAFE:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 400 and request.path.startswith("/api/"):
                    # The API answers a refusal (422, 403...) without raising: nothing the request wrote stays.
                    # (Pages raise for a refusal, and re-show a form with errors with nothing written.)
                    transaction.set_rollback(True)
                return response
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: the browser features Casework never uses (camera, microphone,
    location...) are off for its pages and anything they might embed (settings.CASEWORK_PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.CASEWORK_PERMISSIONS_POLICY)
        if _is_api_answer(request, response):
            # An API answer is data, never a page: the strictest policy (nothing may load or run, no framing) is
            # also the shortest, which matters to the offline app's syncs over 3G (docs/sync-protocol.md).
            # django-csp leaves a policy already set in place.
            response.headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        return response


API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


class RequestSizeMiddleware:
    """A request body larger than settings.DATA_UPLOAD_MAX_MEMORY_SIZE (core.limits.REQUEST_BYTES) is answered 413
    before anything reads it: a plain page saying so, or the API's error (core.api). Django itself would answer 400
    when the body is read; `casework.views.bad_request` answers 413 then too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            # Files are streamed to disk and each is checked by the page that takes it (core.limits.DOCUMENT_BYTES);
            # Django still holds the other fields to DATA_UPLOAD_MAX_MEMORY_SIZE.
            limit = limits.UPLOAD_REQUEST_BYTES
        if limit is not None and length > limit:
            return too_big(request)
        return self.get_response(request)


def too_big(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import render

    from core.api import error_response, is_api

    if is_api(request):
        return error_response(413)
    return render(request, "413.html", {"limit_kb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}, status=413)
