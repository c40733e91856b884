from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role, Team, User
from conftest import client_for, make_user


@pytest.fixture
def governance(db: Any) -> User:
    team = Team.objects.create(name="Information governance")
    return make_user("iris.governance@example.test", team, Role.INFORMATION_GOVERNANCE)


@pytest.fixture
def governance2(db: Any) -> User:
    team = Team.objects.create(name="Records management")
    return make_user("gita.records@example.test", team, Role.INFORMATION_GOVERNANCE)


@pytest.fixture
def governance_client(governance: User) -> Any:
    return client_for(governance)


@pytest.fixture
def governance2_client(governance2: User) -> Any:
    return client_for(governance2)
