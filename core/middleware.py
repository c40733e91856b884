"""Middleware every page and endpoint passes through."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from core import codes


class NoStoreMiddleware:
    """Nothing Casework answers may be kept by a browser or a proxy: pages and API answers carry people's records, and
    a shared computer's back button or cache must not show them to the next person (`Cache-Control: no-store`).
    Static files are served before this (whitenoise) and keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


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
                return self.get_response(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: the browser features Casework never uses (camera, microphone,
    location...) are off for its pages and anything they might embed (settings.CASEWORK_PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.CASEWORK_PERMISSIONS_POLICY)
        return response
