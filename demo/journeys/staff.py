"""The teams that hold the children: the demo teams (demo.users) and, when the caseloads need them, more
social workers and teams, made through accounts.services."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Role, Team, User
from accounts.services import membership_add, team_create, user_create

from .profiles import PROFILES

STAFF_GIVEN = (
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jade",
    "Kieran",
    "Laura",
    "Mohammed",
    "Natalie",
    "Oliver",
    "Poppy",
    "Rachel",
    "Simon",
    "Tara",
    "Usman",
    "Victoria",
    "William",
    "Zara",
    "Amy",
    "Craig",
    "Deepa",
    "Gemma",
    "Harpreet",
    "Joanne",
    "Karen",
    "Liam",
    "Megan",
    "Nadia",
    "Paul",
    "Rebecca",
    "Sunita",
    "Tom",
    "Yasmin",
    "Claire",
    "Adam",
    "Bethany",
    "Callum",
    "Dawn",
    "Eleanor",
    "Faisal",
    "Helen",
)

Progress = Callable[[str], None]  # where to say how far the stage has got


STAFF_FAMILY = (
    "Adams",
    "Begum",
    "Campbell",
    "Dhillon",
    "Evans",
    "Fletcher",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "Mistry",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Underwood",
    "Varley",
    "Walker",
    "Young",
    "Bennett",
    "Chauhan",
    "Dixon",
    "Edwards",
    "Foster",
    "Green",
    "Hughes",
    "Khan",
    "Mitchell",
    "Parmar",
    "Reid",
    "Shaw",
    "Thompson",
    "Ward",
    "Wright",
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Ellis",
)


DISTRICT_TEAMS = (
    "Charnwood",
    "Hinckley and Bosworth",
    "North West Leicestershire",
    "Blaby",
    "Harborough",
    "Melton",
    "Oadby and Wigston",
)


UNUSABLE_PASSWORD: Any = None  # user_create passes it to create_user: nobody can sign in as a generated colleague


@dataclass
class Crew:
    """A team with its manager, social workers, whoever records contacts about its children and the front door
    manager who decides them (`duty_manager`), and the independent reviewing officers who chair its children's
    reviews and conferences."""

    team: Team
    manager: User
    workers: list[User]
    recorders: list[User]
    duty_manager: User | None = None  # decides contacts (the front door's manager); None: the team's manager
    reviewing_officers: ReviewingOfficers | None = None
    load: Counter[int] = field(default_factory=Counter)  # worker pk -> children allocated at the end
    planned: int = 0  # children given to the team that will be allocated
    others: int = 0  # children given to the team that will not (closed histories, contacts)

    def least_loaded(self) -> User:
        return min(self.workers, key=lambda w: (self.load[w.pk], w.pk))

    @property
    def decider(self) -> User:
        """Who decides contacts about the team's children: the front door's manager."""
        return self.duty_manager or self.manager

    def reviewing_officer(self) -> User | None:
        """The independent reviewing officer to name for one of the team's children (None: the authority has none)."""
        return self.reviewing_officers.next() if self.reviewing_officers else None


@dataclass
class ReviewingOfficers:
    """The authority's independent reviewing officers, shared by every team: each child goes to the officer chairing
    for fewest children (no randomness, so naming one changes nothing else in a child's history)."""

    officers: list[User]
    load: Counter[int] = field(default_factory=Counter)

    def next(self) -> User | None:
        if not self.officers:
            return None
        officer = min(self.officers, key=lambda o: (self.load[o.pk], o.pk))
        self.load[officer.pk] += 1
        return officer

    def __len__(self) -> int:
        return len(self.officers)


REVIEWS_PER_OFFICER = 60  # children an independent reviewing officer chairs for (statutory guidance: 50 to 70)


