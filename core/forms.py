"""Forms and fields that follow the GOV.UK Design System patterns: dates as day, month and year boxes, and error
messages in plain English that name the field ("Enter the first name", "First name must be 100 characters or
fewer"), never Django's defaults ("This field is required."). Every form in Casework is a `GovForm` (or mixes in
`GovFormMixin`); fields keep any message they set themselves."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name
from django.utils import timezone

from core import limits
from core.inputs import CONTROL_CHARACTERS, NoControlCharacters, control_characters_message, too_long_message
from core.text import PROPER_NOUNS

_NO_ARTICLE = frozenset(
    {
        *("the", "a", "an", "their", "your", "his", "her", "its", "our", "any", "each", "every", "one"),
        *("how", "what", "who", "which", "when", "where", "why", "whether", "if"),
    }
)


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
        label_text = re.sub(r"\s*\([^)]*\)\s*$", "", label_text)  # "Date the status ended (if it has)": no aside
        self.label_text = label_text
        kwargs["error_messages"] = {
            "required": f"Enter {_object(label_text)}",
            "incomplete": f"{label_text} must include a day, month and year",
            "invalid": f"{label_text} must be a real date",
            **kwargs.get("error_messages", {}),
        }
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
    """A date and an optional time as one moment. With no time, midday; but for today before midday, now: a note
    or contact recorded this morning without a time must not land in the future (and be refused for it)."""
    if day is None:
        return None
    if at is not None:
        return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())
    noon = datetime.combine(day, time(12, 0), tzinfo=timezone.get_current_timezone())
    now = timezone.localtime()
    return min(noon, now.replace(second=0, microsecond=0)) if day == now.date() else noon


def apply_rule_errors(form: forms.BaseForm, errors: dict[str, str]) -> None:
    """Put a service's RuleError messages onto the form, on the field when it has one."""
    for field_name, message in errors.items():
        form.add_error(field_name if field_name in form.fields else None, message)


# --- error messages -----------------------------------------------------------------------------------------------


def _label(field: forms.Field, name: str) -> str:
    """The field's label as a message names it: without "(optional)" or another trailing aside."""
    text = str(field.label if field.label is not None else pretty_name(name)).strip()
    return re.sub(r"\s*\([^)]*\)\s*$", "", text).strip() or pretty_name(name)


def _in_sentence(label: str) -> str:
    """'First name' -> 'first name', keeping proper nouns and abbreviations ('NHS number', 'Ofsted URN')."""
    first, _, rest = label.partition(" ")
    if first in PROPER_NOUNS or (len(first) > 1 and first[1:2].isupper()):
        return label
    return f"{first[:1].lower()}{first[1:]}{' ' if rest else ''}{rest}"


def _object(label: str) -> str:
    """The label as the object of 'Enter ...' or 'Select ...': 'the first name', 'their organisation', 'how ...'."""
    phrase = _in_sentence(label)
    return phrase if phrase.split(" ", 1)[0].lower() in _NO_ARTICLE else f"the {phrase}"


def _subject(label: str) -> str:
    """The label as the subject of a sentence: 'First name', 'The answer to "Why?"'."""
    return f'The answer to "{label}"' if label.endswith("?") else label[:1].upper() + label[1:]


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField)) or isinstance(
        field.widget, (forms.Select, forms.RadioSelect, forms.CheckboxInput)
    )


def gov_error_messages(field: forms.Field, name: str) -> dict[str, str]:
    """Plain-English messages naming the field, for every code a field or its validators can raise."""
    label = _label(field, name)
    question = label.endswith("?")
    subject = _subject(label)
    if _is_choice(field):
        if isinstance(field, forms.BooleanField):
            required = f'Select "{label}" to continue'
        else:
            required = f'Select an answer to "{label}"' if question else f"Select {_object(label)}"
    else:
        required = f'Enter an answer to "{label}"' if question else f"Enter {_object(label)}"
    # "Select ... from" is a sentence, not SQL (S608)
    choose_from_list = f'Select an answer to "{label}"' if question else f"Select {_object(label)}"
    choose_from_list += " from the list"
    number = "a whole number" if isinstance(field, forms.IntegerField) else "a number"
    return {
        "required": required,
        "invalid_choice": choose_from_list,
        "invalid_list": choose_from_list,
        "invalid_pk_value": choose_from_list,
        "max_length": (
            too_long_message(subject, max_length)
            if isinstance(max_length := getattr(field, "max_length", None), int)
            else f"{subject} must be %(limit_value)s characters or fewer"
        ),
        "min_length": f"{subject} must be %(limit_value)s characters or more",
        "max_value": f"{subject} must be %(limit_value)s or less",
        "min_value": f"{subject} must be %(limit_value)s or more",
        "step_size": f"{subject} must be {number}",
        "max_digits": f"{subject} must be %(max)s digits or fewer",
        "max_decimal_places": f"{subject} must have %(max)s decimal places or fewer",
        "max_whole_digits": f"{subject} must have %(max)s digits or fewer before the decimal point",
        "invalid": (
            "Enter an email address in the correct format, like name@example.com"
            if isinstance(field, forms.EmailField)
            else f"{subject} must be {number}"
            if isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField))
            else f"{subject} must be a real date"
            if isinstance(field, (forms.DateField, forms.DateTimeField, GovDateField))
            else f"Enter {_object(label)} in the correct format"
        ),
        "incomplete": f"Enter all of {_object(label)}",
        "null_characters_not_allowed": control_characters_message(subject),
        CONTROL_CHARACTERS: control_characters_message(subject),
    }


def _django_defaults(field: forms.Field) -> set[str]:
    """Django's own messages for this field: its classes' defaults and its validators' defaults."""
    out = {str(m) for cls in type(field).__mro__ for m in getattr(cls, "default_error_messages", {}).values()}
    out.update(str(getattr(v, "message", "")) for v in field.validators)
    return out


def text_rules(field: forms.Field) -> None:
    """Every text field of every form (core.inputs): no control characters, and a maximum length (its own, or
    core.limits.DEFAULT). A textarea has no `maxlength` attribute: the browser would cut pasted text short without
    a word; the error message says how long it may be instead."""
    if not isinstance(field, forms.CharField) or isinstance(field, GovTimeField):
        return
    if field.max_length is None:
        field.max_length = limits.DEFAULT
        field.validators.append(MaxLengthValidator(limits.DEFAULT))
    if not any(isinstance(v, NoControlCharacters) for v in field.validators):
        field.validators.append(NoControlCharacters())
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs.pop("maxlength", None)


def gov_messages(form: forms.BaseForm) -> None:
    """Replace every Django default message on the form's fields with a plain-English one naming the field (a
    message the field sets itself is kept). Validators' messages too: Field.run_validators raises a validator's
    error with the field's message for the validator's code (max_length, min_value...)."""
    for name, field in form.fields.items():
        text_rules(field)
        ours = gov_error_messages(field, name)
        defaults = _django_defaults(field)
        for code, message in ours.items():
            current = field.error_messages.get(code)
            if current is None or str(current) in defaults:
                field.error_messages[code] = message


class GovFormMixin:
    """Give a form's fields GOV.UK error messages (mix into any form, including allauth's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self, forms.BaseForm)
        gov_messages(self)


class GovForm(GovFormMixin, forms.Form):
    """The base of every Casework form."""

    # Conditional reveal: {"field": {"value": ["follow-up field", ...]}}. A follow-up question is rendered inside
    # the radio or checkbox that reveals it (see core/templatetags/govuk_forms.py), and not again on its own.
    reveal: dict[str, dict[str, list[str]]] = {}
