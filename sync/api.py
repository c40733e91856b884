"""/api/v1/sync/: the offline app's endpoints (docs/sync-protocol.md).

Every call but `session` and registering a device names the device (header `X-Casework-Device`), and the device is
checked before anything else (sync.services.device_check): a removed device, or one whose user is disabled, is
answered 401 with `Clear-Site-Data: "storage"` and `"wipe": true`, even when no one is signed in (a disabled user's
sessions have ended); a device whose user has not signed in online for `reauth_days` gets 401 with `"reauth": true`.
The user is the signed-in session's (with the CSRF token on a POST) or an API token's with the `sync` scope.
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from allauth.account.authentication import get_authentication_records
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from ninja import Field, Query, Router, Schema, Status
from ninja.security import APIKeyHeader, SessionAuth
from ninja.utils import check_csrf
from pydantic import field_validator

from accounts import access
from accounts.api_auth import ApiTokenAuth
from core.api import CSRF_FAILED, error_response, summary
from core.errors import RuleError
from core.inputs import REFUSED_CHARACTERS, Line, LocalDateTime, Text
from documents.models import RenditionKind

from . import documents as offline_documents
from . import pull as pulling
from . import push as pushing
from . import services
from .models import Device
from .words import conflict_words

DEVICE_HEADER = "X-Casework-Device"
NO_ROLE = "You do not have a role in Casework"


class Refused(Exception):
    """A sync call refused before its body is read: `response` is the answer (casework.api registers
    `answer_refused` as its handler)."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def answer_refused(request: HttpRequest, exc: Any) -> HttpResponse:
    return exc.response


class DeviceHeader(APIKeyHeader):
    """The device header, checked before anything else (before who is signed in, so that a removed device is told to
    wipe itself even without a session, and before the body is read), then the CSRF token of a session's POST and
    the user's role. The device becomes `request.auth`."""

    param_name = DEVICE_HEADER

    def __call__(self, request: HttpRequest) -> Any:
        checked = services.device_check(
            device_id=request.headers.get(DEVICE_HEADER),
            user=request.user,
            signed_in_at=_signed_in_at(request),
        )
        if isinstance(checked, services.Refusal):
            raise Refused(refused(checked))
        if request.method == "POST" and getattr(request, "api_token", None) is None and check_csrf(request) is not None:
            raise Refused(error_response(403, CSRF_FAILED))
        if not access.has_any_role(request.user):
            raise Refused(error_response(403, NO_ROLE))
        return checked

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # __call__ does it all


router = Router(tags=["offline sync"], auth=DeviceHeader())
# Who is signed in and registering a device: before there is a device, the API's own ways in.
SIGNED_IN = [ApiTokenAuth(), SessionAuth()]


class RefusalOut(Schema):
    detail: str
    errors: dict[str, str] = Field(default_factory=dict)
    wipe: bool = Field(False, description="Delete every database, cache and service worker of the app, now")
    reauth: bool = Field(False, description="Lock until the user signs in to Casework online again")


REFUSAL_401 = (
    "Not signed in; or the device is removed or its user disabled (`wipe`: true, with Clear-Site-Data); or it has not "
    "been signed in to online for too long (`reauth`: true)"
)


# The 401 of every sync operation, in words (the body is RefusalOut).
ON_401 = {
    "responses": {
        "401": {
            "description": REFUSAL_401,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefusalOut"}}},
        }
    }
}


def refused(refusal: services.Refusal) -> JsonResponse:
    body: dict[str, Any] = {"detail": refusal.detail, "errors": {}}
    if refusal.wipe:
        body["wipe"] = True
    if refusal.reauth:
        body["reauth"] = True
    response = JsonResponse(body, status=401)
    if refusal.wipe:
        response["Clear-Site-Data"] = '"storage"'
    return response


def _signed_in_at(request: HttpRequest) -> datetime | None:
    """When this request's session last proved the user's second factor (None for an API token)."""
    from django.utils import timezone

    if getattr(request, "api_token", None) is not None or not request.user.is_authenticated:
        return None
    moments = [float(r.get("at") or 0) for r in get_authentication_records(request, request.user)]
    return datetime.fromtimestamp(max(moments), tz=timezone.get_current_timezone()) if moments else None


def with_device(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the device DeviceHeader checked (`request.auth`) to the view as `device`."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return view(request, *args, device=request.auth, **kwargs)  # type: ignore[attr-defined]

    # ninja reads the view's parameters from its signature: the device is not one of them.
    signature = inspect.signature(view)
    wrapped.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for name, p in signature.parameters.items() if name != "device"]
    )
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.__module__ = view.__module__
    wrapped.__annotations__ = {k: v for k, v in view.__annotations__.items() if k != "device"}
    return wrapped


