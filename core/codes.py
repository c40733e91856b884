"""Reading code lists. Values live in the database (core.Code), loaded by migrations.

People read words, not codes: `label(list, code)` gives the words ("White British" for WBRI), and templates say
`{{ value|code_label:"ethnicity" }}` (core.templatetags.govuk_text). Within a request each list is read once
(`labels_cached`, opened for every request by core.middleware.CodeLabelsMiddleware), so a page's query count does not
grow with the number of codes it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .models import Code

# list name -> {code: label}, for the lists read in this request; None outside a request (read each time).
_cache: ContextVar[dict[str, dict[str, str]] | None] = ContextVar("casework_code_labels", default=None)


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


@contextmanager
def labels_cached() -> Iterator[None]:
    """Within the block, each list's labels are read from the database once."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def labels(list_name: str) -> dict[str, str]:
    """{code: label} for a list (every year's codes: a record keeps the code it was given)."""
    cache = _cache.get()
    if cache is None:
        return dict(choices(list_name))
    if list_name not in cache:
        cache[list_name] = dict(choices(list_name))
    return cache[list_name]


def label(list_name: str, code: str | None) -> str:
    """The words for a code; a code the list does not hold is shown as it is, so nothing recorded is hidden."""
    if not code:
        return ""
    return labels(list_name).get(code, code)
