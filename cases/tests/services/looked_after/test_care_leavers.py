"""Contact with care leavers (cases.services.looked_after.care_leavers)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import services as svc
from cases.models_looked_after import CareLeaverContact
from cases.tests.services.helpers import start
from core.errors import RuleError
from people.tests.factories import person
from recording.models import ChronologyEntry

pytestmark = pytest.mark.django_db


def test_care_leaver_contact_around_the_seventeenth_birthday(care_leaver, alice):
    with pytest.raises(RuleError, match="still looked after"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 5, 20), in_touch="YES", activity="F2",
            accommodation="D1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="cannot be living with former foster carers"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="F2",
            accommodation="Z1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="cannot be accommodated in a foyer"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="F2",
            accommodation="T1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="When you are in touch, record the young person"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="0",
            accommodation="D1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="select not applicable for activity and accommodation"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="RHOM", activity="F2",
            accommodation="B1",
        )  # fmt: skip
    with pytest.raises(RuleError) as e:
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="MAYBE", activity="F9",
            accommodation="S1",  # S is only ever S2
        )  # fmt: skip
    assert set(e.value.errors) == {"in_touch", "activity", "accommodation"}
    contact = svc.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="F2",
        accommodation="D1",
    )  # fmt: skip
    assert contact.birthday == 17
    later = svc.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=date(2025, 11, 1), in_touch="NO", activity="G5", accommodation="R2"
    )
    assert later.birthday is None  # outside every birthday window
    assert CareLeaverContact.objects.filter(person=care_leaver).count() == 2
    assert ChronologyEntry.objects.filter(
        person=care_leaver, title="Care leaver contact around the 17th birthday"
    ).exists()
    assert AuditEvent.objects.filter(object_type="careleavercontact", action="create").count() == 2


def test_care_leaver_contact_refused_under_sixteen_over_twenty_five_or_never_looked_after(manager, alice):
    young = person("Tom", "Bell", date(2012, 1, 1))
    start(manager, young, date(2024, 1, 2))
    svc.looked_after_end(actor=manager, person=young, ended_on=date(2024, 6, 3), reason_ceased="E4A")
    with pytest.raises(RuleError) as e:
        svc.care_leaver_contact_record(
            actor=alice, person=young, contact_on=date(2026, 1, 5), in_touch="YES", activity="F2", accommodation="B1"
        )
    assert "was 14: care leaver contacts are for young people aged 16 to 25" in e.value.errors["contact_on"]
    older = person("Dan", "Shaw", date(1999, 1, 1))
    with pytest.raises(RuleError) as e:
        svc.care_leaver_contact_record(
            actor=alice, person=older, contact_on=date(2025, 6, 2), in_touch="YES", activity="F5", accommodation="U1"
        )
    assert "was 26: leaving care support ends at 25" in e.value.errors["contact_on"]
    never = person("Eve", "Lane", date(2007, 3, 3))
    with pytest.raises(RuleError, match="not a care leaver"):
        svc.care_leaver_contact_record(
            actor=alice, person=never, contact_on=date(2025, 3, 3), in_touch="YES", activity="F5", accommodation="U1"
        )


def test_no_contact_after_a_care_leaver_has_died(care_leaver, alice):
    svc.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=date(2025, 7, 1), in_touch="DIED", activity="0", accommodation="0"
    )
    with pytest.raises(RuleError, match="has been recorded as having died"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 8, 1), in_touch="NO", activity="G5",
            accommodation="R2",
        )  # fmt: skip
