"""Previous permanence and adoption (cases.services.looked_after.permanence)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from cases import services as svc
from cases.models_looked_after import AdoptionRecord
from cases.rules.looked_after import Placement
from cases.tests.services.helpers import start
from core.errors import RuleError

pytestmark = pytest.mark.django_db


def test_previous_permanence(child, manager, alice):
    with pytest.raises(RuleError, match="start that first"):
        svc.previous_permanence_record(actor=alice, person=child, arrangement="Z1")
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.previous_permanence_record(actor=alice, person=child, arrangement="P9")
    assert set(e.value.errors) == {"arrangement"}
    with pytest.raises(RuleError, match="There was no previous permanence arrangement"):
        svc.previous_permanence_record(actor=alice, person=child, arrangement="Z1", la_code="383")
    with pytest.raises(RuleError) as e:
        svc.previous_permanence_record(actor=alice, person=child, arrangement="P2", la_code="LEEDS")
    assert set(e.value.errors) == {"la_code", "order_date"}
    with pytest.raises(RuleError, match="The order must be before this period of care started"):
        svc.previous_permanence_record(
            actor=alice, person=child, arrangement="P2", la_code="383", order_date=date(2025, 12, 24)
        )
    row = svc.previous_permanence_record(
        actor=alice, person=child, arrangement="P2", la_code="383", order_date=date(2019, 5, 1)
    )
    assert row.episode.reason_new_episode == "S"
    with pytest.raises(RuleError, match="already recorded"):
        svc.previous_permanence_record(actor=alice, person=child, arrangement="Z1")


def test_adoption_from_decision_to_order(child, manager, alice):
    start(manager, child, date(2025, 6, 2))
    with pytest.raises(RuleError, match="was not looked after on"):
        svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 6, 1))
    adoption = svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 1))
    with pytest.raises(RuleError, match="already open"):
        svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 2))
    with pytest.raises(RuleError, match="cannot be before the decision"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placement_order", on=date(2025, 6, 30))
    with pytest.raises(RuleError, match="match with the adopters before the placement"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placed", on=date(2025, 9, 1))
    svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placement_order", on=date(2025, 8, 4))
    with pytest.raises(RuleError, match="cannot be before the placement order"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 8, 1))
    svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 9, 1))
    with pytest.raises(RuleError, match="already recorded"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 9, 2))
    adopters = Placement(type="A6", provider="PR1", postcode="M1 1AE", urn="SC123456")
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 9, 15), legal_status="E1", placement=adopters,
        reason_place_change="CARPL",
    )  # fmt: skip
    svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placed", on=date(2025, 9, 15))
    with pytest.raises(RuleError, match="before recording the adoption"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 3, 2), reason_ceased="E11")
    with pytest.raises(RuleError, match="sex does not match"):
        svc.adoption_adopters_record(
            actor=alice, adoption=adoption, foster_care=False, number_of_adopters=1, sex_of_adopters="MF",
            legal_status_of_adopters="L11",
        )  # fmt: skip
    with pytest.raises(RuleError, match="must be MF"):
        svc.adoption_adopters_record(
            actor=alice, adoption=adoption, foster_care=False, number_of_adopters=2, sex_of_adopters="MM",
            legal_status_of_adopters="L3",
        )  # fmt: skip
    svc.adoption_adopters_record(
        actor=alice, adoption=adoption, foster_care=False, number_of_adopters=2, sex_of_adopters="FF",
        legal_status_of_adopters="L12",
    )  # fmt: skip
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 3, 2), reason_ceased="E11")
    adoption = AdoptionRecord.objects.get(pk=adoption.pk)
    assert adoption.adopted_on == date(2026, 3, 2) and adoption.placed_on == date(2025, 9, 15)
    with pytest.raises(RuleError, match="The child has been adopted: the decision can no longer be reversed"):
        svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2026, 3, 3), reason="RD4")
    assert AuditEvent.objects.filter(object_type="adoptionrecord", action="update").count() >= 4


def test_adoption_decision_reversed(child, manager, alice):
    start(manager, child, date(2025, 6, 2))
    adoption = svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 1))
    with pytest.raises(RuleError, match="before they leave care"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 8, 1), reason_ceased="E4A")
    with pytest.raises(RuleError) as e:
        svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 8, 1), reason="RD9")
    assert set(e.value.errors) == {"reason_placed_ceased"}
    with pytest.raises(RuleError, match="cannot be reversed before"):
        svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 6, 30), reason="RD2")
    svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 8, 1), reason="RD2")
    with pytest.raises(RuleError, match="plan has ended"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 8, 2))
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 8, 4), reason_ceased="E4A")


def test_database_keeps_adoption_milestones_in_order(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptionRecord.objects.create(
            person=child, date_should_be_placed=date(2025, 7, 1), date_matched=date(2025, 6, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptionRecord.objects.create(person=child, date_should_be_placed=date(2025, 7, 1), placed_on=date(2025, 8, 1))


def test_adoption_milestone_names_and_ended_plans(child, manager, alice):
    start(manager, child, date(2025, 6, 2))
    adoption = svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 1))
    with pytest.raises(RuleError) as e:
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="adopted", on=date(2025, 8, 1))
    assert set(e.value.errors) == {"milestone"}
    svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 8, 1), reason="RD3")
    with pytest.raises(RuleError, match="adopters can no longer be changed"):
        svc.adoption_adopters_record(
            actor=alice, adoption=adoption, foster_care=True, number_of_adopters=1, sex_of_adopters="F1",
            legal_status_of_adopters="L0",
        )  # fmt: skip
    assert svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 8, 1)).pk != adoption.pk
