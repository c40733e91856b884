"""Render a Django form field as a GOV.UK form group: label or legend, hint, error message, then the control.

One tag for every field type, chosen from the widget (see docs/decisions/0003): text input, textarea, date (day,
month and year), radios, checkboxes (a multiple choice), a single checkbox and select. A form's `reveal` names the
follow-up questions a radio or checkbox reveals (conditional reveal); they are rendered inside it, once. A form's
`choice_hints` gives a hint under a radio or checkbox option: {"field": {"value": "hint"}}.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.forms import GovDateWidget
from core.idempotency import FIELD, new_key

register = template.Library()


def field_kind(field: BoundField) -> str:
    w = field.field.widget
    if isinstance(w, GovDateWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect: test it first, or a multiple choice renders as radios.
    if isinstance(w, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(w, forms.RadioSelect):
        return "radios"
    if isinstance(w, forms.CheckboxInput):
        return "checkbox"
    if isinstance(w, forms.Select):
        return "select"
    if isinstance(w, forms.Textarea):
        return "textarea"
    return "input"


def _reveal(form: forms.BaseForm) -> dict[str, dict[str, list[str]]]:
    return getattr(form, "reveal", None) or {}


def _revealed(form: forms.BaseForm) -> set[str]:
    return {name for by_value in _reveal(form).values() for names in by_value.values() for name in names}


def _selected(field: BoundField, kind: str) -> set[str]:
    value = field.value()
    if kind == "checkboxes":
        if value in (None, ""):
            return set()
        values = value if isinstance(value, (list, tuple, set)) else [value]
        return {str(v) for v in values}
    return {str(value)} if value not in (None, "") else set()


@register.simple_tag
def gov_field(field: BoundField, nested: bool = False, **options: Any) -> SafeString:
    """{% gov_field form.name width="govuk-input--width-10" heading=True %}

    A follow-up question revealed by another field renders nothing on its own (nested=False): the field that
    reveals it renders it."""
    if not nested and field.name in _revealed(field.form):
        return SafeString("")
    kind = field_kind(field)
    if kind == "date" and field.errors:
        field.field.widget.attrs["has_error"] = True
    value = field.value()
    selected = _selected(field, kind)
    follow_ups = _reveal(field.form).get(field.name, {})
    hints = (getattr(field.form, "choice_hints", None) or {}).get(field.name, {})
    choices = []
    for index, (val, text) in enumerate(getattr(field.field, "choices", None) or []):
        key = str(val)
        revealed = follow_ups.get(key, [])
        choices.append(
            {
                "value": key,
                "text": text,
                "id": f"{field.auto_id}_{index}",
                "checked": key in selected,
                "hint": hints.get(key, ""),
                "conditional_id": f"conditional-{field.auto_id}_{index}" if revealed else "",
                "conditional": SafeString("".join(gov_field(field.form[n], nested=True) for n in revealed)),  # nosec B703
            }
        )
    return render_to_string(
        "includes/field.html",
        {
            "field": field,
            "kind": kind,
            "options": options,
            "value": "" if value is None or kind in ("radios", "select", "checkboxes") else value,
            "choices": choices,
            "described_by": " ".join(
                ([f"{field.auto_id}-hint"] if field.help_text else [])
                + ([f"{field.auto_id}-error"] if field.errors else [])
            ),
        },
    )


@register.simple_tag
def error_summary(form: forms.BaseForm) -> SafeString:
    """GOV.UK's error summary: each message links to its field (the first box of a date, the first option of a
    group)."""
    if not form.errors:
        return SafeString("")
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            target = ""
        else:
            bf = form[name]
            target = bf.id_for_label or bf.auto_id
            if field_kind(bf) in ("date", "radios", "checkboxes"):
                target = f"{bf.auto_id}_0"
        for e in errors:
            items.append({"target": target, "message": e})
    return render_to_string("includes/error_summary.html", {"items": items})


@register.simple_tag
def once_key(form: forms.BaseForm | None = None) -> SafeString:
    """{% once_key form %} inside a <form> that creates a record: its one-time key (core.idempotency), set by
    `handle_form(once=True)`; renders nothing for a form without one. {% once_key %} alone: a new key, for a form
    written out in the template (a button that makes a return again)."""
    key = new_key() if form is None else getattr(form, "once_key", "")
    if not key:
        return SafeString("")
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)
