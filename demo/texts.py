"""Plain-English case notes and visit records for the demo authority, built from templates with some variety.

Every text carries the conditions under which it may be written (`Text`): the child's age in whole years on the day
it is dated, the plan they are on, where they live when looked after (foster carers, family and friends, a
children's home), the state of their assessment and the category of their child protection plan. A picker
(`choose`) only takes a text whose conditions hold for the child that day (`Situation`). So a baby has no school,
no personal education plan and no exploitation concern; foster carers are named only while the child lives with
foster carers (a child placed with family names the relative); a note says the assessment was signed off only once
it has been authorised; a child protection note names the plan's own category.

Every function takes the caller's Random, so a seed gives the same words every time. `choose` draws exactly as
`rng.choice` over the whole list would, whichever texts fit, so a text's conditions never move anything drawn after
it (the journeys' statutory returns do not change when their words do).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.dates import age_on, birthday
from recording.models import CaseNoteType, VisitType

# --- conditions --------------------------------------------------------------------------------------------------

# Age bands, as (from, to) in whole years on the day a text is dated, `to` not included; -1 is before birth.
UNBORN = (-1, 0)
BABY = (0, 1)
TODDLER = (1, 4)
PRIMARY = (4, 12)
TEENAGER = (12, 18)
YOUNG_ADULT = (18, 26)
BORN = (0, 99)
ANY_AGE = (-1, 99)
SCHOOL_AGE = 4  # in reception class from the September after the fourth birthday: a school, a teacher, a PEP
EXPLOITATION_AGE = 11  # exploitation concerns (criminal or sexual) are written about children of 11 and over
CRIMINAL_AGE = 10  # the age of criminal responsibility in England
PRE_SCHOOL = (0, SCHOOL_AGE)
AT_SCHOOL = (SCHOOL_AGE, 18)
BANDS = (
    ("unborn", UNBORN),
    ("baby", BABY),
    ("toddler", TODDLER),
    ("primary", PRIMARY),
    ("teenager", TEENAGER),
    ("young adult", (18, 99)),
)

# Plans: "" (none), "cin" (child in need), "cp" (child protection), "lac" (looked after).
# Placements of a looked-after child (see `placement_kind`): foster, kinship (family and friends), residential,
# supported (supported accommodation), adoption (placed for adoption), parents, temporary.
# Assessment states: none, in_progress, submitted (awaiting authorisation), authorised.
# Categories of a child protection plan: NEG, PHY, EMO, SAB, MUL.
CATEGORY_WORDS = {
    "NEG": "neglect",
    "PHY": "physical abuse",
    "EMO": "emotional abuse",
    "SAB": "sexual abuse",
    "MUL": "multiple categories",
}


def age_band(age: int) -> str:
    """The band ("unborn", "baby", "toddler", "primary", "teenager", "young adult") of an age in whole years."""
    return next(name for name, (lo, hi) in BANDS if lo <= age < hi)


def years_on(born: date, day: date) -> int:
    """Whole years on `day` of someone born (or due) on `born`; -1 before the birth."""
    return -1 if day < born else age_on(born, day)


def placement_kind(code: str) -> str:
    """The kind of an SSDA903 placement code (core.Code list "placement_type"): foster carers (U4-U6), family and
    friends ("kinship": U1-U3, foster placements with a relative or friend), residential (children's homes,
    residential care and schools), supported accommodation, adoption, parents, temporary."""
    if code in ("U1", "U2", "U3"):
        return "kinship"
    if code in ("U4", "U5", "U6"):
        return "foster"
    if code in ("K1", "K2", "R1", "S1"):
        return "residential"
    if code == "K3":
        return "supported"
    if code.startswith("A"):
        return "adoption"
    if code == "P1":
        return "parents"
    if code.startswith("T"):
        return "temporary"
    return "other"


@dataclass(frozen=True, slots=True)
class Situation:
    """A child on the day a text is dated: what the text must fit."""

    age: int  # whole years; -1 before birth
    plan: str = ""
    placement: str = ""  # when looked after
    assessment: str = "none"
    category: str = ""  # when on a child protection plan

    @property
    def band(self) -> str:
        return age_band(self.age)


def _words(value: str | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value.split(","))


@dataclass(frozen=True, slots=True)
class Text:
    """Words, and the conditions under which they may be written. Each condition left as None holds always; the
    others are comma-separated lists of what is allowed ("" stands for none: `plans=",cin"` is no plan or a child
    in need plan)."""

    words: str
    ages: tuple[int, int] = ANY_AGE
    plans: frozenset[str] | None = None
    placements: frozenset[str] | None = None
    assessments: frozenset[str] | None = None
    categories: frozenset[str] | None = None

    def fits(self, s: Situation) -> bool:
        return (
            self.ages[0] <= s.age < self.ages[1]
            and (self.plans is None or s.plan in self.plans)
            and (self.placements is None or s.placement in self.placements)
            and (self.assessments is None or s.assessment in self.assessments)
            and (self.categories is None or s.category in self.categories)
        )


def text(
    words: str,
    *,
    ages: tuple[int, int] = ANY_AGE,
    plans: str | None = None,
    placements: str | None = None,
    assessments: str | None = None,
    categories: str | None = None,
) -> Text:
    return Text(words, ages, _words(plans), _words(placements), _words(assessments), _words(categories))


# One entry of a list of texts: plain words (always fit), a Text, or the same thing said in several ways for several
# situations (the first that fits is taken).
Entry = str | Text | tuple[Text | str, ...]


def fitting(entry: Entry, s: Situation) -> str | None:
    """The words of `entry` that fit `s`, or None."""
    if isinstance(entry, str):
        return entry
    for t in (entry,) if isinstance(entry, Text) else entry:
        if isinstance(t, str):
            return t
        if t.fits(s):
            return t.words
    return None


def fits_any(entries: Sequence[Entry], s: Situation) -> bool:
    return any(fitting(e, s) is not None for e in entries)


def choose(rng: random.Random, entries: Sequence[Entry], s: Situation) -> str:
    """An entry's words that fit `s`. Draws exactly as `rng.choice(entries)` does, whatever fits (so what is drawn
    after it does not depend on the conditions); when the drawn entry does not fit, the next one that does is taken.
    Raises LookupError when none fits: every list has something for every situation it is used in."""
    n = len(entries)
    i = rng.randrange(n)
    for j in range(n):
        words = fitting(entries[(i + j) % n], s)
        if words is not None:
            return words
    raise LookupError(f"no text fits {s}: {entries[0]!r}")


# --- the families' stories ---------------------------------------------------------------------------------------

# What first brought a family to children's social care: (key, how the contact describes it).
CONCERNS: tuple[tuple[str, tuple[Text, ...]], ...] = (
    (
        "neglect",
        (
            text(
                "concerns about home conditions and {child} arriving at school hungry and in unwashed clothes",
                ages=AT_SCHOOL,
            ),
            text("concerns about home conditions and {child} often being hungry and in a soiled nappy", ages=BORN),
            text("concerns about home conditions and the care of the children, with {parent} expecting a baby"),
        ),
    ),
    ("domestic_abuse", (text("a domestic incident at the family home reported by the police overnight"),)),
    ("mental_health", (text("{parent}'s mental health, after the crisis team were called to the home last week"),)),
    (
        "substance",
        (text("concerns that {parent} is drinking heavily and using cannabis while caring for the children"),),
    ),
    (
        "injury",
        (
            text("a bruise on {child}'s upper arm that {he} could not explain, noticed at {setting}", ages=AT_SCHOOL),
            text("a bruise on {child}'s upper arm that {parent} could not explain, seen at a clinic visit", ages=BORN),
            text("a bruise on a sibling's arm that could not be explained, with {parent} expecting a baby"),
        ),
    ),
    (
        "absence",
        (
            text("{child}'s poor attendance at school (71% this term) and late arrival most mornings", ages=AT_SCHOOL),
            text("{child} missing health appointments and immunisations, and not being brought to clinic", ages=BORN),
            text("{parent} missing antenatal appointments and the older children's health appointments"),
        ),
    ),
    (
        "behaviour",
        (
            text(
                "{child}'s behaviour at home and school, with {parent} saying {she_p} can no longer cope",
                ages=(5, 18),
            ),
            text("{parent} saying {she_p} can no longer cope with {child}'s crying and sleepless nights", ages=BORN),
            text("{parent} saying {she_p} cannot cope with the pregnancy and the other children"),
        ),
    ),
    ("housing", (text("the family facing eviction and living in one room at a relative's house"),)),
)
PRE_BIRTH = ("pre_birth", "a pre-birth referral from the community midwife about {parent}'s previous history")

CONCERN_LABELS: dict[str, Entry] = {
    "neglect": "neglect",
    "domestic_abuse": "domestic abuse",
    "mental_health": "parental mental health",
    "substance": "parental substance misuse",
    "injury": "unexplained injury",
    "absence": (text("school attendance", ages=AT_SCHOOL), text("missed health appointments")),
    "behaviour": "parent asking for help",
    "housing": "housing and money",
    "pre_birth": "pre-birth concerns",
}


def concern_of(label: str) -> str:
    """The family's concern (a CONCERNS key) a contact note's subject names by its label ("" when none does)."""
    for key, entry in CONCERN_LABELS.items():
        entries = entry if isinstance(entry, tuple) else (entry,)
        if any((e if isinstance(e, str) else e.words) == label for e in entries):
            return key
    return ""


# Events that make no sense for a baby not yet born: they are not written on an unborn child's record.
NOT_BEFORE_BIRTH = frozenset({"direct_work", "family_time", "placement_visit", "school_visit"})

# Who made the contact, by the family's concern and the child's age: (who, the kind of referrer).
REFERRERS: dict[str, tuple[tuple[Text, str], ...]] = {
    "neglect": (
        (text("{dsl}, designated safeguarding lead at {school}", ages=AT_SCHOOL), "school"),
        (text("{hv}, health visitor", ages=BORN), "health visitor"),
        (text("the community midwife, {midwife}"), "health"),
    ),
    "domestic_abuse": ((text("PC {officer} of Leicestershire Police"), "police"),),
    "mental_health": ((text("{gp} at {practice}"), "GP"),),
    "substance": ((text("an anonymous caller who said they were a neighbour"), "neighbour"),),
    "injury": (
        (text("{dsl}, designated safeguarding lead at {school}", ages=AT_SCHOOL), "school"),
        (text("{hv}, health visitor", ages=BORN), "health visitor"),
        (text("the community midwife, {midwife}"), "health"),
    ),
    "absence": (
        (text("the education welfare officer for {school}", ages=AT_SCHOOL), "school"),
        (text("{hv}, health visitor", ages=BORN), "health visitor"),
        (text("the community midwife, {midwife}"), "health"),
    ),
    "behaviour": ((text("{parent} ({rel_p}), who phoned asking for help"), "parent"),),
    "housing": ((text("the housing options team at the district council"), "housing"),),
    "pre_birth": ((text("the community midwife, {midwife}"), "health"),),
}

# The category of a child protection plan that follows each concern, with weights: a plan about a contact that said
# neglect is for neglect (or for more than one category), never for another single category.
CATEGORY_FOR_CONCERN: dict[str, tuple[tuple[str, int], ...]] = {
    "neglect": (("NEG", 85), ("MUL", 15)),
    "domestic_abuse": (("EMO", 100),),
    "mental_health": (("EMO", 50), ("NEG", 50)),
    "substance": (("NEG", 80), ("MUL", 20)),
    "injury": (("PHY", 75), ("MUL", 25)),
    "absence": (("NEG", 100),),
    "behaviour": (("EMO", 100),),
    "housing": (("NEG", 100),),
    "pre_birth": (("NEG", 60), ("EMO", 40)),
}


@dataclass
class Child:
    key: int
    given: str
    family: str
    sex: str
    born: date  # date of birth, or the expected date for an unborn child
    unborn: bool = False

    def age_at(self, when: date) -> float:
        return (when - self.born).days / 365.25


@dataclass
class FamilyStory:
    """Who is in a known family, the fixed details its notes mention, and (once `settle` has run) what its record
    says happened: when, on which plan, where each looked-after child lives, the category of a plan."""

    children: list[Child]
    parent: str  # first name of the main carer
    parent_full: str
    parent_rel: str  # "mother", "father", "grandmother", ...
    parent_sex: str
    other_adult: str = ""  # a partner or step-parent in the home, first name
    concern: str = "neglect"
    level: str = "assessment"
    town: str = ""
    dsl: str = ""
    school_primary: str = ""
    school_secondary: str = ""
    hv: str = ""
    gp: str = ""
    practice: str = ""
    midwife: str = ""
    officer: str = ""
    iro: str = ""
    carers: str = ""  # the foster carers, should a child need them: "Mr and Mrs Smith (foster carers)"
    kin: str = ""  # the relative who would care for the children: "Jean Smith"
    kin_rel: str = ""  # what the relative is to the children: "grandmother", "aunt"
    birth_parent: str = ""  # first name of the parent the children see at family time, when not `parent`
    extras: dict[str, str] = field(default_factory=dict)
    # What the record says (set by `settle`).
    contact_on: date | None = None
    outcome_on: date | None = None
    end_on: date | None = None
    open: bool = True
    category: str = ""
    placements: dict[int, str] = field(default_factory=dict)  # child key -> placement kind when looked after


def looked_after_route(level: str, born: date | None, outcome_on: date) -> bool:
    """Whether a child of a family whose story ends in care (`level` lac or long) becomes looked after on the
    outcome day: born by then and not yet 18. Otherwise (an unborn baby) the child is made subject to a child
    protection plan. demo.journeys.stories follows the same rule."""
    return level in ("lac", "long") and born is not None and born < outcome_on < birthday(born, 18)


def settle(
    story: FamilyStory, rng: random.Random, *, contact_on: date, outcome_on: date, end_on: date, open: bool
) -> None:
    """Decide what the family's record says happened, from `rng` (its own generator, so nothing else moves): the
    dates, the category of a child protection plan (from the concern), and where each child who becomes looked
    after lives (a teenager sometimes in a children's home; the children of a family together with a relative,
    sometimes, or foster carers)."""
    story.contact_on, story.outcome_on, story.end_on, story.open = contact_on, outcome_on, end_on, open
    weights = CATEGORY_FOR_CONCERN.get(story.concern, CATEGORY_FOR_CONCERN["neglect"])
    story.category = rng.choices([c for c, _ in weights], [w for _, w in weights])[0]
    with_kin = story.parent_rel == "grandmother" or rng.random() < 0.2
    for c in story.children:
        if not looked_after_route(story.level, None if c.unborn else c.born, outcome_on):
            continue
        if years_on(c.born, outcome_on) >= 13 and rng.random() < 0.45:
            story.placements[c.key] = "residential"
        else:
            story.placements[c.key] = "kinship" if with_kin and story.kin else "foster"


def situation(story: FamilyStory, child: Child, when: date) -> Situation:
    """`child` on `when`, as the family's record says (see `settle`)."""
    age = years_on(child.born, when)
    outcome = story.outcome_on
    if outcome is None or story.contact_on is None:
        return Situation(age)
    if when <= story.contact_on:
        assessment = "none"
    elif when < outcome:
        assessment = "in_progress"
    elif story.level == "assessment" and story.open:
        assessment = "submitted"  # the open assessments of the demo await the manager's authorisation
    else:
        assessment = "authorised"
    plan, placement, category = "", "", ""
    if outcome <= when and (story.end_on is None or when <= story.end_on):
        if child.key in story.placements:
            plan, placement = "lac", story.placements[child.key]
        elif story.level in ("cp", "lac", "long"):
            plan, category = "cp", story.category
        elif story.level == "cin":
            plan = "cin"
    return Situation(age, plan, placement, assessment, category)


