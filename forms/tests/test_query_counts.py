"""The worker's and the manager's form pages run a fixed number of queries, however many answers, entries or forms
they show: a form page and check your answers (1 entry or 12 of a repeating group), the submitted form's page, and
Forms to authorise (1 form or 6). Counted with core.testing (queries, not time: the count does not change with the
machine's load)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from core.testing import count_queries
from forms.definition import Form
from forms.services import definition_load, response_submit
from people.tests.factories import person

from .definitions import assessment
from .test_browser_fill import visit_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

MOST = 40  # a ceiling well above today's counts; the tests' point is that the count does not grow with the data


def queries(client, url: str) -> int:
    client.get(url)  # warm: the session, the user's teams, the code lists' first read
    with count_queries() as q:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(q)


def visit_answers(entries: int) -> dict:
    return {
        "visited_on": "2026-02-02",
        "seen": True,
        "seen_alone": True,
        "observations": "Tidy",
        "present": ["mum"],
        "actions": [{"what": f"Action {i}", "who": "SW"} for i in range(entries)],
    }


def test_the_form_page_and_check_your_answers_do_not_grow_with_the_entries(alice):
    from forms.services import draft_save

    definition = definition_load(actor=None, form=Form(visit_form())).definition
    c = client_for(alice)
    counts = {}
    for entries in (1, 12):
        child = person("Amelia", "Hughes", date(2015, 3, 27))
        draft = draft_save(actor=alice, definition=definition, person=child, answers=visit_answers(entries))
        counts[entries] = (
            queries(c, reverse("forms:page", args=[child.pk, draft.pk, "actions"])),
            queries(c, reverse("forms:check", args=[child.pk, draft.pk])),
        )
    assert counts[1] == counts[12], counts
    assert max(counts[1]) <= MOST, counts


def test_the_submitted_forms_page_does_not_grow_with_the_entries(alice):
    definition = definition_load(actor=None, form=Form(visit_form())).definition
    c = client_for(alice)
    counts = {}
    for entries in (1, 12):
        child = person("Amelia", "Hughes", date(2015, 3, 27))
        response = response_submit(
            actor=alice, definition=definition, person=child, answers=visit_answers(entries)
        ).response
        counts[entries] = queries(c, reverse("forms:response", args=[response.pk]))
    assert counts[1] == counts[12] <= MOST, counts


def test_forms_to_authorise_does_not_grow_with_the_forms(alice, manager, team_a):
    from cases import services as case_services

    definition = definition_load(actor=None, form=Form(assessment())).definition
    c = client_for(manager)
    answers = {
        "started": "2026-01-06",
        "completed": "2026-01-20",
        "health": "Well",
        "factors": ["3A"],
        "analysis": "x",
        "recommendation": "cin_plan",
    }

    def one_more() -> None:
        child = person("Amelia", "Hughes", date(2015, 3, 27))
        case_services.referral_create(
            actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
        )
        response_submit(actor=alice, definition=definition, person=child, answers=answers)

    one_more()
    few = queries(c, reverse("forms:to_authorise"))
    for _ in range(5):
        one_more()
    page = c.get(reverse("forms:to_authorise")).content.decode()
    assert page.count('class="govuk-summary-card__title"') == 6
    many = queries(c, reverse("forms:to_authorise"))
    assert few == many <= MOST, (few, many)
