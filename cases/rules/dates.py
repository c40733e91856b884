"""Date rules every step of the journey shares. Pure: the caller passes today."""

from __future__ import annotations

from datetime import date


def not_future_errors(day: date | None, field: str, label: str, *, today: date) -> dict[str, str]:
    """{field: message} when `day` is missing or after `today`; {} otherwise."""
    if day is None:
        return {field: f"Enter the {label}"}
    if day > today:
        return {field: f"The {label} must be today or in the past"}
    return {}


def years_to_31_march(today: date, count: int) -> list[date]:
    """The last `count` collection years that have ended by `today`, as their 31 March, newest first."""
    latest = today.year if (today.month, today.day) >= (3, 31) else today.year - 1
    return [date(y, 3, 31) for y in range(latest, latest - count, -1)]