# --- words -------------------------------------------------------------------------------------------------------

# Why a child was not seen on a visit at home, by age.
NOT_SEEN_REASONS = (
    "No one answered the door. I left a card asking {parent} to contact me.",
    text("{child} was at nursery and {parent} did not want me to visit there.", ages=(2, 5)),
    "{parent} cancelled by text message on the morning of the visit, saying {child} was unwell.",
    text("{child} was asleep and {parent} would not wake {him}.", ages=(0, 8)),
    text("{child} was staying with {his} grandparents for the weekend.", ages=(0, 16)),
    "{parent} would not let me into the house and spoke to me on the doorstep.",
    text("{child} had gone out with friends before I arrived and did not answer {his} phone.", ages=(12, 18)),
)
NOT_SEEN_AT_SCHOOL = (
    "{child} was absent from school today and the school had not been told why.",
    "{child} was out on a school trip; the school had not passed on my message.",
    "{child} did not want to leave the lesson and the teacher felt it best not to insist.",
)
NOT_SEEN_AT_PLACEMENT = (
    (
        text("{child} was out at a club when I arrived; {carer} had forgotten the visit.", ages=(5, 18)),
        text("{carer} had taken {child} to a playgroup and had forgotten the visit.", ages=BORN),
    ),
    (
        text("{child} refused to come downstairs to see me.", ages=(8, 18)),
        text("{child} was asleep and {carer} did not want to wake {him}.", ages=BORN),
    ),
    "The placement asked to rearrange because {child} had a hospital appointment.",
)


