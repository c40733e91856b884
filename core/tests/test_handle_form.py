"""core.views.handle_form: the POST of every form page (bind, validate, one service call, its refusals on the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from core.errors import RuleError
from core.forms import GovDateField, GovForm
from core.views import handle_form, saved_then


class NoteForm(GovForm):
    day = GovDateField(label="Date", label_text="Date")
    subject = forms.CharField(label="Subject", max_length=20)


def request(method: str, data: dict[str, Any] | None = None) -> Any:
    r = getattr(RequestFactory(), method)("/notes/new", data or {})
    SessionMiddleware(lambda _: HttpResponse()).process_request(r)
    r._messages = FallbackStorage(r)
    return r


VALID = {"day_0": "1", "day_1": "3", "day_2": "2026", "subject": "Home visit"}


def run(req: Any, save: Any, **kw: Any) -> tuple[HttpResponse, NoteForm, list[dict[str, Any]]]:
    form = NoteForm(req.POST if req.method == "POST" else None)
    calls: list[dict[str, Any]] = []

    def saving(d: dict[str, Any]) -> Any:
        calls.append(d)
        return save(d)

    response = handle_form(
        req,
        form,
        saving,
        done=lambda result: saved_then(req, f"Saved {result}", "home"),
        page=lambda: HttpResponse("page", status=400 if form.errors else 200),
        **kw,
    )
    return response, form, calls


def test_a_get_shows_the_page_and_saves_nothing():
    response, form, calls = run(request("get"), lambda d: 1)
    assert (response.status_code, response.content, calls, form.errors) == (200, b"page", [], {})


def test_data_the_form_refuses_never_reaches_the_service():
    response, form, calls = run(request("post", {"subject": "x" * 30}), lambda d: 1)
    assert response.status_code == 400 and calls == []
    assert form.errors["subject"] == ["Subject must be 20 characters or fewer"]
    assert form.errors["day"] == ["Enter the date"]


def test_success_answers_with_the_message_and_the_redirect():
    req = request("post", VALID)
    response, _form, calls = run(req, lambda d: 42)
    assert response.status_code == 302 and response["Location"] == "/"
    assert calls[0]["subject"] == "Home visit"
    assert [str(m) for m in get_messages(req)] == ["Saved 42"]


def test_a_rule_error_lands_on_its_field_renamed_or_above_the_form():
    def refuse(d: dict[str, Any]) -> Any:
        raise RuleError({"occurred_at": "Date must be today or in the past", "subject": "Too vague", "x": "Other"})

    req = request("post", VALID)
    response, form, calls = run(req, refuse, rename={"occurred_at": "day"})
    assert response.status_code == 400 and len(calls) == 1
    assert form.errors["day"] == ["Date must be today or in the past"]
    assert form.errors["subject"] == ["Too vague"]
    assert form.non_field_errors() == ["Other"]  # a field the form does not have: above the form
    assert list(get_messages(req)) == []


def test_a_plain_rule_error_goes_above_the_form():
    def refuse(d: dict[str, Any]) -> Any:
        raise RuleError("This record is closed")

    _response, form, _calls = run(request("post", VALID), refuse)
    assert form.non_field_errors() == ["This record is closed"]
