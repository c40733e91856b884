"""{{ text|paragraphs }}: text as typed, paragraphs and line breaks kept, escaped.

{{ text|sentence_case }}: headings and buttons as GOV.UK writes them (used on allauth's pages, whose own text is in
title case: "Sign In", "Two-Factor Authentication")."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from core.text import sentence_case as _sentence_case

register = template.Library()


@register.filter(is_safe=True)
def sentence_case(value: str) -> str:
    text = _sentence_case(str(value))
    return mark_safe(text) if isinstance(value, SafeString) else text  # noqa: S308 (the input was already safe)


@register.filter(needs_autoescape=True)
def paragraphs(value: object, autoescape: bool = True) -> SafeString:
    """{{ note.body|paragraphs }}: Django's `linebreaks` with GOV.UK's body style: a blank line starts a new
    paragraph (<p class="govuk-body">), a single line break is kept (<br>). The text is escaped first, so what a user
    typed is shown, never run."""
    text = str(normalize_newlines(str(value or ""))).strip("\n")
    if not text:
        return SafeString("")

    def escape(line: str) -> str:
        return str(conditional_escape(line)) if autoescape else line

    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return mark_safe(  # noqa: S308 - every paragraph was escaped above
        "".join(
            '<p class="govuk-body">' + "<br>".join(str(escape(line)) for line in p.split("\n")) + "</p>" for p in paras
        )
    )
