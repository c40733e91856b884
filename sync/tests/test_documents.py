"""Documents in the offline app (issue 13: "documents only when opened"): the pull carries each document's metadata
(the ones the worker may see: a restricted one only with a grant), and opening one fetches its pages online through
the sync API, which checks access and audits the view as the web's document page does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from documents import renditions, scanning
from documents import services as documents
from documents.models import DocumentGrant
from documents.services import Upload
from people.tests.factories import person

from .helpers import DeviceClient
from .test_pull import Store

pytestmark = pytest.mark.usefixtures("allow_audit_flush")


class CleanScanner:
    name = "test scanner"

    def scan(self, data: bytes) -> scanning.Verdict:
        return scanning.Verdict(clean=True, scanner=self.name)


@pytest.fixture(autouse=True)
def documents_storage(tmp_path: Path, settings: Any) -> Iterator[Path]:
    folder = tmp_path / "documents"
    stores = {**settings.STORAGES}
    stores["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None},
    }
    with override_settings(STORAGES=stores):
        scanning.scanner_override = CleanScanner()
        try:
            yield folder
        finally:
            scanning.scanner_override = None


def add(child: Any, title: str, *, actor: Any = None, sensitivity: str = "ordinary", make: bool = True) -> Any:
    [doc] = documents.documents_add(
        actor=actor,
        person=child,
        uploads=[Upload(f"{title}.txt", f"{title}: seen at home.\n".encode())],
        document_type="letter",
        document_date=date(2026, 11, 30),
        title=title,
        sensitivity=sensitivity,
    )
    if make:
        renditions.make(doc.versions.get().pk)
    return doc


def test_documents_come_as_metadata_and_a_restricted_one_only_with_a_grant(alice: Any) -> None:
    child = person(held_by=alice)
    letter = add(child, "School letter", sensitivity="third_party")
    secret = add(child, "Placement order", sensitivity="restricted")
    d = DeviceClient(alice)
    store = Store(d)
    body = store.sync()
    (record,) = store.of("document")
    assert record["id"] == str(letter.pk) and record["person_id"] == child.pk
    assert record["data"] == {
        "title": "School letter",
        "kind": "Letter",
        "date": "30 November 2026",
        "document_date": "2026-11-30",
        "sensitivity": "Sensitive third-party information",
        "file_version": 1,
        "pages": 1,
        "readable": "Yes",
    }
    assert body["scope_checksum"] == store.checksum()
    # Metadata only: no file, no text of the document.
    assert "seen at home" not in json.dumps(record)

    grant = documents.document_grant_add(actor=None, document=secret, user=alice, reason="Court work")
    store.sync()
    assert {r["data"]["title"] for r in store.of("document")} == {"School letter", "Placement order"}
    assert store.of("document")[-1]["data"]["sensitivity"] == "Restricted"
    DocumentGrant.objects.filter(pk=grant.pk).update(ended_at=timezone.now())
    body = store.sync()
    assert [r["data"]["title"] for r in store.of("document")] == ["School letter"]  # evicted with the grant
    assert body["scope_checksum"] == store.checksum()


def test_a_document_opens_online_checked_and_audited_as_the_web_page(alice: Any, bob: Any) -> None:
    child = person(held_by=alice)
    letter = add(child, "Health visitor letter")
    waiting = add(child, "Being read", make=False)
    secret = add(child, "Placement order", sensitivity="restricted")
    d = DeviceClient(alice)
    before = AuditEvent.objects.count()
    r = d.get(f"/api/v1/sync/documents/{letter.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["title"] == "Health visitor letter" and body["file_version"] == 1 and body["status"] == "Ready"
    assert [p["page"] for p in body["pages"]] == [1]
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.object_type, e.context.get("section")) for e in events] == [
        (AuditAction.VIEW, "person", "document"),
        (AuditAction.VIEW, "document", "document"),
    ]
    page = d.get(body["pages"][0]["url"])
    assert page.status_code == 200 and page["Content-Type"] == "image/png" and page.content[:4] == b"\x89PNG"
    assert "no-store" in page["Cache-Control"]
    last = AuditEvent.objects.order_by("-id").first()
    assert (last.object_type, last.object_id, last.context["section"]) == (
        "document",
        str(letter.pk),
        "page 1 of version 1",
    )

    # Pages still being made: no pages, and why, in words.
    made = d.get(f"/api/v1/sync/documents/{waiting.pk}").json()
    assert made["pages"] == [] and made["status"] == "Waiting" and made["message"]
    # A restricted one without a grant, a page that does not exist, a colleague without a part in the case, no device.
    for url in (
        f"/api/v1/sync/documents/{secret.pk}",
        f"/api/v1/sync/documents/{secret.pk}/v1/pages/1",
        f"/api/v1/sync/documents/{letter.pk}/v1/pages/9",
        f"/api/v1/sync/documents/{letter.pk}/v2/pages/1",
        "/api/v1/sync/documents/999999",
    ):
        refused = d.get(url)
        assert refused.status_code == 404, url
        assert set(refused.json()) >= {"detail", "errors"}
    assert "Placement order" not in d.get(f"/api/v1/sync/documents/{secret.pk}").content.decode()
    assert DeviceClient(bob).get(f"/api/v1/sync/documents/{letter.pk}").status_code == 404
    assert d.client.get(f"/api/v1/sync/documents/{letter.pk}").status_code == 401


def test_document_records_are_small(alice: Any) -> None:
    """The first download carries metadata only: about 250 bytes of JSON a document (before compression), so even
    20 documents for each of the bench's 25 children add about 125 KB of JSON and some 25 KB on the wire."""
    child = person(held_by=alice)
    for i in range(5):
        add(child, f"Letter {i} from the school about attendance", make=False)
    store = Store(DeviceClient(alice))
    store.sync()
    sizes = [len(json.dumps(r, separators=(",", ":"))) for r in store.of("document")]
    assert len(sizes) == 5 and max(sizes) < 300, sizes
