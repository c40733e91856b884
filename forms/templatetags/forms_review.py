"""`{{ answer|answer_kind }}`: how a forms.display answer shows (none, text, list, entries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def answer_kind(answer: Any) -> str:
    if answer is None or answer == "" or answer == []:
        return "none"
    if isinstance(answer, str):
        return "text"
    if all(isinstance(item, Mapping) for item in answer):
        return "entries"
    return "list"
