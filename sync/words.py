"""Conflicts and devices in words: what the worker, their manager and the app read."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.dates import long_date

from .models import Conflict, Device

FIELD_LABELS: dict[str, str] = {
    "preferred_name": "Preferred name",
    "gender": "Gender",
    "first_language": "First language",
    "interpreter_needed": "Interpreter needed",
}


def value_words(value: Any) -> str:
    """A field's value as a person reads it: yes or no, "(blank)" for nothing, text as it is."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None or value == "":
        return "(blank)"
    return str(value)


def when_words(moment: Any) -> str:
    if moment is None:
        return "never"
    local = timezone.localtime(moment)
    return f"{long_date(local.date())} at {local:%H:%M}"


def conflict_words(c: Conflict) -> dict[str, Any]:
    return {
        "field": c.field,
        "what": FIELD_LABELS.get(c.field, c.field.replace("_", " ").capitalize()),
        "record_type": c.record_type,
        "record_id": c.record_id,
        "device_value": c.device_value,
        "server_value": c.server_value,
        "device_words": value_words(c.device_value),
        "server_words": value_words(c.server_value),
        "when": when_words(c.created_at),
    }


def device_status(device: Device) -> str:
    if device.revoked_at is not None:
        return f"Removed on {when_words(device.revoked_at)}"
    if not device.user.is_active:
        return "Removed: the account is disabled"
    return "In use"
