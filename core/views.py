"""The one way a GOV.UK form page handles its POST: bind, validate, call one service, show its refusals on the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import redirect

from core import idempotency
from core.errors import RuleError
from core.forms import apply_rule_errors

if TYPE_CHECKING:  # a type only: core does not depend on accounts at run time
    from accounts.models import User

T = TypeVar("T")


def handle_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    done: Callable[[T], HttpResponse],
    page: Callable[[], HttpResponse],
    rename: Mapping[str, str] | None = None,
    once: bool = False,
) -> HttpResponse:
    """On a POST whose form is valid, call `save(cleaned_data)` (one service call). If it raises RuleError, each
    message goes onto the form, on its field (a service's field name mapped through `rename`, e.g. occurred_at to
    day) or above the form, and the page is shown again with the error summary; otherwise `done(result)` answers,
    usually with a message and a redirect (`saved_then`). A GET, or data the form itself refuses, shows `page()`.

    The form is bound by the caller (`Form(request.POST if request.method == "POST" else None)`), so `page` can
    render the same object, and `save` may raise RuleError for a check of its own (a lookup that finds nothing).

    `once=True` (every form that creates a record): the form carries a one-time key (`{% once_key form %}` in the
    template), claimed in the same transaction as the save and stored with the redirect `done` answers with; a
    resubmission of the same form (Back, then Save again; a double click) is answered with that redirect and "This
    was already saved", and nothing is saved twice; so is the same form sent again with a fresh key (Back to a page
    the browser fetched again: see core.idempotency). A save that fails, or an answer that is not a redirect, gives
    the key back."""
    key = ""
    if once:
        posted = request.POST.get(idempotency.FIELD, "") if request.method == "POST" else ""
        key = posted if idempotency.is_valid_key(posted) and request.user.is_authenticated else ""
        user = cast("User", request.user)
        form.once_key = key or idempotency.new_key()  # type: ignore[attr-defined]
        if key and (earlier := already_saved(request)) is not None:
            return earlier
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            # With a key, a savepoint: a RuleError rolls back the save and the key's claim together.
            with transaction.atomic() if key else nullcontext():
                if key:
                    claimed = idempotency.idempotency_key_claim(
                        user=user,
                        key=key,
                        scope=request.path,
                        fingerprint=idempotency.fingerprint(request.path, request.POST),
                    )
                    if claimed is not None:
                        return _answer_again(request, claimed)
                result = save(form.cleaned_data)
                response = done(result)
                if key and isinstance(response, HttpResponseRedirectBase):
                    idempotency.idempotency_key_complete(user=user, key=key, location=response["Location"])
                elif key:
                    idempotency.idempotency_key_release(user=user, key=key)
                return response
        except RuleError as e:
            apply_rule_errors(form, {(rename or {}).get(k, k): v for k, v in e.errors.items()})
    return page()


def already_saved(request: HttpRequest) -> HttpResponse | None:
    """If this POST carries a form key that has already saved something, or is the same form sent again with a fresh
    key, the answer it gave then (see `handle_form(once=True)`); otherwise None. For a view that must ask before its own checks (a journey step whose
    subject the first submission has already moved on)."""
    key = request.POST.get(idempotency.FIELD, "") if request.method == "POST" else ""
    if not (idempotency.is_valid_key(key) and request.user.is_authenticated):
        return None
    earlier = idempotency.idempotency_key_find(
        user=cast("User", request.user), key=key, fingerprint=idempotency.fingerprint(request.path, request.POST)
    )
    return _answer_again(request, earlier) if earlier is not None else None


def _answer_again(request: HttpRequest, earlier: Any) -> HttpResponse:
    if earlier.scope != request.path or not earlier.location:
        messages.warning(request, "This form was already used. Start again from the record.")
        return redirect(earlier.location or "/")
    messages.info(request, idempotency.ALREADY_SAVED)
    return redirect(earlier.location)


def saved_then(
    request: HttpRequest, message: str, to: str, *args: Any, level: int = messages.SUCCESS, **kwargs: Any
) -> HttpResponse:
    """The usual answer to a saved form: a notification banner on the next page, and a redirect to it."""
    messages.add_message(request, level, message)
    return redirect(to, *args, **kwargs)
