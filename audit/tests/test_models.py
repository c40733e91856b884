"""The audit table is append-only: the database refuses to change or remove its rows, whoever asks."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

from audit.models import AuditEvent
from audit.tests.factories import make_events

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent"]
)
def test_updates_deletes_and_truncates_are_refused_even_for_the_owner(sql):
    make_events(2)
    with (
        pytest.raises((InternalError, ProgrammingError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(sql)
    assert AuditEvent.objects.count() == 2
