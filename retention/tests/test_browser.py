"""Information governance at work, in Chromium at 1024 and 320 pixels with axe on every page: the records due, a
legal hold refused without a reason then placed and released, a record disposed of with its certificate, and a
looked-after child's record that needs a second, different person. Screenshots go to CASEWORK_SCREENSHOTS."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, page_width, sign_in
from documents import services as documents
from documents.services import Upload
from people.tests.factories import person
from retention.models import DisposalCertificate, DisposalReview, PersonRetention, ReviewStatus

from .factories import into_care

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
            page.screenshot(path=str(Path(folder) / f"retention-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 900})


def test_information_governance_holds_releases_and_disposes(
    allow_audit_flush, live_server, alice, governance, governance2, browser_page
):
    page, base = browser_page, live_server.url
    adult = person("Ava", "Stone", date(1950, 1, 1))
    [letter] = documents.documents_add(
        actor=alice,
        person=adult,
        uploads=[Upload("letter.txt", b"A letter.\n")],
        document_type="letter",
        document_date=date(2001, 1, 1),
    )
    child = person("Leo", "Marsh", date(1940, 6, 1))
    into_care(child, date(1950, 1, 10), ended_on=date(1950, 3, 1))
    past = timezone.localdate() - timedelta(days=30)
    PersonRetention.objects.filter(person__in=[adult, child]).update(review_on=past)

    sign_in(page, base, governance.email)
    page.get_by_role("link", name="Retention", exact=True).click()
    assert "Ava Stone" in page.locator("#due").inner_text()
    check(page, "due")

    page.get_by_role("link", name="Ava Stone").click()
    check(page, "person")
    page.get_by_role("link", name="Place a legal hold").click()
    page.get_by_label("Litigation").check()
    page.get_by_role("button", name="Place the hold").click()
    assert "Enter why the record must be kept" in page.locator(".govuk-error-summary").inner_text()
    check(page, "hold-refused")
    page.get_by_label("Details").fill("Claim against the council, letter of 1 December")
    page.get_by_role("button", name="Place the hold").click()
    assert "Legal hold placed" in page.content()
    assert page.get_by_role("link", name="Decide on disposal").count() == 0
    check(page, "held")

    page.get_by_role("link", name="Release this hold").click()
    page.get_by_label("Why can the hold be released?").fill("Claim settled")
    page.get_by_role("button", name="Release the hold").click()
    page.get_by_role("link", name="Decide on disposal").click()
    check(page, "decide")
    page.get_by_label("Dispose of the record").check()
    page.get_by_role("button", name="Save the decision").click()
    assert "This record was disposed of on" in page.content()
    check(page, "disposed")
    page.get_by_role("link", name="Read the disposal certificate").click()
    assert DisposalCertificate.objects.get(person=adult).files[0]["sha256"] in page.content()
    check(page, "certificate")

    page.goto(f"{base}/retention/people/{child.pk}/decide")
    page.get_by_label("Dispose of the record").check()
    page.get_by_role("button", name="Save the decision").click()
    assert "a second person must approve it too" in page.content()
    review = DisposalReview.objects.get(person=child)
    page.goto(f"{base}/retention/reviews/{review.pk}/approve")
    page.get_by_role("button", name="Approve and dispose of the record").click()
    assert "a different person must give the second approval" in page.locator(".govuk-error-summary").inner_text()
    check(page, "second-refused")

    sign_in(page, base, governance2.email)
    page.goto(f"{base}/retention/")
    assert "Waiting for a second approval" in page.content()
    check(page, "waiting")
    page.get_by_role("link", name="Give the second approval").first.click()
    page.get_by_role("button", name="Approve and dispose of the record").click()
    review.refresh_from_db()
    assert review.status == ReviewStatus.CARRIED_OUT

    sign_in(page, base, alice.email)
    page.goto(f"{base}/people/{adult.pk}")
    assert "This record was disposed of on" in page.content()
    check(page, "record-disposed")
    page.goto(f"{base}/people/{adult.pk}/documents/{letter.pk}/evidence")
    assert "This record was disposed of on" in page.locator("main").inner_text()
    check(page, "evidence-disposed")
