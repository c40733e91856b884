"""A social worker makes a court bundle from a child's record in Chromium: the button on the record, the choose page
(the wrong thing first: a period that ends before it starts), the bundle's page, the download; axe and 320 pixels on
every page. Screenshots and the bundle's pages as pictures go to CASEWORK_SCREENSHOTS (default: not kept)."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bundles.models import Bundle
from casework.tests.browser import assert_accessible, fill_date, page_width, sign_in
from people.tests.factories import person

from . import helpers

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
            page.screenshot(path=str(Path(folder) / f"bundle-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})


def test_a_social_worker_makes_and_downloads_a_court_bundle(allow_audit_flush, live_server, alice, browser_page):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    helpers.chronology(child, alice)
    helpers.form_response(child, alice)
    helpers.document(child, alice, "Letter from the GP")
    helpers.document(child, alice, "Neighbour's statement", sensitivity="third_party")
    page, base = browser_page, live_server.url
    sign_in(page, base, alice.email)

    page.goto(f"{base}/people/{child.pk}")
    page.get_by_role("link", name="Make a court or conference bundle").first.click()
    assert "Flagged: contains sensitive third-party information" in page.content()
    check(page, "choose")

    page.get_by_label("Title").fill("Care proceedings: evidence of the local authority")
    fill_date(page, "Start of the period", date(2026, 6, 1))
    fill_date(page, "End of the period", date(2026, 1, 1))
    page.get_by_label("Letter from the GP").check()
    page.get_by_label("Neighbour's statement").check()
    page.get_by_label("X, submitted").check()
    page.get_by_role("button", name="Make the bundle and sign the certificate").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "must be the same as or after its start" in summary.inner_text()
    assert not Bundle.objects.exists()
    check(page, "choose-refused")

    fill_date(page, "Start of the period", date(2026, 1, 1))
    fill_date(page, "End of the period", date(2026, 11, 30))
    page.get_by_role("button", name="Make the bundle and sign the certificate").click()
    page.wait_for_url("**/bundles/*")
    bundle = Bundle.objects.get()
    assert bundle.status == "done", bundle.error_message
    assert "1 exhibit contains sensitive third-party information" in page.content()
    check(page, "made")

    link = page.get_by_role("link", name="Download the bundle (PDF)")
    answer = page.request.get(f"{base}{link.get_attribute('href')}")
    assert answer.status == 200 and hashlib.sha256(answer.body()).hexdigest() == bundle.sha256
    folder = os.environ.get("CASEWORK_SCREENSHOTS")
    if folder:
        import pypdfium2

        (Path(folder) / "bundle.pdf").write_bytes(answer.body())
        pdf = pypdfium2.PdfDocument(answer.body())
        for n in range(len(pdf)):
            pdf[n].render(scale=1.2).to_pil().save(Path(folder) / f"bundle-page-{n + 1}.png")
        pdf.close()

    page.goto(f"{base}/people/{child.pk}/bundles")
    check(page, "list")
