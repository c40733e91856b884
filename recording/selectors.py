"""Reading the chronology: one indexed query per page, whatever the length of the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from people.models import Person

from .models import ChronologyEntry, EntryType

PAGE_SIZE = 25


@dataclass
class ChronologyFilter:
    entry_types: list[str]
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.entry_types or self.date_from or self.date_to)


def chronology_queryset(person: Person, flt: ChronologyFilter) -> QuerySet[ChronologyEntry]:
    qs = ChronologyEntry.objects.filter(person=person)
    types = [t for t in flt.entry_types if t in EntryType.values]
    if types:
        qs = qs.filter(entry_type__in=types)
    tz = timezone.get_current_timezone()
    if flt.date_from:
        qs = qs.filter(occurred_at__gte=datetime.combine(flt.date_from, time.min, tzinfo=tz))
    if flt.date_to:
        qs = qs.filter(occurred_at__lte=datetime.combine(flt.date_to, time.max, tzinfo=tz))
    return qs.order_by("-occurred_at", "-id")


def chronology_page(person: Person, flt: ChronologyFilter, page_number: int | str | None) -> Page:
    """A page of the chronology, newest first: two queries (count and page)."""
    paginator = Paginator(chronology_queryset(person, flt), PAGE_SIZE)
    return paginator.get_page(page_number)