def _pronouns(sex: str) -> dict[str, str]:
    if sex == "M":
        return {"he": "he", "him": "him", "his": "his", "He": "He", "His": "His"}
    if sex == "F":
        return {"he": "she", "him": "her", "his": "her", "He": "She", "His": "Her"}
    return {"he": "they", "him": "them", "his": "their", "He": "They", "His": "Their"}


def _ctx(story: FamilyStory, child: Child, when: date, worker: str, s: Situation) -> dict[str, str]:
    age = child.age_at(when)
    school = story.school_secondary if age >= 11 else story.school_primary
    setting = school if age >= SCHOOL_AGE else "nursery"
    pronouns = _pronouns(child.sex)
    # Who cares for a looked-after child: the foster carers, the relative, or the staff of the children's home.
    if s.placement == "kinship":
        carers = f"{story.kin} ({pronouns['his']} {story.kin_rel})"
        carer = story.kin.split(" ")[0]
        home = f"{story.kin.split(' ')[0]}'s home"
    elif s.placement == "foster":
        carers = story.carers
        carer = story.carers.split(" (")[0].replace("Mr and Mrs", "Mrs")
        home = f"{pronouns['his']} foster home"
    elif s.placement:
        carers = "the staff at the children's home"
        carer = f"{pronouns['his']} key worker"
        home = "the children's home"
    else:
        carers = carer = home = ""
    ctx = {
        "child": child.given,
        "child_full": f"{child.given} {child.family}",
        "parent": story.parent,
        "parent_full": story.parent_full,
        "birth_parent": story.birth_parent or story.parent,
        "rel_p": story.parent_rel,
        "she_p": "she" if story.parent_sex == "F" else "he",
        "her_p": "her" if story.parent_sex == "F" else "his",
        "him_p": "her" if story.parent_sex == "F" else "him",
        "other": story.other_adult or ("her ex-partner" if story.parent_sex == "F" else "his ex-partner"),
        "school": school,
        "setting": setting,
        "dsl": story.dsl,
        "hv": story.hv,
        "gp": story.gp,
        "practice": story.practice,
        "midwife": story.midwife,
        "officer": story.officer,
        "iro": story.iro,
        "carers": carers,
        "carer": carer,
        "placement_home": home,
        "worker": worker,
        "town": story.town,
        "siblings": ", ".join(c.given for c in story.children if c.key != child.key and not c.unborn) or "",
        "school_age": "yes" if age >= 4.5 else "",
        "cat": CATEGORY_WORDS.get(s.category, ""),
    }
    ctx.update(pronouns)
    return ctx


