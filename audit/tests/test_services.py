"""Recording an audit event: each is chained to the one before, and a change that fails leaves none."""

import pytest

from audit.models import AuditEvent
from audit.tests.factories import make_events
from audit.verify import verify_chain
from core.errors import RuleError
from people import services

pytestmark = pytest.mark.django_db


def test_events_are_chained_in_order():
    events = make_events(3)
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert len({e.hash for e in events}) == 3
    assert verify_chain().ok


def test_a_failed_change_leaves_no_audit_event(alice):
    before = AuditEvent.objects.count()
    with pytest.raises(RuleError):
        services.person_create(actor=alice, given_name="A", family_name="B", nhs_number="123")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_is_never_audited_outside_its_transaction(allow_audit_flush):
    """A change's event commits with the change or not at all: outside a transaction audit_record refuses."""
    from audit.models import AuditAction
    from audit.services import audit_record

    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action=AuditAction.CREATE, object_type="person", object_id="1")
    assert AuditEvent.objects.count() == before
    # A view has no change to go with: it is written in a transaction of its own.
    audit_record(actor=None, action=AuditAction.VIEW, object_type="person", object_id="1")
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_open_transaction_with_an_event_does_not_hold_up_others_and_the_chain_follows_commit_order(
    allow_audit_flush,
):
    """A request that has written its event and is still rendering (its transaction open) must not make others
    wait: the chain is linked as each transaction commits, so the first to commit comes first."""
    import threading

    from django.db import connection, transaction

    from audit.models import AuditAction
    from audit.services import audit_record

    written = threading.Event()
    release = threading.Event()

    def slow_request() -> None:
        try:
            with transaction.atomic():
                audit_record(actor=None, action=AuditAction.VIEW, object_type="person", object_id="slow")
                written.set()
                assert release.wait(10)  # "rendering"
        finally:
            connection.close()

    slow = threading.Thread(target=slow_request)
    slow.start()
    assert written.wait(10)
    done = threading.Event()

    def quick_request() -> None:
        try:
            with transaction.atomic():
                audit_record(actor=None, action=AuditAction.VIEW, object_type="person", object_id="quick")
            done.set()
        finally:
            connection.close()

    quick = threading.Thread(target=quick_request)
    quick.start()
    assert done.wait(5), "a committing transaction waited for another that was still open"
    release.set()
    slow.join(10)
    quick.join(10)
    order = list(
        AuditEvent.objects.filter(object_type="person").order_by("sequence").values_list("object_id", flat=True)
    )
    assert order == ["quick", "slow"]  # commit order, not the order they were written
    assert verify_chain().ok
