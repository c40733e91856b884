from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from accounts import access
from core.api import error_response
from core.middleware import too_big
from people import access_views


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Find a person; for information governance, who hold no caseload, their own page (break-glass to review)."""
    if access.may(request.user, access.Can.EXPLAIN_ACCESS) and not access.may(
        request.user, access.Can.RECORD_CASE_NOTES
    ):
        return access_views.governance_home(request)
    return render(request, "home.html", {"has_role": access.has_any_role(request.user)})


# Error pages. Pages get a GOV.UK page with the header, the navigation and a way on; the API (/api/) keeps answering
# JSON, as django-ninja does for the errors it handles itself. Django calls these only when DEBUG is off.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django could not read. A body over DATA_UPLOAD_MAX_MEMORY_SIZE (sent without a Content-Length that
    core.middleware.RequestSizeMiddleware could check first) is 413, as there."""
    if isinstance(exception, RequestDataTooBig):
        return too_big(request)
    if _is_api(request):
        return error_response(400)
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_response(404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """ "You cannot do this": why (the view's reason, written for the user), and what the user's roles may do
    (accounts.access.PERMISSIONS)."""
    if _is_api(request):
        return error_response(403)
    reason = str(exception or "").strip().rstrip(".")
    context = {
        "reason": reason,
        "roles": access.role_names(request.user),
        "may_do": [what.value[0].upper() + what.value[1:] for what in access.what_user_may_do(request.user)],
    }
    return render(request, "403.html", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The page for an unexpected error. When the full page cannot be drawn (the database is down, say), the same
    page is drawn without the navigation, which needs the database."""
    if _is_api(request):
        return error_response(500)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        html = loader.get_template("500.html").render({"authority_name": settings.CASEWORK_AUTHORITY_NAME})
        return HttpResponse(html, status=500)
