"""The returns' tests share one set of children per test module, made once inside a transaction that is rolled back
when the module ends (each test runs in a savepoint within it), so the services run once, not once per test."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from .journeys import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        built: World = build_world()
        yield built
        transaction.set_rollback(True)
