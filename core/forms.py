"""Form fields that follow the GOV.UK Design System patterns (dates as day, month and year boxes)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone


class GovDateWidget(forms.MultiWidget):
    template_name = "includes/date_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovDateField(forms.MultiValueField):
    """A date entered as day, month and year, with the GOV.UK error messages."""

    widget = GovDateWidget

    def __init__(self, *, label_text: str = "Date", **kwargs: Any) -> None:
        self.label_text = label_text
        kwargs.setdefault("error_messages", {"required": f"Enter the {label_text.lower()}", "incomplete": ""})
        fields = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(x or "").strip() for x in data_list)
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{self.label_text} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{self.label_text} must be a real date, in numbers")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            return date(int(year), int(month), int(day))
        except ValueError as exc:
            raise forms.ValidationError(f"{self.label_text} must be a real date") from exc


class GovTimeField(forms.CharField):
    """A time of day typed as 14:30 or 2:30pm."""

    def to_python(self, value: Any) -> time | None:  # type: ignore[override]
        text = (value or "").strip().lower().replace(".", ":")
        if not text:
            return None
        for fmt in ("%H:%M", "%I:%M%p", "%I%p", "%I:%M %p", "%I %p"):
            try:
                return datetime.strptime(text, fmt).time()
            except ValueError:
                continue
        raise forms.ValidationError("Enter a time like 14:30 or 2:30pm")


def combine(day: date | None, at: time | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, at or time(12, 0), tzinfo=timezone.get_current_timezone())


def apply_rule_errors(form: forms.Form, errors: dict[str, str]) -> None:
    """Put a service's RuleError messages onto the form, on the field when it has one."""
    for field_name, message in errors.items():
        form.add_error(field_name if field_name in form.fields else None, message)
