"""Identifiers, addresses and relationships changed after a person is created: each rule, refusal and audit event."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ConfirmationNeeded, RuleError
from people import services
from people.models import Person, PersonIdentifier, Relationship
from people.tests.factories import person
from people.validators import nhs_check_digit, upn_check_letter

pytestmark = pytest.mark.django_db


def nhs(first_nine: str) -> str:
    return first_nine + str(nhs_check_digit(first_nine))


def upn(tail: str = "801200001001") -> str:
    return upn_check_letter(tail) + tail


def history(row, field="value"):
    """Every value the row has had, oldest first, from its row history (django-pghistory's events)."""
    return list(row.events.order_by("pgh_id").values_list(field, flat=True))


def test_a_upn_is_added_checked_and_audited(alice):
    p = person()
    ident = services.identifier_add(actor=alice, person=p, type="upn", value=upn().lower())
    assert ident.value == upn()
    event = AuditEvent.objects.get(object_type="person_identifier", action="create", person=p)
    assert event.changes["new"] == {"type": "upn", "value": upn()}


@pytest.mark.parametrize(
    ("type_", "value", "message"),
    [
        ("upn", "A12345678901", "13 characters"),
        ("upn", "B" + upn()[1:], "check letter does not match"),
        ("nhs", "943 476 5918", "check digit"),
        ("nhs", "12345", "10 digits long"),
        ("legacy", "  ", "Enter the identifier"),
        ("shoe size", "9", "Select the type of identifier"),
    ],
)
def test_a_wrong_identifier_is_refused_as_at_creation(alice, type_, value, message):
    p = person()
    with pytest.raises(RuleError) as exc:
        services.identifier_add(actor=alice, person=p, type=type_, value=value)
    assert message in " ".join(exc.value.errors.values())
    assert not PersonIdentifier.objects.filter(person=p).exists()


def test_an_nhs_number_belongs_to_one_person(alice):
    amelia = person(nhs_number="9434765919")
    other = person("Leo", "Khan", date(2016, 1, 1))
    with pytest.raises(RuleError) as exc:
        services.identifier_add(actor=alice, person=other, type="nhs", value="943 476 5919")
    assert f"already belongs to Amelia Hughes (record {amelia.pk})" in exc.value.errors["value"]


def test_a_second_current_upn_is_refused_with_the_way_on(alice):
    p = person()
    services.identifier_add(actor=alice, person=p, type="upn", value=upn())
    with pytest.raises(RuleError) as exc:
        services.identifier_add(actor=alice, person=p, type="upn", value=upn("801200001002"))
    assert "already has a Unique pupil number" in exc.value.errors["value"]
    assert "Correct it if it is wrong, or end it first" in exc.value.errors["value"]


def test_a_correction_keeps_the_old_value_in_history_and_audit(alice):
    p = person(nhs_number=nhs("401023213"))
    ident = p.identifiers.get()
    services.identifier_correct(actor=alice, identifier=ident, value="943 476 5919", reason="Digits swapped")
    ident.refresh_from_db()
    assert ident.value == "9434765919"
    assert history(ident) == [nhs("401023213"), "9434765919"]
    event = AuditEvent.objects.get(object_type="person_identifier", action="update")
    assert event.changes["value"] == {"old": nhs("401023213"), "new": "9434765919"}
    assert event.changes["reason"] == "Digits swapped"


def test_a_correction_is_checked_and_kept_unique(alice):
    person("Leo", "Khan", date(2016, 1, 1), nhs_number="9434765919")
    ident = person(nhs_number=nhs("401023213")).identifiers.get()
    for value, message in (("9434765918", "check digit"), ("9434765919", "already belongs to Leo Khan")):
        with pytest.raises(RuleError) as exc:
            services.identifier_correct(actor=alice, identifier=ident, value=value)
        assert message in exc.value.errors["value"]
    with pytest.raises(RuleError, match="already recorded"):
        services.identifier_correct(actor=alice, identifier=ident, value=nhs("401023213"))


def test_an_ended_upn_stays_on_the_record_and_frees_its_place(alice):
    p = person()
    old = services.identifier_add(actor=alice, person=p, type="upn", value=upn())
    with pytest.raises(RuleError) as exc:
        services.identifier_end(actor=alice, identifier=old, reason=" ")
    assert "Enter why" in exc.value.errors["reason"]
    services.identifier_end(actor=alice, identifier=old, reason="The school gave a new UPN")
    old.refresh_from_db()
    assert (old.ended_on, old.end_reason) == (timezone.localdate(), "The school gave a new UPN")
    assert AuditEvent.objects.filter(object_type="person_identifier", action="close").exists()
    services.identifier_add(actor=alice, person=p, type="upn", value=upn("801200001002"))
    with pytest.raises(RuleError, match="ended on"):
        services.identifier_correct(actor=alice, identifier=old, value=upn("801200001003"))


def test_the_end_of_an_identifier_cannot_be_in_the_future(alice):
    ident = person(nhs_number="9434765919").identifiers.get()
    with pytest.raises(RuleError) as exc:
        services.identifier_end(
            actor=alice, identifier=ident, reason="Wrong", ended_on=timezone.localdate() + timedelta(days=1)
        )
    assert "today or in the past" in exc.value.errors["ended_on"]


def test_a_new_address_ends_the_current_one_and_is_audited(alice):
    p = person(address=services.AddressInput(line1="1 Old Road", postcode="LS1 1AA", lived_from=date(2020, 1, 1)))
    services.address_add(
        actor=alice,
        person=p,
        address=services.AddressInput(line1="2 New Road", postcode="ls27ey", lived_from=date(2025, 2, 1)),
    )
    old, new = p.addresses.order_by("lived_from")
    assert (old.lived_to, new.lived_to, new.postcode) == (date(2025, 1, 31), None, "LS2 7EY")
    assert AuditEvent.objects.filter(object_type="person_address", action="create", person=p).exists()


def test_an_address_correction_keeps_the_old_one_in_history(alice):
    p = person(address=services.AddressInput(line1="14 Mill Lane", postcode="LS1 1AA", lived_from=date(2020, 1, 1)))
    addr = p.addresses.get()
    services.address_correct(
        actor=alice, address=addr, line1="41 Mill Lane", postcode="LS1 1AB", town="Leeds", lived_from=date(2020, 1, 1)
    )
    addr.refresh_from_db()
    assert (addr.line1, addr.postcode) == ("41 Mill Lane", "LS1 1AB")
    assert Person.objects.get(pk=p.pk).current_postcode == "LS1 1AB"
    assert history(addr, "line1") == ["14 Mill Lane", "41 Mill Lane"]
    event = AuditEvent.objects.get(object_type="person_address", action="update")
    assert event.changes["line1"] == {"old": "14 Mill Lane", "new": "41 Mill Lane"}


def test_an_address_correction_is_checked(alice):
    p = person(address=services.AddressInput(line1="1 Old Road", postcode="LS1 1AA", lived_from=date(2020, 1, 1)))
    services.address_add(
        actor=alice,
        person=p,
        address=services.AddressInput(line1="2 New Road", postcode="LS2 7EY", lived_from=date(2024, 6, 1)),
    )
    past = p.addresses.get(line1="1 Old Road")
    with pytest.raises(RuleError) as exc:
        services.address_correct(
            actor=alice,
            address=past,
            line1="",
            postcode="NOT A CODE",
            lived_from=date(2020, 1, 1),
            lived_to=date(2019, 1, 1),
        )
    assert set(exc.value.errors) == {"line1", "postcode", "lived_to"}
    with pytest.raises(RuleError, match="Nothing was changed"):
        services.address_correct(
            actor=alice,
            address=past,
            line1="1 Old Road",
            postcode="LS1 1AA",
            lived_from=date(2020, 1, 1),
            lived_to=past.lived_to,
        )


def test_a_7_year_old_cannot_be_recorded_as_a_parent(alice):
    baby = person("Amelia", "Hughes", timezone.localdate() - timedelta(days=400))
    leo = person("Leo", "Hughes", timezone.localdate() - timedelta(days=7 * 366))
    with pytest.raises(RuleError) as exc:
        services.relationship_create(actor=alice, person=leo, other=baby, type="parent")
    assert "at least 12 years older" in exc.value.errors["type"]
    assert not Relationship.objects.exists()


def test_an_unusual_relationship_is_saved_once_confirmed_and_the_question_is_audited(alice):
    baby = person("Amelia", "Hughes", timezone.localdate() - timedelta(days=400))
    jade = person("Jade", "Hughes", timezone.localdate() - timedelta(days=15 * 366))
    with pytest.raises(ConfirmationNeeded) as exc:
        services.relationship_create(actor=alice, person=jade, other=baby, type="parent")
    assert "Is Jade Hughes really Amelia Hughes's parent?" in exc.value.questions[0]
    assert not Relationship.objects.exists()
    services.relationship_create(actor=alice, person=jade, other=baby, type="parent", confirmed=True)
    assert Relationship.objects.filter(person=baby, other=jade, type="parent").exists()
    event = AuditEvent.objects.filter(object_type="relationship", person=baby).get()
    assert event.changes["confirmed"] == exc.value.questions


def test_recorded_parents_are_asked_about_when_adding_a_grandparent(alice):
    baby = person("Amelia", "Hughes", date(2025, 1, 1))
    for name, born in (("Sarah", date(1990, 1, 1)), ("Tom", date(1989, 1, 1))):
        services.relationship_create(actor=alice, person=person(name, "Hughes", born), other=baby, type="parent")
    gran = person("Gwen", "Hughes", date(1986, 1, 1))
    with pytest.raises(RuleError) as exc:
        services.relationship_create(actor=alice, person=baby, other=gran, type="grandchild")
    assert "parent of one of the child's parents" in exc.value.errors["type"]
