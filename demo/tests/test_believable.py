"""The demo tells believable stories: every generated text fits the child it is written for on the day it is dated
(age, placement, the state of the assessment, the category of the plan), for every child of a seeded authority.

One small authority is seeded per module (people, case notes and journeys, as `casework seed` does) inside a
transaction rolled back at the end; each test reads every child's contacts, case notes and visits."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from cases.models import Assessment, ChildProtectionPlan, CINEpisode, Contact, LookedAfterEpisode
from core.site import demo_database_mark
from demo.generator import generate
from demo.journeys import JourneyResult, generate_journeys, load_candidates
from demo.texts import CATEGORY_WORDS, EXPLOITATION_AGE, SCHOOL_AGE, placement_kind, years_on
from people.models import Person
from recording.models import CaseNote, Visit, VisitType

pytestmark = pytest.mark.django_db

PEOPLE = 500
SEED = {"people": PEOPLE, "seed": 11, "known_child_rate": 0.45, "queries": 20}


@pytest.fixture(scope="module")
def authority(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[JourneyResult]:
    tmp: Path = tmp_path_factory.mktemp("believable")
    with django_db_blocker.unblock(), transaction.atomic():
        demo_database_mark(size="demo", seed=11)  # what `casework seed` does first
        generate(**SEED, truth_path=tmp / "truth.jsonl", queries_path=tmp / "queries.jsonl", label="test-believable")
        today = timezone.localdate()
        result = generate_journeys(random.Random(11), load_candidates(today), size="demo", today=today, people=PEOPLE)
        yield result
        transaction.set_rollback(True)


@dataclass
class Written:
    """One text on a child's record: a contact, a case note or a visit."""

    person_id: int
    day: date
    kind: str  # "contact", "note", "visit"
    text: str
    visit_type: str = ""

    @property
    def lower(self) -> str:
        return self.text.lower()


def _written() -> list[Written]:
    out = [
        Written(c.person_id, timezone.localtime(c.received_at).date(), "contact", c.concern)
        for c in Contact.objects.all()
    ]
    out += [
        Written(n.person_id, timezone.localtime(n.occurred_at).date(), "note", f"{n.subject}\n{n.body}")
        for n in CaseNote.objects.all()
    ]
    out += [
        Written(
            v.person_id,
            timezone.localtime(v.occurred_at).date(),
            "visit",
            f"{v.notes}\n{v.not_seen_reason}",
            v.visit_type,
        )
        for v in Visit.objects.all()
    ]
    return out


def _born() -> dict[int, date]:
    out: dict[int, date] = {}
    for pk, dob, edd in Person.objects.values_list("id", "date_of_birth", "expected_date_of_birth"):
        if born := dob or edd:
            out[pk] = born
    return out


def _placements() -> dict[int, list[LookedAfterEpisode]]:
    eps: dict[int, list[LookedAfterEpisode]] = defaultdict(list)
    for e in LookedAfterEpisode.objects.order_by("person_id", "started_on", "id"):
        eps[e.person_id].append(e)
    return eps


def _placement_on(eps: list[LookedAfterEpisode], day: date) -> str:
    """The kind of placement (demo.texts.placement_kind) on `day`, or "" when not looked after."""
    current = ""
    for e in eps:
        if e.started_on <= day and (e.ended_on is None or day <= e.ended_on):
            current = placement_kind(e.placement_type)
    return current


def _with_journeys() -> set[int]:
    return set(CINEpisode.objects.values_list("person_id", flat=True))


def _show(w: Written, age: int, why: str) -> str:
    return f"{why}: person {w.person_id}, aged {age} on {w.day}: {w.text[:200]!r}"


def test_the_authority_was_seeded_without_a_refused_step(authority: JourneyResult) -> None:
    assert authority.refused == []
    assert CaseNote.objects.filter(subject="Assessment outcome").count() > 20
    assert LookedAfterEpisode.objects.exists() and ChildProtectionPlan.objects.exists()


def test_no_exploitation_concern_for_a_child_under_eleven(authority: JourneyResult) -> None:
    born = _born()
    wrong = []
    for w in _written():
        if "exploitation" in w.lower or "older men" in w.lower:
            age = years_on(born[w.person_id], w.day)
            if age < EXPLOITATION_AGE:
                wrong.append(_show(w, age, "exploitation"))
    assert wrong == []


def test_no_school_before_school_age(authority: JourneyResult) -> None:
    """Contacts, visits and the subjects of case notes speak of school, a teacher or a school visit only from 4."""
    born = _born()
    wrong = []
    school = re.compile(r"\b(school|teacher|class)\b", re.IGNORECASE)
    for w in _written():
        said = (
            w.text.split("\n")[0] if w.kind == "note" else w.text
        )  # a note's subject; the family's checks may say school
        if school.search(said) or w.visit_type == VisitType.SCHOOL:
            age = years_on(born[w.person_id], w.day)
            if age < SCHOOL_AGE:
                wrong.append(_show(w, age, "school"))
    assert wrong == []


def test_personal_education_plans_only_for_looked_after_children_of_school_age(authority: JourneyResult) -> None:
    born, placements = _born(), _placements()
    peps, wrong = 0, []
    for w in _written():
        if "personal education plan" in w.lower:
            peps += 1
            age = years_on(born[w.person_id], w.day)
            if age < SCHOOL_AGE or not _placement_on(placements.get(w.person_id, []), w.day):
                wrong.append(_show(w, age, "PEP"))
    assert wrong == []
    assert peps > 0


