"""The documents' pages as a worker uses them: upload (one file, several, refused ones with a reason per file),
view, download the original byte for byte, search, and access: a colleague without a relationship, an outsider, and
a restricted document that needs its own grant."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from conftest import client_for
from documents import renditions, services
from documents.models import Document
from documents.services import Upload
from documents.tests import samples
from people.tests.factories import person

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


def post_upload(client, child, *files, **fields):
    data = {
        "document_type": "letter",
        "document_date_0": "30",
        "document_date_1": "11",
        "document_date_2": "2026",
        "sensitivity": "ordinary",
        "upload": [SimpleUploadedFile(name, content) for name, content in files],
        **fields,
    }
    return client.post(reverse("documents:upload", args=[child.pk]), data)


def test_a_worker_uploads_a_letter_and_sees_it_on_its_page(alice_client, child) -> None:
    response = post_upload(alice_client, child, ("letter.pdf", samples.text_pdf()), title="Letter from the GP")
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "documents:document", args=[child.pk, doc.pk]
    )
    page = alice_client.get(response["Location"]).content.decode()
    assert "Letter from the GP" in page and "being made" in page
    assert AuditEvent.objects.filter(object_type="document", object_id=str(doc.pk), action=AuditAction.VIEW).exists()


def test_several_files_at_once(alice_client, child) -> None:
    response = post_upload(
        alice_client, child, ("one.pdf", samples.text_pdf("One")), ("two.png", samples.scanned_png())
    )
    assert response.status_code == 302 and Document.objects.count() == 2
    # Titled from the files' names, as a title reads.
    assert sorted(Document.objects.values_list("title", flat=True)) == ["One", "Two"]


def test_refused_files_are_each_named_with_the_reason_and_nothing_is_kept(alice_client, child, settings) -> None:
    response = post_upload(
        alice_client,
        child,
        ("report.pdf", samples.windows_program()),
        ("court-order.pdf", samples.encrypted_pdf()),
        ("minutes.pdf", samples.javascript_pdf()),
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Document.objects.exists()
    assert "report.pdf is called a PDF file but it is a Windows program" in html
    assert "court-order.pdf is protected by a password" in html
    assert "minutes.pdf contains JavaScript" in html
    assert html.count('class="govuk-error-message"') == 3


def test_an_oversized_file_is_refused(alice_client, child, monkeypatch) -> None:
    from documents import intake

    monkeypatch.setattr(intake.limits, "DOCUMENT_BYTES", 1024)
    response = post_upload(alice_client, child, ("big.pdf", samples.text_pdf()))
    assert "the largest file Casework keeps is 1 KB" in response.content.decode()
    assert not Document.objects.exists()


def test_no_file_chosen_says_so(alice_client, child) -> None:
    response = post_upload(alice_client, child)
    assert "Select a file to upload" in response.content.decode()


def test_the_original_downloads_byte_for_byte_and_the_download_is_audited(alice_client, alice, child) -> None:
    data = samples.text_pdf()
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("minutes.pdf", data)],
        document_type="report",
        document_date=date(2026, 11, 1),
    )
    response = alice_client.get(reverse("documents:original", args=[child.pk, doc.pk, 1]))
    body = b"".join(response.streaming_content)
    assert (
        body == data
        and "attachment" in response["Content-Disposition"]
        and "minutes.pdf" in response["Content-Disposition"]
    )
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="document")
    assert event.changes == {"version": 1, "file": "original", "sha256": hashlib.sha256(data).hexdigest()}


def test_page_images_show_and_the_archival_copy_downloads(alice_client, alice, child) -> None:
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("note.txt", b"Phoned mum.\n")],
        document_type="letter",
        document_date=date(2026, 11, 1),
    )
    renditions.make(doc.versions.get().pk)
    page = alice_client.get(reverse("documents:document", args=[child.pk, doc.pk])).content.decode()
    image = reverse("documents:page_image", args=[child.pk, doc.pk, 1, 1])
    assert image in page and 'alt="Page 1 of 1"' in page
    assert alice_client.get(image)["Content-Type"] == "image/png"
    pdf = alice_client.get(reverse("documents:archival", args=[child.pk, doc.pk, 1]))
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_search_by_words_in_the_text_type_and_date(alice_client, alice, child) -> None:
    for name, text, kind, day in (
        ("a.txt", b"The paediatrician saw bruising on the arm.\n", "medical_letter", date(2026, 10, 1)),
        ("b.txt", b"School attendance is 92 percent.\n", "school", date(2026, 11, 1)),
    ):
        [doc] = services.documents_add(
            actor=alice, person=child, uploads=[Upload(name, text)], document_type=kind, document_date=day
        )
        renditions.make(doc.versions.get().pk)
    url = reverse("documents:list", args=[child.pk])
    found = alice_client.get(url, {"q": "bruises"}).content.decode()  # English stemming: bruises finds bruising
    assert ">A<" in found and ">B<" not in found
    assert ">B<" in alice_client.get(url, {"document_type": "school"}).content.decode()
    dated = alice_client.get(url, {"date_from_0": "15", "date_from_1": "10", "date_from_2": "2026"}).content.decode()
    assert ">B<" in dated and ">A<" not in dated


def test_a_colleague_without_a_relationship_and_an_outsider_are_refused(bob, charlie, alice, child) -> None:
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("a.txt", b"x\n")],
        document_type="letter",
        document_date=date(2026, 11, 1),
    )
    for user in (bob, charlie):
        c = client_for(user)
        assert c.get(reverse("documents:document", args=[child.pk, doc.pk])).status_code == 403
        assert c.get(reverse("documents:original", args=[child.pk, doc.pk, 1])).status_code == 403
        assert c.get(reverse("documents:upload", args=[child.pk])).status_code == 403


def test_a_restricted_document_needs_its_own_grant(alice, manager, alice_client, child) -> None:
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("a.txt", b"Adoption papers\n")],
        document_type="court_order",
        document_date=date(2026, 11, 1),
        title="Placement order",
        sensitivity="restricted",
    )
    boss = client_for(manager)
    document_url = reverse("documents:document", args=[child.pk, doc.pk])
    assert boss.get(reverse("people:detail", args=[child.pk])).status_code == 200  # the manager sees the record...
    assert boss.get(document_url).status_code == 404  # ...but not the restricted document
    assert boss.get(reverse("documents:original", args=[child.pk, doc.pk, 1])).status_code == 404
    listing = boss.get(reverse("documents:list", args=[child.pk])).content.decode()
    assert "Restricted document" in listing and "Placement order" not in listing
    assert (
        "Placement order"
        not in boss.get(reverse("documents:list", args=[child.pk]), {"q": "Placement"}).content.decode()
    )

    assert alice_client.get(document_url).status_code == 200  # the uploader holds a grant
    response = alice_client.post(
        reverse("documents:grant", args=[child.pk, doc.pk]), {"user": manager.pk, "reason": "Supervision"}
    )
    assert response.status_code == 302
    assert boss.get(document_url).status_code == 200
    assert AuditEvent.objects.filter(object_type="document_grant", action=AuditAction.CREATE).exists()


def test_the_evidence_page_shows_hashes_capture_and_every_access(alice_client, alice, child) -> None:
    data = b"Called the GP.\n"
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("call.txt", data)],
        document_type="letter",
        document_date=date(2026, 11, 1),
    )
    alice_client.get(reverse("documents:original", args=[child.pk, doc.pk, 1]))
    page = alice_client.get(reverse("documents:evidence", args=[child.pk, doc.pk])).content.decode()
    assert hashlib.sha256(data).hexdigest() in page
    assert "Uploaded by a worker by Alice Tester" in page
    assert "Downloaded the original of version 1" in page and "Added the document" in page
    assert "Disposal review date" in page  # the retention app's section (documents.hooks)


def test_fixity_page_is_for_administrators(alice_client, admin_client) -> None:
    assert alice_client.get(reverse("documents:fixity")).status_code == 403
    assert "No check has run yet" in admin_client.get(reverse("documents:fixity")).content.decode()


@pytest.fixture
def admin_client(db, team_a):
    from accounts.models import Role
    from conftest import make_user

    return client_for(make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR))


def test_a_file_larger_than_a_forms_request_limit_uploads(alice_client, child) -> None:
    """Pages' requests are held to 512 KB (core.limits.REQUEST_BYTES); an upload is held to its files' limit."""
    big = b"A long transcript of the meeting.\n" * 30_000  # about 1 MB
    response = post_upload(alice_client, child, ("transcript.txt", big))
    assert response.status_code == 302
    assert Document.objects.get().versions.get().size == len(big)


def test_files_chosen_with_a_wrong_detail_are_asked_for_again(alice_client, child) -> None:
    """A browser never keeps the files chosen when the page comes back with an error: the page says to choose them
    again, rather than answering the next Upload with "Select a file"."""
    page = post_upload(
        alice_client, child, ("a.txt", b"A letter\n"), ("b.txt", b"Another\n"), document_date_2="2099"
    ).content.decode()
    assert "must be today or in the past" in page
    assert "Nothing was uploaded yet. Choose the files again once the details below are right." in page
    assert 'aria-describedby=" id_upload-again"' in page or "id_upload-again" in page
    assert not Document.objects.exists()
    # A refused file gets its own words instead (choose them again, leaving out those listed).
    page = post_upload(
        alice_client, child, ("a.txt", b"A letter\n"), ("run.exe", b"MZ\x90\x00 program")
    ).content.decode()
    assert "Nothing was uploaded. Choose the files again, leaving out those listed." in page
    assert "Choose the files again once" not in page
    # Nothing sent: nothing to choose again.
    page = post_upload(alice_client, child).content.decode()
    assert "Choose the files again" not in page
