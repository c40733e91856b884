"""The redaction pages as a worker uses them: start, find a name, a bad area refused in words (nothing written),
the preview before applying, applying, the redacted page and the download (audited), the document page's "Redacted
copy for disclosure", the evidence page; who may redact; the pages' query counts stay the same as areas grow."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from conftest import client_for
from core.testing import count_queries
from documents import redaction_services, renditions, services
from documents.models import Redaction, RedactionArea, RedactionStatus, Rendition, RenditionKind
from documents.services import Upload
from documents.tests.test_redaction import NAME, letter_pdf
from people.tests.factories import person

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


@pytest.fixture
def doc(alice, child):
    [d] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("school-letter.pdf", letter_pdf())],
        document_type="school",
        document_date=date(2026, 11, 30),
    )
    renditions.make(d.versions.get().pk)
    return d


def url(name, child, doc, *args):
    return reverse(f"documents:{name}", args=[child.pk, doc.pk, *args])


AREA = {
    "action": "area",
    "area-page": "1",
    "area-x": "10",
    "area-y": "50",
    "area-width": "30",
    "area-height": "5",
    "area-reason": "third_party",
}


def test_a_worker_redacts_a_name_checks_it_applies_it_and_downloads_the_copy(alice_client, alice, child, doc):
    page = alice_client.get(url("document", child, doc)).content.decode()
    assert "Redact this document before disclosure" in page
    started = alice_client.post(url("redaction_start", child, doc, 1), {})
    r = Redaction.objects.get()
    assert started["Location"] == url("redaction", child, doc, r.pk)
    page = alice_client.get(started["Location"]).content.decode()
    assert "Mark what to redact" in page and "documents/redact.js" in page and "No areas marked yet" in page

    found = alice_client.post(
        started["Location"], {"action": "find", "find-words": NAME.lower(), "find-reason": "third_party"}
    )
    assert found.status_code == 302 and RedactionArea.objects.count() == 4

    # The wrong things: each refused in words, with the GOV.UK error summary, and nothing written.
    for change, message in (
        ({"area-x": "90", "area-width": "20"}, "The area goes off the right edge of the page"),
        ({"area-height": "0"}, "The area&#x27;s height must be more than 0.2% of the page&#x27;s height"),
        ({"area-reason": ""}, "Select why it is being redacted"),
        ({"area-reason": "other"}, "Enter why it is being redacted"),
        ({"area-page": "3"}, "Page must be between 1 and 1: this document has 1 page"),
        ({"area-x": "ten"}, "From the left (%) must be a number, like 12.5"),
    ):
        refused = alice_client.post(started["Location"], {**AREA, **change})
        text = refused.content.decode()
        assert refused.status_code == 200 and "govuk-error-summary" in text and message in text, message
        assert text.count("<title>Error: ") == 1
    refused = alice_client.post(
        started["Location"], {"action": "find", "find-words": "Zebedee", "find-reason": "third_party"}
    )
    assert "“Zebedee” was not found in the document" in refused.content.decode()
    assert RedactionArea.objects.count() == 4

    drawn = alice_client.post(started["Location"], {**AREA, "area-method": "drawn"})
    assert drawn.status_code == 302 and RedactionArea.objects.filter(method="drawn").count() == 1

    # The preview: every page with areas, painted black, and a confirmation.
    preview = alice_client.get(url("redaction_apply", child, doc, r.pk)).content.decode()
    assert "Apply the redaction and make the redacted copy" in preview and "cannot be changed" in preview
    image = alice_client.get(url("redaction_page", child, doc, r.pk, 1))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert Redaction.objects.get().status == RedactionStatus.DRAFT  # looking applies nothing

    applied = alice_client.post(url("redaction_apply", child, doc, r.pk), {})
    assert applied["Location"] == url("redaction", child, doc, r.pk)
    assert "being made" in alice_client.get(applied["Location"]).content.decode()
    redaction_services.make_redacted_copy(r.pk)  # what the task worker does

    copy = Rendition.objects.get(redaction=r, kind=RenditionKind.REDACTED)
    page = alice_client.get(url("document", child, doc)).content.decode()
    assert "Redacted copy for disclosure" in page and url("redaction_download", child, doc, r.pk) in page
    download = alice_client.get(url("redaction_download", child, doc, r.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:5] == b"%PDF-"
    assert "redacted" in download["Content-Disposition"]
    redacted_page = alice_client.get(url("redaction_page", child, doc, r.pk, 1))
    assert redacted_page.status_code == 200
    evidence = alice_client.get(url("evidence", child, doc)).content.decode()
    assert (
        copy.sha256 in evidence and "Third-party information" in evidence and "Downloaded the redacted copy" in evidence
    )

    actions = list(AuditEvent.objects.filter(object_type="redaction").values_list("action", flat=True))
    assert AuditAction.EXPORT in actions and AuditAction.VIEW in actions and AuditAction.CREATE in actions

    # Applied: it cannot change; a new one supersedes it.
    again = alice_client.post(url("redaction", child, doc, r.pk), AREA)
    assert "cannot change" in again.content.decode() and RedactionArea.objects.filter(redaction=r).count() == 5
    newer = alice_client.post(url("redaction_start", child, doc, 1), {"supersedes": r.pk})
    successor = Redaction.objects.get(supersedes=r)
    assert newer["Location"] == url("redaction", child, doc, successor.pk)
    assert successor.areas.count() == 5
    assert (
        "A newer redaction replaces this one" in alice_client.get(url("redaction", child, doc, r.pk)).content.decode()
    )


def test_who_may_redact(alice, bob, support, manager, child, doc):
    assert client_for(bob).get(url("redaction_start", child, doc, 1)).status_code == 403  # another team
    # A colleague on the team who did not add it asks its uploader or a manager.
    assert client_for(support).post(url("redaction_start", child, doc, 1), {}).status_code == 403
    assert client_for(manager).post(url("redaction_start", child, doc, 1), {}).status_code == 302
    r = Redaction.objects.get()
    assert client_for(support).post(url("redaction", child, doc, r.pk), AREA).status_code == 403
    assert not RedactionArea.objects.exists()


def test_the_pages_query_counts_do_not_grow_with_the_areas(alice_client, alice, child, doc):
    r = redaction_services.redaction_create(actor=alice, version=doc.versions.get())
    redaction_services.redaction_text_find(actor=alice, redaction_row=r, words=NAME, reason="third_party")

    def counts():
        out = []
        for name in ("redaction", "redaction_apply"):
            with count_queries() as q:
                assert alice_client.get(url(name, child, doc, r.pk)).status_code == 200
            out.append(len(q))
        with count_queries() as q:
            assert alice_client.get(url("document", child, doc)).status_code == 200
        out.append(len(q))
        return out

    before = counts()
    for n in range(5):
        redaction_services.redaction_area_add(
            actor=alice, redaction_row=r, page=1, x=0.05 * n, y=0.6, width=0.04, height=0.04, reason="third_party"
        )
    assert counts() == before, before
    print("queries (redaction page, apply page, document page):", before)


def test_a_restricted_document_needs_its_grant_to_be_redacted(alice, manager, child):
    [secret] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("police.txt", b"Information from the police about a neighbour.\n")],
        document_type="police",
        document_date=date(2026, 11, 30),
        sensitivity="restricted",
    )
    renditions.make(secret.versions.get().pk)
    # The manager may redact the team's documents, but not one they have no grant to: it does not show at all.
    assert client_for(manager).get(url("redaction_start", child, secret, 1)).status_code == 404
    assert client_for(alice).post(url("redaction_start", child, secret, 1), {}).status_code == 302
    r = Redaction.objects.get()
    assert client_for(manager).get(url("redaction", child, secret, r.pk)).status_code == 404
    assert client_for(manager).get(url("redaction_page", child, secret, r.pk, 1)).status_code == 404
