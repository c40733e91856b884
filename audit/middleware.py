from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.client import client_address

from .context import current


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(
            {
                "ip": client_address(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
                "request_id": uuid.uuid4().hex,
                "path": request.path[:200],
            }
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
