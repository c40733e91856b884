"""{{ text|sentence_case }}: headings and buttons as GOV.UK writes them (used on allauth's pages, whose own text is in
title case: "Sign In", "Two-Factor Authentication")."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.text import sentence_case as _sentence_case

register = template.Library()


@register.filter(is_safe=True)
def sentence_case(value: str) -> str:
    text = _sentence_case(str(value))
    return mark_safe(text) if isinstance(value, SafeString) else text  # noqa: S308 (the input was already safe)
