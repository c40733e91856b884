from audit.models import AuditEvent
from audit.services import audit_record, seal_now


def make_events(n=5):
    """`n` audit events (person views), in the order they were chained."""
    for i in range(n):
        audit_record(actor=None, action="view", object_type="person", object_id=str(i), context={"i": i})
    seal_now()  # the test's transaction never commits: link its events as a commit would
    return list(AuditEvent.objects.order_by("sequence"))
