"""schemathesis against /api/v1/openapi.json, as `make test` runs it (issue 11, "Bad input at the edge")."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from accounts.models import User
from accounts.tokens import token_issue
from core.site import demo_database_mark
from demo.generator import generate
from demo.journeys import generate_journeys, load_candidates
from demo.users import ensure_demo_users

pytestmark = pytest.mark.django_db

PEOPLE = 120


@pytest.fixture(scope="module")
def token(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("api-fuzz")
    with django_db_blocker.unblock(), transaction.atomic():
        demo_database_mark(size="demo", seed=7)
        ensure_demo_users()
        generate(people=PEOPLE, seed=7, truth_path=tmp / "t.jsonl", queries_path=tmp / "q.jsonl", label="fuzz")
        today = timezone.localdate()
        generate_journeys(random.Random(7), load_candidates(today), size="demo", today=today, people=PEOPLE)
        user = User.objects.get(email="sam.social-worker@demo.casework.test")
        _, secret = token_issue(actor=None, user=user, name="fuzz", scopes=["read", "record"], days=1)
        yield secret
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def api_schema(token: str) -> Iterator[Any]:
    # As Django's test client does: the request must not close the test's connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", WSGIHandler(), headers={"Authorization": f"Bearer {token}"}
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api(api_schema: Any, token: str) -> None:
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def run(case: Any) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[schemathesis.checks.positive_data_acceptance],
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
