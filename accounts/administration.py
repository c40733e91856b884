"""What apps above accounts add to an administrator's page about a user.

The user's page lives in accounts (the lowest app that knows users), but some of what an administrator needs to see
belongs to apps above it: the records a user opened by break-glass are people's. Those apps register a *section*
here in their AppConfig.ready (the layers go one way, as with `people.record`): a function `(request, user) -> HTML`,
shown in `order`. Each keeps its own query count fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString

from .models import User


@dataclass(frozen=True)
class UserSection:
    key: str
    order: int
    render: Callable[[HttpRequest, User], SafeString]


_sections: dict[str, UserSection] = {}


def register_user_section(section: UserSection) -> None:
    """Add (or replace, by key) a section of the administrator's page about a user. Called from an AppConfig.ready."""
    _sections[section.key] = section


def render_user_sections(request: HttpRequest, user: User) -> list[SafeString]:
    return [s.render(request, user) for s in sorted(_sections.values(), key=lambda s: s.order)]
