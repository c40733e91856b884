"""Business support settle the scanning bureau's review list in Chromium, at 1024 and 320 pixels with axe on every
page: the list from the home page, a row whose identifiers point to two people (the wrong thing first: importing
without choosing), the right one chosen; a row no one matches, found by search; a row rejected (first without a
reason). And a social worker uploads several files at once, after trying none and a date in the future.
Screenshots go to CASEWORK_SCREENSHOTS (default: not kept)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.tests.browser import fill_date, sign_in
from documents import importer
from documents.models import Document, ImportReview
from documents.tests.test_browser import check
from documents.tests.test_importer import manifest
from people.models import PersonIdentifier
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def test_business_support_match_and_reject_the_bureaus_rows(
    allow_audit_flush, live_server, support, browser_page, tmp_path
):
    amelia = person("Amelia", "Hughes", date(2015, 3, 27))
    ben = person("Ben", "Hughes", date(2017, 5, 1))
    cara = person("Cara", "Lindqvist", date(2012, 8, 9))
    PersonIdentifier.objects.create(person=ben, type="legacy", value="SW-2002")
    path = manifest(
        tmp_path,
        [
            {
                "file": "box1/0001.txt",
                "person_id": str(amelia.pk),
                "legacy_id": "SW-2002",
                "title": "Referral from school",
            },
            {"file": "box1/0002.txt", "legacy_id": "SW-9999", "title": "Health visitor's letter"},
            {"file": "box1/0003.txt", "legacy_id": "SW-8888", "title": "Scanned twice"},
        ],
    )
    importer.import_manifest(path)
    page, base = browser_page, live_server.url
    sign_in(page, base, support.email)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Scanned documents to match").click()
    assert "3 rows waiting" in page.content()
    check(page, "review-list")

    page.get_by_role("link", name="Referral from school").click()
    assert "The identifiers point to different people" in page.locator("#review-reason").inner_text()
    check(page, "review-row")
    page.get_by_role("button", name="Import for the person chosen").click()
    assert "Select the person this document is about" in page.locator(".govuk-error-summary").inner_text()
    check(page, "review-row-error")
    page.get_by_label("Amelia Hughes, born 27 March 2015").check()
    page.get_by_role("button", name="Import for the person chosen").click()
    assert "box1/0001.txt imported to Amelia Hughes's record" in page.locator(".govuk-notification-banner").inner_text()
    assert Document.objects.get(person=amelia).title == "Referral from school"

    page.get_by_role("link", name="Health visitor's letter").click()
    assert page.locator("#review-nobody").is_visible()
    page.get_by_label("Search for the right person").fill("Cara Lindqvist")
    page.get_by_role("button", name="Search").click()
    check(page, "review-search")
    page.get_by_label("Cara Lindqvist, born 9 August 2012").check()
    page.get_by_role("button", name="Import for the person chosen").click()
    assert Document.objects.get(person=cara).title == "Health visitor's letter"

    page.get_by_role("link", name="Scanned twice").click()
    page.get_by_role("link", name="Reject this row").click()
    page.get_by_role("button", name="Reject: do not import it").click()
    assert "Enter why this row is rejected" in page.locator(".govuk-error-summary").inner_text()
    check(page, "review-reject-error")
    page.get_by_label("Why is this row rejected?").fill("The bureau scanned this letter twice (see row 2)")
    page.get_by_role("button", name="Reject: do not import it").click()
    assert "No rows are waiting to be matched" in page.content()
    assert "rejected by Bea Tester" in page.locator("#review-settled").inner_text()
    check(page, "review-list-settled")
    assert not ImportReview.objects.filter(resolved_at__isnull=True).exists()


def test_a_social_worker_uploads_several_files_after_trying_the_wrong_things(
    allow_audit_flush, live_server, alice, browser_page, tmp_path
):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    letters = []
    for n in (1, 2, 3):
        letter = tmp_path / f"school-letter-{n}.txt"
        letter.write_text(f"Letter {n} from the school about attendance.\n")
        letters.append(str(letter))
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{child.pk}/documents/upload")
    page.get_by_role("button", name="Upload").click()  # nothing chosen
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select a file to upload" in summary or "Choose" in summary, summary
    page.get_by_label("Files").set_input_files(letters)
    page.get_by_label("Type of document").select_option("school")
    fill_date(page, "Date of the document", date.today() + timedelta(days=3))
    page.get_by_role("button", name="Upload").click()
    assert "today or in the past" in page.locator(".govuk-error-summary").inner_text()
    # The browser does not keep the files chosen: the page says to choose them again.
    assert "Choose the files again" in page.locator("#id_upload-again").inner_text()
    check(page, "upload-several-error")
    assert not Document.objects.exists()
    page.get_by_label("Files").set_input_files(letters)
    fill_date(page, "Date of the document", date(2026, 11, 20))
    page.get_by_label("Title (optional)").fill("Attendance")
    page.get_by_role("button", name="Upload").click()
    assert "3 documents added to the record" in page.locator(".govuk-notification-banner").inner_text()
    listed = page.locator("#documents").inner_text()
    assert all(f"Attendance: school letter {n}" in listed for n in (1, 2, 3)), listed
    check(page, "upload-several-list")
