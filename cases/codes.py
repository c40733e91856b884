"""Checking statutory codes against the code lists in core.Code."""

from __future__ import annotations

from core.codes import choices


def check_code(list_name: str, value: str, field: str, message: str) -> dict[str, str]:
    valid = {code for code, _ in choices(list_name)}
    return {} if value in valid else {field: message}


def check_codes(list_name: str, values: list[str], field: str, message: str) -> dict[str, str]:
    valid = {code for code, _ in choices(list_name)}
    if not values or any(v not in valid for v in values):
        return {field: message}
    return {}


def is_code(list_name: str, value: str) -> bool:
    """Whether `value` is in the official code list `list_name` (for the rules layer's validators)."""
    return value in {code for code, _ in choices(list_name)}
