"""The pages as information governance uses them: the due list (fixed queries), holds, decisions, two approvals,
the certificate; refusals in plain English; the record's and the evidence page's retention section."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.testing import Queries, assert_same_query_count, count_queries
from people.tests.factories import person
from retention.models import DisposalReview, LegalHold, PersonRetention, ReviewStatus

from .factories import into_care

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def due(p, days=30):
    PersonRetention.objects.filter(person=p).update(review_on=timezone.localdate() - timedelta(days=days))


def _due_queries(client) -> Queries:
    with count_queries() as queries:
        assert client.get(reverse("retention:due")).status_code == 200
    return queries


def test_the_due_list_asks_the_same_queries_for_one_record_or_many(governance_client):
    due(person("Ava", "Stone", date(1980, 1, 1)))
    governance_client.get(reverse("retention:due"))
    one = _due_queries(governance_client)
    for n in range(6):
        due(person(f"Max{n}", "Stone", date(1981, 1, 1)))
    assert_same_query_count(one, _due_queries(governance_client))


def test_the_due_list_shows_the_rule_and_leaves_out_held_and_future_records(governance, governance_client):
    shown, held = person("Ava", "Stone"), person("Ben", "Held")
    person("Cal", "Later")  # not due yet
    due(shown)
    due(held)
    LegalHold.objects.create(person=held, kind="inquiry", reason="Inquiry", placed_at=timezone.now())
    page = governance_client.get(reverse("retention:due")).content.decode()
    assert "Ava Stone" in page and "years from" in page
    assert "Ben Held" not in page and "Cal Later" not in page
    event = AuditEvent.objects.filter(actor=governance, action="view").latest("id")
    assert event.context["people"] == [shown.pk]


def test_a_social_worker_cannot_open_retention_pages(alice_client):
    assert alice_client.get(reverse("retention:due")).status_code == 403


def test_placing_a_hold_without_a_reason_is_refused_in_plain_english(governance_client):
    child = person()
    page = governance_client.post(reverse("retention:hold", args=[child.pk]), {"kind": "litigation"})
    assert page.status_code == 200
    assert "Enter why the record must be kept" in page.content.decode()
    assert not LegalHold.objects.exists()


def test_hold_release_and_dispose_through_the_pages(governance_client):
    child = person("Ava", "Stone", date(1980, 1, 1))
    due(child)
    response = governance_client.post(
        reverse("retention:hold", args=[child.pk]), {"kind": "subject_access", "reason": "Request of 1 December"}
    )
    assert response.status_code == 302
    page = governance_client.get(reverse("retention:person", args=[child.pk])).content.decode()
    assert "Subject access request in progress" in page and "Decide on disposal" not in page
    refused = governance_client.post(reverse("retention:decide", args=[child.pk]), {"outcome": "dispose"})
    assert "it cannot be disposed of until the hold is released" in refused.content.decode()
    hold = LegalHold.objects.get()
    governance_client.post(reverse("retention:release", args=[hold.pk]), {"reason": "Answered"})
    response = governance_client.post(reverse("retention:decide", args=[child.pk]), {"outcome": "dispose"})
    assert response.status_code == 302
    page = governance_client.get(reverse("retention:person", args=[child.pk])).content.decode()
    assert "This record was disposed of on" in page
    certificate = governance_client.get(reverse("retention:certificate", args=[child.pk])).content.decode()
    assert f"Record {child.pk}" in certificate and "Iris Tester" in certificate


def test_the_second_approval_must_be_another_person(governance, governance_client, governance2_client):
    child = person("Leo", "Marsh", date(1940, 6, 1))
    into_care(child, date(1950, 1, 10), ended_on=date(1950, 3, 1))
    due(child)
    governance_client.post(reverse("retention:decide", args=[child.pk]), {"outcome": "dispose"})
    review = DisposalReview.objects.get()
    assert review.status == ReviewStatus.AWAITING_SECOND
    page = governance_client.post(reverse("retention:approve", args=[review.pk]), {}).content.decode()
    assert "a different person must give the second approval" in page
    assert governance2_client.post(reverse("retention:approve", args=[review.pk]), {}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CARRIED_OUT


def test_keeping_needs_a_future_date_and_a_reason(governance_client):
    child = person()
    due(child)
    page = governance_client.post(
        reverse("retention:decide", args=[child.pk]),
        {"outcome": "keep", "keep_until_0": "1", "keep_until_1": "1", "keep_until_2": "2000"},
    ).content.decode()
    assert "The date to keep the record until must be in the future" in page
    assert "Enter why the record must be kept longer" in page


def test_changing_a_rule_refuses_nonsense(governance_client):
    page = governance_client.post(
        reverse("retention:rule", args=["looked_after"]), {"trigger": "birth", "years": "0", "source": "Reg 50"}
    ).content.decode()
    assert "Years must be between 1 and 200" in page


def test_the_record_and_the_evidence_page_show_the_class_and_date(alice_client, governance_client):
    child = person("Leo", "Marsh", date(2016, 6, 1))
    into_care(child, date(2018, 1, 10))
    page = alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Looked-after child" in page and "1 June 2091" in page
    assert "Retention, holds and disposal" not in page  # a social worker does not manage retention
