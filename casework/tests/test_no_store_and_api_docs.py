"""Nothing Casework answers is kept by a browser or proxy (Cache-Control: no-store), and the API documentation is
for signed-in users and loads nothing from a third-party CDN."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from people.tests.factories import person

pytestmark = pytest.mark.django_db


def test_record_pages_and_api_answers_are_not_stored(alice_client: Client) -> None:
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    for url in (f"/people/{child.pk}", f"/api/v1/people/{child.pk}", "/cases/caseload", "/no-such-page"):
        response = alice_client.get(url)
        assert "no-store" in response["Cache-Control"], url


def test_the_sign_in_page_is_not_stored_either() -> None:
    assert "no-store" in Client().get("/accounts/login/")["Cache-Control"]


def test_api_docs_need_a_signed_in_user() -> None:
    for url in ("/api/v1/docs", "/api/v1/openapi.json"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_api_docs_load_their_scripts_from_here(alice_client: Client) -> None:
    response = alice_client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src="([^"]+)")|(?:<link[^>]+href="([^"]+)")', page)
    assets = [a or b for a, b in assets]
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in page.lower() and "swagger" not in page.lower()
    assert alice_client.get("/api/v1/openapi.json").status_code == 200


def test_api_docs_describe_every_endpoint_in_words(alice_client: Client) -> None:
    from casework.api import api
    from casework.api_docs import operations_by_tag

    page = alice_client.get("/api/v1/docs").content.decode()
    operations = [op for ops in operations_by_tag(api.get_openapi_schema()).values() for op in ops]
    assert len(operations) > 30
    for op in operations:
        assert op.path.replace("{", "&#x7B;") in page or op.path in page, op.path
    assert "Record a case note; it appears in the chronology at once" in page


def test_api_docs_say_types_in_words() -> None:
    from casework.api_docs import type_in_words

    assert type_in_words({"type": "string", "format": "date"}, {}) == "date (2026-12-05)"
    assert type_in_words({"type": "array", "items": {"type": "integer"}}, {}) == "list of whole number"
    assert type_in_words({"anyOf": [{"type": "string"}, {"type": "null"}]}, {}) == "text"
