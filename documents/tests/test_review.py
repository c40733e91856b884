"""The scanning bureau's review list as business support use it: rows that matched no one or several people, listed
with the bureau's row, why, and the people its identifiers point to; choosing the right person (or one found by
search) imports the row with the import's checks; a row can be rejected with a reason; each is audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from conftest import client_for
from documents import importer
from documents.models import Document, ImportReview
from documents.tests.test_importer import manifest
from people.models import PersonIdentifier
from people.tests.factories import person
from recording.models import ChronologyEntry

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def listed(db, tmp_path: Path):
    """Two rows on the review list: one whose identifiers point to two people, one that no one matches."""
    amelia = person("Amelia", "Hughes", date(2015, 3, 27))
    ben = person("Ben", "Hughes", date(2017, 5, 1))
    PersonIdentifier.objects.create(person=amelia, type="legacy", value="SW-1001")
    PersonIdentifier.objects.create(person=ben, type="legacy", value="SW-2002")
    path = manifest(
        tmp_path,
        [
            {"file": "box1/0001.txt", "person_id": str(amelia.pk), "legacy_id": "SW-2002", "title": "Referral"},
            {"file": "box1/0002.txt", "legacy_id": "SW-9999", "title": "School report"},
        ],
    )
    report = importer.import_manifest(path)
    assert importer.summary(report)["to_review"] == 2
    two, nobody = ImportReview.objects.order_by("row")
    return amelia, ben, two, nobody, tmp_path


def test_business_support_see_the_list_and_a_row_in_words_a_social_worker_may_not(listed, support, alice) -> None:
    amelia, ben, two, _nobody, _ = listed
    c = client_for(support)
    page = c.get(reverse("documents:import_review")).content.decode()
    assert "2 rows waiting" in page and "Referral" in page and "School report" in page
    assert "No one has this identifier in the old system" in page
    page = c.get(reverse("documents:import_review_row", args=[two.pk])).content.decode()
    assert "The identifiers point to different people" in page
    assert "Amelia Hughes, born 27 March 2015" in page and "Ben Hughes, born 1 May 2017" in page
    assert "Their record number is in this row" in page and "Their identifier" not in page
    assert "2 April 1998" in page  # the document's date, in words
    shown = AuditEvent.objects.filter(actor=support, object_type="import_review_candidates").get()
    assert sorted(shown.context["people"]) == sorted([amelia.pk, ben.pk])
    assert client_for(alice).get(reverse("documents:import_review")).status_code == 403
    assert client_for(alice).get(reverse("documents:import_review_row", args=[two.pk])).status_code == 403


def test_choosing_the_right_person_imports_the_row_for_them_once(listed, support) -> None:
    amelia, _ben, two, _nobody, _ = listed
    c = client_for(support)
    url = reverse("documents:import_review_row", args=[two.pk])
    response = c.post(url, {"person": amelia.pk})
    assert response.status_code == 302
    document = Document.objects.get(person=amelia)
    assert document.title == "Referral" and document.created_by == support
    version = document.versions.get()
    assert version.source == "bureau" and version.capture["manifest_row"] == 2
    assert ChronologyEntry.objects.filter(person=amelia, source_type="document", source_id=document.pk).exists()
    two.refresh_from_db()
    assert two.resolution == "imported" and two.resolved_by == support and two.document == document
    event = AuditEvent.objects.get(object_type="import_review", object_id=str(two.pk))
    assert event.action == AuditAction.UPDATE and event.changes["document"] == document.pk
    # Settled: its page says so; posting again imports nothing more.
    page = c.get(url).content.decode()
    assert "Imported" in page and f"record number {amelia.pk}" in page
    c.post(url, {"person": amelia.pk})
    assert Document.objects.count() == 1
    # A re-run of the manifest adds nothing and does not list the row again.
    report = importer.import_manifest(Path(two.folder) / two.manifest)
    assert importer.summary(report)["imported"] == 0


def test_a_person_found_by_search_can_be_chosen(listed, support) -> None:
    _amelia, _ben, _two, nobody, _ = listed
    cara = person("Cara", "Lindqvist", date(2012, 8, 9))
    c = client_for(support)
    url = reverse("documents:import_review_row", args=[nobody.pk])
    page = c.get(url).content.decode()
    assert "No one you can find has the identifiers in this row" in page
    page = c.get(url, {"q": "Cara Lindqvist"}).content.decode()
    assert "Cara Lindqvist, born 9 August 2012" in page
    assert AuditEvent.objects.filter(actor=support, action=AuditAction.SEARCH, object_type="person_search").exists()
    assert c.post(url, {"person": cara.pk, "q": "Cara Lindqvist"}).status_code == 302
    assert Document.objects.get(person=cara).title == "School report"


def test_the_wrong_things_are_refused_in_words_and_change_nothing(listed, support) -> None:
    amelia, _ben, two, nobody, folder = listed
    c = client_for(support)
    url = reverse("documents:import_review_row", args=[two.pk])
    page = c.post(url, {}).content.decode()
    assert "Select the person this document is about" in page
    # Someone not offered (not a candidate, not searched for).
    stranger = person("Dan", "Other", date(2010, 1, 1))
    assert "Select the person this document is about" in c.post(url, {"person": stranger.pk}).content.decode()
    # The file changed since the bureau hashed it.
    (folder / "box1" / "0001.txt").write_bytes(b"Not what the bureau scanned\n")
    page = c.post(url, {"person": amelia.pk}).content.decode()
    assert "The file was not imported: the file&#x27;s SHA-256 is" in page
    # The file is gone.
    (folder / "box1" / "0002.txt").unlink()
    page = c.post(
        reverse("documents:import_review_row", args=[nobody.pk]), {"person": amelia.pk, "q": "Amelia Hughes"}
    ).content.decode()
    assert "is not there. Put the bureau&#x27;s files back in" in page
    assert not Document.objects.exists()
    assert ImportReview.objects.filter(resolved_at__isnull=True).count() == 2


def test_a_row_can_be_rejected_with_a_reason(listed, support) -> None:
    _amelia, _ben, _two, nobody, _ = listed
    c = client_for(support)
    url = reverse("documents:import_review_reject", args=[nobody.pk])
    assert "Enter why this row is rejected" in c.post(url, {"reason": "  "}).content.decode()
    assert c.post(url, {"reason": "Scanned twice by the bureau"}).status_code == 302
    nobody.refresh_from_db()
    assert nobody.resolution == "rejected" and nobody.resolution_reason == "Scanned twice by the bureau"
    event = AuditEvent.objects.get(object_type="import_review", object_id=str(nobody.pk))
    assert event.changes["reason"] == "Scanned twice by the bureau"
    page = c.get(reverse("documents:import_review")).content.decode()
    assert "1 row waiting" in page and "rejected by Bea Tester" in page
    assert not Document.objects.exists()
