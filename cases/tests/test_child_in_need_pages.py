"""Child in need plan reviews from the record and through the API."""

from datetime import date

import pytest

from cases import services
from cases.models import ChildInNeedPlanReview
from cases.tests.services.helpers import assess

pytestmark = pytest.mark.django_db


def test_cin_plan_review_page_from_the_record(episode, alice, manager):
    from django.urls import reverse

    from cases.tests.test_looked_after_pages import errors, post, record
    from conftest import client_for

    child = episode.person
    assess(episode, alice, manager, "cin_plan")
    services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 21))
    c = client_for(alice)
    assert f'href="{reverse("cases:step", args=[child.pk, "cin-plan-review"])}"' in record(c, child)
    summary = errors(post(c, child, "cin-plan-review", held_on=date(2026, 1, 1), plan_continues="yes"))
    assert "cannot be before the plan started" in summary
    assert not ChildInNeedPlanReview.objects.exists()
    r = post(c, child, "cin-plan-review", held_on=date(2026, 4, 20), plan_continues="yes", summary="Going well")
    assert r.status_code == 302
    assert ChildInNeedPlanReview.objects.get().summary == "Going well"
    assert "Child in need plan review: plan continues" in record(c, child)


def test_cin_plan_review_through_the_api(episode, alice, manager, charlie):
    import json

    from conftest import client_for

    assess(episode, alice, manager, "cin_plan")
    plan = services.cin_plan_start(actor=alice, episode=episode, started_on=date(2026, 1, 21))
    url = f"/api/v1/cases/child-in-need-plans/{plan.pk}/reviews"

    def post(user, body):
        return client_for(user).post(url, json.dumps(body), content_type="application/json")

    r = post(alice, {"held_on": "2026-01-01"})
    assert r.status_code == 422 and "held_on" in r.json()["errors"]
    assert post(charlie, {"held_on": "2026-04-20"}).status_code == 403
    r = post(alice, {"held_on": "2026-04-20", "summary": "Going well"})
    assert r.status_code == 201
    assert ChildInNeedPlanReview.objects.get(pk=r.json()["id"]).summary == "Going well"
    assert (
        "/api/v1/cases/child-in-need-plans/{plan_id}/reviews"
        in client_for(alice).get("/api/v1/openapi.json").content.decode()
    )
