"""Where apps above cases take part in its pages, without cases importing them (the layers go one way). Registered
from an AppConfig.ready:

- a *caseload section*: `(request) -> HTML` shown under the table of My caseload (the forms app: "Forms in progress");
- a *step link*: for a journey step's slug, `(request, person) -> (form title, url)`, the form that records that step:
  the journey panel's step opens it instead of the step's short page, and the short page (still at its address) points
  to it (the forms app: "Child and family assessment"). The links for one panel are asked once, together
  (`step_links`), so a provider can answer with one query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

CaseloadSection = Callable[[HttpRequest], SafeString]
# (request, person, offered step slugs) -> {slug: (text, url)}
StepLinks = Callable[[HttpRequest, Any, Sequence[str]], dict[str, tuple[str, str]]]

_caseload_sections: dict[str, CaseloadSection] = {}
_step_links: dict[str, StepLinks] = {}


def register_caseload_section(key: str, render: CaseloadSection) -> None:
    _caseload_sections[key] = render


def register_step_links(key: str, links: StepLinks) -> None:
    _step_links[key] = links


def caseload_sections(request: HttpRequest) -> list[SafeString]:
    return [render(request) for _, render in sorted(_caseload_sections.items())]


def step_links(request: HttpRequest, person: Any, slugs: Sequence[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for _, links in sorted(_step_links.items()):
        for slug, link in links(request, person, slugs).items():
            out.setdefault(slug, link)
    return out
