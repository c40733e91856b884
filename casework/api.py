"""The JSON API, /api/v1/. Each app adds its router here; OpenAPI at /api/v1/openapi.json."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import SessionAuth

from accounts.api_auth import ApiTokenAuth
from cases.api import people_router as cases_people_router
from cases.api import router as cases_router
from core.errors import RuleError
from forms.api import people_router as forms_people_router
from forms.api import router as forms_router
from people.api import router as people_router
from recording.api import router as recording_router

api = NinjaAPI(
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


@api.exception_handler(RuleError)
def _rule_error(request: HttpRequest, exc: RuleError) -> HttpResponse:
    return api.create_response(request, {"errors": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """The access rule refused (a manager-only step by a social worker, say): 403, as the page answers, with the
    reason. 422 is only for input that can be put right."""
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


api.add_router("/people", people_router)
api.add_router("/people", recording_router)
api.add_router("/people", cases_people_router)
api.add_router("/people", forms_people_router)
api.add_router("/cases", cases_router)
api.add_router("/forms", forms_router)
