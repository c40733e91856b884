"""Children's social care histories for the generated authority, made only through the real services.

`generate_journeys` picks children from the people already loaded (`load_candidates`) and walks each one through
cases.services, cases.services_looked_after and recording.services exactly as users would: contacts and the duty
manager's decision, referrals (and now and then a transfer in from another authority), allocation, assessments
submitted and authorised, strategy discussions, section 47 enquiries, conferences, child protection and child in need
plans, periods of care with their moves and changes of legal status, reviews, statutory visits, missing episodes,
adoption, previous permanence, health outcomes, care leavers' contacts, and closure. Unaccompanied asylum-seeking
children, who have no family on the index, are new records made through people.services.person_create. Nothing here
writes a journey record itself: every step passes the same rules a user meets, and the services write the chronology
entries, tasks and audit events. A refused step is a bug in this generator: it is counted and reported, and that
child's history rolled back, never worked around.

What the authority holds at the end (volumes.md, "large"; the demo's few thousand people get the same kinds):
- open children-in-need episodes (being assessed, in a section 47 enquiry, on child in need plans, child protection
  plans or looked after), each child allocated to a social worker of the episode's team, 15 to 25 children each;
- care leavers (looked after until 18, their episode closed, still allocated), with contacts around birthdays;
- closed histories over several years: referrals closed after assessment or before it, ended plans, ended periods
  of care (home, special guardianship, adoption), re-referrals within 12 months (about a fifth of referrals);
- contacts decided without a referral, and some waiting for the duty manager's decision.
Children whose case notes (written by demo.generator) tell a story get the journey the notes describe, on the
notes' dates; in the demo, by the worker who wrote them.

Dates are backdated from `today`; services refuse future dates, so everything happens up to yesterday. Overdue tasks
arise naturally when the last visit or review was long ago. Randomness comes from the caller's random.Random only:
the same seed, day and people give the same journeys (database ids aside): see JourneyResult.digest.

Speed: a service call costs 5 to 20 ms (most of it the database: each writes its rows, a chronology entry, tasks,
an audit event and history rows). Children are processed 10 to a transaction: every audit event updates the audit
chain's head row, and many updates of one row inside one long transaction (each service call a savepoint) slow
each other down, so short batches are faster than long ones; commits do not wait for the disk (a seed that crashes
is started again).

Contact decisions are made within hours of the contact; child in need plans are reviewed about every three months,
children on child protection plans are visited (the visits complete the plan's visit tasks), and looked-after children
have their initial and review health assessments, each now and then late, so dashboards have something to show.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Role, Team, User
from accounts.services import membership_add, team_create, user_create
from audit.context import current as audit_context
from cases import services as cs
from cases import services_looked_after as la
from cases.models import (
    Allocation,
    Assessment,
    ChildProtectionPlan,
    CINEpisode,
    Contact,
    LookedAfterEpisode,
    Task,
    TaskKind,
)
from cases.services_looked_after import AGENCY_URN, Placement
from core.dates import add_working_days, age_on, birthday, next_working_day
from core.errors import RuleError
from people.models import Person, Relationship, Sex
from people.services import person_create, person_update
from recording.models import CaseNote, VisitType
from recording.services import visit_record

from .places import county_postcodes

LONDON = ZoneInfo("Europe/London")
Progress = Callable[[str], None]

# --- how much, for each size ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """End-of-history numbers for an authority of `people` people (scaled to the people actually loaded)."""

    people: int
    in_assessment: int  # open episodes still at assessment
    in_enquiry: int  # open episodes in a strategy discussion or section 47 enquiry
    cin_plans: int  # open child in need plans
    cp_plans: int  # open child protection plans
    looked_after: int  # looked after today
    care_leavers: int  # looked after until 18, now 18 to 21
    closed_only: int  # children whose every episode is closed
    contacts_only: int  # children with contacts that never became referrals
    awaiting_contacts: int  # contacts waiting for the duty manager
    earlier_episode_rate: float  # open children with an earlier, closed episode
    caseload: int  # children per social worker to aim for
    workers_per_team: int
    lac_visit_months: int | None  # statutory visits recorded for the last N months of care only (None: all)
    cp_visit_months: int  # visits to children on plans, recorded for the last N months


PROFILES: dict[str, Profile] = {
    # About 150 open cases, 20 plans, 30 looked after, 20 care leavers for 4,000 people: every demo social worker
    # has 10 to 25 children, every demo manager contacts to decide and assessments to authorise.
    "demo": Profile(
        people=4000,
        in_assessment=32,
        in_enquiry=8,
        cin_plans=60,
        cp_plans=20,
        looked_after=30,
        care_leavers=20,
        closed_only=80,
        contacts_only=30,
        awaiting_contacts=8,
        earlier_episode_rate=0.35,
        caseload=17,
        workers_per_team=16,
        lac_visit_months=4,
        cp_visit_months=2,
    ),
    # The large county of volumes.md: 12,000 open children-in-need cases (1,500 on plans, 2,500 looked after),
    # 1,500 care leavers. Contacts and closed histories are fewer than a real county's ten years (about 100,000
    # contacts and 20,000 referrals a year) so the stage runs in tens of minutes, not hours.
    "large": Profile(
        people=1_000_000,
        in_assessment=2400,
        in_enquiry=600,
        cin_plans=5000,
        cp_plans=1500,
        looked_after=2500,
        care_leavers=1500,
        closed_only=6000,
        contacts_only=6000,
        awaiting_contacts=300,
        earlier_episode_rate=0.5,
        caseload=21,
        workers_per_team=16,
        lac_visit_months=3,
        cp_visit_months=1,
    ),
}


@dataclass(frozen=True)
class Targets:
    in_assessment: int
    in_enquiry: int
    cin_plans: int
    cp_plans: int
    looked_after: int
    care_leavers: int
    closed_only: int
    contacts_only: int
    awaiting_contacts: int

    @property
    def open_cases(self) -> int:
        return self.in_assessment + self.in_enquiry + self.cin_plans + self.cp_plans + self.looked_after

    @property
    def allocated(self) -> int:
        return self.open_cases + self.care_leavers


def targets_for(size: str, people: int) -> Targets:
    """The profile's numbers scaled to `people` (at least one of each, so a small test authority has every kind)."""
    p = PROFILES[size]
    scale = people / p.people

    def n(x: int) -> int:
        return max(1, round(x * scale)) if x else 0

    return Targets(
        in_assessment=n(p.in_assessment),
        in_enquiry=n(p.in_enquiry),
        cin_plans=n(p.cin_plans),
        cp_plans=n(p.cp_plans),
        looked_after=n(p.looked_after),
        care_leavers=n(p.care_leavers),
        closed_only=n(p.closed_only),
        contacts_only=n(p.contacts_only),
        awaiting_contacts=max(2, n(p.awaiting_contacts)),
    )


# --- statutory codes and words, with rough national weights ---------------------------------------------------------

SOURCES = (
    ("6", 29),
    ("2A", 18),
    ("2B", 1),
    ("3A", 4),
    ("3B", 3),
    ("3C", 1),
    ("3D", 2),
    ("3E", 2),
    ("3F", 3),
    ("5A", 6),
    ("5B", 3),
    ("5C", 2),
    ("5D", 4),
    ("1A", 5),
    ("1B", 1),
    ("1C", 1),
    ("1D", 1),
    ("4", 2),
    ("7", 1),
    ("8", 5),
    ("9", 2),
    ("10", 1),
)
REFERRER_ORGANISATIONS = {
    "6": ("Leicestershire Police",),
    "2A": (
        "Beaumont Leys Academy",
        "Birstall Primary School",
        "Hinckley Academy",
        "Loughborough Church of England Primary School",
        "Melton Vale Sixth Form College",
        "Ashby School",
        "Market Harborough C of E Academy",
        "Coalville Castle Rock Primary",
    ),
    "2B": ("Education welfare service", "Special educational needs team"),
    "3A": (
        "Charnwood Medical Group",
        "Hinckley Road Surgery",
        "Castle Mead Medical Centre",
        "Market Harborough Medical Centre",
    ),
    "3B": ("Health visiting team",),
    "3C": ("School nursing team",),
    "3D": ("Community midwifery team", "Community paediatrics"),
    "3E": ("Leicester Royal Infirmary emergency department",),
    "3F": ("Child and adolescent mental health service", "Adult mental health team"),
    "4": ("District council housing options team",),
    "5A": ("Children's social care (another team)", "Out-of-hours emergency duty team"),
    "5B": ("Youth justice service", "Early help hub"),
    "5C": ("Another local authority's children's services",),
    "5D": ("Early help team",),
    "7": ("Children and Family Court Advisory and Support Service (Cafcass)", "Probation service"),
    "8": ("Voluntary sector family support", "Women's Aid"),
}
REFERRER_PEOPLE = {"1A": "A relative", "1B": "A neighbour", "1C": "The young person", "1D": "A family friend"}

