"""The demo's words (demo.texts) fit the child they are written for, without a database: what a social worker would
notice reading one child's notes."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from demo.journeys.vocabulary import CIN_REVIEW_SUMMARIES, CONCERNS
from demo.texts import (
    EXPLOITATION_AGE,
    SCHOOL_AGE,
    Child,
    FamilyStory,
    Note,
    Situation,
    VisitText,
    choose,
    render,
    settle,
    situation,
    text,
)

TODAY = date(2026, 12, 6)


def _story(level: str, born: date, *, concern: str = "neglect", open: bool = False) -> tuple[FamilyStory, Child]:
    child = Child(1, "Amelia", "Wright", "F", born)
    story = FamilyStory(
        children=[child],
        parent="Katherine",
        parent_full="Katherine Wright",
        parent_rel="mother",
        parent_sex="F",
        concern=concern,
        level=level,
        town="Loughborough",
        dsl="Mrs Patel",
        school_primary="Birstall Primary School",
        school_secondary="Hinckley Academy",
        hv="Shirley Morgan",
        gp="Dr Khan",
        practice="Loughborough Medical Centre",
        midwife="Claire Hughes",
        officer="James Cole",
        iro="Helen Ward (independent reviewing officer)",
        carers="Mr and Mrs Taylor (foster carers)",
        kin="Janice Wright",
        kin_rel="grandmother",
    )
    contact = date(2025, 3, 3)
    settle(
        story,
        random.Random(1),
        contact_on=contact,
        outcome_on=contact + timedelta(days=31),
        end_on=TODAY - timedelta(days=1) if open else contact + timedelta(days=400),
        open=open,
    )
    return story, child


def _words(entry: Note | VisitText | None) -> str:
    if entry is None:
        return ""
    return f"{entry.subject} {entry.body}" if isinstance(entry, Note) else f"{entry.notes} {entry.not_seen_reason}"


def _all_notes(story: FamilyStory, child: Child, events: tuple[str, ...], days: int = 300) -> list[str]:
    assert story.outcome_on is not None
    out = []
    for i in range(days):
        day = story.outcome_on + timedelta(days=i)
        for event in events:
            out.append(_words(render(random.Random(f"{i}{event}"), event, story, child, day, "Sam Okafor")))
    return out


LOOKED_AFTER_EVENTS = ("placement_visit", "meeting", "family_time", "phone", "letter", "direct_work", "school_visit")


def test_a_child_placed_with_her_grandmother_is_never_written_up_with_foster_carers() -> None:
    story, child = _story("lac", date(2024, 3, 1))
    story.placements[child.key] = "kinship"
    notes = _all_notes(story, child, (*LOOKED_AFTER_EVENTS, "outcome"))
    assert not [n for n in notes if "foster" in n.lower()]
    assert any("Janice" in n for n in notes)
    outcome = _words(render(random.Random(1), "outcome", story, child, story.outcome_on or TODAY, "Sam Okafor"))
    assert "placed with Janice Wright (her grandmother) as a family and friends carer" in outcome


def test_a_baby_in_foster_care_has_no_school_and_no_personal_education_plan() -> None:
    story, child = _story("lac", date(2025, 2, 1))  # about 10 months old in the notes' first year
    story.placements[child.key] = "foster"
    notes = _all_notes(story, child, LOOKED_AFTER_EVENTS)
    assert not [n for n in notes if "personal education plan" in n.lower() or "school" in n.lower()]
    assert any("Mrs Taylor" in n or "Mr and Mrs Taylor (foster carers)" in n for n in notes)


def test_a_school_age_child_in_a_childrens_home_has_a_personal_education_plan_and_no_carers_named() -> None:
    story, child = _story("lac", date(2011, 5, 1))
    story.placements[child.key] = "residential"
    notes = _all_notes(story, child, LOOKED_AFTER_EVENTS)
    assert any("Personal education plan meeting" in n for n in notes)
    assert not [n for n in notes if "foster" in n.lower() or "Taylor" in n or "Janice" in n]


def test_an_open_assessment_awaits_authorisation_and_a_closed_one_was_signed_off() -> None:
    story, child = _story("assessment", date(2018, 1, 1), open=True)
    day = story.outcome_on or TODAY
    assert situation(story, child, day).assessment == "submitted"
    note = _words(render(random.Random(1), "outcome", story, child, day, "Sam Okafor"))
    assert "submitted to the team manager for authorisation" in note and "signed off" not in note
    story, child = _story("assessment", date(2018, 1, 1))
    note = _words(render(random.Random(1), "outcome", story, child, story.outcome_on or TODAY, "Sam Okafor"))
    assert "signed off" in note
    before = (story.contact_on or TODAY) + timedelta(days=5)
    assert situation(story, child, before).assessment == "in_progress"
    assert "outcome of assessment" not in " ".join(
        _words(render(random.Random(i), "letter", story, child, before, "Sam Okafor")) for i in range(50)
    )


@pytest.mark.parametrize(
    ("concern", "categories"), [("neglect", {"NEG", "MUL"}), ("injury", {"PHY", "MUL"}), ("domestic_abuse", {"EMO"})]
)
def test_the_plans_category_follows_the_concern_and_the_notes_name_it(concern: str, categories: set[str]) -> None:
    story, child = _story("cp", date(2019, 6, 1), concern=concern)
    assert story.category in categories
    note = _words(render(random.Random(1), "outcome", story, child, story.outcome_on or TODAY, "Sam Okafor"))
    words = {"NEG": "neglect", "PHY": "physical abuse", "EMO": "emotional abuse", "MUL": "multiple categories"}
    assert words[story.category] in note
    assert not [w for c, w in words.items() if c != story.category and w in note]


def test_core_group_words_only_on_a_child_protection_plan() -> None:
    story, child = _story("cin", date(2016, 1, 1))
    notes = _all_notes(story, child, ("home_visit", "phone", "meeting", "letter", "case_note"), days=120)
    assert not [n for n in notes if "core group" in n.lower()]


def test_contact_concerns_fit_every_age() -> None:
    """From before birth to 17, every need has a concern that fits: none about exploitation under 11, none about
    school or a teacher before school age, none about the child (rather than the pregnancy) before birth."""
    for need, entries in CONCERNS.items():
        for age in range(-1, 18):
            for i in range(40):
                words = choose(random.Random(i), entries, Situation(age)).lower()
                if age < EXPLOITATION_AGE:
                    assert "exploitation" not in words, (need, age, words)
                if age < SCHOOL_AGE:
                    assert "school" not in words and "teacher" not in words, (need, age, words)
                if age < 0:
                    assert "the child " not in words and "the child's" not in words, (need, age, words)
        for age in range(0, 18):
            choose(random.Random(0), CIN_REVIEW_SUMMARIES, Situation(age))


def test_choose_draws_exactly_as_rng_choice_whatever_fits() -> None:
    """The conditions on a text never move what the journey draws after it (so the returns do not change when
    words do)."""
    entries = ("a", text("b", ages=(12, 18)), "c", text("d", ages=(-1, 0)), "e", "f", "g")
    for seed in range(30):
        a, b = random.Random(seed), random.Random(seed)
        a.choice(entries)
        choose(b, entries, Situation(3))
        assert a.random() == b.random()