def _fill(rng: random.Random, entries: Sequence[Entry], ctx: dict[str, str], s: Situation) -> str:
    template = choose(rng, entries, s)
    words = template.format(**ctx)
    # A sentence that starts with the carer ("her key worker said...") starts with a capital.
    return words[:1].upper() + words[1:] if template.startswith("{carer}") else words


_PRESENTATION = (
    text("{parent} is {weeks} weeks pregnant and says she has been attending her antenatal appointments.", ages=UNBORN),
    text("{parent} showed me the scan photographs and talked about getting the nursery ready.", ages=UNBORN),
    text(
        "{child} was awake and alert, making good eye contact and babbling when {parent} talked to {him}.", ages=(0, 2)
    ),
    text(
        "{child} was asleep in {his} cot when I arrived; I saw {him} when {he} woke and {he} appeared well.",
        ages=(0, 2),
    ),
    text(
        "{child} was clean and appropriately dressed. {parent} fed {him} during the visit and responded to {his} cues.",
        ages=(0, 2),
    ),
    text(
        "{child}'s nappy area was sore; {parent} said {she_p} would get cream from the pharmacy and ask the health visitor.",
        ages=(0, 2),
    ),
    text("{child} played with the toys I brought and showed me {his} favourite book.", ages=(2, 5)),
    text("{child} was busy with {his} trains on the living room floor and came to show me each one.", ages=(2, 5)),
    text("{child} was shy at first but warmed up and was chatting by the end of the visit.", ages=(2, 5)),
    text("{child} had a cold but was otherwise well presented. {His} speech seems delayed for {his} age.", ages=(2, 5)),
    text("{child} showed me {his} bedroom, which was tidy, with a bed, clean bedding and toys.", ages=(5, 12)),
    text("{child} talked about school and {his} friends; {he} said maths is {his} favourite subject.", ages=(5, 12)),
    text(
        "I spoke with {child} on {his} own in {his} bedroom. {He} drew a picture of the people in {his} house.",
        ages=(5, 12),
    ),
    text("{child} was quiet and did not want to talk today, but said {he} was 'OK'.", ages=(5, 12)),
    text("{child} used the three houses tool with me: {his} worries were about shouting at home.", ages=(5, 12)),
    text(
        "{child} spoke to me on {his} own in the kitchen. {He} said things are 'fine' but did not want to say more.",
        ages=TEENAGER,
    ),
    text(
        "{child} talked about college plans and {his} part-time job; {he} says home is calmer at the moment.",
        ages=(15, 18),
    ),
    text(
        "{child} was in {his} room and came down after some encouragement. {He} was polite but guarded.",
        ages=TEENAGER,
    ),
    text(
        "{child} told me {he} has been staying out late with friends and that {parent} worries about it.",
        ages=(13, 18),
    ),
)

_HOME = (
    "The home was warm, clean and tidy, with food in the fridge and cupboards.",
    "The living room was cluttered and there was a strong smell of smoke; {parent} agreed to open the windows.",
    "Home conditions have improved since my last visit: the kitchen was clean and the rubbish has been cleared.",
    "The house was cold; {parent} said the gas meter had run out and {she_p} was waiting for payday.",
    "There were dirty dishes piled in the sink and dog mess in the garden, which {parent} said {she_p} would clear today.",
    "The home was adequate. The children's bedrooms had beds and clean bedding.",
)

_PARENT = (
    "{parent} was welcoming and engaged well with the visit.",
    "{parent} was initially defensive but calmed down and talked openly about the pressures on the family.",
    text(
        "{parent} said {she_p} feels more supported since the last meeting and is attending the parenting course.",
        assessments="submitted,authorised",
    ),
    "{parent} seemed tired and low in mood. We talked about {him_p} speaking to {her_p} GP again.",
    "{parent} said {other} has not been to the house since the last incident.",
    (
        text(
            "{parent} was angry about the involvement of children's services and said the school had 'overreacted'.",
            ages=AT_SCHOOL,
        ),
        text(
            "{parent} was angry about the involvement of children's services and said the referrer had 'overreacted'."
        ),
    ),
)

_ACTIONS = (
    (
        text("I agreed to refer {parent} to the family support worker for help with routines.", plans=",cin,cp"),
        text("I will update {child}'s care plan before the next review.", plans="lac"),
    ),
    (
        text("I will complete a referral to the food bank and the housing team.", plans=",cin,cp"),
        text("I will ask the independent reviewing officer to bring the next review forward.", plans="lac"),
    ),
    "Next visit booked for two weeks' time.",
    "I will discuss this with my manager in supervision.",
    (
        text("I reminded {parent} of the core group meeting next week.", plans="cp"),
        text("I reminded {parent} of the review meeting next month.", plans="cin"),
        text("I reminded {carer} of the looked after review next month.", plans="lac"),
        text("I will write to {parent} with the outcome of the assessment.", assessments="authorised,submitted"),
        text("I will complete the assessment within the timescale."),
    ),
    (
        text("I gave {parent} the number for the domestic abuse helpline.", plans=",cin,cp"),
        text("I will arrange the next family time with {birth_parent}.", plans="lac"),
    ),
)
_SCHOOL_ACTION = "I will contact {school} to ask about attendance and how {child} presents in class."
_EARLY_YEARS_ACTION = "I will ask {hv} to check {child}'s development at the next health visit."
_ANTENATAL_ACTION = "I will speak to {midwife} before {parent}'s next antenatal appointment."


def _action(rng: random.Random, ctx: dict[str, str], s: Situation) -> str:
    extra = _SCHOOL_ACTION if ctx["school_age"] else (_ANTENATAL_ACTION if s.age < 0 else _EARLY_YEARS_ACTION)
    return _fill(rng, (*_ACTIONS, extra), ctx, s)


_AT_HOME_WORDS = ("bedroom", "living room", "cot", "kitchen", " room", "fed ", "asleep")