NEEDS = (("N1", 55), ("N2", 9), ("N3", 3), ("N4", 8), ("N5", 14), ("N6", 3), ("N7", 1), ("N8", 4), ("N9", 3))
CONCERNS = {
    "N1": (
        "Bruising to the child's upper arm noticed at school; the explanation given did not fit the injury.",
        "Police attended a domestic incident at the home overnight; the child was in the house.",
        "Home conditions are very poor and the child often arrives at school hungry and in unwashed clothes.",
        "The child told a teacher that a parent hits them when angry.",
        "A parent was found under the influence of drugs while caring for the child.",
        "Repeated missed health appointments and concerns about the child's weight.",
        "Concerns about sexual exploitation: the child is seen getting into cars with older men.",
    ),
    "N2": (
        "The family are struggling to meet the child's needs arising from a severe disability.",
        "Request for an assessment of short breaks and support for a disabled child.",
    ),
    "N3": ("A parent's mental health has deteriorated and they are struggling to care for the children.",),
    "N4": (
        "The family are facing eviction and are living in one room at a relative's house.",
        "A parent has died suddenly and the surviving parent is not coping.",
    ),
    "N5": (
        "Ongoing conflict between the parents, with the child caught in the middle.",
        "A parent is drinking heavily and arguments at home are frequent.",
    ),
    "N6": (
        "The child has been arrested for criminal damage and is out late most nights.",
        "The child's behaviour at home is out of control and a parent says they can no longer cope.",
    ),
    "N7": ("The family have no money for food or heating and have asked for help.",),
    "N8": (
        "The child has been left at home alone for several days.",
        "The parent is in custody and the child is staying with a friend of the family.",
    ),
    "N9": ("Notification of a private fostering arrangement.", "Request for a report for court proceedings."),
}
FACTORS = {
    "N1": (
        ("16A", 30),
        ("17A", 20),
        ("3A", 25),
        ("3B", 25),
        ("18B", 8),
        ("19B", 3),
        ("2B", 12),
        ("1B", 10),
        ("4B", 20),
        ("11A", 3),
    ),
    "N2": (("6A", 60), ("5A", 30), ("7A", 5)),
    "N3": (("4B", 60), ("6B", 30), ("5B", 10)),
    "N4": (("4B", 20), ("20", 40), ("3B", 20)),
    "N5": (("3B", 40), ("4B", 30), ("1B", 20), ("2B", 15)),
    "N6": (("14A", 50), ("24A", 20), ("13A", 10), ("2A", 15), ("10A", 10)),
    "N7": (("20", 60), ("4B", 20)),
    "N8": (("16A", 40), ("20", 30), ("8B", 5)),
    "N9": (("20", 50), ("8E", 20), ("21", 30)),
}
ABUSE = (("NEG", 48), ("EMO", 38), ("PHY", 7), ("SAB", 4), ("MUL", 3))
AGENCIES = (
    "Police, health visitor, school",
    "Police, school, GP",
    "Police, health, education",
    "Police, community paediatrician, school",
    "Police and health",
)
CIN_REVIEW_SUMMARIES = (
    "Plan reviewed with the family and school: progress on routines and attendance; actions carried forward.",
    "Review meeting held at home. Parents engaging; support from the family support worker continues.",
    "Plan reviewed with health visitor and nursery. Some improvement; outstanding actions reassigned.",
    "Review held at school. Attendance improving; young person's views recorded and plan updated.",
)
HEALTH_ASSESSORS = (
    "Looked-after children's nurse",
    "Community paediatrician",
    "Designated doctor for looked-after children",
    "Specialist nurse, looked-after children's health team",
)
PARTICIPATION = (("PN1", 55), ("PN2", 10), ("PN3", 3), ("PN4", 5), ("PN5", 7), ("PN6", 12), ("PN7", 8))
CHANGE_REASONS = (
    ("LEFTRL", 30),
    ("TSPROC", 25),
    ("MANAGE", 15),
    ("ABSENC", 10),
    ("ORGRST", 5),
    ("CHCHAN", 10),
    ("OTHERS", 5),
)
PLACE_CHANGE = (
    ("CARPL", 30),
    ("CREQB", 20),
    ("CHILD", 10),
    ("CREQO", 12),
    ("STAND", 6),
    ("ALLEG", 4),
    ("LAREQ", 6),
    ("CLOSE", 4),
    ("OTHER", 8),
)
CL_ACTIVITY = (("F2", 25), ("F1", 8), ("F4", 8), ("F5", 12), ("P5", 8), ("G5", 25), ("G4", 6), ("G6", 8))
CL_ACCOMMODATION = (
    ("D1", 25),
    ("U1", 20),
    ("B1", 12),
    ("E1", 8),
    ("Z1", 10),
    ("T1", 6),
    ("K1", 5),
    ("C1", 4),
    ("V2", 3),
    ("S2", 3),
    ("X2", 2),
    ("W2", 2),
)
# Neighbouring and other authorities children move here from (3-digit codes), for transfers in.
OTHER_AUTHORITIES = ("856", "857", "855", "892", "891", "860", "937", "931", "935", "383", "380", "873")
# Unaccompanied asylum-seeking children: (names from, ethnicity, languages).
UASC_ORIGINS = (
    ("pakistani", "AOTH", ("Pashto", "Dari", "Pashto")),
    ("somali", "BAFR", ("Tigrinya", "Arabic", "Somali")),
    ("turkish", "OOTH", ("Kurdish", "Arabic", "Kurdish")),
    ("pakistani", "OOTH", ("Arabic", "Farsi")),
)
PLAN_END_REASONS = (
    "Risks reduced: step down to a child in need plan",
    "Risks reduced: step down to a child in need plan",
    "Risks reduced: plan no longer needed",
    "Family moved to another local authority",
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in weighted], [w for _, w in weighted])[0]


def _between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _no_leap_day(d: date) -> date:
    # referral_create compares with last.referral_date.replace(year + 1), which fails for 29 February.
    return d + timedelta(days=1) if (d.month, d.day) == (2, 29) else d


# --- who the children are ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Story:
    """What the case notes already on a child's record say happened (demo.generator wrote them)."""

    contact_on: date
    level: str  # assessment, cin, cp, lac, long
    outcome_on: date
    strategy_on: date | None
    closed_on: date | None
    author_id: int | None  # the social worker who wrote the notes


@dataclass(slots=True)
class Candidate:
    id: int
    given: str
    family: str
    dob: date | None
    edd: date | None
    postcode: str
    story: Story | None = None
    new: dict[str, Any] | None = None  # someone not yet on the index, created through people.services

    @property
    def key(self) -> str:
        return f"{self.given}|{self.family}|{self.dob or self.edd}"


_OUTCOME_LEVELS = (
    ("child in need plan under section 17", "cin"),
    ("subject to a child protection plan", "cp"),
    ("looked after under section 20", "lac"),
    ("care proceedings were issued", "long"),
    ("No further action by children's social care", "assessment"),
)


def load_candidates(today: date) -> list[Candidate]:
    """Children (and unborn babies) and young adults under 25 from the person index, oldest record first, with what
    their case notes already say. Restricted records, the dead, and children with no family on the index (most
    likely a second record of someone) are left out."""
    family = Relationship.objects.filter(person=OuterRef("pk"))
    rows = (
        Person.objects.filter(is_restricted=False, date_of_death__isnull=True)
        .filter(
            Q(date_of_birth__gt=today - relativedelta(years=25))
            | Q(date_of_birth__isnull=True, expected_date_of_birth__isnull=False)
        )
        .annotate(has_family=Exists(family))
        .order_by("id")
        .values_list(
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_date_of_birth",
            "current_postcode",
            "has_family",
        )
    )
    out = []
    for pid, given, fam, dob, edd, postcode, has_family in rows.iterator(chunk_size=20000):
        adult = dob is not None and age_on(dob, today) >= 18
        if not adult and not has_family:
            continue
        out.append(Candidate(pid, given, fam, dob, edd, postcode))
    stories = _stories({c.id for c in out if c.dob is None or age_on(c.dob, today) < 18})
    for c in out:
        c.story = stories.get(c.id)
    return out


def _stories(ids: set[int]) -> dict[int, Story]:
    """The contact, strategy, outcome and closure notes of the families demo.generator gave case histories."""
    if not ids:
        return {}
    seen: dict[int, dict[str, Any]] = {}
    notes = (
        CaseNote.objects.filter(
            Q(subject__startswith="Contact from ")
            | Q(subject__in=["Strategy discussion", "Assessment outcome", "Case closure summary"])
        )
        .order_by("occurred_at", "id")
        .values_list("person_id", "subject", "occurred_at", "body", "created_by_id")
    )
    for pid, subject, when, body, author in notes.iterator(chunk_size=20000):
        if pid not in ids:
            continue
        s = seen.setdefault(pid, {})
        day = timezone.localtime(when).date()
        if subject.startswith("Contact from "):
            s.setdefault("contact", day)
        elif subject == "Strategy discussion":
            s.setdefault("strategy", day)
        elif subject == "Assessment outcome":
            s.setdefault("outcome", day)
            s["author"] = author
            s["level"] = next((lv for words, lv in _OUTCOME_LEVELS if words in body), "assessment")
        else:
            s.setdefault("closed", day)
    out = {}
    for pid, s in seen.items():
        if "contact" in s and "outcome" in s:
            out[pid] = Story(s["contact"], s["level"], s["outcome"], s.get("strategy"), s.get("closed"), s["author"])
    return out


# --- who does the work -------------------------------------------------------------------------------------------

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
    """A team with its manager, social workers and whoever records contacts at its front door."""

    team: Team
    manager: User
    workers: list[User]
    recorders: list[User]
    load: Counter[int] = field(default_factory=Counter)  # worker pk -> children allocated at the end
    planned: int = 0  # children given to the team that will be allocated
    others: int = 0  # children given to the team that will not (closed histories, contacts)

    def least_loaded(self) -> User:
        return min(self.workers, key=lambda w: (self.load[w.pk], w.pk))


