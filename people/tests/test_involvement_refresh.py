"""people.involvement.refresh brings each row into step with what the providers say, comparing each row with its own
desired state (it once compared with whichever row it had read last, and left a relationship open that had ended)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from people import involvement
from people.involvement import Held, refresh
from people.models import Basis, Involvement
from people.tests.factories import person

pytestmark = pytest.mark.django_db


def test_a_relationship_that_ends_is_ended_whatever_row_was_read_before_it(monkeypatch: Any, team_a: Any) -> None:
    child = person(held_by=None)
    started = timezone.now() - timedelta(days=30)
    ended = timezone.now() - timedelta(days=1)
    facts = {
        "first": Held(child.pk, Basis.TEAM, "first", started, None, team_id=team_a.pk),
        "second": Held(child.pk, Basis.TEAM, "second", started, ended, team_id=team_a.pk),
    }
    monkeypatch.setattr(involvement, "_providers", [lambda ids: list(facts.values())])
    refresh([child.pk])
    # The first relationship ends the same day as the second: its row must end too.
    facts["first"] = Held(child.pk, Basis.TEAM, "first", started, ended, team_id=team_a.pk)
    assert refresh([child.pk]) == 1
    assert dict(Involvement.objects.filter(person=child).values_list("source", "ended_at")) == {
        "first": ended,
        "second": ended,
    }
    assert refresh([child.pk]) == 0  # in step: nothing more to write
