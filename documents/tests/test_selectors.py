"""The documents' reads keep a fixed number of queries whatever the number of documents and versions."""

from __future__ import annotations

from datetime import date

import pytest

from core.testing import assert_query_count, assert_same_query_count, count_queries
from documents import selectors, services
from documents.services import Upload
from people.tests.factories import person

pytestmark = pytest.mark.usefixtures("team_a_holds")


def add(alice, child, numbers: range) -> None:
    for i in numbers:
        [doc] = services.documents_add(
            actor=alice,
            person=child,
            uploads=[Upload(f"{i}.txt", f"Note {i}\n".encode())],
            document_type="letter",
            document_date=date(2026, 11, 1),
            title=f"Note {i}",
        )
        services.document_version_add(
            actor=alice, document=doc, upload=Upload(f"{i}b.txt", f"Note {i}, signed\n".encode()), reason="Signed"
        )


def test_a_records_documents_are_one_query_however_many(alice, db) -> None:
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    add(alice, child, range(1))
    alice.refresh_from_db()
    selectors.documents_for_person(alice, child)  # the user's roles are asked once a request, then remembered
    with count_queries() as few:
        assert len(selectors.documents_for_person(alice, child, selectors.Search(text="note"))) == 1
    add(alice, child, range(1, 5))
    with count_queries() as many:
        assert len(selectors.documents_for_person(alice, child, selectors.Search(text="note"))) == 5
    assert_same_query_count(few, many)
    with assert_query_count(1):
        documents, total = selectors.recent_documents(alice, child, limit=3)
    assert (len(documents), total) == (3, 5)
