"""Multiple-choice questions through the real pages: every box ticked is saved, and shows ticked when the page is
opened again (issue 9 item 2: the assessment factors and disabilities pages kept one and lost the rest)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.models import Assessment
from core import codes
from core.tests.html import parse
from people.models import Person
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def ticked(html: str, name: str) -> list[str | None]:
    boxes = parse(html).find_all("input", name=name)
    assert boxes and {b.get("type") for b in boxes} == {"checkbox"}, f"{name} is not a set of checkboxes"
    return [b.get("value") for b in boxes if b.get("checked") is not None]


@pytest.fixture
def assessment(alice, manager, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2025, 6, 2), source="2A", primary_need="N1", team=team_a
    )
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2025, 6, 2), reason="New referral")
    return services.assessment_start(actor=alice, episode=episode, started_on=date(2025, 6, 3))


def test_three_factors_ticked_are_three_saved_and_shown_ticked_again(assessment, alice_client):
    url = reverse("cases:step", args=[assessment.episode.person_id, "assessment-record"])
    three = ["2A", "3A", "4B"]
    assert {"2A", "3A", "4B"} <= {c for c, _ in codes.choices("assessment_factor")}
    r = alice_client.post(url, {"factors": three, "summary": "Neglect and domestic abuse", "outcome": "cin_plan"})
    assert r.status_code == 302, r.content.decode()
    assessment.refresh_from_db()
    assert assessment.factors == three
    html = alice_client.get(url).content.decode()
    assert ticked(html, "factors") == three
    # Saving again with one more keeps all four (nothing is lost by opening and saving the page).
    alice_client.post(url, {"factors": [*three, "5A"], "summary": "Neglect and domestic abuse", "outcome": "cin_plan"})
    assert Assessment.objects.get(pk=assessment.pk).factors == [*three, "5A"]
    assert ticked(alice_client.get(url).content.decode(), "factors") == [*three, "5A"]


def test_disabilities_ticked_are_all_saved_and_shown_ticked_again(alice, alice_client):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    url = reverse("people:edit", args=[child.pk])
    chosen = [c for c, _ in codes.choices("disability") if c != "NONE"][:3]
    assert len(chosen) == 3
    data = {
        "given_name": "Amelia",
        "family_name": "Hughes",
        **{"date_of_birth_0": "27", "date_of_birth_1": "3", "date_of_birth_2": "2015"},
        "sex": "U",
        "disabilities": chosen,
    }
    r = alice_client.post(url, data)
    assert r.status_code == 302, r.content.decode()
    assert Person.objects.get(pk=child.pk).disabilities == chosen
    assert ticked(alice_client.get(url).content.decode(), "disabilities") == chosen
