"""No form in Casework can show a user one of Django's default error messages ("This field is required.", "Ensure
this value has at most 200 characters (it has 600).", "Select a valid choice."): every form class in the project
is walked, every message a field can raise is checked, and each form is submitted empty and with bad values."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import date
from typing import Any

import pytest
from allauth.core import context
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import validators
from django.http import HttpResponse, QueryDict
from django.test import RequestFactory

import accounts.forms
from accounts.models import Team, User
from core.forms import GovDateField, GovFormMixin, gov_error_messages

APPS = ("core", "accounts", "audit", "people", "recording", "cases", "returns", "forms", "documents", "sync")

pytestmark = pytest.mark.django_db


def django_default_messages() -> set[str]:
    """Every default message of Django's form fields and validators, as written in Django."""
    out: set[str] = set()
    for _, cls in inspect.getmembers(forms, inspect.isclass):
        if issubclass(cls, forms.Field):
            out.update(str(m) for m in getattr(cls, "default_error_messages", {}).values())
    for _, cls in inspect.getmembers(validators, inspect.isclass):
        if isinstance(getattr(cls, "message", None), str) or hasattr(getattr(cls, "message", None), "_proxy____cast"):
            out.add(str(cls.message))
    out.discard("")
    return out


DEFAULTS = django_default_messages()
# The fixed start of each default ("Ensure this value has at most"), to catch a formatted one.
DEFAULT_STARTS = {re.split(r"%\(|\{", m)[0].strip() for m in DEFAULTS} - {""}


def project_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".management.commands.seed"):
                continue
            importlib.import_module(info.name)
    found: list[type[forms.BaseForm]] = []

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            # A form made with type() (adoption milestones) has the metaclass's module: it is still a GovForm.
            ours = sub.__module__.split(".")[0] in APPS or issubclass(sub, GovFormMixin)
            if ours and ".tests" not in sub.__module__:
                found.append(sub)
            walk(sub)

    walk(forms.BaseForm)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def merge_form_kwargs(name: str) -> dict[str, Any]:
    """Two records of one child that differ in their date of birth, for the merge's forms."""
    from people.merging import SinceItem
    from people.models import PersonMerge
    from people.tests.factories import person

    keep = person("Amelia", "Hughes", date(2015, 3, 27))
    gone = person("Amelia", "Hughes", date(2015, 3, 28))
    if name == "MergeForm":
        return {"keep": keep, "gone": gone, "may_confirm": True, "questions": ["The dates of birth differ"]}
    item = SinceItem(
        key="recording.CaseNote.person:1",
        link_label="recording.CaseNote.person",
        pk=1,
        what="A case note",
        when=date(2026, 6, 1),
    )
    return {"items": [item], "merge": PersonMerge(survivor=keep, merged=gone)}


def make(cls: type[forms.BaseForm], data: dict[str, Any] | None) -> forms.BaseForm:
    """An instance of any form class, bound to data (or not)."""
    q = QueryDict(mutable=True)
    for k, v in (data or {}).items():
        q.setlist(k, v if isinstance(v, list) else [v])
    if cls.__name__ == "DashboardFilterForm":
        return cls(q, today=date(2026, 6, 1), teams=Team.objects.all())  # type: ignore[call-arg]
    kwargs: dict[str, Any] = {}
    if cls.__name__ in ("MergeForm", "UndoForm"):  # their questions are the two records' differences
        kwargs.update(merge_form_kwargs(cls.__name__))
    if any(c.__module__.startswith("allauth.mfa") for c in cls.__mro__):  # allauth's two-factor forms take the user
        kwargs["user"] = User.objects.get_or_create(username="forms@example.test", email="forms@example.test")[0]
    return cls(q if data is not None else None, **kwargs)


@pytest.fixture(autouse=True)
def allauth_request():
    """allauth's forms read the request (rate limits, the TOTP secret in the session) from its context."""
    request = RequestFactory().post("/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    with context.request_context(request):
        yield


FORMS = project_forms()


def test_the_walk_finds_every_form():
    names = {c.__name__ for c in FORMS}
    assert {"PersonForm", "PersonDetailsForm", "VisitForm", "CaseNoteForm", "ContactForm", "ReturnForm"} <= names
    assert {"AssessmentRecordForm", "HealthRecordForm", "DashboardFilterForm", "LoginForm", "AuthenticateForm"} <= names
    assert any(n.startswith("AdoptionMilestoneForm_") for n in names)
    assert len(FORMS) > 40


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: c.__qualname__)
def test_no_field_has_a_django_default_message(cls):
    form = make(cls, None)
    for name, field in form.fields.items():
        for code, message in field.error_messages.items():
            assert str(message) not in DEFAULTS, f"{cls.__name__}.{name} [{code}]: {message}"


def bad_values(form: forms.BaseForm) -> dict[str, Any]:
    """Values each field refuses: too long, not a choice, not a number, not a date."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, GovDateField):
            data.update({f"{name}_0": "31", f"{name}_1": "2", f"{name}_2": "2026"})
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[name] = ["not-a-choice", "nor-this"]
        elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            data[name] = "not-a-choice"
        elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
            data[name] = "x" if getattr(field, "min_value", None) is None else "-99999"
        elif isinstance(field, forms.BooleanField):
            continue
        else:
            data[name] = "x" * 100_001
    return data


def shown(form: forms.BaseForm) -> list[str]:
    form.is_valid()
    return [str(m) for errors in form.errors.values() for m in errors]


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: c.__qualname__)
def test_submitting_empty_or_bad_values_shows_only_plain_english(cls):
    messages = shown(make(cls, {})) + shown(make(cls, bad_values(make(cls, None))))
    for m in messages:
        assert m not in DEFAULTS and not any(m.startswith(s) for s in DEFAULT_STARTS), f"{cls.__name__}: {m}"
        assert m.strip(), f"{cls.__name__}: an empty message"


def test_messages_name_the_field_the_govuk_way():
    def msg(field: forms.Field, code: str, name: str = "x") -> str:
        return gov_error_messages(field, name)[code]

    assert msg(forms.CharField(label="First name"), "required") == "Enter the first name"
    assert msg(forms.CharField(label="NHS number (optional)"), "required") == "Enter the NHS number"
    assert msg(forms.CharField(label="Their organisation"), "required") == "Enter their organisation"
    assert msg(forms.CharField(label="First name"), "max_length") % {"limit_value": 200} == (
        "First name must be 200 characters or fewer"
    )
    assert msg(forms.ChoiceField(label="Ethnicity"), "required") == "Select the ethnicity"
    assert msg(forms.ChoiceField(label="Does the plan continue?"), "required") == (
        'Select an answer to "Does the plan continue?"'
    )
    assert msg(forms.IntegerField(label="SDQ score"), "invalid") == "SDQ score must be a whole number"
    assert msg(forms.CharField(label=None), "required", "referrer_name") == "Enter the referrer name"


def test_the_sign_in_form_says_what_to_enter(client):
    r = client.post("/accounts/login/", {"login": "", "password": ""})
    html = r.content.decode()
    assert "Enter your email address" in html and "Enter your password" in html
    assert "This field is required" not in html
    assert isinstance(accounts.forms.LoginForm, type)
