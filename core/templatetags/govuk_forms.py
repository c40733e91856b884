"""Render a Django form field as a GOV.UK form group: label or legend, hint, error message, then the control."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.forms import GovDateWidget

register = template.Library()


def _kind(field: BoundField) -> str:
    w = field.field.widget
    if isinstance(w, GovDateWidget):
        return "date"
    if isinstance(w, forms.RadioSelect):
        return "radios"
    if isinstance(w, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(w, forms.CheckboxInput):
        return "checkbox"
    if isinstance(w, forms.Select):
        return "select"
    if isinstance(w, forms.Textarea):
        return "textarea"
    return "input"


@register.simple_tag
def gov_field(field: BoundField, **options: Any) -> SafeString:
    """{% gov_field form.name width="govuk-input--width-10" heading=True %}"""
    kind = _kind(field)
    if kind == "date" and field.errors:
        field.field.widget.attrs["has_error"] = True
    value = field.value()
    if kind == "checkboxes":
        selected = {str(v) for v in (value or [])}
    else:
        selected = {str(value)} if value not in (None, "") else set()
    return render_to_string(
        "includes/field.html",
        {
            "field": field,
            "kind": kind,
            "options": options,
            "selected": selected,
            "value": "" if value is None or kind in ("radios", "select", "checkboxes") else value,
            "choices": list(getattr(field.field, "choices", []) or []),
        },
    )


@register.simple_tag
def error_summary(form: forms.Form) -> SafeString:
    if not form.errors:
        return SafeString("")
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            target = ""
        else:
            bf = form[name]
            target = bf.id_for_label or bf.auto_id
            if _kind(bf) == "date" or _kind(bf) in ("radios", "checkboxes"):
                target = f"{bf.auto_id}_0"
        for e in errors:
            items.append({"target": target, "message": e})
    return render_to_string("includes/error_summary.html", {"items": items})
