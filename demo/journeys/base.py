"""The kernel every journey module builds on: one child's history in a savepoint (`JourneyBase.child`), the
digest of every step (`JourneyBase.log`), times of day, working days, and the random helpers."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Contact
from cases.rules.timescales import PRE_BIRTH_DAYS
from core.dates import add_working_days, age_on, next_working_day
from core.errors import RuleError
from people.models import Person
from people.services import person_create

from .candidates import Candidate
from .placements import Placements
from .profiles import Profile
from .staff import Crew, Progress
from .vocabulary import needs_at

LONDON = ZoneInfo("Europe/London")


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in weighted], [w for _, w in weighted])[0]


def between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


@dataclass
class Kid:
    cand: Candidate
    person: Person
    rng: random.Random
    crew: Crew
    worker: User | None = None  # allocated now
    allocated_on: date | None = None
    assessor: User | None = None  # who does the work when the child is not allocated

    @property
    def born(self) -> date:
        return self.cand.dob or self.cand.edd or date.min

    @property
    def actor(self) -> User:
        return self.worker or self.assessor or self.crew.workers[0]


class JourneyBase:
    """The state shared by every journey: the day, the crews, the seed, the digest and the counts of steps."""

    def __init__(self, *, today: date, crews: list[Crew], seed: int, profile: Profile, progress: Progress) -> None:
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.crews = crews
        self.seed = seed
        self.profile = profile
        self.say = progress
        self.calls: Counter[str] = Counter()
        self.digest = hashlib.sha256()
        self.refused: list[str] = []
        self.placements = Placements(random.Random(f"{seed}:placements"))
        self.la_code = str(getattr(settings, "CASEWORK_LA_CODE", "999"))
        if not (len(self.la_code) == 3 and self.la_code.isdigit()):
            self.la_code = "855"
        self.follow_authors = False  # allocate children with case notes to the worker who wrote them (demo)

    def log(self, k: Kid, step: str, day: date, extra: str = "") -> None:
        self.calls[step] += 1
        self.digest.update(f"{k.cand.key}|{step}|{day}|{extra}\n".encode())

    def at(self, rng: random.Random, day: date, lo: int = 8, hi: int = 18) -> datetime:
        when = datetime(
            day.year,
            day.month,
            day.day,
            rng.randint(lo, hi - 1),
            rng.choice((0, 10, 15, 20, 30, 40, 45, 50)),
            tzinfo=LONDON,
        )
        return min(when, timezone.now() - timedelta(minutes=5))

    def child(self, cand: Candidate, crew: Crew, tag: str, fn: Callable[[Kid], None]) -> bool:
        """One child's whole history in a savepoint: a refused step undoes that child only (and their record, when
        the child was new to the index)."""
        rng = random.Random(f"{self.seed}:{tag}:{cand.key}")
        k: Kid | None = None
        try:
            with transaction.atomic():
                if cand.new is not None:
                    person = person_create(actor=crew.recorders[0], **cand.new)
                    self.calls["person created"] += 1
                else:
                    person = Person.objects.get(pk=cand.id)
                k = Kid(cand, person, rng, crew)
                k.assessor = rng.choice(crew.workers)
                if self.follow_authors and cand.story is not None:
                    # The worker who wrote the child's case notes did the work the notes describe.
                    k.assessor = next((w for w in crew.workers if w.pk == cand.story.author_id), k.assessor)
                fn(k)
        except RuleError as e:
            self.calls["refused"] += 1
            if len(self.refused) < 20:
                self.refused.append(f"{cand.key} ({fn.__name__}): {e.errors or e}")
            return False
        return True

    @staticmethod
    def need(k: Kid, on: date) -> str:
        """A primary need (CIN census) that fits the child's age on `on`: no disability before birth, no socially
        unacceptable behaviour under the age of criminal responsibility."""
        age = age_on(k.cand.dob, on) if k.cand.dob is not None and on >= k.cand.dob else None
        return pick(k.rng, needs_at(age))

    @staticmethod
    def pre_birth_limit(k: Kid) -> date:
        """The earliest a referral can be about a child: 40 weeks before their (expected) birth, with a margin."""
        return k.born - timedelta(days=PRE_BIRTH_DAYS - 10)

    def working_day(self, day: date, *, floor: date) -> date:
        """`day`, or the nearest working day to it not before `floor` nor after yesterday (conferences are held on
        working days)."""
        later = next_working_day(day)
        if later <= self.yesterday:
            return later
        earlier = add_working_days(day, -1)
        return earlier if earlier >= floor else day

    @staticmethod
    def decided(rng: random.Random, contact: Contact) -> datetime:
        """The duty manager decides within hours of the contact (never later than now)."""
        return min(contact.received_at + timedelta(minutes=rng.randint(20, 240)), timezone.now())
