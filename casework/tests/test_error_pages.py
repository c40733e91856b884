"""Error pages a person can act on (DEBUG off, as in production): "Page not found", "You cannot do this" with what the
user's role may do, "Sorry, there is a problem with the service", each with the header, the navigation and a way on;
the API keeps answering JSON."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from casework.urls import urlpatterns as site_urls
from conftest import client_for, pass_second_factor
from people.tests.factories import person

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something went wrong inside")


# The site's URLs and error handlers, plus two pages that fail: a test of the 500 page needs a failure.
urlpatterns = [path("boom", _boom), path("api/v1/boom", _boom), *site_urls]
handler403 = "casework.views.permission_denied"
handler404 = "casework.views.page_not_found"
handler500 = "casework.views.server_error"


def test_debug_is_off_in_these_tests() -> None:
    assert settings.DEBUG is False


def test_page_not_found_has_the_header_navigation_and_a_way_on(alice_client: Client) -> None:
    response = alice_client.get("/no-such-page")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page
    assert 'class="govuk-service-navigation"' in page and "My caseload" in page
    assert '<main class="govuk-main-wrapper" id="main-content">' in page
    assert 'href="/">Find a person</a>' in page


def test_a_record_that_does_not_exist_is_page_not_found(alice_client: Client) -> None:
    response = alice_client.get("/people/999999")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_refused_says_why_and_what_the_role_may_do(alice_client: Client) -> None:
    response = alice_client.get("/cases/team")  # a social worker has no team dashboard
    assert response.status_code == 403
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">You cannot do this</h1>' in page
    assert "Only team managers have a team dashboard." in page
    assert "with the role social worker" in page
    assert "<li>Record visits</li>" in page and "<li>Record case notes, letters and calls</li>" in page
    assert "Decide contacts" not in page  # what a manager may do is not listed for a social worker
    assert 'class="govuk-service-navigation"' in page and '<main class="govuk-main-wrapper"' in page


def test_refused_for_a_user_without_a_role(charlie) -> None:
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    response = client_for(charlie).get(f"/people/{child.pk}")
    assert response.status_code == 403
    assert "You do not have a role in Casework yet" in response.content.decode()


@pytest.mark.urls(__name__)
def test_server_error_page(alice) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    pass_second_factor(client, alice)
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "Nothing you entered on the last page has been saved" in page
    assert "something went wrong inside" not in page  # no error detail for the user
    assert 'class="govuk-service-navigation"' in page and 'href="/">Find a person</a>' in page


@pytest.mark.urls(__name__)
def test_api_errors_stay_json(alice) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    pass_second_factor(client, alice)
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found", "errors": {}}
    failed = client.get("/api/v1/boom")
    assert failed.status_code == 500 and failed["Content-Type"] == "application/json"
    assert "problem with the service" in failed.json()["detail"]
    person_missing = client.get("/api/v1/people/999999")
    assert person_missing.status_code == 404 and person_missing["Content-Type"].startswith("application/json")
