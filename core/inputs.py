"""What Casework accepts as text and as a moment, from a page or from the API, decided once.

Text: no control characters but tab, line feed and carriage return (PostgreSQL cannot store NUL at all, and the
others are never typed: they come from a pasted document or a machine), no lone surrogates (UTF-8 cannot hold
them), and a maximum length (core.limits). Page forms get the rule through `core.forms.GovFormMixin` (every text
field); API schemas declare their text fields as `Annotated[str, Text(max_length)]` (or `Line`, `Code`, `Reason`, `Note`), which also documents `maxLength` and the
refused characters (`pattern`) in the OpenAPI. Both answer in words naming the field.

Moments: a date and time without a time zone (`2026-12-05T14:30`) is UK local time (Europe/London, Casework's
TIME_ZONE), as a worker typing a time on a page means it; one with a zone or offset is taken as given. `LocalDateTime`
in every API schema that takes a date and time, and `core.forms.combine` for pages. `casework/tests/test_bad_input.py`
walks every form and every API schema to hold them to this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from pydantic import AfterValidator, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from core import limits

REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The same rule as a JSON Schema pattern, for the OpenAPI (surrogates cannot be written in one).
PATTERN = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$"
CONTROL_CHARACTERS = "control_characters"


def control_characters_message(subject: str) -> str:
    return f"{subject} must not contain hidden control characters"


def too_long_message(subject: str, limit: int) -> str:
    return f"{subject} must be {limit:,} characters or fewer"


def text_problem(value: str, *, subject: str, max_length: int | None) -> str | None:
    """What is wrong with this text, in words naming the field, or None."""
    if REFUSED_CHARACTERS.search(value):
        return control_characters_message(subject)
    if max_length is not None and len(value) > max_length:
        return too_long_message(subject, max_length)
    return None


@deconstructible
class NoControlCharacters:
    """The form fields' validator (core.forms adds it to every text field); its message is the field's
    `control_characters` message, which names the field."""

    code = CONTROL_CHARACTERS
    message = "Remove the hidden control characters"

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and REFUSED_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)

    def __hash__(self) -> int:
        return hash(self.code)


def subject_of(name: str | None) -> str:
    """An API field's name as the subject of a message: `referrer_name` -> "Referrer name"."""
    words = (name or "this").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Text:
    """A text field of an API schema, `Annotated[str, Text(200)]`: at most `max_length` characters, no control
    characters, refused with a 422 naming the field ("Body must be 20,000 characters or fewer", or `label` instead of
    the field's name). Documented in the OpenAPI as maxLength and the pattern of the characters accepted."""

    max_length: int
    label: str | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out.update({"maxLength": self.max_length, "pattern": PATTERN})
        return out

    def check(self, value: str, info: ValidationInfo) -> str:
        problem = text_problem(value, subject=self.label or subject_of(info.field_name), max_length=self.max_length)
        if problem:
            raise ValueError(problem)
        return value


# The kinds of text of core.limits; a field stored in a column of its own takes the column's length.
Line = Annotated[str, Text(limits.LINE)]
Code = Annotated[str, Text(limits.CODE)]
Reason = Annotated[str, Text(limits.REASON)]
Note = Annotated[str, Text(limits.NOTE)]


def local_time(value: datetime) -> datetime:
    """A moment with no time zone is UK local time (settings.TIME_ZONE, Europe/London); one with a zone is kept."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


class _LocalDateTimeSchema:
    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out.setdefault(
            "description",
            "A date and time, like 2026-12-05T14:30:00Z or 2026-12-05T14:30:00+01:00; without a time zone "
            "(2026-12-05T14:30:00) it is UK time (Europe/London)",
        )
        return out


# A date and time in an API schema: see the module's docstring.
LocalDateTime = Annotated[datetime, AfterValidator(local_time), _LocalDateTimeSchema()]
