"""What recording adds to the person's record page (people.record): the chronology, and the "Add a case note" button.
Registered in RecordingConfig.ready."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts import access
from people import record
from people.models import Person

from .models import EntryType
from .selectors import ChronologyFilter, chronology_page


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def chronology_section(request: HttpRequest, person: Person) -> SafeString:
    """The chronology, newest first, filtered by type and dates from the query string, one page at a time: 2 queries."""
    flt = ChronologyFilter(
        entry_types=request.GET.getlist("type"),
        date_from=_parse_date(request.GET.get("from")),
        date_to=_parse_date(request.GET.get("to")),
    )
    page = chronology_page(person, flt, request.GET.get("page"))
    for entry in page:
        # What the template would work out for each entry with a tag or filter apiece (the link, used twice, and the
        # time as DATETIME_FORMAT "j F Y, H:i" and ISO 8601): the same text, a tenth of the work.
        local = timezone.localtime(entry.occurred_at)
        entry.url = reverse("recording:entry", args=[person.pk, entry.pk])
        entry.when_iso = local.isoformat()
        entry.when_text = f"{local.day} {local:%B %Y, %H:%M}"
    query = request.GET.copy()
    query.pop("page", None)
    html = render_to_string(
        "recording/chronology_section.html",
        {
            "person": person,
            "page": page,
            "filter": flt,
            "entry_types": EntryType.choices,
            "filter_query": query.urlencode(),
            "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", ""),
            "actions": record.actions_for(request, person),
        },
        request=request,
    )
    return html  # render_to_string gives SafeString: the template engine escaped what it put in


def can_record(request: HttpRequest, person: Person) -> bool:
    return access.may_for_person(request.user, access.Can.RECORD_CASE_NOTES, person)


def register() -> None:
    record.register_section(record.RecordSection("chronology", "main", 50, chronology_section))
    record.register_action(
        record.RecordAction("case_note", "Add a case note", "recording:case_note_add", 10, can_record)
    )
