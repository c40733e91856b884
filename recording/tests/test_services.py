from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import RuleError
from people.tests.factories import person
from recording import services
from recording.models import ChronologyEntry, Visit

pytestmark = pytest.mark.django_db


def test_case_note_appears_in_the_chronology_and_is_audited(alice):
    p = person()
    when = timezone.now() - timedelta(hours=2)
    note = services.case_note_create(
        actor=alice, person=p, occurred_at=when, subject="Phone call with school", body="Attendance has improved."
    )
    entry = ChronologyEntry.objects.get(person=p)
    assert (entry.title, entry.entry_type, entry.source_id) == ("Phone call with school", "case_note", note.pk)
    assert entry.recorded_by_name == alice.display_name
    assert AuditEvent.objects.filter(object_type="case_note", object_id=str(note.pk), actor=alice).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"body": "  "}, "body"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
        ({"note_type": "gossip"}, "note_type"),
    ],
)
def test_case_note_refuses_bad_input(alice, kwargs, field):
    p = person()
    args = {"occurred_at": timezone.now(), "subject": "S", "body": "B", **kwargs}
    with pytest.raises(RuleError) as exc:
        services.case_note_create(actor=alice, person=p, **args)
    assert field in exc.value.errors
    assert not ChronologyEntry.objects.exists()


def test_visit_records_seen_and_seen_alone(alice):
    p = person()
    services.visit_record(
        actor=alice,
        person=p,
        occurred_at=timezone.now(),
        visit_type="home",
        child_seen=True,
        seen_alone=True,
        notes="Fine",
    )
    assert ChronologyEntry.objects.get(person=p).title == "Home visit: child seen alone"


def test_a_child_not_seen_cannot_be_seen_alone(alice):
    p = person()
    with pytest.raises(RuleError) as exc:
        services.visit_record(
            actor=alice,
            person=p,
            occurred_at=timezone.now(),
            visit_type="home",
            child_seen=False,
            seen_alone=True,
            notes="x",
        )
    assert "cannot have been seen alone" in exc.value.errors["seen_alone"]
    assert not Visit.objects.exists()


def test_a_child_not_seen_needs_a_reason_and_is_marked_significant(alice):
    p = person()
    with pytest.raises(RuleError):
        services.visit_record(
            actor=alice,
            person=p,
            occurred_at=timezone.now(),
            visit_type="home",
            child_seen=False,
            seen_alone=None,
            notes="x",
        )
    services.visit_record(
        actor=alice,
        person=p,
        occurred_at=timezone.now(),
        visit_type="home",
        child_seen=False,
        seen_alone=None,
        notes="No answer at the door",
        not_seen_reason="Family not at home",
    )
    entry = ChronologyEntry.objects.get(person=p)
    assert entry.significant and entry.title == "Home visit: child not seen"


def test_a_child_born_on_29_february_can_have_notes(alice):

    p = person("Leap", "Day", date(2016, 2, 29))
    services.case_note_create(
        actor=alice, person=p, occurred_at=timezone.now(), subject="Birthday", body="Seen at home"
    )
    assert ChronologyEntry.objects.filter(person=p).count() == 1
