"""Fixtures of the looked-after service tests: a young person who left care at 17 (a care leaver)."""

from datetime import date

import pytest

from cases import services
from cases.tests.services.helpers import start
from people.tests.factories import person


@pytest.fixture
def care_leaver(manager):
    young = person("Ruby", "Stone", date(2008, 5, 10))
    start(manager, young, date(2022, 1, 4))
    services.looked_after_end(actor=manager, person=young, ended_on=date(2025, 6, 1), reason_ceased="E5")
    return young
