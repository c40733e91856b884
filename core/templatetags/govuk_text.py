"""Text filters: `{{ text|paragraphs }}`, text as typed, paragraphs and line breaks kept, escaped;
`{{ text|sentence_case }}`, headings and buttons as GOV.UK writes them (used on allauth's pages, whose own text is in
title case: "Sign In", "Two-Factor Authentication"); `{{ code|code_label:"list" }}`, the words for an official code."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import normalize_newlines

from core import codes
from core.text import sentence_case as _sentence_case

register = template.Library()


@register.filter(is_safe=True)
def sentence_case(value: str) -> str:
    text = _sentence_case(str(value))
    return SafeString(text) if isinstance(value, SafeString) else text  # nosec B703: the input was already safe


@register.filter(needs_autoescape=True)
def paragraphs(value: object, autoescape: bool = True) -> SafeString:
    """{{ note.body|paragraphs }}: Django's `linebreaks` with GOV.UK's body style: a blank line starts a new
    paragraph (<p class="govuk-body">), a single line break is kept (<br>). The text is escaped first, so what a user
    typed is shown, never run."""
    text = str(normalize_newlines(str(value or ""))).strip("\n")
    if not text:
        return SafeString("")

    def esc(line: str) -> str:
        return str(conditional_escape(line)) if autoescape else line

    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return SafeString(  # nosec B703: every paragraph was escaped above
        "".join(
            '<p class="govuk-body">' + "<br>".join(str(esc(line)) for line in p.split("\n")) + "</p>" for p in paras
        )
    )


@register.filter
def code_label(value: object, list_name: str) -> str:
    """{{ person.ethnicity|code_label:"ethnicity" }}: the words for a code ("White British" for WBRI). A list of codes
    (assessment factors) reads as the words joined with commas. Each list is read once per request (core.codes)."""
    if isinstance(value, list | tuple):
        return ", ".join(codes.label(list_name, str(v)) for v in value if v)
    return codes.label(list_name, str(value) if value else "")


@register.filter
def code_label_with_code(value: object, list_name: str) -> str:
    """{{ la.legal_status_code|code_label_with_code:"legal_status" }}: the words, then the code in small secondary
    text for the professionals who use it ("Full care order (C2)")."""
    if not value:
        return ""
    words = codes.label(list_name, str(value))
    if words == str(value):
        return escape(words)
    return format_html('{} <span class="cw-code">({})</span>', words, value)
