"""Who the children are: candidates from the person index, with what their case notes (written by
demo.generator) already say happened."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from core.dates import age_on
from people.models import Person, Relationship
from recording.models import CaseNote

from ..texts import concern_of


@dataclass(slots=True)
class Story:
    """What the case notes already on a child's record say happened (demo.generator wrote them)."""

    contact_on: date
    level: str  # assessment, cin, cp, lac, long
    outcome_on: date
    strategy_on: date | None
    closed_on: date | None
    author_id: int | None  # the social worker who wrote the notes
    category: str = ""  # the child protection plan's category the notes name (NEG, PHY, EMO, SAB, MUL)
    placement: str = ""  # where the notes say a looked-after child was placed: foster, kinship, residential
    concern: str = ""  # what the contact note says the worry was (the words after "about")
    referrer: str = ""  # who the contact note says made the contact ("the school nurse, ...")
    referrer_kind: str = ""  # the kind of referrer the note's subject names (school, police, GP, ...)
    concern_key: str = ""  # the family's concern (a demo.texts CONCERNS key), from the note's subject


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
    kin: int = 0  # the lowest person id of everyone they are related to, directly or not (0: nobody)

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


_CATEGORIES = (
    ("under multiple categories", "MUL"),
    ("under the category of neglect", "NEG"),
    ("under the category of physical abuse", "PHY"),
    ("under the category of emotional abuse", "EMO"),
    ("under the category of sexual abuse", "SAB"),
)
_PLACEMENTS = (
    ("placed in foster care", "foster"),
    ("as a family and friends carer", "kinship"),
    ("placed in a children's home", "residential"),
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
    families = _families()
    for c in out:
        c.story = stories.get(c.id)
        c.kin = families.get(c.id, 0)
    return out


_CONTACT = re.compile(r"^Contact received from (?P<who>.+?) about (?P<about>.+?)\. ")


def _contact_note(subject: str, body: str) -> dict[str, str]:
    """What a story's contact note says: who called and about what, the kind of referrer and the concern."""
    kind, _, label = subject.removeprefix("Contact from ").partition(": ")
    found = _CONTACT.match(body)
    out = {"referrer_kind": "anonymous" if "anonymous" in kind else kind, "concern_key": concern_of(label)}
    if found:
        about = found["about"]
        out["concern"] = f"{about[0].upper()}{about[1:]}."
        out["referrer"] = found["who"][0].upper() + found["who"][1:]
    return out


def _families() -> dict[int, int]:
    """Each related person's family: the lowest person id among everyone they are related to, directly or through
    others (union-find over the relationships). The journeys give a family's children to one team, so a team's
    caseload (with the relatives its workers see) is its own."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = Relationship.objects.filter(person_id__lt=F("other_id")).values_list("person_id", "other_id")
    for a, b in pairs.iterator(chunk_size=50000):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


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
            if "contact" not in s:
                s["contact"] = day
                s.update(_contact_note(subject, body))
        elif subject == "Strategy discussion":
            s.setdefault("strategy", day)
        elif subject == "Assessment outcome":
            s.setdefault("outcome", day)
            s["author"] = author
            s["level"] = next((lv for words, lv in _OUTCOME_LEVELS if words in body), "assessment")
            s["category"] = next((c for words, c in _CATEGORIES if words in body), "")
            s["placement"] = next((p for words, p in _PLACEMENTS if words in body), "")
        else:
            s.setdefault("closed", day)
    out = {}
    for pid, s in seen.items():
        if "contact" in s and "outcome" in s:
            out[pid] = Story(
                s["contact"],
                s["level"],
                s["outcome"],
                s.get("strategy"),
                s.get("closed"),
                s["author"],
                s["category"],
                s["placement"],
                s.get("concern", ""),
                s.get("referrer", ""),
                s.get("referrer_kind", ""),
                s.get("concern_key", ""),
            )
    return out
