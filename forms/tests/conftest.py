"""A child with a referral made on Monday 5 January 2026 (as the journey's service tests have)."""

from datetime import date

import pytest

from cases import services
from people.tests.factories import person


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


@pytest.fixture
def episode(child, manager, team_a):
    return services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