def _signed_in(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return error_response(401, services.NOT_SIGNED_IN)
    if request.method == "POST" and getattr(request, "api_token", None) is None and check_csrf(request) is not None:
        return error_response(403, CSRF_FAILED)
    return None


# --- session and devices ----------------------------------------------------------------------------------------


class SessionOut(Schema):
    user_id: int
    name: str
    email: str
    csrf_token: str = Field(..., description="Send it as the X-CSRFToken header on every POST of a session")
    reauth_days: int
    idle_lock_minutes: int


@router.get(
    "/session",
    response={200: SessionOut, 401: RefusalOut},
    auth=SIGNED_IN,
    openapi_extra=ON_401,
    summary="Who is signed in",
)
def session(request: HttpRequest) -> Any:
    """The signed-in user, the CSRF token for POSTs, and the device settings. No device needed."""
    if (refusal := _signed_in(request)) is not None:
        return refusal
    user: Any = request.user
    return {
        "user_id": user.pk,
        "name": getattr(user, "display_name", "") or user.get_username(),
        "email": user.email,
        "csrf_token": get_token(request),
        "reauth_days": services.reauth_days(),
        "idle_lock_minutes": services.idle_lock_minutes(),
    }


class DeviceIn(Schema):
    name: Line = Field(..., description="What the user calls the device, like “Sam’s iPad”")


class DeviceOut(Schema):
    device_id: uuid.UUID
    name: str
    registered_at: datetime
    reauth_days: int
    idle_lock_minutes: int


def _device_out(device: Device) -> dict[str, Any]:
    return {
        "device_id": device.pk,
        "name": device.name,
        "registered_at": device.registered_at,
        "reauth_days": services.reauth_days(),
        "idle_lock_minutes": services.idle_lock_minutes(),
    }


@router.post(
    "/devices",
    response={201: DeviceOut, 401: RefusalOut},
    auth=SIGNED_IN,
    openapi_extra=ON_401,
    summary="Register this device",
)
def device_register(request: HttpRequest, payload: DeviceIn) -> Any:
    """Register a device for the signed-in user (named; listed on their devices page and for administrators)."""
    if (refusal := _signed_in(request)) is not None:
        return refusal
    if not access.has_any_role(request.user):
        return error_response(403, NO_ROLE)
    device = services.device_register(actor=request.user, name=payload.name, authenticated_at=_signed_in_at(request))
    return Status(201, _device_out(device))


@router.post(
    "/device/revoke", response={200: DeviceOut, 401: RefusalOut}, openapi_extra=ON_401, summary="Remove this device"
)
@with_device
def device_revoke(request: HttpRequest, device: Device) -> Any:
    """The user removes the device they are using (signing out for good): its next call is told to wipe itself."""
    services.device_revoke(actor=request.user, device=device, reason="Removed from the device")
    return _device_out(device)


# --- pull -----------------------------------------------------------------------------------------------------------


class RecordOut(Schema):
    type: str = Field(
        ...,
        description=", ".join(
            [
                "person",
                "relationship",
                "chronology_entry",
                "case_note",
                "visit",
                "task",
                "plan",
                "form_draft",
                "form_definition",
                "conflict",
                "document",
            ]
        ),
    )
    id: str
    version: int
    person_id: int | None
    data: dict[str, Any] = Field(..., description="Values in words; `editable`: the raw values a device may change")


class PullOut(Schema):
    cursor: str = Field(..., description="Opaque: send it with the next pull")
    has_more: bool
    upserts: list[RecordOut]
    evictions: list[dict[str, Any]] = Field(
        ..., description='{"type", "id"}: drop that record; {"person_id"}: drop everything about that person'
    )
    scope_checksum: str = Field(
        ..., description="SHA-256 over the sorted (type, id, version) of the scope; empty while has_more"
    )
    server_time: str
    reset: bool = Field(False, description="The device's checksum differs: drop the store and download again")


class PullQuery(Schema):
    # The cursor's form is checked where it is read (sync.pulling: a 422 naming it); here, the project's text rule.
    cursor: Annotated[str, Text(200, label="Cursor")] | None = None
    limit: int = Field(pulling.DEFAULT_LIMIT, ge=1, le=pulling.MAX_LIMIT)
    checksum: Annotated[str, Text(64, label="Checksum")] | None = None


@router.get(
    "/pull", response={200: PullOut, 401: RefusalOut}, openapi_extra=ON_401, summary="Changes in this device's scope"
)
@with_device
def pull(request: HttpRequest, device: Device, query: Query[PullQuery]) -> Any:
    """A page of what the device must apply. No cursor: the first download. Compressed (gzip or brotli) when the
    request accepts it."""
    answer = pulling.pull(
        device=device, user=request.user, cursor_text=query.cursor, limit=query.limit, checksum=query.checksum
    )
    return compressed(request, answer.as_dict())


def compressed(request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    """JSON, brotli- or gzip-compressed when the request accepts it (Accept-Encoding), as the static files are."""
    import gzip

    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    accepted = request.headers.get("Accept-Encoding", "").lower()
    response = HttpResponse(content_type="application/json")
    response["Vary"] = "Accept-Encoding"
    if "br" in accepted and len(raw) > 200:
        import brotli

        response.content = brotli.compress(raw, quality=5)
        response["Content-Encoding"] = "br"
    elif "gzip" in accepted and len(raw) > 200:
        response.content = gzip.compress(raw, compresslevel=6, mtime=0)
        response["Content-Encoding"] = "gzip"
    else:
        response.content = raw
    return response


# --- push -----------------------------------------------------------------------------------------------------------


def _refused_text(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        if REFUSED_CHARACTERS.search(value):
            return f"{path} must not contain hidden control characters"
        if len(value) > 20_000:
            return f"{path} must be 20,000 characters or fewer"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if problem := _refused_text(str(k), path) or _refused_text(v, f"{path}.{k}"):
                return problem
    if isinstance(value, list):
        for i, v in enumerate(value):
            if problem := _refused_text(v, f"{path}.{i}"):
                return problem
    return None


class MutationIn(Schema):
    id: uuid.UUID = Field(
        ..., description="A UUIDv7 the device made: a retry with the same id is answered, not applied again"
    )
    type: Literal["case_note", "visit", "form_submission", "form_draft", "person"]
    action: Literal["create", "update"]
    record_id: Annotated[str, Text(60, label="Record id")] | None = None
    base_version: int | None = Field(None, ge=0)
    fields: dict[str, Any] = Field(default_factory=dict)
    base: dict[str, Any] = Field(default_factory=dict)
    made_at: LocalDateTime | None = None

    @field_validator("fields", "base")
    @classmethod
    def _clean(cls, value: dict[str, Any]) -> dict[str, Any]:
        if problem := _refused_text(value, "The field"):
            raise ValueError(problem)
        return value


class PushIn(Schema):
    mutations: list[MutationIn] = Field(..., max_length=pushing.MAX_MUTATIONS)

    @field_validator("mutations", mode="before")
    @classmethod
    def _at_most(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > pushing.MAX_MUTATIONS:
            raise ValueError(
                f"A batch holds at most {pushing.MAX_MUTATIONS} changes; this one has {len(value)}. Nothing was "
                "saved: send them in smaller batches"
            )
        return value

    @field_validator("mutations")
    @classmethod
    def _unique(cls, value: list[MutationIn]) -> list[MutationIn]:
        ids = [m.id for m in value]
        if len(set(ids)) != len(ids):
            raise ValueError("Each change in a batch needs its own id: this batch repeats one. Nothing was saved")
        return value


class ResultOut(Schema):
    id: str
    status: Literal["applied", "merged", "conflict", "rejected"]
    record: dict[str, Any] | None
    conflict_id: int | None
    reason: str | None
    errors: dict[str, str]


class PushOut(Schema):
    results: list[ResultOut]


@router.post(
    "/push", response={200: PushOut, 401: RefusalOut}, openapi_extra=ON_401, summary="Send the device's changes"
)
@with_device
def push(request: HttpRequest, device: Device, payload: PushIn) -> Any:
    """A batch of at most 100 changes (and the API's 512 KB): each applied through the record's own services, or
    answered with its stored result when sent before. A malformed batch is refused whole (422) and nothing is
    written."""
    mutations = [m.dict() for m in payload.mutations]
    return {"results": pushing.push(device=device, user=request.user, mutations=mutations)}


# --- conflicts --------------------------------------------------------------------------------------------------


class ResolveIn(Schema):
    keep: Literal["device", "server", "other"]
    value: Annotated[str, Text(2_000, label="Value")] | bool | None = Field(
        None, description="With keep = other: the value to record"
    )

    @field_validator("value")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        if isinstance(value, str) and (problem := _refused_text(value, "Value")):
            raise ValueError(problem)
        return value


class ConflictOut(Schema):
    id: int
    person_id: int
    data: dict[str, Any]
    resolved: bool


@router.post(
    "/conflicts/{conflict_id}/resolve",
    response={200: ConflictOut, 401: RefusalOut},
    openapi_extra=ON_401,
    summary="Resolve a conflict",
)
@with_device
def conflict_resolve(request: HttpRequest, device: Device, conflict_id: int, payload: ResolveIn) -> Any:
    """Keep the device's value, Casework's, or another: by the worker who made the change or their manager."""
    conflict = services.conflicts_open_for(request.user).filter(pk=conflict_id).first()
    if conflict is None:
        return error_response(404, "No open conflict of yours with that number")
    try:
        conflict = services.conflict_resolve(
            actor=request.user, conflict=conflict, keep=payload.keep, value=payload.value
        )
    except RuleError as e:
        return error_response(422, summary(e.errors), e.errors)
    return {"id": conflict.pk, "person_id": conflict.person_id, "data": conflict_words(conflict), "resolved": True}


# --- documents, when opened ---------------------------------------------------------------------------------------

NO_DOCUMENT = "No document with that number that you may see: it may have been restricted, or moved to another record"


class PageOut(Schema):
    page: int
    url: str = Field(..., description="Fetch it with the device header: the page as a PNG image")


class DocumentOut(Schema):
    id: int
    person_id: int
    title: str
    file_version: int = Field(..., description="The number of the latest version, whose pages these are")
    status: str = Field(..., description="The pages to read, in words: Ready, Being made, Not possible, Failed")
    message: str = Field(..., description="Why there are no pages to read, in words, when there are none")
    pages: list[PageOut]


def _not_found(detail: str = NO_DOCUMENT) -> HttpResponse:
    return error_response(404, detail)


ON_404 = {
    "description": "No such document (or page) that this user may see: a restricted one without a grant is answered so too",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


@router.get(
    "/documents/{document_id}",
    response={200: DocumentOut, 401: RefusalOut},
    openapi_extra={"responses": {**ON_401["responses"], "404": ON_404}},
    summary="Open a document",
)
@with_device
def document_open(request: HttpRequest, device: Device, document_id: int) -> Any:
    """A document the app is opening: its latest version and the addresses of its pages to read (fetch each, then
    keep them encrypted on the device). Checked and audited as the web's document page: a view of the record and of
    the document."""
    from documents.services import document_viewed
    from people.services import person_view_record

    found = offline_documents.opened(request.user, document_id)
    if found is None:
        return _not_found()
    person_view_record(actor=request.user, person=found.person, section="document")
    document_viewed(actor=request.user, document=found.document, section="document")
    version = found.version
    status = version.get_rendition_status_display() if version else "No file"
    message = "" if found.pages else (version.rendition_message if version else "") or status
    return {
        "id": found.document.pk,
        "person_id": found.person.pk,
        "title": found.document.title,
        "file_version": version.number if version else 0,
        "status": status,
        "message": message,
        "pages": [
            {"page": r.page, "url": f"/api/v1/sync/documents/{found.document.pk}/v{version.number}/pages/{r.page}"}
            for r in found.pages
            if version
        ],
    }


@router.get(
    "/documents/{document_id}/v{number}/pages/{page}",
    response={401: RefusalOut},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The page, as a PNG image",
                "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            },
            **ON_401["responses"],
            "404": ON_404,
        }
    },
    summary="A page of a document",
)
@with_device
def document_page(request: HttpRequest, device: Device, document_id: int, number: int, page: int) -> Any:
    """One page of a version of a document, to read (and keep, encrypted, on the device). Checked and audited as the
    web's page image: a view of the record and of the document."""
    from documents import selectors as document_selectors
    from documents import storage
    from documents.services import document_viewed
    from people.services import person_view_record

    found = offline_documents.document_for(request.user, document_id)
    if found is None:
        return _not_found()
    person, document = found
    person_view_record(actor=request.user, person=person, section="document page")
    rendition = document_selectors.rendition_of(document, number, RenditionKind.PAGE, page)
    if rendition is None:
        return _not_found(f"This document has no page {page} in version {number}")
    document_viewed(actor=request.user, document=document, section=f"page {page} of version {number}")
    try:
        data = storage.read_stored(rendition.storage_name)
    except (FileNotFoundError, OSError):
        return _not_found("The stored page is missing: the fixity check reports it")
    response = HttpResponse(data, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
