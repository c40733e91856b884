"""A social worker redacts a neighbour's name from a scanned letter before disclosure, in Chromium: finds the name,
drags a box over a line with the mouse, tries an area off the page, checks the preview, applies, looks at the
redacted page and downloads the copy; axe at 1024 and 320 pixels on every page. Screenshots go to
CASEWORK_SCREENSHOTS (default: not kept)."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest

from casework.tests.browser import fill_date, sign_in
from core.printing import pdf_text
from documents import redaction_services, renditions
from documents.models import Document, Redaction, RedactionStatus
from documents.tests.test_browser import check
from documents.tests.test_redaction import NAME, letter_pdf
from people.tests.factories import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("team_a_holds"),
]


def test_a_social_worker_redacts_a_name_before_disclosure(
    allow_audit_flush, live_server, alice, browser_page, tmp_path
):
    from PIL import Image

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    page, base = browser_page, live_server.url
    letter = tmp_path / "school-letter.pdf"
    letter.write_bytes(letter_pdf())
    sign_in(page, base, alice.email)

    page.goto(f"{base}/people/{child.pk}/documents/upload")
    page.get_by_label("Files").set_input_files([str(letter)])
    page.get_by_label("Type of document").select_option("school")
    fill_date(page, "Date of the document", date(2026, 11, 27))
    page.get_by_label("Contains sensitive third-party information").check()
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/documents/*")
    document = Document.objects.get()
    renditions.make(document.versions.get().pk)  # what the task worker does
    page.reload()
    check(page, "redact-document")

    page.get_by_role("link", name="Redact this document before disclosure").click()
    check(page, "redact-start")
    page.get_by_role("button", name="Start redaction").click()
    page.wait_for_url("**/redactions/*")
    check(page, "redact-empty")

    page.get_by_label("Words to find").fill(NAME)
    page.locator("#find-form").get_by_label("Third-party information").check()
    page.get_by_role("button", name="Find and mark").click()
    assert f"\u201c{NAME}\u201d found: 4 areas marked" in page.locator(".govuk-notification-banner").inner_text()

    # The wrong thing: an area that runs off the right of the page.
    form = page.locator("#area-form")
    form.get_by_label("Page").fill("1")
    form.get_by_label("From the left (%)").fill("80")
    form.get_by_label("From the top (%)").fill("10")
    form.get_by_label("Width (%)").fill("30")
    form.get_by_label("Height (%)").fill("5")
    form.get_by_label("Third-party information").check()
    form.get_by_role("button", name="Mark this area").click()
    summary = page.locator(".govuk-error-summary")
    assert "The area goes off the right edge of the page" in summary.inner_text()
    check(page, "redact-error")

    # With the mouse: drag a box over the line about the nurse (the fifth line, about 30% down the page).
    image = page.get_by_role("img", name="Page 1 of 1, with 4 areas blacked out")
    image.scroll_into_view_if_needed()
    loaded = "img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise(r => { img.onload = () => r(img.naturalWidth) })"
    assert image.evaluate(loaded) > 0
    image.evaluate("img => img.scrollIntoView({block: 'start'})")
    box = image.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.07, box["y"] + box["height"] * 0.285)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.30, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.315, steps=5)
    page.mouse.up()
    assert "Area drawn on page 1" in page.locator("#drawn-notice").inner_text()
    assert form.get_by_label("Page").input_value() == "1"
    form.get_by_label("Another reason", exact=True).check()
    form.get_by_label("If another reason, what is it?").fill("Health information about the mother")
    form.get_by_role("button", name="Mark this area").click()
    assert "Area marked on page 1" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "redact-marked")

    page.get_by_role("link", name="Check and apply the redaction").click()
    check(page, "redact-preview")
    page.get_by_role("button", name="Apply the redaction and make the redacted copy").click()
    page.wait_for_url("**/redactions/*")
    assert "being made" in page.locator("#redaction-status").inner_text()
    redaction = Redaction.objects.get()
    assert redaction_services.make_redacted_copy(redaction.pk) == RedactionStatus.DONE  # the task worker
    page.reload()
    check(page, "redact-done")

    # The redacted page as the browser shows it: black where the name and the nurse's line were.
    shown = page.get_by_role("img", name="Page 1 of 1, with 5 areas blacked out")
    picture = page.request.get(base + (shown.get_attribute("src") or ""))
    assert picture.status == 200
    redacted = Image.open(io.BytesIO(picture.body())).convert("L")
    if folder := os.environ.get("CASEWORK_SCREENSHOTS"):
        redacted.save(Path(folder) / "redacted-page.png")
    for area in redaction.areas.all():
        w, h = redacted.size
        crop = redacted.crop(
            (
                int(area.x * w) + 2,
                int(area.y * h) + 2,
                int((area.x + area.width) * w) - 2,
                int((area.y + area.height) * h) - 2,
            )
        )
        assert crop.getextrema()[1] < 40

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the redacted copy (PDF)").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Smithers" not in text and "nurse" not in text and "Northshire School" in text

    page.goto(f"{base}/people/{child.pk}/documents/{document.pk}")
    assert "Download the redacted copy (PDF)" in page.locator("#redacted-copy ~ .govuk-button-group").inner_text()
    check(page, "redact-document-after")
    page.get_by_role("link", name="Evidence: fingerprints, capture, fixity and every access").click()
    assert redaction.renditions.get(kind="redacted").sha256 in page.content()
    assert "Downloaded the redacted copy" in page.content()
    check(page, "redact-evidence")