def ensure_staff(size: str, allocated: int, rng: random.Random, progress: Progress | None = None) -> list[Crew]:
    """The demo teams (demo.users) and, when the caseloads need them, more social workers and teams, made through
    accounts.services. Demo: the two demo teams grow to share the children; large: about 16 workers a team."""
    from demo.users import DEMO_USERS, TEAMS, ensure_demo_users

    emails = [u[0] for u in DEMO_USERS]
    if User.objects.filter(email__in=emails).count() < len(emails):
        ensure_demo_users()
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    n_teams, per_team = staff_plan(size, allocated)
    crews: list[Crew] = []
    names = _staff_names(rng)
    made = 0
    for i in range(n_teams):
        if i < len(TEAMS):
            team = Team.objects.get(name=TEAMS[i])
            manager = next(users[e] for e, _, _, r, t, _ in DEMO_USERS if r == Role.TEAM_MANAGER and t == i)
            workers = [users[e] for e, _, _, r, t, _ in DEMO_USERS if r == Role.SOCIAL_WORKER and t == i]
            recorders = [users[e] for e, _, _, r, t, _ in DEMO_USERS if r == Role.BUSINESS_SUPPORT and t == i]
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
        crews.append(Crew(team, manager, workers, recorders or workers[:2]))
    if progress:
        progress(
            f"  staff: {n_teams} teams, {sum(len(c.workers) for c in crews)} social workers ({made} accounts made)"
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


# --- placements ------------------------------------------------------------------------------------------------------


class Placements:
    """Foster carers, children's homes and supported accommodation in the county: real postcodes, Ofsted URNs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.postcodes = [p.postcode for p in county_postcodes()]
        self.fostering_urns = {"PR1": "SC063312", "PR4": "SC366902", "PR5": "SC049271"}
        self.homes = [self._registered("K2", rng.choice(("PR1", "PR4", "PR4", "PR5"))) for _ in range(40)]
        self.supported = [self._registered("K3", rng.choice(("PR4", "PR5"))) for _ in range(20)]
        self.residential = [self._registered("R1", "PR4") for _ in range(6)]

    def _registered(self, kind: str, provider: str) -> Placement:
        urn = f"SC{self.rng.randrange(100000, 999999)}" if kind != "K3" else f"2{self.rng.randrange(100000, 999999)}"
        return Placement(kind, provider, self.rng.choice(self.postcodes), urn)

    def postcode(self, rng: random.Random, not_: str = "") -> str:
        while True:
            pc = rng.choice(self.postcodes)
            if pc != not_:
                return pc

    def foster(self, rng: random.Random, kind: str, home: str) -> Placement:
        provider = "PR1" if kind in ("U1", "U2", "U3") or rng.random() < 0.6 else rng.choice(("PR4", "PR5"))
        return Placement(kind, provider, self.postcode(rng, home), self.fostering_urns[provider])

    def home(self, rng: random.Random, home: str) -> Placement:
        p = rng.choice(self.homes)
        return p if p.postcode != home else self.homes[0]

    def supported_accommodation(self, rng: random.Random, home: str) -> Placement:
        p = rng.choice(self.supported)
        return p if p.postcode != home else self.supported[0]


# --- the journeys ----------------------------------------------------------------------------------------------------


@dataclass
class JourneyResult:
    counts: dict[str, int]
    digest: str
    seconds: float
    refused: list[str]
    calls: int
    steps: dict[str, int] = field(default_factory=dict)  # service calls by step


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


class Journeys:
    """Walks children through the services. One method per kind of history; each calls services in date order."""

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
        self.visit_hook: bool | None = None  # does recording.services.visit_record record statutory visits itself?
        self.follow_authors = False  # allocate children with case notes to the worker who wrote them (demo)

    # -- bookkeeping -------------------------------------------------------------------------------------------

    def _log(self, k: Kid, step: str, day: date, extra: str = "") -> None:
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

    # -- the front door --------------------------------------------------------------------------------------

    def contact(self, k: Kid, on: date, need: str, decision: str | None, reason: str = "") -> Contact:
        rng = k.rng
        source = _pick(rng, SOURCES)
        orgs = REFERRER_ORGANISATIONS.get(source)
        recorder = rng.choice(k.crew.recorders)
        # Contacts that become referrals are received in the morning: the referral is dated at noon that day.
        c = cs.contact_record(
            actor=recorder,
            person=k.person,
            received_at=self.at(rng, on, 7 if source == "6" else 8, 12 if decision is None else 18),
            source=source,
            concern=rng.choice(CONCERNS.get(need, CONCERNS["N1"])),
            referrer_name=REFERRER_PEOPLE.get(source, ""),
            referrer_organisation=rng.choice(orgs) if orgs else "",
        )
        self._log(k, "contact", on, source)
        if decision is not None:
            cs.contact_decide(
                actor=k.crew.manager,
                contact=c,
                decision=decision,
                reason=reason
                or (
                    "Below the threshold for children's social care: advice given to the referrer."
                    if decision == "nfa"
                    else "Family agree to support from early help."
                ),
                decided_at=self.decided(rng, c),
            )
            self._log(k, "contact decision", on, decision)
        return c

    @staticmethod
    def pre_birth_limit(k: Kid) -> date:
        """The earliest a referral can be about a child: 40 weeks before their (expected) birth, with a margin."""
        return k.born - timedelta(days=cs.PRE_BIRTH_DAYS - 10)

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

    def refer(self, k: Kid, on: date, need: str, why: str = "", *, earlier_contact: bool = True) -> CINEpisode:
        """A contact the duty manager accepts as a referral: opens the episode on the contact's date."""
        on = _no_leap_day(on)
        if earlier_contact and k.rng.random() < 0.12 and (on - k.born).days > 200:
            # An earlier contact about the same worry, decided without a referral.
            self.contact(k, _no_leap_day(on - timedelta(days=k.rng.randint(20, 150))), need, "nfa")
        c = self.contact(k, on, need, None)
        episode = cs.contact_decide(
            actor=k.crew.manager,
            contact=c,
            decision="referral",
            reason=why or "Threshold for children's social care met: child and family assessment needed.",
            team=k.crew.team,
            primary_need=need,
            decided_at=self.decided(k.rng, c),
        )
        assert episode is not None
        self._log(k, "referral", on, need)
        return episode

    def refer_or_transfer(self, k: Kid, on: date, need: str) -> CINEpisode:
        """Most referrals come through the front door; now and then a child known elsewhere moves here."""
        if k.rng.random() >= 0.05:
            return self.refer(k, on, need)
        on = _no_leap_day(on)
        ep = cs.transfer_in(
            actor=k.crew.manager,
            person=k.person,
            notified_on=on,
            from_la_code=k.rng.choice([c for c in OTHER_AUTHORITIES if c != self.la_code]),
            team=k.crew.team,
            primary_need=need,
            on_child_protection_plan=False,
        )
        self._log(k, "transfer in", on)
        return ep

    def allocate(self, k: Kid, on: date, worker: User, reason: str, change: str = "") -> None:
        if k.worker is not None and (k.worker.pk == worker.pk or (k.allocated_on and on <= k.allocated_on)):
            return
        cs.allocate(
            actor=k.crew.manager,
            person=k.person,
            worker=worker,
            started_on=on,
            reason=reason,
            change_reason=change if k.worker is not None else "",
        )
        k.worker, k.allocated_on = worker, on
        self._log(k, "allocation", on, worker.email)

    def allocate_for_good(self, k: Kid, first_on: date, span_end: date) -> None:
        """Allocate the child to the worker who holds them at the end, sometimes after an earlier worker left or the
        case moved between workers."""
        final = k.crew.least_loaded()
        k.crew.load[final.pk] += 1
        others = [w for w in k.crew.workers if w.pk != final.pk]
        if others and (span_end - first_on).days > 120 and k.rng.random() < 0.3:
            self.allocate(k, first_on, k.rng.choice(others), "Allocated for the child and family assessment")
            moved = _between(k.rng, first_on + timedelta(days=45), span_end - timedelta(days=10))
            self.allocate(k, moved, final, "Reallocated within the team", _pick(k.rng, CHANGE_REASONS))
        else:
            self.allocate(k, first_on, final, "Allocated for the child and family assessment")

    def assess(
        self,
        k: Kid,
        episode: CINEpisode,
        start: date,
        outcome: str,
        need: str,
        *,
        submit: date | None,
        authorise: date | None,
        record: bool = True,
        factors: list[str] | None = None,
    ) -> Assessment:
        rng = k.rng
        a = cs.assessment_start(actor=k.actor, episode=episode, started_on=start)
        self._log(k, "assessment started", start)
        if record:
            if factors is None:
                factors = sorted(
                    {_pick(rng, FACTORS.get(need, FACTORS["N1"])) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))}
                )
                if "21" in factors:
                    factors = ["21"]
            cs.assessment_record(
                actor=k.actor,
                assessment=a,
                factors=factors,
                summary=_SUMMARIES[outcome],
                outcome=outcome,
            )
            self._log(k, "assessment recorded", start, ",".join(factors) + outcome)
        if submit is not None:
            cs.assessment_submit(actor=k.actor, assessment=a, submitted_on=submit)
            self._log(k, "assessment submitted", submit)
        if authorise is not None:
            cs.assessment_authorise(actor=k.crew.manager, assessment=a, authorised_on=authorise)
            self._log(k, "assessment authorised", authorise)
        return a

    def timely_assessment(self, k: Kid, referral: date) -> tuple[date, date, date]:
        """Start, submission and authorisation dates: most within 45 working days of the referral, some late."""
        rng = k.rng
        start = referral + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5)))
        days = rng.randint(10, 40) if rng.random() < 0.85 else rng.randint(44, 70)
        submit = min(max(start, add_working_days(referral, days)), self.yesterday)
        authorise = min(add_working_days(submit, rng.choice((0, 1, 1, 2, 3, 5))), self.yesterday)
        return min(start, submit), submit, authorise

    def close(self, k: Kid, episode: CINEpisode, on: date, reason: str) -> None:
        cs.episode_close(actor=k.crew.manager, episode=episode, closure_date=on, reason=reason)
        if k.worker is not None and not Allocation.objects.filter(person=k.person, ended_on__isnull=True).exists():
            k.worker = None  # the closure ended the allocation (a care leaver keeps theirs)
        self._log(k, "closure", on, reason)

    # -- kinds of episode ------------------------------------------------------------------------------------

    def episode_nfa(self, k: Kid, referral: date, latest: date | None = None) -> date:
        """Referral, assessment, no further action (or early help), closure by `latest`. Returns the closure date."""
        need = _pick(k.rng, NEEDS)
        ep = self.refer(k, referral, need)
        start, submit, authorise = self.timely_assessment(k, referral)
        if latest is not None:
            submit, authorise = min(submit, latest), min(authorise, latest)
            start = min(start, submit)
        outcome = "nfa" if k.rng.random() < 0.6 else "early_help"
        self.assess(k, ep, start, outcome, need, submit=submit, authorise=authorise)
        closed = min(authorise + timedelta(days=k.rng.randint(0, 7)), latest or self.yesterday, self.yesterday)
        self.close(k, ep, closed, "RC8" if outcome == "nfa" else "RC9")
        return closed

    def referral_closed(self, k: Kid, referral: date) -> date:
        """A referral closed with no further action before any assessment (CIN census ReferralNFA)."""
        need = _pick(k.rng, NEEDS)
        ep = self.refer(k, referral, need, "Accepted as a referral for checks with partner agencies.")
        closed = min(referral + timedelta(days=k.rng.randint(1, 10)), self.yesterday)
        self.close(k, ep, closed, "RC8")
        return closed

    def episode_cin(self, k: Kid, referral: date, end: date | None, *, allocate: bool = False) -> date | None:
        """Referral, assessment, child in need plan; ended and closed at `end`, or still open."""
        rng = k.rng
        need = _pick(rng, NEEDS)
        ep = self.refer_or_transfer(k, referral, need) if allocate else self.refer(k, referral, need)
        if allocate:
            self.allocate_for_good(k, referral + timedelta(days=rng.randint(0, 3)), end or self.yesterday)
        start, submit, authorise = self.timely_assessment(k, referral)
        self.assess(k, ep, start, "cin_plan", need, submit=submit, authorise=authorise)
        plan_on = min(authorise + timedelta(days=rng.randint(0, 10)), self.yesterday)
        if end is None:
            self.cin_plan(k, ep, plan_on, None)
            return None
        end = min(max(end, plan_on + timedelta(days=30)), self.yesterday)
        self.cin_plan(k, ep, plan_on, end)
        self.close(k, ep, end, "RC7" if rng.random() < 0.92 else "RC5")
        return end

    def protection(
        self,
        k: Kid,
        referral: date,
        *,
        end: date | None,
        close: bool = True,
        allocate: bool = False,
        end_reason: str = "",
    ) -> tuple[CINEpisode, ChildProtectionPlan, date | None]:
        """Referral, strategy discussion, section 47 enquiry, initial conference, a plan with its core groups, reviews
        and visits; the plan ends at a review conference on `end` (or is still open). With `close`, a plan that ends
        steps down to a child in need plan or not, and the case closes; otherwise the caller carries on. Returns the
        episode, the plan and the day the plan (or, when closed, the case) ended."""
        rng = k.rng
        need = "N1"
        ep = self.refer(k, referral, need, "Significant harm suspected: strategy discussion today.")
        last_day = end or self.yesterday
        if allocate:
            self.allocate_for_good(k, referral, last_day)
        strategy = referral + timedelta(days=rng.choice((0, 0, 1, 1, 2)))
        cs.strategy_discussion_record(
            actor=k.actor,
            episode=ep,
            held_on=strategy,
            agencies=rng.choice(AGENCIES),
            start_section_47=True,
            notes="Agreed: joint section 47 enquiries; the child to be seen today.",
        )
        self._log(k, "strategy discussion", strategy)
        enquiry = ep.section47_enquiries.get()
        s47_done = add_working_days(strategy, rng.randint(5, 11))
        cs.section47_complete(actor=k.actor, enquiry=enquiry, completed_on=s47_done, outcome="icpc")
        self._log(k, "section 47", s47_done)
        icpc = add_working_days(strategy, rng.randint(12, 15) if rng.random() < 0.85 else rng.randint(16, 24))
        icpc = self.working_day(max(icpc, s47_done), floor=s47_done)
        category = _pick(rng, ABUSE)
        cs.initial_conference_record(actor=k.actor, enquiry=enquiry, held_on=icpc, plan_needed=True, category=category)
        self._log(k, "initial conference", icpc, category)
        plan = ChildProtectionPlan.objects.get(initial_conference__enquiry=enquiry)
        start, submit, authorise = self.timely_assessment(k, referral)
        self.assess(k, ep, start, "strategy", need, submit=submit, authorise=authorise)
        # Core groups: the first within 10 working days, then about every six weeks (the later ones recorded for the
        # last months of the plan only, like visits).
        recent = last_day - relativedelta(months=self.profile.cp_visit_months + 1)
        day = add_working_days(icpc, rng.randint(6, 10) if rng.random() < 0.9 else rng.randint(11, 16))
        first = True
        while day < last_day:
            if first or (end is None and day >= recent):
                cs.core_group_record(actor=k.actor, plan=plan, held_on=day, notes="Core group: plan reviewed.")
                self._log(k, "core group", day)
                first = False
            day += timedelta(days=rng.randint(35, 49))
        # Visits, recorded for the last months of a plan that is still open.
        if k.cand.dob is not None and end is None:
            visit = max(
                icpc + timedelta(days=rng.randint(1, 5)),
                last_day - relativedelta(months=self.profile.cp_visit_months),
            )
            while visit < last_day:
                if visit >= k.born:
                    self.visit(k, visit, VisitType.HOME, lac=False)
                visit = add_working_days(visit, rng.randint(7, 10) if rng.random() < 0.85 else rng.randint(11, 16))
        # Review conferences: the first within 3 months, then within 6 months.
        review = icpc + relativedelta(months=3) - timedelta(days=rng.randint(0, 14))
        last = icpc
        while review < last_day:
            if end is None and review > self.today - timedelta(days=10) and rng.random() < 0.5:
                break  # due in the last few days and not yet held: shows as overdue
            cs.review_conference_record(actor=k.actor, plan=plan, held_on=review, plan_continues=True)
            self._log(k, "review conference", review)
            last = review
            review = review + relativedelta(months=6) - timedelta(days=rng.randint(0, 21))
        ended = None
        if end is not None:
            ended = min(max(end, last + timedelta(days=1)), self.yesterday)
            reason = end_reason or rng.choice(PLAN_END_REASONS)
            cs.review_conference_record(
                actor=k.actor, plan=plan, held_on=ended, plan_continues=False, end_reason=reason
            )
            self._log(k, "plan ended", ended)
            if close:
                if "step down" in reason:
                    ended = self.step_down(k, ep, ended, end=True) or ended
                self.close(k, ep, ended, "RC5" if "another local authority" in reason else "RC7")
        return ep, plan, ended

    def step_down(self, k: Kid, ep: CINEpisode, plan_ended: date, *, end: bool) -> date | None:
        """After a child protection plan: a fresh assessment and a child in need plan (ended some months later)."""
        rng = k.rng
        a_start = min(plan_ended + timedelta(days=rng.randint(0, 3)), self.yesterday)
        a_sub = min(add_working_days(a_start, rng.randint(3, 12)), self.yesterday)
        a_auth = min(add_working_days(a_sub, rng.randint(0, 2)), self.yesterday)
        self.assess(k, ep, a_start, "cin_plan", "N1", submit=a_sub, authorise=a_auth)
        if not end:
            self.cin_plan(k, ep, a_auth, None)
            return None
        ended = min(a_auth + timedelta(days=rng.randint(90, 200)), self.yesterday)
        self.cin_plan(k, ep, a_auth, ended)
        return ended

    def cin_plan(self, k: Kid, ep: CINEpisode, started: date, end: date | None) -> None:
        """A child in need plan from `started`, reviewed about every 3 months (a review now and then late), ended at
        `end` or still going."""
        rng = k.rng
        plan = cs.cin_plan_start(actor=k.actor, episode=ep, started_on=started)
        self._log(k, "cin plan", started)
        last_day = min(end or self.yesterday, self.yesterday)
        review = started + relativedelta(months=3) + timedelta(days=rng.randint(-21, 3 if rng.random() < 0.85 else 40))
        while review < last_day:
            cs.cin_plan_review_record(
                actor=k.actor, plan=plan, held_on=review, summary=rng.choice(CIN_REVIEW_SUMMARIES)
            )
            self._log(k, "cin plan review", review)
            review += relativedelta(months=3) + timedelta(days=rng.randint(-21, 3 if rng.random() < 0.85 else 40))
        if end is not None:
            cs.cin_plan_end(actor=k.actor, plan=plan, ended_on=end)
            self._log(k, "cin plan ended", end)

    # -- visits ----------------------------------------------------------------------------------------------------

    def visit(self, k: Kid, day: date, kind: str, *, lac: bool) -> None:
        rng = k.rng
        if (k.born.month, k.born.day) == (2, 29):
            # recording.services._check_when computes born.replace(year=born.year - 1), which raises ValueError for
            # a 29 February birthday: no visit can be recorded for these children until that is fixed.
            self.calls["visits skipped (29 February birthday)"] += 1
            return
        seen = rng.random() < 0.93
        alone = seen and age_on(k.born, day) >= 5 and rng.random() < 0.7
        visit_record(
            actor=k.actor,
            person=k.person,
            occurred_at=self.at(rng, day, 9, 18),
            visit_type=kind,
            child_seen=seen,
            seen_alone=alone if seen else False,
            notes=rng.choice(_VISIT_NOTES[kind]),
            not_seen_reason="" if seen else rng.choice(_NOT_SEEN),
        )
        self._log(k, "visit", day, kind + ("+" if seen else "-"))
        if lac and seen:
            if self.visit_hook is None:
                self.visit_hook = Task.objects.filter(
                    person=k.person, kind=TaskKind.LAC_VISIT, completed_on=day
                ).exists()
            if not self.visit_hook:
                la.statutory_visit_recorded(actor=k.actor, person=k.person, visited_on=day)

    # -- periods of care -------------------------------------------------------------------------------------

    def looked_after(
        self,
        k: Kid,
        start: date,
        *,
        end: date | None,
        end_reason: str,
        route: str,
        home: str,
    ) -> date | None:
        """A period of care from `start`: the first placement and legal status, moves, changes of legal status, reviews,
        statutory visits, missing episodes, health outcomes and, for the youngest, adoption; ended on `end` with
        `end_reason` (or still going). Returns the date it ended."""
        rng = k.rng
        born = k.born
        last_day = min(end or self.yesterday, self.yesterday)
        status, place = self._first_placement(k, start, route, home)
        if k.person.sex not in (Sex.MALE, Sex.FEMALE):
            # The worker records the child's sex before the period of care (the SSDA903 refuses "not known").
            k.person = person_update(actor=k.actor, person=k.person, sex=rng.choice((Sex.MALE, Sex.FEMALE)))
            self._log(k, "sex recorded", start)
        la.looked_after_start(
            actor=k.crew.manager,
            person=k.person,
            started_on=start,
            legal_status=status,
            category_of_need={"s20": rng.choice(("N1", "N4", "N5", "N8", "N2")), "uasc": "N8"}.get(route, "N1"),
            placement_type=place.type,
            placement_provider=place.provider,
            placement_postcode=place.postcode,
            home_postcode=home,
            urn=place.urn,
        )
        self._log(k, "looked after", start, f"{status} {place.type}")
        prev, order_date = "Z1", None
        if rng.random() < 0.08 and (start - born).days > 800:
            prev = rng.choice(("P2", "P2", "P3", "P1"))
            order_date = _between(rng, born + timedelta(days=365), start - timedelta(days=60))
        la.previous_permanence_record(
            actor=k.crew.manager,
            person=k.person,
            arrangement=prev,
            la_code=self.la_code if prev != "Z1" else "",
            order_date=order_date,
        )
        self._log(k, "previous permanence", start, prev)
        chain, changes, adoption = self._plan_care(k, start, last_day, status, place, route, home)
        events: list[tuple[date, int, str, Any]] = [(d, 0, "change", c) for d, c in changes]
        events += [(when, 1 if step == "placed" else -1, "adoption", step) for step, when in adoption.items()]
        # Reviews: the first within 20 working days, the second within 3 months, then every 6 months.
        review = add_working_days(start, rng.randint(14, 20) if rng.random() < 0.9 else rng.randint(21, 30))
        first = True
        while review < last_day:
            events.append((review, 2, "review", None))
            review = review + relativedelta(months=3 if first else 6) - timedelta(days=rng.randint(0, 20))
            first = False
        events += [(d, 3, "visit", None) for d in self._visit_days(rng, chain, start, last_day)]
        # Missing and away from placement, for children of 11 and over.
        eleven = birthday(born, 11)
        if last_day > eleven + timedelta(days=30):
            for _ in range(rng.choices((0, 1, 2, 3), (60, 20, 12, 8))[0]):
                gone = _between(rng, max(start, eleven) + timedelta(days=10), last_day - timedelta(days=6))
                if gone < last_day - timedelta(days=5) and self._placement_on(chain, gone).type != "T3":
                    events.append((gone, 4, "missing", rng.randint(0, 3)))
        # Statutory health assessments: the initial one within 20 working days (late for one child in five), then
        # reviews every 6 months under 5 and every year from 5, a few weeks either side.
        assessed = add_working_days(start, rng.randint(8, 20) if rng.random() < 0.8 else rng.randint(21, 45))
        while assessed < last_day:
            events.append((assessed, 2, "health assessment", None))
            months = 6 if age_on(born, assessed) < 5 else 12
            assessed = assessed + relativedelta(months=months) + timedelta(days=rng.randint(-20, 25))
        # Health outcomes for each year to 31 March looked after throughout.
        year = date(start.year + (1 if (start.month, start.day) > (3, 31) else 0), 3, 31)
        while year <= last_day:
            if year - relativedelta(years=1) + timedelta(days=1) >= start:
                events.append((year, 5, "health", None))
            year = date(year.year + 1, 3, 31)
        events.sort(key=lambda e: (e[0], e[1]))
        missing_until = date.min
        record = None
        for day, _, what, arg in events:
            if what == "change":
                new_status, new_place, reason, same = arg
                la.looked_after_change(
                    actor=k.actor,
                    person=k.person,
                    changed_on=day,
                    legal_status=new_status,
                    placement=new_place,
                    reason_place_change=reason,
                    same_carers=same,
                )
                self._log(k, "looked after change", day, f"{new_status} {new_place.type if new_place else ''}")
            elif what == "adoption":
                record = self._adoption_step(k, record, arg, day, chain)
            elif what == "review":
                participation = "PN0" if age_on(born, day) < 4 else _pick(rng, PARTICIPATION)
                la.lac_review_record(actor=k.actor, person=k.person, held_on=day, participation=participation)
                self._log(k, "looked after review", day, participation)
            elif what == "visit":
                if day > missing_until:
                    self.visit(k, day, VisitType.STATUTORY if rng.random() < 0.7 else VisitType.PLACEMENT, lac=True)
            elif what == "missing":
                if day <= missing_until:
                    continue
                back = day + timedelta(days=arg)
                m = la.missing_episode_record(
                    actor=k.actor, person=k.person, kind="M" if rng.random() < 0.7 else "A", started_on=day
                )
                offered = rng.random() < 0.9
                la.missing_episode_end(
                    actor=k.actor,
                    episode=m,
                    ended_on=back,
                    return_interview_offered=offered,
                    return_interview_accepted=(rng.random() < 0.6) if offered else None,
                )
                missing_until = back
                self._log(k, "missing", day, str(arg))
            elif what == "health":
                self.health(k, day)
            elif what == "health assessment":
                la.health_assessment_record(
                    actor=k.actor, person=k.person, assessed_on=day, assessed_by=rng.choice(HEALTH_ASSESSORS)
                )
                self._log(k, "health assessment", day)
        if end is None:
            return None
        reason = end_reason
        if record is not None and "placed" in adoption:
            reason = rng.choice(("E12", "E12", "E11"))
        elif record is not None:
            la.adoption_decision_reversed(
                actor=k.actor, adoption=record, ceased_on=end, reason=rng.choice(("RD1", "RD3", "RD4"))
            )
            self._log(k, "adoption reversed", end)
        if reason in ("E11", "E12") and "placed" not in adoption:
            reason = "E4A"
        if reason in ("E5", "E6") and age_on(born, end) < 16:
            reason = "E4A"
        if reason in la.STAYING_PUT:
            last = LookedAfterEpisode.objects.filter(person=k.person).order_by("-started_on", "-id").first()
            if last is None or last.placement_type not in la.FOSTER_PLACEMENTS:
                reason = "E4A"  # not with foster carers, so not staying put: home to parents
        la.looked_after_end(actor=k.crew.manager, person=k.person, ended_on=end, reason_ceased=reason)
        self._log(k, "looked after ended", end, reason)
        return end

    def _first_placement(self, k: Kid, start: date, route: str, home: str) -> tuple[str, Placement]:
        rng = k.rng
        if route == "emergency":
            status = rng.choice(("L1", "L2", "L2"))
        elif route == "adoption":
            status = "C1"
        elif route in ("s20", "uasc"):
            status = "V2"
        else:
            status = rng.choice(("C1", "C1", "V2"))
        if route == "uasc" and age_on(k.born, start) >= 16:
            return status, self.placements.supported_accommodation(rng, home)
        if age_on(k.born, start) >= 13 and rng.random() < 0.45:
            return status, self.placements.home(rng, home)
        kind = "U3" if rng.random() < 0.2 else ("U5" if route == "adoption" and rng.random() < 0.25 else "U6")
        return status, self.placements.foster(rng, kind, home)

    def _plan_care(
        self, k: Kid, start: date, last_day: date, status: str, place: Placement, route: str, home: str
    ) -> tuple[list[tuple[date, str, Placement]], list[tuple[date, tuple[Any, ...]]], dict[str, date]]:
        """The changes of legal status and placement of a period of care, in date order, each made from the state
        the child is in that day. Returns the chain of (from, legal status, placement), the changes
        (day, (legal status or None, placement or None, reason for the move, same carers)) and adoption dates."""
        rng = k.rng
        born = k.born
        plan: list[tuple[date, str, Any]] = []  # (day, kind, argument)
        day = start
        if status in ("L1", "L2"):
            day = start + timedelta(days=rng.randint(3, 8))
            plan.append((day, "status", "C1"))
            status_next = "C1"
        elif status == "V2" and route not in ("s20", "uasc") and rng.random() < 0.6:
            day = start + timedelta(days=rng.randint(30, 150))
            plan.append((day, "status", "C1"))
            status_next = "C1"
        else:
            status_next = status
        adoption: dict[str, date] = {}
        if status_next == "C1":
            order = day + timedelta(days=rng.randint(180, 300))
            if route == "adoption":
                adoption["decision"] = day + timedelta(days=rng.randint(100, 170))
                adoption["order"] = order
                plan.append((order, "status", "E1"))
                adoption["match"] = order + timedelta(days=rng.randint(40, 120))
                adoption["placed"] = adoption["match"] + timedelta(days=rng.randint(14, 40))
                plan.append((adoption["placed"], "adopt", None))
            else:
                plan.append((order, "status", "C2"))
                if rng.random() < 0.5:
                    plan.append((order + timedelta(days=rng.randint(30, 120)), "long_term", None))
        if route != "adoption":
            for _ in range(rng.choices((0, 1, 2, 3), (55, 25, 13, 7))[0]):
                plan.append((_between(rng, start + timedelta(days=20), last_day - timedelta(days=5)), "move", None))
        adoption = {step: d for step, d in adoption.items() if d < last_day}
        plan.sort(key=lambda p: p[0])
        chain: list[tuple[date, str, Placement]] = [(start, status, place)]
        changes: list[tuple[date, tuple[Any, ...]]] = []
        for day, kind, arg in plan:
            cur_from, cur_status, cur = chain[-1]
            if day >= last_day or day <= cur_from:
                if kind == "adopt":
                    adoption.pop("placed", None)
                continue
            if kind == "status":
                if arg == cur_status:
                    continue
                change: tuple[Any, ...] = (arg, None, "", False)
                new_status, new_place = arg, cur
            elif kind == "long_term":
                if cur.type not in ("U3", "U6"):
                    continue
                new_place = Placement("U1" if cur.type == "U3" else "U4", cur.provider, cur.postcode, cur.urn)
                new_status = cur_status
                change = (None, new_place, "PLACE", True)
            elif kind == "adopt":
                if cur_status != "E1":
                    adoption.pop("placed", None)
                    continue
                same = cur.type == "U5"
                new_place = Placement(
                    "A5" if same else "A6",
                    cur.provider if same else "PR1",
                    cur.postcode if same else self.placements.postcode(rng, home),
                    AGENCY_URN,
                )
                new_status = cur_status
                change = (None, new_place, "CARPL", same)
            else:
                a = age_on(born, day)
                if a >= 16 and rng.random() < 0.5:
                    new_place = self.placements.supported_accommodation(rng, home)
                elif a >= 12 and rng.random() < 0.4:
                    new_place = self.placements.home(rng, home)
                else:
                    new_place = self.placements.foster(rng, "U6", home)
                if new_place == cur:
                    continue
                new_status = cur_status
                change = (None, new_place, _pick(rng, PLACE_CHANGE), False)
            chain.append((day, new_status, new_place))
            changes.append((day, change))
        # A week or two away while the foster carers are on holiday, then back (rule 383).
        for i, (frm, st, pl) in enumerate(chain):
            to = chain[i + 1][0] if i + 1 < len(chain) else last_day
            if pl.type in ("U3", "U4", "U6", "U1") and (to - frm).days > 150 and rng.random() < 0.2:
                away = frm + timedelta(days=rng.randint(40, (to - frm).days - 40))
                back = away + timedelta(days=rng.randint(5, 14))
                temporary = Placement("T3", "", self.placements.postcode(rng, home), "")
                changes += [(away, (None, temporary, "", False)), (back, (None, pl, "", False))]
                chain += [(away, st, temporary), (back, st, pl)]
                break
        changes.sort(key=lambda c: c[0])
        chain.sort(key=lambda c: c[0])
        return chain, changes, adoption

    def _adoption_step(
        self, k: Kid, record: Any, step: str, day: date, chain: list[tuple[date, str, Placement]]
    ) -> Any:
        rng = k.rng
        if step == "decision":
            record = la.adoption_decision_record(actor=k.actor, person=k.person, decided_on=day)
        elif record is None:
            return None
        elif step == "order":
            record = la.adoption_milestone_record(actor=k.actor, adoption=record, milestone="placement_order", on=day)
        elif step == "match":
            record = la.adoption_milestone_record(actor=k.actor, adoption=record, milestone="matched", on=day)
            two = rng.random() < 0.8
            sex = rng.choice(("MF", "MF", "MF", "FF", "MM")) if two else rng.choice(("F1", "F1", "M1"))
            record = la.adoption_adopters_record(
                actor=k.actor,
                adoption=record,
                foster_care=self._placement_on(chain, day).type == "U5",
                number_of_adopters=2 if two else 1,
                sex_of_adopters=sex,
                legal_status_of_adopters=("L11" if sex == "MF" else "L12") if two else "L0",
            )
        elif step == "placed":
            record = la.adoption_milestone_record(actor=k.actor, adoption=record, milestone="placed", on=day)
        self._log(k, "adoption " + step, day)
        return record

    @staticmethod
    def _placement_on(chain: list[tuple[date, str, Placement]], day: date) -> Placement:
        current = chain[0][2]
        for frm, _, pl in chain:
            if frm <= day:
                current = pl
        return current

    def _visit_days(
        self, rng: random.Random, chain: list[tuple[date, str, Placement]], start: date, last_day: date
    ) -> list[date]:
        """Statutory visits: within a week of each new placement, then within 6 weeks in its first year, then within 3
        months in long-term foster care (else 6 weeks). None during a temporary placement. Only the last months are
        kept when the profile says so."""
        # New placements with new carers restart the clock (not a temporary break or the return from one).
        starts = []
        for i in range(1, len(chain)):
            before, after = chain[i - 1][2], chain[i][2]
            if after.type != "T3" and before.type != "T3" and after.postcode != before.postcode:
                starts.append(chain[i][0])
        days = []
        day = start + timedelta(days=rng.randint(1, 6))
        placement_from = start
        while day < last_day:
            placement = self._placement_on(chain, day)
            if placement.type != "T3":
                days.append(day)
            if day < placement_from + relativedelta(years=1):
                nxt = day + timedelta(days=rng.randint(28, 42) if rng.random() < 0.9 else rng.randint(43, 60))
            elif placement.type in ("U1", "U4"):
                nxt = day + timedelta(days=rng.randint(60, 88))
            else:
                nxt = day + timedelta(days=rng.randint(28, 42))
            newer = [s for s in starts if day < s <= nxt]
            if newer:
                placement_from = newer[0]
                nxt = newer[0] + timedelta(days=rng.randint(1, 6))
            day = nxt
        months = self.profile.lac_visit_months
        if months is not None:
            keep_from = last_day - relativedelta(months=months)
            days = [d for d in days if d >= keep_from]
        return days

    def health(self, k: Kid, year_ending: date) -> None:
        rng = k.rng
        age = age_on(k.born, year_ending)
        sdq: int | None = None
        sdq_reason = ""
        if la.SDQ_MIN_AGE <= age <= la.SDQ_MAX_AGE:
            if rng.random() < 0.85:
                sdq = max(0, min(40, round(rng.gauss(15, 7))))
            else:
                sdq_reason = rng.choice(("SDQ2", "SDQ4", "SDQ5"))
        misuse = age >= 11 and rng.random() < 0.08
        received = (rng.random() < 0.6) if misuse else None
        la.health_record_for_year(
            actor=k.actor,
            person=k.person,
            year_ending=year_ending,
            sdq_score=sdq,
            sdq_reason=sdq_reason,
            convicted=(rng.random() < 0.05) if age >= 10 else None,
            health_check=(rng.random() < 0.9) if age < 5 else None,
            immunisations=rng.random() < 0.88,
            teeth_check=rng.random() < 0.82,
            health_assessment=rng.random() < 0.9,
            substance_misuse=misuse,
            intervention_received=received,
            intervention_offered=(rng.random() < 0.7) if misuse and not received else None,
        )
        self._log(k, "health outcomes", year_ending)

    def care_leaver_contacts(self, k: Kid, left: date) -> None:
        """Contact with a care leaver: soon after leaving care, around each birthday from 17 to 21 (counted for
        SSDA903 OC3), and about once a year between; what they are doing and where they live mostly carries over."""
        rng = k.rng
        born = k.born
        days = [left + timedelta(days=rng.randint(20, 60))]
        for years in range(17, 22):
            d = birthday(born, years) + timedelta(days=rng.randint(-60, 20))
            if d > left and all(abs((d - other).days) > 90 for other in days):
                days.append(d)
        d = left + timedelta(days=rng.randint(150, 250))
        while d <= self.yesterday:
            if all(abs((d - other).days) > 90 for other in days):
                days.append(d)
            d += timedelta(days=rng.randint(300, 420))
        activity, accommodation = _pick(rng, CL_ACTIVITY), _pick(rng, CL_ACCOMMODATION)
        for d in sorted(days):
            if d > self.yesterday or age_on(born, d) > 25:
                break
            if rng.random() < 0.9:
                touch = "YES"
                if rng.random() < 0.3:
                    activity = _pick(rng, CL_ACTIVITY)
                if rng.random() < 0.25:
                    accommodation = _pick(rng, CL_ACCOMMODATION)
                if accommodation.startswith(("T", "Z")) and (
                    age_on(born, d) < 18 or la.oc3_birthday(born, d) == 17
                ):  # foyers from 18 (rule 347); not with former foster carers at 17 (rule 3001)
                    accommodation = "D1"
                said = (activity, accommodation)
            else:
                touch = rng.choice(("NO", "REFU", "NREQ"))
                said = ("0", "0")
            la.care_leaver_contact_record(
                actor=k.actor,
                person=k.person,
                contact_on=d,
                in_touch=touch,
                activity=said[0],
                accommodation=said[1],
            )
            self._log(k, "care leaver contact", d, touch)

    # -- whole histories ---------------------------------------------------------------------------------------

    def earlier_episode(self, k: Kid, before: date) -> None:
        """Sometimes an earlier, closed episode: about half within the 12 months before (a re-referral)."""
        rng = k.rng
        if rng.random() >= self.profile.earlier_episode_rate:
            return
        if rng.random() < 0.85:
            referral = before - timedelta(days=rng.randint(60, 330))
            if referral <= k.born + timedelta(days=30):
                return
            if rng.random() < 0.4:
                self.referral_closed(k, referral)
            else:
                self.episode_nfa(k, referral, latest=before - timedelta(days=rng.randint(5, 40)))
        else:
            referral = before - timedelta(days=rng.randint(420, 1800))
            if referral <= k.born + timedelta(days=30):
                return
            if rng.random() < 0.7:
                self.episode_cin(k, referral, referral + timedelta(days=rng.randint(150, 330)))
            else:
                self.episode_nfa(k, referral, latest=before - timedelta(days=30))

    def open_assessment(self, k: Kid) -> None:
        rng = k.rng
        referral = _no_leap_day(add_working_days(self.today, -rng.randint(1, 62)))
        referral = max(referral, k.born + timedelta(days=1)) if k.cand.dob else max(referral, self.pre_birth_limit(k))
        self.earlier_episode(k, referral)
        need = _pick(rng, NEEDS)
        ep = self.refer(k, referral, need)
        self.allocate_for_good(k, referral + timedelta(days=rng.choice((0, 0, 1))), self.yesterday)
        elapsed = (self.yesterday - referral).days
        start = min(referral + timedelta(days=rng.choice((0, 1, 2))), self.yesterday)
        if elapsed < 3 and rng.random() < 0.5:
            return  # not started yet
        outcome = rng.choice(("nfa", "early_help", "cin_plan", "cin_plan", "cin_plan"))
        submitted = None
        if elapsed > 12 and rng.random() < 0.3:
            submitted = _between(rng, max(start, self.today - timedelta(days=10)), self.yesterday)
        self.assess(
            k, ep, start, outcome, need, submit=submitted, authorise=None, record=rng.random() < 0.7 or bool(submitted)
        )

    def open_enquiry(self, k: Kid) -> None:
        rng = k.rng
        referral = _no_leap_day(add_working_days(self.today, -rng.randint(2, 24)))
        self.earlier_episode(k, referral)
        ep = self.refer(k, referral, "N1", "Significant harm suspected: strategy discussion today.")
        self.allocate_for_good(k, referral, self.yesterday)
        strategy = min(referral + timedelta(days=rng.choice((0, 0, 1))), self.yesterday)
        s47 = rng.random() < 0.85
        cs.strategy_discussion_record(
            actor=k.actor,
            episode=ep,
            held_on=strategy,
            agencies=rng.choice(AGENCIES),
            start_section_47=s47,
            notes="Information shared by police, health and school.",
        )
        self._log(k, "strategy discussion", strategy, str(s47))
        start = min(strategy + timedelta(days=rng.randint(0, 2)), self.yesterday)
        self.assess(k, ep, start, "strategy", "N1", submit=None, authorise=None, record=rng.random() < 0.6)
        if s47 and rng.random() < 0.55:
            done = add_working_days(strategy, rng.randint(4, 10))
            if done < self.today:
                outcome = rng.choice(("icpc", "icpc", "no_icpc", "nfa"))
                enquiry = ep.section47_enquiries.get()
                cs.section47_complete(actor=k.actor, enquiry=enquiry, completed_on=done, outcome=outcome)
                self._log(k, "section 47", done, outcome)

    def open_cin_plan(self, k: Kid) -> None:
        rng = k.rng
        if rng.random() < 0.15:
            # Stepped down from a child protection plan.
            icpc_back = rng.randint(240, 520)
            referral = _no_leap_day(self.today - timedelta(days=icpc_back))
            if k.cand.dob and referral <= k.born - timedelta(days=100):
                referral = _no_leap_day(k.born - timedelta(days=rng.randint(30, 100)))
            self.earlier_episode(k, referral)
            end = max(self.today - timedelta(days=rng.randint(30, 150)), referral + timedelta(days=150))
            ep, _, ended = self.protection(
                k, referral, end=end, close=False, allocate=True, end_reason=PLAN_END_REASONS[0]
            )
            assert ended is not None
            self.step_down(k, ep, ended, end=False)
            return
        back = int(rng.triangular(60, 420, 120))
        referral = _no_leap_day(self.today - timedelta(days=back))
        if k.cand.dob and referral <= k.born + timedelta(days=10):
            # A baby: referred before birth.
            referral = _no_leap_day(k.born - timedelta(days=rng.randint(40, 120)))
        self.earlier_episode(k, referral)
        self.episode_cin(k, referral, None, allocate=True)

    def open_cp_plan(self, k: Kid) -> None:
        rng = k.rng
        back = int(rng.triangular(25, 560, 150))
        referral = _no_leap_day(self.today - timedelta(days=back))
        if k.cand.dob is None:
            referral = max(min(referral, self.yesterday - timedelta(days=25)), self.pre_birth_limit(k))
        elif referral <= k.born - timedelta(days=100):
            referral = k.born - timedelta(days=rng.randint(30, 100))
        self.earlier_episode(k, referral)
        self.protection(k, referral, end=None, allocate=True)

    def open_looked_after(self, k: Kid) -> None:
        rng = k.rng
        born = k.born
        age_now = (self.today - born).days / 365.25
        # How long ago they came into care: from a few weeks to most of their life.
        years = min(age_now - 0.05, rng.triangular(0.05, min(age_now, 8.0), 0.6))
        start = self.today - timedelta(days=max(20, round(years * 365.25)))
        start = max(start, born + timedelta(days=3))
        self.into_care(k, start, end=None, end_reason="")

    def into_care(
        self,
        k: Kid,
        start: date,
        *,
        end: date | None,
        end_reason: str,
        close_reason: str = "",
        allocate: bool = True,
        adoption: bool = False,
    ) -> None:
        """The referral that led to care, and the period of care itself; then, if it ended, closure. With `allocate`
        the child is allocated for good (counted in today's caseloads); otherwise to a worker until the closure.
        With `adoption`, a baby's care plan is adoption from the start."""
        rng = k.rng
        age = age_on(k.born, start)
        home = k.person.current_postcode or self.placements.postcode(rng)
        via = rng.random()
        if via < 0.3 and (start - k.born).days > 200:
            # A child protection plan first, ended the day the child came into care.
            referral = _no_leap_day(start - timedelta(days=rng.randint(120, 420)))
            referral = max(referral, k.born + timedelta(days=10))
            if (start - referral).days < 60:
                referral = _no_leap_day(start - timedelta(days=60))
            self.earlier_episode(k, referral)
            ep, _, _ = self.protection(
                k, referral, end=start, close=False, allocate=allocate, end_reason="Child became looked after"
            )
            route = "adoption" if adoption or (age < 2 and rng.random() < 0.6) else "proceedings"
        else:
            emergency = via < 0.45
            referral = _no_leap_day(start - timedelta(days=rng.randint(0, 2) if emergency else rng.randint(25, 70)))
            referral = max(referral, k.born)
            self.earlier_episode(k, referral)
            need = "N1" if rng.random() < 0.7 else _pick(rng, NEEDS)
            ep = self.refer(k, referral, need, "Child at risk: assessment and legal planning needed.")
            if allocate:
                self.allocate_for_good(k, referral, end or self.yesterday)
            a_start, a_sub, a_auth = self.timely_assessment(k, referral)
            if not emergency:
                a_sub = min(a_sub, start)
                a_auth = min(max(a_sub, add_working_days(a_sub, 1)), start)
                a_start = min(a_start, a_sub)
            self.assess(k, ep, a_start, "looked_after", need, submit=a_sub, authorise=a_auth)
            if adoption:
                route = "adoption"
            elif emergency:
                route = "emergency"
            elif age < 2 and rng.random() < 0.5:
                route = "adoption"
            elif age >= 12 and rng.random() < 0.6:
                route = "s20"
            else:
                route = rng.choice(("proceedings", "s20"))
        if not allocate:
            self.allocate_until_closed(k, referral)
        ended = self.looked_after(k, start, end=end, end_reason=end_reason, route=route, home=home)
        if ended is not None:
            last = LookedAfterEpisode.objects.filter(person=k.person).order_by("-started_on", "-id").first()
            assert last is not None
            reason = close_reason or {
                "E11": "RC1",
                "E12": "RC1",
                "E41": "RC3",
                "E45": "RC4",
                "E47": "RC4",
                "E3": "RC5",
            }.get(last.reason_ceased, "RC7")
            self.close(k, ep, ended, reason)

    def care_leaver(self, k: Kid) -> None:
        rng = k.rng
        born = k.born
        eighteen = birthday(born, 18)
        entered = rng.triangular(13.0, 17.3, 16.0)
        start = born + timedelta(days=round(entered * 365.25))
        reason = rng.choice(("E5", "E5", "E5", "E17", "E17", "E6", "E13", "E8"))
        self.into_care(k, start, end=eighteen, end_reason=reason, close_reason="RC7")
        self.care_leaver_contacts(k, eighteen)

    def uasc(self, k: Kid) -> None:
        """An unaccompanied asylum-seeking child: arrives, is referred the same day, accommodated under section 20
        and assessed; at 18, if that has come, leaves care (the status ceasing on the birthday) and is a care
        leaver."""
        rng = k.rng
        born = k.born
        eighteen = birthday(born, 18)
        leaver = eighteen <= self.yesterday
        if leaver:
            arrival = born + timedelta(days=round(rng.uniform(15.5, 17.4) * 365.25))
        else:
            arrival = max(
                born + timedelta(days=round(14.5 * 365.25)), self.today - timedelta(days=rng.randint(20, 700))
            )
        arrival = _no_leap_day(min(arrival, self.yesterday - timedelta(days=5)))
        la.uasc_record(actor=k.actor, person=k.person, became_uasc_on=arrival)
        self._log(k, "uasc", arrival)
        ep = self.refer(
            k, arrival, "N8", "Unaccompanied asylum-seeking child: accommodation needed today.", earlier_contact=False
        )
        self.allocate_for_good(k, arrival, eighteen if leaver else self.yesterday)
        a_start, a_sub, a_auth = self.timely_assessment(k, arrival)
        self.assess(k, ep, a_start, "looked_after", "N8", submit=a_sub, authorise=a_auth, factors=["9A"])
        reason = rng.choice(("E5", "E5", "E17", "E6"))
        self.looked_after(k, arrival, end=eighteen if leaver else None, end_reason=reason, route="uasc", home="")
        if leaver:
            la.uasc_record(actor=k.actor, person=k.person, became_uasc_on=arrival, ceased_on=eighteen)
            self._log(k, "uasc ceased", eighteen)
            self.close(k, ep, eighteen, "RC7")
            self.care_leaver_contacts(k, eighteen)

    def closed_history(self, k: Kid) -> None:
        """Children whose every episode is closed: one or two, over the last six years."""
        rng = k.rng
        earliest = max(self.today - timedelta(days=6 * 365), k.born + timedelta(days=20))
        latest = self.today - timedelta(days=120)
        if earliest >= latest:
            return
        referral = _between(rng, earliest, latest)
        kind = rng.choices(("nfa", "cin", "cp", "lac"), (58, 27, 10, 5))[0]
        if 3 <= age_on(k.born, self.today) <= 8 and rng.random() < 0.15:
            # Adopted: referred as a baby, placed for adoption within about 15 months, adopted within two years.
            referral = _between(rng, max(earliest, k.born + timedelta(days=20)), k.born + timedelta(days=330))
            kind = "adopted" if (latest - referral).days >= 950 else kind
        if kind == "cp" and (latest - referral).days < 650:
            kind = "nfa"
        if kind == "lac" and ((latest - referral).days < 300 or age_on(k.born, referral) >= 14):
            kind = "cin"
        if kind == "nfa":
            ended = self.episode_nfa(k, referral)
        elif kind == "cin":
            ended = (
                self.episode_cin(k, referral, min(referral + timedelta(days=rng.randint(150, 400)), latest)) or referral
            )
        elif kind == "cp":
            _, _, e = self.protection(k, referral, end=referral + timedelta(days=rng.randint(200, 400)))
            ended = e or referral
        elif kind == "adopted":
            # Placed for adoption within about 15 months; the adoption order 6 to 12 months later.
            start = referral + timedelta(days=rng.randint(20, 50))
            ended = start + timedelta(days=rng.randint(640, 840))
            self.into_care(k, start, end=ended, end_reason="E12", allocate=False, adoption=True)
        else:
            end = referral + timedelta(days=rng.randint(60, min(900, (latest - referral).days)))
            reason = rng.choice(("E4A", "E4A", "E41", "E45", "E47", "E13"))
            self.into_care(
                k, referral + timedelta(days=rng.randint(20, 50)), end=end, end_reason=reason, allocate=False
            )
            ended = end
        # A re-referral within 12 months, closed again.
        if rng.random() < 0.3:
            again = ended + timedelta(days=rng.randint(30, 200))
            if again < latest:
                self.episode_nfa(k, again)

    def contacts_only(self, k: Kid) -> None:
        rng = k.rng
        earliest = max(self.today - timedelta(days=4 * 365), k.born + timedelta(days=1))
        for _ in range(rng.choices((1, 2, 3), (75, 20, 5))[0]):
            on = _between(rng, earliest, self.today - timedelta(days=3))
            self.contact(k, on, _pick(rng, NEEDS), "nfa" if rng.random() < 0.7 else "early_help")

    def awaiting_contact(self, k: Kid) -> None:
        rng = k.rng
        on = add_working_days(self.today, -rng.choice((1, 1, 1, 2, 2, 3)))
        on = max(on, k.born + timedelta(days=1)) if k.cand.dob else on
        self.contact(k, on, _pick(rng, NEEDS), None)

    # -- stories already in the case notes -----------------------------------------------------------------

    def from_story(self, k: Kid) -> None:
        """A child whose case notes tell a story: the journey follows the notes' dates."""
        s = k.cand.story
        assert s is not None
        rng = k.rng
        contact_on = s.contact_on  # perhaps before the child was born: a pre-birth referral
        end = s.closed_on
        if s.level == "assessment":
            need = _pick(rng, NEEDS)
            ep = self.refer(k, contact_on, need)
            self.allocate_story(k, contact_on, until_closed=end is not None)
            start = min(contact_on + timedelta(days=1), s.outcome_on)
            if end is None:
                self.assess(k, ep, start, "early_help", need, submit=s.outcome_on, authorise=None)
                return
            self.assess(k, ep, start, "early_help", need, submit=s.outcome_on, authorise=s.outcome_on)
            self.close(k, ep, max(end, s.outcome_on), "RC9")
        elif s.level == "cin":
            need = _pick(rng, NEEDS)
            ep = self.refer(k, contact_on, need)
            self.allocate_story(k, contact_on, until_closed=end is not None)
            start = min(contact_on + timedelta(days=1), s.outcome_on)
            self.assess(k, ep, start, "cin_plan", need, submit=s.outcome_on, authorise=s.outcome_on)
            if end is None:
                self.cin_plan(k, ep, s.outcome_on, None)
            else:
                end = max(end, s.outcome_on)
                self.cin_plan(k, ep, s.outcome_on, end)
                self.close(k, ep, end, "RC7")
        elif s.level == "cp":
            self.story_protection(k, contact_on, s, end)
        else:
            born_by = k.cand.dob is not None and k.born < s.outcome_on
            eighteen = birthday(k.born, 18)
            if not born_by or s.outcome_on >= eighteen:
                self.story_protection(k, contact_on, s, end)
                return
            if self.today >= eighteen and (end is None or end > eighteen):
                end = eighteen
            reason = "E17" if end == eighteen else rng.choice(("E4A", "E45", "E41", "E47"))
            self.story_care(k, contact_on, s, end, reason)
            if end == eighteen:
                self.care_leaver_contacts(k, eighteen)

    def allocate_until_closed(self, k: Kid, on: date) -> None:
        """A case that has since closed: its worker is allocated until the closure ends the allocation (so it is not
        counted in anyone's caseload today); every child with an open case has a worker, as the returns expect."""
        author = None
        if self.follow_authors and k.cand.story is not None:
            author = next((w for w in k.crew.workers if w.pk == k.cand.story.author_id), None)
        self.allocate(k, on, author or k.rng.choice(k.crew.workers), "Allocated for the child and family assessment")

    def allocate_story(self, k: Kid, on: date, *, until_closed: bool = False) -> None:
        """Allocate to the worker who wrote the notes when the demo is following them, else as any other child;
        `until_closed`: the case closes later, so the allocation ends then (see allocate_until_closed)."""
        if until_closed:
            self.allocate_until_closed(k, on)
            return
        author = None
        if self.follow_authors and k.cand.story is not None:
            author = next((w for w in k.crew.workers if w.pk == k.cand.story.author_id), None)
        if author is None:
            self.allocate_for_good(k, on, self.yesterday)
            return
        k.crew.load[author.pk] += 1
        self.allocate(k, on, author, "Allocated for the child and family assessment")

    def story_protection(self, k: Kid, contact_on: date, s: Story, end: date | None) -> None:
        rng = k.rng
        ep = self.refer(k, contact_on, "N1", "Significant harm suspected: strategy discussion today.")
        self.allocate_story(k, contact_on, until_closed=end is not None)
        strategy = s.strategy_on or contact_on + timedelta(days=1)
        strategy = max(strategy, contact_on)
        cs.strategy_discussion_record(
            actor=k.actor, episode=ep, held_on=strategy, agencies=rng.choice(AGENCIES), start_section_47=True
        )
        self._log(k, "strategy discussion", strategy)
        enquiry = ep.section47_enquiries.get()
        icpc = self.working_day(max(s.outcome_on, strategy + timedelta(days=1)), floor=strategy + timedelta(days=1))
        cs.section47_complete(
            actor=k.actor, enquiry=enquiry, completed_on=min(add_working_days(strategy, 8), icpc), outcome="icpc"
        )
        self._log(k, "section 47", icpc)
        category = _pick(rng, ABUSE)
        cs.initial_conference_record(actor=k.actor, enquiry=enquiry, held_on=icpc, plan_needed=True, category=category)
        self._log(k, "initial conference", icpc, category)
        plan = ChildProtectionPlan.objects.get(initial_conference__enquiry=enquiry)
        start = min(contact_on + timedelta(days=1), icpc)
        self.assess(k, ep, start, "strategy", "N1", submit=icpc, authorise=icpc)
        last_day = end or self.yesterday
        core = add_working_days(icpc, rng.randint(6, 10))
        if core < last_day:
            cs.core_group_record(actor=k.actor, plan=plan, held_on=core)
            self._log(k, "core group", core)
        review = icpc + relativedelta(months=3) - timedelta(days=rng.randint(0, 14))
        last = icpc
        while review < last_day:
            cs.review_conference_record(actor=k.actor, plan=plan, held_on=review, plan_continues=True)
            self._log(k, "review conference", review)
            last = review
            review = review + relativedelta(months=6) - timedelta(days=rng.randint(0, 21))
        if end is not None:
            ended = max(end, last + timedelta(days=1))
            cs.review_conference_record(
                actor=k.actor, plan=plan, held_on=ended, plan_continues=False, end_reason=rng.choice(PLAN_END_REASONS)
            )
            self._log(k, "plan ended", ended)
            self.close(k, ep, ended, "RC7")

    def story_care(self, k: Kid, contact_on: date, s: Story, end: date | None, reason: str) -> None:
        rng = k.rng
        ep = self.refer(k, contact_on, "N1", "Child at risk: strategy discussion and legal planning needed.")
        # A care leaver keeps their worker when the case closes at 18.
        self.allocate_story(k, contact_on, until_closed=end is not None and end != birthday(k.born, 18))
        strategy = max(s.strategy_on or contact_on, contact_on)
        cs.strategy_discussion_record(
            actor=k.actor, episode=ep, held_on=strategy, agencies=rng.choice(AGENCIES), start_section_47=False
        )
        self._log(k, "strategy discussion", strategy)
        start = min(contact_on + timedelta(days=1), s.outcome_on)
        self.assess(k, ep, start, "looked_after", "N1", submit=s.outcome_on, authorise=s.outcome_on)
        home = k.person.current_postcode or self.placements.postcode(rng)
        route = "s20" if s.level == "lac" else "proceedings"
        ended = self.looked_after(k, s.outcome_on, end=end, end_reason=reason, route=route, home=home)
        if ended is not None:
            self.close(k, ep, ended, "RC4" if reason in ("E45", "E47") else ("RC3" if reason == "E41" else "RC7"))


