"""Adding documents, versions and details: hashes, originals kept byte for byte, refusals, audit and chronology."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import RuleError
from documents import services, storage
from documents.models import Document, DocumentVersion, Sensitivity
from documents.services import Upload
from documents.tests import samples
from documents.tests.conftest import EICAR
from people.tests.factories import person
from recording.models import ChronologyEntry

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


def add(actor, who, *files, **kw):
    kw.setdefault("document_type", "letter")
    kw.setdefault("document_date", date(2026, 11, 30))
    return services.documents_add(actor=actor, person=who, uploads=[Upload(n, d) for n, d in files], **kw)


def test_an_upload_keeps_the_original_byte_for_byte_with_its_hash(alice, child, documents_storage) -> None:
    data = samples.text_pdf()
    [doc] = add(alice, child, ("minutes.pdf", data), title="Core group minutes")
    version = doc.versions.get()
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.size == len(data) and version.media_type == "application/pdf"
    assert storage.read_stored(version.storage_name) == data
    assert (documents_storage / version.storage_name).read_bytes() == data
    event = AuditEvent.objects.get(object_type="document", object_id=str(doc.pk))
    assert event.action == "create" and event.person_id == child.pk and event.changes["sha256"] == version.sha256
    entry = ChronologyEntry.objects.get(source_type="document", source_id=doc.pk)
    assert entry.title == "Letter added: Core group minutes" and entry.entry_type == "document"


def test_several_files_at_once_each_become_a_document_in_every_concerned_chronology(alice, child) -> None:
    mother = person("Sarah", "Hughes", date(1990, 1, 2))
    docs = add(alice, child, ("a.png", samples.scanned_png()), ("IMG_1.jpg", samples.photo_jpeg()), concerns=[mother])
    assert [d.title for d in docs] == ["A", "IMG 1"]
    assert all(list(d.concerns.all()) == [mother] for d in docs)
    assert ChronologyEntry.objects.filter(person=mother, source_type="document").count() == 2


def test_one_refused_file_keeps_none_and_names_each_refused_file(alice, child) -> None:
    with pytest.raises(services.FilesRefused) as refused:
        add(
            alice,
            child,
            ("good.pdf", samples.text_pdf()),
            ("letter.pdf", samples.windows_program()),
            ("virus.txt", EICAR),
        )
    assert refused.value.messages == [
        "letter.pdf is called a PDF file but it is a Windows program: programs are not kept.",
        "virus.txt contains a virus (Eicar-Signature) and was not kept.",
    ]
    assert not Document.objects.exists()


def test_the_same_file_twice_on_one_record_is_refused(alice, child) -> None:
    data = samples.text_pdf()
    add(alice, child, ("minutes.pdf", data), title="Minutes")
    with pytest.raises(services.FilesRefused) as refused:
        add(alice, child, ("minutes (1).pdf", data))
    assert "minutes (1).pdf is already on this record: \u201cMinutes\u201d, added on" in refused.value.messages[0]


def test_a_date_in_the_future_is_refused(alice, child) -> None:
    with pytest.raises(RuleError) as refused:
        add(alice, child, ("a.pdf", samples.text_pdf()), document_date=timezone.localdate() + timedelta(days=1))
    assert refused.value.errors == {"document_date": "The date of the document must be today or in the past"}


def test_a_new_version_never_replaces_the_old_one(alice, child) -> None:
    first, second = samples.text_pdf("Draft plan"), samples.text_pdf("Final plan")
    [doc] = add(alice, child, ("plan.pdf", first))
    version = services.document_version_add(
        actor=alice, document=doc, upload=Upload("plan-final.pdf", second), reason="The signed copy"
    )
    assert version.number == 2
    one, two = doc.versions.order_by("number")
    assert storage.read_stored(one.storage_name) == first and storage.read_stored(two.storage_name) == second
    assert AuditEvent.objects.filter(object_type="document_version", object_id=str(two.pk)).exists()
    with pytest.raises(RuleError) as same:
        services.document_version_add(actor=alice, document=doc, upload=Upload("x.pdf", first), reason="Again")
    assert same.value.errors == {"files": "x.pdf is the same file as version 1."}


def test_the_database_refuses_to_change_or_delete_an_original(alice, child) -> None:
    [doc] = add(alice, child, ("plan.pdf", samples.text_pdf()))
    with pytest.raises(ProgrammingError, match="original never changes"), transaction.atomic():
        DocumentVersion.objects.filter(document=doc).update(sha256="0" * 64)
    with pytest.raises(ProgrammingError, match="documents are kept"), transaction.atomic():
        DocumentVersion.objects.filter(document=doc).delete()


def test_changing_details_is_audited_with_old_and_new(alice, child) -> None:
    [doc] = add(alice, child, ("plan.pdf", samples.text_pdf()), title="Plan")
    services.document_change(
        actor=alice,
        document=doc,
        title="Child protection plan",
        document_type="report",
        document_date=doc.document_date,
        sensitivity=Sensitivity.THIRD_PARTY,
        concerns=[],
        reason="Named properly",
    )
    event = AuditEvent.objects.filter(object_type="document", action="update").get()
    assert event.changes["title"] == {"from": "Plan", "to": "Child protection plan"}
    assert event.changes["sensitivity"] == {"from": "ordinary", "to": "third_party"}
    with pytest.raises(RuleError, match="Nothing has changed"):
        services.document_change(
            actor=alice,
            document=doc,
            title="Child protection plan",
            document_type="report",
            document_date=doc.document_date,
            sensitivity=Sensitivity.THIRD_PARTY,
            concerns=[],
            reason="Again",
        )


def test_a_restricted_document_is_not_named_in_the_chronology_and_its_uploader_holds_a_grant(alice, child) -> None:
    [doc] = add(alice, child, ("a.pdf", samples.text_pdf()), title="Adoption papers", sensitivity="restricted")
    entry = ChronologyEntry.objects.get(source_type="document", source_id=doc.pk)
    assert entry.title == "Restricted document added" and "Adoption" not in entry.text
    assert doc.grants.get().user == alice


def test_an_import_key_is_used_once(alice, child) -> None:
    add(alice, child, ("a.pdf", samples.text_pdf("one")), import_key="k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        add(alice, child, ("b.pdf", samples.text_pdf("two")), import_key="k1")
