"""Where apps above documents take part in its pages and checks, without documents importing them. Registered from an
AppConfig.ready (the retention app, issue 14):

- an *evidence section*: `(request, person, document) -> HTML` shown on a document's evidence page in place of the
  "Retention" placeholder (retention: the class, the disposal review date, legal holds);
- *disposed documents*: `() -> QuerySet of document ids` whose files were removed by a disposal, which the fixity
  check leaves out (a disposed file is gone on purpose, not missing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

EvidenceSection = Callable[[HttpRequest, Any, Any], SafeString]
Disposed = Callable[[], QuerySet[Any]]

_evidence_sections: dict[str, EvidenceSection] = {}
_disposed: dict[str, Disposed] = {}


def register_evidence_section(key: str, render: EvidenceSection) -> None:
    _evidence_sections[key] = render


def register_disposed(key: str, documents: Disposed) -> None:
    _disposed[key] = documents


def evidence_sections(request: HttpRequest, person: Any, document: Any) -> list[SafeString]:
    return [render(request, person, document) for _, render in sorted(_evidence_sections.items())]


def disposed_documents() -> list[QuerySet[Any]]:
    """Subqueries of the document ids disposed of (none registered: an empty list)."""
    return [documents() for _, documents in sorted(_disposed.items())]