_SUMMARIES = {
    "nfa": "No further action: the family are managing and agencies will continue to offer universal support.",
    "early_help": "Needs can be met by early help: the family agreed to work with the early help team.",
    "cin_plan": "The child is in need under section 17: a child in need plan will set out the support.",
    "strategy": "Significant harm suspected: strategy discussion held and section 47 enquiries completed.",
    "looked_after": "The child cannot safely remain at home: the child is to become looked after.",
}
_VISIT_NOTES: dict[str, tuple[str, ...]] = {
    VisitType.HOME: (
        "Home visit. Home conditions adequate today. The child was seen in their bedroom and talked about school.",
        "Unannounced home visit. Parent engaged well; the safety plan was reviewed and is being followed.",
        "Home visit. The child was quiet but said things are better at home. Food in the cupboards.",
    ),
    VisitType.STATUTORY: (
        "Statutory visit at the placement. The child is settled and enjoying school; carers have no concerns.",
        "Statutory visit. The child showed me their room and talked about seeing their family at the weekend.",
        "Statutory visit. Some worries about behaviour at school, discussed with the carers and the child.",
    ),
    VisitType.PLACEMENT: (
        "Visit at the placement. The child was happy to see me and we talked about their wishes for the review.",
        "Visit at the placement. Contact arrangements discussed with the carers; no concerns raised.",
    ),
}
_NOT_SEEN = (
    "No one answered the door; a card was left.",
    "The child was out with friends when I arrived.",
    "The visit was cancelled by the carers at short notice because the child was unwell.",
)