def _presentation(
    rng: random.Random, ctx: dict[str, str], born: date, when: date, s: Situation, at_home: bool = True
) -> str:
    extra = dict(ctx)
    if s.age < 0:
        extra["weeks"] = str(max(8, min(41, 40 - (born - when).days // 7)))
    if s.plan == "lac":  # the child lives with carers: they, not the parent, are with the child
        extra.update(parent=ctx["carer"], she_p="she", her_p="her", him_p="her")
    lines = [t for t in _PRESENTATION if t.fits(s)]
    if not at_home:
        lines = [t for t in lines if not any(w in t.words for w in _AT_HOME_WORDS)] or lines
    return _fill(rng, lines, extra, s)


@dataclass
class Note:
    note_type: str
    subject: str
    body: str


@dataclass
class VisitText:
    visit_type: str
    child_seen: bool
    seen_alone: bool
    not_seen_reason: str
    notes: str


Written = Note | VisitText


def _note(kind: str, subject: str, body: str) -> Note:
    return Note(kind, subject[:200], body)


def render(rng: random.Random, event: str, story: FamilyStory, child: Child, when: date, worker: str) -> Written | None:
    """The case note or visit for one event of a family's story, written on one child's record; None when the event
    has nothing to say about this child that day (family time for a child who is not looked after)."""
    s = situation(story, child, when)
    if event in ("placement_visit", "family_time") and s.plan != "lac":
        if event == "family_time":
            return None
        event = "home_visit"
    ctx = _ctx(story, child, when, worker, s)
    fn = _RENDERERS.get(event, _render_case_note)
    return fn(rng, ctx, story, child, when, s)


def _render_contact(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    concern = dict(CONCERNS).get(story.concern)
    about = (fitting(concern, s) if concern else PRE_BIRTH[1]) or PRE_BIRTH[1]
    referrer = next((w, kind) for t, kind in REFERRERS.get(story.concern, REFERRERS["neglect"]) if (w := fitting(t, s)))
    who, kind = referrer[0].format(**ctx), referrer[1]
    body = (
        f"Contact received from {who} about {about.format(**ctx)}. "
        + _fill(
            rng,
            (
                "The caller said the family are not known to them beyond this. ",
                "The caller said they had raised similar worries informally last year. ",
                "The caller was clear that {parent} is aware they have contacted us. ",
                "The caller did not want {parent} to know they had been in touch. ",
            ),
            ctx,
            s,
        )
        + _fill(
            rng,
            (
                "Checks show previous contacts in {town} in the last two years, closed with advice.",
                "No previous involvement with children's social care found.",
                "Family previously known to early help; case closed last year.",
            ),
            ctx,
            s,
        )
        + " Passed to the duty manager for a decision within one working day."
    )
    label = fitting(CONCERN_LABELS.get(story.concern, story.concern.replace("_", " ")), s)
    subject = f"Contact from {kind}: {label}"
    return _note(
        CaseNoteType.PHONE_CALL if kind in ("police", "GP", "neighbour") else CaseNoteType.CASE_NOTE, subject, body
    )


def _render_decision(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    if story.level == "assessment":
        outcome = "Decision: proceed to a child and family assessment (single assessment) under section 17."
    elif story.level in ("cp", "lac", "long"):
        outcome = "Decision: threshold met for a strategy discussion; section 47 enquiries likely."
    else:
        outcome = "Decision: proceed to a child and family assessment; consider a child in need plan."
    body = (
        _fill(
            rng,
            (
                "Duty manager reviewed the contact and the checks with partner agencies. ",
                "Management oversight of the contact: information from school, health and police considered. ",
            ),
            ctx,
            s,
        )
        + outcome
        + " Allocated to "
        + ctx["worker"]
        + "."
    )
    return _note(CaseNoteType.CASE_NOTE, "Manager's decision on contact", body)


def _render_strategy(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    if s.age < 0:
        partner = f"{ctx['midwife']} (midwifery)"
    elif s.age < 5:
        partner = f"{ctx['hv']} (health visiting)"
    else:
        partner = f"{ctx['dsl']} (education)"
    body = (
        f"Strategy discussion held by Teams. Present: {ctx['worker']} (social worker), PC {ctx['officer']} "
        f"(police), {partner} and the duty manager. "
        + _fill(
            rng,
            (
                "Information shared about the incident and the family's history. ",
                "Police confirmed two previous call-outs to the address this year. ",
                (
                    text("Health shared that {child} has missed two appointments. ", ages=BORN),
                    text("Health shared that {parent} has missed two antenatal appointments. "),
                ),
            ),
            ctx,
            s,
        )
        + (
            # A child the family's record takes into care: the meeting agrees legal planning, not a section 47.
            "Agreed: a legal planning meeting to be arranged straight away; {child} to be seen today; "
            if child.key in story.placements
            else "Agreed: section 47 enquiries to be completed jointly; {child} to be seen today; "
            if s.age >= 0
            else "Agreed: section 47 enquiries to be completed jointly; {parent} to be seen today; "
        ).format(**ctx)
        + _fill(
            rng,
            (
                "{parent} to be informed by the social worker.",
                (
                    text("a child protection medical to be arranged if a new injury is seen.", ages=BORN),
                    text("a pre-birth assessment to start straight away."),
                ),
                "a safety plan to be agreed with {parent} tonight.",
            ),
            ctx,
            s,
        )
    )
    return _note(CaseNoteType.MEETING, "Strategy discussion", body)


def _visit(
    rng: random.Random,
    ctx: dict[str, str],
    story: FamilyStory,
    child: Child,
    when: date,
    s: Situation,
    vtype: str,
) -> Written:
    if s.age < 0:
        body = " ".join(
            [
                _presentation(rng, ctx, child.born, when, s),
                _fill(rng, _HOME, ctx, s),
                _fill(rng, _PARENT, ctx, s),
                "We talked about the plan for when the baby is born, who will help and where the baby will sleep.",
                _action(rng, ctx, s),
            ]
        )
        return VisitText(
            VisitType.HOME, False, False, "Unborn baby: visit to {parent} before the birth.".format(**ctx), body
        )
    seen = rng.random() < 0.88
    if not seen:
        if vtype == VisitType.SCHOOL:
            reason, opening = _fill(rng, NOT_SEEN_AT_SCHOOL, ctx, s), "Visit to see {child} at {school}. ".format(**ctx)
        elif vtype in (VisitType.PLACEMENT, VisitType.OFFICE):
            reason, opening = (
                _fill(rng, NOT_SEEN_AT_PLACEMENT, ctx, s),
                (
                    "Statutory visit to {child} at the placement. "
                    if vtype == VisitType.PLACEMENT
                    else "{child} was due at the office with {carers}. "
                ).format(**ctx),
            )
        else:
            reason = _fill(rng, NOT_SEEN_REASONS, ctx, s)
            opening = _fill(
                rng,
                (
                    text("Unannounced visit as agreed in the plan. ", plans="cin,cp"),
                    "Planned visit; {parent} had confirmed the time yesterday. ",
                ),
                ctx,
                s,
            )
        body = (
            opening
            + reason
            + " "
            + _fill(
                rng,
                (
                    "I will return within five working days.",
                    "I have informed my manager and will visit again tomorrow.",
                    "I phoned {parent} afterwards and rearranged for Thursday.",
                ),
                ctx,
                s,
            )
        )
        return VisitText(vtype, False, False, reason, body)
    alone = s.age >= SCHOOL_AGE and rng.random() < 0.65
    openings: tuple[Entry, ...]
    if vtype == VisitType.SCHOOL:
        openings = ("Visit to see {child} at {school}.",)
    elif vtype == VisitType.PLACEMENT:
        openings = ("Statutory visit to {child} at the placement.", "Visit to {child} at {placement_home}.")
    elif vtype == VisitType.OFFICE:
        openings = ("{child} came to the office with {carers}.",)
    else:
        openings = (
            "Announced visit to see {child} and {parent}.",
            (
                text("Unannounced visit as agreed at the core group.", plans="cp"),
                text("Unannounced visit as agreed in the plan.", plans="cin"),
                text("Unannounced visit during the assessment.", assessments="in_progress"),
                text("Unannounced visit to see {child} and {parent}."),
            ),
            "Statutory visit to {child}.",
        ) + (("Visit to see {child} after school.",) if ctx["school_age"] else ())
    at_home = vtype in (VisitType.HOME, VisitType.STATUTORY, VisitType.PLACEMENT)
    parts = [_fill(rng, openings, ctx, s), _presentation(rng, ctx, child.born, when, s, at_home)]
    if alone:
        alone_lines: tuple[str, ...] = (
            (
                "I saw {child} on {his} own for about twenty minutes.",
                "I spent time alone with {child} in {his} bedroom.",
            )
            if at_home
            else ("I saw {child} on {his} own for about twenty minutes.",)
        )
        if vtype in (VisitType.HOME, VisitType.STATUTORY):
            alone_lines += ("{child} was happy to talk to me without {parent} in the room.",)
        parts.append(_fill(rng, alone_lines, ctx, s))
    if vtype == VisitType.HOME:
        parts.append(_fill(rng, _HOME, ctx, s))
        parts.append(_fill(rng, _PARENT, ctx, s))
    elif vtype == VisitType.SCHOOL:
        parts.append("Met in a quiet room at {school}; {dsl} checked in with me afterwards.".format(**ctx))
    elif vtype == VisitType.PLACEMENT:
        parts.append(
            _fill(
                rng,
                (
                    "{carer} said {child} is settling well and eating better.",
                    "{carer} reported some difficult nights after family time.",
                    "{carer} has taken {child} to the dentist and the optician this month.",
                ),
                ctx,
                s,
            )
        )
    parts.append(_action(rng, ctx, s))
    return VisitText(vtype, True, alone, "", " ".join(parts))


def _render_home_visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    return _visit(rng, ctx, story, child, when, s, VisitType.HOME if rng.random() < 0.8 else VisitType.STATUTORY)


def _render_school_visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    if s.age < SCHOOL_AGE:
        if s.plan == "lac":
            return _render_placement_visit(rng, ctx, story, child, when, s)
        return _render_home_visit(rng, ctx, story, child, when, s)
    return _visit(rng, ctx, story, child, when, s, VisitType.SCHOOL)


def _render_placement_visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    return _visit(rng, ctx, story, child, when, s, VisitType.PLACEMENT if rng.random() < 0.85 else VisitType.OFFICE)


def _render_phone(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    if s.age < 0:
        who, subject = "{midwife}, community midwife".format(**ctx), "Phone call with midwife"
        said = _fill(
            rng,
            (
                "{parent} has attended her antenatal appointments and the baby is growing as expected.",
                "{parent} missed her last antenatal appointment; the midwife will visit at home this week.",
                "The midwife has no new concerns and will share the birth plan with us.",
            ),
            ctx,
            s,
        )
    elif s.age < 5 and ctx["hv"] and rng.random() < 0.55:
        who, subject = "{hv}, health visitor".format(**ctx), "Phone call with health visitor"
        said = _fill(
            rng,
            (
                "{child}'s weight is on the 25th centile and {his} development is broadly on track.",
                (
                    text(
                        "{carer} missed the last clinic appointment; a home visit is booked for next week.", plans="lac"
                    ),
                    text("{parent} missed the last clinic appointment; a home visit is booked for next week."),
                ),
                (
                    text("No new concerns; {carer} is engaging well with the health visiting service.", plans="lac"),
                    text("No new concerns; {parent} is engaging well with the health visiting service."),
                ),
            ),
            ctx,
            s,
        )
    elif s.age >= SCHOOL_AGE and ctx["school"] and rng.random() < 0.6:
        who, subject = "{dsl} at {school}".format(**ctx), "Phone call with school"
        said = _fill(
            rng,
            (
                "Attendance this half term is 89%, up from 76%.",
                "{child} arrived late three times this week and said {he} was tired.",
                "{child} has been happier in class and is eating breakfast club food.",
                (
                    text(
                        "{child} told a teaching assistant that there was shouting at home at the weekend.",
                        plans=",cin,cp",
                    ),
                    text("{child} told a teaching assistant that {he} misses {his} family.", plans="lac"),
                ),
            ),
            ctx,
            s,
        )
    else:
        who, subject = "{parent}".format(**ctx), "Phone call with " + ctx["rel_p"]
        said = _fill(
            rng,
            (
                (
                    text(
                        "{parent} rang to ask for help with the cost of school uniform.",
                        ages=AT_SCHOOL,
                        plans=",cin,cp",
                    ),
                    text(
                        "{parent} rang to ask for help with the cost of nappies and formula milk.",
                        ages=(0, 2),
                        plans=",cin,cp",
                    ),
                    text("{parent} asked how {child} is getting on with {carer}.", plans="lac"),
                    text("{parent} rang to ask about a grant for a cot and a car seat."),
                ),
                "{parent} said the week had been difficult but the children were OK.",
                "{parent} wanted to know the date of the next meeting; I confirmed it by text.",
                "{parent} told me {other} had been in touch and wanted to see the children.",
                "{parent} was upset about the last meeting and we talked it through.",
            ),
            ctx,
            s,
        )
    body = f"I spoke to {who}. {said} "
    if rng.random() < 0.5:
        body += _fill(rng, _PHONE_MORE, ctx, s) + " "
    body += _action(rng, ctx, s)
    return _note(CaseNoteType.PHONE_CALL, subject, body)


_PHONE_MORE = (
    (
        text("We agreed that I would share this with the rest of the core group before the next meeting.", plans="cp"),
        text("We agreed that I would share this with the independent reviewing officer.", plans="lac"),
        text("We agreed that I would share this with the others working with the family."),
    ),
    "There are no new safeguarding concerns from this call.",
    "I asked them to let me know straight away if anything changes.",
    "I explained that this will be recorded and shared with my manager.",
    "They will send a written update by email this week.",
)

_MEETINGS = {
    "": ("Family meeting",),
    "cin": ("Child in need review",),
    "cp": ("Core group meeting", "Core group meeting", "Review child protection conference"),
    "lac": (
        "Looked after child review",
        (
            text("Personal education plan meeting", ages=AT_SCHOOL),
            text("Looked after child review"),
        ),
        "Placement planning meeting",
    ),
}


def _render_meeting(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    subject = _fill(rng, _MEETINGS[s.plan], ctx, s)
    progress = _fill(
        rng,
        (
            (
                text(
                    "Progress against the plan reviewed: routines are better and school attendance has improved. ",
                    ages=AT_SCHOOL,
                    plans="cin,cp",
                ),
                text(
                    "Progress against the plan reviewed: routines are better and {child} is going to clinic. ",
                    plans="cin,cp",
                ),
                text("{child} is settled with {carer}; {his} health assessment is up to date. ", plans="lac"),
                text("The family talked about what is going well and what worries them. "),
            ),
            (
                text(
                    "The group agreed that some progress has been made but the home is still not consistently safe. ",
                    plans="cin,cp",
                ),
                text(
                    "The meeting agreed that {child} cannot yet return home safely; the care plan continues. ",
                    plans="lac",
                ),
                text("The family agreed what each of them will do before the assessment is finished. "),
            ),
            "{parent} did not attend; the group was concerned about {her_p} engagement. ",
            (
                text(
                    "{child}'s views were shared from the direct work: {he} wants to keep seeing {his} family. ",
                    ages=AT_SCHOOL,
                    plans="lac",
                ),
                text(
                    "{child}'s views were shared from the direct work: {he} wants things to stay calm at home. ",
                    ages=AT_SCHOOL,
                ),
                text("The health visitor said {child} is meeting {his} milestones. ", ages=BORN),
                text("The midwife said the pregnancy is progressing well. "),
            ),
        ),
        ctx,
        s,
    )
    parent_came = "did not attend" not in progress
    attendees = ", ".join(
        a
        for a in (
            ctx["parent"] if parent_came else "",
            ctx["worker"],
            ctx["dsl"] if s.age >= SCHOOL_AGE else (ctx["hv"] if s.age >= 0 else ctx["midwife"]),
            ctx["iro"] if s.plan == "lac" or subject == "Review child protection conference" else "",
            ctx["carers"] if s.plan == "lac" else "",
        )
        if a
    )
    body = (
        f"{subject} held. Attended: {attendees}. "
        + progress
        + _fill(
            rng,
            (
                (
                    text("Plan updated; next review in three months.", plans="cin,cp"),
                    text("Care plan updated; next review in six months.", plans="lac"),
                    text("Next steps agreed with the family."),
                ),
                "Actions agreed for each member of the group; minutes to follow.",
                (
                    text("The chair recommended the plan continues unchanged.", plans="cin,cp,lac"),
                    text("The family agreed to meet again in a month."),
                ),
            ),
            ctx,
            s,
        )
    )
    return _note(CaseNoteType.MEETING, subject, body)


_LETTERS = (
    "Letter to {rel_p}: invitation to meeting",
    (
        text("Letter to {rel_p}: outcome of assessment", assessments="authorised"),
        text("Letter to {rel_p}: the assessment", assessments="in_progress,submitted"),
        text("Letter to {rel_p}: the contact"),
    ),
    (
        text("Email to school: plan update", ages=AT_SCHOOL, plans="cin,cp,lac"),
        text("Email to school: the assessment", ages=AT_SCHOOL),
        text("Email from health visitor", ages=PRE_SCHOOL),
        text("Letter to {rel_p}: invitation to meeting"),
    ),
)
_LETTER_BODIES = {
    "Letter to {rel_p}: invitation to meeting": (
        "Letter sent to {parent_full} inviting {him_p} to the next meeting and explaining how to bring a supporter."
    ),
    "Letter to {rel_p}: outcome of assessment": (
        "Letter to {parent_full} setting out the outcome of the assessment and what will happen next."
    ),
    "Letter to {rel_p}: the assessment": (
        "Letter to {parent_full} explaining what the assessment is for and who I will speak to."
    ),
    "Letter to {rel_p}: the contact": "Letter to {parent_full} explaining why we were contacted and what happens next.",
    "Email to school: the assessment": "Emailed {dsl} at {school} to ask for the school's view for the assessment.",
    "Email from health visitor": "Email received from {hv}: {child} was seen at clinic and is gaining weight as expected.",
}
_PLAN_UPDATE = {
    "cp": "Emailed {dsl} at {school} a copy of the updated plan and the date of the next core group.",
    "cin": "Emailed {dsl} at {school} a copy of the updated plan and the date of the next review.",
    "lac": "Emailed {dsl} (designated teacher) at {school} the updated care plan and the date of the next review.",
}


def _render_letter(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    subject = choose(rng, _LETTERS, s)
    body = _PLAN_UPDATE[s.plan] if subject == "Email to school: plan update" else _LETTER_BODIES[subject]
    return _note(CaseNoteType.CORRESPONDENCE, subject.format(**ctx), body.format(**ctx))


def _render_supervision(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    body = (
        "Case discussed in supervision. "
        + _fill(
            rng,
            (
                (
                    text(
                        "Reflection on how {child} is settling with {carer} and on family time with {birth_parent}. ",
                        plans="lac",
                    ),
                    text("Reflection on {parent}'s engagement and the impact of the home environment on {child}. "),
                ),
                (
                    text(
                        "Management oversight: plan remains appropriate; visits to continue at the agreed frequency. ",
                        plans="cin,cp,lac",
                    ),
                    text(
                        "Management oversight: the assessment is on track to be completed within timescale. ",
                        assessments="in_progress",
                    ),
                    text("Management oversight: agreed the next steps with the family. "),
                ),
                "Considered whether the threshold for escalation is met; agreed to review after the next visit. ",
                (
                    text(
                        "Discussed {child}'s lived experience and how to capture {his} voice in the records. ",
                        ages=BORN,
                    ),
                    text("Discussed the plan for the baby's birth and who will support {parent}. "),
                ),
            ),
            ctx,
            s,
        )
        + _fill(rng, ("Actions recorded on the supervision form.", "Next supervision in four weeks."), ctx, s)
    )
    return _note(CaseNoteType.CASE_NOTE, "Management oversight and supervision", body)


def _render_direct_work(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    if s.age < SCHOOL_AGE:
        with_ = "{carer}" if s.plan == "lac" else "{parent}"
        body = f"Observation of {{child}} at play with {with_}. ".format(**ctx) + _presentation(
            rng, ctx, child.born, when, s
        )
    else:
        body = _fill(
            rng,
            (
                (
                    text(
                        "Direct work session with {child} using the 'three houses' tool. {He} put 'when {rel_p} is sad' in the house of worries.",
                        plans=",cin,cp",
                    ),
                    text(
                        "Direct work session with {child} using the 'three houses' tool. {He} put 'missing home' in the house of worries."
                    ),
                ),
                (
                    text(
                        "Life story work with {child}: we looked at photographs and made a timeline of the places {he} has lived.",
                        plans="lac",
                    ),
                    text("Direct work with {child} about the people who are important to {him}, using an ecomap."),
                ),
                "Direct work with {child} about feelings, using the feelings cards. {He} chose 'worried' and 'happy'.",
                (
                    text(
                        "Session with {child} about keeping safe online and who {he} could talk to if worried.",
                        ages=(8, 18),
                    ),
                    text("Session with {child} about who {he} could talk to if worried, using a 'helping hand'."),
                ),
            ),
            ctx,
            s,
        )
    return _note(CaseNoteType.CASE_NOTE, "Direct work with " + child.given, body)


def _render_family_time(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    body = _fill(
        rng,
        (
            "Supervised family time at the family centre. {birth_parent} arrived on time and brought snacks; {child} was pleased to see {him_p}.",
            "{birth_parent} arrived 25 minutes late to family time. {child} was upset while waiting but settled once {she_p} arrived.",
            (
                text(
                    "Family time went well; {birth_parent} played a board game with {child} and praised {him}.",
                    ages=(4, 18),
                ),
                text(
                    "Family time went well; {birth_parent} fed {child} and played with {him} on the mat.", ages=(0, 2)
                ),
                text("Family time went well; {birth_parent} read {child} a story and played with {him}."),
            ),
            "{birth_parent} did not attend family time and did not call to cancel. {child} went back with {carers}.",
        ),
        ctx,
        s,
    )
    return _note(CaseNoteType.CASE_NOTE, "Family time (contact) record", body)


def _render_outcome(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    placed = {
        "foster": " and was placed in foster care with {carers}.",
        "kinship": " and was placed with {carers} as a family and friends carer.",
        "residential": " and was placed in a children's home.",
    }.get(s.placement, ".")
    category = (
        "under multiple categories (more than one kind of harm)"
        if s.category == "MUL"
        else f"under the category of {CATEGORY_WORDS.get(s.category, 'neglect')}"
    )
    if s.plan == "lac":
        outcome = (
            "Following the legal planning meeting, {child} became looked after under section 20 with {parent}'s agreement"
            if story.level == "lac"
            else "Following the legal planning meeting, care proceedings were issued; {child} became looked after"
        ) + placed
    elif s.plan == "cp":
        conference = "Pre-birth child protection conference" if s.age < 0 else "Initial child protection conference"
        outcome = f"{conference} held: {{child}} made subject to a child protection plan {category}."
    elif s.plan == "cin":
        outcome = "Outcome: child in need plan under section 17. First review in three months."
    elif s.assessment == "submitted":
        outcome = "Recommendation: no further action by children's social care, with a referral to early help."
    else:
        outcome = "No further action by children's social care; the family have agreed to a referral to early help."
    body = (
        (
            "Child and family assessment completed and submitted to the team manager for authorisation. "
            if s.assessment == "submitted"
            else "Child and family assessment completed and signed off by the team manager. "
        )
        + _fill(
            rng,
            (
                "Strengths: {parent} loves the children and wants to make changes. ",
                "Strengths: the extended family are supportive. Worries: repeated incidents and missed appointments. ",
                (
                    text("The assessment found that {child}'s needs are not being consistently met. ", ages=BORN),
                    text("The assessment found that the baby's needs are unlikely to be met without support. "),
                ),
            ),
            ctx,
            s,
        )
        + outcome.format(**ctx)
    )
    return _note(CaseNoteType.CASE_NOTE, "Assessment outcome", body)


def _render_closure(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    body = _fill(
        rng,
        (
            (
                text(
                    "Case closure summary: the plan's outcomes have been met and {parent} agrees the family no longer need social work support. Step-down to early help.",
                    plans="cin,cp",
                ),
                text(
                    "Case closure summary: {child} has left care and the care plan's outcomes have been met.",
                    plans="lac",
                ),
                text(
                    "Case closure summary: the assessment is complete and the family will be supported by early help."
                ),
            ),
            (
                text(
                    "Case closed: {child} has been stable at home for six months; school and health will continue to monitor.",
                    ages=AT_SCHOOL,
                    plans="cin,cp",
                ),
                text(
                    "Case closed: {child} has been stable at home for six months; the health visitor will continue to monitor.",
                    plans="cin,cp",
                ),
                text(
                    "Case closed: {child} has left care; health and education will continue to support {him}.",
                    plans="lac",
                ),
                text("Case closed after the assessment; school and health will continue to monitor.", ages=AT_SCHOOL),
                text("Case closed after the assessment; the health visitor will continue to monitor."),
            ),
            (
                text(
                    "Closure agreed at the final review. Letter sent to {parent} explaining how to contact us if things change.",
                    plans="cin,cp,lac",
                ),
                text(
                    "Closure agreed with my manager. Letter sent to {parent} explaining how to contact us if things change."
                ),
            ),
        ),
        ctx,
        s,
    )
    return _note(CaseNoteType.CASE_NOTE, "Case closure summary", body)


_CASE_NOTES = (
    (
        "Agency checks",
        "Checks completed with partner agencies (school, GP, health visiting, police). No new information.",
    ),
    (
        "Police notification",
        "Received a police notification of an incident at the address on Saturday night; no arrests. "
        "Will discuss with {parent} at the next visit.",
    ),
    ("Referral to family support", "Referral made to the family support team for help with routines and boundaries."),
    ("Section 17 payment", "Applied for a Section 17 payment for food vouchers; approved by the team manager."),
    ("Chronology updated", "Updated the chronology and the genogram with information from {parent}."),
    ("Case note", "Text message from {parent} asking to move next week's visit to the afternoon; agreed."),
)


def _render_case_note(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, s: Situation
) -> Written:
    subject, body = rng.choice(_CASE_NOTES)
    return _note(CaseNoteType.CASE_NOTE, subject, body.format(**ctx) + " " + _action(rng, ctx, s))


_RENDERERS = {
    "contact": _render_contact,
    "decision": _render_decision,
    "strategy": _render_strategy,
    "home_visit": _render_home_visit,
    "school_visit": _render_school_visit,
    "placement_visit": _render_placement_visit,
    "phone": _render_phone,
    "meeting": _render_meeting,
    "letter": _render_letter,
    "supervision": _render_supervision,
    "direct_work": _render_direct_work,
    "family_time": _render_family_time,
    "outcome": _render_outcome,
    "closure": _render_closure,
    "case_note": _render_case_note,
}
