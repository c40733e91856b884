"""The stage: which child gets which history with which team (`assign`), the batches and contexts they run in, and
what the authority holds at the end (`generate_journeys`)."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from audit.context import current as audit_context
from cases.models import (
    Allocation,
    Assessment,
    ChildProtectionPlan,
    CINEpisode,
    Contact,
    LookedAfterEpisode,
    Task,
)
from core.dates import age_on, birthday
from people.models import Sex

from .candidates import Candidate, Story
from .histories import Histories
from .profiles import PROFILES, Targets, targets_for
from .staff import Crew, Progress, ensure_staff
from .stories import Stories
from .vocabulary import UASC_ORIGINS


@dataclass
class JourneyResult:
    counts: dict[str, int]
    digest: str
    seconds: float
    refused: list[str]
    calls: int
    steps: dict[str, int] = field(default_factory=dict)  # service calls by step


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

    from ..generator import begin_load

    begin_load(context_id, {"command": "casework seed", "stage": "journeys"})
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
            crews = ensure_staff(
                size,
                targets.allocated,
                random.Random(f"{seed}:staff"),
                say,
                reviewed=targets.looked_after + targets.cp_plans,
            )
        maker = Journeys(today=today, crews=crews, seed=seed, profile=profile, progress=say)
        demo = size == "demo"
        maker.follow_authors = demo
        work = assign(random.Random(f"{seed}:assign"), children, targets, today, crews, 1.5 if demo else 0.6, demo)
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


def assign(
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

    family_crew: dict[int, Crew] = {}  # a family's children are held by one team (so are the relatives they see)

    def crew_for(cand: Candidate | None, allocated: bool) -> Crew:
        if cand is not None and cand.kin and cand.kin in family_crew:
            crew = family_crew[cand.kin]
        elif follow_authors and cand is not None and cand.story is not None and cand.story.author_id in by_worker:
            crew = by_worker[cand.story.author_id]
        elif allocated:
            crew = min(crews, key=lambda c: (c.planned / len(c.workers), crews.index(c)))
        else:
            crew = min(crews, key=lambda c: (c.others / len(c.workers), crews.index(c)))
        if allocated:
            crew.planned += 1
        else:
            crew.others += 1
        if cand is not None and cand.kin:
            family_crew.setdefault(cand.kin, crew)
        return crew

    used: set[int] = set()
    for cand in children:
        if cand.story is None:
            continue
        cat = _story_kind(cand, cand.story, today)
        if counts[cat] >= target[cat] * (story_room if cat == "closed_only" else 1.0):
            continue
        work.append(("story", cand, crew_for(cand, cat != "closed_only"), "from_story"))
        used.add(cand.id)
        counts[cat] += 1
    # A child whose notes tell a story there was no room to follow keeps the notes and no other history (which
    # would contradict them).
    pool = [c for c in children if c.id not in used and c.story is None]
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
            work.append((cat, picked, crew_for(picked, allocated), fn))
            counts[cat] += 1
    for _ in range(max(0, t.care_leavers - counts["care_leavers"])):
        if not young_adults:
            break
        young = young_adults.pop()
        work.append(("care_leavers", young, crew_for(young, True), "care_leaver"))
    # About 6% of looked-after children and 10% of care leavers are unaccompanied asylum-seeking children: new to the
    # index (nobody in the generated families), so their records are made through people.services.
    for cat, share, leaver in (("looked_after", 0.06, False), ("care_leavers", 0.10, True)):
        mine = [i for i, w in enumerate(work) if w[0] == cat]
        n = round(len(mine) * share) or (1 if len(mine) >= 2 else 0)
        for i in mine[len(mine) - n :]:
            work[i] = (cat, _uasc_candidate(rng, today, leaver), work[i][2], "uasc")
    return work


def _story_kind(cand: Candidate, s: Story, today: date) -> str:
    """Which kind of history (a key of `assign`'s targets) the story in a child's case notes makes of them today."""
    eighteen = birthday(cand.dob, 18) if cand.dob else None
    if s.level in ("lac", "long") and cand.dob and s.outcome_on > cand.dob and eighteen and s.outcome_on < eighteen:
        if eighteen <= today and (s.closed_on is None or s.closed_on > eighteen):
            return "care_leavers"
        return "looked_after" if s.closed_on is None else "closed_only"
    if s.closed_on is not None:
        return "closed_only"
    return {"assessment": "in_assessment", "cin": "cin_plans"}.get(s.level, "cp_plans")


def _uasc_candidate(rng: random.Random, today: date, leaver: bool) -> Candidate:
    from ..names import origins

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
    from cases.models import UnaccompaniedAsylumSeekingChild

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


class Journeys(Histories, Stories):
    """Every journey: the class the orchestrator walks children through."""