# --- the stage -----------------------------------------------------------------------------------------------------


@contextmanager
def _seed_context() -> Iterator[None]:
    """Audit events of the stage say they came from `casework seed`."""
    token = audit_context.set({"command": "casework seed", "stage": "journeys"})
    try:
        yield
    finally:
        audit_context.reset(token)


def _history_context(context_id: str) -> None:
    """Point the history rows the services' writes make (django-pghistory triggers) at one context saying they came
    from `casework seed`, for the current transaction: what pghistory.context() does, set once per batch instead of
    being prefixed to every statement."""
    from django.db import connection

    from .generator import _begin_load

    _begin_load(context_id, {"command": "casework seed", "stage": "journeys"})
    with connection.cursor() as c:
        # A batch lost in a crash is seeded again from scratch: no need to wait for each commit to reach the disk.
        c.execute("SET LOCAL synchronous_commit = off")


def generate_journeys(
    rng: random.Random,
    children: list[Candidate],
    *,
    size: str,
    today: date | None = None,
    people: int | None = None,
    progress: Progress | None = None,
    batch: int = 10,
) -> JourneyResult:
    """Walk children from `children` (see load_candidates) through the services, for an authority of `people`
    people (default: the profile's), in batches of `batch` children a transaction. Deterministic for `rng`'s state
    and the candidates."""
    say = progress or (lambda _line: None)
    started = time.monotonic()
    today = today or timezone.localdate()
    profile = PROFILES[size]
    targets = targets_for(size, people or profile.people)
    seed = rng.getrandbits(64)
    with _seed_context():
        with transaction.atomic():
            crews = ensure_staff(size, targets.allocated, random.Random(f"{seed}:staff"), say)
        maker = Journeys(today=today, crews=crews, seed=seed, profile=profile, progress=say)
        demo = size == "demo"
        maker.follow_authors = demo
        work = _assign(random.Random(f"{seed}:assign"), children, targets, today, crews, 1.5 if demo else 0.6, demo)
        done = 0
        next_report = time.monotonic() + 30
        context_id = str(uuid.UUID(int=random.Random(f"{seed}:context").getrandbits(128)))
        for i in range(0, len(work), batch):
            with transaction.atomic():
                _history_context(context_id)
                for tag, cand, crew, fn in work[i : i + batch]:
                    maker.child(cand, crew, tag, getattr(maker, fn))
            done = min(len(work), i + batch)
            if time.monotonic() >= next_report:
                secs = time.monotonic() - started
                calls = sum(v for key, v in maker.calls.items() if key != "refused")
                say(
                    f"  … journeys: {done:,} of {len(work):,} children, {calls:,} steps in {secs:,.0f} s ({calls / secs:,.0f} steps/s)"
                )
                next_report = time.monotonic() + 60
    _analyze()
    seconds = time.monotonic() - started
    counts = _summary(today)
    calls = sum(v for key, v in maker.calls.items() if key != "refused")
    counts["journey steps"] = calls
    counts["children with journeys"] = len(work)
    counts["refused steps"] = maker.calls.get("refused", 0)
    say(
        f"journeys: {len(work):,} children, {calls:,} service calls in {seconds:,.1f} s ({calls / max(seconds, 1e-9):,.0f} calls/s)"
    )
    return JourneyResult(counts, maker.digest.hexdigest(), seconds, maker.refused, calls, dict(maker.calls))