def ensure_staff(
    size: str, allocated: int, rng: random.Random, progress: Progress | None = None, *, reviewed: int = 0
) -> list[Crew]:
    """The demo teams (demo.users) and, when the caseloads need them, more social workers and teams, made through
    accounts.services. Demo: the two demo teams grow to share the children; large: about 16 workers a team. The
    front door (demo.users) records and decides every team's contacts; the independent reviewing officers (the demo's
    and, for large, more colleagues in the reviewing unit, about 60 children each) chair the reviews."""
    from demo.users import DEMO_USERS, FRONT_DOOR, SERVICE_TEAMS, TEAMS, ensure_demo_users

    emails = [u[0] for u in DEMO_USERS]
    if User.objects.filter(email__in=emails).count() < len(emails):
        ensure_demo_users()
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    n_teams, per_team = staff_plan(size, allocated)
    crews: list[Crew] = []
    names = _staff_names(rng)
    made = 0
    front_door = [(users[e], r) for e, _, _, r, t, _ in DEMO_USERS if t == FRONT_DOOR]
    duty_manager = next(u for u, r in front_door if r == Role.TEAM_MANAGER)
    front_door_recorders = [u for u, r in front_door if r == Role.BUSINESS_SUPPORT]
    officers = [users[e] for e, _, _, r, _, _ in DEMO_USERS if r == Role.INDEPENDENT_REVIEWING_OFFICER]
    if size == "large":
        unit = Team.objects.get(name=SERVICE_TEAMS[0])
        for _ in range(max(0, math.ceil(reviewed / REVIEWS_PER_OFFICER) - len(officers))):
            officers.append(
                _colleague(next(names), unit, Role.INDEPENDENT_REVIEWING_OFFICER, "Independent reviewing officer")
            )
            made += 1
    reviewing = ReviewingOfficers(officers)
    for i in range(n_teams):
        if i < len(TEAMS):
            team = Team.objects.get(name=TEAMS[i])
            manager = next(users[e] for e, _, _, r, t, _ in DEMO_USERS if r == Role.TEAM_MANAGER and t == i)
            workers = [users[e] for e, _, _, r, t, _ in DEMO_USERS if r == Role.SOCIAL_WORKER and t == i]
            recorders = front_door_recorders
        else:
            district = DISTRICT_TEAMS[(i - 2) % len(DISTRICT_TEAMS)]
            name = f"{district} Children and Families Team {(i - 2) // len(DISTRICT_TEAMS) + 1}"
            team = Team.objects.filter(name=name).first() or team_create(actor=None, name=name)
            manager = _colleague(next(names), team, Role.TEAM_MANAGER, "Team manager")
            workers, recorders = [], []
            made += 1
        while len(workers) < per_team:
            workers.append(_colleague(next(names), team, Role.SOCIAL_WORKER, "Social worker"))
            made += 1
        crews.append(Crew(team, manager, workers, recorders or workers[:2], duty_manager, reviewing))
    if progress:
        progress(
            f"  staff: {n_teams} teams, {sum(len(c.workers) for c in crews)} social workers, "
            f"{len(officers)} reviewing officers ({made} accounts made)"
        )
    return crews


def staff_plan(size: str, allocated: int) -> tuple[int, int]:
    """(teams, social workers a team) for `allocated` children at the profile's caseload: the two demo teams for the
    demo, about 16 workers a team for large."""
    profile = PROFILES[size]
    workers_needed = max(2, math.ceil(allocated / profile.caseload))
    n_teams = max(2, math.ceil(workers_needed / profile.workers_per_team)) if size == "large" else 2
    return n_teams, max(1, math.ceil(workers_needed / n_teams))


def _staff_names(rng: random.Random) -> Iterator[tuple[str, str, str]]:
    used: set[str] = set()
    n = 0
    while True:
        given, family = rng.choice(STAFF_GIVEN), rng.choice(STAFF_FAMILY)
        base = f"{given}.{family}".lower().replace("'", "")
        email = f"{base}@staff.casework.test"
        while email in used:
            n += 1
            email = f"{base}{n}@staff.casework.test"
        used.add(email)
        yield given, family, email


def _colleague(name: tuple[str, str, str], team: Team, role: str, title: str) -> User:
    given, family, email = name
    user = User.objects.filter(email=email).first()
    if user is None:
        return user_create(
            actor=None,
            email=email,
            first_name=given,
            last_name=family,
            password=UNUSABLE_PASSWORD,
            team=team,
            role=role,
            job_title=title,
        )
    membership_add(actor=None, user=user, team=team, role=role)
    return user
