"""The pages of the load's mix (bench/load.py: search, the record, a chronology entry, a case note's form) ask the
database a fixed number of times, the layout's questions (navigation, unread notifications, demo banner) once a
page however many templates it renders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.testing import assert_query_count, count_queries
from people.tests.factories import person
from recording import services as recording
from recording.models import ChronologyEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

# What each page asks, counted once here so that a change shows up as a diff. Every page about a person asks whether
# the record was merged into another (people.merging: a tombstone redirects) in the query that finds it
# (accounts.access.person_for); the record adds its documents section; search fetches exact names first, no longer
# asks for trigram candidates when both names agree, and reads its match weights from the process's cache. What every
# signed-in page asks about its user (settings, roles, conflicts, unread notifications, authenticator) is one query
# (accounts.request_facts), and the session is saved only when it changed (decision 0030; these were 31, 17, 14, 14). The record's retention section (retention app) is one query and its
# bundles section (bundles app) one.
QUERIES = {"record": 22, "entry": 8, "note_form": 6, "search": 7}


@pytest.fixture
def child(alice):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    recording.case_note_create(
        actor=alice, person=child, occurred_at=timezone.now() - timedelta(days=1), subject="Visit", body="Seen."
    )
    return child


def test_the_record_page_asks_its_fixed_queries_and_the_layouts_once(child, alice_client):
    alice_client.get(reverse("people:detail", args=[child.pk]))  # the session's first request does more
    with count_queries() as queries:
        assert alice_client.get(reverse("people:detail", args=[child.pk])).status_code == 200
    assert sum("accounts_notification" in q for q in queries.statements) == 1, queries.listing()
    assert sum("accounts_accesssettings" in q for q in queries.statements) == 1, queries.listing()
    with assert_query_count(QUERIES["record"]):
        alice_client.get(reverse("people:detail", args=[child.pk]))


def test_a_chronology_entry_a_note_form_and_a_search_ask_fixed_queries(child, alice_client):
    entry = ChronologyEntry.objects.filter(person=child).first()
    pages = {
        "entry": reverse("recording:entry", args=[child.pk, entry.pk]),
        "note_form": reverse("recording:case_note_add", args=[child.pk]),
        "search": reverse("people:search") + "?q=Amelia+Hughes",
    }
    alice_client.get(pages["entry"])
    # The match weights are read once and kept for a few minutes (people.match_store): count a search as most are.
    alice_client.get(pages["search"])
    counted, listings = {}, {}
    for name, url in pages.items():
        with count_queries() as queries:
            assert alice_client.get(url).status_code == 200, name
        counted[name], listings[name] = len(queries), queries.listing()
    expected = {name: QUERIES[name] for name in pages}
    assert counted == expected, "\n".join(
        f"{name}:\n{listings[name]}" for name in pages if counted[name] != expected[name]
    )
