"""Reading code lists. Values live in the database (core.Code), loaded by migrations."""

from __future__ import annotations

from .models import Code


def choices(list_name: str, year: int | None = None) -> tuple[tuple[str, str], ...]:
    """(code, label) pairs of a list, valid in the given collection year when one is given."""
    rows = Code.objects.filter(list_name=list_name).order_by("sort_order", "code")
    out = []
    for row in rows:
        if year is not None and (
            (row.valid_from_year and year < row.valid_from_year) or (row.valid_to_year and year > row.valid_to_year)
        ):
            continue
        out.append((row.code, row.label))
    return tuple(out)


def label(list_name: str, code: str | None) -> str:
    if not code:
        return ""
    return dict(choices(list_name)).get(code, code)
