"""Where a form records a journey step, the journey panel's step and the record's buttons open the form; the step's
short page stays at its address (for links made before and for putting a date right) and says which form records it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from cases.steps import STEPS
from conftest import client_for
from forms.record_sections import RECORD_FORMS, STEP_FORMS
from forms.services import definitions_load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

SHIPPED = {
    json.loads(p.read_text())["name"]: json.loads(p.read_text()) for p in Path("forms/definitions").glob("*.json")
}


def test_every_step_a_form_records_is_a_journey_step_and_its_form_is_shipped():
    assert set(STEP_FORMS) <= set(STEPS)
    for name in [*STEP_FORMS.values(), *(name for name, _, _ in RECORD_FORMS.values())]:
        assert name in SHIPPED, name
        assert SHIPPED[name].get("record"), f"{name} writes no record: it cannot take a journey step's place"


def steps_offered(page: str) -> dict[str, str]:
    panel = page.split('id="next-steps"', 1)[1].split("</ul>", 1)[0]
    return {text: href for href, text in re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)<', panel)}


def test_the_journey_panel_opens_the_form_for_a_step_a_form_records(alice_client, episode):
    child = episode.person
    before = steps_offered(alice_client.get(reverse("people:detail", args=[child.pk])).content.decode())
    assert before["Start an assessment"] == reverse("cases:step", args=[child.pk, "assessment-start"])
    definitions_load(actor=None)
    after = steps_offered(alice_client.get(reverse("people:detail", args=[child.pk])).content.decode())
    assert after["Start an assessment"] == reverse("forms:start", args=[child.pk, "child-and-family-assessment"])
    strategy = [text for text in after if "strategy" in text.lower()]
    assert strategy and after[strategy[0]] == reverse("forms:start", args=[child.pk, "strategy-discussion"])
    assert not any("/cases/people/" in href and slug in href for href in after.values() for slug in STEP_FORMS)

    # The short page still works at its address, and points to the form.
    page = alice_client.get(reverse("cases:step", args=[child.pk, "assessment-start"])).content.decode()
    assert "This step is recorded with the" in page
    assert reverse("forms:start", args=[child.pk, "child-and-family-assessment"]) in page


def test_the_records_buttons_open_the_visit_and_case_note_forms(alice_client, child):
    record = alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert reverse("forms:record_visit", args=[child.pk]) in record
    assert reverse("forms:record_case_note", args=[child.pk]) in record
    # No form loaded: the short pages.
    r = alice_client.get(reverse("forms:record_visit", args=[child.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("cases:visit_add", args=[child.pk])
    definitions_load(actor=None)
    r = alice_client.get(reverse("forms:record_visit", args=[child.pk]))
    assert r["Location"] == reverse("forms:start", args=[child.pk, "statutory-visit"])
    r = alice_client.get(reverse("forms:record_case_note", args=[child.pk]))
    assert r["Location"] == reverse("forms:start", args=[child.pk, "case-note"])


def test_the_records_buttons_need_the_short_pages_permission(bob, child):
    r = client_for(bob).get(reverse("forms:record_visit", args=[child.pk]))
    assert r.status_code in (403, 404)
