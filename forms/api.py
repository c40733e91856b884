"""Forms in /api/v1/ (issue 12): definitions in /api/v1/forms/, and a person's drafts and responses under the person,
/api/v1/people/{id}/forms/... (docs/architecture.md: endpoints about a person stay under the person).

The same rules as the pages: a person is fetched through `people.api.person_for_api` (403 for a colleague with no
part in the case, 404 for a record they may not find); filling in a form (a draft, saving it, submitting) is asked of
`accounts.access.may_fill_form` with the form's binding target; the writes are `forms.services.draft_save` and
`response_submit`, so the validation, the bindings (the journey's own services) and the audit are the page's. Refused
answers are 422 with a message per question id (`"actions.1.what"` inside a repeating group, `"__all__"` for the
form as a whole) and nothing is saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from accounts import access
from core.errors import RuleError
from core.inputs import Note, Text
from people.api import ACCESS_ANSWERS, IDEMPOTENCY_HEADER, ErrorsOut, MessageOut, person_for_api, require_role
from people.models import Person
from people.services import person_view_record

from . import fhir, selectors
from .models import FormDefinition, FormResponse, ResponseStatus
from .printing import pdf_file_name, response_print
from .services import (
    draft_save,
    response_authorise,
    response_correct,
    response_reopen,
    response_return,
    response_submit,
)

router = Router(tags=["forms"])
people_router = Router(tags=["forms"])

NOT_FOUND = {404: MessageOut}
ROLE_ANSWERS = {401: MessageOut, 403: MessageOut}


# Definitions -------------------------------------------------------------------------------------------------------


class DefinitionSummaryOut(Schema):
    name: str
    title: str
    version: int = Field(..., description="The latest version")
    versions: list[int] = Field(..., description="Every version published, oldest first")
    subject: str = Field(..., description="Whom the form is about: child, adult or any")
    record: str | None = Field(..., description="The structured record submitting it writes (its binding target)")
    authorisation: bool = Field(..., description="Whether a manager authorises it once submitted")


class DefinitionOut(Schema):
    name: str
    version: int
    title: str
    sha256: str = Field(..., description="SHA-256 of the definition's canonical JSON")
    loaded_at: datetime
    body: dict[str, Any] = Field(..., description="The whole definition (docs/forms-format.md)")


def _definition(name: str, version: int | None = None) -> FormDefinition:
    try:
        return selectors.definition_for(name, version)
    except selectors.NoSuchDefinition as e:
        raise HttpError(404, str(e)) from e


def _definition_out(d: FormDefinition) -> dict[str, Any]:
    return {f: getattr(d, f) for f in ("name", "version", "title", "sha256", "loaded_at", "body")}


@router.get(
    "/definitions",
    response={200: list[DefinitionSummaryOut], **ROLE_ANSWERS},
    summary="The forms published: each with its latest version",
)
def definitions(request: HttpRequest) -> list[dict[str, Any]]:
    require_role(request)
    # The list's own fields come from the latest body, read once per form (one more query than the summary).
    latest = {
        d.pk: d.body
        for d in FormDefinition.objects.filter(pk__in=[s.latest.pk for s in selectors.definitions_latest()])
    }
    out = []
    for s in selectors.definitions_latest():
        body = latest.get(s.latest.pk, {})
        out.append(
            {
                "name": s.name,
                "title": s.title,
                "version": s.latest.version,
                "versions": s.versions,
                "subject": body.get("subject", "any"),
                "record": body.get("record"),
                "authorisation": bool(body.get("authorisation")),
            }
        )
    return out


@router.get(
    "/definitions/{name}",
    response={200: DefinitionOut, **ROLE_ANSWERS, **NOT_FOUND},
    summary="A form's latest version, whole",
)
def definition_latest(request: HttpRequest, name: str) -> dict[str, Any]:
    require_role(request)
    return _definition_out(_definition(name))


@router.get(
    "/definitions/{name}/versions/{int:version}",
    response={200: DefinitionOut, **ROLE_ANSWERS, **NOT_FOUND},
    summary="One version of a form, whole (responses are pinned to the version they were made with)",
)
def definition_version(request: HttpRequest, name: str, version: int) -> dict[str, Any]:
    require_role(request)
    return _definition_out(_definition(name, version))


@router.get(
    "/definitions/{name}/versions/{int:version}/fhir",
    response={200: dict[str, Any], **ROLE_ANSWERS, **NOT_FOUND},
    summary="One version of a form as a FHIR R4 Questionnaire",
    description="For health partners: what was asked. forms/fhir.py says how each answer type maps.",
)
def definition_fhir(request: HttpRequest, name: str, version: int) -> dict[str, Any]:
    require_role(request)
    return fhir.checked(fhir.questionnaire(_definition(name, version)))


# A person's drafts and responses ------------------------------------------------------------------------------------


class ResponseSummaryOut(Schema):
    id: int
    form: str
    version: int
    title: str
    status: str = Field(
        ..., description="draft, submitted, authorised, or returned (to the worker, who reopens it as a new draft)"
    )
    author: str | None
    updated_at: datetime
    submitted_at: datetime | None


class ResponseOut(ResponseSummaryOut):
    answers: dict[str, Any] = Field(..., description="Keyed by question id (docs/forms-format.md, Answers)")
    created_at: datetime
    submitted_by: str | None
    sha256: str = Field(..., description="SHA-256 of the canonical answers, once submitted ('' before)")
    records: list[dict[str, Any]] = Field(
        ..., description='What submitting wrote to the structured record: [{"type": "cases.assessment", "id": 12}]'
    )
    supersedes: int | None = Field(..., description="The response this one corrects, or reopens after a return")
    correction_reason: str = Field(..., description="Why it was corrected ('' when it is not a correction)")
    decided_by: str | None = Field(..., description="The manager who authorised or returned it")
    decided_at: datetime | None
    decision_comments: str = Field(..., description="The manager's comments, or why it was returned")


class DraftIn(Schema):
    form: Annotated[str, Text(80)] = Field(..., description="The form's name")
    version: int | None = Field(None, description="The form's version (default: the latest)")
    answers: dict[str, Any] = Field(default_factory=dict, description="The answers so far, keyed by question id")


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(..., description="All the answers so far (they replace the draft's)")


class SubmitDraftIn(Schema):
    answers: dict[str, Any] | None = Field(
        None, description="The final answers; send {} to submit the draft's answers as saved"
    )


class SubmitIn(Schema):
    form: Annotated[str, Text(80)] = Field(..., description="The form's name")
    version: int | None = Field(None, description="The form's version (default: the latest)")
    answers: dict[str, Any] = Field(..., description="The answers, keyed by question id")


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def _summary(r: FormResponse) -> dict[str, Any]:
    return {
        "id": r.pk,
        "form": r.definition.name,
        "version": r.definition.version,
        "title": r.definition.title,
        "status": r.status,
        "author": _name(r.author),
        "updated_at": r.updated_at,
        "submitted_at": r.submitted_at,
    }


def _response_out(r: FormResponse) -> dict[str, Any]:
    return {
        **_summary(r),
        "answers": r.answers,
        "created_at": r.created_at,
        "submitted_by": _name(r.submitted_by),
        "sha256": r.sha256,
        "records": r.records,
        "supersedes": r.supersedes_id,
        "correction_reason": r.correction_reason,
        "decided_by": _name(r.decided_by),
        "decided_at": r.decided_at,
        "decision_comments": r.decision_comments,
    }


def _may_fill(request: HttpRequest, definition: FormDefinition, person: Person) -> None:
    record = definition.body.get("record")
    if not access.may_fill_form(request.user, record, person):
        raise HttpError(
            403, f"Your role cannot fill in this form: it needs a role that may {access.form_permission(record).value}"
        )


def _definition_in(name: str, version: int | None) -> FormDefinition:
    """The form a request names: input that can be put right, so 422 on `form` or `version` when there is none."""
    try:
        return selectors.definition_for(name, version)
    except selectors.NoSuchDefinition as e:
        raise RuleError({"version" if "no version" in str(e) else "form": str(e)}) from e


def _held(
    request: HttpRequest, person_id: int, item_id: int, *, draft: bool = False, fill: bool = False, seen: str = ""
) -> tuple[Person, FormResponse]:
    """The person (access as every person endpoint) and one of their drafts (`draft`) or form responses: 404 when
    there is none; 403 unless the user may fill in its form (`fill`: changing it needs what filling it in needs);
    audited as a view of `seen` (a section of the record) when given."""
    person = person_for_api(request, person_id)
    response = selectors.person_response(person, item_id)
    if draft and (response is None or response.status != ResponseStatus.DRAFT):
        raise HttpError(404, "No such draft (a submitted form is at .../forms/responses/{id})")
    if response is None:
        raise HttpError(404, "No such form response")
    if fill:
        _may_fill(request, response.definition, person)
    if seen:
        person_view_record(actor=request.user, person=person, section=seen.format(id=response.pk))
    return person, response


ACCESS_TEXT = (
    " Answers 403 when you have no part in this person's case or your role may not fill in this form, 404 for a "
    "record you may not find."
)
SUBMIT_TEXT = (
    "The answers are validated as on the page; hidden questions' answers are dropped; a form with a record target "
    "writes it through the journey's services in the same transaction (so every rule of the record applies). Refused: "
    '422 with a message per question id ("actions.1.what" in a repeating group, "__all__" for the form as a whole), '
    "and nothing is saved." + ACCESS_TEXT
)


@people_router.get(
    "/{int:person_id}/forms/drafts",
    response={200: list[ResponseSummaryOut], **ACCESS_ANSWERS},
    summary="The person's drafts: forms still being written (audited as a view)",
)
def drafts(request: HttpRequest, person_id: int) -> list[dict[str, Any]]:
    person = person_for_api(request, person_id)
    rows = [_summary(r) for r in selectors.person_responses(person, drafts=True)]
    person_view_record(actor=request.user, person=person, section="form drafts")
    return rows


@people_router.post(
    "/{int:person_id}/forms/drafts",
    response={201: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Start a draft of a form for the person",
    description="Drafts keep the answers as typed (checked only for characters that cannot be stored and for "
    "questions the form does not have)." + ACCESS_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def draft_create(request: HttpRequest, person_id: int, payload: DraftIn) -> Status[dict[str, Any]]:
    person = person_for_api(request, person_id)
    definition = _definition_in(payload.form, payload.version)
    _may_fill(request, definition, person)
    draft = draft_save(actor=request.user, definition=definition, person=person, answers=payload.answers)
    return Status(201, _response_out(draft))


@people_router.get(
    "/{int:person_id}/forms/drafts/{int:draft_id}",
    response={200: ResponseOut, **ACCESS_ANSWERS},
    summary="One draft, with its answers so far (audited as a view)",
)
def draft_detail(request: HttpRequest, person_id: int, draft_id: int) -> dict[str, Any]:
    _, draft = _held(request, person_id, draft_id, draft=True, seen="form draft {id}")
    return _response_out(draft)


@people_router.put(
    "/{int:person_id}/forms/drafts/{int:draft_id}",
    response={200: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Save a draft's answers (all of them: they replace what was saved)",
    description="A submitted form cannot be changed this way (422): correct it instead." + ACCESS_TEXT,
)
def draft_update(request: HttpRequest, person_id: int, draft_id: int, payload: AnswersIn) -> dict[str, Any]:
    person, draft = _held(request, person_id, draft_id, draft=True, fill=True)
    saved = draft_save(
        actor=request.user, definition=draft.definition, person=person, answers=payload.answers, response=draft
    )
    return _response_out(saved)


@people_router.post(
    "/{int:person_id}/forms/drafts/{int:draft_id}/submit",
    response={200: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Submit a draft: its saved answers (send {}), or the final answers sent",
    description=SUBMIT_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def draft_submit(request: HttpRequest, person_id: int, draft_id: int, payload: SubmitDraftIn) -> dict[str, Any]:
    person, draft = _held(request, person_id, draft_id, draft=True, fill=True)
    answers = payload.answers if payload.answers is not None else draft.answers
    submitted = response_submit(
        actor=request.user, definition=draft.definition, person=person, answers=answers, response=draft
    )
    return _response_out(submitted.response)


@people_router.post(
    "/{int:person_id}/forms/responses",
    response={201: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Submit a form for the person at once, without a draft (answers from another channel)",
    description=SUBMIT_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def response_create(request: HttpRequest, person_id: int, payload: SubmitIn) -> Status[dict[str, Any]]:
    person = person_for_api(request, person_id)
    definition = _definition_in(payload.form, payload.version)
    _may_fill(request, definition, person)
    submitted = response_submit(actor=request.user, definition=definition, person=person, answers=payload.answers)
    return Status(201, _response_out(submitted.response))


@people_router.get(
    "/{int:person_id}/forms/responses/{int:response_id}",
    response={200: ResponseOut, **ACCESS_ANSWERS},
    summary="One form response, whatever its status, with its answers (audited as a view)",
)
def response_detail(request: HttpRequest, person_id: int, response_id: int) -> dict[str, Any]:
    _, response = _held(request, person_id, response_id, seen="form response {id}")
    return _response_out(response)


@people_router.get(
    "/{int:person_id}/forms/responses/{int:response_id}/fhir",
    response={200: dict[str, Any], **ACCESS_ANSWERS},
    summary="One form response as a FHIR R4 QuestionnaireResponse (audited as a view)",
    description="The questionnaire it answers is GET /api/v1/forms/definitions/{name}/versions/{version}/fhir; the "
    "person is named by their NHS number where they have one.",
)
def response_fhir(request: HttpRequest, person_id: int, response_id: int) -> dict[str, Any]:
    _, response = _held(request, person_id, response_id, seen="form response {id} (FHIR)")
    return fhir.checked(fhir.questionnaire_response(response))


# A manager's decision, and the worker's reopening ----------------------------------------------------------------


class AuthoriseIn(Schema):
    comments: Note = Field("", description="The manager's comments (optional)")


class ReturnIn(Schema):
    reason: Note = Field(..., description="What the worker needs to change (required)")


DECISION_TEXT = (
    " For a form that needs authorisation, submitted and waiting, by a team manager who did not submit it; the "
    "decision is carried to the record the form wrote (an assessment is authorised, or in progress again) through "
    "the journey's services. Answers 403 for a user who is not a manager of this person's case, 422 (nothing saved) "
    "for a form that is not waiting for a decision."
)


def _to_decide(request: HttpRequest, person_id: int, response_id: int) -> FormResponse:
    person, response = _held(request, person_id, response_id)
    if not access.may_for_person(request.user, access.Can.MANAGE_CASES, person):
        raise HttpError(403, "Only a team manager can decide on a form. Ask your manager to do it.")
    return response


@people_router.post(
    "/{int:person_id}/forms/responses/{int:response_id}/authorise",
    response={200: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Authorise a submitted form, with comments",
    description="The form becomes authorised." + DECISION_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def response_authorise_api(
    request: HttpRequest, person_id: int, response_id: int, payload: AuthoriseIn
) -> dict[str, Any]:
    response = _to_decide(request, person_id, response_id)
    return _response_out(response_authorise(actor=request.user, response=response, comments=payload.comments))


@people_router.post(
    "/{int:person_id}/forms/responses/{int:response_id}/return",
    response={200: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Return a submitted form to the worker, with the reason",
    description="The form is kept as it was sent and the worker is told why; they reopen it as a new draft."
    + DECISION_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def response_return_api(request: HttpRequest, person_id: int, response_id: int, payload: ReturnIn) -> dict[str, Any]:
    response = _to_decide(request, person_id, response_id)
    return _response_out(response_return(actor=request.user, response=response, reason=payload.reason))


@people_router.post(
    "/{int:person_id}/forms/responses/{int:response_id}/reopen",
    response={201: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Reopen a form returned to the worker as a new draft (the same draft if reopened again)",
    description="The returned form is kept as it was sent; the draft supersedes it, on the same version of the form."
    + ACCESS_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def response_reopen_api(request: HttpRequest, person_id: int, response_id: int) -> Status[dict[str, Any]]:
    _, response = _held(request, person_id, response_id, fill=True)
    return Status(201, _response_out(response_reopen(actor=request.user, response=response)))


class CorrectionIn(Schema):
    answers: dict[str, Any] = Field(..., description="All the answers of the corrected form, keyed by question id")
    reason: Note = Field(..., description="Why the form is corrected (required; kept with the correction)")


@people_router.post(
    "/{int:person_id}/forms/responses/{int:response_id}/corrections",
    response={201: ResponseOut, 422: ErrorsOut, **ACCESS_ANSWERS},
    summary="Correct a submitted or authorised form: a new version that supersedes it, with the reason",
    description="The corrected response is never changed: the correction is a new response on the same version of "
    "the form, checked as a submission is, with who corrected it, when and why. A changed answer bound to the record "
    "goes through the record's own correction, or is refused on its question when the record cannot be corrected. "
    'Refused (422, nothing saved): no reason ("correction_reason"), no answer changed, an answer that does not '
    "validate, a form waiting for a manager or with a newer version." + ACCESS_TEXT,
    openapi_extra=IDEMPOTENCY_HEADER,
)
def response_correct_api(
    request: HttpRequest, person_id: int, response_id: int, payload: CorrectionIn
) -> Status[dict[str, Any]]:
    _, response = _held(request, person_id, response_id, fill=True)
    corrected = response_correct(actor=request.user, response=response, answers=payload.answers, reason=payload.reason)
    return Status(201, _response_out(corrected))


@people_router.get(
    "/{int:person_id}/forms/responses/{int:response_id}/pdf",
    response={200: bytes, **ACCESS_ANSWERS},
    summary="A submitted form printed to PDF/A-2b (audited as a print of the record)",
    description="application/pdf: the authority's name, the person, page numbers, the form's version and the "
    "response's SHA-256 in the footer. A draft is not printed (404)." + ACCESS_TEXT,
    openapi_extra={
        "responses": {
            "200": {
                "description": "The form as a PDF/A-2b file (an attachment)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def response_pdf_api(request: HttpRequest, person_id: int, response_id: int) -> HttpResponse:
    _, response = _held(request, person_id, response_id, seen="form response {id} printed")
    if response.status == ResponseStatus.DRAFT:
        raise HttpError(404, "A draft is not printed: submit it first")
    out = HttpResponse(response_print(actor=request.user, response=response), content_type="application/pdf")
    out["Content-Disposition"] = f'attachment; filename="{pdf_file_name(response)}"'
    return out
