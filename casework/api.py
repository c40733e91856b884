"""The JSON API, /api/v1/. Each app adds its router here; OpenAPI at /api/v1/openapi.json."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from accounts.api_auth import ApiTokenAuth
from cases.api import people_router as cases_people_router
from cases.api import router as cases_router
from core.api import MESSAGES, document_errors, error_response, parse_error_detail, summary, validation_errors
from core.errors import RuleError
from forms.api import people_router as forms_people_router
from forms.api import router as forms_router
from people.api import router as people_router
from recording.api import router as recording_router
from sync.api import Refused as SyncRefused
from sync.api import answer_refused as sync_refused
from sync.api import router as sync_router


class CaseworkAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every error status on every operation, with the one error shape (core.api)."""
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = CaseworkAPI(
    title="Casework API",
    version="1",
    description=(
        "People, chronology and recording. Every endpoint applies the same access rules as the pages. Use the "
        "signed-in session, or an API token issued by an administrator (Authorization: Bearer ...), which acts as "
        "its user within its scopes: read (GET), record (changes), returns, sync."
    ),
    # An API token (`Authorization: Bearer ...`, accounts.api_auth) or the signed-in session.
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
    # The OpenAPI schema is for signed-in users. The documentation is our own GOV.UK page built from it
    # (casework/api_docs.py, at /api/v1/docs): Swagger UI fails axe.
    docs_url=None,
    docs_decorator=login_required,
)


# Every error in the one shape of core.api.ErrorOut: {"detail": "...", "errors": {"field": "..."}}. An error answer
# saves nothing: core.middleware.AtomicWritesMiddleware rolls back a change answered with an error.


@api.exception_handler(RuleError)
def _rule_error(request: HttpRequest, exc: RuleError) -> HttpResponse:
    return error_response(422, summary(exc.errors), exc.errors)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Input that does not fit the schema (a missing field, text too long, a hidden control character, not a date):
    422 with a message per field, as a rule's refusal."""
    errors = validation_errors(exc.errors)
    return error_response(422, summary(errors), errors)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, MESSAGES[401])


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja's "Cannot parse request body": say what is wrong with it
        return error_response(400, parse_error_detail(exc))
    return error_response(exc.status_code, str(exc) or None)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, str(exc) or None)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """The access rule refused (a manager-only step by a social worker, say): 403, as the page answers, with the
    reason. 422 is only for input that can be put right."""
    return error_response(403, str(exc) or None)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413)


api.add_router("/people", people_router)
api.add_router("/people", recording_router)
api.add_router("/people", cases_people_router)
api.add_router("/people", forms_people_router)
api.add_router("/cases", cases_router)
api.add_router("/forms", forms_router)
api.add_router("/sync", sync_router)
# A sync call refused before its body is read (a removed device: 401 with Clear-Site-Data and wipe).
api.add_exception_handler(SyncRefused, sync_refused)
