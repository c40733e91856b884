"""People endpoints of /api/v1/. Same access rules as the pages (accounts.access), same services."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from audit.models import AuditAction
from audit.services import audit_record

from . import selectors, services
from .models import Person
from .search import SearchError, find_people, search_people

router = Router(tags=["people"])


def require_role(request: HttpRequest) -> None:
    """403 for a signed-in user with no role: the API's first check, as the pages'."""
    if not access.has_any_role(request.user):
        raise HttpError(403, "You do not have a role in Casework")


def person_for_api(request: HttpRequest, pk: int) -> Person:
    """The person, if this user may see their full record; as the pages answer (people.views.person_for_user): 403
    for a colleague without a legitimate relationship (they may find the person and see who to contact on the record
    page), 404 for a record they may not find at all (restricted, no grant: its existence does not leak). Every API
    module fetches a person through this."""
    require_role(request)
    person, full = access.person_for(request.user, pk)
    if person is None:
        raise Http404("No person found")
    if not full:
        raise HttpError(403, "You have no part in this person's case. Open their record to see who to contact.")
    return person


class IdentifierOut(Schema):
    type: str
    value: str


class MatchOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    nhs_number: str | None
    postcode: str | None
    identifiers: list[IdentifierOut]
    score: float


class SearchIn(Schema):
    q: str | None = Field(
        None, max_length=200, description="A name, an NHS number (spaces allowed), a UPN, a record number or a postcode"
    )
    name: str | None = Field(None, max_length=200, description="The same as q (the earlier name of the parameter)")
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
        raise HttpError(422, str(e)) from e
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
    line1: str
    line2: str
    town: str
    postcode: str
    lived_from: date | None
    lived_to: date | None


class RelationshipOut(Schema):
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
    identifiers: list[IdentifierOut]
    addresses: list[AddressOut]
    relationships: list[RelationshipOut]
    warnings: list[WarningOut]


@router.get("/{int:person_id}", response=PersonOut, summary="A person's record (audited as a view)")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, object]:
    person = person_for_api(request, person_id)
    s = selectors.person_summary(person.pk, viewer=request.user)
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
        "identifiers": [{"type": i.type, "value": i.value} for i in s.identifiers],
        "addresses": s.addresses,
        "relationships": [
            {
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


class ErrorsOut(Schema):
    errors: dict[str, str]


class CreatedOut(Schema):
    id: int


class AddressIn(Schema):
    line1: str
    line2: str = ""
    town: str = ""
    postcode: str = ""


class PersonIn(Schema):
    given_name: str = ""
    family_name: str = ""
    middle_names: str = ""
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    sex: str = "U"
    ethnicity: str = ""
    first_language: str = ""
    nhs_number: str = ""
    upn: str = ""
    address: AddressIn | None = None
    confirm_new: bool = Field(
        False, description="Create even though possible duplicates were found (they are kept for review)"
    )


class DuplicatesOut(Schema):
    detail: str
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
