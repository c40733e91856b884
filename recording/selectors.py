"""Reading the chronology: one indexed query per page, whatever the length of the history; one entry whole, with
what it records and its corrections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts import access
from people.models import Person
from people.selectors import children_recorded_with

from . import entries
from .models import CaseNote, ChronologyEntry, EntryType, Visit
from .services import visit_title

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


@dataclass
class Version:
    """One version of a corrected record, from its row history: what it said, and who wrote it when."""

    at: datetime
    by: str
    reason: str
    subject: str
    text: str


@dataclass
class EntryDetail:
    entry: ChronologyEntry
    record: CaseNote | Visit | None = None
    answers: list[tuple[str, str]] = field(default_factory=list)  # what a journey step recorded
    versions: list[Version] = field(default_factory=list)  # a note's or visit's, oldest first; the last is current
    also_for: list[ChronologyEntry] = field(default_factory=list)  # the same note or visit on other children

    @property
    def show_text(self) -> bool:
        """The entry's text, unless it is one of the answers shown already (a contact's concern)."""
        text = self.entry.text.strip()
        return bool(text) and all(text != answer.strip() for _, answer in self.answers)

    @property
    def corrections(self) -> list[Version]:
        """The corrections, newest first (every version after the first)."""
        return list(reversed(self.versions[1:]))

    @property
    def earlier(self) -> list[Version]:
        """The versions a correction replaced, newest first."""
        return list(reversed(self.versions[:-1]))


def _name(user: Any) -> str:
    return getattr(user, "display_name", "") or (user.get_full_name() if user else "") or "System"


def chronology_entry(user: Any, person: Person, entry_id: int) -> EntryDetail | None:
    """One entry of `person`'s chronology whole: its text, the case note or visit behind it (with its versions, from
    the row history, when it has been corrected) or what the journey step recorded, and the same note on other
    children this user may see. None when the person has no such entry. At most 4 queries for a note or visit."""
    entry = ChronologyEntry.objects.filter(person=person, pk=entry_id).first()
    if entry is None:
        return None
    detail = EntryDetail(entry)
    if entry.source_type == "case_note":
        note = CaseNote.objects.filter(pk=entry.source_id, person=person).prefetch_related(_events(CaseNote)).first()
        detail.record = note
        if note is not None:
            events = sorted(note.events.all(), key=lambda e: e.pgh_id)  # type: ignore[attr-defined]
            detail.versions = [
                Version(e.pgh_created_at, _by(e), e.correction_reason, e.subject, e.body) for e in events
            ]
    elif entry.source_type == "visit":
        visit = Visit.objects.filter(pk=entry.source_id, person=person).prefetch_related(_events(Visit)).first()
        detail.record = visit
        if visit is not None:
            events = sorted(visit.events.all(), key=lambda e: e.pgh_id)  # type: ignore[attr-defined]
            detail.versions = [
                Version(
                    e.pgh_created_at,
                    _by(e),
                    e.correction_reason,
                    visit_title(e.visit_type, e.child_seen, e.seen_alone),
                    e.notes,
                )
                for e in events
            ]
    else:
        detail.answers = entries.describe(entry.source_type, entry.source_id)
    if entry.recorded_with:
        # The rule as an SQL expression on each entry's person (accounts.access.visible_expression): the queryset
        # form took Django milliseconds to build.
        seen = access.visible_expression(user, f'"{ChronologyEntry._meta.db_table}"."person_id"')
        detail.also_for = list(
            ChronologyEntry.objects.filter(recorded_with=entry.recorded_with)
            .exclude(pk=entry.pk)
            .annotate(person_visible=seen)
            .filter(person_visible=True)
            .select_related("person")
            .order_by("person_id")
        )
    return detail


def _events(model: type[CaseNote] | type[Visit]) -> Prefetch:
    """A note's or visit's row history (pghistory's events), each with the user who wrote that version: one query."""
    events: Any = model._meta.get_field("events").related_model
    return Prefetch("events", queryset=events.objects.select_related("modified_by"))


def _by(event: Any) -> str:
    return _name(event.modified_by) if event.modified_by_id is not None and event.modified_by else "System"


def children_to_record_for(user: Any, person: Person, what: access.Can) -> list[Person]:
    """The siblings and household children of `person` (people.selectors.children_recorded_with) for whom this user
    may do `what` (access.may_for_person, asked in the same one query): the "Also record this for" choices."""
    if not access.may(user, what):
        return []
    return children_recorded_with(person, visible_to=user)
