"""Reviews due: independent reviewing officers and managers see the looked-after reviews and child protection review
conferences coming due across the authority, overdue ones flagged, with the allocated worker and the last review."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role, Team, User
from cases import services
from cases import services as lac
from casework.tests.browser import assert_accessible, sign_in
from conftest import client_for, make_user
from core.testing import assert_same_query_count, count_queries
from people.models import Person
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]
TODAY = timezone.localdate()
FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}


@pytest.fixture
def iro(team_a: Team) -> User:
    return make_user("ivy.iro@example.test", team_a, Role.INDEPENDENT_REVIEWING_OFFICER)


def in_care(manager: User, name: str, started: date) -> Person:
    child = person(name, "Reviewed", date(2014, 5, 5))
    lac.looked_after_start(
        actor=manager, person=child, started_on=started, legal_status="C2", category_of_need="N1",
        home_postcode="LS1 4AP", **FOSTER,
    )  # fmt: skip
    return child


def page(user: User, query: str = "") -> Any:
    return client_for(user).get(f"/cases/reviews{query}")


def test_iro_sees_reviews_due_soonest_first_with_overdue_flagged(iro, manager, alice):
    overdue = in_care(manager, "Olly", TODAY - timedelta(days=60))  # first review 20 working days on: overdue
    services.allocate(actor=manager, person=overdue, worker=alice, started_on=TODAY - timedelta(days=60), reason="Care")
    in_care(manager, "Sami", TODAY - timedelta(days=7))  # due in about three weeks
    reviewed = in_care(manager, "Remy", TODAY - timedelta(days=50))
    lac.lac_review_record(actor=iro, person=reviewed, held_on=TODAY - timedelta(days=20), participation="PN1")
    r = page(iro)
    html = r.content.decode()
    assert r.status_code == 200
    assert html.index("Olly Reviewed") < html.index("Sami Reviewed")
    assert "Overdue" in html and "1 overdue" in html
    assert "Alice Tester" in html  # Olly's allocated worker
    assert "Remy Reviewed" not in html  # next review in 3 months: not within 8 weeks
    assert "Remy Reviewed" in page(iro, "?weeks=16").content.decode()
    remy_row = page(iro, "?weeks=16").content.decode().split("Remy Reviewed")[1].split("</tr>")[0]
    assert (TODAY - timedelta(days=20)).strftime("%-d %B %Y") in remy_row  # the last review held


def test_kind_filter_and_bad_weeks(iro, manager):
    in_care(manager, "Olly", TODAY - timedelta(days=60))
    assert "Olly Reviewed" not in page(iro, "?kind=cp_review").content.decode()
    r = page(iro, "?weeks=0")
    assert r.status_code == 400 and "Enter a number of weeks from 1 to 52" in r.content.decode()
    assert "Olly Reviewed" not in r.content.decode()
    assert page(iro, "?weeks=many").status_code == 400


def test_who_sees_the_reviews(iro, manager, alice, support, charlie):
    assert page(iro).status_code == 200 and page(manager).status_code == 200
    for user in (alice, support, charlie):
        assert page(user).status_code == 403


def test_an_iro_records_the_review_they_chaired(iro, manager):
    child = in_care(manager, "Olly", TODAY - timedelta(days=30))
    r = client_for(iro).get(f"/cases/people/{child.pk}/looked-after-review")
    assert r.status_code == 200


def test_a_fixed_number_of_queries_whatever_the_number_of_reviews(iro, manager):
    in_care(manager, "Olly", TODAY - timedelta(days=60))
    c = client_for(iro)
    c.get("/cases/reviews")
    with count_queries() as few:
        c.get("/cases/reviews")
    for i in range(5):
        in_care(manager, f"Child{i}", TODAY - timedelta(days=40 + i))
    with count_queries() as many:
        html = c.get("/cases/reviews").content.decode()
    assert html.count("Reviewed</a>") == 6
    assert_same_query_count(few, many)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reviews_due_in_a_browser(
    allow_audit_flush: Any, live_server: Any, iro: User, manager: User, browser_page: Any
):
    in_care(manager, "Olly", TODAY - timedelta(days=60))
    p, base = browser_page, live_server.url
    sign_in(p, base, iro.email)
    p.get_by_role("link", name="Reviews due").click()
    p.wait_for_url(f"{base}/cases/reviews")
    assert p.get_by_role("link", name="Olly Reviewed").is_visible()
    assert_accessible(p)
    p.get_by_label("Due within (weeks)").fill("99")
    p.get_by_role("button", name="Show reviews").click()
    assert p.get_by_text("Enter a number of weeks from 1 to 52").first.is_visible()
    assert_accessible(p)
