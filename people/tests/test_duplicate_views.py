"""The duplicates' pages without a browser: a merge a manager must confirm, "not the same person", and a merged
record that takes no more work."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Role
from conftest import client_for, make_user
from people import merging
from people.models import DuplicateCandidate, PersonMerge
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


@pytest.fixture
def admin(team_a):
    return make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)


def test_different_dates_of_birth_need_an_administrator_to_confirm(support, admin):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hughes", date(2015, 7, 3))
    url = reverse("people:merge", args=[a.pk, b.pk])
    page = client_for(support).post(url, {"step": "choose", "date_of_birth": "survivor"})
    assert page.status_code == 200
    assert "Ask an administrator to do it" in page.content.decode()
    assert not PersonMerge.objects.exists()

    c = client_for(admin)
    page = c.post(url, {"step": "choose", "date_of_birth": "merged"})
    assert "a manager must confirm" in page.content.decode()
    page = c.post(url, {"step": "choose", "date_of_birth": "merged", "confirm": "on"})
    body = page.content.decode()
    assert "Check before you merge" in body and "You can undo this merge afterwards" in body
    key = body.split('name="idempotency_key" value="')[1].split('"')[0] if 'name="idempotency_key"' in body else ""
    done = c.post(url, {"step": "merge", "date_of_birth": "merged", "confirm": "on", "idempotency_key": key})
    merge = PersonMerge.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("people:merge_detail", args=[merge.pk])
    assert merge.confirmed and merge.choices == {"date_of_birth": "merged"}


def test_not_the_same_person_and_a_merged_record(support, alice):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hewes", date(2015, 3, 27))
    pair = DuplicateCandidate.objects.create(person=a, possible_match=b, score=0.9, source="sweep")
    c = client_for(support)
    assert "Amelia Hughes and Amelia Hewes" in c.get(reverse("people:duplicates")).content.decode()
    c.post(reverse("people:duplicate_not_same", args=[pair.pk]))
    pair.refresh_from_db()
    assert pair.status == "not_duplicate"
    assert "No possible duplicates" in c.get(reverse("people:duplicates")).content.decode()

    merging.person_merge(actor=support, keep=a, merge=b)
    record = client_for(alice).get(reverse("people:detail", args=[b.pk]))
    assert "This record was merged" in record.content.decode()
    assert client_for(alice).get(reverse("people:warning_add", args=[b.pk])).status_code == 404
