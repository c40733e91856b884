"""Unaccompanied asylum-seeking children (cases.services.looked_after.uasc)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import services as svc
from cases.tests.services.helpers import start
from core.errors import RuleError
from people.tests.factories import person

pytestmark = pytest.mark.django_db


def test_uasc_status_ceases_by_the_eighteenth_birthday(manager, alice):
    young = person("Amir", "Haidari", date(2007, 6, 1))
    with pytest.raises(RuleError, match="The status ceases by the 18th birthday"):
        svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6), ceased_on=date(2025, 6, 2))
    with pytest.raises(
        RuleError, match="The date the status ceased cannot be before the child became an asylum-seeking child"
    ):
        svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6), ceased_on=date(2025, 1, 5))
    row = svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6))
    assert row.ceased_on is None
    # Home postcode may be unknown for an unaccompanied asylum-seeking child.
    start(manager, young, date(2025, 1, 6), home_postcode="")
    row = svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6), ceased_on=date(2025, 6, 1))
    assert row.ceased_on == date(2025, 6, 1)
    assert AuditEvent.objects.filter(object_type="unaccompaniedasylumseekingchild", action="update").exists()


def test_uasc_only_for_children(alice):
    adult = person("Omid", "Rahimi", date(2006, 1, 1))
    with pytest.raises(RuleError, match="only children are UASC"):
        svc.uasc_record(actor=alice, person=adult, became_uasc_on=date(2025, 2, 3))
