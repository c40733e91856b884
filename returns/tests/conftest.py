"""The returns' tests share one set of children per test module, made once inside a transaction that is rolled back
when the module ends (each test runs in a savepoint within it), so the services run once, not once per test."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import Role, Team, User
from conftest import client_for, make_user

from .journeys import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        built: World = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def performance(team_a: Team) -> User:
    return make_user("pat.performance@example.test", team_a, Role.PERFORMANCE)


@pytest.fixture
def pat(performance: User) -> Client:
    return client_for(performance)


@pytest.fixture
def returns_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("returns.tasks.returns_folder", lambda: tmp_path / "returns")
    return tmp_path / "returns"
