"""Recording in /api/v1/people/{id}/...: the chronology and case notes. Same access rules and services as the pages.
Visits are recorded through cases (/api/v1/people/{id}/visits in cases.api), which completes the statutory visits."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from people.api import CreatedOut, ErrorsOut, person_for_api
from people.services import person_view_record

from . import services
from .selectors import PAGE_SIZE, ChronologyFilter, chronology_page

router = Router(tags=["people"])


class EntryOut(Schema):
    id: int
    occurred_at: datetime
    entry_type: str
    title: str
    summary: str
    recorded_by_name: str


class ChronologyOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    entries: list[EntryOut]


@router.get("/{int:person_id}/chronology", response=ChronologyOut, summary="A page of the chronology, newest first")
def chronology(
    request: HttpRequest,
    person_id: int,
    page: int = 1,
    type: list[str] = Query(default=[]),  # noqa: B008
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, object]:
    person = person_for_api(request, person_id)
    pg = chronology_page(person, ChronologyFilter(entry_types=type, date_from=date_from, date_to=date_to), page)
    person_view_record(actor=request.user, person=person, section="chronology")
    return {
        "count": pg.paginator.count,
        "page": pg.number,
        "pages": pg.paginator.num_pages,
        "page_size": PAGE_SIZE,
        "entries": list(pg.object_list),
    }


class CaseNoteIn(Schema):
    occurred_at: datetime
    subject: str = Field(..., max_length=200)
    body: str
    note_type: str = "case_note"


@router.post(
    "/{int:person_id}/case-notes",
    response={201: CreatedOut, 422: ErrorsOut},
    summary="Record a case note; it appears in the chronology at once",
)
def case_note_create(request: HttpRequest, person_id: int, payload: CaseNoteIn) -> Status[dict[str, object]]:
    person = person_for_api(request, person_id)
    if not access.may_for_person(request.user, access.Can.RECORD_CASE_NOTES, person):
        raise HttpError(403, "Your role cannot record case notes")
    note = services.case_note_create(actor=request.user, person=person, **payload.dict())
    return Status(201, {"id": note.pk})
