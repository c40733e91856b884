"""The one way a GOV.UK form page handles its POST: bind, validate, call one service, show its refusals on the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.errors import RuleError
from core.forms import apply_rule_errors

T = TypeVar("T")


def handle_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    done: Callable[[T], HttpResponse],
    page: Callable[[], HttpResponse],
    rename: Mapping[str, str] | None = None,
) -> HttpResponse:
    """On a POST whose form is valid, call `save(cleaned_data)` (one service call). If it raises RuleError, each
    message goes onto the form, on its field (a service's field name mapped through `rename`, e.g. occurred_at to
    day) or above the form, and the page is shown again with the error summary; otherwise `done(result)` answers,
    usually with a message and a redirect (`saved_then`). A GET, or data the form itself refuses, shows `page()`.

    The form is bound by the caller (`Form(request.POST if request.method == "POST" else None)`), so `page` can
    render the same object, and `save` may raise RuleError for a check of its own (a lookup that finds nothing)."""
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except RuleError as e:
            apply_rule_errors(form, {(rename or {}).get(k, k): v for k, v in e.errors.items()})
        else:
            return done(result)
    return page()


def saved_then(
    request: HttpRequest, message: str, to: str, *args: Any, level: int = messages.SUCCESS, **kwargs: Any
) -> HttpResponse:
    """The usual answer to a saved form: a notification banner on the next page, and a redirect to it."""
    messages.add_message(request, level, message)
    return redirect(to, *args, **kwargs)
