"""One-time keys (core.idempotency): a form saved twice, or an API request sent twice, makes one record."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases.models import Contact
from conftest import client_for, make_user
from core import idempotency
from core.models import IdempotencyKey
from people.models import Person, Warning
from people.tests.factories import hold, person
from recording.models import CaseNote, ChronologyEntry

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def key_on(html: str) -> str:
    match = KEY.search(html)
    assert match, "the form carries no one-time key"
    return match.group(1)


def note_data(key: str, subject: str = "Home visit follow-up") -> dict[str, object]:
    day = timezone.localdate() - timedelta(days=1)
    return {
        "idempotency_key": key,
        "note_type": "case_note",
        "day_0": day.day,
        "day_1": day.month,
        "day_2": day.year,
        "subject": subject,
        "body": "Spoke to mum.\n\nShe agreed to the plan.",
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_saving_a_case_note_twice_with_the_same_form_records_it_once(alice_client):
    child = person()
    url = reverse("recording:case_note_add", args=[child.pk])
    key = key_on(alice_client.get(url).content.decode())
    first = alice_client.post(url, note_data(key))
    second = alice_client.post(url, note_data(key))  # Back, then Save again
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert CaseNote.objects.count() == 1 and ChronologyEntry.objects.filter(person=child).count() == 1
    assert "This was already saved" in [str(m) for m in get_messages(second.wsgi_request)]
    # a new form is a new key: a second note on purpose is saved
    again = key_on(alice_client.get(url).content.decode())
    assert again != key
    alice_client.post(url, note_data(again, "Second visit"))
    assert CaseNote.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_the_same_form_sent_again_with_a_fresh_key_is_answered_as_the_first(alice_client):
    """Back to a form page the browser fetched again: the typed text comes back, with a new key."""
    child = person()
    url = reverse("recording:case_note_add", args=[child.pk])
    first = alice_client.post(url, note_data(key_on(alice_client.get(url).content.decode())))
    second = alice_client.post(url, note_data(key_on(alice_client.get(url).content.decode())))
    assert second["Location"] == first["Location"]
    assert "This was already saved" in [str(m) for m in get_messages(second.wsgi_request)]
    assert CaseNote.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_a_refused_submission_gives_its_key_back(alice_client):
    child = person()
    url = reverse("recording:case_note_add", args=[child.pk])
    key = key_on(alice_client.get(url).content.decode())
    refused = alice_client.post(url, {**note_data(key), "day_2": timezone.localdate().year + 1})  # in the future
    assert refused.status_code == 200 and key_on(refused.content.decode()) == key
    assert not IdempotencyKey.objects.exists()
    assert alice_client.post(url, note_data(key)).status_code == 302
    assert CaseNote.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_a_key_belongs_to_its_user(alice, bob, team_b):
    child = person()
    hold(child, team_b)  # both teams work with the child (team A by default)
    url = reverse("recording:case_note_add", args=[child.pk])
    alice_client, bob_client = client_for(alice), client_for(bob)
    key = key_on(alice_client.get(url).content.decode())
    alice_client.post(url, note_data(key))
    bob_client.post(url, note_data(key))  # another user's key is not theirs to replay
    assert CaseNote.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_every_form_that_creates_a_record_carries_a_key(alice, manager, support):
    """Case notes, visits, contacts, people, relationships, warnings, journey steps, returns."""
    child = person()
    mother = person("Sarah", "Hughes", date(1990, 5, 1))
    performance = make_user("pat.performance@example.test", manager.memberships.first().team, Role.PERFORMANCE)
    pages = [
        (alice, reverse("recording:case_note_add", args=[child.pk])),
        (alice, reverse("cases:visit_add", args=[child.pk])),
        (support, reverse("cases:contact_add", args=[child.pk])),
        (alice, reverse("people:create")),
        (alice, reverse("people:relationship_add", args=[child.pk]) + f"?other={mother.pk}"),
        (alice, reverse("people:identifier_add", args=[child.pk])),
        (alice, reverse("people:address_add", args=[child.pk])),
        (alice, reverse("people:warning_add", args=[child.pk])),
        (manager, reverse("cases:step", args=[child.pk, "referral"])),
        (performance, reverse("returns:index")),
    ]
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        key_on(response.content.decode())


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_a_warning_and_a_contact_saved_twice_are_saved_once(alice, support):
    child = person()
    url = reverse("people:warning_add", args=[child.pk])
    c = client_for(alice)
    key = key_on(c.get(url).content.decode())
    for _ in range(2):
        c.post(url, {"idempotency_key": key, "type": "dog", "details": "Large dog in the garden"})
    assert Warning.objects.filter(person=child).count() == 1
    url = reverse("cases:contact_add", args=[child.pk])
    c = client_for(support)
    key = key_on(c.get(url).content.decode())
    day = timezone.localdate()
    data = {
        "idempotency_key": key,
        "day_0": day.day,
        "day_1": day.month,
        "day_2": day.year,
        "at": "00:01",
        "source": "2A",
    }
    for _ in range(2):
        c.post(url, {**data, "referrer_organisation": "Hillside Primary", "concern": "Bruising"})
    assert Contact.objects.filter(person=child).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_adding_a_person_twice_adds_them_once(alice_client):
    url = reverse("people:create")
    key = key_on(alice_client.get(url).content.decode())
    data = {
        "idempotency_key": key,
        "given_name": "Zebedee",
        "family_name": "Quill",
        "date_of_birth_0": "4",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2019",
        "sex": "M",
    }
    first = alice_client.post(url, data)
    second = alice_client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    assert second["Location"] == first["Location"]
    assert Person.objects.filter(names__family_name="Quill").distinct().count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_a_journey_step_resubmitted_is_answered_with_the_first(manager, team_a):
    child = person()
    url = reverse("cases:step", args=[child.pk, "referral"])
    c = client_for(manager)
    key = key_on(c.get(url).content.decode())
    day = timezone.localdate()
    data = {
        "idempotency_key": key,
        "referral_date_0": day.day,
        "referral_date_1": day.month,
        "referral_date_2": day.year,
    }
    data |= {"source": "2A", "team": team_a.pk, "primary_need": "N1"}
    first = c.post(url, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    second = c.post(url, data)
    assert second["Location"] == first["Location"]
    assert "This was already saved" in [str(m) for m in get_messages(second.wsgi_request)]
    assert child.cin_episodes.count() == 1


# The API: an Idempotency-Key header.


def api_note(c, child, key: str | None, subject: str = "Call"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return c.post(
        f"/api/v1/people/{child.pk}/case-notes",
        {"occurred_at": timezone.now().isoformat(), "subject": subject, "body": "Line one"},
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_an_api_post_with_the_same_idempotency_key_makes_one_record(alice_client):
    child = person()
    first = api_note(alice_client, child, "note-123")
    second = api_note(alice_client, child, "note-123")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert CaseNote.objects.count() == 1
    assert api_note(alice_client, child, None).status_code == 201  # no key: each request is new
    assert CaseNote.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_an_api_key_refused_or_reused_elsewhere(alice_client):
    child, other = person(), person("Ben", "Hughes", date(2017, 1, 2))
    bad = api_note(alice_client, child, "has spaces")
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["errors"]
    refused = alice_client.post(
        f"/api/v1/people/{child.pk}/case-notes",
        {"occurred_at": timezone.now().isoformat(), "subject": "", "body": ""},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert refused.status_code == 422
    assert api_note(alice_client, child, "k1").status_code == 201  # the refused request gave the key back
    elsewhere = api_note(alice_client, other, "k1")
    assert elsewhere.status_code == 422 and "another request" in elsewhere.json()["errors"]["Idempotency-Key"]
    assert CaseNote.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_at_the_same_moment_make_one_record(alice, allow_audit_flush):
    """The second claim waits on the unique index for the first transaction, then reads what it stored."""
    results: list[object] = []

    def second() -> None:
        try:
            with transaction.atomic():
                results.append(idempotency.idempotency_key_claim(user=alice, key="same", scope="/x"))
        finally:
            connection.close()

    with transaction.atomic():
        assert idempotency.idempotency_key_claim(user=alice, key="same", scope="/x") is None
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second claim should wait for the first transaction"
        idempotency.idempotency_key_complete(user=alice, key="same", location="/people/1/")
    thread.join(timeout=10)
    (row,) = results
    assert isinstance(row, IdempotencyKey) and row.location == "/people/1/"
    assert IdempotencyKey.objects.count() == 1


# Used keys are purged once their day has passed: by the worker as it starts and then daily, or by the command.


def _age(key: IdempotencyKey, by: timedelta) -> None:
    IdempotencyKey.objects.filter(pk=key.pk).update(created_at=timezone.now() - by)


@pytest.mark.django_db
@pytest.mark.usefixtures("team_a_holds")
def test_keys_older_than_a_day_are_purged_and_the_notes_they_made_stay(alice_client):
    from io import StringIO

    from django.core.management import call_command

    child = person()
    assert api_note(alice_client, child, "old-key").status_code == 201
    assert api_note(alice_client, child, "new-key", subject="Later call").status_code == 201
    old, new = IdempotencyKey.objects.get(key="old-key"), IdempotencyKey.objects.get(key="new-key")
    _age(old, timedelta(hours=25))
    _age(new, timedelta(hours=23))
    out = StringIO()
    call_command("idempotency_purge", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 used one-time key older than 24 hours."
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key"]
    assert CaseNote.objects.count() == 2  # the records stay: only the keys go
    # The key still within its day is still answered with the first answer.
    again = api_note(alice_client, child, "new-key", subject="Later call")
    assert again["Idempotent-Replayed"] == "true" and CaseNote.objects.count() == 2


@pytest.mark.django_db
def test_the_worker_purges_as_it_starts_and_queues_one_daily_purge(alice):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from core import tasks

    old = IdempotencyKey.objects.create(user=alice, key="k1", scope="POST /x")
    _age(old, timedelta(days=3))
    IdempotencyKey.objects.create(user=alice, key="k2", scope="POST /x")
    assert tasks.worker_started() == 1
    assert tasks.worker_started() == 0  # a second worker starting queues no second purge
    waiting = DBTaskResult.objects.filter(task_path=tasks.idempotency_keys_purge_daily.module_path)
    assert waiting.count() == 1
    queued = waiting.get()
    assert queued.status == TaskResultStatus.READY
    assert timedelta(hours=23) < queued.run_after - timezone.now() <= timedelta(days=1)
    # The daily task, when it runs, purges and queues the next one for a day later.
    _age(IdempotencyKey.objects.get(key="k2"), timedelta(hours=30))
    queued.delete()  # as the worker takes it
    assert tasks.idempotency_keys_purge_daily.call() == 1
    assert not IdempotencyKey.objects.exists()
    assert waiting.count() == 1


@pytest.mark.django_db
def test_casework_worker_purges_before_its_first_task(alice, monkeypatch):
    from casework import cli

    ran: list[list[str]] = []

    class Worker:
        def run_from_argv(self, argv: list[str]) -> None:
            ran.append(argv)

    monkeypatch.setattr("django.core.management.load_command_class", lambda app, name: Worker())
    _age(IdempotencyKey.objects.create(user=alice, key="k1", scope="POST /x"), timedelta(days=2))
    cli.run_worker("casework", ["--batch"])
    assert ran == [["casework", "worker", "--queue-name", "*", "--batch"]]
    assert not IdempotencyKey.objects.exists()
