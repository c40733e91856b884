"""Merging two records of one person when a document concerns both: the merge keeps one row for the survivor (the
merged record's row stays with it) and undoing it leaves the database exactly as it was."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Role
from conftest import make_user
from documents import services
from documents.services import Upload
from documents.tests import samples
from people import merging
from people.tests.factories import person
from people.tests.merge_support import database_rows, differences

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def test_a_document_concerning_both_records_does_not_refuse_the_merge(alice, support, team_a, documents_storage):
    from django.urls import reverse

    from conftest import client_for

    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    keep = person("Sarah", "Hughes", date(1990, 1, 2))
    gone = person("Sara", "Hughes", date(1990, 1, 2))
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("letter.pdf", samples.text_pdf())],
        document_type="letter",
        document_date=date(2026, 11, 30),
        concerns=[keep, gone],
    )
    before = database_rows()
    outcome = merging.person_merge(actor=admin, keep=keep, merge=gone, confirmed=True)
    assert list(doc.concerns.filter(pk=keep.pk)) == [keep]  # one row for the survivor
    assert outcome.left  # the merged record's row stays with it, and the merge's page says so
    assert ("Documents that concern the person", 1) in merging.left_with_merged(outcome.merge)
    page = client_for(support).get(reverse("people:merge_detail", args=[outcome.merge.pk])).content.decode()
    assert "Stayed with record" in page and "Documents that concern the person: 1" in page
    merging.person_unmerge(actor=admin, merge=outcome.merge)
    # Exactly as it was, but for signing in to see the page (the user's last sign-in, the session).
    signed_in = {"accounts_user", "django_session"}
    after = database_rows()
    assert differences(*({t: v for t, v in rows.items() if t not in signed_in} for rows in (before, after))) == []
    assert set(doc.concerns.all()) == {keep, gone}


def test_undoing_a_merge_asks_once_about_a_case_note_and_its_chronology_entry(alice, support, team_a):
    from django.urls import reverse
    from django.utils import timezone

    from conftest import client_for
    from recording.models import ChronologyEntry
    from recording.services import case_note_create

    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    keep = person("Emma", "Lloyd", date(2010, 6, 13))
    gone = person("Emma", "Lloydd", date(2010, 6, 13))
    outcome = merging.person_merge(actor=admin, keep=keep, merge=gone, confirmed=True)
    note = case_note_create(
        actor=alice, person=keep, occurred_at=timezone.now(), subject="Phone call with school", body="Settled."
    )
    client = client_for(support)
    url = reverse("people:merge_undo", args=[outcome.merge.pk])
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 2  # one question: the note, its chronology entry with it
    assert "Case note: Phone call with school" in page and "Its chronology entry goes with it" in page
    detail = client.get(reverse("people:merge_detail", args=[outcome.merge.pk])).content.decode()
    assert "Records merged" in detail and "Stayed with record" not in detail  # nothing was left behind
    r = client.post(url, {"item_0": merging.TAKE})
    assert r.status_code == 302
    note.refresh_from_db()
    entry = ChronologyEntry.objects.get(source_type="case_note", source_id=note.pk)
    assert note.person_id == entry.person_id == gone.pk
