"""Retention worked out from the record and again when the facts change; holds; disposal with its certificate."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import RuleError
from documents import fixity
from documents import selectors as document_selectors
from documents import services as documents
from documents.models import Document
from documents.services import Upload
from people import services as people
from people.tests.factories import person
from recording.models import ChronologyEntry
from retention import services
from retention.models import DisposalCertificate, PersonRetention, RetentionRule, ReviewStatus

from .factories import adopted, into_care

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def retention(p):
    return PersonRetention.objects.get(person=p)


def test_a_new_person_has_a_class_and_date_at_once():
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    r = retention(child)
    assert r.retention_class == "other"
    assert r.review_on is not None


def test_coming_into_care_then_adoption_then_death_each_change_the_date():
    child = person("Leo", "Marsh", date(2016, 6, 1))
    into_care(child, date(2018, 1, 10), ended_on=date(2019, 4, 1))
    r = retention(child)
    assert (r.retention_class, r.review_on) == ("looked_after", date(2091, 6, 1))
    adopted(child, date(2018, 5, 1), date(2018, 10, 1), date(2019, 4, 1))
    r = retention(child)
    assert (r.retention_class, r.review_on) == ("adoption", date(2119, 4, 1))


def test_a_looked_after_child_who_dies_before_18_is_kept_15_years_from_death(alice):
    child = person("Noah", "Price", date(2012, 2, 1))
    into_care(child, date(2020, 1, 6))
    people.person_update(actor=alice, person=child, date_of_death=date(2024, 3, 5))
    r = retention(child)
    assert (r.retention_class, r.review_on) == ("looked_after", date(2039, 3, 5))


def test_recalculate_everyone_after_a_bulk_load():
    child = person("Ruby", "Owens", date(2014, 1, 1))
    PersonRetention.objects.filter(person=child).delete()
    assert services.retention_recalculate() >= 1
    assert retention(child).retention_class == "other"


def test_changing_a_rule_moves_the_dates_of_its_class(governance):
    child = person("Leo", "Marsh", date(2016, 6, 1))
    into_care(child, date(2018, 1, 10))
    rule = RetentionRule.objects.get(retention_class="looked_after")
    services.rule_change(
        actor=governance,
        rule=rule,
        trigger="birth",
        years=93,
        after_death_years=15,
        source="Local policy: 75 years from 18",
    )
    assert retention(child).review_on == date(2109, 6, 1)
    assert AuditEvent.objects.filter(object_type="retention_rule", object_id="looked_after").exists()


def test_a_social_worker_cannot_change_rules_or_place_holds(alice):
    child = person()
    with pytest.raises(RuleError, match="You cannot place legal holds"):
        services.hold_place(actor=alice, person=child, kind="litigation", reason="Claim")
    with pytest.raises(RuleError, match="You cannot change the retention rules"):
        services.rule_change(
            actor=alice,
            rule=RetentionRule.objects.first(),
            trigger="birth",
            years=1,
            after_death_years=None,
            source="x",
        )


def due(child, years_ago=1):
    """Make the record due: its review date in the past."""
    PersonRetention.objects.filter(person=child).update(
        review_on=timezone.localdate() - timedelta(days=365 * years_ago)
    )


def add_document(actor, child, data=b"A letter.\n"):
    [doc] = documents.documents_add(
        actor=actor,
        person=child,
        uploads=[documents_upload(data)],
        document_type="letter",
        document_date=date(2020, 1, 1),
    )
    return doc


def documents_upload(data):
    return Upload("letter.txt", data)


def test_a_hold_stops_disposal_and_release_lets_it(alice, governance):
    child = person("Ava", "Stone", date(1990, 1, 1))
    due(child)
    hold = services.hold_place(actor=governance, person=child, kind="litigation", reason="Claim against the council")
    with pytest.raises(RuleError, match=r"under a legal hold \(litigation\).*until the hold is released"):
        services.disposal_decide(actor=governance, person=child, outcome="dispose")
    services.hold_release(actor=governance, hold=hold, reason="Claim settled")
    with pytest.raises(RuleError, match="already released"):
        services.hold_release(actor=governance, hold=hold, reason="Again")
    review = services.disposal_decide(actor=governance, person=child, outcome="dispose")
    assert review.status == ReviewStatus.CARRIED_OUT


def test_a_disposal_removes_the_content_and_keeps_a_certificate_with_hashes(
    alice, governance, django_capture_on_commit_callbacks
):
    child = person("Ava", "Stone", date(1990, 1, 1))
    doc = add_document(alice, child, b"A letter about Ava.\n")
    version = doc.versions.get()
    due(child)
    with django_capture_on_commit_callbacks(execute=True):
        services.disposal_decide(actor=governance, person=child, outcome="dispose", reason="Past its date")
    certificate = DisposalCertificate.objects.get(person=child)
    assert certificate.record_number == str(child.pk)
    assert certificate.approved_by == "Iris Tester"
    assert {f["sha256"] for f in certificate.files} >= {hashlib.sha256(b"A letter about Ava.\n").hexdigest()}
    assert certificate.documents == 1
    assert not storages["documents"].exists(version.storage_name)
    child.refresh_from_db()
    assert (child.given_name, child.family_name, child.date_of_birth) == ("Disposed of", "", None)
    assert Document.objects.get(pk=doc.pk).title == "Disposed of"
    assert retention(child).disposed_at is not None
    assert AuditEvent.objects.filter(object_type="disposal", person_id=child.pk).exists()
    entry = ChronologyEntry.objects.get(source_type="document", source_id=doc.pk)
    assert (entry.title, entry.text) == ("Document disposed of", "")
    assert doc.versions.get().rendition_message == "The document was disposed of"  # no copy is tried again
    # The fixity check leaves the disposed files out instead of reporting them missing.
    check = fixity.fixity_check_run(actor=None)
    assert list(document_selectors.fixity_findings(check)) == []
    with pytest.raises(RuleError, match="already disposed of"):
        services.disposal_decide(actor=governance, person=child, outcome="dispose")


def test_the_same_bytes_on_another_record_stay(alice, governance, django_capture_on_commit_callbacks):
    child, sibling = person("Ava", "Stone", date(1990, 1, 1)), person("Max", "Stone", date(1992, 1, 1))
    doc = add_document(alice, child, b"Letter to the family.\n")
    add_document(alice, sibling, b"Letter to the family.\n")
    due(child)
    with django_capture_on_commit_callbacks(execute=True):
        services.disposal_decide(actor=governance, person=child, outcome="dispose")
    assert storages["documents"].exists(doc.versions.get().storage_name)


def test_a_looked_after_record_needs_two_different_people(alice, governance, governance2):
    child = person("Leo", "Marsh", date(1940, 6, 1))
    into_care(child, date(1950, 1, 10), ended_on=date(1950, 3, 1))
    due(child)
    review = services.disposal_decide(actor=governance, person=child, outcome="dispose")
    assert review.status == ReviewStatus.AWAITING_SECOND
    assert review.why_second == "It is a looked-after child record"
    with pytest.raises(RuleError, match="a different person must give the second approval"):
        services.disposal_second_approve(actor=governance, review=review)
    assert not DisposalCertificate.objects.filter(person=child).exists()
    services.disposal_second_approve(actor=governance2, review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CARRIED_OUT
    assert DisposalCertificate.objects.get(person=child).approved_by == "Iris Tester, Gita Tester"


def test_keep_for_a_further_period_puts_the_review_off(governance):
    child = person("Ava", "Stone", date(1990, 1, 1))
    due(child)
    with pytest.raises(RuleError) as refused:
        services.disposal_decide(actor=governance, person=child, outcome="keep")
    assert refused.value.errors == {
        "keep_until": "Enter the date to keep the record until",
        "reason": "Enter why the record must be kept longer",
    }
    later = timezone.localdate() + timedelta(days=400)
    services.disposal_decide(
        actor=governance, person=child, outcome="keep", reason="Sibling's case open", keep_until=later
    )
    assert retention(child).due_on == later
    with pytest.raises(RuleError, match="not due for review until"):
        services.disposal_decide(actor=governance, person=child, outcome="dispose")


def test_a_record_not_yet_due_is_refused(governance):
    child = person("Ava", "Stone", date(2015, 1, 1))
    with pytest.raises(RuleError, match="not due for review until"):
        services.disposal_decide(actor=governance, person=child, outcome="dispose")
