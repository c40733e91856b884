"""schemathesis against /api/v1/openapi.json, in every run of the test suite (`make test`): issue 11, "Bad input at
the edge".

A small demo authority is seeded (as `casework seed` does, in a transaction rolled back at the end), a social
worker of it gets an API token (read and record, as `casework tokens` issues), and schemathesis loads the OpenAPI
from /api/v1/openapi.json through the WSGI application and sends every operation schema-valid and schema-invalid
requests. Checks: no 5xx; every answer's status documented and its body as documented; a refused request writes
nothing. (Not checked: that a schema-valid request is accepted. A domain rule refuses valid-looking input, a case
note dated in the future, with a 422 saying why.)"""

from __future__ import annotations

import os
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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from accounts.models import User
from accounts.tokens import token_issue
from audit.models import AuditAction, AuditEvent
from cases.models import CINEpisode, Contact, Task
from core.site import demo_database_mark
from demo.generator import generate
from demo.journeys import generate_journeys, load_candidates
from demo.users import ensure_demo_users
from people.models import Person, PersonAddress, PersonIdentifier
from recording.models import CaseNote, ChronologyEntry, Visit
from sync.models import Conflict, Mutation
from sync.services import device_register

pytestmark = pytest.mark.django_db

PEOPLE = 120
# Examples per operation, positive and negative together: about 60 operations, so the test takes about a minute
# and a half on 2 cores, seeding included. Raise it locally to look harder (CASEWORK_FUZZ_EXAMPLES).
MAX_EXAMPLES = int(os.environ.get("CASEWORK_FUZZ_EXAMPLES", "5"))


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
        _, secret = token_issue(actor=None, user=user, name="fuzz", scopes=["read", "record", "sync"], days=1)
        # The offline app's endpoints (/api/v1/sync/) also need a registered device (X-Casework-Device).
        device = device_register(actor=user, name="Fuzz tablet")
        yield f"{secret} {device.pk}"
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def api_schema(token: str) -> Iterator[Any]:
    secret, _ = token.split()
    # As Django's test client does: the request must not close the test's connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", WSGIHandler(), headers={"Authorization": f"Bearer {secret}"}
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def written() -> dict[str, int]:
    """What a request could have written: audit events (but failed sign-ins, which are written on purpose) and the
    records the API changes."""
    counts = {m.__name__: m.objects.count() for m in (Person, PersonAddress, PersonIdentifier, CaseNote, Visit)}
    counts |= {m.__name__: m.objects.count() for m in (ChronologyEntry, Contact, CINEpisode, Task, Mutation, Conflict)}
    counts["AuditEvent"] = AuditEvent.objects.exclude(action=AuditAction.SIGN_IN_FAILED).count()
    return counts


def test_the_api_answers_every_request_as_its_schema_says(api_schema: Any, token: str) -> None:
    """Every operation, with requests that fit the schema and requests that do not (MAX_EXAMPLES each, fixed
    examples): no 5xx, every answer and status as documented, and a refused request (4xx) writes nothing."""
    failures: list[str] = []
    secret, device = token.split()
    headers = {"Authorization": f"Bearer {secret}", "X-Casework-Device": device}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case: Any) -> None:
            before = written()
            # The token, unless schemathesis made up an Authorization header of its own to see it refused.
            sent = {} if "authorization" in {k.lower() for k in (case.headers or {})} else headers
            response = case.call(headers=sent)
            case.validate_response(
                response, headers=sent, excluded_checks=[schemathesis.checks.positive_data_acceptance]
            )
            if response.status_code >= 400:
                after = written()
                assert after == before, f"{case.method} {case.path} answered {response.status_code} but wrote: " + (
                    ", ".join(f"{k} {before[k]} -> {after[k]}" for k in before if before[k] != after[k])
                )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
