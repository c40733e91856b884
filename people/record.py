"""The person's record page, built from what each app adds to it.

`people` shows who the person is (names, identifiers, addresses, relationships, warnings). Apps above people add
their own parts without people importing them (the layers go one way): at start-up, in their AppConfig.ready, they
register
- a *section*: a function `(request, person) -> HTML` shown in the main column (the journey panel, the chronology) or
  the side column, in `order`;
- an *action*: a button in the record's button group ("Add a case note", "Record a visit"), shown when `allowed`
  says the user may take it.
Sections run in the request that renders the record, after its access check and audit event; each must keep its own
query count fixed (the record page's count is asserted in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from .models import Person

Column = Literal["main", "side"]


@dataclass(frozen=True)
class RecordSection:
    key: str
    column: Column
    order: int
    render: Callable[[HttpRequest, Person], SafeString]


@dataclass(frozen=True)
class RecordAction:
    key: str
    label: str
    url_name: str  # reversed with the person's pk
    order: int
    allowed: Callable[[HttpRequest, Person], bool]


@dataclass(frozen=True)
class ShownAction:
    label: str
    url: str


_sections: dict[str, RecordSection] = {}
_actions: dict[str, RecordAction] = {}


def register_section(section: RecordSection) -> None:
    """Add (or replace, by key) a section of the record page. Called from an AppConfig.ready."""
    _sections[section.key] = section


def register_action(action: RecordAction) -> None:
    """Add (or replace, by key) a button of the record page. Called from an AppConfig.ready."""
    _actions[action.key] = action


def render_sections(request: HttpRequest, person: Person, column: Column) -> list[SafeString]:
    chosen = sorted((s for s in _sections.values() if s.column == column), key=lambda s: s.order)
    return [s.render(request, person) for s in chosen]


def actions_for(request: HttpRequest, person: Person) -> list[ShownAction]:
    chosen = sorted(_actions.values(), key=lambda a: a.order)
    return [ShownAction(a.label, reverse(a.url_name, args=[person.pk])) for a in chosen if a.allowed(request, person)]
