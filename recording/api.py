"""Recording in /api/v1/people/{id}/...: the chronology and case notes. Same access rules and services as the pages.
Visits are recorded through cases (/api/v1/people/{id}/visits in cases.api), which completes the statutory visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from core import limits
from core.errors import RuleError
from core.inputs import Code, Line, LocalDateTime, Note, Text
from people.api import CreatedOut, ErrorsOut, MessageOut, person_for_api
from people.models import Person
from people.services import person_view_record

from . import services
from .models import CaseNote, Visit
from .selectors import PAGE_SIZE, ChronologyFilter, children_to_record_for, chronology_entry, chronology_page

router = Router(tags=["people"])


class EntryOut(Schema):
    id: int
    occurred_at: datetime
    entry_type: str
    title: str
    summary: str = Field(
        ...,
        description="The beginning of the text, line breaks kept; the whole text is `text` of "
        "GET .../chronology/{entry_id}",
    )
    truncated: bool = Field(..., description="Whether the summary is only the beginning of the text")
    recorded_by_name: str

    @staticmethod
    def resolve_truncated(obj: Any) -> bool:
        if isinstance(obj, dict):
            return bool(obj["summary"] != obj["text"])
        return bool(obj.summary != obj.text)


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
    type: list[Code] = Query(default=[]),  # noqa: B008
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


class VersionOut(Schema):
    at: datetime
    by: str
    reason: str
    subject: str
    text: str


class AlsoForOut(Schema):
    person_id: int
    entry_id: int
    name: str


class AnswerOut(Schema):
    question: str
    answer: str


class EntryDetailOut(EntryOut):
    text: str = Field(..., description="The whole text, line breaks kept")
    recorded_at: datetime
    source_type: str
    source_id: int
    versions: list[VersionOut] = Field(
        ..., description="A case note's or visit's versions, oldest first (more than one when corrected)"
    )
    also_for: list[AlsoForOut] = Field(..., description="The same note or visit on other children you may see")
    answers: list[AnswerOut] = Field(..., description="What a journey step recorded, in words")


@router.get(
    "/{int:person_id}/chronology/{int:entry_id}",
    response=EntryDetailOut,
    summary="One chronology entry whole: its text, its corrections and what it records",
)
def chronology_entry_detail(request: HttpRequest, person_id: int, entry_id: int) -> dict[str, object]:
    person = person_for_api(request, person_id)
    detail = chronology_entry(request.user, person, entry_id)
    if detail is None:
        raise Http404("No such entry")
    person_view_record(actor=request.user, person=person, section=f"chronology entry {entry_id}")
    e = detail.entry
    return {
        **{f: getattr(e, f) for f in ("id", "occurred_at", "entry_type", "title", "summary", "recorded_by_name")},
        **{f: getattr(e, f) for f in ("text", "recorded_at", "source_type", "source_id")},
        "versions": [v.__dict__ for v in detail.versions],
        "also_for": [{"person_id": o.person_id, "entry_id": o.pk, "name": o.person.full_name} for o in detail.also_for],
        "answers": [{"question": q, "answer": a} for q, a in detail.answers],
    }


def also_for_people(request: HttpRequest, person: Person, ids: list[int], what: access.Can) -> list[Person]:
    """The children named by `also_for`, each one a sibling or household child this user may record for; a
    RuleError (422) names any other."""
    offered = {c.pk: c for c in children_to_record_for(request.user, person, what)}
    if any(pk not in offered for pk in ids):
        raise RuleError({"also_for": "Give only the siblings and household children you may record for"})
    return [offered[pk] for pk in dict.fromkeys(ids)]


class CaseNoteIn(Schema):
    occurred_at: LocalDateTime
    subject: Line = Field(..., max_length=200)
    body: Annotated[str, Text(limits.NOTE, "Case note")]
    note_type: Code = "case_note"
    also_for: list[int] = Field(
        default=[], description="Record the same note for these siblings or household children (person ids)"
    )


@router.post(
    "/{int:person_id}/case-notes",
    response={201: CreatedOut, 422: ErrorsOut},
    summary="Record a case note; it appears in the chronology at once",
)
def case_note_create(request: HttpRequest, person_id: int, payload: CaseNoteIn) -> Status[dict[str, object]]:
    person = person_for_api(request, person_id)
    if not access.may_for_person(request.user, access.Can.RECORD_CASE_NOTES, person):
        raise HttpError(403, "Your role cannot record case notes")
    data = payload.dict()
    also_for = also_for_people(request, person, data.pop("also_for"), access.Can.RECORD_CASE_NOTES)
    note = services.case_note_create(actor=request.user, person=person, also_for=also_for, **data)
    return Status(201, {"id": note.pk})


class CorrectionIn(Schema):
    occurred_at: LocalDateTime
    subject: Line = Field(..., max_length=200)
    body: Annotated[str, Text(limits.NOTE, "Case note")]
    note_type: Code = "case_note"
    reason: Annotated[str, Text(300)] = Field(..., description="Why the note is corrected; the earlier version is kept")


CORRECTION_DESCRIPTION = (
    "Only the author, or a team manager of a team holding the person's case, may correct it; anyone else is "
    "answered 403 with a message saying who can. A correction without a reason, or that changes nothing, is 422."
)


@router.post(
    "/{int:person_id}/case-notes/{int:note_id}/corrections",
    response={200: CreatedOut, 403: MessageOut, 422: ErrorsOut},
    summary="Correct a case note; the earlier version is kept in its history",
    description=CORRECTION_DESCRIPTION,
)
def case_note_correct(
    request: HttpRequest, person_id: int, note_id: int, payload: CorrectionIn
) -> Status[dict[str, object]]:
    person = person_for_api(request, person_id)
    note = CaseNote.objects.filter(person=person, pk=note_id).first()
    if note is None:
        raise Http404("No such case note")
    services.case_note_correct(actor=request.user, note=note, **payload.dict())  # refuses others: 403
    return Status(200, {"id": note.pk})


class VisitCorrectionIn(Schema):
    occurred_at: LocalDateTime
    visit_type: Code
    child_seen: bool
    seen_alone: bool | None = Field(None, description="Required when the child was seen")
    not_seen_reason: Annotated[str, Text(300)] = Field("", description="Required when the child was not seen")
    notes: Note
    reason: Annotated[str, Text(300)] = Field(
        ..., description="Why the visit is corrected; the earlier version is kept"
    )


@router.post(
    "/{int:person_id}/visits/{int:visit_id}/corrections",
    response={200: CreatedOut, 403: MessageOut, 422: ErrorsOut},
    summary="Correct a visit; the earlier version is kept in its history",
    description=CORRECTION_DESCRIPTION,
)
def visit_correct(
    request: HttpRequest, person_id: int, visit_id: int, payload: VisitCorrectionIn
) -> Status[dict[str, object]]:
    person = person_for_api(request, person_id)
    visit = Visit.objects.filter(person=person, pk=visit_id).first()
    if visit is None:
        raise Http404("No such visit")
    services.visit_correct(actor=request.user, visit=visit, **payload.dict())  # refuses others: 403
    return Status(200, {"id": visit.pk})
