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


def test_a_document_concerning_both_records_does_not_refuse_the_merge(alice, team_a, documents_storage):
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
    merging.person_unmerge(actor=admin, merge=outcome.merge)
    assert differences(before, database_rows()) == []
    assert set(doc.concerns.all()) == {keep, gone}
