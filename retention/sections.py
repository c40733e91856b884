"""Retention's parts of other apps' pages: the record's side section and the document's evidence section. Each is one
query (the person's retention with its rule and active holds)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.access import Can, may

from . import selectors


def _context(request: HttpRequest, person: Any) -> dict[str, Any]:
    return {
        "retention": selectors.retention_of(person.pk),
        "person": person,
        "may_manage": may(request.user, Can.MANAGE_RETENTION),
    }


def record_section(request: HttpRequest, person: Any) -> SafeString:
    return render_to_string("retention/record_section.html", _context(request, person), request=request)


def evidence_section(request: HttpRequest, person: Any, document: Any) -> SafeString:
    return render_to_string("retention/evidence_section.html", _context(request, person), request=request)
