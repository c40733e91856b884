"""`{{ answer|answer_entries }}`: a repeating group's answer on check your answers, each entry rendered once and
stamped (forms.stamping), as forms/fill/answer_entry.html renders it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from forms import stamping

register = template.Library()


@register.filter
def answer_entries(answer: Any) -> SafeString:
    return stamping.answer_entries(answer, "forms/fill/answer_entry.html")
