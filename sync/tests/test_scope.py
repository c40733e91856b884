"""The device's scope: accounts.access.offline_people, the one function that says whose records a device carries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts import access
from people.models import Basis, Involvement
from people.tests.factories import grant, hold, person

pytestmark = pytest.mark.django_db


def test_a_worker_carries_the_children_allocated_to_them_and_the_family_they_reach_through_them(
    alice: Any, bob: Any, team_a: Any
) -> None:
    child = person("Amelia", "Hughes", held_by=alice)
    mother = person("Karen", "Hughes")
    # The family member reached through the child's allocation (people.involvement marks it "@child").
    Involvement.objects.create(
        person=mother, user=alice, basis=Basis.ALLOCATED, source=f"allocation:1@{child.pk}", started_at=timezone.now()
    )
    team_case = person("Tom", "Team", held_by=team_a)
    ended = person("Ended", "Allocation")
    Involvement.objects.create(
        person=ended,
        user=alice,
        basis=Basis.ALLOCATED,
        source="allocation:9",
        started_at=timezone.now() - timedelta(days=40),
        ended_at=timezone.now() - timedelta(days=1),
    )
    others = person("Bob's", "Child", held_by=bob)
    scope = set(access.offline_people(alice).values_list("pk", flat=True))
    assert scope == {child.pk, mother.pk}
    # Online, alice may still open the team's case and the one in its grace period; offline she carries neither.
    assert access.can_view_person(alice, team_case) and access.can_view_person(alice, ended)
    assert others.pk not in scope


def test_a_restricted_child_needs_a_grant_and_a_conflict_hides_it(alice: Any) -> None:
    from people.models import DeclaredConflict

    restricted = person("Rita", "Restricted", held_by=alice, is_restricted=True)
    assert not access.offline_people(alice).filter(pk=restricted.pk).exists()
    grant(restricted, alice)
    access.forget(alice)
    assert access.offline_people(alice).filter(pk=restricted.pk).exists()
    conflicted = person("Cora", "Conflict", held_by=alice)
    DeclaredConflict.objects.create(user=alice, person=conflicted, connection="neighbour")
    access.forget(alice)
    assert not access.offline_people(alice).filter(pk=conflicted.pk).exists()


def test_someone_with_no_role_or_a_disabled_account_carries_nothing(alice: Any, charlie: Any) -> None:
    child = person(held_by=alice)
    hold(child, charlie)
    assert not access.offline_people(charlie).exists()
    alice.is_active = False
    assert not access.offline_people(alice).exists()


def test_the_scope_is_one_query(alice: Any, django_assert_num_queries: Any) -> None:
    for i in range(3):
        person(f"Child{i}", "Hughes", held_by=alice)
    access.forget(alice)
    access.offline_people(alice)  # memoises the roles and settings
    with django_assert_num_queries(1):
        assert len(list(access.offline_people(alice).values_list("pk", flat=True))) == 3
