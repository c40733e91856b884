"""The bundles' pages as a social worker uses them (choose, made at once, listed, downloaded and audited; bad input
refused with nothing written; fixed query counts) and `casework bundle` from the shell (clear errors, exit 1, nothing
written)."""

from __future__ import annotations

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from bundles.models import Bundle
from conftest import client_for
from core.testing import count_queries
from people.tests.factories import person

from . import helpers

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


def form_data(**changes):
    data = {
        "purpose": "court",
        "title": "Care proceedings",
        "period_from_0": "1",
        "period_from_1": "1",
        "period_from_2": "2026",
        "period_to_0": "30",
        "period_to_1": "11",
        "period_to_2": "2026",
        "officer_role": "Social worker",
        "officer_organisation": "Northshire County Council",
    }
    data.update(changes)
    return data


def test_a_social_worker_makes_a_bundle_from_the_record_and_downloads_it(alice, child) -> None:
    helpers.chronology(child, alice)
    neighbour = helpers.document(child, alice, "Neighbour's statement", sensitivity="third_party")
    c = client_for(alice)
    record = c.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Make a court or conference bundle" in record
    choose = c.get(reverse("bundles:new", args=[child.pk])).content.decode()
    assert "Neighbour&#x27;s statement" in choose and "Flagged: contains sensitive third-party information" in choose
    response = c.post(reverse("bundles:new", args=[child.pk]), form_data(document_ids=[neighbour.pk]))
    bundle = Bundle.objects.get()
    assert response.status_code == 302 and bundle.status == "done", bundle.error_message
    page = c.get(response["Location"]).content.decode()
    assert "1 exhibit contains sensitive third-party information" in page and "Download the bundle (PDF)" in page
    download = c.get(reverse("bundles:download", args=[child.pk, bundle.pk]))
    body = download.getvalue()
    assert hashlib.sha256(body).hexdigest() == bundle.sha256
    assert AuditEvent.objects.filter(object_type="bundle", action=AuditAction.EXPORT, object_id=str(bundle.pk)).exists()
    assert "Care proceedings" in c.get(reverse("bundles:list", args=[child.pk])).content.decode()
    assert "Care proceedings" in c.get(reverse("people:detail", args=[child.pk])).content.decode()


def test_a_bigger_bundle_is_made_by_the_worker_while_its_page_shows_the_progress(alice, child) -> None:
    from django_tasks_db.models import DBTaskResult

    from bundles.building import bundle_build

    documents = [helpers.document(child, alice, f"Letter {n}") for n in range(4)]
    c = client_for(alice)
    response = c.post(reverse("bundles:new", args=[child.pk]), form_data(document_ids=[d.pk for d in documents]))
    bundle = Bundle.objects.get()
    assert response.status_code == 302 and bundle.status == "waiting"
    queued = DBTaskResult.objects.get(task_path="bundles.tasks.build_bundle")
    assert queued.args_kwargs["args"] == [bundle.pk]
    page = c.get(response["Location"]).content.decode()
    assert "Your bundle is being made" in page, page
    assert 'id="bundle-progress"' in page and "bundles/progress" in page
    status = c.get(reverse("bundles:status", args=[child.pk, bundle.pk])).json()
    assert status == {
        "status": "waiting",
        "status_label": "Waiting to start",
        "stage": bundle.stage,
        "percent": 0,
        "finished": False,
    }
    bundle_build(bundle.pk)  # what the task worker does
    assert c.get(reverse("bundles:status", args=[child.pk, bundle.pk])).json()["finished"] is True
    assert "Download the bundle (PDF)" in c.get(response["Location"]).content.decode()


def test_bad_input_on_the_page_is_refused_in_words_and_nothing_is_written(alice, child) -> None:
    c = client_for(alice)
    events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    page = c.post(reverse("bundles:new", args=[child.pk]), form_data(title=""))
    assert page.status_code == 200 and "Enter a title for the bundle" in page.content.decode()
    page = c.post(reverse("bundles:new", args=[child.pk]), form_data(period_from_1="12"))
    assert "The end of the period must be the same as or after its start" in page.content.decode()
    assert not Bundle.objects.exists() and AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


def test_business_support_gets_no_button_and_no_page(support, child) -> None:
    c = client_for(support)
    assert "Make a court or conference bundle" not in c.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert c.get(reverse("bundles:new", args=[child.pk])).status_code == 403


def test_the_pages_queries_do_not_grow_with_documents_or_bundles(alice, child) -> None:
    c = client_for(alice)
    helpers.document(child, alice, "One")
    c.get(reverse("bundles:new", args=[child.pk]))  # warm the session and the user's roles
    with count_queries() as first:
        c.get(reverse("bundles:new", args=[child.pk]))
    helpers.document(child, alice, "Two")
    helpers.document(child, alice, "Three", sensitivity="restricted")
    with count_queries() as second:
        c.get(reverse("bundles:new", args=[child.pk]))
    assert len(second) == len(first)


def test_the_command_writes_the_bundle(alice, child, tmp_path) -> None:
    helpers.chronology(child, alice)
    helpers.document(child, alice, "Letter")
    out = tmp_path / "bundle.pdf"
    said = StringIO()
    call_command(
        "bundle",
        "--person",
        str(child.pk),
        "--from",
        "2026-01-01",
        "--to",
        "2026-11-30",
        "--out",
        str(out),
        "--as",
        alice.email,
        "--types",
        "case_note",
        "visit",
        stdout=said,
    )
    bundle = Bundle.objects.get()
    assert out.read_bytes() and hashlib.sha256(out.read_bytes()).hexdigest() == bundle.sha256
    assert f"Bundle {bundle.pk}: {bundle.pages} pages, 2 exhibits" in said.getvalue()
    assert bundle.entry_types == ["case_note", "visit"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "999999999"], "There is no person 999999999"),
        (["--from", "2026-13-01"], "--from must be a date written YYYY-MM-DD"),
        (["--from", "2026-06-01", "--to", "2026-05-01"], "is after --to"),
        (["--out", "/no/such/folder/b.pdf"], "Cannot write /no/such/folder/b.pdf"),
        (["--types", "gossip"], "There is no chronology entry type gossip"),
        (["--as", "nobody@example.test"], "There is no active user nobody@example.test"),
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(alice, child, tmp_path, args, message) -> None:
    base = {"--person": str(child.pk), "--from": "2026-01-01", "--to": "2026-11-30", "--out": str(tmp_path / "b.pdf")}
    extra: list[str] = []
    if args[0] in base:
        base.update(dict(zip(args[::2], args[1::2], strict=True)))
    else:
        extra = args
    argv = [x for pair in base.items() for x in pair] + extra
    with pytest.raises(CommandError) as refused:
        call_command("bundle", *argv)
    assert message in str(refused.value)
    assert not Bundle.objects.exists() and not (tmp_path / "b.pdf").exists()
