from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import RuleError
from people import services
from people.models import Person, PersonIdentifier, PersonName, Relationship, Warning
from people.tests.factories import person

pytestmark = pytest.mark.django_db


def test_create_writes_person_name_keys_identifiers_address_and_audit(alice):
    p = services.person_create(
        actor=alice,
        given_name=" Amelia ",
        family_name="Hughes",
        date_of_birth=date(2015, 3, 27),
        nhs_number="943 476 5919",
        address=services.AddressInput(line1="14 Mill Lane", postcode="ls11aa", town="Leeds"),
    )
    assert p.given_name == "Amelia"
    name = PersonName.objects.get(person=p)
    assert (name.kind, name.given_norm, name.family_norm) == ("current", "amelia", "hughes")
    assert PersonIdentifier.objects.get(person=p).value == "9434765919"
    assert p.addresses.get().postcode == "LS1 1AA"
    assert Person.objects.get(pk=p.pk).current_postcode == "LS1 1AA"
    event = AuditEvent.objects.get(object_type="person", action="create", person=p)
    assert event.actor == alice
    assert event.changes["new"]["family_name"] == "Hughes"
    assert event.changes["new"]["identifiers"] == [{"type": "nhs", "value": "9434765919"}]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"nhs_number": "9434765918"}, "nhs_number", "check digit"),
        ({"date_of_birth": timezone.localdate() + timedelta(days=1)}, "date_of_birth", "today or in the past"),
        ({"given_name": "", "family_name": ""}, "family_name", "Enter a first name or last name"),
        ({"upn": "A99912342000"}, "upn", "13 characters"),
        (
            {"date_of_birth": date(2020, 1, 1), "expected_date_of_birth": timezone.localdate()},
            "expected_date_of_birth",
            "not both",
        ),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(alice, kwargs, field, message):
    args = {"given_name": "Amelia", "family_name": "Hughes", **kwargs}
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RuleError) as exc:
        services.person_create(actor=alice, **args)
    assert message in exc.value.errors[field]
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_nhs_number_already_known_points_to_the_existing_record(alice):
    first = person(nhs_number="9434765919")
    with pytest.raises(RuleError) as exc:
        services.person_create(actor=alice, given_name="Amy", family_name="Hughes", nhs_number="9434765919")
    assert f"record {first.pk}" in exc.value.errors["nhs_number"]


def test_change_of_name_keeps_the_old_name_and_audits_old_and_new(alice):
    p = person(given="Amelia", family="Hughes")
    services.person_update(actor=alice, person=p, family_name="Khan")
    kinds = dict(PersonName.objects.filter(person=p).values_list("family_name", "kind"))
    assert kinds == {"Hughes": "previous", "Khan": "current"}
    event = AuditEvent.objects.filter(person=p, action="update").get()
    assert event.changes == {"family_name": {"old": "Hughes", "new": "Khan"}}


def test_update_refuses_death_before_birth(alice):
    p = person(dob=date(2015, 3, 27))
    with pytest.raises(RuleError) as exc:
        services.person_update(actor=alice, person=p, date_of_death=date(2014, 1, 1))
    assert "on or after the date of birth" in exc.value.errors["date_of_death"]
    assert Person.objects.get(pk=p.pk).date_of_death is None


def test_relationships_are_reciprocal_and_audited_on_both_records(alice):
    mum, child = person("Sarah", "Hughes", date(1988, 5, 2)), person()
    services.relationship_create(
        actor=alice, person=mum, other=child, type="parent", parental_responsibility=True, lives_with=True
    )
    pairs = set(Relationship.objects.values_list("person_id", "other_id", "type"))
    assert pairs == {(child.pk, mum.pk, "parent"), (mum.pk, child.pk, "child")}
    assert Relationship.objects.get(person=child).parental_responsibility
    assert AuditEvent.objects.filter(object_type="relationship", person__in=[mum, child]).count() == 2


def test_relationship_to_oneself_is_refused(alice):
    p = person()
    with pytest.raises(RuleError) as exc:
        services.relationship_create(actor=alice, person=p, other=p, type="sibling")
    assert "cannot be related to themselves" in exc.value.errors["other"]
    assert not Relationship.objects.exists()


def test_parental_responsibility_only_for_parental_roles(alice):
    a, b = person("Ann", "Lee"), person("Bo", "Lee")
    with pytest.raises(RuleError):
        services.relationship_create(actor=alice, person=a, other=b, type="sibling", parental_responsibility=True)


def test_new_address_ends_the_previous_one(alice):
    p = person(address=services.AddressInput(line1="1 Old Road", postcode="LS1 1AA", lived_from=date(2020, 1, 1)))
    services.address_add(
        actor=alice,
        person=p,
        address=services.AddressInput(line1="2 New Road", postcode="LS2 7EY", lived_from=date(2024, 6, 1)),
    )
    old, new = p.addresses.order_by("lived_from")
    assert old.lived_to == date(2024, 5, 31)
    assert new.lived_to is None
    assert Person.objects.get(pk=p.pk).current_postcode == "LS2 7EY"


def test_warnings_need_a_future_review_date_and_end_with_a_reason(alice):
    p = person()
    with pytest.raises(RuleError):
        services.warning_add(actor=alice, person=p, type="dog", review_on=timezone.localdate())
    w = services.warning_add(actor=alice, person=p, type="dog", details="Large dog, kept in the garden")
    assert w.review_on > timezone.localdate()
    with pytest.raises(RuleError):
        services.warning_end(actor=alice, warning=w, reason=" ")
    services.warning_end(actor=alice, warning=w, reason="Dog rehomed")
    assert Warning.objects.get(pk=w.pk).ended_on == timezone.localdate()


def test_disabilities_are_cin_census_codes_with_none_alone(alice):
    p = person()
    with pytest.raises(RuleError) as e:
        services.person_update(actor=alice, person=p, disabilities=["NONE", "AUT"])
    assert "on its own" in e.value.errors["disabilities"]
    with pytest.raises(RuleError):
        services.person_update(actor=alice, person=p, disabilities=["XYZ"])
    services.person_update(actor=alice, person=p, disabilities=["AUT", "COMM"])
    assert Person.objects.get(pk=p.pk).disabilities == ["AUT", "COMM"]
