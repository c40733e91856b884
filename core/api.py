"""The API's one error shape, and how every error the API can answer becomes it (issue 11, "Bad input at the edge").

Every error the API answers, whatever its status, is JSON of one shape, `ErrorOut`:

    {"detail": "What is wrong, in words", "errors": {"field": "What is wrong with it", ...}}

`errors` names the fields of input that can be put right (422, and 400 for a body that is not JSON); it is empty for
the others. Some answers add to it (409 possible duplicates, 422 an unusual relationship's questions). Every status
is documented with this body on every operation of the OpenAPI (`document_errors`), and API paths never answer HTML:
`ApiErrorsMiddleware` turns any error that reaches it another way (a wrong method, a failed CSRF check, a request too
big, an unknown path, an unexpected failure) into the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Schema

from core import limits
from core.inputs import subject_of

API_PREFIX = "/api/"


class ErrorOut(Schema):
    detail: str = Field(..., description="What is wrong, in words a person can act on")
    errors: dict[str, str] = Field(
        default_factory=dict,
        description="For input that can be put right: a message per field (`__all__` for the request as a whole)",
    )


# Every status the API may answer with an error, and when. The OpenAPI documents each on every operation.
ERROR_STATUSES: dict[int, str] = {
    400: "The request could not be read: the body is not JSON, or a header is malformed",
    401: "Not signed in, or the API token is not valid (mistyped, expired or revoked)",
    403: "Your role, or the token's scopes, may not do this, or you have no part in this person's case",
    404: "Not found, or a record you may not find",
    405: "The method is not allowed on this path",
    409: "It conflicts with what is already recorded",
    413: f"The request body is larger than {limits.REQUEST_BYTES // 1024:,} KB",
    422: "The input is refused: a message per field in `errors`; nothing was saved",
    429: "Too many requests: wait and try again",
    500: "Something went wrong in Casework; nothing was saved. Try again later",
}

MESSAGES: dict[int, str] = {
    400: "The request could not be read: send a JSON body (Content-Type: application/json)",
    401: "Sign in, or send an API token (Authorization: Bearer ...)",
    403: "You cannot do this",
    404: "Not found",
    405: "This method is not allowed here",
    413: ERROR_STATUSES[413],
    429: "Too many requests: wait a minute and try again",
    500: "Sorry, there is a problem with the service. Try again later.",
}


def error_response(status: int, detail: str | None = None, errors: dict[str, str] | None = None) -> JsonResponse:
    """An API error in the one shape."""
    return JsonResponse(
        {"detail": detail or MESSAGES.get(status, "The request was refused"), "errors": errors or {}}, status=status
    )


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


# --- pydantic's validation errors in words -----------------------------------------------------------------------

_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "date": "a date, like 2026-12-05",
    "datetime": "a date and time, like 2026-12-05T14:30:00",
    "list": "a list",
    "dict": "an object",
    "model": "an object",
    "string": "text",
}

_TYPE_WORDS = [
    ("datetime", "datetime"),
    ("date", "date"),
    ("int", "int"),
    ("float", "float"),
    ("decimal", "float"),
    ("bool", "bool"),
    ("list", "list"),
    ("dict", "dict"),
    ("model", "model"),
    ("string", "string"),
    ("str", "string"),
]


def _field_loc(loc: tuple[Any, ...] | list[Any]) -> list[Any]:
    """pydantic's location without ninja's: ("body", "payload", "address", "line1") -> ["address", "line1"] (a body
    is named by the view's parameter), ("query", "q") -> ["q"]."""
    parts = list(loc)
    if parts and parts[0] == "body":
        return parts[2:]
    if parts and parts[0] in ("query", "path", "header", "cookie", "form"):
        return parts[1:]
    return parts


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in _field_loc(loc)) or "__all__"


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence naming the field."""
    name = next((p for p in reversed(_field_loc(error.get("loc") or ())) if isinstance(p, str)), None)
    subject = subject_of(name)
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"Enter the {subject[:1].lower()}{subject[1:]}" if name else "Enter the missing information"
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_too_long":
        return f"{subject} must be {ctx.get('max_length', 0):,} characters or fewer"
    if kind == "string_too_short":
        return f"{subject} must be {ctx.get('min_length', 0):,} characters or more"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        words = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than"}
        return f"{subject} must be {words.get(kind, 'at most')} {bound}"
    if kind == "literal_error" or kind == "enum":
        return f"{subject} must be one of {ctx.get('expected', 'the values listed')}"
    if kind.endswith("_too_old") or kind.endswith("_too_new") or "overflow" in kind or kind.endswith("_past"):
        return f"{subject} must be a real date"
    for needle, word in _TYPE_WORDS:
        if kind.startswith(needle):
            return f"{subject} must be {_EXPECTED[word]}"
    return f"{subject} is not valid: {error.get('msg', '')}"


def validation_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in errors:
        out.setdefault(_field_path(error.get("loc") or ()), validation_message(error))
    return out


def summary(errors: dict[str, str]) -> str:
    """The `detail` of a 422: the one message, or how many there are."""
    if len(errors) == 1:
        return next(iter(errors.values()))
    return f"There are {len(errors)} problems with the input: see errors" if errors else "The input is refused"


# --- the OpenAPI --------------------------------------------------------------------------------------------------


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation documents every error status with the one shape (keeping an operation's own body for a
    status it documents itself: 409 duplicates, 422 with questions)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
            for status, description in ERROR_STATUSES.items():
                if status == 409 and "409" not in responses:
                    continue  # only where an operation can conflict, and it documents its own body
                responses.setdefault(
                    str(status), {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return schema


# --- every error under /api/ is JSON ------------------------------------------------------------------------------


class ApiErrorsMiddleware:
    """An error under /api/ that is not already JSON (Django's 405 for a wrong method, the CSRF failure page, the
    request-size refusal, an unknown path...) is answered in the one shape, with its status kept. First in MIDDLEWARE
    after the security headers, so it sees every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        detail = None
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            detail = f"{request.method} is not allowed here" + (f": use {allowed}" if allowed else "")
        elif response.status_code == 403 and getattr(request, "csrf_processing_done", None) is not None:
            detail = CSRF_FAILED
        replaced = error_response(response.status_code, detail)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replaced[header] = response[header]
        return replaced


CSRF_FAILED = (
    "The CSRF check failed: with a signed-in session, send the csrftoken cookie's value in an X-CSRFToken header, "
    "or use an API token (Authorization: Bearer ...), which needs none"
)


def parse_error_detail(exc: Exception) -> str:
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"The request body is not valid JSON (line {cause.lineno}, column {cause.colno}): {cause.msg}"
    return MESSAGES[400]
