"""The one-person questions every record page asks (`person_for`, `can_view_person`, `findable_expression` for the
relatives) are answered by a SQL string
(milliseconds cheaper than building the queryset); they must answer exactly as `findable_people` and
`visible_people`, the rule's queryset form, for every kind of legitimate relationship, end and grace period,
restricted record and declared conflict."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts import access
from accounts.models import User
from conftest import make_user
from core.testing import assert_query_count
from people.models import Basis, DeclaredConflict, Involvement, Person
from people.tests.factories import person

pytestmark = pytest.mark.django_db

# How long ago a relationship ended (None: still open; negative: it ends in the future). The defaults: an
# allocation's grace is 30 days, the last team's 90.
ENDED_DAYS_AGO = [None, -2, 1, 40, 100]


@pytest.fixture
def people(alice: User, bob: User, team_a: Any) -> list[Person]:
    made = []
    now = timezone.now()
    holders = [{"user": alice}, {"team": team_a}, {"user": bob}]
    cases = [
        (basis, holder, ended, superseded, False)
        for basis, holder, ended, superseded in itertools.product(Basis, holders, ENDED_DAYS_AGO, [False, True])
        if basis == Basis.TEAM or not superseded
    ]
    # A restricted record opens only by a grant, whatever else holds.
    cases += [(basis, holders[0], None, False, True) for basis in Basis]
    cases += [(Basis.TEAM, holders[1], 1, False, True), (Basis.GRANT, holders[2], None, False, True)]
    for n, (basis, holder, ended, superseded, restricted) in enumerate(cases):
        p = person("Case", f"Number{n}", is_restricted=restricted)
        Involvement.objects.create(
            person=p,
            basis=basis,
            source=f"test:{n}",
            started_at=now - timedelta(days=200),
            ended_at=None if ended is None else now - timedelta(days=ended),
            superseded=superseded,
            **holder,
        )
        made.append(p)
    made.append(person("Nobody", "Holds"))
    made.append(person("Nobody", "Restricted", is_restricted=True))
    return made


def _orm(user: User, pk: int) -> tuple[bool, bool]:
    fresh = User.objects.get(pk=user.pk)  # nothing memoised from an earlier question
    return access.findable_people(fresh).filter(pk=pk).exists(), access.visible_people(fresh).filter(pk=pk).exists()


def _asked(user: User, pk: int) -> tuple[bool, bool]:
    found, full = access.person_for(User.objects.get(pk=user.pk), pk)
    assert found is None or found.pk == pk
    fresh = User.objects.get(pk=user.pk)
    assert access.can_view_person(fresh, Person.objects.get(pk=pk)) == full
    return found is not None, full


def test_person_for_answers_as_the_querysets_do(people: list[Person], alice: User, bob: User, manager: User) -> None:
    charlie = make_user("charlie@example.test", None, None)  # no role: sees nobody
    for user in (alice, bob, manager, charlie):
        for p in people:
            assert _asked(user, p.pk) == _orm(user, p.pk), (user.email, p.family_name, p.is_restricted)
        # The same rule as an expression on another table's column (the record page's relatives).
        annotated = dict(
            Person.objects.filter(pk__in=[p.pk for p in people])
            .annotate(findable=access.findable_expression(User.objects.get(pk=user.pk), '"people_person"."id"'))
            .values_list("pk", "findable")
        )
        assert annotated == {p.pk: _orm(user, p.pk)[0] for p in people}, user.email
        listed = dict(
            access.with_full_access(
                User.objects.get(pk=user.pk), Person.objects.filter(pk__in=[p.pk for p in people])
            ).values_list("pk", "full_access")  # type: ignore[misc]
        )
        orm = {p.pk: _orm(user, p.pk) for p in people}
        assert listed == {pk: full for pk, (found, full) in orm.items() if found}, user.email
    # Some of each answer were asked, or the test proves little.
    answers = {_orm(alice, p.pk) for p in people}
    assert answers == {(True, True), (True, False), (False, False)}

    # A declared conflict hides the record from both.
    open_to_alice = [p for p in people if _orm(alice, p.pk) == (True, True)][:3]
    for p in open_to_alice[:2]:
        DeclaredConflict.objects.create(person=p, user=alice, connection="A neighbour")
    assert [_asked(alice, p.pk)[1] for p in open_to_alice] == [False, False, True]
    for p in people:
        assert _asked(alice, p.pk) == _orm(alice, p.pk)

    # Longer grace periods move both forms together.
    settings = access.access_settings()
    settings.allocation_grace_days, settings.last_team_days = 50, 120
    settings.save()
    for user in (alice,):
        for p in people:
            assert _asked(user, p.pk) == _orm(user, p.pk)


def test_person_for_is_one_query(team_a: Any, alice: User) -> None:
    child = person("Amelia", "Hughes", held_by=team_a)
    worker = User.objects.get(pk=alice.pk)
    access.roles(worker)
    access.access_settings(worker)
    with assert_query_count(2):  # the user's conflicts (once a request), then the person
        assert access.person_for(worker, child.pk) == (child, True)
    with assert_query_count(1):
        assert access.person_for(worker, child.pk)[1]
