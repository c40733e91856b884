"""Merging two children and undoing it leaves the database exactly as it was, table by table, and the statutory
returns for the year are the same before the merge and after its undo (through the returns' own producers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from conftest import make_user
from core.errors import RuleError
from people import merging
from people.models import Person, PersonMerge, PersonName, Relationship
from people.services import AddressInput, address_add, relationship_create, warning_add
from people.tests.factories import person
from people.tests.merge_support import database_rows, differences
from recording.models import ChronologyEntry
from recording.services import case_note_create
from returns.cin_census import build_cin_census
from returns.ssda903 import build_ssda903

from .journeys import YEAR

pytestmark = pytest.mark.django_db

GENERATED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def returns_now(tmp_path, tag: str) -> dict[str, bytes]:
    out = {"cin": build_cin_census(YEAR, generated_at=GENERATED)}
    written = build_ssda903(YEAR, tmp_path / tag)
    for f in sorted(written.directory.glob("*.csv")):
        out[f.name] = f.read_bytes()
    return out


def test_merge_then_unmerge_leaves_everything_as_it_was(world, tmp_path):
    admin = make_user("ada.admin@example.test", world.team, Role.ADMINISTRATOR)
    nadia, callum = world.nadia, world.callum
    mother = person("Sara", "Ahmed", date(1988, 1, 4))
    relationship_create(actor=None, person=mother, other=nadia, type="parent", parental_responsibility=True)
    relationship_create(actor=None, person=mother, other=callum, type="parent")
    relationship_create(actor=None, person=nadia, other=callum, type="sibling")
    address_add(actor=None, person=nadia, address=AddressInput(line1="1 Low Lane", postcode="LS7 3QB"))
    address_add(actor=None, person=callum, address=AddressInput(line1="9 High Street", postcode="LS6 2AA"))
    warning_add(actor=None, person=callum, type="dog", details="Large dog")
    case_note_create(
        actor=world.worker,
        person=callum,
        occurred_at=timezone.now() - timedelta(hours=1),
        subject="Phone call",
        body="Mum rang.",
    )
    before_rows = database_rows()
    before_returns = returns_now(tmp_path, "before")

    outcome = merging.person_merge(
        actor=admin,
        keep=nadia,
        merge=callum,
        choices={"name": "merged", "date_of_birth": "merged", "current_address": "merged", "upn": "merged"},
        confirmed=True,
    )
    nadia.refresh_from_db()
    assert (nadia.given_name, nadia.date_of_birth) == ("Callum", date(2012, 9, 1))
    assert PersonName.objects.get(person=nadia, kind="current").given_name == "Callum"
    # Everything that moves has moved: nothing is left on the tombstone but history and the ended relationships.
    for link in merging.moving_links():
        left = link.model._base_manager.filter(**{link.field.attname: callum.pk})
        if link.model is Relationship:
            assert not left.filter(ended_on__isnull=True).exists(), link.label
        else:
            assert not left.exists(), link.label
    assert not Relationship.objects.filter(person=nadia, other=nadia).exists()
    assert Relationship.objects.filter(person=nadia, other=mother, ended_on__isnull=True).get().parental_responsibility
    assert merging.tombstone_of(callum.pk) == outcome.merge
    assert returns_now(tmp_path, "merged")["cin"] != before_returns["cin"]

    merging.person_unmerge(actor=admin, merge=outcome.merge)
    assert differences(before_rows, database_rows()) == []
    assert returns_now(tmp_path, "after") == before_returns
    assert merging.tombstone_of(callum.pk) is None
    assert PersonMerge.objects.get().undone_by == admin
    assert Person.objects.get(pk=nadia.pk).given_name == "Nadia"


def test_work_recorded_since_the_merge_is_assigned_by_a_person(world):
    admin = make_user("ada.admin@example.test", world.team, Role.ADMINISTRATOR)
    nadia, callum = world.nadia, world.callum
    outcome = merging.person_merge(actor=admin, keep=nadia, merge=callum, confirmed=True)
    note = case_note_create(
        actor=world.worker, person=nadia, occurred_at=timezone.now(), subject="Visit to school", body="Callum seen."
    )
    items = merging.work_since(outcome.merge)
    # One thing to assign: the case note, with the chronology entry that summarises it.
    assert [i.link_label for i in items] == ["recording.CaseNote.person"]
    assert [w.link_label for w in items[0].with_it] == ["recording.ChronologyEntry.person"]
    with pytest.raises(RuleError, match="Say which record"):
        merging.person_unmerge(actor=admin, merge=outcome.merge)
    merging.person_unmerge(actor=admin, merge=outcome.merge, assignments={i.key: "merged" for i in items})
    note.refresh_from_db()
    assert note.person_id == callum.pk
    assert ChronologyEntry.objects.get(source_type="case_note", source_id=note.pk).person_id == callum.pk


def test_two_open_looked_after_episodes_refuse_the_merge(world):
    admin = make_user("ada.admin@example.test", world.team, Role.ADMINISTRATOR)
    with pytest.raises(RuleError, match="open looked-after episode"):
        merging.person_merge(actor=admin, keep=world.maya, merge=world.samir, confirmed=True)
    assert not PersonMerge.objects.exists()
