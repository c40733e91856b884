"""Plain-English case notes and visit records for the demo authority, built from templates with some variety.

Every function takes the caller's Random, so a seed gives the same words every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from recording.models import CaseNoteType, VisitType

# What first brought a family to children's social care: (key, how the contact describes it).
CONCERNS = (
    ("neglect", "concerns about home conditions and {child} arriving at school hungry and in unwashed clothes"),
    ("domestic_abuse", "a domestic incident at the family home reported by the police overnight"),
    ("mental_health", "{parent}'s mental health, after the crisis team were called to the home last week"),
    ("substance", "concerns that {parent} is drinking heavily and using cannabis while caring for the children"),
    ("injury", "a bruise on {child}'s upper arm that {he} could not explain, noticed at {setting}"),
    ("absence", "{child}'s poor attendance at school (71% this term) and late arrival most mornings"),
    ("behaviour", "{child}'s behaviour at home and school, with {parent} saying {she_p} can no longer cope"),
    ("housing", "the family facing eviction and living in one room at a relative's house"),
)
PRE_BIRTH = ("pre_birth", "a pre-birth referral from the community midwife about {parent}'s previous history")

CONCERN_LABELS = {
    "neglect": "neglect",
    "domestic_abuse": "domestic abuse",
    "mental_health": "parental mental health",
    "substance": "parental substance misuse",
    "injury": "unexplained injury",
    "absence": "school attendance",
    "behaviour": "parent asking for help",
    "housing": "housing and money",
    "pre_birth": "pre-birth concerns",
}

# Events that make no sense for a baby not yet born: they are not written on an unborn child's record.
NOT_BEFORE_BIRTH = frozenset({"direct_work", "family_time", "placement_visit", "school_visit"})

REFERRERS = {
    "neglect": ("{dsl}, designated safeguarding lead at {school}", "school"),
    "domestic_abuse": ("PC {officer} of Leicestershire Police", "police"),
    "mental_health": ("{gp} at {practice}", "GP"),
    "substance": ("an anonymous caller who said they were a neighbour", "neighbour"),
    "injury": ("{dsl}, designated safeguarding lead at {school}", "school"),
    "absence": ("the education welfare officer for {school}", "school"),
    "behaviour": ("{parent} ({rel_p}), who phoned asking for help", "parent"),
    "housing": ("the housing options team at the district council", "housing"),
    "pre_birth": ("the community midwife, {midwife}", "health"),
}

# Why a child was not seen on a visit, by where the visit was and the child's age: (reason, youngest, oldest).
NOT_SEEN_REASONS = (
    ("No one answered the door. I left a card asking {parent} to contact me.", 0, 18),
    ("{child} was at nursery and {parent} did not want me to visit there.", 2, 5),
    ("{parent} cancelled by text message on the morning of the visit, saying {child} was unwell.", 0, 18),
    ("{child} was asleep and {parent} would not wake {him}.", 0, 8),
    ("{child} was staying with {his} grandparents for the weekend.", 0, 16),
    ("{parent} would not let me into the house and spoke to me on the doorstep.", 0, 18),
    ("{child} had gone out with friends before I arrived and did not answer {his} phone.", 12, 18),
)
NOT_SEEN_AT_SCHOOL = (
    "{child} was absent from school today and the school had not been told why.",
    "{child} was out on a school trip; the school had not passed on my message.",
    "{child} did not want to leave the lesson and the teacher felt it best not to insist.",
)
NOT_SEEN_AT_PLACEMENT = (
    "{child} was out at a club when I arrived; {carers} had forgotten the visit.",
    "{child} refused to come downstairs to see me.",
    "The placement asked to rearrange because {child} had a hospital appointment.",
)


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
    """Who is in a known family, and the fixed details its notes mention."""

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
    carers: str = ""
    extras: dict[str, str] = field(default_factory=dict)


def _pronouns(sex: str) -> dict[str, str]:
    if sex == "M":
        return {"he": "he", "him": "him", "his": "his", "He": "He", "His": "His"}
    if sex == "F":
        return {"he": "she", "him": "her", "his": "her", "He": "She", "His": "Her"}
    return {"he": "they", "him": "them", "his": "their", "He": "They", "His": "Their"}


def _ctx(story: FamilyStory, child: Child, when: date, worker: str) -> dict[str, str]:
    age = child.age_at(when)
    school = story.school_secondary if age >= 11 else story.school_primary
    setting = school if age >= 4 else "nursery"
    ctx = {
        "child": child.given,
        "child_full": f"{child.given} {child.family}",
        "parent": story.parent,
        "parent_full": story.parent_full,
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
        "carers": story.carers,
        "worker": worker,
        "town": story.town,
        "siblings": ", ".join(c.given for c in story.children if c.key != child.key and not c.unborn) or "",
        "school_age": "yes" if age >= 4.5 else "",
    }
    ctx.update(_pronouns(child.sex))
    return ctx


def _fill(rng: random.Random, templates: tuple[str, ...], ctx: dict[str, str]) -> str:
    return rng.choice(templates).format(**ctx)


def _stage(age: float) -> str:
    if age < 0:
        return "unborn"
    if age < 2:
        return "baby"
    if age < 5:
        return "toddler"
    if age < 12:
        return "child"
    return "teen"


_PRESENTATION = {
    "unborn": (
        "{parent} is {weeks} weeks pregnant and says she has been attending her antenatal appointments.",
        "{parent} showed me the scan photographs and talked about getting the nursery ready.",
    ),
    "baby": (
        "{child} was awake and alert, making good eye contact and babbling when {parent} talked to {him}.",
        "{child} was asleep in {his} cot when I arrived; I saw {him} when {he} woke and {he} appeared well.",
        "{child} was clean and appropriately dressed. {parent} fed {him} during the visit and responded to {his} cues.",
        "{child}'s nappy area was sore; {parent} said {she_p} would get cream from the pharmacy and ask the health visitor.",
    ),
    "toddler": (
        "{child} played with the toys I brought and showed me {his} favourite book.",
        "{child} was busy with {his} trains on the living room floor and came to show me each one.",
        "{child} was shy at first but warmed up and was chatting by the end of the visit.",
        "{child} had a cold but was otherwise well presented. {His} speech seems delayed for {his} age.",
    ),
    "child": (
        "{child} showed me {his} bedroom, which was tidy, with a bed, clean bedding and toys.",
        "{child} talked about school and {his} friends; {he} said maths is {his} favourite subject.",
        "I spoke with {child} on {his} own in {his} bedroom. {He} drew a picture of the people in {his} house.",
        "{child} was quiet and did not want to talk today, but said {he} was 'OK'.",
        "{child} used the three houses tool with me: {his} worries were about shouting at home.",
    ),
    "teen": (
        "{child} spoke to me on {his} own in the kitchen. {He} said things are 'fine' but did not want to say more.",
        "{child} talked about college plans and {his} part-time job; {he} says home is calmer at the moment.",
        "{child} was in {his} room and came down after some encouragement. {He} was polite but guarded.",
        "{child} told me {he} has been staying out late with friends and that {parent} worries about it.",
    ),
}

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
    "{parent} said {she_p} feels more supported since the last meeting and is attending the parenting course.",
    "{parent} seemed tired and low in mood. We talked about {him_p} speaking to {her_p} GP again.",
    "{parent} said {other} has not been to the house since the last incident.",
    "{parent} was angry about the involvement of children's services and said the school had 'overreacted'.",
)

_ACTIONS = (
    "I agreed to refer {parent} to the family support worker for help with routines.",
    "I will complete a referral to the food bank and the housing team.",
    "Next visit booked for two weeks' time.",
    "I will discuss this with my manager in supervision.",
    "I reminded {parent} of the core group meeting next week.",
    "I gave {parent} the number for the domestic abuse helpline.",
)
_SCHOOL_ACTION = "I will contact {school} to ask about attendance and how {child} presents in class."
_EARLY_YEARS_ACTION = "I will ask {hv} to check {child}'s development at the next health visit."


def _action(rng: random.Random, ctx: dict[str, str]) -> str:
    extra = _SCHOOL_ACTION if ctx["school_age"] else _EARLY_YEARS_ACTION
    return rng.choice((*_ACTIONS, extra)).format(**ctx)


_AT_HOME_WORDS = ("bedroom", "living room", "cot", "kitchen", " room", "fed ", "asleep")


def _presentation(
    rng: random.Random, ctx: dict[str, str], age: float, born: date, when: date, at_home: bool = True
) -> str:
    stage = _stage(age)
    extra = dict(ctx)
    if stage == "unborn":
        extra["weeks"] = str(max(8, min(41, 40 - (born - when).days // 7)))
    lines = _PRESENTATION[stage]
    if not at_home:
        lines = tuple(t for t in lines if not any(w in t for w in _AT_HOME_WORDS)) or lines
    return rng.choice(lines).format(**extra)


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


Entry = Note | VisitText


def _note(kind: str, subject: str, body: str) -> Note:
    return Note(kind, subject[:200], body)


def render(rng: random.Random, event: str, story: FamilyStory, child: Child, when: date, worker: str) -> Entry:
    """The case note or visit for one event of a family's story, written on one child's record."""
    ctx = _ctx(story, child, when, worker)
    age = child.age_at(when)
    fn = _RENDERERS.get(event, _render_case_note)
    return fn(rng, ctx, story, child, when, age)


def _render_contact(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    concern = dict(CONCERNS).get(story.concern, PRE_BIRTH[1]).format(**ctx)
    who, kind = REFERRERS.get(story.concern, REFERRERS["neglect"])
    who = who.format(**ctx)
    body = (
        f"Contact received from {who} about {concern}. "
        + _fill(
            rng,
            (
                "The caller said the family are not known to them beyond this. ",
                "The caller said they had raised similar worries informally last year. ",
                "The caller was clear that {parent} is aware they have contacted us. ",
                "The caller did not want {parent} to know they had been in touch. ",
            ),
            ctx,
        )
        + _fill(
            rng,
            (
                "Checks show previous contacts in {town} in the last two years, closed with advice.",
                "No previous involvement with children's social care found.",
                "Family previously known to early help; case closed last year.",
            ),
            ctx,
        )
        + " Passed to the duty manager for a decision within one working day."
    )
    subject = f"Contact from {kind}: {CONCERN_LABELS.get(story.concern, story.concern.replace('_', ' '))}"
    return _note(
        CaseNoteType.PHONE_CALL if kind in ("police", "GP", "neighbour") else CaseNoteType.CASE_NOTE, subject, body
    )


def _render_decision(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
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
        )
        + outcome
        + " Allocated to "
        + ctx["worker"]
        + "."
    )
    return _note(CaseNoteType.CASE_NOTE, "Manager's decision on contact", body)


def _render_strategy(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    body = (
        f"Strategy discussion held by Teams. Present: {ctx['worker']} (social worker), PC {ctx['officer']} "
        f"(police), {ctx['hv'] or ctx['dsl']} ({'health' if age < 5 else 'education'}) and the duty manager. "
        + _fill(
            rng,
            (
                "Information shared about the incident and the family's history. ",
                "Police confirmed two previous call-outs to the address this year. ",
                "Health shared that {child} has missed two appointments. ",
            ),
            ctx,
        )
        + "Agreed: section 47 enquiries to be completed jointly; {child} to be seen today; ".format(**ctx)
        + _fill(
            rng,
            (
                "{parent} to be informed by the social worker.",
                "a child protection medical to be arranged if a new injury is seen.",
                "a safety plan to be agreed with {parent} tonight.",
            ),
            ctx,
        )
    )
    return _note(CaseNoteType.MEETING, "Strategy discussion", body)


def _visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float, vtype: str
) -> Entry:
    if child.unborn or age < 0:
        body = " ".join(
            [
                _presentation(rng, ctx, age, child.born, when),
                _fill(rng, _HOME, ctx),
                _fill(rng, _PARENT, ctx),
                "We talked about the plan for when the baby is born, who will help and where the baby will sleep.",
                _action(rng, ctx),
            ]
        )
        return VisitText(
            VisitType.HOME, False, False, "Unborn baby: visit to {parent} before the birth.".format(**ctx), body
        )
    seen = rng.random() < 0.88
    if not seen:
        if vtype == VisitType.SCHOOL:
            reason, opening = _fill(rng, NOT_SEEN_AT_SCHOOL, ctx), "Visit to see {child} at {school}. ".format(**ctx)
        elif vtype in (VisitType.PLACEMENT, VisitType.OFFICE):
            reason, opening = (
                _fill(rng, NOT_SEEN_AT_PLACEMENT, ctx),
                (
                    "Statutory visit to {child} at the placement. "
                    if vtype == VisitType.PLACEMENT
                    else "{child} was due at the office with {carers}. "
                ).format(**ctx),
            )
        else:
            reasons = tuple(r for r, lo, hi in NOT_SEEN_REASONS if lo <= age < hi)
            reason = _fill(rng, reasons, ctx)
            opening = _fill(
                rng,
                (
                    "Unannounced visit as agreed in the plan. ",
                    "Planned visit; {parent} had confirmed the time yesterday. ",
                ),
                ctx,
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
            )
        )
        return VisitText(vtype, False, False, reason, body)
    alone = age >= 4 and rng.random() < 0.65
    if vtype == VisitType.SCHOOL:
        openings: tuple[str, ...] = ("Visit to see {child} at {school}.",)
    elif vtype == VisitType.PLACEMENT:
        openings = ("Statutory visit to {child} at the placement.", "Visit to {child} at {his} foster home.")
    elif vtype == VisitType.OFFICE:
        openings = ("{child} came to the office with {carers}.",)
    else:
        openings = (
            "Announced visit to see {child} and {parent}.",
            "Unannounced visit as agreed at the core group.",
            "Statutory visit to {child}.",
        ) + (("Visit to see {child} after school.",) if ctx["school_age"] else ())
    at_home = vtype in (VisitType.HOME, VisitType.STATUTORY, VisitType.PLACEMENT)
    parts = [_fill(rng, openings, ctx), _presentation(rng, ctx, age, child.born, when, at_home)]
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
        parts.append(_fill(rng, alone_lines, ctx))
    if vtype == VisitType.HOME:
        parts.append(_fill(rng, _HOME, ctx))
        parts.append(_fill(rng, _PARENT, ctx))
    elif vtype == VisitType.SCHOOL:
        parts.append("Met in a quiet room at {school}; {dsl} checked in with me afterwards.".format(**ctx))
    elif vtype == VisitType.PLACEMENT:
        parts.append(
            _fill(
                rng,
                (
                    "{carers} said {child} is settling well and eating better.",
                    "{carers} reported some difficult nights after family time.",
                    "{carers} have taken {child} to the dentist and the optician this month.",
                ),
                ctx,
            )
        )
    parts.append(_action(rng, ctx))
    return VisitText(vtype, True, alone, "", " ".join(parts))


def _render_home_visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    return _visit(rng, ctx, story, child, when, age, VisitType.HOME if rng.random() < 0.8 else VisitType.STATUTORY)


def _render_school_visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    if age < 4:
        return _render_home_visit(rng, ctx, story, child, when, age)
    return _visit(rng, ctx, story, child, when, age, VisitType.SCHOOL)


def _render_placement_visit(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    return _visit(rng, ctx, story, child, when, age, VisitType.PLACEMENT if rng.random() < 0.85 else VisitType.OFFICE)


def _render_phone(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    if child.unborn or age < 0:
        who, subject = "{midwife}, community midwife".format(**ctx), "Phone call with midwife"
        said = _fill(
            rng,
            (
                "{parent} has attended her antenatal appointments and the baby is growing as expected.",
                "{parent} missed her last antenatal appointment; the midwife will visit at home this week.",
                "The midwife has no new concerns and will share the birth plan with us.",
            ),
            ctx,
        )
    elif age < 5 and ctx["hv"] and rng.random() < 0.55:
        who, subject = "{hv}, health visitor".format(**ctx), "Phone call with health visitor"
        said = _fill(
            rng,
            (
                "{child}'s weight is on the 25th centile and {his} development is broadly on track.",
                "{parent} missed the last clinic appointment; a home visit is booked for next week.",
                "No new concerns; {parent} is engaging well with the health visiting service.",
            ),
            ctx,
        )
    elif age >= 4 and ctx["school"] and rng.random() < 0.6:
        who, subject = "{dsl} at {school}".format(**ctx), "Phone call with school"
        said = _fill(
            rng,
            (
                "Attendance this half term is 89%, up from 76%.",
                "{child} arrived late three times this week and said {he} was tired.",
                "{child} has been happier in class and is eating breakfast club food.",
                "{child} told a teaching assistant that there was shouting at home at the weekend.",
            ),
            ctx,
        )
    else:
        who, subject = "{parent}".format(**ctx), "Phone call with " + ctx["rel_p"]
        said = _fill(
            rng,
            (
                "{parent} rang to ask for help with the cost of school uniform.",
                "{parent} said the week had been difficult but the children were OK.",
                "{parent} wanted to know the date of the next meeting; I confirmed it by text.",
                "{parent} told me {other} had been in touch and wanted to see the children.",
                "{parent} was upset about the last meeting and we talked it through.",
            ),
            ctx,
        )
    body = f"I spoke to {who}. {said} "
    if rng.random() < 0.5:
        body += _fill(rng, _PHONE_MORE, ctx) + " "
    body += _action(rng, ctx)
    return _note(CaseNoteType.PHONE_CALL, subject, body)


_PHONE_MORE = (
    "We agreed that I would share this with the rest of the core group before the next meeting.",
    "There are no new safeguarding concerns from this call.",
    "I asked them to let me know straight away if anything changes.",
    "I explained that this will be recorded and shared with my manager.",
    "They will send a written update by email this week.",
)


def _render_meeting(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    if story.level == "cin":
        subject = "Child in need review"
    elif story.level == "cp":
        subject = rng.choice(("Core group meeting", "Core group meeting", "Review child protection conference"))
    elif story.level in ("lac", "long"):
        subject = rng.choice(
            ("Looked after child review", "Personal education plan meeting", "Placement planning meeting")
        )
    else:
        subject = "Family meeting"
    progress = _fill(
        rng,
        (
            "Progress against the plan reviewed: routines are better and school attendance has improved. ",
            "The group agreed that some progress has been made but the home is still not consistently safe. ",
            "{parent} did not attend; the group was concerned about {her_p} engagement. ",
        )
        + (
            ("{child}'s views were shared from the direct work: {he} wants things to stay calm at home. ",)
            if age >= 4
            else ()
        ),
        ctx,
    )
    parent_came = "did not attend" not in progress
    attendees = ", ".join(
        a
        for a in (
            ctx["parent"] if parent_came else "",
            ctx["worker"],
            ctx["dsl"] if age >= 4 else ctx["hv"],
            ctx["iro"] if story.level in ("lac", "long", "cp") else "",
            ctx["carers"] if story.level in ("lac", "long") else "",
        )
        if a
    )
    body = (
        f"{subject} held. Attended: {attendees}. "
        + progress
        + _fill(
            rng,
            (
                "Plan updated; next review in three months.",
                "Actions agreed for each member of the group; minutes to follow.",
                "The chair recommended the plan continues unchanged.",
            ),
            ctx,
        )
    )
    return _note(CaseNoteType.MEETING, subject, body)


def _render_letter(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    letters: tuple[tuple[str, str], ...] = (
        (
            "Letter to {rel_p}: invitation to meeting",
            "Letter sent to {parent_full} inviting {him_p} to the next meeting and explaining how to bring a supporter.",
        ),
        (
            "Letter to {rel_p}: outcome of assessment",
            "Letter to {parent_full} setting out the outcome of the assessment and what will happen next.",
        ),
        (
            "Email to school: plan update",
            "Emailed {dsl} at {school} a copy of the updated plan and the date of the next core group.",
        ),
        (
            "Email from health visitor",
            "Email received from {hv}: {child} was seen at clinic and is gaining weight as expected.",
        ),
    )
    if child.unborn or age < 0:
        letters = letters[:2]
    elif age < 4:
        letters = (*letters[:2], letters[3])
    elif age >= 5:
        letters = letters[:3]
    subject, body = rng.choice(letters)
    subject, body = subject.format(**ctx), body.format(**ctx)
    return _note(CaseNoteType.CORRESPONDENCE, subject, body)


def _render_supervision(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    body = (
        "Case discussed in supervision. "
        + _fill(
            rng,
            (
                "Reflection on {parent}'s engagement and the impact of the home environment on {child}. ",
                "Management oversight: plan remains appropriate; visits to continue at the agreed frequency. ",
                "Considered whether the threshold for escalation is met; agreed to review after the next visit. ",
                "Discussed {child}'s lived experience and how to capture {his} voice in the records. ",
            ),
            ctx,
        )
        + _fill(rng, ("Actions recorded on the supervision form.", "Next supervision in four weeks."), ctx)
    )
    return _note(CaseNoteType.CASE_NOTE, "Management oversight and supervision", body)


def _render_direct_work(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    if age < 4:
        body = "Observation of {child} at play with {parent}. ".format(**ctx) + _presentation(
            rng, ctx, age, child.born, when
        )
    else:
        body = _fill(
            rng,
            (
                "Direct work session with {child} using the 'three houses' tool. {He} put 'when mum is sad' in the house of worries.",
                "Life story work with {child}: we looked at photographs and made a timeline of the places {he} has lived.",
                "Direct work with {child} about feelings, using the feelings cards. {He} chose 'worried' and 'happy'.",
                "Session with {child} about keeping safe online and who {he} could talk to if worried.",
            ),
            ctx,
        )
    return _note(CaseNoteType.CASE_NOTE, "Direct work with " + child.given, body)


def _render_family_time(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    body = _fill(
        rng,
        (
            "Supervised family time at the family centre. {parent} arrived on time and brought snacks; {child} was pleased to see {him_p}.",
            "{parent} arrived 25 minutes late to family time. {child} was upset while waiting but settled once {she_p} arrived.",
            "Family time went well; {parent} played a board game with {child} and praised {him}.",
            "{parent} did not attend family time and did not call to cancel. {child} was told and returned to {carers}.",
        ),
        ctx,
    )
    return _note(CaseNoteType.CASE_NOTE, "Family time (contact) record", body)


def _render_outcome(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    outcome = {
        "assessment": "No further action by children's social care; the family have agreed to a referral to early help.",
        "cin": "Outcome: child in need plan under section 17. First review in three months.",
        "cp": "Initial child protection conference held: {child} made subject to a child protection plan under the category of {cat}.",
        "lac": "Following the legal planning meeting, {child} became looked after under section 20 with {parent}'s agreement.",
        "long": "Following the legal planning meeting, care proceedings were issued; {child} was placed with {carers}.",
    }[story.level]
    cat = {"neglect": "neglect", "injury": "physical abuse", "domestic_abuse": "emotional abuse"}.get(
        story.concern, "emotional abuse"
    )
    body = (
        "Child and family assessment completed and signed off by the team manager. "
        + _fill(
            rng,
            (
                "Strengths: {parent} loves the children and wants to make changes. ",
                "Strengths: the extended family are supportive. Worries: repeated incidents and missed appointments. ",
                "The assessment found that {child}'s needs are not being consistently met. ",
            ),
            ctx,
        )
        + outcome.format(cat=cat, **ctx)
    )
    return _note(CaseNoteType.CASE_NOTE, "Assessment outcome", body)


def _render_closure(
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    body = _fill(
        rng,
        (
            "Case closure summary: the plan's outcomes have been met and {parent} agrees the family no longer need social work support. Step-down to early help.",
            "Case closed: {child} has been stable at home for six months; school and health will continue to monitor.",
            "Closure agreed at the final review. Letter sent to {parent} explaining how to contact us if things change.",
        ),
        ctx,
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
    rng: random.Random, ctx: dict[str, str], story: FamilyStory, child: Child, when: date, age: float
) -> Entry:
    subject, body = rng.choice(_CASE_NOTES)
    return _note(CaseNoteType.CASE_NOTE, subject, body.format(**ctx) + " " + _action(rng, ctx))


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
