"""The demo authority shows the relationship rule working: each assessment team holds its own children (and sees
their families, not the other team's), the front door holds the contacts awaiting a decision and its manager decides
them, the independent reviewing officer chairs every open looked-after and child protection child's reviews (and has
them in "My reviews"), the involvements table is complete after the seed, and the demo sign-ins say what each user
may open and whom they can only break the glass into, as accounts.access says.

One small authority is seeded per module (people, case notes and journeys, as `casework seed` does) inside a
transaction rolled back at the end."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import Role, User
from cases import selectors, selectors_reviews
from cases.models import ChildProtectionPlan, CINEpisode, Contact, LookedAfterEpisode, ReviewingOfficerAssignment
from core.site import demo_database_mark
from demo.generator import generate
from demo.journeys import JourneyResult, generate_journeys, load_candidates
from demo.sign_ins import reach
from demo.users import DEMO_USERS, ensure_demo_users
from people.involvement import refresh_all
from people.search import search_people

pytestmark = pytest.mark.django_db

PEOPLE = 500
SEED = {"people": PEOPLE, "seed": 5, "known_child_rate": 0.45, "queries": 20}


@pytest.fixture(scope="module")
def authority(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[JourneyResult]:
    tmp: Path = tmp_path_factory.mktemp("demo-access")
    with django_db_blocker.unblock(), transaction.atomic():
        demo_database_mark(size="demo", seed=5)  # what `casework seed` does first
        ensure_demo_users()
        generate(**SEED, truth_path=tmp / "truth.jsonl", queries_path=tmp / "queries.jsonl", label="test-access")
        today = timezone.localdate()
        result = generate_journeys(random.Random(5), load_candidates(today), size="demo", today=today, people=PEOPLE)
        yield result
        transaction.set_rollback(True)


def demo(name: str) -> User:
    return User.objects.get(email=f"{name}@demo.casework.test")


def test_the_two_assessment_teams_hold_different_children_and_families(authority: JourneyResult) -> None:
    sam, priya = demo("sam.social-worker"), demo("priya.social-worker")
    north = set(access.visible_people(sam).values_list("pk", flat=True))
    south = set(access.visible_people(priya).values_list("pk", flat=True))
    assert north and south
    assert not north & south  # a family is held by one team: nobody is open to both
    # The managers see what their team's workers see, and the administrator opens records by the same rule (none).
    assert set(access.visible_people(demo("tom.manager")).values_list("pk", flat=True)) == north
    assert not access.visible_people(demo("alex.admin")).exists()


def test_the_front_door_holds_the_contacts_awaiting_a_decision_and_its_manager_decides_them(
    authority: JourneyResult,
) -> None:
    today = timezone.localdate()
    waiting = set(Contact.objects.filter(decision="").values_list("pk", flat=True))
    assert waiting
    for name in ("ben.support", "fola.front-door"):
        queue = selectors.contact_queue(today, demo(name))
        assert {row.contact.pk for row in queue.rows} == waiting, name
    decided_by = set(Contact.objects.exclude(decision="").values_list("decided_by__email", flat=True))
    assert decided_by == {"fola.front-door@demo.casework.test"}
    front_door = next(t for e, *_, t, _ in DEMO_USERS if e.startswith("fola."))
    assert all(t == front_door for e, *_, t, _ in DEMO_USERS if e.startswith("ben."))


def test_the_reviewing_officer_chairs_every_open_looked_after_and_protection_child(authority: JourneyResult) -> None:
    iris = demo("iris.iro")
    looked_after = set(LookedAfterEpisode.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
    on_plans = set(ChildProtectionPlan.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True))
    chaired = {
        a.person_id: a
        for a in ReviewingOfficerAssignment.objects.filter(officer=iris, ended_on__isnull=True).select_related("person")
    }
    assert looked_after | on_plans and set(chaired) == looked_after | on_plans
    # Named on a believable day: in the open case, no later than the current period of care or plan began.
    for person_id, a in chaired.items():
        referred = CINEpisode.objects.get(person_id=person_id, closure_date__isnull=True).referral_date
        began = [
            *LookedAfterEpisode.objects.filter(person_id=person_id, ended_on__isnull=True).values_list(
                "started_on", flat=True
            ),
            *ChildProtectionPlan.objects.filter(person_id=person_id, ended_on__isnull=True).values_list(
                "started_on", flat=True
            ),
        ]
        assert referred <= a.started_on <= max(began), person_id
    assert all(access.can_view_person(iris, a.person) for a in chaired.values())
    mine = selectors_reviews.reviews_due(timezone.localdate(), user=iris, weeks=52, chaired_by=iris)
    assert mine.rows and {r.task.person_id for r in mine.rows} <= set(chaired)


def test_the_involvements_are_complete_after_the_seed(authority: JourneyResult) -> None:
    assert refresh_all() == 0  # the services kept the table in step: rebuilding it changes nothing


def test_every_demo_user_can_do_their_first_hour(authority: JourneyResult) -> None:
    today = timezone.localdate()
    for email, _, _, role, _, _ in DEMO_USERS:
        user = User.objects.get(email=email)
        r = reach(user, today)
        if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.INDEPENDENT_REVIEWING_OFFICER, Role.BUSINESS_SUPPORT):
            assert r.children and r.examples, email
            child, _ = r.examples[0]  # search finds a child they hold, with the full record
            found = search_people(user=user, name=child.full_name, date_of_birth=child.date_of_birth, limit=5)
            assert any(m.id == child.pk and m.access == "record" for m in found), email
        for child, _ in r.examples:
            assert access.can_view_person(user, child), email
        # ...and one child they can only break the glass into: found in search, summary only.
        assert r.break_glass is not None, email
        assert not access.can_view_person(user, r.break_glass)
        assert access.explain(user, r.break_glass).break_glass_available
        if role == Role.TEAM_MANAGER:
            assert selectors.managed_teams(user).exists(), email  # their team's dashboard
    for name in ("tom.manager", "grace.manager"):
        assert selectors.team_dashboard(selectors.managed_teams(demo(name)).get(), demo(name))


def test_demo_sign_ins_print_what_each_user_opens_and_one_break_glass_child(
    authority: JourneyResult, capsys: Any
) -> None:
    call_command("demo_sign_ins")
    out = capsys.readouterr().out
    lines = out.splitlines()
    for email, *_ in DEMO_USERS:
        at = next(i for i, line in enumerate(lines) if email in line)
        user = User.objects.get(email=email)
        r = reach(user)
        opens, glass = lines[at + 1], lines[at + 2]
        if r.records:
            assert f"opens {r.children:,} children ({r.records:,} records" in opens
            assert all(f"(record {p.pk}, " in opens for p, _ in r.examples)
        else:
            assert "opens no records" in opens
        assert r.break_glass is not None and f"break-glass only: {r.break_glass.full_name} (record" in glass
    assert "sam.social-worker" in out and "allocated worker" in out and "chairs the child's reviews" in out
