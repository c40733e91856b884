"""What a chronology entry's page shows of the record behind it, for entries recording does not write itself.

A journey step's entry (a referral, a conference...) points at a record of a higher app (`source_type`, its model
name, and `source_id`). Recording cannot import that app, so the app registers a describer here in its
`AppConfig.ready` (cases: `cases.record_sections`): given the source's id, the rows "what was recorded" lists, as
(question, answer) pairs in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Describer = Callable[[int], list[tuple[str, str]]]

_DESCRIBERS: dict[str, Describer] = {}


def register_describer(source_types: Iterable[str], describe: Describer) -> None:
    for source_type in source_types:
        _DESCRIBERS[source_type] = describe


def describe(source_type: str, source_id: int) -> list[tuple[str, str]]:
    """What the record behind an entry holds, or [] when no app describes it (or it is gone)."""
    describer = _DESCRIBERS.get(source_type)
    return describer(source_id) if describer else []
