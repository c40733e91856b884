"""Bad input at the edge (issue 11): what a person or a program sends that Casework cannot or should not keep gets
a plain answer naming the field, and nothing is saved; never a 500.

- every text field of every form and every API schema refuses hidden control characters (a NUL byte, which
  PostgreSQL cannot store) and has a maximum (core.inputs, core.limits): walked here, field by field;
- an API date-time without a time zone is UK time (Europe/London), on every date-time the API takes;
- a body that is not JSON is 400, a body too big is 413 (a page for pages), a wrong method 405, an unknown path
  404, a failed CSRF check 403: on /api/ always JSON of the one error shape (core.api.ErrorOut), never HTML.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import Contact
from conftest import client_for
from core import limits
from core.forms import GovFormMixin, text_rules
from core.inputs import PATTERN
from people.tests.factories import person
from recording.models import CaseNote

pytestmark = pytest.mark.django_db
APPS = ("core", "audit", "accounts", "people", "recording", "cases", "returns")
NUL = "Seen at home\x00 with mum"
LONDON = ZoneInfo("Europe/London")


def every_form() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in info.name for part in (".tests", ".migrations", ".management")):
                importlib.import_module(info.name)
    found: list[type[forms.BaseForm]] = []
    todo: list[type] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS and hasattr(cls, "base_fields"):
            found.append(cls)
    return found


def test_every_text_field_of_every_form_refuses_a_nul_byte_and_text_over_its_maximum() -> None:
    forms_found = every_form()
    assert len(forms_found) > 50
    checked = 0
    for form in forms_found:
        assert issubclass(form, GovFormMixin), f"{form.__module__}.{form.__name__} is not a GovForm"
        for name, declared in form.base_fields.items():  # type: ignore[attr-defined]
            field = copy.deepcopy(declared)
            text_rules(field)  # what GovFormMixin does to every field of every form it makes
            if not isinstance(field, forms.CharField) or type(field).__name__ == "GovTimeField":
                continue
            where = f"{form.__module__}.{form.__name__}.{name}"
            max_length = getattr(field, "max_length", None)
            assert isinstance(max_length, int) and max_length <= limits.NOTE, where
            for bad in (NUL, "x" * (max_length + 1)):
                with pytest.raises(forms.ValidationError):
                    field.clean(bad)
            checked += 1
    assert checked > 80


def test_the_longest_texts_take_the_note_maximum() -> None:
    from cases.forms import ContactForm
    from recording.forms import CaseNoteForm

    assert getattr(CaseNoteForm.base_fields["body"], "max_length", None) == limits.NOTE == 20_000
    assert getattr(ContactForm.base_fields["concern"], "max_length", None) == limits.NOTE


def openapi(client: Client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def strings_in(schema: dict[str, Any], doc: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    schema = resolve(schema, doc)
    out: list[tuple[str, dict[str, Any]]] = []
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        out += strings_in(option, doc, path)
    if schema.get("type") == "string":
        out.append((path, schema))
    if schema.get("type") == "array":
        out += strings_in(schema.get("items", {}), doc, path + "[]")
    for name, prop in schema.get("properties", {}).items():
        out += strings_in(prop, doc, f"{path}.{name}")
    return out


def test_every_text_the_api_takes_has_a_maximum_and_refuses_control_characters(alice_client: Client) -> None:
    doc = openapi(alice_client)
    texts, moments = 0, 0
    for url, methods in doc["paths"].items():
        for method, op in methods.items():
            inputs = [
                (f"{method} {url} ?{p['name']}", p["schema"]) for p in op.get("parameters", []) if p["in"] == "query"
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                inputs.append((f"{method} {url} body", body))
            for where, schema in inputs:
                for path, string in strings_in(schema, doc, where):
                    if string.get("format") == "date-time":
                        assert "UK time (Europe/London)" in string.get("description", ""), path
                        moments += 1
                    elif string.get("format") not in ("date", "uuid") and "enum" not in string:
                        # (a uuid is checked by its format, a choice by its list)
                        assert isinstance(string.get("maxLength"), int), f"{path} has no maximum"
                        assert string.get("pattern") == PATTERN, f"{path} accepts control characters"
                        texts += 1
    assert texts > 80 and moments >= 3


def test_every_error_status_is_documented_on_every_operation_with_the_one_shape(alice_client: Client) -> None:
    doc = openapi(alice_client)
    assert set(resolve({"$ref": "#/components/schemas/ErrorOut"}, doc)["properties"]) == {"detail", "errors"}
    for url, methods in doc["paths"].items():
        for method, op in methods.items():
            missing = {"400", "401", "403", "404", "405", "413", "422", "429", "500"} - set(op["responses"])
            assert not missing, f"{method} {url} does not document {missing}"


# --- the API, as a program sends it ---------------------------------------------------------------------------


@pytest.fixture
def child(team_a: Any) -> Any:
    return person("Amelia", "Hughes", date(2015, 3, 27), held_by=team_a)


def post(client: Client, url: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def note(**fields: Any) -> dict[str, Any]:
    yesterday = (timezone.localtime() - timedelta(days=1)).replace(hour=14, minute=30, second=0, microsecond=0)
    return {"occurred_at": yesterday.isoformat(), "subject": "Home visit", "body": "Seen at home.", **fields}


def test_a_nul_byte_in_a_case_note_is_a_field_error_and_saves_nothing(alice_client: Client, child: Any) -> None:
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", note(body=NUL))
    assert r.status_code == 422
    assert r.json() == {
        "detail": "Case note must not contain hidden control characters",
        "errors": {"body": "Case note must not contain hidden control characters"},
    }
    assert not CaseNote.objects.exists()


def test_a_case_note_over_20000_characters_is_refused_with_the_limit(alice_client: Client, child: Any) -> None:
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", note(body="a" * 20_001))
    assert r.status_code == 422
    assert r.json()["errors"] == {"body": "Case note must be 20,000 characters or fewer"}
    assert post(alice_client, f"/api/v1/people/{child.pk}/case-notes", note(body="a" * 20_000)).status_code == 201


def test_nul_bytes_in_a_name_an_address_a_concern_and_a_search_are_field_errors(
    alice_client: Client, child: Any
) -> None:
    r = post(alice_client, "/api/v1/people", {"given_name": "Ja\x00ne", "family_name": "Doe"})
    assert r.status_code == 422 and r.json()["errors"] == {
        "given_name": "Given name must not contain hidden control characters"
    }
    r = post(alice_client, "/api/v1/people", {"family_name": "Doe", "address": {"line1": "1 High\x00 Street"}})
    assert r.status_code == 422 and "address.line1" in r.json()["errors"]
    contact = {"received_at": "2026-01-05T10:00:00Z", "source": "1A", "concern": "Bruises\x00"}
    r = post(alice_client, f"/api/v1/cases/people/{child.pk}/contacts", contact)
    assert r.status_code == 422 and r.json()["errors"] == {
        "concern": "Concern must not contain hidden control characters"
    }
    r = alice_client.get("/api/v1/people/search", {"q": "Ame\x00lia"})
    assert r.status_code == 422 and r.json()["errors"] == {"q": "Q must not contain hidden control characters"}
    assert not Contact.objects.exists()


def test_a_date_time_without_a_time_zone_is_uk_time_on_case_notes_and_contacts(
    alice_client: Client, child: Any, alice: User
) -> None:
    summer = datetime(2025, 7, 1, 14, 30)  # BST: 13:30 UTC
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", note(occurred_at=summer.isoformat()))
    assert r.status_code == 201, r.content
    assert CaseNote.objects.get().occurred_at == summer.replace(tzinfo=LONDON)
    assert CaseNote.objects.get().occurred_at.astimezone(ZoneInfo("UTC")).hour == 13
    winter = datetime(2026, 1, 5, 10, 0)
    contact = {"received_at": winter.isoformat(), "source": "1A", "concern": "Bruises seen at school"}
    r = post(alice_client, f"/api/v1/cases/people/{child.pk}/contacts", contact)
    assert r.status_code == 201, r.content
    assert Contact.objects.get().received_at == winter.replace(tzinfo=LONDON)
    # With a zone, as given.
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", note(occurred_at="2025-07-01T14:30:00+00:00"))
    assert r.status_code == 201 and CaseNote.objects.latest("pk").occurred_at.astimezone(LONDON).hour == 15


def test_a_body_that_is_not_json_is_400_in_the_one_shape(alice_client: Client, child: Any) -> None:
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", '{"subject": "Home visit",')
    assert r.status_code == 400 and r["Content-Type"] == "application/json"
    assert r.json()["detail"].startswith("The request body is not valid JSON (line 1, column 26)")
    assert r.json()["errors"] == {}


def test_a_body_of_the_wrong_shape_names_each_field(alice_client: Client, child: Any) -> None:
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", {"occurred_at": "yesterday", "also_for": ["x"]})
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "occurred_at": "Occurred at must be a date and time, like 2026-12-05T14:30:00",
        "subject": "Enter the subject",
        "body": "Enter the body",
        "also_for.0": "Also for must be a whole number",
    }


def test_a_body_too_big_is_413_json_on_the_api_and_a_page_on_pages(alice_client: Client, child: Any) -> None:
    big = note(body="a" * (limits.REQUEST_BYTES + 1))
    r = post(alice_client, f"/api/v1/people/{child.pk}/case-notes", big)
    assert r.status_code == 413 and r.json()["detail"] == "The request body is larger than 512 KB"
    page = alice_client.post(reverse("recording:case_note_add", args=[child.pk]), {"body": "a" * 600_000})
    assert page.status_code == 413 and "What you sent is too long" in page.content.decode()
    assert not CaseNote.objects.exists()


def test_api_paths_never_answer_html(alice: User, child: Any) -> None:
    client = client_for(alice)
    r = client.delete(f"/api/v1/people/{child.pk}")
    assert r.status_code == 405 and r["Content-Type"] == "application/json"
    assert r.json()["detail"] == "DELETE is not allowed here: use GET" and r["Allow"] == "GET"
    r = client.get("/api/v1/no/such/thing")
    assert r.status_code == 404 and r.json() == {"detail": "Not found", "errors": {}}
    strict = client_for(alice)
    strict.handler.enforce_csrf_checks = True
    r = post(strict, f"/api/v1/people/{child.pk}/case-notes", note())
    assert r.status_code == 403 and r["Content-Type"] == "application/json"
    assert "CSRF" in r.json()["detail"]
    r = Client().get("/api/v1/people/search", {"q": "Amelia"})
    assert r.status_code == 401 and set(r.json()) == {"detail", "errors"}


# --- pages ------------------------------------------------------------------------------------------------------


def test_a_nul_byte_or_a_note_too_long_on_the_case_note_page_is_a_field_error(alice_client: Client, child: Any) -> None:
    url = reverse("recording:case_note_add", args=[child.pk])
    day = timezone.localdate() - timedelta(days=1)
    data = {"note_type": "case_note", "day_0": day.day, "day_1": day.month, "day_2": day.year, "subject": "Visit"}
    r = alice_client.post(url, {**data, "body": NUL})
    assert r.status_code == 200 and "Note must not contain hidden control characters" in r.content.decode()
    r = alice_client.post(url, {**data, "body": "a" * 20_001})
    assert r.status_code == 200 and "Note must be 20,000 characters or fewer" in r.content.decode()
    assert 'maxlength="20000"' not in r.content.decode()  # the browser does not cut a pasted note short
    assert not CaseNote.objects.exists()


def test_a_nul_byte_in_the_search_box_is_an_error_not_a_failure(alice_client: Client) -> None:
    r = alice_client.get(reverse("people:search"), {"q": "Ame\x00lia"})
    assert r.status_code == 200 and "must not contain hidden control characters" in r.content.decode()
