"""People endpoints of /api/v1/. Same access rules as the pages (accounts.access), same services."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record
from core.api import ErrorOut, summary
from core.errors import ConfirmationNeeded, RuleError
from core.inputs import Code, Line, Text

from . import selectors, services
from .models import Person, PersonAddress, PersonIdentifier
from .search import SearchError, find_people, search_people

router = Router(tags=["people"])


def require_role(request: HttpRequest) -> None:
    """403 for a signed-in user with no role: the API's first check, as the pages'."""
    if not access.has_any_role(request.user):
        raise HttpError(403, "You do not have a role in Casework")


NO_PART = "You have no part in this person's case. Open their record to see who to contact."


def person_for_api(request: HttpRequest, pk: int) -> Person:
    """The person, if this user may see their full record, answered as the pages answer (people.views.
    person_for_user): 403 for a colleague who may find the person but has no relationship with the record, 404 for
    a record they may not find at all (restricted, no grant) or that does not exist, so its existence does not leak.
    Every API module fetches a person through this."""
    require_role(request)
    person, full = access.person_for(request.user, pk)
    if person is None:
        raise Http404("No person found")
    if (survivor := access.merged_into(person)) is not None:  # merged: everything is on the survivor now
        raise Http404(f"This record was merged into record {survivor}")
    if not full:
        raise HttpError(403, NO_PART)
    return person


class IdentifierOut(Schema):
    type: str
    value: str


class CurrentIdentifierOut(IdentifierOut):
    id: int = Field(..., description="For corrections and ending: .../identifiers/{id}/corrections, .../end")


class MatchOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    nhs_number: str | None
    postcode: str | None
    identifiers: list[IdentifierOut]
    score: float = Field(..., description="The match probability, 0 to 1 (1 for a number or postcode found)")
    match_weight: float = Field(
        ..., description="The evidence in bits (log2 of the likelihood ratio): what name results are ranked by"
    )
    reasons: list[str] = Field(..., description="What agrees and what differs, in words, strongest evidence first")
    explanation: str = Field(..., description='The reasons as one sentence: "Same surname (rare), born the same ..."')


class SearchIn(Schema):
    q: Line | None = Field(
        None, description="A name, an NHS number (spaces allowed), a UPN, a record number or a postcode"
    )
    name: Line | None = Field(None, description="The same as q (the earlier name of the parameter)")
    dob: date | None = None
    limit: int = Field(20, ge=1, le=100)


@router.get(
    "/search",
    response=list[MatchOut],
    summary="Find people by name (allowing for misspellings), NHS number, UPN, record number or postcode",
)
def search(request: HttpRequest, filters: Query[SearchIn]) -> list[dict[str, object]]:
    require_role(request)
    text = filters.q if filters.q is not None else (filters.name or "")
    try:
        found = find_people(user=request.user, text=text, date_of_birth=filters.dob, limit=filters.limit)
    except SearchError as e:
        raise RuleError({"q": str(e)}) from e
    audit_record(
        actor=request.user,
        action=AuditAction.SEARCH,
        object_type="person_search",
        context={
            "query": text,
            "kind": found.query.kind.value,
            "results": len(found.matches),
            "people": [m.id for m in found.matches],
            "channel": "api",
        },
    )
    return [m.as_json() for m in found.matches]


class AddressOut(Schema):
    id: int
    line1: str
    line2: str
    town: str
    postcode: str
    lived_from: date | None
    lived_to: date | None


class RelationshipOut(Schema):
    id: int
    other_id: int | None = Field(..., description="None when the other person's record is restricted to you")
    other_name: str
    type: str
    parental_responsibility: bool
    lives_with: bool


class WarningOut(Schema):
    type: str
    label: str
    details: str
    review_on: date


class PersonOut(Schema):
    id: int
    given_name: str
    middle_names: str
    family_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    date_of_death: date | None
    sex: str
    ethnicity: str
    first_language: str
    identifiers: list[CurrentIdentifierOut]
    addresses: list[AddressOut]
    relationships: list[RelationshipOut]
    warnings: list[WarningOut]


@router.get("/{int:person_id}", response=PersonOut, summary="A person's record (audited as a view)")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, object]:
    person = person_for_api(request, person_id)
    s = selectors.person_summary(person, viewer=request.user)
    services.person_view_record(actor=request.user, person=person, section="api")
    p = s.person
    return {
        **{
            k: getattr(p, k)
            for k in (
                "id",
                "given_name",
                "middle_names",
                "family_name",
                "date_of_birth",
                "expected_date_of_birth",
                "date_of_death",
                "sex",
                "ethnicity",
                "first_language",
            )
        },
        "identifiers": [{"id": i.pk, "type": i.type, "value": i.value} for i in s.identifiers],
        "addresses": s.addresses,
        "relationships": [
            {
                "id": r.pk,
                "other_id": r.other_id if s.other_findable(r) else None,
                "other_name": r.other.full_name if s.other_findable(r) else selectors.RESTRICTED_PERSON,
                "type": r.type,
                "parental_responsibility": r.parental_responsibility,
                "lives_with": r.lives_with,
            }
            for r in s.relationships
        ],
        "warnings": [
            {"type": w.type, "label": w.get_type_display(), "details": w.details, "review_on": w.review_on}
            for w in s.warnings
        ],
    }


# Every error answer has the one shape of core.api.ErrorOut: {"detail": ..., "errors": {field: message}}.
ErrorsOut = ErrorOut


class CreatedOut(Schema):
    id: int


MessageOut = ErrorOut


class AddressIn(Schema):
    line1: Annotated[str, Text(120)]
    line2: Annotated[str, Text(120)] = ""
    town: Annotated[str, Text(80)] = ""
    postcode: Annotated[str, Text(8)] = ""


class PersonIn(Schema):
    given_name: Annotated[str, Text(100)] = ""
    family_name: Annotated[str, Text(100)] = ""
    middle_names: Annotated[str, Text(100)] = ""
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    sex: Code = "U"
    ethnicity: Code = ""
    first_language: Annotated[str, Text(60)] = ""
    nhs_number: Annotated[str, Text(40)] = ""
    upn: Annotated[str, Text(40)] = ""
    address: AddressIn | None = None
    confirm_new: bool = Field(
        False, description="Create even though possible duplicates were found (they are kept for review)"
    )


class DuplicatesOut(ErrorOut):
    possible_duplicates: list[MatchOut]


@router.post(
    "",
    response={201: CreatedOut, 409: DuplicatesOut, 422: ErrorsOut},
    summary="Add a person; answers 409 with possible duplicates unless confirm_new is true",
)
def person_create(request: HttpRequest, payload: PersonIn) -> Status[dict[str, object]]:
    from .views import DUPLICATE_WARNING_SCORE

    require_role(request)
    if not access.may(request.user, access.Can.ADD_PEOPLE):
        raise HttpError(403, "Your role cannot add people")
    data = payload.dict()
    confirm = data.pop("confirm_new")
    address = data.pop("address")
    candidates = []
    if data["given_name"].strip() or data["family_name"].strip():
        candidates = [
            m
            for m in search_people(
                user=request.user,
                name=f"{data['given_name']} {data['family_name']}".strip(),
                date_of_birth=data["date_of_birth"],
                postcode=(address or {}).get("postcode", ""),
                limit=5,
            )
            if m.score >= DUPLICATE_WARNING_SCORE
        ]
    if candidates and not confirm:
        return Status(
            409,
            {
                "detail": "People already known may be the same person. Send confirm_new to add a new record anyway.",
                "possible_duplicates": [c.as_json() for c in candidates],
            },
        )
    person = services.person_create(
        actor=request.user,
        address=services.AddressInput(**address) if address else None,
        possible_duplicates_considered=[c.id for c in candidates],
        **data,
    )
    return Status(201, {"id": person.pk})


# --- identifiers, addresses and relationships: the same services and the same checks as the record's pages ---------
# Each answers as the pages do: 403 for a colleague with no part in the case (or a role that may not make the
# change), 404 for a record they may not find, 422 with a plain-English message per field when a rule refuses it
# (nothing is saved). A POST may carry an Idempotency-Key header: sent again with the same key, it is answered with
# the first answer and saves nothing more.

IDEMPOTENCY_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": "A key of your choosing (1 to 255 printable characters). A request sent again with the "
            "same key within a day gets the first answer (with Idempotent-Replayed: true) and changes nothing more.",
        }
    ]
}
ACCESS_ANSWERS = {401: MessageOut, 403: MessageOut, 404: MessageOut}
CHANGE_TEXT = (
    " Answers 401 when not signed in; 403 when you have no part in this person's case (you may see only their "
    "summary) or your role may not make this change; 404 for a record you may not find or that does not exist; 422 "
    "with a message per field when a rule refuses the change (nothing is saved)."
)


def _person_to_change(request: HttpRequest, person_id: int, can: access.Can, what: str) -> Person:
    """The person, if this user may see their whole record and make this change (as the pages' require_recorder)."""
    person = person_for_api(request, person_id)
    if not access.may_for_person(request.user, can, person):
        raise HttpError(403, f"Your role cannot {what}")
    return person


def _person_for_identifiers(request: HttpRequest, person_id: int) -> Person:
    """The person whose identifiers this user may change (access.may_change_identifiers, as the identifiers pages:
    the record's relationship rule, or the performance team on any record they may find); 403 or 404 otherwise."""
    require_role(request)
    person, full = access.person_for(request.user, person_id)
    if person is None:
        raise Http404("No person found")
    if not access.may_change_identifiers(request.user, person):
        raise HttpError(403, "Your role cannot change identifiers" if full else NO_PART)
    return person


def _current_identifier(person: Person, identifier_id: int) -> PersonIdentifier:
    ident = PersonIdentifier.objects.filter(pk=identifier_id, person=person, ended_on__isnull=True).first()
    if ident is None:
        raise Http404("No current identifier with this id on this record")
    return ident


class IdentifierIn(Schema):
    type: Code = Field(..., description="nhs, upn, former_upn, ni, home_office, legacy or source")
    value: Annotated[str, Text(40)] = Field(
        ..., description="Checked as when a person is added (NHS number check digit, UPN check letter)"
    )


class IdentifierCorrectionIn(Schema):
    value: Annotated[str, Text(40)] = Field(
        ..., description="The right value; the wrong one stays in the record's history"
    )
    reason: Annotated[str, Text(200)] = Field("", description="What was wrong (optional, 200 characters at most)")


class IdentifierEndIn(Schema):
    reason: Annotated[str, Text(200)] = Field(..., description="Why it no longer applies")
    ended_on: date | None = Field(None, description="When it stopped applying (today when left out)")


@router.post(
    "/{int:person_id}/identifiers",
    response={201: CreatedOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Add an identifier (NHS number, UPN...)",
    description="A second current NHS number or UPN, or one another person holds, is refused: correct or end the one "
    "recorded." + CHANGE_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def identifier_add(request: HttpRequest, person_id: int, payload: IdentifierIn) -> Status[dict[str, object]]:
    person = _person_for_identifiers(request, person_id)
    ident = services.identifier_add(actor=request.user, person=person, type=payload.type, value=payload.value)
    return Status(201, {"id": ident.pk})


@router.post(
    "/{int:person_id}/identifiers/{int:identifier_id}/corrections",
    response={200: CreatedOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Correct an identifier recorded wrongly",
    description="The new value is checked as a new one would be." + CHANGE_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def identifier_correct(
    request: HttpRequest, person_id: int, identifier_id: int, payload: IdentifierCorrectionIn
) -> Status[dict[str, object]]:
    person = _person_for_identifiers(request, person_id)
    ident = _current_identifier(person, identifier_id)
    services.identifier_correct(actor=request.user, identifier=ident, value=payload.value, reason=payload.reason)
    return Status(200, {"id": ident.pk})


@router.post(
    "/{int:person_id}/identifiers/{int:identifier_id}/end",
    response={200: CreatedOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="End an identifier that no longer applies (it stays on the record as ended)",
    description=CHANGE_TEXT.strip(),
    openapi_extra=IDEMPOTENCY_HEADER,
)
def identifier_end(
    request: HttpRequest, person_id: int, identifier_id: int, payload: IdentifierEndIn
) -> Status[dict[str, object]]:
    person = _person_for_identifiers(request, person_id)
    ident = _current_identifier(person, identifier_id)
    services.identifier_end(actor=request.user, identifier=ident, reason=payload.reason, ended_on=payload.ended_on)
    return Status(200, {"id": ident.pk})


class NewAddressIn(AddressIn):
    lived_from: date | None = Field(None, description="When they moved in (today when left out)")


class AddressCorrectionIn(AddressIn):
    lived_from: date | None = None
    lived_to: date | None = Field(None, description="Required for a past address; a current address has none")


@router.post(
    "/{int:person_id}/addresses",
    response={201: CreatedOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Add a new current address (a move): the previous one ends the day before",
    description=CHANGE_TEXT.strip(),
    openapi_extra=IDEMPOTENCY_HEADER,
)
def address_add(request: HttpRequest, person_id: int, payload: NewAddressIn) -> Status[dict[str, object]]:
    person = _person_to_change(request, person_id, access.Can.ADD_PEOPLE, "change addresses")
    address = services.address_add(actor=request.user, person=person, address=services.AddressInput(**payload.dict()))
    return Status(201, {"id": address.pk})


@router.post(
    "/{int:person_id}/addresses/{int:address_id}/corrections",
    response={200: CreatedOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Correct an address recorded wrongly (a move is a new address, not a correction)",
    description="The old values stay in the record's history." + CHANGE_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def address_correct(
    request: HttpRequest, person_id: int, address_id: int, payload: AddressCorrectionIn
) -> Status[dict[str, object]]:
    person = _person_to_change(request, person_id, access.Can.ADD_PEOPLE, "change addresses")
    address = PersonAddress.objects.filter(pk=address_id, person=person).first()
    if address is None:
        raise Http404("No address with this id on this record")
    services.address_correct(actor=request.user, address=address, **payload.dict())
    return Status(200, {"id": address.pk})


class RelationshipIn(Schema):
    other_id: int = Field(..., description="The other person's record number; you must be able to see their record")
    type: Code = Field(
        ...,
        description="What the other person is to this person: parent, child, sibling, half_sibling, step_parent, "
        "step_child, grandparent, grandchild, carer, cared_for, partner or household_member",
    )
    parental_responsibility: bool = Field(False, description="The other person holds parental responsibility")
    lives_with: bool = False
    started_on: date | None = None
    confirmed: bool = Field(
        False, description="Record it although it is unusual: send again with true after reading the questions"
    )


class RelationshipErrorsOut(ErrorOut):
    questions: list[str] = Field(
        [],
        description="When the relationship is unusual but possible (a parent 13 years older): the questions to "
        "confirm; nothing is saved until the request is sent again with confirmed: true",
    )


# The service's field names, as this endpoint names them.
_RELATIONSHIP_FIELDS = {"other": "other_id", "confirm": "confirmed"}


@router.post(
    "/{int:person_id}/relationships",
    response={201: CreatedOut, 422: RelationshipErrorsOut, **ACCESS_ANSWERS},
    summary="Add a relationship: what another person is to this person",
    description="Both records get their side of it. The ages are checked: an impossible relationship (a 7-year-old "
    "parent) is refused; an unusual one is answered 422 with `questions` and `errors.confirmed`, and is recorded "
    "when sent again with `confirmed: true` (the confirmation is audited)." + CHANGE_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def relationship_add(request: HttpRequest, person_id: int, payload: RelationshipIn) -> Status[dict[str, object]]:
    person = _person_to_change(request, person_id, access.Can.ADD_PEOPLE, "add relationships")
    other = access.visible_people(request.user).filter(pk=payload.other_id).first()
    if other is None:
        missing = "There is no record with this number that you may see"
        return Status(422, {"detail": missing, "errors": {"other_id": missing}})
    try:
        # "other is <type> of person", as the page asks "What is <other> to <person>?"
        rel = services.relationship_create(
            actor=request.user,
            person=other,
            other=person,
            type=payload.type,
            parental_responsibility=payload.parental_responsibility,
            lives_with=payload.lives_with,
            started_on=payload.started_on,
            confirmed=payload.confirmed,
        )
    except RuleError as refused:
        errors = {_RELATIONSHIP_FIELDS.get(k, k): v for k, v in refused.errors.items()}
        questions = refused.questions if isinstance(refused, ConfirmationNeeded) else []
        return Status(422, {"detail": summary(errors), "errors": errors, "questions": questions})
    return Status(201, {"id": rel.pk})
