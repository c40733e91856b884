from audit.models import AuditEvent
from audit.services import audit_record


def make_events(n=5):
    """`n` audit events (person views), in the order they were chained."""
    for i in range(n):
        audit_record(actor=None, action="view", object_type="person", object_id=str(i), context={"i": i})
    return list(AuditEvent.objects.order_by("sequence"))
