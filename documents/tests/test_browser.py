"""A social worker uploads documents from a child's record, reads the letter's pages in the browser, downloads the
original, tries a renamed program, and opens the evidence page: in Chromium at 1024 and 320 pixels, axe on every
page. Screenshots go to CASEWORK_SCREENSHOTS (default: not kept)."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casework.tests.browser import assert_accessible, fill_date, page_width, sign_in
from documents import renditions
from documents.models import Document
from documents.tests import samples
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def check(page: Any, name: str) -> None:
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    for width in (1024, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert page_width(page) <= width, f"{name} is wider than {width} pixels"
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})


def test_a_social_worker_uploads_reads_and_downloads(allow_audit_flush, live_server, alice, browser_page, tmp_path):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    page, base = browser_page, live_server.url
    scan = tmp_path / "hospital-letter.pdf"
    scan.write_bytes(samples.scanned_pdf())
    program = tmp_path / "report.pdf"
    program.write_bytes(samples.windows_program())
    sign_in(page, base, alice.email)

    page.goto(f"{base}/people/{child.pk}")
    page.get_by_role("link", name="Upload documents").first.click()
    check(page, "upload")

    # The wrong thing first: a program called report.pdf, with the letter.
    page.get_by_label("Files").set_input_files([str(scan), str(program)])
    page.get_by_label("Type of document").select_option("medical_letter")
    fill_date(page, "Date of the document", date(2026, 11, 27))
    page.get_by_role("button", name="Upload").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert (
        "report.pdf is called a PDF file but it is a Windows program"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check(page, "upload-refused")
    assert not Document.objects.exists()

    page.get_by_label("Files").set_input_files([str(scan)])
    page.get_by_label("Title (optional)").fill("Letter from Northshire Hospital")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/documents/*")
    assert "being made" in page.locator("#rendition-status").inner_text()
    check(page, "document-waiting")

    document = Document.objects.get()
    renditions.make(document.versions.get().pk)  # what the task worker does
    page.reload()
    image = page.get_by_role("img", name="Page 1 of 1")
    src = image.get_attribute("src")
    answer = page.request.get(f"{base}{src}")
    assert answer.status == 200 and answer.headers["content-type"] == "image/png", (answer.status, answer.text()[:300])
    loaded = "img => img.complete ? img.naturalWidth : new Promise(r => { img.onload = () => r(img.naturalWidth) })"
    assert image.evaluate(loaded) > 0
    check(page, "document")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the original").click()
    saved = Path(download.value.path())
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(scan.read_bytes()).hexdigest()

    page.get_by_role("link", name="Evidence: fingerprints, capture, fixity and every access").click()
    assert hashlib.sha256(scan.read_bytes()).hexdigest() in page.content()
    assert "Downloaded the original of version 1" in page.content()
    check(page, "evidence")

    page.goto(f"{base}/people/{child.pk}/documents?q=Northshire")
    assert "Letter from Northshire Hospital" in page.locator("#documents").inner_text()
    check(page, "list-search")
    page.goto(f"{base}/people/{child.pk}")
    assert "Letter from Northshire Hospital" in page.locator("#documents-section").inner_text()