def _assign(
    rng: random.Random,
    children: list[Candidate],
    t: Targets,
    today: date,
    crews: list[Crew],
    story_room: float,
    follow_authors: bool = False,
) -> list[tuple[str, Candidate, Crew, str]]:
    """Which child has which history, and with which team. Children whose case notes tell a story get that story
    while its kind has room (the target; for closed histories `story_room` times it: more in the demo, where every
    story should be followed, less in large, to leave room for the other kinds of closed history), with the team of
    the worker who wrote the notes when `follow_authors`; the rest are drawn by age band."""
    by_worker = {w.pk: c for c in crews for w in c.workers}
    work: list[tuple[str, Candidate, Crew, str]] = []
    counts: Counter[str] = Counter()
    target = {
        "in_assessment": t.in_assessment,
        "cin_plans": t.cin_plans,
        "cp_plans": t.cp_plans,
        "looked_after": t.looked_after,
        "care_leavers": t.care_leavers,
        "closed_only": t.closed_only,
    }

    def crew_for(cand: Candidate | None, allocated: bool) -> Crew:
        if follow_authors and cand is not None and cand.story is not None and cand.story.author_id in by_worker:
            crew = by_worker[cand.story.author_id]
        elif allocated:
            crew = min(crews, key=lambda c: (c.planned / len(c.workers), crews.index(c)))
        else:
            crew = min(crews, key=lambda c: (c.others / len(c.workers), crews.index(c)))
        if allocated:
            crew.planned += 1
        else:
            crew.others += 1
        return crew

    used: set[int] = set()
    for cand in children:
        s = cand.story
        if s is None:
            continue
        eighteen = birthday(cand.dob, 18) if cand.dob else None
        if s.level in ("lac", "long") and cand.dob and s.outcome_on > cand.dob and eighteen and s.outcome_on < eighteen:
            if eighteen <= today and (s.closed_on is None or s.closed_on > eighteen):
                cat = "care_leavers"
            else:
                cat = "looked_after" if s.closed_on is None else "closed_only"
        elif s.closed_on is not None:
            cat = "closed_only"
        else:
            cat = {"assessment": "in_assessment", "cin": "cin_plans"}.get(s.level, "cp_plans")
        if counts[cat] >= target[cat] * (story_room if cat == "closed_only" else 1.0):
            continue
        work.append(("story", cand, crew_for(cand, cat != "closed_only"), "from_story"))
        used.add(cand.id)
        counts[cat] += 1
    pool = [c for c in children if c.id not in used]
    rng.shuffle(pool)
    # Unborn babies due within 8 months: a referral can come up to 40 weeks before the expected birth (rule 8606).
    unborn = [c for c in pool if c.dob is None and c.edd is not None and (c.edd - today).days <= 240]
    young_adults = [c for c in pool if c.dob is not None and 18 <= age_on(c.dob, today) <= 21]
    bands: dict[str, list[Candidate]] = {"0-4": [], "5-9": [], "10-15": [], "16-17": []}
    for c in pool:
        if c.dob is not None and age_on(c.dob, today) < 18:
            a = age_on(c.dob, today)
            bands["0-4" if a < 5 else "5-9" if a < 10 else "10-15" if a < 16 else "16-17"].append(c)

    def take(weights: tuple[int, int, int, int], unborn_share: float) -> Candidate | None:
        """A child from an age band drawn by `weights` (at least a month old: time for a history), or unborn."""
        if unborn and rng.random() < unborn_share:
            return unborn.pop()
        options = [(b, w) for b, w in zip(bands, weights, strict=True) if bands[b] and w]
        if not options:
            return None
        band = bands[rng.choices([b for b, _ in options], [w for _, w in options])[0]]
        for i in range(len(band) - 1, -1, -1):
            dob = band[i].dob
            if dob is not None and (today - dob).days >= 31:
                return band.pop(i)
        return None

    # (kind, how many, method, weights for ages 0-4, 5-9, 10-15, 16-17, share of unborn babies, allocated at the end)
    plan = (
        ("looked_after", t.looked_after, "open_looked_after", (20, 18, 39, 23), 0.0, True),
        ("cp_plans", t.cp_plans, "open_cp_plan", (36, 28, 29, 7), 0.04, True),
        ("in_enquiry", t.in_enquiry, "open_enquiry", (30, 28, 32, 10), 0.0, True),
        ("cin_plans", t.cin_plans, "open_cin_plan", (22, 26, 36, 16), 0.0, True),
        ("in_assessment", t.in_assessment, "open_assessment", (25, 25, 35, 15), 0.04, True),
        ("closed_only", t.closed_only, "closed_history", (15, 28, 40, 17), 0.0, False),
        ("contacts_only", t.contacts_only, "contacts_only", (25, 25, 35, 15), 0.0, False),
        ("awaiting_contacts", t.awaiting_contacts, "awaiting_contact", (25, 25, 35, 15), 0.02, False),
    )
    for cat, n, fn, weights, unborn_share, allocated in plan:
        for _ in range(max(0, n - counts[cat])):
            picked = take(weights, unborn_share)
            if picked is None:
                break
            work.append((cat, picked, crew_for(None, allocated), fn))
            counts[cat] += 1
    for _ in range(max(0, t.care_leavers - counts["care_leavers"])):
        if not young_adults:
            break
        work.append(("care_leavers", young_adults.pop(), crew_for(None, True), "care_leaver"))
    # About 6% of looked-after children and 10% of care leavers are unaccompanied asylum-seeking children: new to the
    # index (nobody in the generated families), so their records are made through people.services.
    for cat, share, leaver in (("looked_after", 0.06, False), ("care_leavers", 0.10, True)):
        mine = [i for i, w in enumerate(work) if w[0] == cat]
        n = round(len(mine) * share) or (1 if len(mine) >= 2 else 0)
        for i in mine[len(mine) - n :]:
            work[i] = (cat, _uasc_candidate(rng, today, leaver), work[i][2], "uasc")
    return work