def test_foster_carers_are_named_only_in_foster_placements_and_relatives_in_family_placements(
    authority: JourneyResult,
) -> None:
    """A note that speaks of foster carers or a foster home is dated while the child lives with foster carers (or
    is away with others while they are on holiday); a child placed with family is placed with a named relative; a
    child in a children's home has no carers named."""
    born, placements = _born(), _placements()
    wrong = []
    for w in _written():
        kind = _placement_on(placements.get(w.person_id, []), w.day)
        age = years_on(born[w.person_id], w.day)
        if re.search(r"foster (carer|home|care)", w.lower) and kind not in ("foster", "temporary"):
            wrong.append(_show(w, age, f"foster words in a {kind or 'home'} placement"))
        relative = re.search(r"\((his|her|their) (grandmother|aunt)\)", w.text)
        if "family and friends carer" in w.lower and (kind != "kinship" or not relative):
            wrong.append(_show(w, age, f"relative in a {kind or 'home'} placement"))
        if "placed in a children's home" in w.lower and kind != "residential":
            wrong.append(_show(w, age, f"children's home while in a {kind or 'home'} placement"))
    assert wrong == []


def test_an_assessment_is_signed_off_only_once_authorised(authority: JourneyResult) -> None:
    """'Signed off' is written on or after the day the child's assessment was authorised; 'submitted for
    authorisation' while it awaits the manager."""
    assessments: dict[int, list[Assessment]] = defaultdict(list)
    for a in Assessment.objects.select_related("episode"):
        assessments[a.episode.person_id].append(a)
    journeys = _with_journeys()
    born = _born()
    wrong, signed = [], 0
    for w in _written():
        if w.person_id not in journeys:
            continue  # a story there was no room to follow: no record to disagree with (see the next test)
        mine = assessments.get(w.person_id, [])
        age = years_on(born[w.person_id], w.day)
        if "signed off" in w.lower:
            signed += 1
            if not any(a.authorised_on is not None and a.authorised_on <= w.day for a in mine):
                wrong.append(_show(w, age, "signed off before authorisation"))
        if "submitted to the team manager for authorisation" in w.lower and not any(
            a.submitted_on is not None
            and a.submitted_on <= w.day
            and (a.authorised_on is None or a.authorised_on > w.day)
            for a in mine
        ):
            wrong.append(_show(w, age, "awaiting authorisation, but not"))
    assert wrong == []
    assert signed > 0


def test_a_child_whose_story_was_not_followed_has_no_other_history(authority: JourneyResult) -> None:
    journeys = _with_journeys()
    for cand in load_candidates(timezone.localdate()):
        s = cand.story
        if s is None or cand.id not in journeys:
            continue
        first = CINEpisode.objects.filter(person_id=cand.id).order_by("referral_date").first()
        assert first is not None
        assert first.referral_date in (s.contact_on, s.contact_on + timedelta(days=1)), cand.key


def test_child_protection_notes_name_the_plans_own_category(authority: JourneyResult) -> None:
    """A note naming a category of abuse names the category of the child's plan: a plan for neglect is never
    written up as physical abuse, nor a plan under multiple categories as one."""
    plans: dict[int, set[str]] = defaultdict(set)
    for pid, category in ChildProtectionPlan.objects.values_list("person_id", "initial_category"):
        plans[pid].add(category)
    named = dict(CATEGORY_WORDS)
    born = _born()
    wrong, checked = [], 0
    for w in _written():
        mine = plans.get(w.person_id)
        if not mine:
            continue
        said = {c for c, words in named.items() if words in w.lower}
        if not said:
            continue
        checked += 1
        age = years_on(born[w.person_id], w.day)
        if "MUL" in said and "MUL" not in mine:
            wrong.append(_show(w, age, f"multiple categories beside a plan for {sorted(mine)}"))
        single = said - {"MUL"}
        if single and "MUL" not in mine and not single <= mine:
            wrong.append(_show(w, age, f"{sorted(single)} beside a plan for {sorted(mine)}"))
        if "under the category of" in w.lower and "MUL" in mine and not (single & mine):
            wrong.append(_show(w, age, "one category beside a plan under multiple categories"))
    assert wrong == []
    assert checked > 0


def test_a_story_childs_contact_is_the_one_its_case_notes_describe(authority: JourneyResult) -> None:
    """The contact recorded on the day the notes say a contact came in is that contact (the caller and the worry the
    note names), and no child has two contacts on one day about different worries."""
    stories = {c.id: c.story for c in load_candidates(timezone.localdate()) if c.story is not None}
    by_day: dict[tuple[int, date], set[str]] = defaultdict(set)
    checked = 0
    for c in Contact.objects.all():
        day = timezone.localtime(c.received_at).date()
        by_day[(c.person_id, day)].add(c.concern)
        s = stories.get(c.person_id)
        if s is not None and s.concern and day == s.contact_on:
            checked += 1
            assert c.concern == s.concern and c.referrer_name == s.referrer[:150], c.person_id
            note = CaseNote.objects.get(person_id=c.person_id, subject__startswith="Contact from ")
            assert s.concern[:-1].lower() in note.body.lower()
    assert checked > 5
    assert [key for key, concerns in by_day.items() if len(concerns) > 1] == []


def test_the_primary_need_fits_the_childs_age(authority: JourneyResult) -> None:
    """No socially unacceptable behaviour (N6) under the age of criminal responsibility; before birth, only the
    parents' circumstances (no disability, absent parenting or case other than need)."""
    wrong = []
    for ep in CINEpisode.objects.select_related("person"):
        p = ep.person
        born = p.date_of_birth
        if born is None or ep.referral_date < born:
            if ep.primary_need in ("N2", "N6", "N8", "N9"):
                wrong.append((p.pk, ep.referral_date, "unborn", ep.primary_need))
        elif ep.primary_need == "N6" and years_on(born, ep.referral_date) < 10:
            wrong.append((p.pk, ep.referral_date, years_on(born, ep.referral_date), ep.primary_need))
    assert wrong == []