def _uasc_candidate(rng: random.Random, today: date, leaver: bool) -> Candidate:
    from .names import origins

    origin_key, ethnicity, languages = rng.choice(UASC_ORIGINS)
    origin = origins()[origin_key]
    sex = Sex.MALE if rng.random() < 0.9 else Sex.FEMALE
    dob = today - timedelta(days=round((rng.uniform(18.1, 21.5) if leaver else rng.uniform(15.2, 17.7)) * 365.25))
    given, family = origin.given(rng, sex, dob.year), origin.surname(rng)
    new = {
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob,
        "sex": sex,
        "ethnicity": ethnicity,
        "first_language": rng.choice(languages),
    }
    return Candidate(0, given, family, dob, None, "", None, new)


def _analyze() -> None:
    """Fresh planner statistics for the tables the journeys filled (VACUUM as well outside a transaction)."""
    from django.apps import apps
    from django.db import connection
    from django.db.models import Model

    from audit.models import AuditEvent
    from recording.models import ChronologyEntry, Visit

    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    models: list[type[Model]] = [*apps.get_app_config("cases").get_models(), AuditEvent, ChronologyEntry, Visit]
    with connection.cursor() as c:
        for model in models:
            c.execute(f"{command} {model._meta.db_table}")


def _summary(today: date) -> dict[str, int]:
    """What the authority holds at the end, counted from the records."""
    eighteen_ago = today - relativedelta(years=18)
    open_eps = CINEpisode.objects.filter(closure_date__isnull=True)
    year_ago = today - relativedelta(years=1)
    referrals_year = CINEpisode.objects.filter(referral_date__gt=year_ago)
    caseloads = list(
        Allocation.objects.filter(ended_on__isnull=True)
        .values("worker")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    care_leavers = (
        Allocation.objects.filter(ended_on__isnull=True, person__date_of_birth__lte=eighteen_ago)
        .filter(Exists(LookedAfterEpisode.objects.filter(person=OuterRef("person"))))
        .exclude(Exists(CINEpisode.objects.filter(person=OuterRef("person"), closure_date__isnull=True)))
        .count()
    )
    n_ref = referrals_year.count()
    from cases.models_looked_after import UnaccompaniedAsylumSeekingChild

    return {
        "contacts": Contact.objects.count(),
        "contacts awaiting decision": Contact.objects.filter(decision="").count(),
        "referrals": CINEpisode.objects.count(),
        "referrals in the last year": n_ref,
        "re-referrals in the last year %": round(
            100 * referrals_year.filter(is_re_referral=True).count() / max(1, n_ref)
        ),
        "open cases": open_eps.count(),
        "child protection plans": ChildProtectionPlan.objects.filter(ended_on__isnull=True).count(),
        "ended child protection plans": ChildProtectionPlan.objects.filter(ended_on__isnull=False).count(),
        "looked after": LookedAfterEpisode.objects.filter(ended_on__isnull=True).count(),
        "care leavers": care_leavers,
        "unaccompanied asylum-seeking children": UnaccompaniedAsylumSeekingChild.objects.count(),
        "adopted": LookedAfterEpisode.objects.filter(reason_ceased__in=["E11", "E12"]).count(),
        "transfers in": CINEpisode.objects.exclude(transferred_from="").count(),
        "assessments awaiting authorisation": Assessment.objects.filter(
            submitted_on__isnull=False, authorised_on__isnull=True
        ).count(),
        "open tasks": Task.objects.filter(completed_on__isnull=True, cancelled_on__isnull=True).count(),
        "overdue tasks": Task.objects.filter(
            completed_on__isnull=True, cancelled_on__isnull=True, due_on__lt=today
        ).count(),
        "workers with a caseload": len(caseloads),
        "smallest caseload": min(caseloads, default=0),
        "largest caseload": max(caseloads, default=0),
    }


__all__ = [
    "PROFILES",
    "Candidate",
    "Crew",
    "JourneyResult",
    "Profile",
    "Targets",
    "ensure_staff",
    "generate_journeys",
    "load_candidates",
    "targets_for",
]
